//! Where the stack meets netfilter: destination NAT at PREROUTING and OUTPUT, source NAT at
//! INPUT and POSTROUTING (nf_nat_inet_fn), with the connection of each packet found, or
//! made and bound on its first packet, as nf_conntrack_in and nf_nat_setup_info do.

use std::net::Ipv4Addr;

use bytes::Bytes;
use l2lab_fabric::wire::{self, Ipv4Repr, IPPROTO_ICMP};
use l2lab_fabric::LinkId;

use super::conntrack::{Dir, Tuple, IPPROTO_TCP, IPPROTO_UDP};
use super::{NatChain, NatTarget, PacketInfo};
use crate::lab::{Lab, NsId};

/// The connection a packet belongs to, carried from its destination hook to its source hook
/// (the kernel keeps it in the skb).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ct {
    id: usize,
    dir: Dir,
}

/// The tuple of a datagram, or None when conntrack leaves it alone (a fragment after the
/// first, an ICMP message that is neither echo nor echo reply).
fn tuple_of(ip: &Ipv4Repr, l4: &[u8]) -> Option<Tuple> {
    if ip.frag_offset != 0 {
        return None;
    }
    let (a, b) = match ip.protocol {
        IPPROTO_ICMP => {
            let ty = *l4.first()?;
            if ty != 8 && ty != 0 {
                return None;
            }
            (
                u16::from_be_bytes([*l4.get(4)?, *l4.get(5)?]),
                u16::from(ty),
            )
        }
        IPPROTO_UDP | IPPROTO_TCP => (
            u16::from_be_bytes([*l4.first()?, *l4.get(1)?]),
            u16::from_be_bytes([*l4.get(2)?, *l4.get(3)?]),
        ),
        _ => (0, 0),
    };
    Some(Tuple {
        src: ip.src,
        dst: ip.dst,
        proto: ip.protocol,
        a,
        b,
    })
}

impl Lab {
    fn nf_active(&self, ns: NsId) -> bool {
        self.ns(ns).is_some_and(|n| n.nf.nat_exists())
    }

    fn dev_name(&self, dev: Option<LinkId>) -> Option<String> {
        dev.and_then(|d| self.iface(d)).map(|i| i.name.clone())
    }

    /// PREROUTING (`in_dev`) or OUTPUT (`out_dev`): finds or starts the packet's connection
    /// and translates its destination. A new connection runs the chain.
    pub(crate) fn nf_dst_hook(
        &mut self,
        ns: NsId,
        chain: NatChain,
        in_dev: Option<LinkId>,
        out_dev: Option<LinkId>,
        datagram: &mut Bytes,
    ) -> Option<Ct> {
        if !self.nf_active(ns) {
            return None;
        }
        let (ip, l4) = Ipv4Repr::parse(datagram).ok()?;
        let t = tuple_of(&ip, l4)?;
        let now = self.now();
        let (in_name, out_name) = (self.dev_name(in_dev), self.dev_name(out_dev));
        let n = self.ns_mut(ns)?;
        let ct = &mut n.nf.conntrack;
        let (id, dir) = match ct.lookup(&t, now) {
            Some(found) => found,
            None => {
                let id = ct.create(t, now);
                let info = PacketInfo {
                    src: t.src,
                    dst: t.dst,
                    proto: t.proto,
                    len: ip.total_len,
                    in_dev: in_name.as_deref(),
                    out_dev: out_name.as_deref(),
                };
                if let NatTarget::Dnat(to) = n.nf.nat_verdict(chain, &info) {
                    let mut reply = t.invert();
                    reply.src = to;
                    n.nf.conntrack.set_reply(id, reply);
                }
                (id, Dir::Original)
            }
        };
        let ct = &mut n.nf.conntrack;
        ct.refresh(id, dir, now);
        let c = ct.get(id)?.clone();
        match dir {
            Dir::Original if c.dnat() => {
                let port = (t.proto != IPPROTO_ICMP).then_some(c.reply.a);
                *datagram = rewrite(datagram, None, Some(c.reply.src), None, port);
            }
            Dir::Reply if c.snat() => {
                // The answer goes back to the original source, under its own id or port.
                *datagram = rewrite(datagram, None, Some(c.orig.src), None, Some(c.orig.a));
            }
            _ => {}
        }
        Some(Ct { id, dir })
    }

