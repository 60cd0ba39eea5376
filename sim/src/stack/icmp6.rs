//! ICMPv6 in a stack (net/ipv6/icmp.c): the checksum checked, echo requests answered, echo
//! replies and errors handed to the ping sessions they belong to, neighbour discovery handed
//! to ndisc, and the errors the stack itself sends (icmp6_send).

use std::net::{IpAddr, Ipv6Addr};

use bytes::Bytes;
use l2lab_fabric::LinkId;

use super::ipv6::{Ipv6Header, DEFAULT_HOP_LIMIT, IPPROTO_ICMPV6, IPV6_HLEN};
use super::ndisc::{self, icmp6_checksum, icmp6_packet, NdMsg};
use crate::lab::{Lab, NsId};
use crate::ping::PingError;

/// Destination unreachable.
pub const DEST_UNREACH: u8 = 1;
/// Packet too big.
pub const PKT_TOO_BIG: u8 = 2;
/// Time exceeded.
pub const TIME_EXCEED: u8 = 3;
/// Destination unreachable, code 3: address unreachable (neighbour discovery failed).
pub const ADDR_UNREACH: u8 = 3;
/// Echo request.
pub const ECHO_REQUEST: u8 = 128;
/// Echo reply.
pub const ECHO_REPLY: u8 = 129;
/// The minimum IPv6 MTU: an error quotes no more than fits in it.
const IPV6_MIN_MTU: usize = 1280;

impl Lab {
    /// icmpv6_rcv: an ICMPv6 message for this namespace arrived on `dev`.
    pub(crate) fn icmp6_input(&mut self, ns: NsId, dev: LinkId, h: &Ipv6Header, icmp: Bytes) {
        if icmp.len() < 8 || icmp6_checksum(h.src, h.dst, &icmp) != 0 {
            return;
        }
        match icmp[0] {
            ECHO_REQUEST => self.icmpv6_echo_reply(ns, dev, h, &icmp),
            ECHO_REPLY => {
                let id = u16::from_be_bytes([icmp[4], icmp[5]]);
                let seq = u16::from_be_bytes([icmp[6], icmp[7]]);
                self.ping_reply(ns, h.src.into(), id, seq, h.hop_limit, icmp.len());
            }
            ty @ (DEST_UNREACH | PKT_TOO_BIG | TIME_EXCEED) => {
                let mtu = u32::from_be_bytes([icmp[4], icmp[5], icmp[6], icmp[7]]);
                if ty == PKT_TOO_BIG {
                    // icmpv6_notify → rt6_pmtu_discovery: the quoted destination's path.
                    if let Some(q) = icmp.get(8 + 24..8 + 40) {
                        let mut dst = [0u8; 16];
                        dst.copy_from_slice(q);
                        self.learn_pmtu6(ns, Ipv6Addr::from(dst), mtu);
                    }
                }
                let err = PingError::V6 {
                    ty,
                    code: icmp[1],
                    mtu,
                };
                self.icmp6_error_input(ns, h.src, err, &icmp[8..]);
            }
            ndisc::NEIGHBOUR_SOLICITATION | ndisc::NEIGHBOUR_ADVERTISEMENT => {
                if let Some(msg) = NdMsg::parse(h.hop_limit, &icmp) {
                    self.ndisc_rcv(ns, dev, h, msg);
                }
            }
            _ => {}
        }
    }

    /// icmpv6_echo_reply: the same id, sequence and data back, from the address asked (or,
    /// for a group, the one the way back prefers), out of the interface the request came in.
    fn icmpv6_echo_reply(&mut self, ns: NsId, dev: LinkId, h: &Ipv6Header, icmp: &[u8]) {
        // net.ipv6.icmp.echo_ignore_* are not modelled: their defaults answer everything,
        // a group included.
        let Ok(route) = self.route6_output(ns, h.src, Some(dev)) else {
            return;
        };
        let src = if h.dst.is_multicast() {
            match route.src {
                Some(s) => s,
                None => return,
            }
        } else {
            h.dst
        };
        let mut reply = icmp.to_vec();
        reply[0] = ECHO_REPLY;
        let p = icmp6_packet(src, h.src, DEFAULT_HOP_LIMIT, reply);
        self.ip6_output_via(ns, route.dev, route.nexthop(h.src), p);
    }

    /// An ICMPv6 error quoting one of our echo requests goes to the ping that sent it.
    fn icmp6_error_input(&mut self, ns: NsId, from: Ipv6Addr, err: PingError, quoted: &[u8]) {
        if quoted.len() < IPV6_HLEN + 8 || quoted[6] != IPPROTO_ICMPV6 {
            return;
        }
        let q = &quoted[IPV6_HLEN..];
        if q[0] != ECHO_REQUEST {
            return;
        }
        let id = u16::from_be_bytes([q[4], q[5]]);
        let seq = u16::from_be_bytes([q[6], q[7]]);
        self.ping_error(ns, IpAddr::V6(from), id, seq, err);
    }

    /// icmp6_send: an error about packet `orig` back to its sender. Never about an error, nor
    /// about a packet to a group or from an address that is not unicast.
    pub(crate) fn icmp6_send_error(&mut self, ns: NsId, orig: &Bytes, ty: u8, code: u8) {
        self.icmp6_send(ns, orig, ty, code, 0);
    }

    /// icmp6_send with its 32-bit `info` (the MTU of "packet too big").
    pub(crate) fn icmp6_send(&mut self, ns: NsId, orig: &Bytes, ty: u8, code: u8, info: u32) {
        let Some((oh, rest)) = Ipv6Header::parse(orig) else {
            return;
        };
        if oh.src.is_unspecified() || oh.src.is_multicast() || oh.dst.is_multicast() {
            return;
        }
        if oh.next_header == IPPROTO_ICMPV6 && rest.first().is_some_and(|t| *t < 128) {
            return;
        }
        let Ok(route) = self.route6_output(ns, oh.src, None) else {
            return;
        };
        let src = if self.is_local_addr6(ns, oh.dst, false) {
            oh.dst
        } else {
            match route.src {
                Some(s) => s,
                None => return,
            }
        };
        let keep = orig.len().min(IPV6_MIN_MTU - IPV6_HLEN - 8);
        let mut icmp = vec![ty, code, 0, 0];
        icmp.extend_from_slice(&info.to_be_bytes());
        icmp.extend_from_slice(&orig[..keep]);
        let p = icmp6_packet(src, oh.src, DEFAULT_HOP_LIMIT, icmp);
        self.ip6_output_via(ns, route.dev, route.nexthop(oh.src), p);
    }
}
