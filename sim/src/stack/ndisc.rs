//! Neighbour discovery as net/ipv6/ndisc.c does it: the messages (neighbour solicitations for
//! resolution and for duplicate address detection, advertisements, router solicitations), and
//! what a stack does with a solicitation or an advertisement it receives.

use std::net::Ipv6Addr;

use bytes::Bytes;
use l2lab_fabric::wire::{checksum, ethernet_frame, ETHERTYPE_IPV6};
use l2lab_fabric::{LinkId, MacAddr};

use super::input::UpdateFlags;
use super::ipv6::{ipv6_packet, Ipv6Header, ALL_NODES, IPPROTO_ICMPV6};
use super::neigh::NeighState;
use crate::lab::{Lab, NsId};
use crate::stack::addrconf::solicited_node;

/// ICMPv6 type of a router solicitation.
pub const ROUTER_SOLICITATION: u8 = 133;
/// ICMPv6 type of a neighbour solicitation.
pub const NEIGHBOUR_SOLICITATION: u8 = 135;
/// ICMPv6 type of a neighbour advertisement.
pub const NEIGHBOUR_ADVERTISEMENT: u8 = 136;
/// ND option: source link-layer address.
const OPT_SOURCE_LL: u8 = 1;
/// ND option: target link-layer address.
const OPT_TARGET_LL: u8 = 2;
/// NA flag: the sender is a router.
const NA_ROUTER: u8 = 0x80;
/// NA flag: an answer to a solicitation.
const NA_SOLICITED: u8 = 0x40;
/// NA flag: the advertised address should replace a cached one.
const NA_OVERRIDE: u8 = 0x20;
/// ND option: nonce (RFC 7527, enhanced DAD).
const OPT_NONCE: u8 = 14;
/// All routers on the link.
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// The Ethernet multicast address of an IPv6 group (33:33 + its last four bytes).
pub fn multicast_mac(group: Ipv6Addr) -> MacAddr {
    let o = group.octets();
    MacAddr([0x33, 0x33, o[12], o[13], o[14], o[15]])
}

/// The ICMPv6 checksum over the pseudo-header (RFC 8200 8.1).
pub fn icmp6_checksum(src: Ipv6Addr, dst: Ipv6Addr, icmp: &[u8]) -> u16 {
    let mut buf = Vec::with_capacity(40 + icmp.len());
    buf.extend_from_slice(&src.octets());
    buf.extend_from_slice(&dst.octets());
    buf.extend_from_slice(&(icmp.len() as u32).to_be_bytes());
    buf.extend_from_slice(&[0, 0, 0, 58]);
    buf.extend_from_slice(icmp);
    checksum(&buf)
}

/// An IPv6 packet with an ICMPv6 message, its checksum filled in.
pub fn icmp6_packet(src: Ipv6Addr, dst: Ipv6Addr, hop_limit: u8, mut icmp: Vec<u8>) -> Bytes {
    icmp[2..4].copy_from_slice(&[0, 0]);
    let ck = icmp6_checksum(src, dst, &icmp);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
    ipv6_packet(src, dst, IPPROTO_ICMPV6, hop_limit, &icmp)
}

/// A neighbour solicitation for `target` from `src` (with our MAC as source link-layer
/// option), to `dst`: the target's solicited-node group, or the target itself when probing.
pub fn neighbour_solicitation(
    mac: MacAddr,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    target: Ipv6Addr,
) -> Bytes {
    let mut icmp = vec![NEIGHBOUR_SOLICITATION, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&target.octets());
    icmp.extend_from_slice(&[OPT_SOURCE_LL, 1]);
    icmp.extend_from_slice(&mac.0);
    icmp6_packet(src, dst, 255, icmp)
}

/// A neighbour advertisement of `target` (ndisc_send_na), with the target link-layer option
/// when `with_ll`.
pub fn neighbour_advertisement(
    mac: MacAddr,
    target: Ipv6Addr,
    dst: Ipv6Addr,
    flags: NaFlags,
    with_ll: bool,
) -> Bytes {
    let mut f = 0;
    if flags.router {
        f |= NA_ROUTER;
    }
    if flags.solicited {
        f |= NA_SOLICITED;
    }
    if flags.override_ {
        f |= NA_OVERRIDE;
    }
    let mut icmp = vec![NEIGHBOUR_ADVERTISEMENT, 0, 0, 0, f, 0, 0, 0];
    icmp.extend_from_slice(&target.octets());
    if with_ll {
        icmp.extend_from_slice(&[OPT_TARGET_LL, 1]);
        icmp.extend_from_slice(&mac.0);
    }
    icmp6_packet(target, dst, 255, icmp)
}