    /// INPUT (`in_dev`) or POSTROUTING (`out_dev`): a new connection runs the chain and is
    /// bound and confirmed; the packet's source is translated. False: drop the packet
    /// (MASQUERADE out of an interface without an address).
    pub(crate) fn nf_src_hook(
        &mut self,
        ns: NsId,
        chain: NatChain,
        ct: Option<Ct>,
        in_dev: Option<LinkId>,
        out_dev: Option<LinkId>,
        datagram: &mut Bytes,
    ) -> bool {
        let Some(Ct { id, dir }) = ct else {
            return true;
        };
        let (in_name, out_name) = (self.dev_name(in_dev), self.dev_name(out_dev));
        let masq_src = out_dev.and_then(|d| self.primary_addr(d));
        let len = datagram.len();
        let Some(n) = self.ns_mut(ns) else {
            return true;
        };
        let Some(c) = n.nf.conntrack.get(id).cloned() else {
            return true;
        };
        if !c.confirmed {
            if dir == Dir::Original {
                let info = PacketInfo {
                    src: c.orig.src,
                    dst: c.reply.src,
                    proto: c.orig.proto,
                    len,
                    in_dev: in_name.as_deref(),
                    out_dev: out_name.as_deref(),
                };
                let to = match n.nf.nat_verdict(chain, &info) {
                    NatTarget::Masquerade => match masq_src {
                        Some(a) => Some(a),
                        None => return false,
                    },
                    NatTarget::Snat(a) => Some(a),
                    _ => None,
                };
                if let Some(to) = to.filter(|a| *a != c.orig.src) {
                    let mut reply = c.reply;
                    reply.dst = to;
                    // nf_nat_icmp_unique_tuple / nf_nat_l4proto_unique_tuple: keep the id or
                    // port unless another connection already answers to it, else the next.
                    for _ in 0..=u16::MAX {
                        if !n.nf.conntrack.taken(&reply, id) {
                            break;
                        }
                        if reply.proto == IPPROTO_ICMP {
                            reply.a = reply.a.wrapping_add(1);
                        } else {
                            reply.b = reply.b.wrapping_add(1);
                        }
                    }
                    n.nf.conntrack.set_reply(id, reply);
                }
            }
            n.nf.conntrack.confirm(id);
        }
        let Some(c) = n.nf.conntrack.get(id) else {
            return true;
        };
        match dir {
            Dir::Original if c.snat() => {
                let id_or_port = if c.orig.proto == IPPROTO_ICMP {
                    c.reply.a
                } else {
                    c.reply.b
                };
                let proto_has_ids =
                    matches!(c.orig.proto, IPPROTO_ICMP | IPPROTO_UDP | IPPROTO_TCP);
                *datagram = rewrite(
                    datagram,
                    Some(c.reply.dst),
                    None,
                    proto_has_ids.then_some(id_or_port),
                    None,
                );
            }
            Dir::Reply if c.dnat() => {
                let src = c.orig.dst;
                let port = (c.orig.proto != IPPROTO_ICMP).then_some(c.orig.b);
                *datagram = rewrite(datagram, Some(src), None, port, None);
            }
            _ => {}
        }
        true
    }

    /// A packet of this namespace is done with: connections its first packet started and
    /// did not confirm are forgotten.
    pub(crate) fn nf_done(&mut self, ns: NsId) {
        if let Some(n) = self.ns_mut(ns) {
            n.nf.conntrack.drop_unconfirmed();
        }
    }
}

