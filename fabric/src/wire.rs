//! Frame formats: Ethernet II, ARP, IPv4 and ICMPv4, parsed and built with etherparse.
//!
//! Parsing is a view over the frame's bytes and never panics on short or odd input: it returns
//! a [`WireError`]. Building returns a fresh [`Bytes`] exactly as Linux puts it on a veth
//! (no padding to 60 bytes: an ARP frame is 42 bytes long, as tcpdump shows on the kernel).

use std::net::Ipv4Addr;

use bytes::Bytes;
use etherparse::{
    ArpEthIpv4Packet, ArpOperation, ArpPacket, EtherType, Icmpv4Header, Icmpv4Slice, Icmpv4Type,
    IpNumber, Ipv4Header, Ipv4HeaderSlice, UdpHeader,
};

use crate::MacAddr;

/// EtherType of IPv4.
pub const ETHERTYPE_IPV4: u16 = 0x0800;
/// EtherType of ARP.
pub const ETHERTYPE_ARP: u16 = 0x0806;
/// EtherType of IPv6.
pub const ETHERTYPE_IPV6: u16 = 0x86dd;
/// Length of an Ethernet II header.
pub const ETH_HLEN: usize = 14;

/// Why a frame could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The frame is shorter than the header it must hold.
    #[error("truncated {what}: {len} bytes")]
    Truncated {
        /// Which header was cut short.
        what: &'static str,
        /// How many bytes there were.
        len: usize,
    },
    /// A header field has a value this layer does not handle.
    #[error("unsupported {0}")]
    Unsupported(&'static str),
    /// etherparse rejected the header.
    #[error("malformed {what}: {why}")]
    Malformed {
        /// Which header.
        what: &'static str,
        /// etherparse's explanation.
        why: String,
    },
}

/// The Ethernet II header of a frame: a zero-copy read of its first 14 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EthHeader {
    /// Destination MAC.
    pub dst: MacAddr,
    /// Source MAC.
    pub src: MacAddr,
    /// EtherType (0x0800 IPv4, 0x0806 ARP, ...).
    pub ethertype: u16,
}

impl EthHeader {
    /// Reads the header of `frame`; the hot path of the bridge, so it is a plain copy of bytes.
    #[inline]
    pub fn parse(frame: &[u8]) -> Result<EthHeader, WireError> {
        if frame.len() < ETH_HLEN {
            return Err(WireError::Truncated {
                what: "ethernet header",
                len: frame.len(),
            });
        }
        let mut dst = [0u8; 6];
        let mut src = [0u8; 6];
        dst.copy_from_slice(&frame[0..6]);
        src.copy_from_slice(&frame[6..12]);
        Ok(EthHeader {
            dst: MacAddr(dst),
            src: MacAddr(src),
            ethertype: u16::from_be_bytes([frame[12], frame[13]]),
        })
    }

    /// The 14 header bytes.
    pub fn to_bytes(&self) -> [u8; ETH_HLEN] {
        let mut b = [0u8; ETH_HLEN];
        b[0..6].copy_from_slice(&self.dst.0);
        b[6..12].copy_from_slice(&self.src.0);
        b[12..14].copy_from_slice(&self.ethertype.to_be_bytes());
        b
    }
}

/// An ARP operation for Ethernet/IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArpOp {
    /// who-has
    Request,
    /// is-at
    Reply,
}

/// An Ethernet/IPv4 ARP packet as a plain value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpRepr {
    /// Request or reply.
    pub op: ArpOp,
    /// Sender hardware address.
    pub sender_mac: MacAddr,
    /// Sender protocol address.
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (zero in a request).
    pub target_mac: MacAddr,
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
}

impl ArpRepr {
    /// Parses the ARP payload of a frame (what follows the Ethernet header).
    pub fn parse(payload: &[u8]) -> Result<ArpRepr, WireError> {
        let pkt = ArpPacket::from_slice(payload).map_err(|e| WireError::Malformed {
            what: "ARP packet",
            why: e.to_string(),
        })?;
        let p = pkt
            .try_eth_ipv4()
            .map_err(|_| WireError::Unsupported("ARP hardware/protocol type"))?;
        let op = match p.operation {
            ArpOperation::REQUEST => ArpOp::Request,
            ArpOperation::REPLY => ArpOp::Reply,
            _ => return Err(WireError::Unsupported("ARP operation")),
        };
        Ok(ArpRepr {
            op,
            sender_mac: MacAddr(p.sender_mac),
            sender_ip: p.sender_ipv4_addr(),
            target_mac: MacAddr(p.target_mac),
            target_ip: p.target_ipv4_addr(),
        })
    }

    /// Builds the whole frame: Ethernet header from `src` to `dst`, then this packet.
    pub fn to_frame(&self, src: MacAddr, dst: MacAddr) -> Bytes {
        let pkt = ArpEthIpv4Packet {
            operation: match self.op {
                ArpOp::Request => ArpOperation::REQUEST,
                ArpOp::Reply => ArpOperation::REPLY,
            },
            sender_mac: self.sender_mac.0,
            sender_ipv4: self.sender_ip.octets(),
            target_mac: self.target_mac.0,
            target_ipv4: self.target_ip.octets(),
        };
        let eth = EthHeader {
            dst,
            src,
            ethertype: ETHERTYPE_ARP,
        };
        let mut v = Vec::with_capacity(ETH_HLEN + ArpEthIpv4Packet::LEN);
        v.extend_from_slice(&eth.to_bytes());
        v.extend_from_slice(&pkt.to_bytes());
        Bytes::from(v)
    }
}

