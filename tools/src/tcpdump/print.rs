//! The packet printer: one frame as tcpdump 4.99 prints it (print-ether.c, print-arp.c,
//! print-ip.c, print-icmp.c, print-ip6.c, print-icmp6.c) for Ethernet, ARP, IPv4, ICMP, IPv6
//! and ICMPv6 (neighbour discovery, MLDv2), with `-e`, `-v`, `-q`, `-n`
//! and the `-t` family of timestamp forms. Works on raw bytes and never panics on short
//! frames: what is cut off is marked as tcpdump marks it (` [|arp]`).

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

/// How to print, from tcpdump's flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrintOpts {
    /// `-n` count: addresses are not resolved (names are never looked up here; without `-n`
    /// MACs get tcpdump's `(oui ...)` note).
    pub numeric: u8,
    /// `-e`: print the link-level header.
    pub eflag: bool,
    /// `-v` count.
    pub vflag: u8,
    /// `-q`: quick output.
    pub qflag: bool,
    /// `-t` count: 0 = time of day, 1 = none, 2 = seconds since the epoch, 3 = delta from the
    /// previous packet, 4 = date and time, 5 = delta from the first packet.
    pub tflag: u8,
}

/// Formats timestamps, remembering the previous and first packet for `-ttt` / `-ttttt`.
#[derive(Debug, Clone, Default)]
pub struct Stamper {
    prev: Option<Duration>,
    first: Option<Duration>,
}

impl Stamper {
    /// The timestamp prefix (with its trailing space) for a packet at `ts` since the epoch.
    pub fn stamp(&mut self, ts: Duration, opts: &PrintOpts) -> String {
        let s = match opts.tflag {
            1 => String::new(),
            2 => format!("{}.{:06} ", ts.as_secs(), ts.subsec_micros()),
            3 => delta(ts.saturating_sub(self.prev.unwrap_or(ts))),
            4 => {
                let t = local(ts.as_secs() as i64);
                format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06} ",
                    t.year,
                    t.mon,
                    t.mday,
                    t.hour,
                    t.min,
                    t.sec,
                    ts.subsec_micros()
                )
            }
            5 => delta(ts.saturating_sub(self.first.unwrap_or(ts))),
            _ => {
                let t = local(ts.as_secs() as i64);
                format!(
                    "{:02}:{:02}:{:02}.{:06} ",
                    t.hour,
                    t.min,
                    t.sec,
                    ts.subsec_micros()
                )
            }
        };
        self.prev = Some(ts);
        self.first.get_or_insert(ts);
        s
    }
}

fn delta(d: Duration) -> String {
    let s = d.as_secs();
    format!(
        " {:02}:{:02}:{:02}.{:06} ",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        d.subsec_micros()
    )
}

struct Tm {
    year: i32,
    mon: u32,
    mday: u32,
    hour: u32,
    min: u32,
    sec: u32,
}

/// Local time as tcpdump prints it (localtime(3), so TZ is honoured).
fn local(secs: i64) -> Tm {
    let t: libc::time_t = secs as libc::time_t;
    // SAFETY: localtime_r only writes into the tm we pass; a zeroed tm is a valid value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        let day = secs.rem_euclid(86_400) as u32;
        return Tm {
            year: 1970,
            mon: 1,
            mday: 1,
            hour: day / 3600,
            min: (day / 60) % 60,
            sec: day % 60,
        };
    }
    Tm {
        year: tm.tm_year + 1900,
        mon: (tm.tm_mon + 1) as u32,
        mday: tm.tm_mday as u32,
        hour: tm.tm_hour as u32,
        min: tm.tm_min as u32,
        sec: tm.tm_sec as u32,
    }
}

/// One packet as tcpdump prints it for timestamp `ts` (since the Unix epoch): the time of day
/// (or the form `opts.tflag` asks for, deltas counted from this packet alone), then the
/// decode; lines after the first (with `-v`) are joined by `\n`, no trailing newline.
// `l2lab test` decodes captures with it.
#[allow(dead_code)]
pub fn line(frame: &[u8], ts: Duration, opts: &PrintOpts) -> String {
    let mut st = Stamper::default();
    let mut s = st.stamp(ts, opts);
    s.push_str(&packet(frame, frame.len(), opts));
    s
}

/// The decode of one Ethernet frame (`caplen` = bytes present = `frame.len()`, `len` = its
/// length on the wire), without the timestamp.
pub fn packet(frame: &[u8], len: usize, opts: &PrintOpts) -> String {
    let mut o = String::new();
    ether(&mut o, frame, len.max(frame.len()), opts);
    o
}

fn mac_str(m: &[u8], opts: &PrintOpts) -> String {
    let s = m
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":");
    if opts.numeric == 0 {
        if m.iter().all(|&b| b == 0xff) {
            return "Broadcast".into();
        }
        // tcpdump's OUI table names vendors; the emulated hosts' random, locally administered
        // addresses are never in it.
        return format!("{s} (oui Unknown)");
    }
    s
}

fn ip_at(b: &[u8], at: usize) -> Option<Ipv4Addr> {
    let s = b.get(at..at + 4)?;
    Some(Ipv4Addr::new(s[0], s[1], s[2], s[3]))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

fn ethertype_name(t: u16) -> Option<&'static str> {
    Some(match t {
        0x0800 => "IPv4",
        0x0806 => "ARP",
        0x8035 => "Reverse ARP",
        0x86dd => "IPv6",
        0x8100 => "802.1Q",
        0x88cc => "LLDP",
        0x8847 => "MPLS unicast",
        0x88a8 => "802.1Q-QinQ",
        _ => return None,
    })
}

fn ether_type(o: &mut String, t: u16, opts: &PrintOpts) {
    let name = ethertype_name(t);
    if opts.qflag {
        match name {
            Some(n) => o.push_str(n),
            None => {
                let _ = write!(o, "Unknown Ethertype (0x{t:04x})");
            }
        }
    } else {
        let _ = write!(o, "ethertype {} (0x{t:04x})", name.unwrap_or("Unknown"));
    }
}

fn ether(o: &mut String, f: &[u8], len: usize, opts: &PrintOpts) {
    if f.len() < 14 {
        o.push_str("[|ether]");
        return;
    }
    let (dst, src) = (&f[0..6], &f[6..12]);
    if opts.eflag {
        let _ = write!(o, "{} > {}, ", mac_str(src, opts), mac_str(dst, opts));
    }
    let t = u16::from_be_bytes([f[12], f[13]]);
    let payload = &f[14..];
    let plen = len.saturating_sub(14);
    if t <= 1500 {
        if opts.eflag {
            let _ = write!(o, "802.3, length {}: ", t);
        }
        llc(o, payload, opts);
        return;
    }
    if opts.eflag {
        ether_type(o, t, opts);
        let _ = write!(o, ", length {len}: ");
    }
    match t {
        0x0806 => arp(o, payload, plen, opts),
        0x0800 => ip(o, payload, opts),
        0x86dd => ip6(o, payload, opts),
        _ => {
            if !opts.eflag {
                let _ = write!(o, "{} > {}, ", mac_str(src, opts), mac_str(dst, opts));
                ether_type(o, t, opts);
                let _ = write!(o, ", length {len}: ");
            }
            hex(o, payload);
        }
    }
}

/// print-llc.c: an 802.2 header; with `-e` its SAPs and control, then what it carries
/// (only STP's SAP 0x42 is decoded here).
fn llc(o: &mut String, p: &[u8], opts: &PrintOpts) {
    let [dsap, ssap, ctrl, ..] = *p else {
        o.push_str("LLC");
        return;
    };
    if dsap != 0x42 || ssap != 0x42 || ctrl != 0x03 {
        o.push_str("LLC");
        return;
    }
    if opts.eflag {
        o.push_str("LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: ");
    }
    stp(o, &p[3..], opts);
}

