//! What a stack does with a frame it receives: ARP (net/ipv4/arp.c: arp_process), IPv4 for
//! itself (ip_local_deliver), or forwarding (ip_forward).

use std::net::Ipv4Addr;

use bytes::Bytes;
use l2lab_fabric::wire::{
    ArpOp, ArpRepr, EthHeader, IcmpRepr, Ipv4Repr, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6,
    ETH_HLEN, IPPROTO_ICMP,
};
use l2lab_fabric::{LinkId, LinkKind};

use super::neigh::NeighState;
use crate::lab::{Lab, NsId};
use crate::netfilter::hooks::Ct;
use crate::netfilter::NatChain;

/// The kernel's classification of a received frame by its destination MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PktType {
    Host,
    Broadcast,
    Multicast,
    OtherHost,
}

/// How `neigh_update` may change an entry (NEIGH_UPDATE_F_*).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct UpdateFlags {
    pub override_: bool,
    pub weak_override: bool,
}

impl Lab {
    /// A frame reached the stack owning `link`.
    pub(crate) fn stack_input(&mut self, link: LinkId, frame: Bytes) {
        let Some(ns) = self.iface(link).map(|i| i.ns) else {
            return;
        };
        let Some(l) = self.fabric.link(link) else {
            return;
        };
        if !l.admin_up {
            return;
        }
        let is_lo = matches!(l.kind, LinkKind::Loopback);
        let my_mac = l.mac;
        let Ok(eth) = EthHeader::parse(&frame) else {
            return;
        };
        let pkt_type = if is_lo || eth.dst == my_mac {
            PktType::Host
        } else if eth.dst.is_broadcast() {
            PktType::Broadcast
        } else if eth.dst.is_multicast() {
            PktType::Multicast
        } else {
            PktType::OtherHost
        };
        if pkt_type == PktType::OtherHost {
            // Seen only because the interface is promiscuous (a bridge under tcpdump).
            return;
        }
        let payload = frame.slice(ETH_HLEN..);
        match eth.ethertype {
            ETHERTYPE_ARP if !is_lo => self.arp_input(ns, link, &payload, pkt_type),
            ETHERTYPE_IPV4 => self.ip_input(ns, link, &frame, pkt_type),
            ETHERTYPE_IPV6 => self.ipv6_input(ns, link, &frame, pkt_type),
            _ => {}
        }
    }

    fn arp_input(&mut self, ns: NsId, dev: LinkId, payload: &[u8], pkt_type: PktType) {
        let Ok(arp) = ArpRepr::parse(payload) else {
            return;
        };
        let sip = arp.sender_ip;
        if sip.is_multicast() || sip.is_loopback() || sip.is_broadcast() {
            return;
        }
        let now = self.now();
        let target_local = self.is_local_addr_any(ns, arp.target_ip);
        if arp.op == ArpOp::Request && target_local && !sip.is_unspecified() {
            // neigh_event_ns: the requester is now known, STALE until confirmed.
            self.neigh_update(
                ns,
                dev,
                sip.into(),
                Some(arp.sender_mac),
                NeighState::Stale,
                UpdateFlags {
                    override_: true,
                    weak_override: true,
                },
                true,
            );
            let Some(my_mac) = self.fabric.link(dev).map(|l| l.mac) else {
                return;
            };
            let reply = ArpRepr {
                op: ArpOp::Reply,
                sender_mac: my_mac,
                sender_ip: arp.target_ip,
                target_mac: arp.sender_mac,
                target_ip: sip,
            };
            self.stack_transmit(dev, reply.to_frame(my_mac, arp.sender_mac));
            return;
        }
        // Anything else refreshes an entry that exists; a reply to us confirms it.
        let locktime = self.ns(ns).map(|n| n.neigh.params.locktime);
        let Some(existing) = self.ns(ns).and_then(|n| n.neigh.get(dev, sip.into())) else {
            return;
        };
        let is_garp = sip == arp.target_ip;
        let override_ = locktime.is_some_and(|lt| now >= existing.updated + lt) || is_garp;
        let state = if arp.op == ArpOp::Reply && pkt_type == PktType::Host {
            NeighState::Reachable
        } else {
            NeighState::Stale
        };
        self.neigh_update(
            ns,
            dev,
            sip.into(),
            Some(arp.sender_mac),
            state,
            UpdateFlags {
                override_,
                weak_override: false,
            },
            false,
        );
    }