/// The fields of an IPv4 header that the stacks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Repr {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Time to live.
    pub ttl: u8,
    /// Protocol number (1 = ICMP).
    pub protocol: u8,
    /// Identification.
    pub id: u16,
    /// Don't-fragment flag.
    pub df: bool,
    /// Type of service byte.
    pub tos: u8,
    /// Header length in bytes.
    pub header_len: usize,
    /// Total length from the header.
    pub total_len: usize,
    /// Where this fragment's data starts in the original datagram, in bytes.
    pub frag_offset: usize,
    /// More-fragments flag.
    pub more_fragments: bool,
}

impl Ipv4Repr {
    /// Is this a piece of a fragmented datagram (an offset, or more to come)?
    pub fn is_fragment(&self) -> bool {
        self.frag_offset != 0 || self.more_fragments
    }
}

/// The ICMP protocol number.
pub const IPPROTO_ICMP: u8 = 1;

impl Ipv4Repr {
    /// Parses the IPv4 header at the start of `payload`; returns it and the bytes it carries
    /// (cut to the header's total length, as the kernel trims padding).
    pub fn parse(payload: &[u8]) -> Result<(Ipv4Repr, &[u8]), WireError> {
        let h = Ipv4HeaderSlice::from_slice(payload).map_err(|e| WireError::Malformed {
            what: "IPv4 header",
            why: e.to_string(),
        })?;
        let header_len = usize::from(h.ihl()) * 4;
        let total_len = usize::from(h.total_len());
        if total_len < header_len || total_len > payload.len() {
            return Err(WireError::Truncated {
                what: "IPv4 packet",
                len: payload.len(),
            });
        }
        let slice = h.slice();
        Ok((
            Ipv4Repr {
                src: h.source_addr(),
                dst: h.destination_addr(),
                ttl: h.ttl(),
                protocol: h.protocol().0,
                id: h.identification(),
                df: h.dont_fragment(),
                tos: slice[1],
                header_len,
                total_len,
                frag_offset: usize::from(h.fragments_offset().value()) * 8,
                more_fragments: h.more_fragments(),
            },
            &payload[header_len..total_len],
        ))
    }
}

impl Ipv4Repr {
    /// Parses only the header at the start of `payload` and returns what follows it, without
    /// checking the total length: for the truncated datagram an ICMP error quotes.
    pub fn parse_header(payload: &[u8]) -> Result<(Ipv4Repr, &[u8]), WireError> {
        if payload.len() < 20 {
            return Err(WireError::Truncated {
                what: "IPv4 header",
                len: payload.len(),
            });
        }
        let header_len = usize::from(payload[0] & 0x0f) * 4;
        if payload[0] >> 4 != 4 || header_len < 20 || payload.len() < header_len {
            return Err(WireError::Malformed {
                what: "IPv4 header",
                why: "bad version or header length".into(),
            });
        }
        let b = |i: usize| payload[i];
        Ok((
            Ipv4Repr {
                src: Ipv4Addr::new(b(12), b(13), b(14), b(15)),
                dst: Ipv4Addr::new(b(16), b(17), b(18), b(19)),
                ttl: b(8),
                protocol: b(9),
                id: u16::from_be_bytes([b(4), b(5)]),
                df: b(6) & 0x40 != 0,
                tos: b(1),
                header_len,
                total_len: usize::from(u16::from_be_bytes([b(2), b(3)])),
                frag_offset: usize::from(u16::from_be_bytes([b(6), b(7)]) & 0x1fff) * 8,
                more_fragments: b(6) & 0x20 != 0,
            },
            &payload[header_len..],
        ))
    }
}

/// An ICMPv4 message as a plain value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IcmpRepr {
    /// Echo request (type 8).
    EchoRequest {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
        /// Data after the 8-byte header.
        data: Bytes,
    },
    /// Echo reply (type 0).
    EchoReply {
        /// Identifier.
        id: u16,
        /// Sequence number.
        seq: u16,
        /// Data after the 8-byte header.
        data: Bytes,
    },
    /// Destination unreachable (type 3) with its code and the offending datagram's start.
    DestUnreachable {
        /// 0 net, 1 host, 3 port, 4 fragmentation needed, ...
        code: u8,
        /// The next hop's MTU, for code 4 (RFC 1191; zero otherwise).
        mtu: u16,
        /// The original IP header and 8 bytes of its payload.
        original: Bytes,
    },
    /// Time exceeded (type 11).
    TimeExceeded {
        /// 0 TTL exceeded in transit.
        code: u8,
        /// The original IP header and 8 bytes of its payload.
        original: Bytes,
    },
    /// Anything else, kept as type and code.
    Other {
        /// ICMP type.
        ty: u8,
        /// ICMP code.
        code: u8,
    },
}

/// ICMP destination-unreachable code: host unreachable.
pub const ICMP_HOST_UNREACH: u8 = 1;
/// Destination unreachable code: fragmentation needed and DF set.
pub const ICMP_FRAG_NEEDED: u8 = 4;
/// ICMP destination-unreachable code: net unreachable.
pub const ICMP_NET_UNREACH: u8 = 0;

