//! IPv6 in a stack (net/ipv6/ip6_input.c, ip6_output.c, route.c): the header checks of
//! ipv6_rcv, local delivery for the namespace's addresses and the groups its interfaces
//! joined, and output: the route (the prefix routes addresses make, or the interface a
//! link-local or multicast destination names), the source address, and the neighbour layer.

use std::net::Ipv6Addr;

use bytes::Bytes;
use l2lab_fabric::wire::{self, ETHERTYPE_IPV6, ETH_HLEN};
use l2lab_fabric::{LinkId, LinkKind, MacAddr};

use rand_chacha::rand_core::RngCore;

use super::addr::Scope;
use super::addrconf::scope_of;
use super::frag6::IPPROTO_FRAGMENT;
use super::input::PktType;
use super::ndisc::multicast_mac;
use super::route6::Route6Entry;
use crate::error::{LabError, LabResult};
use crate::lab::{Lab, NsId};

/// The IPv6 header's length.
pub const IPV6_HLEN: usize = 40;
/// Next header: ICMPv6.
pub const IPPROTO_ICMPV6: u8 = 58;
/// The kernel's default hop limit (`net.ipv6.conf.*.hop_limit`).
pub const DEFAULT_HOP_LIMIT: u8 = 64;
/// All nodes on the link.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// The fields of an IPv6 header the stack uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv6Header {
    /// Source.
    pub src: Ipv6Addr,
    /// Destination.
    pub dst: Ipv6Addr,
    /// Next header.
    pub next_header: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Payload length.
    pub payload_len: usize,
}

impl Ipv6Header {
    /// ipv6_rcv's checks: version 6, and a payload length the packet holds. Returns the header
    /// and the payload, trimmed to the payload length (Ethernet padding dropped).
    pub fn parse(packet: &[u8]) -> Option<(Ipv6Header, &[u8])> {
        if packet.len() < IPV6_HLEN || packet[0] >> 4 != 6 {
            return None;
        }
        let payload_len = usize::from(u16::from_be_bytes([packet[4], packet[5]]));
        if IPV6_HLEN + payload_len > packet.len() {
            return None;
        }
        let addr = |at: usize| -> Ipv6Addr {
            let mut o = [0u8; 16];
            o.copy_from_slice(&packet[at..at + 16]);
            Ipv6Addr::from(o)
        };
        let h = Ipv6Header {
            src: addr(8),
            dst: addr(24),
            next_header: packet[6],
            hop_limit: packet[7],
            payload_len,
        };
        Some((h, &packet[IPV6_HLEN..IPV6_HLEN + payload_len]))
    }
}

/// An IPv6 packet: the header (traffic class and flow label 0) and `payload`.
pub fn ipv6_packet(
    src: Ipv6Addr,
    dst: Ipv6Addr,
    next_header: u8,
    hop_limit: u8,
    payload: &[u8],
) -> Bytes {
    let mut p = Vec::with_capacity(IPV6_HLEN + payload.len());
    p.extend_from_slice(&[0x60, 0, 0, 0]);
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&[next_header, hop_limit]);
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    p.extend_from_slice(payload);
    Bytes::from(p)
}

/// An address of link scope: link-local unicast, or multicast of interface- or link-local
/// scope (the source for it is a link-local).
pub fn link_scope(a: Ipv6Addr) -> bool {
    scope_of(a) == Scope::Link
        || (a.segments()[0] & 0xff00 == 0xff00 && matches!(a.segments()[0] & 0x000f, 1 | 2))
}

/// Where an IPv6 packet goes: out of `dev`, from `src`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route6 {
    /// The way out (lo for the namespace's own addresses).
    pub dev: LinkId,
    /// The source address the kernel picks for it, if any.
    pub src: Option<Ipv6Addr>,
    /// The main table's route it took (none for lo, a group, or a link-local destination).
    pub route: Option<Route6Entry>,
}

impl Route6 {
    /// The neighbour to resolve for `dst`: the route's gateway, or `dst` itself.
    pub fn nexthop(&self, dst: Ipv6Addr) -> Ipv6Addr {
        self.route.as_ref().and_then(|r| r.gateway).unwrap_or(dst)
    }
}

impl Lab {
    /// Is `a` an address of `ns`? `tentative`: also one whose DAD has not finished.
    pub(crate) fn is_local_addr6(&self, ns: NsId, a: Ipv6Addr, tentative: bool) -> bool {
        self.links(ns).into_iter().any(|l| {
            self.addrs6(l)
                .iter()
                .any(|x| x.addr == a && (tentative || !x.tentative))
        })
    }

