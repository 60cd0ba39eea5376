//! Replay support: a frame recorded leaving a host is put on that host's interface as if its
//! own stack had sent it, so the stack's neighbour table follows what the recorded host did
//! (an ARP request leaves an INCOMPLETE entry that the reply completes and that retries on
//! the kernel's timers; a datagram sent through a STALE entry starts its delay probe). IPv6
//! likewise: a neighbour solicitation is ndisc_solicit's, a packet is neigh_output's.

use std::net::IpAddr;

use bytes::Bytes;
use l2lab_fabric::wire::{
    ArpOp, ArpRepr, EthHeader, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETH_HLEN,
};
use l2lab_fabric::LinkId;

use crate::event::EventKind;
use crate::lab::Lab;
use crate::stack::ipv6::{Ipv6Header, IPPROTO_ICMPV6};
use crate::stack::ndisc::{NdMsg, NEIGHBOUR_SOLICITATION};
use crate::stack::neigh::NeighState;

impl Lab {
    /// Transmits `frame` on `link` on behalf of the stack that owns `link`: first the
    /// neighbour bookkeeping the kernel does when it sends such a frame itself (arp_solicit for
    /// a request, neigh_output for a datagram), then the frame, carried to the end.
    pub fn replay_transmit(&mut self, link: LinkId, frame: Bytes) {
        if let Ok(eth) = EthHeader::parse(&frame) {
            match eth.ethertype {
                ETHERTYPE_ARP => {
                    if let Ok(arp) = ArpRepr::parse(&frame[ETH_HLEN..]) {
                        if arp.op == ArpOp::Request && arp.sender_ip != arp.target_ip {
                            self.replay_solicit(link, arp.target_ip.into());
                        }
                    }
                }
                ETHERTYPE_IPV4 => self.replay_used(link, eth.dst, false),
                ETHERTYPE_IPV6 => match solicited(&frame[ETH_HLEN..]) {
                    Some(target) => self.replay_solicit(link, target.into()),
                    None => self.replay_used(link, eth.dst, true),
                },
                _ => {}
            }
        }
        self.inject(link, frame);
    }

    /// Will the stack that owns `link` send `frame` again by itself, soon? True for a
    /// solicitation (ARP who-has, neighbour solicitation) of an address the stack is resolving
    /// or probing with probes left: its neighbour timer sends the next one (the capture's may
    /// come a few milliseconds before the emulated one, timer wheels rounding differently).
    pub fn replay_will_resend(&self, link: LinkId, frame: &[u8]) -> bool {
        let Ok(eth) = EthHeader::parse(frame) else {
            return false;
        };
        let Some(payload) = frame.get(ETH_HLEN..) else {
            return false;
        };
        let target: IpAddr = match eth.ethertype {
            ETHERTYPE_ARP => match ArpRepr::parse(payload) {
                Ok(a) if a.op == ArpOp::Request && a.sender_ip != a.target_ip => a.target_ip.into(),
                _ => return false,
            },
            ETHERTYPE_IPV6 => match solicited(payload) {
                Some(t) => t.into(),
                None => return false,
            },
            _ => return false,
        };
        let Some(n) = self.iface(link).and_then(|i| self.ns(i.ns)) else {
            return false;
        };
        n.neigh.get(link, target).is_some_and(|e| {
            matches!(e.state, NeighState::Incomplete | NeighState::Probe)
                && e.probes < n.neigh.max_probes(e.state)
        })
    }

    /// The stack sent a solicitation for `ip`: the entry is (or stays) being resolved and its
    /// next retry is one retrans_time away, counted from this probe.
    fn replay_solicit(&mut self, link: LinkId, ip: IpAddr) {
        let now = self.now();
        let Some(ns) = self.iface(link).map(|i| i.ns) else {
            return;
        };
        let Some(n) = self.ns_mut(ns) else { return };
        let params = n.neigh.params;
        let old = n.neigh.get(link, ip).map(|e| e.state);
        let new = match old {
            None | Some(NeighState::Failed) => NeighState::Incomplete,
            Some(NeighState::Incomplete) => NeighState::Incomplete,
            Some(NeighState::Delay | NeighState::Probe) => NeighState::Probe,
            // A valid entry is not re-solicited by the kernel; an application (arping) did it.
            Some(_) => return,
        };
        let e = n.neigh.entry(link, ip, now, new);
        if old != Some(new) {
            e.probes = if new == NeighState::Incomplete {
                params.ucast_probes
            } else {
                0
            };
            e.updated = now;
        }
        e.probes += 1;
        let mac = e.mac;
        if old != Some(new) {
            self.event(EventKind::Neigh {
                ns,
                dev: link,
                ip,
                mac,
                from: old,
                to: Some(new),
            });
        }
        self.arm_neigh_timer(ns, link, ip, now + params.retrans_time);
    }

