//! The forwarding database: MAC → port, learned and aged (net/bridge/br_fdb.c).
//!
//! Learned entries are bounded, so a flood of random source MACs cannot grow memory without
//! bound: past `max_learned` the least recently seen entry is evicted. Local entries (each
//! port's own MAC, the bridge's) and entries added by the user live beside them, unbounded and
//! never aged.
//!
//! One hash probe per lookup, whatever the kind: every entry sits in one slab of slots, found
//! through one index keyed by the MAC as a 48-bit integer with a multiply-fold hash (a frame
//! costs one probe to learn and one to forward, not the four SipHash rounds of two maps).
//! In front of the index, a direct-mapped cache of sixteen recent lookups turns the probes of
//! a frame between known stations into one compare each.
//! Learned slots are threaded on an intrusive recency list (most recently seen first), which
//! gives eviction and the collector's order. Nothing allocates once the slab has grown.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::num::NonZeroUsize;
use std::time::Duration;

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

/// End of the recency list.
const NIL: u32 = u32::MAX;

/// How many MACs [`Fdb`]'s cache of recent lookups holds: `1 << RECENT_BITS`.
const RECENT_BITS: u32 = 4;
const RECENT: usize = 1 << RECENT_BITS;

/// No MAC has this key (keys are 48 bits): an empty place in the cache.
const NO_KEY: u64 = u64::MAX;

/// Where a key sits in the cache: the top bits of a multiply, which every bit of the MAC
/// reaches. Unseeded: a crafted MAC can only make itself miss, and a miss costs one compare.
#[inline(always)]
fn recent_at(k: u64) -> usize {
    (k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - RECENT_BITS)) as usize
}

/// A MAC as the index's key: its 48 bits in one integer, hashed in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key(u64);

impl Key {
    #[inline]
    fn of(mac: &MacAddr) -> Key {
        let b = mac.0;
        Key(u64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], 0, 0,
        ]))
    }
}

impl Hash for Key {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0);
    }
}

/// Builds [`MacHasher`]s with the table's seed.
#[derive(Debug, Clone, Copy)]
struct MacHash {
    seed: u64,
}

impl MacHash {
    /// A seed per table, from the standard library's random keys, so crafted source MACs
    /// cannot aim at one bucket across runs.
    fn new() -> MacHash {
        let seed = std::collections::hash_map::RandomState::new().hash_one(0x006c_326c_6162_u64);
        MacHash { seed: seed | 1 }
    }
}

impl BuildHasher for MacHash {
    type Hasher = MacHasher;
    #[inline]
    fn build_hasher(&self) -> MacHasher {
        MacHasher(self.seed)
    }
}

/// A 128-bit multiply folded to 64 bits: every input bit reaches the high and low bits the
/// table uses, for about three instructions.
#[derive(Debug, Clone, Copy)]
struct MacHasher(u64);

impl Hasher for MacHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        let m = u128::from(x ^ self.0) * 0x9e37_79b9_7f4a_7c15_u128;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b) | 0x100);
        }
    }
}

/// One entry in the slab, with its links on the recency list (learned entries only).
#[derive(Debug, Clone, Copy)]
struct Slot {
    mac: MacAddr,
    entry: FdbEntry,
    /// Towards the most recently seen; [`NIL`] at the head or when not on the list.
    prev: u32,
    /// Towards the least recently seen; [`NIL`] at the tail or when not on the list.
    next: u32,
}

/// The forwarding database of one bridge.
#[derive(Debug)]
pub struct Fdb {
    index: HashMap<Key, u32, MacHash>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Most recently seen learned entry.
    head: u32,
    /// Least recently seen learned entry: the next to be evicted.
    tail: u32,
    learned: usize,
    max_learned: NonZeroUsize,
    next_created: u64,
    /// The slots of MACs learned or found lately, `(key, slot)`, each at its `recent_at`: a
    /// frame's two probes, its source learned and its destination looked up, mostly end here
    /// in one compare instead of a probe of the index. Every entry agrees with `index`
    /// (`release` takes a MAC out of both), so a hit needs no further check.
    recent: [(u64, u32); RECENT],
    /// Changes as the kernel notifies them (fdb_notify), kept while someone watches
    /// (`bridge monitor fdb`); `None` otherwise, so the frame path pays nothing.
    log: Option<Vec<FdbChange>>,
}

