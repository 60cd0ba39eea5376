//! What a captured frame is, for replay: the ARP or ICMP message it carries reduced to the
//! fields two runs must agree on (type, addresses, id/seq), and whether a host originated it
//! (a request: replayed) or answered something (a reply: compared).

use std::fmt;
use std::net::Ipv4Addr;

use l2lab_fabric::wire::{
    ArpOp, ArpRepr, EthHeader, IcmpRepr, Ipv4Repr, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETH_HLEN,
    IPPROTO_ICMP,
};
use l2lab_fabric::MacAddr;

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
    /// Not ARP nor ICMPv4 (or not parseable as such).
    NotArpIcmp,
}

impl Key {
    /// Reads an Ethernet frame; `Err` for anything that is not ARP or ICMPv4.
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
            Msg::ArpRequest { .. } | Msg::EchoRequest { .. } => true,
            // A gratuitous reply announces; nobody asked.
            Msg::ArpReply {
                sender_ip,
                target_ip,
                ..
            } => sender_ip == target_ip || self.dst.is_broadcast(),
            // Timestamp, information and address-mask requests.
            Msg::OtherIcmp { ty, .. } => matches!(ty, 13 | 15 | 17),
            Msg::IcmpError { .. } | Msg::EchoReply { .. } => false,
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