/// print-stp.c for 802.1D BPDUs: `STP 802.1d, Config, Flags [...], bridge-id ..., length N`,
/// with `-v` the timers and the root.
fn stp(o: &mut String, b: &[u8], opts: &PrintOpts) {
    let len = b.len();
    if len < 4 || b[0] != 0 || b[1] != 0 {
        o.push_str("[|stp]");
        return;
    }
    if b[2] != 0 {
        let _ = write!(o, "STP Unknown STP protocol (0x{:02x})", b[2]);
        return;
    }
    o.push_str("STP 802.1d");
    match b[3] {
        0x80 => o.push_str(", Topology Change"),
        0x00 => {
            o.push_str(", Config");
            if len < 35 {
                o.push_str(" [|stp]");
                return;
            }
            let flags: Vec<&str> = [
                (0x01, "Topology change"),
                (0x02, "Proposal"),
                (0x10, "Learn"),
                (0x20, "Forward"),
                (0x40, "Agreement"),
                (0x80, "Topology change ACK"),
            ]
            .iter()
            .filter(|(bit, _)| b[4] & bit != 0)
            .map(|(_, n)| *n)
            .collect();
            let flags = if flags.is_empty() {
                "none".to_string()
            } else {
                flags.join(", ")
            };
            let id = |at: usize| {
                format!(
                    "{:04x}.{}",
                    u16::from_be_bytes([b[at], b[at + 1]]),
                    b[at + 2..at + 8]
                        .iter()
                        .map(|x| format!("{x:02x}"))
                        .collect::<Vec<_>>()
                        .join(":")
                )
            };
            let be16 = |at: usize| u16::from_be_bytes([b[at], b[at + 1]]);
            let _ = write!(
                o,
                ", Flags [{flags}], bridge-id {}.{:04x}, length {len}",
                id(17),
                be16(25)
            );
            if opts.vflag > 0 {
                let t = |at: usize| f32::from(be16(at)) / 256.0;
                let _ = write!(
                    o,
                    "\n\tmessage-age {:.2}s, max-age {:.2}s, hello-time {:.2}s, forwarding-delay {:.2}s",
                    t(27),
                    t(29),
                    t(31),
                    t(33)
                );
                let cost = u32::from_be_bytes([b[13], b[14], b[15], b[16]]);
                let _ = write!(o, "\n\troot-id {}, root-pathcost {cost}", id(5));
            }
        }
        t => {
            let _ = write!(o, ", Unknown BPDU Type (0x{t:02x})");
        }
    }
}

/// tcpdump's default print of bytes it does not decode (hex, 16 bytes a line).
fn hex(o: &mut String, b: &[u8]) {
    for (i, chunk) in b.chunks(16).enumerate() {
        let _ = write!(o, "\n\t0x{:04x}:  ", i * 16);
        let words: Vec<String> = chunk
            .chunks(2)
            .map(|w| w.iter().map(|x| format!("{x:02x}")).collect())
            .collect();
        o.push_str(&words.join(" "));
    }
}

fn arp(o: &mut String, a: &[u8], len: usize, opts: &PrintOpts) {
    if !opts.eflag {
        o.push_str("ARP, ");
    }
    let (Some(hrd), Some(pro), Some(&hln), Some(&pln), Some(op)) =
        (be16(a, 0), be16(a, 2), a.get(4), a.get(5), be16(a, 6))
    else {
        o.push_str("[|ARP]");
        return;
    };
    let (hln, pln) = (usize::from(hln), usize::from(pln));
    let sha = 8;
    let spa = sha + hln;
    let tha = spa + pln;
    let tpa = tha + hln;
    if a.len() < tpa + pln {
        o.push_str("[|ARP]");
        return;
    }
    let is_ip = pro == 0x0800 || pro == 0x1000;
    if !is_ip || pln != 4 || hln == 0 || opts.vflag > 0 {
        let hname = match hrd {
            1 => "Ethernet".to_string(),
            6 => "IEEE 802".to_string(),
            15 => "Frame Relay".to_string(),
            h => format!("Unknown Hardware ({h})"),
        };
        let pname = match ethertype_name(pro) {
            Some(n) => n.to_string(),
            None => format!("Unknown Protocol (0x{pro:04x})"),
        };
        let _ = write!(o, "{hname} (len {hln}), {pname} (len {pln})");
        if opts.vflag == 0 {
            let _ = write!(o, ", length {len}");
            return;
        }
    }
    let pa = |at: usize| -> String {
        if !is_ip {
            "<wrong proto type>".into()
        } else if pln != 4 {
            "<wrong len>".into()
        } else {
            ip_at(a, at).map(|x| x.to_string()).unwrap_or_default()
        }
    };
    let ha = |at: usize| mac_str(&a[at..at + hln], opts);
    let sep = if opts.vflag > 0 { ", " } else { "" };
    let opname = match op {
        1 => "Request".to_string(),
        2 => "Reply".to_string(),
        3 => "Reverse Request".to_string(),
        4 => "Reverse Reply".to_string(),
        8 => "Inverse Request".to_string(),
        9 => "Inverse Reply".to_string(),
        10 => "NACK Reply".to_string(),
        n => format!("Unknown ({n})"),
    };
    let _ = write!(o, "{sep}{opname} ");
    match op {
        1 => {
            let _ = write!(o, "who-has {}", pa(tpa));
            if a[tha..tha + hln].iter().any(|&b| b != 0) {
                let _ = write!(o, " ({})", ha(tha));
            }
            let _ = write!(o, " tell {}", pa(spa));
        }
        2 => {
            let _ = write!(o, "{} is-at {}", pa(spa), ha(sha));
        }
        3 | 8 => {
            let _ = write!(o, "who-is {} tell {}", ha(tha), ha(sha));
        }
        4 => {
            let _ = write!(o, "{} at {}", ha(tha), pa(tpa));
        }
        9 => {
            let _ = write!(o, "{} at {}", ha(sha), pa(spa));
        }
        _ => {}
    }
    let _ = write!(o, ", length {len}");
}

fn proto_name(p: u8) -> &'static str {
    match p {
        0 => "HBH",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        47 => "GRE",
        50 => "ESP",
        51 => "AH",
        58 => "ICMPv6",
        89 => "OSPF",
        103 => "PIM",
        112 => "VRRP",
        132 => "SCTP",
        _ => "unknown",
    }
}

fn ip(o: &mut String, b: &[u8], opts: &PrintOpts) {
    let Some(&v) = b.first() else {
        o.push_str("[|ip]");
        return;
    };
    if v >> 4 != 4 {
        if v >> 4 == 6 {
            o.push_str("IP6, wrong link-layer encapsulation (invalid)");
        } else {
            let _ = write!(o, "IP{} (invalid)", v >> 4);
        }
        return;
    }
    if !opts.eflag {
        o.push_str("IP ");
    }
    ip_body(o, b, b.len(), opts);
}