impl IcmpRepr {
    /// Parses an ICMP message (the IPv4 payload).
    pub fn parse(payload: &[u8]) -> Result<IcmpRepr, WireError> {
        let s = Icmpv4Slice::from_slice(payload).map_err(|e| WireError::Malformed {
            what: "ICMP message",
            why: e.to_string(),
        })?;
        let b = s.bytes5to8();
        let data = Bytes::copy_from_slice(s.payload());
        Ok(match (s.type_u8(), s.code_u8()) {
            (8, 0) => IcmpRepr::EchoRequest {
                id: u16::from_be_bytes([b[0], b[1]]),
                seq: u16::from_be_bytes([b[2], b[3]]),
                data,
            },
            (0, 0) => IcmpRepr::EchoReply {
                id: u16::from_be_bytes([b[0], b[1]]),
                seq: u16::from_be_bytes([b[2], b[3]]),
                data,
            },
            (3, code) => IcmpRepr::DestUnreachable {
                code,
                mtu: u16::from_be_bytes([b[2], b[3]]),
                original: data,
            },
            (11, code) => IcmpRepr::TimeExceeded {
                code,
                original: data,
            },
            (ty, code) => IcmpRepr::Other { ty, code },
        })
    }

    fn header_and_payload(&self) -> (Icmpv4Header, &[u8]) {
        let (ty, payload): (Icmpv4Type, &[u8]) = match self {
            IcmpRepr::EchoRequest { id, seq, data } => (
                Icmpv4Type::EchoRequest(etherparse::IcmpEchoHeader { id: *id, seq: *seq }),
                data,
            ),
            IcmpRepr::EchoReply { id, seq, data } => (
                Icmpv4Type::EchoReply(etherparse::IcmpEchoHeader { id: *id, seq: *seq }),
                data,
            ),
            IcmpRepr::DestUnreachable {
                code,
                mtu,
                original,
            } => (
                Icmpv4Type::Unknown {
                    type_u8: 3,
                    code_u8: *code,
                    bytes5to8: [0, 0, (mtu >> 8) as u8, *mtu as u8],
                },
                original,
            ),
            IcmpRepr::TimeExceeded { code, original } => (
                Icmpv4Type::Unknown {
                    type_u8: 11,
                    code_u8: *code,
                    bytes5to8: [0; 4],
                },
                original,
            ),
            IcmpRepr::Other { ty, code } => (
                Icmpv4Type::Unknown {
                    type_u8: *ty,
                    code_u8: *code,
                    bytes5to8: [0; 4],
                },
                &[],
            ),
        };
        (Icmpv4Header::with_checksum(ty, payload), payload)
    }
}

/// What an IPv4 datagram carries when the stacks build one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Params {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Time to live.
    pub ttl: u8,
    /// Identification.
    pub id: u16,
    /// Don't-fragment flag.
    pub df: bool,
    /// Type of service byte (DSCP and ECN).
    pub tos: u8,
}

/// Builds an IPv4 datagram carrying an ICMP message (no Ethernet header).
pub fn icmp_datagram(ip: Ipv4Params, icmp: &IcmpRepr) -> Bytes {
    let (icmp_hdr, payload) = icmp.header_and_payload();
    let icmp_len = icmp_hdr.header_len() + payload.len();
    // A datagram over 64 KiB cannot exist; the length field saturates rather than panics.
    let ip_payload_len = u16::try_from(icmp_len).unwrap_or(u16::MAX - 20);
    let mut iph = Ipv4Header::new(
        ip_payload_len.min(u16::MAX - 20),
        ip.ttl,
        IpNumber::ICMP,
        ip.src.octets(),
        ip.dst.octets(),
    )
    .unwrap_or_default();
    iph.identification = ip.id;
    iph.dont_fragment = ip.df;
    iph.dscp = etherparse::IpDscp::try_new(ip.tos >> 2).unwrap_or_default();
    iph.ecn = etherparse::IpEcn::try_new(ip.tos & 3).unwrap_or_default();
    iph.header_checksum = iph.calc_header_checksum();
    let mut v = Vec::with_capacity(20 + icmp_len);
    v.extend_from_slice(&iph.to_bytes());
    v.extend_from_slice(&icmp_hdr.to_bytes());
    v.extend_from_slice(payload);
    Bytes::from(v)
}

/// Builds an IPv4 datagram carrying a UDP datagram (no Ethernet header); `None` when the
/// payload does not fit in one.
pub fn udp_datagram(ip: Ipv4Params, sport: u16, dport: u16, payload: &[u8]) -> Option<Bytes> {
    let len = u16::try_from(8 + payload.len()).ok()?;
    let mut iph =
        Ipv4Header::new(len, ip.ttl, IpNumber::UDP, ip.src.octets(), ip.dst.octets()).ok()?;
    iph.identification = ip.id;
    iph.dont_fragment = ip.df;
    iph.header_checksum = iph.calc_header_checksum();
    let udp = UdpHeader::with_ipv4_checksum(sport, dport, &iph, payload).ok()?;
    let mut v = Vec::with_capacity(20 + 8 + payload.len());
    v.extend_from_slice(&iph.to_bytes());
    v.extend_from_slice(&udp.to_bytes());
    v.extend_from_slice(payload);
    Some(Bytes::from(v))
}

/// IGMP's protocol number.
pub const IPPROTO_IGMP: u8 = 2;
/// UDP's protocol number.
pub const IPPROTO_UDP: u8 = 17;