/// The datagram with a new source and/or destination, and a new source id/port (ICMP echo
/// id, UDP/TCP source port) or destination port, checksums made right again.
fn rewrite(
    datagram: &Bytes,
    src: Option<Ipv4Addr>,
    dst: Option<Ipv4Addr>,
    src_port: Option<u16>,
    dst_port: Option<u16>,
) -> Bytes {
    let mut d = datagram.to_vec();
    if d.len() < 20 {
        return datagram.clone();
    }
    let ihl = usize::from(d[0] & 0x0f) * 4;
    if ihl < 20 || d.len() < ihl {
        return datagram.clone();
    }
    if let Some(s) = src {
        d[12..16].copy_from_slice(&s.octets());
    }
    if let Some(t) = dst {
        d[16..20].copy_from_slice(&t.octets());
    }
    d[10] = 0;
    d[11] = 0;
    let c = wire::checksum(&d[..ihl]);
    d[10..12].copy_from_slice(&c.to_be_bytes());
    let proto = d[9];
    let first = u16::from_be_bytes([d[6], d[7]]) & 0x1fff == 0;
    let total = usize::from(u16::from_be_bytes([d[2], d[3]]))
        .min(d.len())
        .max(ihl);
    let mut addrs = [0u8; 8];
    addrs.copy_from_slice(&d[12..20]);
    let l4 = &mut d[ihl..total];
    if !first {
        return Bytes::from(d);
    }
    match proto {
        IPPROTO_ICMP if l4.len() >= 8 => {
            if let Some(id) = src_port.or(dst_port) {
                l4[4..6].copy_from_slice(&id.to_be_bytes());
            }
            l4[2] = 0;
            l4[3] = 0;
            let c = wire::checksum(l4);
            l4[2..4].copy_from_slice(&c.to_be_bytes());
        }
        IPPROTO_UDP | IPPROTO_TCP => {
            if let (Some(p), true) = (src_port, l4.len() >= 2) {
                l4[0..2].copy_from_slice(&p.to_be_bytes());
            }
            if let (Some(p), true) = (dst_port, l4.len() >= 4) {
                l4[2..4].copy_from_slice(&p.to_be_bytes());
            }
            let at = if proto == IPPROTO_UDP { 6 } else { 16 };
            if l4.len() >= at + 2 && !(proto == IPPROTO_UDP && l4[at] == 0 && l4[at + 1] == 0) {
                l4[at] = 0;
                l4[at + 1] = 0;
                let mut pseudo = Vec::with_capacity(12 + l4.len());
                pseudo.extend_from_slice(&addrs);
                pseudo.push(0);
                pseudo.push(proto);
                pseudo.extend_from_slice(&(l4.len() as u16).to_be_bytes());
                pseudo.extend_from_slice(l4);
                let mut c = wire::checksum(&pseudo);
                if c == 0 && proto == IPPROTO_UDP {
                    c = 0xffff;
                }
                l4[at..at + 2].copy_from_slice(&c.to_be_bytes());
            }
        }
        _ => {}
    }
    Bytes::from(d)
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_fabric::wire::{IcmpRepr, Ipv4Params};

    #[test]
    fn rewritten_echo_keeps_valid_checksums() {
        let d = wire::icmp_datagram(
            Ipv4Params {
                src: [192, 168, 88, 12].into(),
                dst: [114, 114, 114, 114].into(),
                ttl: 64,
                id: 1,
                df: true,
                tos: 0,
            },
            &IcmpRepr::EchoRequest {
                id: 7,
                seq: 1,
                data: Bytes::from_static(&[1, 2, 3, 4]),
            },
        );
        let r = rewrite(&d, Some([10, 0, 2, 15].into()), None, Some(9), None);
        assert_eq!(wire::checksum(&r[..20]), 0);
        assert_eq!(wire::checksum(&r[20..]), 0);
        let (ip, l4) = Ipv4Repr::parse(&r).expect("a datagram");
        assert_eq!(ip.src, Ipv4Addr::new(10, 0, 2, 15));
        assert_eq!(u16::from_be_bytes([l4[4], l4[5]]), 9);
    }
}
