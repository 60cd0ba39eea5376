//! IPv4 fragments: cutting a datagram that does not fit the way out (ip_fragment, for local
//! output and forwarding), joining the pieces of one addressed to this namespace
//! (ip_defrag), and the path MTUs learned from "fragmentation needed" errors.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::wire::{self, Ipv4Repr};

use crate::lab::{Lab, NsId};

/// ipfrag_time: how long the pieces of a datagram wait for the rest.
pub const IPFRAG_TIME: Duration = Duration::from_secs(30);
/// ip_rt_mtu_expires: how long a learned path MTU holds.
pub const PMTU_EXPIRES: Duration = Duration::from_secs(600);
/// Datagrams being reassembled at once in one namespace; beyond it the oldest is dropped, as
/// the kernel drops queues above ipfrag_high_thresh.
const MAX_QUEUES: usize = 1024;

/// The pieces of one datagram so far.
#[derive(Debug, Default)]
struct FragQueue {
    /// When the first piece came.
    started: Duration,
    /// The first fragment's header, once it came.
    header: Option<Bytes>,
    /// (offset, data), sorted by offset.
    pieces: Vec<(usize, Bytes)>,
    /// The datagram's data length, once the last fragment came.
    total: Option<usize>,
}

/// A namespace's reassembly queues and learned path MTUs.
#[derive(Debug, Default)]
pub struct FragTable {
    queues: HashMap<(Ipv4Addr, Ipv4Addr, u16, u8), FragQueue>,
    pmtu: HashMap<Ipv4Addr, (u32, Duration)>,
}

impl FragTable {
    /// The path MTU learned for `dst`, while it holds.
    pub fn pmtu(&self, dst: Ipv4Addr, now: Duration) -> Option<u32> {
        self.pmtu
            .get(&dst)
            .filter(|(_, until)| now < *until)
            .map(|(m, _)| *m)
    }

    /// A "fragmentation needed" error said the path to `dst` takes `mtu` bytes at most.
    /// Like the kernel (ip_rt_min_pmtu), never below 552.
    pub fn learn_pmtu(&mut self, dst: Ipv4Addr, mtu: u32, now: Duration) {
        self.pmtu.insert(dst, (mtu.max(552), now + PMTU_EXPIRES));
    }

    /// Adds a fragment; returns the whole datagram once every piece is there.
    fn add(&mut self, ip: &Ipv4Repr, fragment: &[u8], now: Duration) -> Option<Bytes> {
        self.queues
            .retain(|_, q| now.saturating_sub(q.started) < IPFRAG_TIME);
        let key = (ip.src, ip.dst, ip.id, ip.protocol);
        if !self.queues.contains_key(&key) && self.queues.len() >= MAX_QUEUES {
            let oldest = self
                .queues
                .iter()
                .min_by_key(|(_, q)| q.started)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                self.queues.remove(&k);
            }
        }
        let q = self.queues.entry(key).or_insert_with(|| FragQueue {
            started: now,
            ..Default::default()
        });
        let data = fragment.get(ip.header_len..ip.total_len)?;
        let end = ip.frag_offset + data.len();
        // No datagram is longer than 64 KiB: pieces beyond it, or repeats past twice that,
        // end the queue (ip_frag_queue's "oversize" drop), so no input grows memory unbounded.
        let held: usize = q.pieces.iter().map(|(_, d)| d.len()).sum();
        if end > usize::from(u16::MAX) || held + data.len() > 2 * usize::from(u16::MAX) {
            self.queues.remove(&key);
            return None;
        }
        if !ip.more_fragments {
            q.total = Some(end);
        }
        if ip.frag_offset == 0 {
            q.header = Some(Bytes::copy_from_slice(fragment.get(..ip.header_len)?));
        }
        let at = q.pieces.partition_point(|(o, _)| *o <= ip.frag_offset);
        q.pieces
            .insert(at, (ip.frag_offset, Bytes::copy_from_slice(data)));
        let whole = match (&q.header, q.total) {
            (Some(h), Some(total)) => wire::reassemble(h, &q.pieces, total),
            _ => None,
        };
        if whole.is_some() {
            self.queues.remove(&key);
        }
        whole
    }
}