/// An IGMP message as tcpdump -nn names it (print-igmp.c, without -v).
fn igmp_summary(d: &[u8]) -> String {
    let group = || {
        d.get(4..8)
            .map(|g| Ipv4Addr::new(g[0], g[1], g[2], g[3]).to_string())
            .unwrap_or_default()
    };
    match d.first() {
        Some(0x11) if d.len() >= 12 => "igmp query v3".to_string(),
        Some(0x11) if d.get(1).is_some_and(|m| *m != 0) => "igmp query v2".to_string(),
        Some(0x11) => "igmp query v1".to_string(),
        Some(0x12) => format!("igmp v1 report {}", group()),
        Some(0x16) => format!("igmp v2 report {}", group()),
        Some(0x17) => format!("igmp leave {}", group()),
        Some(0x22) => {
            let n = d.get(6..8).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
            format!("igmp v3 report, {n} group record(s)")
        }
        Some(t) => format!("igmp type 0x{t:02x}"),
        None => "[|igmp]".to_string(),
    }
}

/// Puts an Ethernet header in front of `payload`.
pub fn ethernet_frame(src: MacAddr, dst: MacAddr, ethertype: u16, payload: &[u8]) -> Bytes {
    let eth = EthHeader {
        dst,
        src,
        ethertype,
    };
    let mut v = Vec::with_capacity(ETH_HLEN + payload.len());
    v.extend_from_slice(&eth.to_bytes());
    v.extend_from_slice(payload);
    Bytes::from(v)
}

/// Builds an Ethernet + IPv4 + ICMP frame.
pub fn icmp_frame(src_mac: MacAddr, dst_mac: MacAddr, ip: Ipv4Params, icmp: &IcmpRepr) -> Bytes {
    ethernet_frame(src_mac, dst_mac, ETHERTYPE_IPV4, &icmp_datagram(ip, icmp))
}

/// Returns a copy of an IPv4 datagram with its TTL one lower and the checksum redone, as a
/// router forwarding it does.
pub fn decrement_ttl(datagram: &[u8]) -> Result<Bytes, WireError> {
    if datagram.len() < 20 {
        return Err(WireError::Truncated {
            what: "IPv4 packet",
            len: datagram.len(),
        });
    }
    let ihl = usize::from(datagram[0] & 0x0f) * 4;
    if ihl < 20 || datagram.len() < ihl {
        return Err(WireError::Malformed {
            what: "IPv4 header",
            why: "bad header length".into(),
        });
    }
    let mut v = datagram.to_vec();
    v[8] = v[8].saturating_sub(1);
    v[10] = 0;
    v[11] = 0;
    let ck = checksum(&v[..ihl]);
    v[10..12].copy_from_slice(&ck.to_be_bytes());
    Ok(Bytes::from(v))
}

/// ip_fragment: cuts an IPv4 datagram into fragments that fit `mtu` (each fragment's data a
/// multiple of 8 bytes but the last's), each with the original header, its offset, the
/// more-fragments flag and DF clear, and the checksum redone. A datagram that fits comes back
/// whole.
pub fn fragment(datagram: &[u8], mtu: usize) -> Result<Vec<Bytes>, WireError> {
    let (ip, data) = Ipv4Repr::parse(datagram)?;
    if datagram.len() <= mtu {
        return Ok(vec![Bytes::copy_from_slice(datagram)]);
    }
    let hlen = ip.header_len;
    let chunk = mtu.saturating_sub(hlen) & !7;
    if chunk == 0 {
        return Err(WireError::Malformed {
            what: "IPv4 fragment",
            why: format!("MTU {mtu} leaves no room for data"),
        });
    }
    let mut out = Vec::with_capacity(data.len().div_ceil(chunk));
    let mut at = 0;
    while at < data.len() {
        let end = (at + chunk).min(data.len());
        let last = end == data.len();
        let mut v = Vec::with_capacity(hlen + end - at);
        v.extend_from_slice(&datagram[..hlen]);
        v.extend_from_slice(&data[at..end]);
        let total = u16::try_from(v.len()).unwrap_or(u16::MAX);
        v[2..4].copy_from_slice(&total.to_be_bytes());
        let off = (ip.frag_offset + at) / 8;
        let more = !last || ip.more_fragments;
        let field = (off as u16 & 0x1fff) | if more { 0x2000 } else { 0 };
        v[6..8].copy_from_slice(&field.to_be_bytes());
        v[10] = 0;
        v[11] = 0;
        let ck = checksum(&v[..hlen]);
        v[10..12].copy_from_slice(&ck.to_be_bytes());
        out.push(Bytes::from(v));
        at = end;
    }
    Ok(out)
}

/// Joins the data of a datagram's fragments, given as (offset, data) sorted by offset, under
/// the first fragment's header: total length set, offset and flags cleared, checksum redone.
/// `None` while a hole remains.
pub fn reassemble(first_header: &[u8], pieces: &[(usize, Bytes)], total: usize) -> Option<Bytes> {
    let hlen = first_header.len();
    if hlen < 20 || hlen + total > usize::from(u16::MAX) {
        return None;
    }
    let mut v = Vec::with_capacity(hlen + total);
    v.extend_from_slice(first_header);
    let mut have = 0;
    for (off, data) in pieces {
        if *off > have {
            return None;
        }
        let end = off + data.len();
        if end > have {
            v.extend_from_slice(&data[have - off..]);
            have = end;
        }
    }
    if have != total {
        return None;
    }
    let t = (hlen + total) as u16;
    v[2..4].copy_from_slice(&t.to_be_bytes());
    v[6] &= 0x40;
    v[7] = 0;
    v[10] = 0;
    v[11] = 0;
    let ck = checksum(&v[..hlen]);
    v[10..12].copy_from_slice(&ck.to_be_bytes());
    Some(Bytes::from(v))
}

