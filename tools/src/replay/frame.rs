//! What a captured frame is, for replay: the ARP, ICMP, ICMPv6 echo or neighbour discovery
//! message it carries reduced to the fields two runs must agree on (type, addresses, id/seq),
//! and whether a host originated it (a request: replayed) or answered something (a reply:
//! compared). IPv6 traffic replay does not model (MLD, router discovery, DAD probes) is named,
//! so that the report can count it by kind.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use l2lab_fabric::wire::{
    ArpOp, ArpRepr, EthHeader, IcmpRepr, Ipv4Repr, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6,
    ETH_HLEN, IPPROTO_ICMP,
};
use l2lab_fabric::MacAddr;
use l2lab_sim::stack::ipv6::{Ipv6Header, IPPROTO_ICMPV6};
use l2lab_sim::stack::ndisc::{icmp6_checksum, NdMsg};

/// The message a frame carries, as replay compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    /// ARP who-has.
    ArpRequest {
        /// Sender IP.
        sender_ip: Ipv4Addr,
        /// Wanted IP.
        target_ip: Ipv4Addr,
    },
    /// ARP is-at.
    ArpReply {
        /// Sender IP (the address resolved).
        sender_ip: Ipv4Addr,
        /// Sender MAC (the answer).
        sender_mac: MacAddr,
        /// Who asked.
        target_ip: Ipv4Addr,
    },
    /// ICMP echo request.
    EchoRequest {
        /// IP source.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// ICMP echo reply.
    EchoReply {
        /// IP source.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// An ICMP error (destination unreachable, time exceeded) about a datagram.
    IcmpError {
        /// ICMP type.
        ty: u8,
        /// ICMP code.
        code: u8,
        /// IP source (who reports).
        src: Ipv4Addr,
        /// IP destination (the offending datagram's sender).
        dst: Ipv4Addr,
        /// The offending datagram's destination.
        about: Ipv4Addr,
    },
    /// ICMPv6 neighbour solicitation (not DAD's: its source is an address).
    Solicit6 {
        /// IP source.
        src: Ipv6Addr,
        /// IP destination (the target's solicited-node group, or the target when probing).
        dst: Ipv6Addr,
        /// The address asked for.
        target: Ipv6Addr,
        /// The source link-layer address option.
        lladdr: Option<MacAddr>,
    },
    /// ICMPv6 neighbour advertisement to a unicast address (an answer).
    Advert6 {
        /// IP source.
        src: Ipv6Addr,
        /// IP destination.
        dst: Ipv6Addr,
        /// The address advertised.
        target: Ipv6Addr,
        /// The target link-layer address option.
        lladdr: Option<MacAddr>,
        /// Flags R, S and O, as the message's bits (0x80, 0x40, 0x20).
        flags: u8,
    },
    /// ICMPv6 echo request.
    Echo6Request {
        /// IP source.
        src: Ipv6Addr,
        /// IP destination.
        dst: Ipv6Addr,
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// ICMPv6 echo reply.
    Echo6Reply {
        /// IP source.
        src: Ipv6Addr,
        /// IP destination.
        dst: Ipv6Addr,
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
    },
    /// An ICMPv6 error (destination unreachable, packet too big, time exceeded, parameter
    /// problem) about a packet.
    Icmp6Error {
        /// ICMPv6 type (1 to 4).
        ty: u8,
        /// ICMPv6 code.
        code: u8,
        /// IP source (who reports).
        src: Ipv6Addr,
        /// IP destination (the offending packet's sender).
        dst: Ipv6Addr,
        /// The offending packet's destination.
        about: Ipv6Addr,
    },
    /// Any other ICMP message.
    OtherIcmp {
        /// ICMP type.
        ty: u8,
        /// ICMP code.
        code: u8,
        /// IP source.
        src: Ipv4Addr,
        /// IP destination.
        dst: Ipv4Addr,
    },
}

/// A frame reduced to what replay compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// Ethernet source.
    pub src: MacAddr,
    /// Ethernet destination.
    pub dst: MacAddr,
    /// The message.
    pub msg: Msg,
}

/// Why a frame is not replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Not ARP, ICMPv4 nor ICMPv6 (or not parseable as such).
    NotArpIcmp,
    /// ICMPv6 replay does not model, by kind (MLD, router discovery, DAD probes...).
    Unmodelled(&'static str),
    /// An IPv6 packet or ICMPv6 message that is not well formed, by what is wrong with it.
    Malformed(&'static str),
}

/// NA flag bits, as the message carries them.
const NA_ROUTER: u8 = 0x80;
const NA_SOLICITED: u8 = 0x40;
const NA_OVERRIDE: u8 = 0x20;

/// Extension headers walked to reach the upper layer: hop-by-hop (MLD's router alert),
/// routing, destination options.
const EXT_HEADERS: [u8; 3] = [0, 43, 60];
/// The fragment header.
const IPPROTO_FRAGMENT: u8 = 44;

/// The message of an IPv6 packet (what follows the Ethernet header).
fn parse_ipv6(packet: &[u8]) -> Result<Msg, Skip> {
    let (h, mut payload) =
        Ipv6Header::parse(packet).ok_or(Skip::Malformed("truncated IPv6 packet"))?;
    let mut next = h.next_header;
    let mut hops = 0;
    while EXT_HEADERS.contains(&next) {
        hops += 1;
        let (Some(&nh), Some(&len)) = (payload.first(), payload.get(1)) else {
            return Err(Skip::Malformed("truncated IPv6 extension header"));
        };
        let len = (usize::from(len) + 1) * 8;
        payload = payload
            .get(len..)
            .ok_or(Skip::Malformed("truncated IPv6 extension header"))?;
        next = nh;
        // A chain longer than any the kernel sends is not worth walking.
        if hops > 8 {
            return Err(Skip::Malformed("too many IPv6 extension headers"));
        }
    }
    if next == IPPROTO_FRAGMENT {
        return Err(Skip::Unmodelled("IPv6 fragment"));
    }
    if next != IPPROTO_ICMPV6 {
        return Err(Skip::NotArpIcmp);
    }
    let icmp = payload;
    if icmp.len() < 8 {
        return Err(Skip::Malformed("truncated ICMPv6 message"));
    }
    if icmp6_checksum(h.src, h.dst, icmp) != 0 {
        return Err(Skip::Malformed("bad ICMPv6 checksum"));
    }
    let (src, dst) = (h.src, h.dst);
    let id = u16::from_be_bytes([icmp[4], icmp[5]]);
    let seq = u16::from_be_bytes([icmp[6], icmp[7]]);
    Ok(match icmp[0] {
        128 => Msg::Echo6Request { src, dst, id, seq },
        129 => Msg::Echo6Reply { src, dst, id, seq },
        ty @ 1..=4 => {
            // The quoted packet's destination, when enough of it is quoted.
            let about = icmp
                .get(8 + 24..8 + 40)
                .and_then(|o| <[u8; 16]>::try_from(o).ok())
                .map_or(Ipv6Addr::UNSPECIFIED, Ipv6Addr::from);
            Msg::Icmp6Error {
                ty,
                code: icmp[1],
                src,
                dst,
                about,
            }
        }
        ty @ (135 | 136) => {
            let nd = NdMsg::parse(h.hop_limit, icmp)
                .ok_or(Skip::Malformed("invalid neighbour discovery message"))?;
            if ty == 135 {
                if src.is_unspecified() {
                    return Err(Skip::Unmodelled("DAD neighbour solicitation"));
                }
                Msg::Solicit6 {
                    src,
                    dst,
                    target: nd.target,
                    lladdr: nd.lladdr,
                }
            } else {
                if dst.is_multicast() {
                    return Err(Skip::Unmodelled("unsolicited neighbour advertisement"));
                }
                let f = nd.flags;
                let flags = if f.router { NA_ROUTER } else { 0 }
                    | if f.solicited { NA_SOLICITED } else { 0 }
                    | if f.override_ { NA_OVERRIDE } else { 0 };
                Msg::Advert6 {
                    src,
                    dst,
                    target: nd.target,
                    lladdr: nd.lladdr,
                    flags,
                }
            }
        }
        130 => return Err(Skip::Unmodelled("MLD query")),
        131 => return Err(Skip::Unmodelled("MLDv1 report")),
        132 => return Err(Skip::Unmodelled("MLD done")),
        143 => return Err(Skip::Unmodelled("MLDv2 report")),
        133 => return Err(Skip::Unmodelled("router solicitation")),
        134 => return Err(Skip::Unmodelled("router advertisement")),
        137 => return Err(Skip::Unmodelled("redirect")),
        _ => return Err(Skip::Unmodelled("other ICMPv6 message")),
    })
}

impl Key {
    /// Reads an Ethernet frame; `Err` for anything that is not ARP, ICMPv4, ICMPv6 echo or
    /// neighbour discovery, saying why.
    pub fn parse(frame: &[u8]) -> Result<Key, Skip> {
        let eth = EthHeader::parse(frame).map_err(|_| Skip::NotArpIcmp)?;
        let payload = frame.get(ETH_HLEN..).ok_or(Skip::NotArpIcmp)?;
        let msg = match eth.ethertype {
            ETHERTYPE_ARP => {
                let a = ArpRepr::parse(payload).map_err(|_| Skip::NotArpIcmp)?;
                match a.op {
                    ArpOp::Request => Msg::ArpRequest {
                        sender_ip: a.sender_ip,
                        target_ip: a.target_ip,
                    },
                    ArpOp::Reply => Msg::ArpReply {
                        sender_ip: a.sender_ip,
                        sender_mac: a.sender_mac,
                        target_ip: a.target_ip,
                    },
                }
            }
            ETHERTYPE_IPV4 => {
                let (ip, rest) = Ipv4Repr::parse(payload).map_err(|_| Skip::NotArpIcmp)?;
                // A later piece of a fragmented datagram has no ICMP header to key on; its
                // first piece stands for the message.
                if ip.protocol != IPPROTO_ICMP || ip.frag_offset != 0 {
                    return Err(Skip::NotArpIcmp);
                }
                let (src, dst) = (ip.src, ip.dst);
                match IcmpRepr::parse(rest).map_err(|_| Skip::NotArpIcmp)? {
                    IcmpRepr::EchoRequest { id, seq, .. } => Msg::EchoRequest { src, dst, id, seq },
                    IcmpRepr::EchoReply { id, seq, .. } => Msg::EchoReply { src, dst, id, seq },
                    IcmpRepr::DestUnreachable { code, original, .. } => Msg::IcmpError {
                        ty: 3,
                        code,
                        src,
                        dst,
                        about: quoted_dst(&original),
                    },
                    IcmpRepr::TimeExceeded { code, original } => Msg::IcmpError {
                        ty: 11,
                        code,
                        src,
                        dst,
                        about: quoted_dst(&original),
                    },
                    IcmpRepr::Other { ty, code } => Msg::OtherIcmp { ty, code, src, dst },
                }
            }
            ETHERTYPE_IPV6 => parse_ipv6(payload)?,
            _ => return Err(Skip::NotArpIcmp),
        };
        Ok(Key {
            src: eth.src,
            dst: eth.dst,
            msg,
        })
    }

    /// A request a host sends of its own accord (who-has, echo request, gratuitous ARP,
    /// ICMP queries), as opposed to an answer to something it received.
    pub fn is_request(&self) -> bool {
        match self.msg {
            Msg::ArpRequest { .. }
            | Msg::EchoRequest { .. }
            | Msg::Solicit6 { .. }
            | Msg::Echo6Request { .. } => true,
            // A gratuitous reply announces; nobody asked.
            Msg::ArpReply {
                sender_ip,
                target_ip,
                ..
            } => sender_ip == target_ip || self.dst.is_broadcast(),
            // Timestamp, information and address-mask requests.
            Msg::OtherIcmp { ty, .. } => matches!(ty, 13 | 15 | 17),
            Msg::IcmpError { .. }
            | Msg::EchoReply { .. }
            | Msg::Advert6 { .. }
            | Msg::Echo6Reply { .. }
            | Msg::Icmp6Error { .. } => false,
        }
    }

    /// A short name of the message type.
    pub fn kind(&self) -> &'static str {
        match self.msg {
            Msg::ArpRequest {
                sender_ip,
                target_ip,
            } if sender_ip == target_ip => "gratuitous ARP request",
            Msg::ArpRequest { .. } => "ARP request",
            Msg::ArpReply { .. } if self.is_request() => "gratuitous ARP reply",
            Msg::ArpReply { .. } => "ARP reply",
            Msg::EchoRequest { .. } => "echo request",
            Msg::EchoReply { .. } => "echo reply",
            Msg::IcmpError { ty: 3, .. } => "destination unreachable",
            Msg::IcmpError { .. } => "time exceeded",
            Msg::OtherIcmp { .. } => "ICMP message",
            Msg::Solicit6 { .. } => "neighbour solicitation",
            Msg::Advert6 { .. } => "neighbour advertisement",
            Msg::Echo6Request { .. } => "ICMPv6 echo request",
            Msg::Echo6Reply { .. } => "ICMPv6 echo reply",
            Msg::Icmp6Error { ty: 1, .. } => "ICMPv6 destination unreachable",
            Msg::Icmp6Error { ty: 2, .. } => "ICMPv6 packet too big",
            Msg::Icmp6Error { ty: 3, .. } => "ICMPv6 time exceeded",
            Msg::Icmp6Error { .. } => "ICMPv6 parameter problem",
        }
    }
}

fn quoted_dst(original: &[u8]) -> Ipv4Addr {
    Ipv4Repr::parse_header(original)
        .map(|(h, _)| h.dst)
        .unwrap_or(Ipv4Addr::UNSPECIFIED)
}

impl fmt::Display for Key {
    /// Like tcpdump -e -nn, short.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} > {}: ", self.src, self.dst)?;
        match self.msg {
            Msg::ArpRequest {
                sender_ip,
                target_ip,
            } => write!(f, "ARP who-has {target_ip} tell {sender_ip}"),
            Msg::ArpReply {
                sender_ip,
                sender_mac,
                target_ip,
            } => write!(f, "ARP {sender_ip} is-at {sender_mac} (to {target_ip})"),
            Msg::EchoRequest { src, dst, id, seq } => {
                write!(f, "{src} > {dst}: echo request id {id} seq {seq}")
            }
            Msg::EchoReply { src, dst, id, seq } => {
                write!(f, "{src} > {dst}: echo reply id {id} seq {seq}")
            }
            Msg::IcmpError {
                ty,
                code,
                src,
                dst,
                about,
            } => write!(f, "{src} > {dst}: ICMP type {ty} code {code} about {about}"),
            Msg::OtherIcmp { ty, code, src, dst } => {
                write!(f, "{src} > {dst}: ICMP type {ty} code {code}")
            }
            Msg::Solicit6 {
                src, dst, target, ..
            } => write!(f, "{src} > {dst}: neighbour solicitation, who has {target}"),
            Msg::Advert6 {
                src,
                dst,
                target,
                lladdr,
                flags,
            } => {
                write!(f, "{src} > {dst}: neighbour advertisement, tgt is {target}")?;
                if let Some(m) = lladdr {
                    write!(f, " at {m}")?;
                }
                for (bit, name) in [(NA_ROUTER, 'R'), (NA_SOLICITED, 'S'), (NA_OVERRIDE, 'O')] {
                    if flags & bit != 0 {
                        write!(f, " {name}")?;
                    }
                }
                Ok(())
            }
            Msg::Echo6Request { src, dst, id, seq } => {
                write!(f, "{src} > {dst}: ICMP6 echo request id {id} seq {seq}")
            }
            Msg::Echo6Reply { src, dst, id, seq } => {
                write!(f, "{src} > {dst}: ICMP6 echo reply id {id} seq {seq}")
            }
            Msg::Icmp6Error {
                ty,
                code,
                src,
                dst,
                about,
            } => write!(
                f,
                "{src} > {dst}: ICMP6 type {ty} code {code} about {about}"
            ),
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    /// Frames 1 and 2 of scenarios/replay-two-hosts/kernel/br0.pcap (real kernel).
    const WHO_HAS: [u8; 42] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xd6, 0x21, 0xc9, 0x0a, 0xa7, 0xde, 0x08, 0x06, 0x00,
        0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0xd6, 0x21, 0xc9, 0x0a, 0xa7, 0xde, 192, 168, 88,
        11, 0, 0, 0, 0, 0, 0, 192, 168, 88, 12,
    ];

    #[test]
    fn who_has_is_a_request() {
        let k = Key::parse(&WHO_HAS).unwrap_or_else(|_| panic!("parse"));
        assert!(k.is_request());
        assert_eq!(k.kind(), "ARP request");
        assert_eq!(
            k.to_string(),
            "d6:21:c9:0a:a7:de > ff:ff:ff:ff:ff:ff: ARP who-has 192.168.88.12 tell 192.168.88.11"
        );
    }

    #[test]
    fn short_frames_are_skipped() {
        assert_eq!(Key::parse(&WHO_HAS[..20]), Err(Skip::NotArpIcmp));
        assert_eq!(Key::parse(&[]), Err(Skip::NotArpIcmp));
    }
}