/// print-ip6.c's ip6_print: `IP6 ` (not with -e), with -v the header in parentheses (traffic
/// class and flow label when set, hop limit, next header, payload length), `SRC > DST: `,
/// then a hop-by-hop header as `HBH ` (with -v its options), then ICMPv6 or the protocol.
fn ip6(o: &mut String, b: &[u8], opts: &PrintOpts) {
    if b.len() < 40 {
        o.push_str("[|ip6]");
        return;
    }
    if b[0] >> 4 != 6 {
        let _ = write!(o, "IP{} (invalid)", b[0] >> 4);
        return;
    }
    if !opts.eflag {
        o.push_str("IP6 ");
    }
    let (src, dst) = (v6_at(b, 8), v6_at(b, 24));
    let plen = usize::from(u16::from_be_bytes([b[4], b[5]]));
    let mut nh = b[6];
    if opts.vflag > 0 {
        let flow = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        o.push('(');
        if flow & 0x0ff0_0000 != 0 {
            let _ = write!(o, "class 0x{:02x}, ", (flow & 0x0ff0_0000) >> 20);
        }
        if flow & 0x000f_ffff != 0 {
            let _ = write!(o, "flowlabel 0x{:05x}, ", flow & 0x000f_ffff);
        }
        let _ = write!(
            o,
            "hlim {}, next-header {} ({nh}) payload length: {plen}) ",
            b[7],
            ip6_proto_name(nh)
        );
    }
    let mut at = 40;
    let (Some(src), Some(dst)) = (src, dst) else {
        return;
    };
    let _ = write!(o, "{src} > {dst}: ");
    let end = (40 + plen).min(b.len());
    let mut fragmented = false;
    loop {
        match nh {
            // The hop-by-hop options header (first if at all): its length in 8-byte units
            // past the first 8.
            0 if at == 40 => {
                let Some(h) = b.get(at..at + 2) else {
                    o.push_str("[|HBH]");
                    return;
                };
                o.push_str("HBH ");
                let hlen = (usize::from(h[1]) + 1) * 8;
                if opts.vflag > 0 {
                    match b.get(at + 2..at + hlen) {
                        Some(opt) => ip6_options(o, opt),
                        None => {
                            o.push_str("[|HBH]");
                            return;
                        }
                    }
                }
                nh = h[0];
                at += hlen;
            }
            // print-frag6.c: offset and length of this piece (with -v the identification
            // first); only the first piece goes on to what it carries.
            44 => {
                let Some(h) = b.get(at..at + 4) else {
                    o.push_str("[|frag]");
                    return;
                };
                let off = u16::from_be_bytes([h[2], h[3]]) & 0xfff8;
                let len = (40 + plen).saturating_sub(at + 8);
                if opts.vflag > 0 {
                    let Some(id) = b.get(at + 4..at + 8) else {
                        o.push_str("[|frag]");
                        return;
                    };
                    let id = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
                    let _ = write!(o, "frag (0x{id:08x}:{off}|{len})");
                } else {
                    let _ = write!(o, "frag ({off}|{len})");
                }
                // A later piece, or a first one cut off in the capture, says no more.
                if off != 0 {
                    return;
                }
                if b.len() <= at + 8 {
                    o.push(' ');
                    return;
                }
                o.push(' ');
                fragmented = true;
                nh = h[0];
                at += 8;
            }
            _ => break,
        }
    }
    let body = b.get(at..end).unwrap_or(&[]);
    // The upper-layer length the checksum covers: what the payload length says is there.
    let ulen = (40 + plen).saturating_sub(at);
    match nh {
        58 => icmp6(o, body, ulen, (src, dst), fragmented, opts),
        _ => {
            let _ = write!(o, "ip-proto-{nh} {}", body.len());
        }
    }
}

fn v6_at(b: &[u8], at: usize) -> Option<Ipv6Addr> {
    let s: [u8; 16] = b.get(at..at + 16)?.try_into().ok()?;
    Some(Ipv6Addr::from(s))
}

/// ipproto.c's names, as print-ip6.c shows the next header with -v.
fn ip6_proto_name(p: u8) -> &'static str {
    match p {
        0 => "Options",
        43 => "Routing",
        44 => "Fragment",
        60 => "Destination Options",
        59 => "none",
        _ => match proto_name(p) {
            "HBH" => "Options",
            n => n,
        },
    }
}

/// print-ip6opts.c's ip6_opt_print: the hop-by-hop options with -v, then a space.
fn ip6_options(o: &mut String, mut opt: &[u8]) {
    while let Some(&ty) = opt.first() {
        if ty == 0 {
            o.push_str("(pad1)");
            opt = &opt[1..];
            continue;
        }
        let Some(&len) = opt.get(1) else {
            o.push_str("[trunc]");
            return;
        };
        let len = usize::from(len) + 2;
        let Some(this) = opt.get(..len) else {
            o.push_str("[trunc]");
            return;
        };
        match ty {
            1 => o.push_str("(padn)"),
            5 if len == 4 => {
                let _ = write!(o, "(rtalert: 0x{:02x}{:02x}) ", this[2], this[3]);
            }
            5 => {
                let _ = write!(o, "(rtalert: invalid len {})", len - 2);
            }
            _ => {
                let _ = write!(o, "(opt_type 0x{ty:02x}: len={})", len - 2);
            }
        }
        opt = &opt[len..];
    }
    o.push(' ');
}

/// The ICMPv6 checksum over the pseudo-header (RFC 8200 8.1): zero when the message is intact.
fn icmp6_sum(src: Ipv6Addr, dst: Ipv6Addr, d: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut add = |b: &[u8]| {
        for c in b.chunks(2) {
            sum += u32::from(u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]));
        }
    };
    add(&src.octets());
    add(&dst.octets());
    add(&(d.len() as u32).to_be_bytes());
    add(&[0, 0, 0, 58]);
    add(d);
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// print-icmp6.c: the message's name and what identifies it; with -v the checksum verdict
/// first, the ND messages' flags and options, MLDv2's group records; the length last
/// without -v (first for ND messages with -v).
fn icmp6(
    o: &mut String,
    d: &[u8],
    len: usize,
    (src, dst): (Ipv6Addr, Ipv6Addr),
    fragmented: bool,
    opts: &PrintOpts,
) {
    let Some(&ty) = d.first() else {
        o.push_str("[|icmp6]");
        return;
    };
    if d.len() < 4 {
        o.push_str("[|icmp6]");
        return;
    }
    let v = opts.vflag;
    // A first fragment's checksum covers pieces not here: tcpdump does not check it.
    if v > 0 && !fragmented && d.len() >= len {
        let d = &d[..len];
        match icmp6_sum(src, dst, d) {
            0 => o.push_str("[icmp6 sum ok] "),
            sum => {
                let had = u16::from_be_bytes([d[2], d[3]]);
                let mut should = u32::from(had) + u32::from(sum);
                should = (should & 0xffff) + (should >> 16);
                let _ = write!(
                    o,
                    "[bad icmp6 cksum 0x{had:04x} -> 0x{:04x}!] ",
                    should & 0xffff
                );
            }
        }
    }
    let be = |at: usize| be16(d, at);
    let nd = matches!(ty, 133..=137);
    let name = match ty {
        1 => "destination unreachable",
        2 => "packet too big",
        3 => "time exceeded in-transit",
        4 => "parameter problem",
        128 => "echo request",
        129 => "echo reply",
        130 => "multicast listener query",
        131 => "multicast listener report",
        132 => "multicast listener done",
        133 => "router solicitation",
        134 => "router advertisement",
        135 => "neighbor solicitation",
        136 => "neighbor advertisement",
        137 => "redirect",
        143 => "multicast listener report v2",
        200 => "mtrace response",
        201 => "mtrace message",
        _ => "",
    };
    // The types print-icmp6.c's switch decodes; the others get their length and a hex dump.
    if !matches!(ty, 1..=4 | 128..=137 | 143) {
        if name.is_empty() {
            let _ = write!(o, "ICMP6, unknown icmp6 type ({ty}), length {len}");
        } else {
            let _ = write!(o, "ICMP6, {name}, length {len}");
        }
        if v <= 1 {
            hex_ident(o, "\n\t", d.get(..len).unwrap_or(d));
        }
        return;
    }
    let _ = write!(o, "ICMP6, {name}");
    if v > 0 && nd {
        let _ = write!(o, ", length {len}");
    }
    // The message's own bytes, as far as its length and the capture go.
    let m = d.get(..len).unwrap_or(d);
    match ty {
        128 | 129 => match (be(4), be(6)) {
            (Some(id), Some(seq)) => {
                let _ = write!(o, ", id {id}, seq {seq}");
            }
            _ => {
                o.push_str("[|icmp6]");
                return;
            }
        },
        1 => {
            let Some(inner) = v6_at(m, 32) else {
                o.push_str("[|icmp6]");
                return;
            };
            let code = m[1];
            let what = match code {
                0 => "unreachable route",
                1 => "unreachable prohibited",
                2 => "beyond scope",
                3 => "unreachable address",
                4 => "unreachable port",
                _ => "",
            };
            match code {
                0 | 1 | 3 => {
                    let _ = write!(o, ", {what} {inner}");
                }
                4 => {
                    let _ = write!(o, ", {what}");
                    let port = be16(m, 50);
                    match (m.get(14), port) {
                        (Some(6), Some(p)) => {
                            let _ = write!(o, ", {inner} tcp port {p}");
                        }
                        (Some(17), Some(p)) => {
                            let _ = write!(o, ", {inner} udp port {p}");
                        }
                        (Some(&nh), Some(p)) => {
                            let _ = write!(o, ", {inner} protocol {nh} port {p} unreachable");
                        }
                        _ => {
                            o.push_str(" [|icmp6]");
                            return;
                        }
                    }
                }
                _ => {
                    if what.is_empty() {
                        let _ = write!(o, ", unknown unreach code ({code})");
                    } else {
                        let _ = write!(o, ", {what}");
                    }
                    if v <= 1 {
                        hex_ident(o, "\n\t", m);
                        return;
                    }
                }
            }
        }
        3 => {
            let Some(inner) = v6_at(m, 32) else {
                o.push_str("[|icmp6]");
                return;
            };
            match m[1] {
                0 => {
                    let _ = write!(o, " for {inner}");
                }
                1 => o.push_str(" (reassembly)"),
                c => {
                    let _ = write!(o, ", unknown code ({c})");
                }
            }
        }
        2 => match m.get(4..8) {
            Some(x) => {
                let _ = write!(o, ", mtu {}", u32::from_be_bytes([x[0], x[1], x[2], x[3]]));
            }
            None => {
                o.push_str("[|icmp6]");
                return;
            }
        },
        133 if v > 0 => nd_options(o, m.get(8..).unwrap_or(&[]), opts),
        135 => match v6_at(m, 8) {
            Some(t) => {
                let _ = write!(o, ", who has {t}");
                if v > 0 {
                    nd_options(o, m.get(24..).unwrap_or(&[]), opts);
                }
            }
            None => {
                o.push_str("[|icmp6]");
                return;
            }
        },
        136 => match v6_at(m, 8) {
            Some(t) => {
                let _ = write!(o, ", tgt is {t}");
                if v > 0 {
                    let flags = [(0x80, "router"), (0x40, "solicited"), (0x20, "override")]
                        .iter()
                        .filter(|(bit, _)| m[4] & bit != 0)
                        .map(|(_, n)| *n)
                        .collect::<Vec<_>>();
                    let flags = if flags.is_empty() {
                        "none".to_string()
                    } else {
                        flags.join(", ")
                    };
                    let _ = write!(o, ", Flags [{flags}]");
                    nd_options(o, m.get(24..).unwrap_or(&[]), opts);
                }
            }
            None => {
                o.push_str("[|icmp6]");
                return;
            }
        },
        143 if !mldv2_report(o, m, v) => return,
        _ => {}
    }
    if v == 0 {
        let _ = write!(o, ", length {len}");
    }
}