impl Lab {
    /// ip_defrag: keeps a fragment addressed to `ns`; the whole datagram once complete.
    pub(crate) fn ip_defrag(&mut self, ns: NsId, ip: &Ipv4Repr, fragment: &[u8]) -> Option<Bytes> {
        let now = self.now();
        self.ns_mut(ns)?.frags.add(ip, fragment, now)
    }

    /// The path MTU `ns` learned for `dst` and how long it still holds (the route cache's
    /// exception that `ip route get` shows as `cache expires 599sec mtu 1400`).
    pub fn pmtu_exception(&self, ns: NsId, dst: Ipv4Addr) -> Option<(u32, Duration)> {
        let now = self.now();
        let (mtu, until) = *self.ns(ns)?.frags.pmtu.get(&dst)?;
        (now < until).then(|| (mtu, until - now))
    }

    /// The MTU a datagram of `ns` to `dst` out of `dev` must fit: the device's, or less if a
    /// path MTU was learned.
    pub(crate) fn output_mtu(&self, ns: NsId, dst: Ipv4Addr, dev: l2lab_fabric::LinkId) -> u32 {
        let now = self.now();
        let dev_mtu = self.fabric.link(dev).map_or(1500, |l| l.mtu);
        self.ns(ns)
            .and_then(|n| n.frags.pmtu(dst, now))
            .map_or(dev_mtu, |p| p.min(dev_mtu))
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_fabric::wire::{fragment, icmp_datagram, IcmpRepr, Ipv4Params};

    fn pieces(size: usize, mtu: usize, id: u16) -> (Bytes, Vec<Bytes>) {
        let icmp = IcmpRepr::EchoRequest {
            id: 1,
            seq: 1,
            data: Bytes::from(vec![7u8; size]),
        };
        let d = icmp_datagram(
            Ipv4Params {
                src: Ipv4Addr::new(10, 0, 0, 1),
                dst: Ipv4Addr::new(10, 0, 0, 2),
                ttl: 64,
                id,
                df: false,
                tos: 0,
            },
            &icmp,
        );
        let f = fragment(&d, mtu).unwrap();
        (d, f)
    }

    fn add(t: &mut FragTable, f: &Bytes, now: Duration) -> Option<Bytes> {
        let (ip, _) = Ipv4Repr::parse(f).unwrap();
        t.add(&ip, f, now)
    }

    #[test]
    fn joins_in_any_order_and_forgets_after_ipfrag_time() {
        let mut t = FragTable::default();
        let (d, f) = pieces(3000, 1500, 5);
        assert_eq!(f.len(), 3);
        assert_eq!(add(&mut t, &f[2], Duration::ZERO), None);
        assert_eq!(add(&mut t, &f[0], Duration::ZERO), None);
        assert_eq!(add(&mut t, &f[1], Duration::ZERO), Some(d.clone()));
        assert!(t.queues.is_empty());
        // A piece whose partners come too late is gone by then.
        assert_eq!(add(&mut t, &f[0], Duration::ZERO), None);
        assert_eq!(add(&mut t, &f[1], IPFRAG_TIME), None);
        assert_eq!(add(&mut t, &f[2], IPFRAG_TIME), None);
        assert_eq!(t.queues.len(), 1);
    }

    #[test]
    fn repeats_cannot_grow_a_queue_without_bound() {
        let mut t = FragTable::default();
        let (_, f) = pieces(3000, 1500, 6);
        for _ in 0..1000 {
            assert_eq!(add(&mut t, &f[1], Duration::ZERO), None);
        }
        let held: usize = t
            .queues
            .values()
            .map(|q| q.pieces.iter().map(|(_, d)| d.len()).sum::<usize>())
            .sum();
        assert!(held <= 2 * usize::from(u16::MAX));
    }
}