/// The flags of a neighbour advertisement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NaFlags {
    /// R: the sender forwards.
    pub router: bool,
    /// S: an answer to a solicitation.
    pub solicited: bool,
    /// O: replace what the cache holds.
    pub override_: bool,
}

/// A neighbour solicitation or advertisement, parsed (ndisc_recv_ns/na's checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NdMsg {
    /// 135 or 136.
    pub ty: u8,
    /// The address solicited or advertised.
    pub target: Ipv6Addr,
    /// NA's flags.
    pub flags: NaFlags,
    /// The link-layer address option (source for NS, target for NA).
    pub lladdr: Option<MacAddr>,
    /// DAD's nonce option, if any.
    pub nonce: Option<[u8; 6]>,
}

impl NdMsg {
    /// ndisc_rcv's and ndisc_recv_ns/na's validity checks: hop limit 255, code 0, length,
    /// a unicast target, options of non-zero length within the message.
    pub fn parse(hop_limit: u8, icmp: &[u8]) -> Option<NdMsg> {
        if hop_limit != 255 || icmp.len() < 24 || icmp[1] != 0 {
            return None;
        }
        let ty = icmp[0];
        if ty != NEIGHBOUR_SOLICITATION && ty != NEIGHBOUR_ADVERTISEMENT {
            return None;
        }
        let mut t = [0u8; 16];
        t.copy_from_slice(&icmp[8..24]);
        let target = Ipv6Addr::from(t);
        if target.is_multicast() {
            return None;
        }
        let f = icmp[4];
        let flags = NaFlags {
            router: f & NA_ROUTER != 0,
            solicited: f & NA_SOLICITED != 0,
            override_: f & NA_OVERRIDE != 0,
        };
        let want = if ty == NEIGHBOUR_SOLICITATION {
            OPT_SOURCE_LL
        } else {
            OPT_TARGET_LL
        };
        let mut lladdr = None;
        let mut nonce = None;
        let mut opts = &icmp[24..];
        while opts.len() >= 2 {
            let len = usize::from(opts[1]) * 8;
            if len == 0 || len > opts.len() {
                return None;
            }
            if opts[0] == want && len >= 8 {
                let mut m = [0u8; 6];
                m.copy_from_slice(&opts[2..8]);
                lladdr = Some(MacAddr(m));
            } else if opts[0] == OPT_NONCE && len == 8 {
                let mut n = [0u8; 6];
                n.copy_from_slice(&opts[2..8]);
                nonce = Some(n);
            }
            opts = &opts[len..];
        }
        Some(NdMsg {
            ty,
            target,
            flags,
            lladdr,
            nonce,
        })
    }
}

/// An IPv6 packet with an ICMPv6 message (hop limit 255, as ND sends), in a frame.
fn icmp6_frame(
    mac: MacAddr,
    dst_mac: MacAddr,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    mut icmp: Vec<u8>,
) -> Bytes {
    let ck = icmp6_checksum(src, dst, &icmp);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
    let mut ip = vec![0x60, 0, 0, 0];
    ip.extend_from_slice(&(icmp.len() as u16).to_be_bytes());
    ip.extend_from_slice(&[58, 255]);
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&dst.octets());
    ip.extend_from_slice(&icmp);
    ethernet_frame(mac, dst_mac, ETHERTYPE_IPV6, &ip)
}

/// DAD's probe for `target`: from `::` to its solicited-node group, with a nonce option and
/// no source link-layer address (ndisc_send_ns from addrconf_dad_work).
pub fn dad_solicitation(mac: MacAddr, target: Ipv6Addr, nonce: [u8; 6]) -> Bytes {
    let dst = solicited_node(target);
    let mut icmp = vec![NEIGHBOUR_SOLICITATION, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&target.octets());
    icmp.extend_from_slice(&[OPT_NONCE, 1]);
    icmp.extend_from_slice(&nonce);
    icmp6_frame(mac, multicast_mac(dst), Ipv6Addr::UNSPECIFIED, dst, icmp)
}

/// A router solicitation from `src` to ff02::2 with the source link-layer address option
/// (ndisc_send_rs).
pub fn router_solicitation(mac: MacAddr, src: Ipv6Addr) -> Bytes {
    let mut icmp = vec![ROUTER_SOLICITATION, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&[OPT_SOURCE_LL, 1]);
    icmp.extend_from_slice(&mac.0);
    icmp6_frame(mac, multicast_mac(ALL_ROUTERS), src, ALL_ROUTERS, icmp)
}

impl Lab {
    /// ndisc_constructor: the first packet the stack sends to a group on `dev` makes the
    /// group's entry, NOARP with its 33:33 MAC, kept from then on (as `ip neigh show nud all`
    /// lists them). Made silently: no state change is notified.
    pub(crate) fn ndisc_mcast_entry(&mut self, dev: LinkId, group: Ipv6Addr) {
        if self
            .fabric
            .link(dev)
            .is_none_or(|l| matches!(l.kind, l2lab_fabric::LinkKind::Loopback))
        {
            return;
        }
        self.ndisc_noarp_entry(dev, group, multicast_mac(group));
    }