/// mldv2_report_print: the number of records; with -v each record's group, its type and
/// (-v) how many sources or (-vv) the sources themselves. False when cut short.
fn mldv2_report(o: &mut String, m: &[u8], v: u8) -> bool {
    let Some(n) = be16(m, 6) else {
        o.push_str("[|icmp6]");
        return false;
    };
    let _ = write!(o, ", {n} group record(s)");
    if v == 0 {
        return true;
    }
    let mut at = 8;
    for _ in 0..n {
        let (Some(&rt), Some(nsrc), Some(group)) = (m.get(at), be16(m, at + 2), v6_at(m, at + 4))
        else {
            o.push_str(" [invalid number of groups]");
            return true;
        };
        let kind = match rt {
            1 => "is_in".to_string(),
            2 => "is_ex".to_string(),
            3 => "to_in".to_string(),
            4 => "to_ex".to_string(),
            5 => "allow".to_string(),
            6 => "block".to_string(),
            t => format!(" [v2-report-#{t}]"),
        };
        let _ = write!(o, " [gaddr {group} {kind}");
        let nsrc = usize::from(nsrc);
        if m.len() < at + 20 + nsrc * 16 {
            let _ = write!(o, " [invalid number of sources {nsrc}]");
            return true;
        }
        if v == 1 {
            let _ = write!(o, ", {nsrc} source(s)");
        } else {
            o.push_str(" {");
            for i in 0..nsrc {
                if let Some(s) = v6_at(m, at + 20 + i * 16) {
                    let _ = write!(o, " {s}");
                }
            }
            o.push_str(" }");
        }
        o.push(']');
        at += 20 + nsrc * 16;
    }
    true
}

/// icmp6_opt_print: each neighbour discovery option on its own line; an option it does not
/// know is dumped in hex and ends the list unless -vv, which dumps every option's bytes.
fn nd_options(o: &mut String, mut b: &[u8], opts: &PrintOpts) {
    while let Some(&[ty, len]) = b.get(..2).and_then(|h| <&[u8; 2]>::try_from(h).ok()) {
        let size = usize::from(len) * 8;
        if len == 0 || b.len() < size {
            o.push_str(" [|icmp6]");
            return;
        }
        let name = match ty {
            1 => "source link-address",
            2 => "destination link-address",
            3 => "prefix info",
            4 => "redirected header",
            5 => "mtu",
            7 => "advertisement interval",
            8 => "homeagent information",
            24 => "route info",
            25 => "rdnss",
            31 => "dnssl",
            _ => "unknown",
        };
        let _ = write!(o, "\n\t  {name} option ({ty}), length {size} ({len}): ");
        let data = &b[2..size];
        match ty {
            1 | 2 => o.push_str(&lladdr(data, opts)),
            5 => {
                if let Some(x) = data.get(2..6) {
                    let _ = write!(o, " {}", u32::from_be_bytes([x[0], x[1], x[2], x[3]]));
                    if len != 1 {
                        o.push_str("bad option length");
                    }
                }
            }
            _ => {
                if opts.vflag <= 1 {
                    hex_ident(o, "\n\t  ", data);
                    return;
                }
            }
        }
        if opts.vflag > 1 {
            hex_ident(o, "\n\t    ", data);
        }
        b = &b[size..];
    }
}

/// print_lladdr: a link-layer address as colon-separated hex.
fn lladdr(b: &[u8], _opts: &PrintOpts) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// hex_print: bytes in hex, 16 a line, each line led by `ident`.
fn hex_ident(o: &mut String, ident: &str, b: &[u8]) {
    for (i, chunk) in b.chunks(16).enumerate() {
        let _ = write!(o, "{ident}0x{:04x}: ", i * 16);
        for w in chunk.chunks(2) {
            o.push(' ');
            for x in w {
                let _ = write!(o, "{x:02x}");
            }
        }
    }
}

