//! Replay support: a frame recorded leaving a host is put on that host's interface as if its
//! own stack had sent it, so the stack's neighbour table follows what the recorded host did
//! (an ARP request leaves an INCOMPLETE entry that the reply completes and that retries on
//! the kernel's timers; a datagram sent through a STALE entry starts its delay probe).

use bytes::Bytes;
use l2lab_fabric::wire::{ArpOp, ArpRepr, EthHeader, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETH_HLEN};
use l2lab_fabric::LinkId;

use crate::event::EventKind;
use crate::lab::Lab;
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
                            self.replay_solicit(link, arp.target_ip);
                        }
                    }
                }
                ETHERTYPE_IPV4 => self.replay_used(link, eth.dst),
                _ => {}
            }
        }
        self.inject(link, frame);
    }

    /// The stack sent a solicitation for `ip`: the entry is (or stays) being resolved and its
    /// next retry is one retrans_time away, counted from this probe.
    fn replay_solicit(&mut self, link: LinkId, ip: std::net::Ipv4Addr) {
        let ip = std::net::IpAddr::V4(ip);
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

    /// The stack sent a datagram to `mac`: the neighbour entry with that address is used, and a
    /// STALE one starts its delay before the first probe.
    fn replay_used(&mut self, link: LinkId, mac: l2lab_fabric::MacAddr) {
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
            .find(|e| e.dev == link && e.ip.is_ipv4() && e.mac == Some(mac) && e.state.is_valid())
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
