//! How a stack sends: route, resolve the next hop with ARP, frame, transmit
//! (ip_output, neigh_output, arp_solicit), and forwarding (ip_forward).

use std::net::{IpAddr, Ipv4Addr};

use bytes::Bytes;
use l2lab_fabric::wire::{
    self, ArpOp, ArpRepr, IcmpRepr, Ipv4Params, Ipv4Repr, ETHERTYPE_IPV4, ICMP_FRAG_NEEDED,
    ICMP_HOST_UNREACH, ICMP_NET_UNREACH,
};
use l2lab_fabric::{LinkId, LinkKind, MacAddr};

use super::input::UpdateFlags;
use super::neigh::{NeighState, Queued};
use crate::error::LabError;
use crate::event::EventKind;
use crate::lab::{Lab, NsId, Timer};
use crate::netfilter::hooks::Ct;
use crate::netfilter::NatChain;
use rand_chacha::rand_core::RngCore;

/// The kernel's smallest `ip_idents` table has 2048 generators.
const IP_IDENTS_MASK: u32 = 2047;

impl Lab {
    /// Sends an IPv4 datagram built by this namespace: route it, then hand it to `lo` or to the
    /// neighbour layer. Returns false when there is no route.
    pub(crate) fn ip_output(&mut self, ns: NsId, datagram: Bytes) -> bool {
        let sent = self.ip_local_out(ns, datagram);
        self.nf_done(ns);
        sent
    }

    fn ip_local_out(&mut self, ns: NsId, mut datagram: Bytes) -> bool {
        let Ok((ip, _)) = Ipv4Repr::parse(&datagram) else {
            return false;
        };
        let Ok(mut nh) = self.route_output(ns, ip.dst) else {
            return false;
        };
        let ct = self.nf_dst_hook(ns, NatChain::Output, None, Some(nh.dev), &mut datagram);
        let Ok((ip, _)) = Ipv4Repr::parse(&datagram) else {
            return false;
        };
        if ct.is_some() {
            // DNAT in OUTPUT sends the packet elsewhere: route it again (ip_route_me_harder).
            let Ok(again) = self.route_output(ns, ip.dst) else {
                return false;
            };
            nh = again;
        }
        if !self.nf_src_hook(
            ns,
            NatChain::Postrouting,
            ct,
            None,
            Some(nh.dev),
            &mut datagram,
        ) {
            return true;
        }
        let mtu = self.output_mtu(ns, ip.dst, nh.dev) as usize;
        if datagram.len() <= mtu {
            self.ip_output_via(ns, nh.dev, nh.via, datagram);
        } else if !ip.df {
            // ip_fragment; a datagram with DF that does not fit was refused by its sender.
            for f in wire::fragment(&datagram, mtu).unwrap_or_default() {
                self.ip_output_via(ns, nh.dev, nh.via, f);
            }
        }
        true
    }

    /// Sends a datagram out of `dev` towards next hop `via`.
    pub(crate) fn ip_output_via(&mut self, ns: NsId, dev: LinkId, via: Ipv4Addr, datagram: Bytes) {
        let Some(l) = self.fabric.link(dev) else {
            return;
        };
        if matches!(l.kind, LinkKind::Loopback) {
            let f = wire::ethernet_frame(MacAddr::ZERO, MacAddr::ZERO, ETHERTYPE_IPV4, &datagram);
            self.stack_transmit(dev, f);
            return;
        }
        if via.is_broadcast() || self.is_subnet_broadcast(dev, via) {
            let mac = l.mac;
            let f = wire::ethernet_frame(mac, MacAddr::BROADCAST, ETHERTYPE_IPV4, &datagram);
            self.stack_transmit(dev, f);
            return;
        }
        self.neigh_output(ns, dev, via.into(), datagram);
    }

