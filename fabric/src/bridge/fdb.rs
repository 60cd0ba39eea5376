//! The forwarding database: MAC → port, learned and aged (net/bridge/br_fdb.c).
//!
//! Learned entries live in a bounded LRU map, so a flood of random source MACs cannot grow
//! memory without bound: past `max_learned` the least recently seen entry is evicted.
//! Local entries (each port's own MAC, the bridge's) and entries added by the user live beside
//! them, unbounded and never aged.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::time::Duration;

use lru::LruCache;

use crate::{LinkId, MacAddr};

/// How an FDB entry came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdbKind {
    /// Learned from a frame's source address; ages out.
    Learned,
    /// The own address of a port or of the bridge: frames to it go up to the bridge's stack.
    Local,
    /// Added by the user (`bridge fdb add ... master static`); never ages.
    Static,
}

/// One entry of the forwarding database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdbEntry {
    /// The port behind which the MAC lives (the bridge itself for its own address).
    pub port: LinkId,
    /// Learned, local or static.
    pub kind: FdbKind,
    /// When a frame from this MAC was last seen (ageing counts from here).
    pub updated: Duration,
    /// When a frame was last forwarded to this MAC.
    pub used: Duration,
    /// Creation order: `bridge fdb show` lists newer entries first, as the kernel's list does.
    pub created: u64,
}

/// What learning a source MAC did to the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnOutcome {
    /// A new entry.
    Learned,
    /// An existing entry on the same port, its timer restarted.
    Refreshed,
    /// The MAC moved from another port to this one.
    Moved {
        /// The port it was behind before.
        from: LinkId,
    },
    /// A new entry that pushed out the least recently seen one (the table was full).
    Evicted {
        /// The MAC pushed out.
        mac: MacAddr,
        /// Its port.
        port: LinkId,
    },
    /// The source is one of the bridge's own addresses: not learned (the kernel warns).
    OwnAddress,
    /// The source belongs to a static entry, which learning never changes.
    Static,
}

/// The default bound on learned entries.
pub const DEFAULT_MAX_LEARNED: usize = 1 << 20;

/// The forwarding database of one bridge.
#[derive(Debug)]
pub struct Fdb {
    learned: LruCache<MacAddr, FdbEntry>,
    fixed: HashMap<MacAddr, FdbEntry>,
    next_created: u64,
}

impl Fdb {
    /// An empty table that keeps at most `max_learned` learned entries.
    pub fn new(max_learned: NonZeroUsize) -> Fdb {
        Fdb {
            learned: LruCache::new(max_learned),
            fixed: HashMap::new(),
            next_created: 0,
        }
    }

    /// The bound on learned entries.
    pub fn max_learned(&self) -> usize {
        self.learned.cap().get()
    }

    /// Changes the bound; entries over it are evicted, least recently seen first.
    pub fn set_max_learned(&mut self, max: NonZeroUsize) {
        self.learned.resize(max);
    }

    /// Number of learned entries.
    pub fn learned_len(&self) -> usize {
        self.learned.len()
    }

    fn stamp(&mut self) -> u64 {
        self.next_created += 1;
        self.next_created
    }

    /// Looks a destination up without touching recency. An expired learned entry is not used.
    #[inline]
    pub fn lookup(&self, mac: &MacAddr, now: Duration, ageing: Duration) -> Option<&FdbEntry> {
        if !self.fixed.is_empty() {
            if let Some(e) = self.fixed.get(mac) {
                return Some(e);
            }
        }
        self.learned
            .peek(mac)
            .filter(|e| !has_expired(e, now, ageing))
    }

    /// Any entry for `mac`, expired or not.
    pub fn get(&self, mac: &MacAddr) -> Option<&FdbEntry> {
        self.fixed.get(mac).or_else(|| self.learned.peek(mac))
    }

    /// Marks a learned entry as used for forwarding now.
    #[inline]
    pub fn touch_used(&mut self, mac: &MacAddr, now: Duration) {
        if let Some(e) = self.learned.peek_mut(mac) {
            e.used = now;
        }
    }

    /// Learns that `mac` lives behind `port` (br_fdb_update).
    #[inline]
    pub fn learn(&mut self, mac: MacAddr, port: LinkId, now: Duration) -> LearnOutcome {
        if !self.fixed.is_empty() {
            if let Some(e) = self.fixed.get(&mac) {
                return match e.kind {
                    FdbKind::Local => LearnOutcome::OwnAddress,
                    _ => LearnOutcome::Static,
                };
            }
        }
        if let Some(e) = self.learned.get_mut(&mac) {
            e.updated = now;
            if e.port != port {
                let from = e.port;
                e.port = port;
                return LearnOutcome::Moved { from };
            }
            return LearnOutcome::Refreshed;
        }
        let created = self.stamp();
        let entry = FdbEntry {
            port,
            kind: FdbKind::Learned,
            updated: now,
            used: now,
            created,
        };
        match self.learned.push(mac, entry) {
            Some((old, e)) if old != mac => LearnOutcome::Evicted {
                mac: old,
                port: e.port,
            },
            _ => LearnOutcome::Learned,
        }
    }

    /// Adds a local (own address) or static entry, replacing a learned one for the same MAC.
    pub fn insert_fixed(&mut self, mac: MacAddr, port: LinkId, kind: FdbKind, now: Duration) {
        self.learned.pop(&mac);
        let created = self.stamp();
        self.fixed.insert(
            mac,
            FdbEntry {
                port,
                kind,
                updated: now,
                used: now,
                created,
            },
        );
    }

