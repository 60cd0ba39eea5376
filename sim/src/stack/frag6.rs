//! IPv6 fragments (net/ipv6/ip6_output.c: ip6_fragment, reassembly.c): a packet this
//! namespace sends that does not fit the way out is cut at the source into pieces with a
//! fragment header, and the pieces of one addressed to it are joined again.

use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::time::Duration;

use bytes::Bytes;

use super::ipv6::{ipv6_packet, Ipv6Header, IPV6_HLEN};

/// Next header: fragment.
pub const IPPROTO_FRAGMENT: u8 = 44;
/// ip6frag_time: how long the pieces of a packet wait for the rest.
pub const IP6FRAG_TIME: Duration = Duration::from_secs(60);
/// Packets being reassembled at once in one namespace; beyond it the oldest is dropped.
const MAX_QUEUES: usize = 1024;
/// The fragment header's length.
const FRAG_HLEN: usize = 8;

/// Cuts `packet` (an IPv6 header without extension headers, then its payload) into pieces
/// that fit `mtu`, each with a fragment header carrying `id`; every piece but the last holds
/// a multiple of 8 bytes. `None` when the MTU leaves no room for data.
pub fn fragment6(packet: &[u8], mtu: usize, id: u32) -> Option<Vec<Bytes>> {
    let (h, payload) = Ipv6Header::parse(packet)?;
    let room = mtu.checked_sub(IPV6_HLEN + FRAG_HLEN)? & !7;
    if room == 0 {
        return None;
    }
    let mut out = Vec::new();
    let mut off = 0;
    while off < payload.len() {
        let end = (off + room).min(payload.len());
        let more = end < payload.len();
        let mut body = Vec::with_capacity(FRAG_HLEN + end - off);
        body.extend_from_slice(&[h.next_header, 0]);
        let field = (off as u16) | u16::from(more);
        body.extend_from_slice(&field.to_be_bytes());
        body.extend_from_slice(&id.to_be_bytes());
        body.extend_from_slice(&payload[off..end]);
        out.push(ipv6_packet(
            h.src,
            h.dst,
            IPPROTO_FRAGMENT,
            h.hop_limit,
            &body,
        ));
        off = end;
    }
    Some(out)
}

/// The pieces of one packet so far.
#[derive(Debug, Default)]
struct Queue {
    started: Duration,
    /// The next header the fragments carry.
    next_header: u8,
    hop_limit: u8,
    /// (offset, data), sorted by offset.
    pieces: Vec<(usize, Bytes)>,
    /// The payload's length, once the last piece came.
    total: Option<usize>,
}

/// A namespace's IPv6 reassembly queues.
#[derive(Debug, Default)]
pub struct Frag6Table {
    queues: HashMap<(Ipv6Addr, Ipv6Addr, u32), Queue>,
}

impl Frag6Table {
    /// Adds the fragment `h`/`payload` (the fragment header and its data); returns the
    /// whole packet, without the fragment header, once every piece is there. Overlapping
    /// pieces drop the packet (RFC 5722).
    pub fn add(&mut self, h: &Ipv6Header, payload: &[u8], now: Duration) -> Option<Bytes> {
        if payload.len() < FRAG_HLEN {
            return None;
        }
        self.queues
            .retain(|_, q| now.saturating_sub(q.started) < IP6FRAG_TIME);
        let field = u16::from_be_bytes([payload[2], payload[3]]);
        let off = usize::from(field & !7);
        let more = field & 1 == 1;
        let id = u32::from_be_bytes([payload[4], payload[5], payload[6], payload[7]]);
        let data = Bytes::copy_from_slice(&payload[FRAG_HLEN..]);
        // Every piece but the last is a multiple of 8 bytes long (else a parameter problem).
        if more && !data.len().is_multiple_of(8) {
            return None;
        }
        let key = (h.src, h.dst, id);
        if !self.queues.contains_key(&key) && self.queues.len() >= MAX_QUEUES {
            if let Some(oldest) = self
                .queues
                .iter()
                .min_by_key(|(_, q)| q.started)
                .map(|(k, _)| *k)
            {
                self.queues.remove(&oldest);
            }
        }
        let q = self.queues.entry(key).or_insert_with(|| Queue {
            started: now,
            ..Default::default()
        });
        let end = off + data.len();
        if q.pieces.iter().any(|(o, d)| off < o + d.len() && *o < end) {
            self.queues.remove(&key);
            return None;
        }
        if off == 0 {
            q.next_header = payload[0];
            q.hop_limit = h.hop_limit;
        }
        if !more {
            q.total = Some(end);
        }
        let at = q.pieces.partition_point(|(o, _)| *o < off);
        q.pieces.insert(at, (off, data));
        let total = q.total?;
        let mut have = 0;
        for (o, d) in &q.pieces {
            if *o != have {
                return None;
            }
            have += d.len();
        }
        if have != total || total > 0xffff {
            return None;
        }
        let q = self.queues.remove(&key)?;
        let mut whole = Vec::with_capacity(total);
        for (_, d) in &q.pieces {
            whole.extend_from_slice(d);
        }
        Some(ipv6_packet(
            h.src,
            h.dst,
            q.next_header,
            q.hop_limit,
            &whole,
        ))
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::stack::ipv6::IPPROTO_ICMPV6;

    #[test]
    fn cut_and_joined_in_any_order() {
        let src: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let dst: Ipv6Addr = "2001:db8::2".parse().unwrap();
        let data: Vec<u8> = (0..1608u32).map(|i| i as u8).collect();
        let p = ipv6_packet(src, dst, IPPROTO_ICMPV6, 64, &data);
        let pieces = fragment6(&p, 1500, 7).unwrap();
        // 1448 bytes of data fit a 1500-byte MTU with both headers, rounded to 8.
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0].len(), 1496);
        assert!(pieces.iter().all(|f| f.len() <= 1500));
        let mut t = Frag6Table::default();
        let parse = |f: &Bytes| {
            let (h, pl) = Ipv6Header::parse(f).unwrap();
            (h, pl.to_vec())
        };
        let (h1, p1) = parse(&pieces[1]);
        assert!(t.add(&h1, &p1, Duration::ZERO).is_none());
        let (h0, p0) = parse(&pieces[0]);
        let whole = t.add(&h0, &p0, Duration::ZERO).unwrap();
        assert_eq!(whole, p);
        // A piece alone waits, and is forgotten after ip6frag_time.
        assert!(t.add(&h1, &p1, Duration::ZERO).is_none());
        assert!(t.add(&h0, &p0, IP6FRAG_TIME).is_none());
        // An overlapping piece drops the packet.
        let mut t = Frag6Table::default();
        assert!(t.add(&h0, &p0, Duration::ZERO).is_none());
        assert!(t.add(&h0, &p0, Duration::ZERO).is_none());
        assert!(t.add(&h1, &p1, Duration::ZERO).is_none());
    }

    #[test]
    fn no_room_no_pieces() {
        let src: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let p = ipv6_packet(src, src, IPPROTO_ICMPV6, 64, &[0; 100]);
        assert!(fragment6(&p, 50, 1).is_none());
        assert!(fragment6(&p[..10], 1500, 1).is_none());
    }
}