    fn is_subnet_broadcast(&self, dev: LinkId, ip: Ipv4Addr) -> bool {
        self.iface(dev).is_some_and(|i| {
            i.addrs
                .iter()
                .any(|a| a.broadcast == Some(ip) || (a.net.prefix < 31 && a.net.broadcast() == ip))
        })
    }

    fn neigh_event(&mut self, ns: NsId, dev: LinkId, ip: IpAddr, from: Option<NeighState>) {
        let (mac, to) = match self.ns(ns).and_then(|n| n.neigh.get(dev, ip)) {
            Some(e) => (e.mac, Some(e.state)),
            None => (None, None),
        };
        if from != to {
            self.event(EventKind::Neigh {
                ns,
                dev,
                ip,
                mac,
                from,
                to,
            });
        }
    }

    pub(crate) fn arm_neigh_timer(
        &mut self,
        ns: NsId,
        dev: LinkId,
        ip: IpAddr,
        at: std::time::Duration,
    ) {
        let Some(e) = self.ns_mut(ns).and_then(|n| n.neigh.get_mut(dev, ip)) else {
            return;
        };
        e.timer_gen += 1;
        let gen = e.timer_gen;
        // Neighbour timers are kernel timers: the wheel rounds them up.
        self.arm_kernel_timer(at, Timer::Neigh { ns, dev, ip, gen });
    }

    /// neigh_output / __neigh_event_send: send now if the entry is usable, else queue and
    /// (re)start resolution.
    pub(crate) fn neigh_output(&mut self, ns: NsId, dev: LinkId, via: IpAddr, datagram: Bytes) {
        let now = self.now();
        let Some(n) = self.ns_mut(ns) else { return };
        let params = n.neigh.params;
        let old = n.neigh.get(dev, via).map(|e| e.state);
        let e = n.neigh.entry(dev, via, now, NeighState::Incomplete);
        e.used = now;
        match old {
            None | Some(NeighState::Failed) => {
                e.state = NeighState::Incomplete;
                e.probes = params.ucast_probes;
                e.updated = now;
                e.queue.clear();
                e.queue.push_back(Queued { packet: datagram });
                self.neigh_event(ns, dev, via, old);
                self.arm_neigh_timer(ns, dev, via, now + params.retrans_time);
                self.neigh_probe(ns, dev, via);
            }
            Some(NeighState::Incomplete) => {
                if e.queue.len() >= params.unres_qlen {
                    e.queue.pop_front();
                }
                e.queue.push_back(Queued { packet: datagram });
            }
            Some(NeighState::Stale) => {
                e.state = NeighState::Delay;
                e.updated = now;
                let mac = e.mac;
                self.neigh_event(ns, dev, via, old);
                self.arm_neigh_timer(ns, dev, via, now + params.delay_first_probe_time);
                if let Some(mac) = mac {
                    self.neigh_xmit(dev, mac, via, datagram);
                }
            }
            Some(_) => {
                if let Some(mac) = e.mac {
                    self.neigh_xmit(dev, mac, via, datagram);
                }
            }
        }
    }

    /// Frames a datagram for a resolved neighbour, as IPv4 or IPv6 by the neighbour's family.
    pub(crate) fn neigh_xmit(&mut self, dev: LinkId, mac: MacAddr, key: IpAddr, datagram: Bytes) {
        let Some(src) = self.fabric.link(dev).map(|l| l.mac) else {
            return;
        };
        let ethertype = if key.is_ipv6() {
            wire::ETHERTYPE_IPV6
        } else {
            ETHERTYPE_IPV4
        };
        let f = wire::ethernet_frame(src, mac, ethertype, &datagram);
        self.stack_transmit(dev, f);
    }