/// The Internet checksum (RFC 1071) of `data`.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [b] = chunks.remainder() {
        sum += u32::from(*b) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The bridge group address, where 802.1D BPDUs go (br->group_addr).
pub const STP_GROUP: MacAddr = MacAddr([0x01, 0x80, 0xc2, 0, 0, 0]);

/// A bridge identifier: priority, then the bridge's MAC; compared as the kernel's memcmp does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BridgeId {
    /// Bridge priority (32768 unless set).
    pub prio: u16,
    /// The bridge's address.
    pub addr: MacAddr,
}

impl BridgeId {
    fn read(b: &[u8]) -> BridgeId {
        let mut addr = [0u8; 6];
        addr.copy_from_slice(&b[2..8]);
        BridgeId {
            prio: u16::from_be_bytes([b[0], b[1]]),
            addr: MacAddr(addr),
        }
    }

    fn write(&self, v: &mut Vec<u8>) {
        v.extend_from_slice(&self.prio.to_be_bytes());
        v.extend_from_slice(&self.addr.0);
    }
}

/// An 802.1D configuration BPDU's fields; times are in 1/256 s, as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigBpdu {
    /// Topology change flag.
    pub topology_change: bool,
    /// Topology change acknowledgement flag.
    pub topology_change_ack: bool,
    /// The root bridge as the sender sees it.
    pub root: BridgeId,
    /// The sender's cost to the root.
    pub root_path_cost: u32,
    /// The sender.
    pub bridge_id: BridgeId,
    /// The sender's port.
    pub port_id: u16,
    /// Age of the root's information.
    pub message_age: u16,
    /// The root's max_age.
    pub max_age: u16,
    /// The root's hello_time.
    pub hello_time: u16,
    /// The root's forward_delay.
    pub forward_delay: u16,
}

/// A BPDU the kernel's STP reads (br_stp_rcv): a configuration or a topology change notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bpdu {
    /// Configuration BPDU (type 0x00).
    Config(ConfigBpdu),
    /// Topology change notification (type 0x80).
    Tcn,
}

/// The 802.2 LLC header of a BPDU: DSAP and SSAP 0x42, a UI frame.
const LLC_STP: [u8; 3] = [0x42, 0x42, 0x03];

impl Bpdu {
    /// Reads a BPDU from a whole frame (802.3 header, LLC, BPDU), with br_stp_rcv's checks:
    /// protocol id and version 0, a config BPDU at least 35 bytes.
    pub fn parse(frame: &[u8]) -> Result<Bpdu, WireError> {
        let b = frame.get(ETH_HLEN..).ok_or(WireError::Truncated {
            what: "802.3 header",
            len: frame.len(),
        })?;
        if b.len() < 7 {
            return Err(WireError::Truncated {
                what: "BPDU",
                len: b.len(),
            });
        }
        if b[..3] != LLC_STP {
            return Err(WireError::Unsupported("LLC SAP"));
        }
        let d = &b[3..];
        if d[..3] != [0, 0, 0] {
            return Err(WireError::Unsupported("STP protocol or version"));
        }
        match d[3] {
            0x80 => Ok(Bpdu::Tcn),
            0x00 => {
                let c = d.get(3..35).ok_or(WireError::Truncated {
                    what: "config BPDU",
                    len: d.len(),
                })?;
                let be16 = |i: usize| u16::from_be_bytes([c[i], c[i + 1]]);
                Ok(Bpdu::Config(ConfigBpdu {
                    topology_change: c[1] & 0x01 != 0,
                    topology_change_ack: c[1] & 0x80 != 0,
                    root: BridgeId::read(&c[2..10]),
                    root_path_cost: u32::from_be_bytes([c[10], c[11], c[12], c[13]]),
                    bridge_id: BridgeId::read(&c[14..22]),
                    port_id: be16(22),
                    message_age: be16(24),
                    max_age: be16(26),
                    hello_time: be16(28),
                    forward_delay: be16(30),
                }))
            }
            _ => Err(WireError::Unsupported("BPDU type")),
        }
    }

    /// The frame the kernel sends (br_send_config_bpdu, br_send_tcn_bpdu): an 802.3 header
    /// whose length field counts LLC and BPDU, no padding.
    pub fn to_frame(&self, src: MacAddr) -> Bytes {
        let mut d = vec![0u8, 0, 0];
        match self {
            Bpdu::Tcn => d.push(0x80),
            Bpdu::Config(c) => {
                d.push(0x00);
                d.push(u8::from(c.topology_change) | if c.topology_change_ack { 0x80 } else { 0 });
                c.root.write(&mut d);
                d.extend_from_slice(&c.root_path_cost.to_be_bytes());
                c.bridge_id.write(&mut d);
                for v in [
                    c.port_id,
                    c.message_age,
                    c.max_age,
                    c.hello_time,
                    c.forward_delay,
                ] {
                    d.extend_from_slice(&v.to_be_bytes());
                }
            }
        }
        let mut payload = LLC_STP.to_vec();
        payload.extend_from_slice(&d);
        ethernet_frame(src, STP_GROUP, payload.len() as u16, &payload)
    }
}

/// Is this EtherType one the stacks know? (Others are carried by the wire untouched.)
pub fn ethertype_name(t: u16) -> &'static str {
    match EtherType(t) {
        EtherType::IPV4 => "IPv4",
        EtherType::ARP => "ARP",
        EtherType::IPV6 => "IPv6",
        _ => "unknown",
    }
}