    /// ip6_route_output: the device a packet to `dst` leaves by (`oif` when the socket is
    /// bound to one, or the destination has a scope id) and the source address
    /// ipv6_dev_get_saddr would choose. Unreachable when no prefix route covers `dst`.
    pub fn route6_output(&self, ns: NsId, dst: Ipv6Addr, oif: Option<LinkId>) -> LabResult<Route6> {
        let lo = self.ns(ns).map(|n| n.lo);
        // The local table: the namespace's own addresses (::1 once lo is up) are reached
        // through lo.
        if let Some(lo) = lo.filter(|_| self.is_local_addr6(ns, dst, false)) {
            if oif.is_none_or(|o| o == lo || self.addrs6(o).iter().any(|a| a.addr == dst)) {
                return Ok(Route6 {
                    dev: lo,
                    src: Some(dst),
                    route: None,
                });
            }
        }
        let up = |l: LinkId| {
            self.fabric
                .link(l)
                .is_some_and(|k| k.admin_up && !matches!(k.kind, LinkKind::Loopback))
                && self.iface(l).is_some_and(|i| i.v6_on)
        };
        let (dev, route) = match oif {
            // A link-scope destination is on the link the socket names.
            Some(o) if up(o) && (link_scope(dst) || dst.is_multicast()) => (o, None),
            // Otherwise the routes out of that device, or on-link through it.
            Some(o) if up(o) => (o, self.route6_lookup(ns, dst, Some(o))),
            Some(_) => return Err(LabError::NetworkUnreachable6(dst)),
            // Every device has its ff00::/8 route: the first one up carries a group.
            None if dst.is_multicast() => (
                self.links(ns)
                    .into_iter()
                    .find(|l| up(*l))
                    .ok_or(LabError::NetworkUnreachable6(dst))?,
                None,
            ),
            None => {
                let r = self
                    .route6_lookup(ns, dst, None)
                    .ok_or(LabError::NetworkUnreachable6(dst))?;
                (r.dev, Some(r))
            }
        };
        Ok(Route6 {
            dev,
            src: self.ipv6_dev_get_saddr(dev, dst),
            route,
        })
    }

    /// ipv6_dev_get_saddr, in short: a settled address of the way out, of the destination's
    /// scope if there is one, the longest common prefix first.
    pub(crate) fn ipv6_dev_get_saddr(&self, dev: LinkId, dst: Ipv6Addr) -> Option<Ipv6Addr> {
        let want = if dst.segments()[0] & 0xff00 == 0xff00 {
            if link_scope(dst) {
                Scope::Link
            } else {
                Scope::Global
            }
        } else {
            scope_of(dst)
        };
        let common = |a: Ipv6Addr| (u128::from(a) ^ u128::from(dst)).leading_zeros();
        self.addrs6(dev)
            .iter()
            .filter(|a| !a.tentative && !a.dadfailed)
            .max_by_key(|a| (a.scope == want, common(a.addr)))
            .map(|a| a.addr)
    }

    /// ipv6_rcv and ip6_input: an IPv6 frame reached `dev`; what is for this namespace goes
    /// to its protocol, the rest is forwarded when forwarding is on, or dropped.
    pub(crate) fn ipv6_input(&mut self, ns: NsId, dev: LinkId, frame: &Bytes, pkt_type: PktType) {
        if self.iface(dev).is_none_or(|i| !i.v6_on) {
            return;
        }
        let Some((h, payload)) = Ipv6Header::parse(&frame[ETH_HLEN..]) else {
            return;
        };
        // ipv6_rcv: a multicast source, or a loopback address from the wire, is dropped.
        if h.src.is_multicast() {
            return;
        }
        let is_lo = self
            .fabric
            .link(dev)
            .is_some_and(|l| matches!(l.kind, LinkKind::Loopback));
        if !is_lo && (h.src.is_loopback() || h.dst.is_loopback()) {
            return;
        }
        let local = if h.dst.is_multicast() {
            self.igmp6_groups(dev).contains(&h.dst)
        } else {
            // A tentative address only hears neighbour discovery (for DAD).
            pkt_type == PktType::Host
                && (self.is_local_addr6(ns, h.dst, false)
                    || (h.next_header == IPPROTO_ICMPV6
                        && self.addrs6(dev).iter().any(|a| a.addr == h.dst)))
        };
        if !local {
            if pkt_type == PktType::Host && !h.dst.is_multicast() {
                self.ip6_route_input(ns, &frame[ETH_HLEN..]);
            }
            return;
        }
        if h.next_header == IPPROTO_FRAGMENT {
            let now = self.now();
            let Some(whole) = self.ns_mut(ns).and_then(|n| n.frags6.add(&h, payload, now)) else {
                return;
            };
            if let Some((h, payload)) = Ipv6Header::parse(&whole) {
                self.ip6_deliver(ns, dev, &h, payload);
            }
            return;
        }
        self.ip6_deliver(ns, dev, &h, payload);
    }