fn ip_body(o: &mut String, b: &[u8], length: usize, opts: &PrintOpts) {
    if b.len() < 20 {
        o.push_str("[|ip]");
        return;
    }
    let hlen = usize::from(b[0] & 0x0f) * 4;
    if hlen < 20 {
        let _ = write!(o, "bad-hlen {hlen}");
        return;
    }
    let mut len = usize::from(u16::from_be_bytes([b[2], b[3]]));
    if length < len {
        let _ = write!(o, "truncated-ip - {} bytes missing! ", len - length);
    }
    if len < hlen {
        let _ = write!(o, "bad-len {len}");
        return;
    }
    let end = len.min(b.len());
    let b = &b[..end];
    len -= hlen;
    let off = u16::from_be_bytes([b[6], b[7]]);
    let proto = b[9];
    let (src, dst) = (
        Ipv4Addr::new(b[12], b[13], b[14], b[15]),
        Ipv4Addr::new(b[16], b[17], b[18], b[19]),
    );
    if opts.vflag > 0 {
        let tos = b[1];
        let _ = write!(o, "(tos 0x{tos:x}");
        match tos & 3 {
            1 => o.push_str(",ECT(1)"),
            2 => o.push_str(",ECT(0)"),
            3 => o.push_str(",CE"),
            _ => {}
        }
        if b[8] >= 1 {
            let _ = write!(o, ", ttl {}", b[8]);
        }
        let mut flags = Vec::new();
        if off & 0x2000 != 0 {
            flags.push("+");
        }
        if off & 0x4000 != 0 {
            flags.push("DF");
        }
        if off & 0x8000 != 0 {
            flags.push("rsvd");
        }
        let flags = if flags.is_empty() {
            "none".to_string()
        } else {
            flags.join(", ")
        };
        let _ = write!(
            o,
            ", id {}, offset {}, flags [{}], proto {} ({}), length {}",
            u16::from_be_bytes([b[4], b[5]]),
            (off & 0x1fff) * 8,
            flags,
            proto_name(proto),
            proto,
            u16::from_be_bytes([b[2], b[3]])
        );
        if hlen > 20 {
            let _ = write!(
                o,
                ", options ({})",
                ip_options(b.get(20..hlen).unwrap_or(&[]))
            );
        }
        if b.len() >= hlen && l2lab_fabric::wire::checksum(&b[..hlen]) != 0 {
            let sum = u16::from_be_bytes([b[10], b[11]]);
            let _ = write!(o, ", bad cksum {sum:x}!");
        }
        o.push_str(")\n    ");
    }
    let payload = b.get(hlen..).unwrap_or(&[]);
    if off & 0x1fff == 0 {
        if !matches!(proto, 6 | 17 | 132 | 33) {
            let _ = write!(o, "{src} > {dst}: ");
        }
        let more = off & 0x2000 != 0;
        match proto {
            1 => icmp(o, payload, len, more, opts),
            17 => udp(o, src, dst, payload, len),
            6 => {
                let (sp, dp) = (be16(payload, 0), be16(payload, 2));
                match (sp, dp) {
                    (Some(sp), Some(dp)) => {
                        let _ = write!(o, "{src}.{sp} > {dst}.{dp}: tcp {len}");
                    }
                    _ => {
                        let _ = write!(o, "{src} > {dst}: [|tcp]");
                    }
                }
            }
            2 => igmp(o, payload, len, opts),
            p => {
                let _ = write!(o, " ip-proto-{p} {len}");
            }
        }
    } else {
        let _ = write!(o, "{src} > {dst}:");
        if opts.numeric == 0 {
            let name = match proto {
                1 => Some("icmp"),
                2 => Some("igmp"),
                6 => Some("tcp"),
                17 => Some("udp"),
                _ => None,
            };
            match name {
                Some(n) => {
                    let _ = write!(o, " {n}");
                }
                None => {
                    let _ = write!(o, " ip-proto-{proto}");
                }
            }
        } else {
            let _ = write!(o, " ip-proto-{proto}");
        }
    }
}

/// IGMP (print-igmp.c): reports, leaves and queries.
fn igmp(o: &mut String, d: &[u8], len: usize, opts: &PrintOpts) {
    let Some(&ty) = d.first() else {
        o.push_str("[|igmp]");
        return;
    };
    let group = || ip_at(d, 4).map(|a| a.to_string()).unwrap_or_default();
    match ty {
        0x11 => {
            o.push_str("igmp query");
            if len >= 12 {
                o.push_str(" v3");
            } else if d.get(1).is_some_and(|m| *m != 0) {
                o.push_str(" v2");
            } else {
                o.push_str(" v1");
            }
            if ip_at(d, 4).is_some_and(|g| !g.is_unspecified()) {
                let _ = write!(o, " [gaddr {}]", group());
            }
        }
        0x12 => {
            let _ = write!(o, "igmp v1 report {}", group());
        }
        0x16 => {
            let _ = write!(o, "igmp v2 report {}", group());
        }
        0x17 => {
            let _ = write!(o, "igmp leave {}", group());
        }
        0x22 => {
            o.push_str("igmp v3 report");
            if len < 16 || len & 3 != 0 {
                let _ = write!(o, " [invalid len {len}]");
                return;
            }
            let n = be16(d, 6).unwrap_or(0);
            let _ = write!(o, ", {n} group record(s)");
            if opts.vflag > 0 {
                let mut at = 8;
                for _ in 0..n {
                    let (Some(&rt), Some(ns), Some(g)) =
                        (d.get(at), be16(d, at + 2), ip_at(d, at + 4))
                    else {
                        o.push_str(" [invalid number of groups]");
                        return;
                    };
                    let rts = match rt {
                        1 => "is_in".to_string(),
                        2 => "is_ex".to_string(),
                        3 => "to_in".to_string(),
                        4 => "to_ex".to_string(),
                        5 => "allow".to_string(),
                        6 => "block".to_string(),
                        r => format!(" [v3-report-#{r}]"),
                    };
                    let _ = write!(o, " [gaddr {g} {rts}");
                    if opts.vflag == 1 {
                        let _ = write!(o, ", {ns} source(s)");
                    } else {
                        o.push_str(" {");
                        for k in 0..usize::from(ns) {
                            if let Some(a) = ip_at(d, at + 8 + 4 * k) {
                                let _ = write!(o, " {a}");
                            }
                        }
                        o.push_str(" }");
                    }
                    o.push(']');
                    at += 8 + 4 * usize::from(ns);
                }
            }
        }
        t => {
            let _ = write!(o, "igmp-{t}");
        }
    }
}

/// IP options by name (ip_optprint); only Router Alert gets its value decoded.
fn ip_options(mut b: &[u8]) -> String {
    let mut v = Vec::new();
    while let Some(&t) = b.first() {
        let name = match t {
            0 => "EOL".to_string(),
            1 => "NOP".to_string(),
            7 => "RR".to_string(),
            68 => "TS".to_string(),
            130 => "security".to_string(),
            131 => "LSRR".to_string(),
            137 => "SSRR".to_string(),
            148 => "RA".to_string(),
            n => format!("unknown {n}"),
        };
        if t == 0 || t == 1 {
            v.push(name);
            b = &b[1..];
            continue;
        }
        let l = usize::from(b.get(1).copied().unwrap_or(0));
        if l < 2 || l > b.len() {
            v.push(format!("{name} [bad length {l}]"));
            break;
        }
        if t == 148 && l == 4 && (b[2] != 0 || b[3] != 0) {
            v.push(format!("{name} value {}", u16::from_be_bytes([b[2], b[3]])));
        } else {
            v.push(name);
        }
        b = &b[l..];
    }
    v.join(",")
}

fn udp(o: &mut String, src: Ipv4Addr, dst: Ipv4Addr, u: &[u8], len: usize) {
    match (be16(u, 0), be16(u, 2), be16(u, 4)) {
        (Some(sp), Some(dp), Some(ulen)) => {
            let _ = write!(
                o,
                "{src}.{sp} > {dst}.{dp}: UDP, length {}",
                usize::from(ulen).saturating_sub(8)
            );
        }
        _ => {
            let _ = write!(o, "{src} > {dst}: [|udp] {len}");
        }
    }
}