    /// The NOARP entry of `addr` on `dev` with `mac`, made if absent (ndisc_constructor for a
    /// group, or for anything sent through lo, whose address is all zeros).
    pub(crate) fn ndisc_noarp_entry(&mut self, dev: LinkId, addr: Ipv6Addr, mac: MacAddr) {
        let Some(ns) = self.iface(dev).map(|i| i.ns) else {
            return;
        };
        let now = self.now();
        let Some(n) = self.ns_mut(ns) else { return };
        if n.neigh.get(dev, addr.into()).is_none() {
            let e = n.neigh.entry(dev, addr.into(), now, NeighState::Noarp);
            e.mac = Some(mac);
        }
    }

    /// ndisc_solicit: one solicitation for `target`, to its solicited-node group while the entry
    /// is INCOMPLETE, to the cached address while PROBE; from the queued packet's source when
    /// it is ours, else the address the way out would pick.
    pub(crate) fn ndisc_solicit(&mut self, ns: NsId, dev: LinkId, target: Ipv6Addr) {
        let Some(n) = self.ns_mut(ns) else { return };
        let ucast = n.neigh.params.ucast_probes;
        let Some(e) = n.neigh.get_mut(dev, target.into()) else {
            return;
        };
        let unicast = e.probes < ucast;
        let dst_mac = if unicast { e.mac } else { None };
        let queued_src = e
            .queue
            .back()
            .and_then(|q| Ipv6Header::parse(&q.packet).map(|(h, _)| h.src));
        e.probes += 1;
        let src = queued_src
            .filter(|s| {
                self.addrs6(dev)
                    .iter()
                    .any(|a| a.addr == *s && !a.tentative)
            })
            .or_else(|| self.ipv6_dev_get_saddr(dev, target));
        let (Some(src), Some(mac)) = (src, self.fabric.link(dev).map(|l| l.mac)) else {
            return;
        };
        let (dst, dst_mac) = match dst_mac {
            Some(m) => (target, m),
            None => {
                let g = solicited_node(target);
                self.ndisc_mcast_entry(dev, g);
                (g, multicast_mac(g))
            }
        };
        let p = neighbour_solicitation(mac, src, dst, target);
        self.stack_transmit(dev, ethernet_frame(mac, dst_mac, ETHERTYPE_IPV6, &p));
    }