/// One change of a forwarding database, as `bridge monitor fdb` reports it: an entry added,
/// moved to another port (both RTM_NEWNEIGH), or deleted (RTM_DELNEIGH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdbChange {
    /// The MAC.
    pub mac: MacAddr,
    /// The entry as it is after the change, or as it was when deleted.
    pub entry: FdbEntry,
    /// Whether it was deleted.
    pub deleted: bool,
}

impl Fdb {
    /// Starts or stops keeping a log of changes (what it held is dropped when stopped).
    pub fn set_logging(&mut self, on: bool) {
        match (on, self.log.is_some()) {
            (true, false) => self.log = Some(Vec::new()),
            (false, true) => self.log = None,
            _ => {}
        }
    }

    /// Takes the changes logged so far, oldest first.
    pub fn take_log(&mut self) -> Vec<FdbChange> {
        self.log.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Points `mac`'s local entry from `port` to `bridge` without a notification: what the
    /// kernel's fdb_delete_local does when the bridge itself has that address.
    pub fn repoint_local(&mut self, mac: &MacAddr, port: LinkId, bridge: LinkId) {
        if let Some(i) = self.find(mac) {
            let e = &mut self.slots[i as usize].entry;
            if e.kind == FdbKind::Local && e.port == port {
                e.port = bridge;
            }
        }
    }

    fn note(&mut self, mac: MacAddr, entry: FdbEntry, deleted: bool) {
        if let Some(log) = self.log.as_mut() {
            log.push(FdbChange {
                mac,
                entry,
                deleted,
            });
        }
    }

    /// An empty table that keeps at most `max_learned` learned entries. It allocates as it
    /// fills, not up front.
    pub fn new(max_learned: NonZeroUsize) -> Fdb {
        Fdb {
            index: HashMap::with_hasher(MacHash::new()),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            learned: 0,
            max_learned,
            next_created: 0,
            recent: [(NO_KEY, NIL); RECENT],
            log: None,
        }
    }

    /// The bound on learned entries.
    pub fn max_learned(&self) -> usize {
        self.max_learned.get()
    }

    /// Changes the bound; entries over it are evicted, least recently seen first.
    pub fn set_max_learned(&mut self, max: NonZeroUsize) {
        self.max_learned = max;
        while self.learned > max.get() {
            self.evict_tail();
        }
    }

    /// Number of learned entries.
    pub fn learned_len(&self) -> usize {
        self.learned
    }

    fn stamp(&mut self) -> u64 {
        self.next_created += 1;
        self.next_created
    }

    #[inline(always)]
    fn find(&self, mac: &MacAddr) -> Option<u32> {
        let k = Key::of(mac);
        match self.recent[recent_at(k.0)] {
            (rk, i) if rk == k.0 => Some(i),
            _ => self.index.get(&k).copied(),
        }
    }

    /// `find` for the frame path, which also keeps what the index found in the cache.
    #[inline(always)]
    fn find_recent(&mut self, mac: &MacAddr) -> Option<u32> {
        let k = Key::of(mac);
        let r = recent_at(k.0);
        match self.recent[r] {
            (rk, i) if rk == k.0 => Some(i),
            _ => {
                let i = self.index.get(&k).copied()?;
                self.recent[r] = (k.0, i);
                Some(i)
            }
        }
    }

    #[inline]
    fn slot(&self, i: u32) -> &Slot {
        &self.slots[i as usize]
    }

    #[inline]
    fn slot_mut(&mut self, i: u32) -> &mut Slot {
        &mut self.slots[i as usize]
    }

    /// Takes slot `i` off the recency list.
    #[inline]
    fn unlink(&mut self, i: u32) {
        let (prev, next) = {
            let s = self.slot(i);
            (s.prev, s.next)
        };
        if prev == NIL {
            self.head = next;
        } else {
            self.slot_mut(prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slot_mut(next).prev = prev;
        }
        let s = self.slot_mut(i);
        s.prev = NIL;
        s.next = NIL;
    }

    /// Puts slot `i` at the head of the recency list (most recently seen).
    #[inline]
    fn push_front(&mut self, i: u32) {
        let head = self.head;
        {
            let s = self.slot_mut(i);
            s.prev = NIL;
            s.next = head;
        }
        if head == NIL {
            self.tail = i;
        } else {
            self.slot_mut(head).prev = i;
        }
        self.head = i;
    }

    /// Stores a new slot and indexes it; the caller puts learned ones on the list.
    fn alloc(&mut self, mac: MacAddr, entry: FdbEntry) -> u32 {
        let slot = Slot {
            mac,
            entry,
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.index.insert(Key::of(&mac), i);
        if self.log.is_some() {
            self.note(mac, entry, false);
        }
        i
    }

    /// Removes slot `i` from the index and the list, and frees it.
    fn release(&mut self, i: u32) -> (MacAddr, FdbEntry) {
        let s = *self.slot(i);
        if s.entry.kind == FdbKind::Learned {
            self.unlink(i);
            self.learned -= 1;
        }
        let k = Key::of(&s.mac);
        self.index.remove(&k);
        let r = &mut self.recent[recent_at(k.0)];
        if r.0 == k.0 {
            *r = (NO_KEY, NIL);
        }
        self.free.push(i);
        if self.log.is_some() {
            self.note(s.mac, s.entry, true);
        }
        (s.mac, s.entry)
    }

    fn evict_tail(&mut self) -> Option<(MacAddr, FdbEntry)> {
        match self.tail {
            NIL => None,
            t => Some(self.release(t)),
        }
    }

    /// Looks a destination up without touching recency. As the kernel's br_fdb_find_rcu, an
    /// entry past its ageing time is still found (and forwarded to, and listed `stale`) until
    /// the collector removes it.
    #[inline]
    pub fn lookup(&self, mac: &MacAddr) -> Option<&FdbEntry> {
        let i = self.find(mac)?;
        Some(&self.slot(i).entry)
    }

    /// [`Fdb::lookup`] for a caller that changes the entry (the forwarding decision marks
    /// it used): one probe where lookup and [`Fdb::touch_used`] take two.
    // Always inlined, as `learn`: a call costs the frame path a fifth of the probe again.
    #[inline(always)]
    pub fn lookup_mut(&mut self, mac: &MacAddr) -> Option<&mut FdbEntry> {
        let i = self.find_recent(mac)?;
        Some(&mut self.slots[i as usize].entry)
    }

    /// Any entry for `mac`, expired or not.
    pub fn get(&self, mac: &MacAddr) -> Option<&FdbEntry> {
        self.find(mac).map(|i| &self.slot(i).entry)
    }

    /// Marks a learned entry as used for forwarding now.
    #[inline]
    pub fn touch_used(&mut self, mac: &MacAddr, now: Duration) {
        if let Some(i) = self.find(mac) {
            let e = &mut self.slot_mut(i).entry;
            if e.kind == FdbKind::Learned {
                e.used = now;
            }
        }
    }

    /// Learns that `mac` lives behind `port` (br_fdb_update).
    #[inline(always)]
    pub fn learn(&mut self, mac: MacAddr, port: LinkId, now: Duration) -> LearnOutcome {
        if let Some(i) = self.find_recent(&mac) {
            let e = &mut self.slots[i as usize].entry;
            match e.kind {
                FdbKind::Local => return LearnOutcome::OwnAddress,
                FdbKind::Static => return LearnOutcome::Static,
                FdbKind::Learned => {}
            }
            e.updated = now;
            let moved = (e.port != port).then_some(e.port);
            e.port = port;
            if self.head != i {
                self.unlink(i);
                self.push_front(i);
            }
            return match moved {
                Some(from) => {
                    let entry = self.slots[i as usize].entry;
                    self.note(mac, entry, false);
                    LearnOutcome::Moved { from }
                }
                None => LearnOutcome::Refreshed,
            };
        }
        self.learn_new(mac, port, now)
    }

    #[inline(never)]
    fn learn_new(&mut self, mac: MacAddr, port: LinkId, now: Duration) -> LearnOutcome {
        let evicted = if self.learned >= self.max_learned.get() {
            self.evict_tail()
        } else {
            None
        };
        let created = self.stamp();
        let i = self.alloc(
            mac,
            FdbEntry {
                port,
                kind: FdbKind::Learned,
                updated: now,
                used: now,
                created,
            },
        );
        self.push_front(i);
        self.learned += 1;
        match evicted {
            Some((old, e)) => LearnOutcome::Evicted {
                mac: old,
                port: e.port,
            },
            None => LearnOutcome::Learned,
        }
    }

    /// Adds a local (own address) or static entry, replacing any entry for the same MAC.
    pub fn insert_fixed(&mut self, mac: MacAddr, port: LinkId, kind: FdbKind, now: Duration) {
        if let Some(i) = self.find(&mac) {
            self.release(i);
        }
        let created = self.stamp();
        self.alloc(
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
        let i = self.find(mac)?;
        Some(self.release(i).1)
    }

    /// Removes the local entry of `port` for `mac`, if that is what it is.
    pub fn remove_local(&mut self, mac: &MacAddr, port: LinkId) {
        if let Some(i) = self.find(mac) {
            let e = &self.slot(i).entry;
            if e.kind == FdbKind::Local && e.port == port {
                self.release(i);
            }
        }
    }

    /// Indices of live slots.
    fn live(&self) -> impl Iterator<Item = u32> + '_ {
        self.index.values().copied()
    }

    /// Forgets every entry behind `port` (the port left the bridge): learned and, when
    /// `with_fixed`, local and static ones too.
    pub fn flush_port(&mut self, port: LinkId, with_fixed: bool) {
        let gone: Vec<u32> = self
            .live()
            .filter(|&i| {
                let e = &self.slot(i).entry;
                e.port == port && (with_fixed || e.kind == FdbKind::Learned)
            })
            .collect();
        for i in gone {
            self.release(i);
        }
    }

    /// Forgets every learned entry (`ip link set br0 type bridge fdb_flush`, or a port going
    /// down: br_fdb_delete_by_port).
    pub fn flush_learned(&mut self) {
        while self.evict_tail().is_some() {}
    }

    /// Learned entries from the most recently seen to the least.
    fn recency(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(self.head).filter(|&i| i != NIL), move |&i| {
            Some(self.slot(i).next).filter(|&n| n != NIL)
        })
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
        let first = removed.len();
        let mut expired = Vec::new();
        for i in self.recency() {
            let s = self.slot(i);
            let expires = s.entry.updated + ageing;
            if expires > now {
                delay = delay.min(expires - now);
            } else {
                expired.push((s.entry.created, s.mac, s.entry.port, now - s.entry.updated));
            }
        }
        // br_fdb_cleanup walks the bridge's list, newest entry first.
        expired.sort_unstable_by_key(|e| std::cmp::Reverse(e.0));
        removed.extend(
            expired
                .into_iter()
                .map(|(_, mac, port, age)| (mac, port, age)),
        );
        let gone: Vec<MacAddr> = removed[first..].iter().map(|r| r.0).collect();
        for mac in gone {
            if let Some(i) = self.find(&mac) {
                self.release(i);
            }
        }
        now + delay.max(Duration::from_millis(10))
    }

    /// Every entry, in the kernel's listing order (newest first).
    pub fn entries(&self) -> Vec<(MacAddr, FdbEntry)> {
        let mut v: Vec<(MacAddr, FdbEntry)> = self
            .live()
            .map(|i| {
                let s = self.slot(i);
                (s.mac, s.entry)
            })
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
        assert!(f
            .lookup(&mac(1))
            .is_some_and(|e| !has_expired(e, 299 * S, age)));
        assert!(f
            .lookup(&mac(1))
            .is_some_and(|e| has_expired(e, 300 * S, age)));
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

    #[test]
    fn the_log_holds_what_fdb_notify_would_say_and_only_while_on() {
        let mut f = Fdb::new(NonZeroUsize::new(8).unwrap());
        f.learn(mac(1), P1, Duration::ZERO);
        f.set_logging(true);
        assert!(f.take_log().is_empty());
        f.learn(mac(1), P1, S); // a refresh says nothing
        f.learn(mac(1), P2, S); // a move
        f.learn(mac(2), P1, S); // a new entry
        f.remove(&mac(2));
        let log: Vec<(MacAddr, LinkId, bool)> = f
            .take_log()
            .iter()
            .map(|c| (c.mac, c.entry.port, c.deleted))
            .collect();
        assert_eq!(
            log,
            vec![(mac(1), P2, false), (mac(2), P1, false), (mac(2), P1, true)]
        );
        f.set_logging(false);
        f.learn(mac(3), P1, S);
        assert!(f.take_log().is_empty());
    }

    /// br_fdb_cleanup walks the bridge's list of entries, newest first; a refresh does not
    /// move an entry in it (seen in `bridge monitor fdb` on Linux 6.18:
    /// scenarios/bridge-monitor-fdb).
    #[test]
    fn collector_removes_newest_entries_first() {
        let age = Duration::from_secs(300);
        let mut f = Fdb::new(NonZeroUsize::new(8).unwrap());
        f.learn(mac(1), P1, Duration::ZERO);
        f.learn(mac(2), P2, Duration::ZERO);
        f.learn(mac(3), P1, Duration::ZERO);
        f.learn(mac(1), P1, Duration::ZERO);
        let mut gone = vec![];
        f.collect(300 * S, age, &mut gone);
        let order: Vec<MacAddr> = gone.iter().map(|g| g.0).collect();
        assert_eq!(order, vec![mac(3), mac(2), mac(1)]);
        assert_eq!(f.learned_len(), 0);
        assert!(f.entries().is_empty());
    }

    #[test]
    fn shrinking_the_bound_evicts_least_recently_seen() {
        let mut f = Fdb::new(NonZeroUsize::new(8).unwrap());
        for n in 1..=5 {
            f.learn(mac(n), P1, S);
        }
        f.learn(mac(1), P1, 2 * S);
        f.set_max_learned(NonZeroUsize::new(2).unwrap());
        assert_eq!(f.learned_len(), 2);
        assert!(f.get(&mac(1)).is_some() && f.get(&mac(5)).is_some());
        assert_eq!(
            f.learn(mac(6), P2, 3 * S),
            LearnOutcome::Evicted {
                mac: mac(5),
                port: P1
            }
        );
    }

    #[test]
    fn fixed_entries_replace_learned_and_are_never_evicted() {
        let mut f = Fdb::new(NonZeroUsize::new(1).unwrap());
        f.learn(mac(1), P1, S);
        f.insert_fixed(mac(1), P2, FdbKind::Static, S);
        assert_eq!(f.learned_len(), 0);
        assert_eq!(f.learn(mac(1), P1, S), LearnOutcome::Static);
        f.learn(mac(2), P1, S);
        assert_eq!(
            f.learn(mac(3), P1, S),
            LearnOutcome::Evicted {
                mac: mac(2),
                port: P1
            }
        );
        assert_eq!(f.get(&mac(1)).unwrap().kind, FdbKind::Static);
        f.flush_port(P1, false);
        assert_eq!(f.learned_len(), 0);
        assert_eq!(f.entries().len(), 1);
        f.flush_port(P2, true);
        assert!(f.entries().is_empty());
        assert_eq!(f.remove(&mac(1)), None);
    }

    #[test]
    fn recent_lookups_follow_the_table() {
        // More MACs than the cache has places, so they share places; checked against a map,
        // after every change, for every MAC ever seen (slots freed and reused included).
        let mut f = Fdb::new(NonZeroUsize::new(1000).unwrap());
        let mut model = std::collections::HashMap::new();
        let mut seen = vec![];
        for round in 0..4u8 {
            for n in 0..60u8 {
                let m = MacAddr([2, round, 0, 0, n / 7, n]);
                let p = if n % 3 == 0 { P1 } else { P2 };
                seen.push(m);
                f.learn(m, p, S);
                model.insert(m, p);
                if n % 4 == 1 {
                    f.remove(&m);
                    model.remove(&m);
                }
                if n % 9 == 2 {
                    f.flush_port(P1, false);
                    model.retain(|_, q| *q != P1);
                }
                if n % 11 == 5 {
                    f.insert_fixed(m, P2, FdbKind::Static, S);
                    model.insert(m, P2);
                }
                for k in &seen {
                    assert_eq!(f.lookup_mut(k).map(|e| e.port), model.get(k).copied());
                    assert_eq!(f.lookup(k).map(|e| e.port), model.get(k).copied());
                }
            }
        }
    }

    #[test]
    fn lookup_mut_skips_expired() {
        let age = Duration::from_secs(300);
        let mut f = Fdb::new(NonZeroUsize::new(8).unwrap());
        f.learn(mac(1), P1, S);
        if let Some(e) = f.lookup_mut(&mac(1)) {
            e.used = 5 * S;
        }
        assert_eq!(f.get(&mac(1)).unwrap().used, 5 * S);
        assert!(f
            .lookup_mut(&mac(1))
            .is_some_and(|e| has_expired(e, 301 * S, age)));
    }
}