fn icmp(o: &mut String, d: &[u8], plen: usize, fragmented: bool, opts: &PrintOpts) {
    let (Some(&ty), Some(&code)) = (d.first(), d.get(1)) else {
        o.push_str("[|icmp]");
        return;
    };
    // The quoted datagram of an error starts at byte 8; its destination is at 8 + 16.
    let qdst = || ip_at(d, 24).map(|a| a.to_string());
    let text: Option<String> = match ty {
        0 | 8 => be16(d, 4).zip(be16(d, 6)).map(|(id, seq)| {
            format!(
                "echo {}, id {id}, seq {seq}",
                if ty == 8 { "request" } else { "reply" }
            )
        }),
        3 => match code {
            0 => qdst().map(|a| format!("net {a} unreachable")),
            1 => qdst().map(|a| format!("host {a} unreachable")),
            2 => qdst()
                .zip(d.get(17))
                .map(|(a, p)| format!("{a} protocol {p} unreachable")),
            3 => {
                let ihl = d.get(8).map(|v| usize::from(v & 0x0f) * 4).unwrap_or(20);
                match (qdst(), d.get(17), be16(d, 8 + ihl + 2)) {
                    (Some(a), Some(6), Some(p)) => Some(format!("{a} tcp port {p} unreachable")),
                    (Some(a), Some(17), Some(p)) => Some(format!("{a} udp port {p} unreachable")),
                    (Some(a), Some(pr), Some(p)) => {
                        Some(format!("{a} protocol {pr} port {p} unreachable"))
                    }
                    _ => None,
                }
            }
            4 => qdst().map(|a| match be16(d, 6) {
                Some(mtu) if mtu != 0 => format!("{a} unreachable - need to frag (mtu {mtu})"),
                _ => format!("{a} unreachable - need to frag"),
            }),
            5 => qdst().map(|a| format!("{a} unreachable - source route failed")),
            6 => qdst().map(|a| format!("net {a} unreachable - unknown")),
            7 => qdst().map(|a| format!("host {a} unreachable - unknown")),
            8 => qdst().map(|a| format!("{a} unreachable - source host isolated")),
            9 => qdst().map(|a| format!("net {a} unreachable - admin prohibited")),
            10 => qdst().map(|a| format!("host {a} unreachable - admin prohibited")),
            11 => qdst().map(|a| format!("net {a} unreachable - tos prohibited")),
            12 => qdst().map(|a| format!("host {a} unreachable - tos prohibited")),
            13 => qdst().map(|a| format!("host {a} unreachable - admin prohibited filter")),
            14 => qdst().map(|a| format!("host {a} unreachable - host precedence violation")),
            15 => qdst().map(|a| format!("host {a} unreachable - precedence cutoff")),
            c => qdst().map(|a| format!("{a} unreachable - #{c}")),
        },
        5 => qdst().zip(ip_at(d, 4)).map(|(a, gw)| match code {
            0 => format!("redirect {a} to net {gw}"),
            1 => format!("redirect {a} to host {gw}"),
            2 => format!("redirect-tos {a} to net {gw}"),
            3 => format!("redirect-tos {a} to host {gw}"),
            c => format!("redirect-#{c} {a} to {gw}"),
        }),
        11 => qdst().map(|_| match code {
            0 => "time exceeded in-transit".to_string(),
            1 => "ip reassembly time exceeded".to_string(),
            c => format!("time exceeded-#{c}"),
        }),
        12 => {
            if code != 0 {
                Some(format!("parameter problem - code {code}"))
            } else {
                d.get(4).map(|p| format!("parameter problem - octet {p}"))
            }
        }
        4 => Some("source quench".into()),
        10 => Some("router solicitation".into()),
        13 => be16(d, 4)
            .zip(be16(d, 6))
            .map(|(id, seq)| format!("time stamp query id {id} seq {seq}")),
        15 => Some("information request".into()),
        16 => Some("information reply".into()),
        17 => Some("address mask request".into()),
        18 => d.get(8..12).map(|m| {
            format!(
                "address mask is 0x{:08x}",
                u32::from_be_bytes([m[0], m[1], m[2], m[3]])
            )
        }),
        t => Some(format!("type-#{t}")),
    };
    let Some(text) = text else {
        o.push_str("ICMP [|icmp]");
        return;
    };
    let _ = write!(o, "ICMP {text}, length {plen}");
    if opts.vflag > 0
        && !fragmented
        && d.len() >= plen
        && l2lab_fabric::wire::checksum(&d[..plen]) != 0
    {
        let sum = be16(d, 2).unwrap_or(0);
        let mut copy = d[..plen].to_vec();
        copy[2..4].copy_from_slice(&[0, 0]);
        let should = l2lab_fabric::wire::checksum(&copy);
        let _ = write!(o, " (wrong icmp cksum {sum:x} (->{should:x})!)");
    }
    if opts.vflag > 0 && matches!(ty, 3 | 4 | 5 | 11 | 12) {
        o.push_str("\n\t");
        let inner = d.get(8..).unwrap_or(&[]);
        if inner.len() < 20 {
            o.push_str("[|ip]");
            return;
        }
        if !opts.eflag {
            o.push_str("IP ");
        }
        let ilen = usize::from(u16::from_be_bytes([inner[2], inner[3]]));
        ip_body(o, &inner[..inner.len().min(ilen)], ilen, opts);
    }
}

/// Length of the Linux cooked v2 header.
const SLL2_HDR_LEN: usize = 20;

/// The decode of one LINUX_SLL2 record (`-i any`, print-sll.c's sll2_if_print): the interface
/// name (`ifname` resolves the ifindex as if_indextoname does where tcpdump runs, `?` when it
/// cannot) in a 5-wide column, the packet type in a 3-wide one, then with `-e` the cooked
/// header (ifindex, source address, protocol, length), then the payload. `len` = its length.
pub fn packet_sll2(
    rec: &[u8],
    len: usize,
    opts: &PrintOpts,
    ifname: &dyn Fn(u32) -> Option<String>,
) -> String {
    let mut o = String::new();
    let len = len.max(rec.len());
    if rec.len() < SLL2_HDR_LEN {
        o.push_str("[|sll2]");
        return o;
    }
    let ifindex = u32::from_be_bytes([rec[4], rec[5], rec[6], rec[7]]);
    let name = ifname(ifindex).unwrap_or_else(|| "?".into());
    let pkttype = match rec[10] {
        0 => "In",
        1 => "B",
        2 => "M",
        3 => "P",
        4 => "Out",
        _ => "?",
    };
    let _ = write!(o, "{name:<5} {pkttype:<3} ");
    if opts.eflag {
        sll2_header(&mut o, rec, len, opts);
    }
    let proto = u16::from_be_bytes([rec[0], rec[1]]);
    let payload = &rec[SLL2_HDR_LEN..];
    let plen = len - SLL2_HDR_LEN;
    match proto {
        0x0806 => arp(&mut o, payload, plen, opts),
        0x0800 => ip(&mut o, payload, opts),
        0x86dd => ip6(&mut o, payload, opts),
        _ => {
            // Unknown types (and 802.2/802.3, not decoded here) get the header even without
            // -e, then the bytes.
            if !opts.eflag && proto > 1500 {
                sll2_header(&mut o, rec, len, opts);
            }
            hex(&mut o, payload);
        }
    }
    o
}