    /// Removes the entry for `mac`, whatever its kind.
    pub fn remove(&mut self, mac: &MacAddr) -> Option<FdbEntry> {
        self.fixed.remove(mac).or_else(|| self.learned.pop(mac))
    }

    /// Removes the local entry of `port` for `mac`, if that is what it is.
    pub fn remove_local(&mut self, mac: &MacAddr, port: LinkId) {
        if self
            .fixed
            .get(mac)
            .is_some_and(|e| e.kind == FdbKind::Local && e.port == port)
        {
            self.fixed.remove(mac);
        }
    }

    /// Forgets every entry behind `port` (the port left the bridge): learned and, when
    /// `with_fixed`, local and static ones too.
    pub fn flush_port(&mut self, port: LinkId, with_fixed: bool) {
        let gone: Vec<MacAddr> = self
            .learned
            .iter()
            .filter(|(_, e)| e.port == port)
            .map(|(m, _)| *m)
            .collect();
        for m in gone {
            self.learned.pop(&m);
        }
        if with_fixed {
            self.fixed.retain(|_, e| e.port != port);
        }
    }

    /// Forgets every learned entry (`ip link set br0 type bridge fdb_flush`, or a port going
    /// down: br_fdb_delete_by_port).
    pub fn flush_learned(&mut self) {
        self.learned.clear();
    }

    /// The collector: removes learned entries not seen for `ageing` (br_fdb_cleanup).
    /// Returns what it removed (MAC, port, age) and when it wants to run next: at the next
    /// expiry, but never sooner than 10 ms nor later than `ageing` from now.
    pub fn collect(
        &mut self,
        now: Duration,
        ageing: Duration,
        removed: &mut Vec<(MacAddr, LinkId, Duration)>,
    ) -> Duration {
        let mut delay = ageing;
        for (mac, e) in self.learned.iter() {
            let expires = e.updated + ageing;
            if expires > now {
                delay = delay.min(expires - now);
            } else {
                removed.push((*mac, e.port, now - e.updated));
            }
        }
        for (mac, _, _) in removed.iter() {
            self.learned.pop(mac);
        }
        now + delay.max(Duration::from_millis(10))
    }

    /// Every entry, in the kernel's listing order (newest first).
    pub fn entries(&self) -> Vec<(MacAddr, FdbEntry)> {
        let mut v: Vec<(MacAddr, FdbEntry)> = self
            .fixed
            .iter()
            .chain(self.learned.iter())
            .map(|(m, e)| (*m, *e))
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1.created));
        v
    }
}

/// The kernel's `has_expired`: learned entries expire `ageing` after they were last seen.
#[inline]
pub fn has_expired(e: &FdbEntry, now: Duration, ageing: Duration) -> bool {
    e.kind == FdbKind::Learned && e.updated + ageing <= now
}

#[cfg(test)]
mod test {
    use super::*;

    fn mac(n: u8) -> MacAddr {
        MacAddr([2, 0, 0, 0, 0, n])
    }
    const P1: LinkId = LinkId(1);
    const P2: LinkId = LinkId(2);
    const S: Duration = Duration::from_secs(1);

    #[test]
    fn learn_refresh_move() {
        let mut f = Fdb::new(NonZeroUsize::new(8).unwrap());
        assert_eq!(f.learn(mac(1), P1, S), LearnOutcome::Learned);
        assert_eq!(f.learn(mac(1), P1, 2 * S), LearnOutcome::Refreshed);
        assert_eq!(f.learn(mac(1), P2, 3 * S), LearnOutcome::Moved { from: P1 });
        assert_eq!(f.get(&mac(1)).unwrap().port, P2);
    }

    #[test]
    fn bounded_with_lru_eviction() {
        let mut f = Fdb::new(NonZeroUsize::new(2).unwrap());
        f.learn(mac(1), P1, S);
        f.learn(mac(2), P1, S);
        f.learn(mac(1), P1, 2 * S); // mac(2) is now the least recently seen
        assert_eq!(
            f.learn(mac(3), P2, 3 * S),
            LearnOutcome::Evicted {
                mac: mac(2),
                port: P1
            }
        );
        assert_eq!(f.learned_len(), 2);
        assert!(f.get(&mac(2)).is_none());
    }

    #[test]
    fn expiry_and_collection() {
        let age = Duration::from_secs(300);
        let mut f = Fdb::new(NonZeroUsize::new(8).unwrap());
        f.learn(mac(1), P1, Duration::ZERO);
        f.learn(mac(2), P1, 10 * S);
        assert!(f.lookup(&mac(1), 299 * S, age).is_some());
        assert!(f.lookup(&mac(1), 300 * S, age).is_none());
        let mut gone = vec![];
        let next = f.collect(300 * S, age, &mut gone);
        assert_eq!(gone, vec![(mac(1), P1, 300 * S)]);
        assert_eq!(next, 310 * S);
    }

    #[test]
    fn own_address_is_not_learned() {
        let mut f = Fdb::new(NonZeroUsize::new(8).unwrap());
        f.insert_fixed(mac(9), P1, FdbKind::Local, S);
        assert_eq!(f.learn(mac(9), P2, S), LearnOutcome::OwnAddress);
        assert_eq!(f.get(&mac(9)).unwrap().port, P1);
        assert_eq!(f.entries().len(), 1);
    }
}