/// A one-line summary of a frame, in tcpdump's words (`ARP, Request who-has ... tell ...`).
pub fn summary(frame: &[u8]) -> String {
    let Ok(eth) = EthHeader::parse(frame) else {
        return format!("truncated frame, length {}", frame.len());
    };
    let payload = &frame[ETH_HLEN..];
    match eth.ethertype {
        ETHERTYPE_ARP => match ArpRepr::parse(payload) {
            Ok(a) => match a.op {
                ArpOp::Request => {
                    format!("ARP, Request who-has {} tell {}", a.target_ip, a.sender_ip)
                }
                ArpOp::Reply => format!("ARP, Reply {} is-at {}", a.sender_ip, a.sender_mac),
            },
            Err(_) => "ARP, malformed".to_string(),
        },
        ETHERTYPE_IPV4 => match Ipv4Repr::parse(payload) {
            // A later piece of a fragmented datagram carries no ICMP header (tcpdump: ip-proto-1).
            Ok((ip, _)) if ip.frag_offset != 0 => {
                format!("IP {} > {}: ip-proto-{}", ip.src, ip.dst, ip.protocol)
            }
            Ok((ip, rest)) if ip.protocol == IPPROTO_ICMP => match IcmpRepr::parse(rest) {
                Ok(IcmpRepr::EchoRequest { id, seq, .. }) => format!(
                    "IP {} > {}: ICMP echo request, id {id}, seq {seq}",
                    ip.src, ip.dst
                ),
                Ok(IcmpRepr::EchoReply { id, seq, .. }) => format!(
                    "IP {} > {}: ICMP echo reply, id {id}, seq {seq}",
                    ip.src, ip.dst
                ),
                Ok(IcmpRepr::DestUnreachable { code, .. }) => {
                    format!("IP {} > {}: ICMP unreachable, code {code}", ip.src, ip.dst)
                }
                Ok(IcmpRepr::TimeExceeded { .. }) => {
                    format!("IP {} > {}: ICMP time exceeded in-transit", ip.src, ip.dst)
                }
                Ok(IcmpRepr::Other { ty, .. }) => {
                    format!("IP {} > {}: ICMP type {ty}", ip.src, ip.dst)
                }
                Err(_) => format!("IP {} > {}: ICMP, malformed", ip.src, ip.dst),
            },
            Ok((ip, rest)) if ip.protocol == IPPROTO_IGMP => {
                format!("IP {} > {}: {}", ip.src, ip.dst, igmp_summary(rest))
            }
            Ok((ip, rest)) if ip.protocol == IPPROTO_UDP && rest.len() >= 8 => format!(
                "IP {}.{} > {}.{}: UDP, length {}",
                ip.src,
                u16::from_be_bytes([rest[0], rest[1]]),
                ip.dst,
                u16::from_be_bytes([rest[2], rest[3]]),
                rest.len() - 8
            ),
            Ok((ip, _)) => format!("IP {} > {}: proto {}", ip.src, ip.dst, ip.protocol),
            Err(_) => "IP, malformed".to_string(),
        },
        ETHERTYPE_IPV6 => ip6_summary(payload),
        t if t <= 1500 => match Bpdu::parse(frame) {
            Ok(Bpdu::Config(c)) => format!(
                "STP 802.1d, Config, root {:04x}.{} cost {}, bridge-id {:04x}.{}.{:04x}",
                c.root.prio,
                c.root.addr,
                c.root_path_cost,
                c.bridge_id.prio,
                c.bridge_id.addr,
                c.port_id
            ),
            Ok(Bpdu::Tcn) => "STP 802.1d, Topology Change".to_string(),
            Err(_) => format!("802.3, length {t}"),
        },
        t => format!("ethertype {} (0x{t:04x})", ethertype_name(t)),
    }
}