    /// Sends one solicitation for an entry, broadcast (ND: to the solicited-node group) while
    /// INCOMPLETE, unicast to the cached address while PROBE (arp_solicit, ndisc_solicit),
    /// and counts it.
    fn neigh_probe(&mut self, ns: NsId, dev: LinkId, ip: IpAddr) {
        let ip = match ip {
            IpAddr::V4(ip) => ip,
            IpAddr::V6(target) => return self.ndisc_solicit(ns, dev, target),
        };
        let Some(n) = self.ns_mut(ns) else { return };
        let ucast = n.neigh.params.ucast_probes;
        let Some(e) = n.neigh.get_mut(dev, ip.into()) else {
            return;
        };
        let unicast = e.probes < ucast;
        let dst_mac = if unicast { e.mac } else { None };
        let queued_src = e
            .queue
            .back()
            .and_then(|q| Ipv4Repr::parse(&q.packet).ok().map(|(h, _)| h.src));
        e.probes += 1;
        let src_ip = queued_src
            .filter(|s| self.is_local_addr_any(ns, *s))
            .or_else(|| self.primary_addr(dev))
            .unwrap_or(Ipv4Addr::UNSPECIFIED);
        let Some(my_mac) = self.fabric.link(dev).map(|l| l.mac) else {
            return;
        };
        let req = ArpRepr {
            op: ArpOp::Request,
            sender_mac: my_mac,
            sender_ip: src_ip,
            target_mac: MacAddr::ZERO,
            target_ip: ip,
        };
        let f = req.to_frame(my_mac, dst_mac.unwrap_or(MacAddr::BROADCAST));
        self.stack_transmit(dev, f);
    }