    /// ndisc_recv_ns and ndisc_recv_na: a solicitation or advertisement reached `dev`.
    pub(crate) fn ndisc_rcv(&mut self, ns: NsId, dev: LinkId, h: &Ipv6Header, msg: NdMsg) {
        let mine = self
            .addrs6(dev)
            .iter()
            .find(|a| a.addr == msg.target)
            .map(|a| (a.tentative, a.dad_gen));
        if msg.ty == NEIGHBOUR_SOLICITATION {
            let dad = h.src.is_unspecified();
            // A DAD probe goes to the solicited-node group and carries no link-layer address.
            if dad && (h.dst != solicited_node(msg.target) || msg.lladdr.is_some()) {
                return;
            }
            let Some((tentative, _)) = mine else {
                return;
            };
            if tentative {
                // Another node probes the address we probe: ours fails. A solicitation
                // that is not DAD's waits until the address is ours.
                if dad {
                    self.addrconf_dad_failure(dev, msg.target);
                }
                return;
            }
            let Some(my_mac) = self.fabric.link(dev).map(|l| l.mac) else {
                return;
            };
            // ndisc_recv_ns: a device that forwards says it is a router.
            let router = self.forwards6(dev);
            if dad {
                let na = neighbour_advertisement(
                    my_mac,
                    msg.target,
                    ALL_NODES,
                    NaFlags {
                        router,
                        solicited: false,
                        override_: true,
                    },
                    true,
                );
                self.ip6_output(ns, dev, na);
                return;
            }
            let inc = h.dst.is_multicast();
            // __neigh_lookup creates the sender's entry when it gave its address (or asked
            // by unicast, which already knows ours).
            if let Some(ll) = msg.lladdr {
                self.neigh_update(
                    ns,
                    dev,
                    h.src.into(),
                    Some(ll),
                    NeighState::Stale,
                    UpdateFlags {
                        override_: true,
                        weak_override: true,
                    },
                    true,
                );
            } else if self
                .ns(ns)
                .and_then(|n| n.neigh.get(dev, h.src.into()))
                .is_none()
            {
                return;
            }
            let na = neighbour_advertisement(
                my_mac,
                msg.target,
                h.src,
                NaFlags {
                    router,
                    solicited: true,
                    override_: inc,
                },
                inc,
            );
            self.ip6_output(ns, dev, na);
            return;
        }
        // An advertisement. One to a group must not say it is solicited.
        if h.dst.is_multicast() && msg.flags.solicited {
            return;
        }
        if let Some((tentative, _)) = mine {
            if tentative {
                self.addrconf_dad_failure(dev, msg.target);
            }
            return;
        }
        let key = msg.target.into();
        let Some(e) = self.ns(ns).and_then(|n| n.neigh.get(dev, key)) else {
            return;
        };
        if e.state == NeighState::Failed {
            return;
        }
        let new = if msg.flags.solicited {
            NeighState::Reachable
        } else {
            NeighState::Stale
        };
        self.neigh_update(
            ns,
            dev,
            key,
            msg.lladdr,
            new,
            UpdateFlags {
                override_: msg.flags.override_,
                weak_override: true,
            },
            false,
        );
        if let Some(e) = self.ns_mut(ns).and_then(|n| n.neigh.get_mut(dev, key)) {
            if e.mac.is_some() {
                e.router = msg.flags.router;
            }
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn hexb(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn frames_are_the_kernels_byte_for_byte() {
        // `tcpdump -x` of Linux 6.18's own DAD probe and router solicitation.
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let ll: Ipv6Addr = "fe80::487a:cff:fee5:a246".parse().unwrap();
        let ns = dad_solicitation(mac, ll, [0xa4, 0x82, 0x5f, 0x9c, 0x1d, 0x0e]);
        assert_eq!(
            ns[14..],
            hexb(
                "6000 0000 0020 3aff 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000
                 0000 0001 ffe5 a246 8700 b31f 0000 0000 fe80 0000 0000 0000 487a 0cff fee5 a246
                 0e01 a482 5f9c 1d0e"
            )[..]
        );
        let rs = router_solicitation(mac, ll);
        assert_eq!(
            rs[14..],
            hexb(
                "6000 0000 0010 3aff fe80 0000 0000 0000 487a 0cff fee5 a246 ff02 0000 0000 0000
                 0000 0000 0000 0002 8500 8be2 0000 0000 0101 4a7a 0ce5 a246"
            )[..]
        );
    }

    #[test]
    fn dad_probe_is_86_bytes_and_checks() {
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let t: Ipv6Addr = "fe80::487a:cff:fee5:a246".parse().unwrap();
        let f = dad_solicitation(mac, t, [1, 2, 3, 4, 5, 6]);
        assert_eq!(f.len(), 86);
        assert_eq!(&f[0..6], &[0x33, 0x33, 0xff, 0xe5, 0xa2, 0x46]);
        let src: Ipv6Addr = Ipv6Addr::UNSPECIFIED;
        let dst = solicited_node(t);
        assert_eq!(icmp6_checksum(src, dst, &f[54..]), 0);
    }

    #[test]
    fn solicitation_and_advertisement_parse_back() {
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        let target: Ipv6Addr = "fe80::2".parse().unwrap();
        let g = solicited_node(target);
        let ns = neighbour_solicitation(mac, src, g, target);
        let (h, icmp) = Ipv6Header::parse(&ns).unwrap();
        assert_eq!(ns.len(), 40 + 32);
        assert_eq!(icmp6_checksum(h.src, h.dst, icmp), 0);
        let m = NdMsg::parse(h.hop_limit, icmp).unwrap();
        assert_eq!((m.ty, m.target, m.lladdr), (135, target, Some(mac)));
        let flags = NaFlags {
            router: false,
            solicited: true,
            override_: true,
        };
        let na = neighbour_advertisement(mac, target, src, flags, true);
        let (h, icmp) = Ipv6Header::parse(&na).unwrap();
        assert_eq!(icmp6_checksum(h.src, h.dst, icmp), 0);
        let m = NdMsg::parse(h.hop_limit, icmp).unwrap();
        assert_eq!((m.ty, m.flags, m.lladdr), (136, flags, Some(mac)));
        // Forwarded ND (hop limit below 255), a zero-length option or a short message is not ND.
        assert!(NdMsg::parse(254, icmp).is_none());
        let mut bad = icmp.to_vec();
        bad[25] = 0;
        assert!(NdMsg::parse(255, &bad).is_none());
        assert!(NdMsg::parse(255, &icmp[..20]).is_none());
    }

    #[test]
    fn router_solicitation_is_70_bytes() {
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let src: Ipv6Addr = "fe80::487a:cff:fee5:a246".parse().unwrap();
        let f = router_solicitation(mac, src);
        assert_eq!(f.len(), 70);
        assert_eq!(icmp6_checksum(src, ALL_ROUTERS, &f[54..]), 0);
    }
}