/// An IPv6 packet in tcpdump -nn's words (print-ip6.c, print-icmp6.c without lengths):
/// `IP6 SRC > DST: ` and, past a hop-by-hop header (`HBH `), the ICMPv6 message.
fn ip6_summary(p: &[u8]) -> String {
    let addr = |at: usize| -> Option<std::net::Ipv6Addr> {
        let b: [u8; 16] = p.get(at..at + 16)?.try_into().ok()?;
        Some(std::net::Ipv6Addr::from(b))
    };
    let (Some(src), Some(dst)) = (addr(8), addr(24)) else {
        return "IP6, malformed".to_string();
    };
    if p[0] >> 4 != 6 {
        return "IP6, malformed".to_string();
    }
    let mut out = format!("IP6 {src} > {dst}: ");
    let (mut nh, mut at) = (p[6], 40);
    if nh == 0 {
        let Some(h) = p.get(at..at + 2) else {
            out.push_str("HBH, malformed");
            return out;
        };
        out.push_str("HBH ");
        nh = h[0];
        at += (usize::from(h[1]) + 1) * 8;
    }
    let m = p.get(at..).unwrap_or(&[]);
    if nh != 58 {
        out.push_str(&format!("ip-proto-{nh}"));
        return out;
    }
    let be16 = |at: usize| m.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let target = |at: usize| -> Option<std::net::Ipv6Addr> {
        let b: [u8; 16] = m.get(at..at + 16)?.try_into().ok()?;
        Some(std::net::Ipv6Addr::from(b))
    };
    let what = match (m.first(), m.get(1)) {
        (Some(128 | 129), _) => match (be16(4), be16(6)) {
            (Some(id), Some(seq)) => format!(
                "echo {}, id {id}, seq {seq}",
                if m[0] == 128 { "request" } else { "reply" }
            ),
            _ => "echo, malformed".to_string(),
        },
        (Some(1), Some(code)) => format!("destination unreachable, code {code}"),
        (Some(2), _) => "packet too big".to_string(),
        (Some(3), _) => "time exceeded in-transit".to_string(),
        (Some(133), _) => "router solicitation".to_string(),
        (Some(134), _) => "router advertisement".to_string(),
        (Some(135), _) => match target(8) {
            Some(t) => format!("neighbor solicitation, who has {t}"),
            None => "neighbor solicitation, malformed".to_string(),
        },
        (Some(136), _) => match target(8) {
            Some(t) => format!("neighbor advertisement, tgt is {t}"),
            None => "neighbor advertisement, malformed".to_string(),
        },
        (Some(143), _) => match be16(6) {
            Some(n) => format!("multicast listener report v2, {n} group record(s)"),
            None => "multicast listener report v2, malformed".to_string(),
        },
        (Some(t), _) => format!("type {t}"),
        (None, _) => "malformed".to_string(),
    };
    out.push_str("ICMP6, ");
    out.push_str(&what);
    out
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn ipv6_is_named_as_tcpdump_names_it() {
        let ip6 = |nh: u8, src: &str, dst: &str, body: &[u8]| {
            let mut d = vec![0x60, 0, 0, 0];
            d.extend_from_slice(&(body.len() as u16).to_be_bytes());
            d.extend_from_slice(&[nh, 255]);
            d.extend_from_slice(&src.parse::<std::net::Ipv6Addr>().unwrap().octets());
            d.extend_from_slice(&dst.parse::<std::net::Ipv6Addr>().unwrap().octets());
            d.extend_from_slice(body);
            ethernet_frame(A, MacAddr([0x33, 0x33, 0, 0, 0, 1]), ETHERTYPE_IPV6, &d)
        };
        let mut ns = vec![135, 0, 0, 0, 0, 0, 0, 0];
        ns.extend_from_slice(&"fe80::1".parse::<std::net::Ipv6Addr>().unwrap().octets());
        assert_eq!(
            summary(&ip6(58, "::", "ff02::1:ff00:1", &ns)),
            "IP6 :: > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has fe80::1"
        );
        let mld = [58, 0, 5, 2, 0, 0, 1, 0, 143, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(
            summary(&ip6(0, "::", "ff02::16", &mld)),
            "IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s)"
        );
        assert_eq!(
            summary(&ip6(58, "fe80::1", "fe80::2", &[128, 0, 0, 0, 0, 7, 0, 1])),
            "IP6 fe80::1 > fe80::2: ICMP6, echo request, id 7, seq 1"
        );
        assert_eq!(
            summary(&ip6(17, "::1", "::2", &[])),
            "IP6 ::1 > ::2: ip-proto-17"
        );
        let f = ip6(0, "::", "ff02::16", &mld);
        for n in 0..f.len() {
            let _ = summary(&f[..n]);
        }
    }

    const A: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 1]);

    #[test]
    fn igmp_and_udp_are_named_as_tcpdump_names_them() {
        let ip = |proto: u8, payload: &[u8]| {
            let mut h = Ipv4Header::new(
                payload.len() as u16,
                1,
                IpNumber(proto),
                [10, 0, 0, 1],
                [224, 0, 0, 22],
            )
            .unwrap();
            h.header_checksum = h.calc_header_checksum();
            let mut d = h.to_bytes().to_vec();
            d.extend_from_slice(payload);
            ethernet_frame(A, MacAddr([1, 0, 0x5e, 0, 0, 0x16]), ETHERTYPE_IPV4, &d)
        };
        // A membership report as a host joining 224.0.0.251 sends it (one record).
        let v3 = [0x22, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 224, 0, 0, 251];
        assert_eq!(
            summary(&ip(IPPROTO_IGMP, &v3)),
            "IP 10.0.0.1 > 224.0.0.22: igmp v3 report, 1 group record(s)"
        );
        let leave = [0x17, 0, 0, 0, 224, 0, 0, 251];
        assert_eq!(
            summary(&ip(IPPROTO_IGMP, &leave)),
            "IP 10.0.0.1 > 224.0.0.22: igmp leave 224.0.0.251"
        );
        let udp = [0x8f, 0x03, 0, 53, 0, 11, 0, 0, 1, 2, 3];
        assert_eq!(
            summary(&ip(IPPROTO_UDP, &udp)),
            "IP 10.0.0.1.36611 > 224.0.0.22.53: UDP, length 3"
        );
    }

    #[test]
    fn arp_round_trip_is_42_bytes() {
        let req = ArpRepr {
            op: ArpOp::Request,
            sender_mac: A,
            sender_ip: Ipv4Addr::new(10, 0, 0, 1),
            target_mac: MacAddr::ZERO,
            target_ip: Ipv4Addr::new(10, 0, 0, 2),
        };
        let f = req.to_frame(A, MacAddr::BROADCAST);
        assert_eq!(f.len(), 42);
        let eth = EthHeader::parse(&f).unwrap();
        assert_eq!(eth.ethertype, ETHERTYPE_ARP);
        assert_eq!(ArpRepr::parse(&f[ETH_HLEN..]).unwrap(), req);
        assert_eq!(summary(&f), "ARP, Request who-has 10.0.0.2 tell 10.0.0.1");
    }

    #[test]
    fn fragments_as_the_kernel_cuts_them_and_join_again() {
        // ping -s 2000 over MTU 1500: 1480 + 528 bytes of data, offsets 0 and 185 (x8).
        let icmp = IcmpRepr::EchoRequest {
            id: 7,
            seq: 1,
            data: Bytes::from((0..2000).map(|i| i as u8).collect::<Vec<u8>>()),
        };
        let ip = Ipv4Params {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            ttl: 64,
            id: 0x1234,
            df: false,
            tos: 0,
        };
        let d = icmp_datagram(ip, &icmp);
        let f = fragment(&d, 1500).unwrap();
        assert_eq!(
            f.iter().map(|x| x.len()).collect::<Vec<_>>(),
            vec![1500, 548]
        );
        let (a, _) = Ipv4Repr::parse(&f[0]).unwrap();
        let (b, _) = Ipv4Repr::parse(&f[1]).unwrap();
        assert_eq!((a.frag_offset, a.more_fragments, a.id), (0, true, 0x1234));
        assert_eq!(
            (b.frag_offset, b.more_fragments, b.id),
            (1480, false, 0x1234)
        );
        assert_eq!(checksum(&f[1][..20]), 0);
        let pieces: Vec<(usize, Bytes)> = f
            .iter()
            .rev()
            .map(|x| {
                let (r, p) = Ipv4Repr::parse(x).unwrap();
                (r.frag_offset, Bytes::copy_from_slice(p))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let whole = reassemble(&f[0][..20], &pieces, 2008).unwrap();
        assert_eq!(whole, d);
        assert_eq!(reassemble(&f[0][..20], &pieces[..1], 2008), None);
        // What fits is not cut.
        assert_eq!(fragment(&d, 2028).unwrap(), vec![d.clone()]);
        // Summaries as tcpdump prints them: the first piece is ICMP, the next only IP.
        let framed = |x: &Bytes| ethernet_frame(A, MacAddr::BROADCAST, ETHERTYPE_IPV4, x);
        assert_eq!(
            summary(&framed(&f[0])),
            "IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1"
        );
        assert_eq!(
            summary(&framed(&f[1])),
            "IP 10.0.0.1 > 10.0.0.2: ip-proto-1"
        );
    }

    #[test]
    fn echo_round_trip_is_98_bytes() {
        let icmp = IcmpRepr::EchoRequest {
            id: 7,
            seq: 1,
            data: Bytes::from(vec![0u8; 56]),
        };
        let ip = Ipv4Params {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            ttl: 64,
            id: 0,
            df: true,
            tos: 0xc0,
        };
        let f = icmp_frame(A, MacAddr::BROADCAST, ip, &icmp);
        assert_eq!(f.len(), 98);
        let (ipr, rest) = Ipv4Repr::parse(&f[ETH_HLEN..]).unwrap();
        assert_eq!(ipr.ttl, 64);
        assert_eq!(ipr.tos, 0xc0);
        assert_eq!(checksum(&f[ETH_HLEN..ETH_HLEN + 20]), 0);
        assert_eq!(IcmpRepr::parse(rest).unwrap(), icmp);
        let fwd = decrement_ttl(&f[ETH_HLEN..]).unwrap();
        assert_eq!(Ipv4Repr::parse(&fwd).unwrap().0.ttl, 63);
        assert_eq!(checksum(&fwd[..20]), 0);
    }

    #[test]
    fn short_input_is_an_error() {
        for n in 0..60 {
            let junk = vec![0x45u8; n];
            let _ = EthHeader::parse(&junk);
            let _ = ArpRepr::parse(&junk);
            let _ = Ipv4Repr::parse(&junk);
            let _ = IcmpRepr::parse(&junk);
            let _ = summary(&junk);
        }
        assert!(EthHeader::parse(&[0u8; 13]).is_err());
    }

    #[test]
    fn config_bpdu_is_the_kernels() {
        // The BPDU a bridge with address 02:00:00:00:00:b0 sent from its port 1 as root, as
        // tcpdump -x showed it on the kernel (after the LLC header).
        let kernel = [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xb0, 0x00,
            0x00, 0x00, 0x00, 0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0xb0, 0x80, 0x01, 0x00,
            0x00, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00,
        ];
        let me = BridgeId {
            prio: 0x8000,
            addr: MacAddr([2, 0, 0, 0, 0, 0xb0]),
        };
        let b = Bpdu::Config(ConfigBpdu {
            topology_change: false,
            topology_change_ack: false,
            root: me,
            root_path_cost: 0,
            bridge_id: me,
            port_id: 0x8001,
            message_age: 0,
            max_age: 20 * 256,
            hello_time: 2 * 256,
            forward_delay: 15 * 256,
        });
        let f = b.to_frame(me.addr);
        assert_eq!(f.len(), 52);
        assert_eq!(&f[..6], &STP_GROUP.0);
        assert_eq!(&f[12..17], &[0x00, 38, 0x42, 0x42, 0x03]);
        assert_eq!(&f[17..], &kernel);
        assert_eq!(Bpdu::parse(&f), Ok(b));
        let tcn = Bpdu::Tcn.to_frame(me.addr);
        assert_eq!(tcn.len(), 21);
        assert_eq!(Bpdu::parse(&tcn), Ok(Bpdu::Tcn));
        // Short or foreign frames are errors, not panics.
        for n in 0..f.len() - 1 {
            let _ = Bpdu::parse(&f[..n]);
        }
        assert!(Bpdu::parse(&f[..40]).is_err());
    }
}