/// print-sll.c's sll2_print: `ifindex N`, the address, and unless `-q` the protocol and length.
fn sll2_header(o: &mut String, rec: &[u8], len: usize, opts: &PrintOpts) {
    let ifindex = u32::from_be_bytes([rec[4], rec[5], rec[6], rec[7]]);
    let _ = write!(o, "ifindex {ifindex} ");
    if rec[11] == 6 {
        let _ = write!(o, "{} ", mac_str(&rec[12..18], opts));
    }
    if opts.qflag {
        return;
    }
    let proto = u16::from_be_bytes([rec[0], rec[1]]);
    match proto {
        1 => o.push_str("802.3"),
        4 => o.push_str("802.2"),
        t if t <= 1500 => {
            let _ = write!(o, "ethertype Unknown (0x{t:04x})");
        }
        t => {
            let _ = write!(
                o,
                "ethertype {} (0x{t:04x})",
                ethertype_name(t).unwrap_or("Unknown")
            );
        }
    }
    let _ = write!(o, ", length {len}: ");
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

    // Frames from a capture on this machine's kernel (/tmp/pt_a.pcap, tcpdump 4.99.3).
    const ARP_REQ: &str = "ffffffffffff ca4f0a375d0d 0806 0001 0800 06 04 0001 ca4f0a375d0d 0a09050b 000000000000 0a09050c";
    const ARP_REP: &str = "ca4f0a375d0d 2e1d26fa2072 0806 0001 0800 06 04 0002 2e1d26fa2072 0a09050c ca4f0a375d0d 0a09050b";

    fn nn() -> PrintOpts {
        PrintOpts {
            numeric: 2,
            tflag: 1,
            ..Default::default()
        }
    }

    #[test]
    fn ipv6_lines() {
        // Linux 6.18's own frames, as tcpdump 4.99 -nn [-e] prints them.
        let eth = |dst: &str, ip: &str| hexb(&format!("{dst} 4a7a 0ce5 a246 86dd {ip}"));
        let ns = eth(
            "3333 ffe5 a246",
            "6000 0000 0020 3aff 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000
             0000 0001 ffe5 a246 8700 b31f 0000 0000 fe80 0000 0000 0000 487a 0cff fee5 a246
             0e01 a482 5f9c 1d0e",
        );
        assert_eq!(
            packet(&ns, ns.len(), &nn()),
            "IP6 :: > ff02::1:ffe5:a246: ICMP6, neighbor solicitation, who has fe80::487a:cff:fee5:a246, length 32"
        );
        let e = PrintOpts {
            eflag: true,
            ..nn()
        };
        assert_eq!(
            packet(&ns, ns.len(), &e),
            "4a:7a:0c:e5:a2:46 > 33:33:ff:e5:a2:46, ethertype IPv6 (0x86dd), length 86: :: > ff02::1:ffe5:a246: ICMP6, neighbor solicitation, who has fe80::487a:cff:fee5:a246, length 32"
        );
        let rs = eth(
            "3333 0000 0002",
            "6000 0000 0010 3aff fe80 0000 0000 0000 487a 0cff fee5 a246 ff02 0000 0000 0000
             0000 0000 0000 0002 8500 8be2 0000 0000 0101 4a7a 0ce5 a246",
        );
        assert_eq!(
            packet(&rs, rs.len(), &nn()),
            "IP6 fe80::487a:cff:fee5:a246 > ff02::2: ICMP6, router solicitation, length 16"
        );
        let mld = eth(
            "3333 0000 0016",
            "6000 0000 0024 0001 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000
             0000 0000 0000 0016 3a00 0502 0000 0100 8f00 cc5e 0000 0001 0400 0000 ff02 0000
             0000 0000 0000 0001 ffe5 a246",
        );
        assert_eq!(
            packet(&mld, mld.len(), &nn()),
            "IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28"
        );
        // Cut short: no panic, tcpdump's marker.
        assert_eq!(packet(&mld[..40], 40, &nn()), "[|ip6]");
    }

    #[test]
    fn ipv6_verbose_lines() {
        // Linux's own frames (MLDv2 report, DAD probe, solicitations, an advertisement, an
        // echo), as tcpdump 4.99.3 -nn -v / -vv printed them from the kernel's capture.
        let v = |n: u8| PrintOpts { vflag: n, ..nn() };
        let mld = hexb("33330000001602000000010286dd600000000038000100000000000000000000000000000000ff0200000000000000000000000000163a000502000001008f006c6c0000000204000000ff0200000000000000000001ff00000204000000ff0200000000000000000001ff000102");
        assert_eq!(
            packet(&mld, mld.len(), &v(1)),
            "IP6 (hlim 1, next-header Options (0) payload length: 56) :: > ff02::16: HBH (rtalert: 0x0000) (padn) [icmp6 sum ok] ICMP6, multicast listener report v2, 2 group record(s) [gaddr ff02::1:ff00:2 to_ex, 0 source(s)] [gaddr ff02::1:ff00:102 to_ex, 0 source(s)]"
        );
        assert!(packet(&mld, mld.len(), &v(2))
            .ends_with("[gaddr ff02::1:ff00:2 to_ex { }] [gaddr ff02::1:ff00:102 to_ex { }]"));
        let dad = hexb("3333ff00010102000000010186dd6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff00010187004e5300000000fe80000000000000000000fffe0001010e0181d1ee65ae91");
        assert_eq!(
            packet(&dad, dad.len(), &v(1)),
            "IP6 (hlim 255, next-header ICMPv6 (58) payload length: 32) :: > ff02::1:ff00:101: [icmp6 sum ok] ICMP6, neighbor solicitation, length 32, who has fe80::ff:fe00:101\n\t  unknown option (14), length 8 (1): \n\t  0x0000:  81d1 ee65 ae91"
        );
        let rs = hexb("33330000000202000000010186dd6000000000103afffe80000000000000000000fffe000101ff0200000000000000000000000000028500792c000000000101020000000101");
        assert_eq!(
            packet(&rs, rs.len(), &v(2)),
            "IP6 (hlim 255, next-header ICMPv6 (58) payload length: 16) fe80::ff:fe00:101 > ff02::2: [icmp6 sum ok] ICMP6, router solicitation, length 16\n\t  source link-address option (1), length 8 (1): 02:00:00:00:01:01\n\t    0x0000:  0200 0000 0101"
        );
        let na = hexb("02000000010102000000010286dd6000000000203aff20010db800000000000000000000000220010db8000000000000000000000001880089716000000020010db80000000000000000000000020201020000000102");
        assert_eq!(
            packet(&na, na.len(), &v(1)),
            "IP6 (hlim 255, next-header ICMPv6 (58) payload length: 32) 2001:db8::2 > 2001:db8::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is 2001:db8::2, Flags [solicited, override]\n\t  destination link-address option (2), length 8 (1): 02:00:00:00:01:02"
        );
        let mut echo = hexb("02000000010202000000010186dd6005a5bb00403a4020010db800000000000000000000000120010db80000000000000000000000028000a795210e000105f3116b000000007c3a090000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637");
        assert_eq!(
            packet(&echo, echo.len(), &v(1)),
            "IP6 (flowlabel 0x5a5bb, hlim 64, next-header ICMPv6 (58) payload length: 64) 2001:db8::1 > 2001:db8::2: [icmp6 sum ok] ICMP6, echo request, id 8462, seq 1"
        );
        // A damaged checksum is named with the value it should have had.
        echo[56] ^= 0xff;
        assert!(packet(&echo, echo.len(), &v(1)).contains("[bad icmp6 cksum 0x5895 -> 0xa795!] "));
        // Cut anywhere: never a panic.
        for f in [&mld, &dad, &rs, &na, &echo] {
            for n in 0..f.len() {
                for k in 0..3 {
                    let _ = packet(&f[..n], f.len(), &v(k));
                }
            }
        }
    }

    #[test]
    fn ipv6_fragments() {
        // As Linux fragments a 2000-byte ping -6 at MTU 1500 (tcpdump 4.99.3 read the capture).
        let piece = |off: u16, more: bool, body: &[u8]| {
            let mut ip = hexb("6000 0000");
            ip.extend_from_slice(&((8 + body.len()) as u16).to_be_bytes());
            ip.extend_from_slice(&[44, 64]);
            ip.extend_from_slice(&hexb(
                "20010db8000000000000000000000001 20010db8000000000000000000000002",
            ));
            ip.extend_from_slice(&[58, 0]);
            ip.extend_from_slice(&(off | u16::from(more)).to_be_bytes());
            ip.extend_from_slice(&hexb("20d9eb0e"));
            ip.extend_from_slice(body);
            let mut f = hexb("020000000002 020000000001 86dd");
            f.extend_from_slice(&ip);
            f
        };
        let mut echo = hexb("8000 0000 6c16 0001");
        echo.resize(1448, 0);
        let first = piece(0, true, &echo);
        let last = piece(1448, false, &[0u8; 560]);
        assert_eq!(
            packet(&first, first.len(), &nn()),
            "IP6 2001:db8::1 > 2001:db8::2: frag (0|1448) ICMP6, echo request, id 27670, seq 1, length 1448"
        );
        assert_eq!(
            packet(&last, last.len(), &nn()),
            "IP6 2001:db8::1 > 2001:db8::2: frag (1448|560)"
        );
        let v = PrintOpts { vflag: 1, ..nn() };
        assert_eq!(
            packet(&first, first.len(), &v),
            "IP6 (hlim 64, next-header Fragment (44) payload length: 1456) 2001:db8::1 > 2001:db8::2: frag (0x20d9eb0e:0|1448) ICMP6, echo request, id 27670, seq 1"
        );
        // Cut inside the fragment header, as a 60-byte snapshot cuts it.
        assert_eq!(
            packet(&first[..60], first.len(), &nn()),
            "IP6 2001:db8::1 > 2001:db8::2: frag (0|1448) "
        );
    }

    #[test]
    fn arp_lines() {
        let o = nn();
        assert_eq!(
            packet(&hexb(ARP_REQ), 42, &o),
            "ARP, Request who-has 10.9.5.12 tell 10.9.5.11, length 28"
        );
        assert_eq!(
            packet(&hexb(ARP_REP), 42, &o),
            "ARP, Reply 10.9.5.12 is-at 2e:1d:26:fa:20:72, length 28"
        );
        let e = PrintOpts {
            eflag: true,
            vflag: 1,
            ..nn()
        };
        assert_eq!(
            packet(&hexb(ARP_REQ), 42, &e),
            "ca:4f:0a:37:5d:0d > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 10.9.5.12 tell 10.9.5.11, length 28"
        );
        let q = PrintOpts {
            eflag: true,
            qflag: true,
            ..nn()
        };
        assert_eq!(
            packet(&hexb(ARP_REP), 42, &q),
            "2e:1d:26:fa:20:72 > ca:4f:0a:37:5d:0d, ARP, length 42: Reply 10.9.5.12 is-at 2e:1d:26:fa:20:72, length 28"
        );
        let names = PrintOpts {
            numeric: 0,
            eflag: true,
            tflag: 1,
            ..Default::default()
        };
        assert_eq!(
            packet(&hexb(ARP_REQ), 42, &names),
            "ca:4f:0a:37:5d:0d (oui Unknown) > Broadcast, ethertype ARP (0x0806), length 42: Request who-has 10.9.5.12 tell 10.9.5.11, length 28"
        );
        assert_eq!(packet(&hexb(ARP_REQ)[..30], 42, &o), "ARP, [|ARP]");
    }

    fn echo(ty: u8, df: bool) -> Vec<u8> {
        let mut icmp = vec![ty, 0, 0, 0, 0x41, 0x25, 0, 1];
        icmp.extend((0..56u8).collect::<Vec<_>>());
        let c = l2lab_fabric::wire::checksum(&icmp);
        icmp[2..4].copy_from_slice(&c.to_be_bytes());
        let mut ip = vec![
            0x45,
            0,
            0,
            84,
            0x11,
            0xde,
            if df { 0x40 } else { 0 },
            0,
            64,
            1,
            0,
            0,
        ];
        ip.extend([10, 9, 5, 11, 10, 9, 5, 12]);
        let c = l2lab_fabric::wire::checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        let mut f = hexb("2e1d26fa2072 ca4f0a375d0d 0800");
        f.extend(ip);
        f.extend(icmp);
        f
    }

    #[test]
    fn icmp_lines() {
        let f = echo(8, true);
        assert_eq!(
            packet(&f, f.len(), &nn()),
            "IP 10.9.5.11 > 10.9.5.12: ICMP echo request, id 16677, seq 1, length 64"
        );
        let v = PrintOpts { vflag: 1, ..nn() };
        assert_eq!(
            packet(&f, f.len(), &v),
            "IP (tos 0x0, ttl 64, id 4574, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.9.5.11 > 10.9.5.12: ICMP echo request, id 16677, seq 1, length 64"
        );
        let ev = PrintOpts {
            vflag: 1,
            eflag: true,
            ..nn()
        };
        assert_eq!(
            packet(&f, f.len(), &ev),
            "ca:4f:0a:37:5d:0d > 2e:1d:26:fa:20:72, ethertype IPv4 (0x0800), length 98: (tos 0x0, ttl 64, id 4574, offset 0, flags [DF], proto ICMP (1), length 84)\n    10.9.5.11 > 10.9.5.12: ICMP echo request, id 16677, seq 1, length 64"
        );
        let r = echo(0, false);
        assert_eq!(
            packet(&r, r.len(), &v),
            "IP (tos 0x0, ttl 64, id 4574, offset 0, flags [none], proto ICMP (1), length 84)\n    10.9.5.11 > 10.9.5.12: ICMP echo reply, id 16677, seq 1, length 64"
        );
    }

    #[test]
    fn unreachable_lines() {
        // Net unreachable from a router quoting the echo request (type 3 code 0).
        let req = echo(8, true);
        let mut icmp = vec![3, 0, 0, 0, 0, 0, 0, 0];
        icmp.extend_from_slice(&req[14..]);
        icmp[8 + 16..8 + 20].copy_from_slice(&[8, 8, 8, 8]);
        let c = l2lab_fabric::wire::checksum(&icmp);
        icmp[2..4].copy_from_slice(&c.to_be_bytes());
        let total = 20 + icmp.len();
        let mut ip = vec![
            0x45,
            0xc0,
            (total >> 8) as u8,
            total as u8,
            0xda,
            0xbe,
            0,
            0,
            64,
            1,
            0,
            0,
        ];
        ip.extend([10, 9, 5, 1, 10, 9, 5, 11]);
        let c = l2lab_fabric::wire::checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        let mut f = hexb("ca4f0a375d0d 0ec702c3253c 0800");
        f.extend(ip);
        f.extend(icmp);
        assert_eq!(
            packet(&f, f.len(), &nn()),
            "IP 10.9.5.1 > 10.9.5.11: ICMP net 8.8.8.8 unreachable, length 92"
        );
    }

    #[test]
    fn stamps() {
        let mut s = Stamper::default();
        let o = PrintOpts {
            tflag: 2,
            ..Default::default()
        };
        assert_eq!(
            s.stamp(Duration::new(1_795_442_947, 85_283_000), &o),
            "1795442947.085283 "
        );
        let d = PrintOpts {
            tflag: 3,
            ..Default::default()
        };
        let mut s = Stamper::default();
        assert_eq!(s.stamp(Duration::from_micros(5), &d), " 00:00:00.000000 ");
        assert_eq!(s.stamp(Duration::from_micros(16), &d), " 00:00:00.000011 ");
    }

    // An echo request seen on v1 (ifindex 3) as PACKET_OTHERHOST, from a `tcpdump -i any -w`
    // file written on this machine's kernel (Linux 6.x, libpcap 1.10.3).
    const SLL2_ECHO: &str = "0800 0000 00000003 0001 03 06 72cbd5d854d40000 450000540ee24000400116bf0a0500010a0500fe08005ad9053d00018465046b000000004945070000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

    #[test]
    fn sll2_lines() {
        let rec = hexb(SLL2_ECHO);
        let names = |i: u32| (i == 3).then(|| "v1".to_string());
        let none = |_: u32| None;
        // tcpdump 4.99.3 -nn -r of that file, in the capturing namespace and in another.
        assert_eq!(
            packet_sll2(&rec, 104, &nn(), &names),
            "v1    P   IP 10.5.0.1 > 10.5.0.254: ICMP echo request, id 1341, seq 1, length 64"
        );
        assert_eq!(
            packet_sll2(&rec, 104, &nn(), &none),
            "?     P   IP 10.5.0.1 > 10.5.0.254: ICMP echo request, id 1341, seq 1, length 64"
        );
        let e = PrintOpts {
            eflag: true,
            ..nn()
        };
        assert_eq!(
            packet_sll2(&rec, 104, &e, &names),
            "v1    P   ifindex 3 72:cb:d5:d8:54:d4 ethertype IPv4 (0x0800), length 104: 10.5.0.1 > 10.5.0.254: ICMP echo request, id 1341, seq 1, length 64"
        );
        let q = PrintOpts {
            qflag: true,
            ..e.clone()
        };
        assert_eq!(
            packet_sll2(&rec, 104, &q, &names),
            "v1    P   ifindex 3 72:cb:d5:d8:54:d4 10.5.0.1 > 10.5.0.254: ICMP echo request, id 1341, seq 1, length 64"
        );
        let resolving = PrintOpts { numeric: 0, ..e };
        assert_eq!(
            packet_sll2(&rec, 104, &resolving, &names),
            "v1    P   ifindex 3 72:cb:d5:d8:54:d4 (oui Unknown) ethertype IPv4 (0x0800), length 104: 10.5.0.1 > 10.5.0.254: ICMP echo request, id 1341, seq 1, length 64"
        );
        // Live `tcpdump -i any -nn` on a bridge's namespace: the name column is 5 wide, the
        // packet type 3 wide.
        let mut arp = hexb("0806 0000 00000003 0001 01 06 72cbd5d854d40000");
        arp.extend(hexb(ARP_REQ).split_off(14));
        assert_eq!(
            packet_sll2(&arp, 48, &nn(), &names),
            "v1    B   ARP, Request who-has 10.9.5.12 tell 10.9.5.11, length 28"
        );
        arp[10] = 4;
        assert_eq!(
            packet_sll2(&arp, 48, &nn(), &|_| Some("br0".into())),
            "br0   Out ARP, Request who-has 10.9.5.12 tell 10.9.5.11, length 28"
        );
        assert_eq!(packet_sll2(&rec[..19], 104, &nn(), &names), "[|sll2]");
    }
}