    /// Is `ip` an address of this namespace (on any interface)?
    pub(crate) fn is_local_addr_any(&self, ns: NsId, ip: Ipv4Addr) -> bool {
        self.has_local_addr(ns, ip)
    }

    fn is_broadcast_for(&self, ns: NsId, ip: Ipv4Addr) -> bool {
        ip.is_broadcast()
            || self.addresses(ns).iter().any(|(_, a)| {
                a.broadcast == Some(ip) || (a.net.prefix < 31 && a.net.broadcast() == ip)
            })
    }

    fn ip_input(&mut self, ns: NsId, dev: LinkId, frame: &Bytes, pkt_type: PktType) {
        let Ok((ip, _)) = Ipv4Repr::parse(&frame[ETH_HLEN..]) else {
            return;
        };
        let mut datagram = frame.slice(ETH_HLEN..ETH_HLEN + ip.total_len);
        let ct = self.nf_dst_hook(ns, NatChain::Prerouting, Some(dev), None, &mut datagram);
        self.ip_rcv_finish(ns, dev, datagram, pkt_type, ct);
        self.nf_done(ns);
    }

    /// After PREROUTING: for this namespace, or to forward.
    fn ip_rcv_finish(
        &mut self,
        ns: NsId,
        dev: LinkId,
        mut datagram: Bytes,
        pkt_type: PktType,
        ct: Option<Ct>,
    ) {
        let Ok((ip, _)) = Ipv4Repr::parse(&datagram) else {
            return;
        };
        let local = self.is_local_addr_any(ns, ip.dst)
            || (ip.dst.is_loopback() && self.is_lo_net(ns, ip.dst))
            || self.is_anyip(ns, ip.dst);
        if local || self.is_broadcast_for(ns, ip.dst) {
            if !self.nf_src_hook(ns, NatChain::Input, ct, Some(dev), None, &mut datagram) {
                return;
            }
            let Ok((ip, payload)) = Ipv4Repr::parse(&datagram) else {
                return;
            };
            if ip.is_fragment() {
                // ip_local_deliver: the pieces wait for each other (ip_defrag).
                if let Some(whole) = self.ip_defrag(ns, &ip, &datagram) {
                    if let Ok((ip, payload)) = Ipv4Repr::parse(&whole) {
                        self.ip_local_deliver(ns, dev, &ip, payload, !local);
                    }
                }
                return;
            }
            self.ip_local_deliver(ns, dev, &ip, payload, !local);
            return;
        }
        if pkt_type != PktType::Host || !self.forwards(dev) {
            // Not for us and not forwarding: dropped silently (ip_error with forwarding off).
            return;
        }
        self.ip_forward(ns, dev, &ip, datagram, ct);
    }

    /// A whole datagram for this namespace goes to its protocol (ICMP is the one modelled).
    fn ip_local_deliver(
        &mut self,
        ns: NsId,
        dev: LinkId,
        ip: &Ipv4Repr,
        payload: &[u8],
        broadcast: bool,
    ) {
        if ip.protocol == IPPROTO_ICMP {
            if let Ok(icmp) = IcmpRepr::parse(payload) {
                self.icmp_input(ns, dev, ip, icmp, broadcast);
            }
        }
    }

    pub(crate) fn is_lo_net(&self, ns: NsId, ip: Ipv4Addr) -> bool {
        self.ns(ns).is_some_and(|n| {
            self.iface(n.lo)
                .is_some_and(|i| i.addrs.iter().any(|a| a.net.contains(ip)))
        })
    }
}
