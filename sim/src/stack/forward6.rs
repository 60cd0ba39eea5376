//! IPv6 forwarding (net/ipv6/route.c: ip6_route_input; ip6_output.c: ip6_forward;
//! addrconf.c: dev_forward_change): a packet for someone else, with
//! `net.ipv6.conf.all.forwarding` on, leaves by its route with one hop less, or earns its
//! sender an ICMPv6 error: no route (also from a namespace that does not forward), time
//! exceeded when no hop is left, or packet too big (routers never fragment).

use bytes::Bytes;
use l2lab_fabric::LinkId;

use super::icmp6::{DEST_UNREACH, PKT_TOO_BIG, TIME_EXCEED};
use super::ipv6::{Ipv6Header, IPV6_HLEN};
use crate::lab::{Lab, NsId};

/// Destination unreachable, code 0: no route to the destination.
const ICMPV6_NOROUTE: u8 = 0;
/// Time exceeded, code 0: hop limit exceeded in transit.
const ICMPV6_EXC_HOPLIMIT: u8 = 0;

impl Lab {
    /// dev_forward_change: `net.ipv6.conf.X.forwarding` of `link` becomes `v`. A device that
    /// forwards is a router: it joins the all-routers groups and its addresses' anycast,
    /// its advertisements say so and it stops soliciting routers.
    pub(crate) fn forwarding6_change(&mut self, link: LinkId, v: i32) {
        if let Some(i) = self.iface_mut(link) {
            i.forwarding6 = v;
        }
        self.mld_sync(link);
    }

    /// ip6_route_input and ip6_forward: `packet` (the IPv6 packet, without its Ethernet
    /// header) came in for an address that is not this namespace's. No route earns its
    /// sender "no route" whether or not the namespace forwards (ip6_pkt_discard); with a
    /// route, it goes on only if `net.ipv6.conf.all.forwarding` is on.
    pub(crate) fn ip6_route_input(&mut self, ns: NsId, packet: &[u8]) {
        let Some((h, _)) = Ipv6Header::parse(packet) else {
            return;
        };
        let len = IPV6_HLEN + h.payload_len;
        let orig = Bytes::copy_from_slice(&packet[..len]);
        // Packets with a link-local source or destination stay on their link.
        if super::ipv6::link_scope(h.src) || super::ipv6::link_scope(h.dst) {
            return;
        }
        let route = match self.route6_output(ns, h.dst, None) {
            Ok(r) if Some(r.dev) != self.ns(ns).map(|n| n.lo) => r,
            _ => {
                self.icmp6_send(ns, &orig, DEST_UNREACH, ICMPV6_NOROUTE, 0);
                return;
            }
        };
        if !self.forwarding6_on(ns) {
            return;
        }
        if h.hop_limit <= 1 {
            self.icmp6_send(ns, &orig, TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
            return;
        }
        let mtu = self.fabric.link(route.dev).map_or(1500, |l| l.mtu);
        if len > mtu as usize {
            self.icmp6_send(ns, &orig, PKT_TOO_BIG, 0, mtu);
            return;
        }
        let mut out = orig.to_vec();
        out[7] = h.hop_limit - 1;
        let nexthop = route.nexthop(h.dst);
        self.ip6_output_via(ns, route.dev, nexthop, Bytes::from(out));
    }
}