    /// ip6_input_finish: a whole packet for us goes to its protocol (ICMPv6 is the one
    /// modelled).
    fn ip6_deliver(&mut self, ns: NsId, dev: LinkId, h: &Ipv6Header, payload: &[u8]) {
        if h.next_header == IPPROTO_ICMPV6 {
            self.icmp6_input(ns, dev, h, Bytes::copy_from_slice(payload));
        }
    }

    /// ip6_output: sends a packet this namespace built, out of `route`'s device; the neighbour
    /// layer resolves a unicast next hop, a multicast one maps to its 33:33 MAC.
    pub(crate) fn ip6_output(&mut self, ns: NsId, dev: LinkId, packet: Bytes) {
        let Some((h, _)) = Ipv6Header::parse(&packet) else {
            return;
        };
        self.ip6_output_via(ns, dev, h.dst, packet);
    }

    /// ip6_finish_output2: as [`Lab::ip6_output`], to the neighbour `nexthop` (a route's
    /// gateway, or the destination itself); what exceeds the path MTU learned for the
    /// destination is cut to fit it.
    pub(crate) fn ip6_output_via(
        &mut self,
        ns: NsId,
        dev: LinkId,
        nexthop: Ipv6Addr,
        packet: Bytes,
    ) {
        let Some((h, _)) = Ipv6Header::parse(&packet) else {
            return;
        };
        let pmtu = self.pmtu6_exception(ns, h.dst).map(|(m, _)| m as usize);
        let Some(l) = self.fabric.link(dev) else {
            return;
        };
        if matches!(l.kind, LinkKind::Loopback) {
            let f = wire::ethernet_frame(MacAddr::ZERO, MacAddr::ZERO, ETHERTYPE_IPV6, &packet);
            self.ndisc_noarp_entry(dev, h.dst, MacAddr::ZERO);
            self.stack_transmit(dev, f);
            return;
        }
        let mtu = pmtu.map_or(l.mtu as usize, |p| p.min(l.mtu as usize));
        let (mac, multicast) = (l.mac, h.dst.is_multicast());
        let pieces = if packet.len() > mtu {
            // ip6_fragment: the source cuts what does not fit (IPv6 routers never do).
            let id = self.v6_rng.next_u32();
            crate::stack::frag6::fragment6(&packet, mtu, id).unwrap_or_default()
        } else {
            vec![packet]
        };
        if multicast {
            self.ndisc_mcast_entry(dev, h.dst);
        }
        for p in pieces {
            if multicast {
                let f = wire::ethernet_frame(mac, multicast_mac(h.dst), ETHERTYPE_IPV6, &p);
                self.stack_transmit(dev, f);
            } else {
                self.neigh_output(ns, dev, nexthop.into(), p);
            }
        }
    }
}

/// Does the prefix `addr/len` contain `x`?
pub fn prefix_contains(addr: Ipv6Addr, len: u8, x: Ipv6Addr) -> bool {
    let len = u32::from(len.min(128));
    if len == 0 {
        return true;
    }
    let mask = u128::MAX << (128 - len);
    u128::from(addr) & mask == u128::from(x) & mask
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn header_checks() {
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        let dst: Ipv6Addr = "fe80::2".parse().unwrap();
        let p = ipv6_packet(src, dst, IPPROTO_ICMPV6, 64, &[1, 2, 3, 4]);
        let (h, payload) = Ipv6Header::parse(&p).unwrap();
        assert_eq!(
            (h.src, h.dst, h.hop_limit, h.next_header),
            (src, dst, 64, 58)
        );
        assert_eq!(payload, &[1, 2, 3, 4]);
        // Padding after the payload is not payload.
        let mut padded = p.to_vec();
        padded.extend_from_slice(&[0; 6]);
        assert_eq!(Ipv6Header::parse(&padded).unwrap().1.len(), 4);
        // Version 4, or a payload length beyond the packet, is refused.
        let mut v4 = p.to_vec();
        v4[0] = 0x45;
        assert!(Ipv6Header::parse(&v4).is_none());
        assert!(Ipv6Header::parse(&p[..p.len() - 1]).is_none());
        assert!(Ipv6Header::parse(&p[..20]).is_none());
    }

    #[test]
    fn scopes_and_prefixes() {
        assert!(link_scope("fe80::1".parse().unwrap()));
        assert!(link_scope("ff02::1".parse().unwrap()));
        assert!(!link_scope("2001:db8::1".parse().unwrap()));
        assert!(!link_scope("ff0e::1".parse().unwrap()));
        let a: Ipv6Addr = "2001:db8::1".parse().unwrap();
        assert!(prefix_contains(a, 64, "2001:db8::2".parse().unwrap()));
        assert!(!prefix_contains(a, 64, "2001:db9::2".parse().unwrap()));
        assert!(prefix_contains(a, 0, "::1".parse().unwrap()));
    }
}