    /// neigh_update: a new address and/or state for an entry, following the kernel's rules on
    /// overriding and on not demoting a valid entry to STALE for the same address.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn neigh_update(
        &mut self,
        ns: NsId,
        dev: LinkId,
        ip: IpAddr,
        lladdr: Option<MacAddr>,
        new: NeighState,
        flags: UpdateFlags,
        create: bool,
    ) {
        let now = self.now();
        let reach = self.reachable_time(ns);
        let Some(n) = self.ns_mut(ns) else { return };
        let exists = n.neigh.get(dev, ip).is_some();
        if !exists && !create {
            return;
        }
        let e = n.neigh.entry(dev, ip, now, new);
        let old = if exists { Some(e.state) } else { None };
        if matches!(old, Some(NeighState::Permanent | NeighState::Noarp)) {
            return;
        }
        // No address supplied (an advertisement without the option): the known one, if any.
        let mut lladdr = match lladdr {
            Some(l) => Some(l),
            None if old.is_some_and(|o| o.is_valid()) => e.mac,
            None if new.is_valid() => return,
            None => None,
        };
        let mut new = new;
        if new.is_connected() {
            e.confirmed = now;
        }
        if let Some(o) = old.filter(|o| o.is_valid()) {
            if lladdr != e.mac && !flags.override_ {
                if flags.weak_override && o.is_connected() {
                    lladdr = e.mac;
                    new = NeighState::Stale;
                } else {
                    return;
                }
            } else if lladdr == e.mac && new == NeighState::Stale {
                new = o;
            }
        }
        let became_valid = new.is_valid() && !old.is_some_and(|o| o.is_valid());
        e.mac = lladdr;
        let queued: Vec<Bytes> = if became_valid {
            e.queue.drain(..).map(|q| q.packet).collect()
        } else {
            Vec::new()
        };
        if Some(new) != old {
            e.state = new;
            e.updated = now;
            e.timer_gen += 1; // whatever timer ran for the old state no longer applies
            self.neigh_event(ns, dev, ip, old);
            if new == NeighState::Reachable {
                self.arm_neigh_timer(ns, dev, ip, now + reach);
            }
        }
        if let Some(mac) = lladdr {
            for q in queued {
                self.neigh_xmit(dev, mac, ip, q);
            }
        }
    }

    /// neigh_timer_handler: what an entry's timer does in each state.
    pub(crate) fn neigh_timer(&mut self, ns: NsId, dev: LinkId, ip: IpAddr, gen: u64) {
        let now = self.now();
        let reach = self.reachable_time(ns);
        let Some(n) = self.ns_mut(ns) else { return };
        let p = n.neigh.params;
        let Some(e) = n.neigh.get(dev, ip) else {
            return;
        };
        if e.timer_gen != gen {
            return;
        }
        let max = n.neigh.max_probes(e.state);
        let old = e.state;
        let (confirmed, used, probes) = (e.confirmed, e.used, e.probes);
        let set = |lab: &mut Lab, st: NeighState, probes: Option<u32>| {
            if let Some(e) = lab.ns_mut(ns).and_then(|n| n.neigh.get_mut(dev, ip)) {
                e.state = st;
                e.updated = now;
                if let Some(pr) = probes {
                    e.probes = pr;
                }
            }
            lab.neigh_event(ns, dev, ip, Some(old));
        };
        match old {
            NeighState::Reachable => {
                if now < confirmed + reach {
                    self.arm_neigh_timer(ns, dev, ip, confirmed + reach);
                } else if now < used + p.delay_first_probe_time {
                    set(self, NeighState::Delay, None);
                    self.arm_neigh_timer(ns, dev, ip, now + p.delay_first_probe_time);
                } else {
                    set(self, NeighState::Stale, None);
                }
            }
            NeighState::Delay => {
                if now < confirmed + p.delay_first_probe_time {
                    set(self, NeighState::Reachable, None);
                    self.arm_neigh_timer(ns, dev, ip, confirmed + reach);
                } else {
                    set(self, NeighState::Probe, Some(0));
                    self.arm_neigh_timer(ns, dev, ip, now + p.retrans_time);
                    self.neigh_probe(ns, dev, ip);
                }
            }
            NeighState::Incomplete | NeighState::Probe => {
                if probes >= max {
                    set(self, NeighState::Failed, None);
                    self.neigh_invalidate(ns, dev, ip);
                } else {
                    self.arm_neigh_timer(ns, dev, ip, now + p.retrans_time);
                    self.neigh_probe(ns, dev, ip);
                }
            }
            _ => {}
        }
    }

    /// Resolution failed: every queued packet earns its sender an ICMP host unreachable
    /// (arp_error_report) or an ICMPv6 address unreachable (ndisc_error_report).
    fn neigh_invalidate(&mut self, ns: NsId, dev: LinkId, ip: IpAddr) {
        let Some(e) = self.ns_mut(ns).and_then(|n| n.neigh.get_mut(dev, ip)) else {
            return;
        };
        let queued: Vec<Bytes> = e.queue.drain(..).map(|q| q.packet).collect();
        for q in queued {
            if ip.is_ipv6() {
                // One of our own comes back through lo (so not while lo is down).
                self.icmp6_send_error(
                    ns,
                    &q,
                    super::icmp6::DEST_UNREACH,
                    super::icmp6::ADDR_UNREACH,
                );
            } else {
                self.icmp_send_error(ns, &q, 3, ICMP_HOST_UNREACH, 0);
            }
        }
    }

    /// ip_forward: a datagram for someone else arrived on `in_dev` and forwarding is on.
    pub(crate) fn ip_forward(
        &mut self,
        ns: NsId,
        _in_dev: LinkId,
        ip: &Ipv4Repr,
        datagram: Bytes,
        ct: Option<Ct>,
    ) {
        if ip.ttl <= 1 {
            self.icmp_send_error(ns, &datagram, 11, 0, 0);
            return;
        }
        let nh = match self.route_output(ns, ip.dst) {
            Ok(nh) => nh,
            Err(LabError::Blackhole(_)) => return,
            Err(_) => {
                self.icmp_send_error(ns, &datagram, 3, ICMP_NET_UNREACH, 0);
                return;
            }
        };
        // ip_forward checks the way out's MTU before it touches the datagram.
        let mtu = self.fabric.link(nh.dev).map_or(1500, |l| l.mtu) as usize;
        if datagram.len() > mtu && ip.df {
            let mtu = u16::try_from(mtu).unwrap_or(u16::MAX);
            self.icmp_send_error(ns, &datagram, 3, ICMP_FRAG_NEEDED, mtu);
            return;
        }
        let Ok(mut fwd) = wire::decrement_ttl(&datagram) else {
            return;
        };
        if !self.nf_src_hook(ns, NatChain::Postrouting, ct, None, Some(nh.dev), &mut fwd) {
            return;
        }
        for f in wire::fragment(&fwd, mtu).unwrap_or_default() {
            self.ip_output_via(ns, nh.dev, nh.via, f);
        }
    }

    /// icmp_send: an ICMP error about `orig` back to its sender, from the address this
    /// namespace would use to reach it. Never about an ICMP error, nor to a broadcast.
    /// `mtu` is the next hop's MTU of a "fragmentation needed" error.
    pub(crate) fn icmp_send_error(&mut self, ns: NsId, orig: &Bytes, ty: u8, code: u8, mtu: u16) {
        let Ok((oip, rest)) = Ipv4Repr::parse(orig) else {
            return;
        };
        if oip.src.is_broadcast() || oip.src.is_multicast() || oip.src.is_unspecified() {
            return;
        }
        if oip.protocol == wire::IPPROTO_ICMP
            && rest
                .first()
                .is_some_and(|t| !matches!(t, 0 | 8 | 13 | 15 | 17))
        {
            return;
        }
        let Ok(nh) = self.route_output(ns, oip.src) else {
            return;
        };
        let src = if self.is_local_addr_any(ns, oip.src) {
            oip.src
        } else {
            match nh.src {
                Some(s) => s,
                None => return,
            }
        };
        // icmp_send quotes as much of the datagram as fits in 576 bytes (548 after headers).
        let keep = orig
            .len()
            .min(548)
            .max((oip.header_len + 8).min(orig.len()));
        let original = orig.slice(..keep);
        let icmp = if ty == 3 {
            IcmpRepr::DestUnreachable {
                code,
                mtu,
                original,
            }
        } else {
            IcmpRepr::TimeExceeded { code, original }
        };
        let id = self.ip_select_ident(ns, src, oip.src, wire::IPPROTO_ICMP);
        let d = wire::icmp_datagram(
            Ipv4Params {
                src,
                dst: oip.src,
                ttl: self.default_ttl(ns),
                id,
                df: false,
                // icmp_send: an error goes out at Internet Control precedence, keeping the
                // original's TOS bits (RT_TOS).
                tos: (oip.tos & 0x1e) | 0xc0,
            },
            &icmp,
        );
        self.ip_output_via(ns, nh.dev, nh.via, d);
    }

    /// __ip_select_ident: the IPv4 id of a datagram no connected socket numbers. The
    /// namespace's key hashes (daddr, saddr, protocol) to one of the shared generators; a
    /// generator used in an earlier jiffy first jumps ahead by a random amount below the
    /// jiffies since (ip_idents_reserve), so ids are non-zero in practice, grow, and do not
    /// tell how many datagrams went in between.
    pub(crate) fn ip_select_ident(
        &mut self,
        ns: NsId,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        protocol: u8,
    ) -> u16 {
        let key = self.ns(ns).map_or(0, |n| n.ip_id_key);
        let mut h = key ^ (u64::from(u32::from(dst)) << 32 | u64::from(u32::from(src)));
        h = (h ^ u64::from(protocol)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
        let bucket = (h.wrapping_mul(0xbf58_476d_1ce4_e5b9) >> 53) as u32 & IP_IDENTS_MASK;
        let now = self.wheel().jiffies_at(self.now()) as u32;
        let fresh = self.ip_id_rng.next_u32();
        let (id, old) = self.ip_idents.entry(bucket).or_insert((fresh, 0));
        let mut delta = 0;
        if *old != now {
            delta = self.ip_id_rng.next_u32() % now.wrapping_sub(*old);
            *old = now;
        }
        let v = id.wrapping_add(delta);
        *id = v.wrapping_add(1);
        v as u16
    }
}