    /// The stack sent a datagram (an IPv6 packet when `v6`) to `mac`: the neighbour entry of
    /// that family with that address is used, and a STALE one starts its delay before the
    /// first probe.
    fn replay_used(&mut self, link: LinkId, mac: l2lab_fabric::MacAddr, v6: bool) {
        if !mac.is_valid_unicast() {
            return;
        }
        let now = self.now();
        let Some(ns) = self.iface(link).map(|i| i.ns) else {
            return;
        };
        let Some(n) = self.ns_mut(ns) else { return };
        let params = n.neigh.params;
        let Some(ip) = n
            .neigh
            .list()
            .into_iter()
            .find(|e| {
                e.dev == link && e.ip.is_ipv6() == v6 && e.mac == Some(mac) && e.state.is_valid()
            })
            .map(|e| e.ip)
        else {
            return;
        };
        let Some(e) = n.neigh.get_mut(link, ip) else {
            return;
        };
        e.used = now;
        if e.state == NeighState::Stale {
            e.state = NeighState::Delay;
            e.updated = now;
            self.event(EventKind::Neigh {
                ns,
                dev: link,
                ip,
                mac: Some(mac),
                from: Some(NeighState::Stale),
                to: Some(NeighState::Delay),
            });
            self.arm_neigh_timer(ns, link, ip, now + params.delay_first_probe_time);
        }
    }
}

/// The target of a neighbour solicitation a stack sends to resolve or probe (not DAD's, whose
/// source is `::`), if `packet` is one.
fn solicited(packet: &[u8]) -> Option<std::net::Ipv6Addr> {
    let (h, icmp) = Ipv6Header::parse(packet)?;
    if h.next_header != IPPROTO_ICMPV6
        || h.src.is_unspecified()
        || icmp.first() != Some(&NEIGHBOUR_SOLICITATION)
    {
        return None;
    }
    NdMsg::parse(h.hop_limit, icmp).map(|m| m.target)
}

#[cfg(test)]
mod test {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use l2lab_fabric::MacAddr;

    use super::*;
    use crate::stack::addr::Ipv4Net;

    #[test]
    fn a_replayed_request_leaves_an_incomplete_entry_that_retries() {
        // IPv6 off: the devices' own IPv6 traffic would be in the capture too.
        let mut lab = Lab::with_config(crate::LabConfig {
            ipv6: false,
            ..Default::default()
        });
        let ns = lab.add_netns("rpa").unwrap_or_else(|e| panic!("{e}"));
        let (a, _b) = lab
            .add_veth(ns, "eth0", "peer0", None)
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = lab.set_link_up(ns, "eth0", true);
        let _ = lab.set_link_up(ns, "peer0", true);
        let net: Ipv4Net = "10.0.0.1/24".parse().unwrap_or_else(|_| panic!("net"));
        let _ = lab.addr_add(ns, "eth0", net, None);
        let cap = lab
            .capture_start(ns, "eth0", false)
            .unwrap_or_else(|e| panic!("{e}"));
        let mac = lab.fabric().link(a).map(|l| l.mac).unwrap_or(MacAddr::ZERO);
        let req = ArpRepr {
            op: ArpOp::Request,
            sender_mac: mac,
            sender_ip: Ipv4Addr::new(10, 0, 0, 1),
            target_mac: MacAddr::ZERO,
            target_ip: Ipv4Addr::new(10, 0, 0, 9),
        };
        lab.replay_transmit(a, req.to_frame(mac, MacAddr::BROADCAST));
        let _ = lab.advance(Duration::from_millis(3500));
        let sent = lab.capture_take(cap).len();
        // The replayed request and the stack's own two retries (mcast_solicit = 3).
        assert_eq!(sent, 3);
    }
}

#[cfg(test)]
mod test6 {
    use std::net::Ipv6Addr;
    use std::time::Duration;

    use l2lab_fabric::wire::ethernet_frame;
    use l2lab_fabric::MacAddr;

    use super::*;
    use crate::stack::addrconf::solicited_node;
    use crate::stack::ndisc::{multicast_mac, neighbour_solicitation};

    #[test]
    fn a_replayed_solicitation_leaves_an_incomplete_entry_that_retries() {
        let mut lab = Lab::new();
        let ns = lab.add_netns("rpa").unwrap_or_else(|e| panic!("{e}"));
        let (a, _b) = lab
            .add_veth(ns, "eth0", "peer0", None)
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = lab.set_link_up(ns, "eth0", true);
        let _ = lab.set_link_up(ns, "peer0", true);
        let me: Ipv6Addr = "2001:db8::1".parse().unwrap_or_else(|_| panic!("addr"));
        let absent: Ipv6Addr = "2001:db8::99".parse().unwrap_or_else(|_| panic!("addr"));
        lab.addr6_add(a, me, 64, true)
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = lab.advance(Duration::from_secs(30));
        let cap = lab
            .capture_start(ns, "eth0", false)
            .unwrap_or_else(|e| panic!("{e}"));
        let mac = lab.fabric().link(a).map(|l| l.mac).unwrap_or(MacAddr::ZERO);
        let g = solicited_node(absent);
        let p = neighbour_solicitation(mac, me, g, absent);
        lab.replay_transmit(a, ethernet_frame(mac, multicast_mac(g), ETHERTYPE_IPV6, &p));
        let _ = lab.advance(Duration::from_millis(3500));
        let sent: Vec<_> = lab
            .capture_take(cap)
            .into_iter()
            .filter(|f| solicited(&f.frame[ETH_HLEN..]) == Some(absent))
            .collect();
        // The replayed solicitation and the stack's own two retries, one second apart.
        assert_eq!(sent.len(), 3);
        assert_eq!(
            lab.ns(ns)
                .and_then(|n| n.neigh.get(a, absent.into()))
                .map(|e| e.state),
            Some(NeighState::Failed)
        );
    }
}
