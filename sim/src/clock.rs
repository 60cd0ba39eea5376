//! The lab's clock: virtual (deterministic, moves only when told) or real (tokio's clock).
//!
//! Lab time is a `Duration` since the lab started. Every timer of the lab (FDB ageing and its
//! collector, the neighbour state machine, ARP retries, ping intervals and timeouts) is a
//! deadline on this clock, kept in the lab's [`Timers`]; only the way `now` moves differs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

/// How the lab's time moves.
#[derive(Debug, Clone)]
pub enum Clock {
    /// Time moves only when the lab is told to advance, jumping from timer to timer.
    Virtual {
        /// The current lab time.
        now: Duration,
    },
    /// Time is tokio's clock since `origin` (wall time, or tokio's paused test clock).
    Real {
        /// When the lab started.
        origin: tokio::time::Instant,
    },
}

impl Clock {
    /// A virtual clock at zero.
    pub fn virtual_time() -> Clock {
        Clock::Virtual {
            now: Duration::ZERO,
        }
    }

    /// A real clock starting now. Needs a tokio runtime only for `sleep_until`.
    pub fn real_time() -> Clock {
        Clock::Real {
            origin: tokio::time::Instant::now(),
        }
    }

    /// The current lab time.
    pub fn now(&self) -> Duration {
        match self {
            Clock::Virtual { now } => *now,
            Clock::Real { origin } => origin.elapsed(),
        }
    }

    /// True for the virtual clock.
    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual { .. })
    }

    /// Sets virtual time (never backwards); ignored on the real clock.
    pub(crate) fn set(&mut self, t: Duration) {
        if let Clock::Virtual { now } = self {
            if t > *now {
                *now = t;
            }
        }
    }

    /// Waits on the real clock until lab time `t` (returns at once on the virtual clock).
    pub async fn sleep_until(&self, t: Duration) {
        if let Clock::Real { origin } = self {
            tokio::time::sleep_until(*origin + t).await;
        }
    }
}

/// The kernel's tick: Debian's kernels are built with HZ=250.
pub const JIFFY: Duration = Duration::from_millis(4);

/// When a kernel timer (a `timer_list` or a delayed work) armed at `now` for `at` fires.
/// The timer wheel (kernel/time/timer.c: calc_wheel_index) files a timer `delta` jiffies away
/// in level L, whose buckets are 8^L jiffies wide, and rounds its expiry up to the next bucket
/// boundary, so it never fires early: a 1 s ARP retransmit fires up to 32 ms late, the 5 s
/// DELAY up to 256 ms late, the bridge's 300 s collector up to 16 s late. `jiffies0` is the
/// jiffies count at lab time zero, which places the boundaries.
pub fn kernel_timer(now: Duration, at: Duration, jiffies0: u64) -> Duration {
    let j = |t: Duration| (t.as_nanos() / JIFFY.as_nanos()) as u64;
    let now_j = jiffies0 + j(now);
    let delay = at.saturating_sub(now);
    let delta = (delay.as_nanos().div_ceil(JIFFY.as_nanos())) as u64;
    let expires = now_j + delta;
    // LVL_START(n) = 63 << 3(n-1): the first delta filed in level n.
    let mut lvl = 0u32;
    while lvl < 8 && delta >= 63u64 << (3 * lvl) {
        lvl += 1;
    }
    let shift = 3 * lvl;
    let bucket = ((expires >> shift) + 1) << shift;
    let fire_j = bucket.saturating_sub(jiffies0);
    Duration::from_nanos(fire_j.saturating_mul(JIFFY.as_nanos() as u64)).max(at)
}

/// A queue of deadlines, each with a payload; ties keep insertion order, so runs repeat.
#[derive(Debug)]
pub struct Timers<T> {
    heap: BinaryHeap<Reverse<(Duration, u64, TimerSlot<T>)>>,
    seq: u64,
}

#[derive(Debug)]
struct TimerSlot<T>(T);

impl<T> PartialEq for TimerSlot<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for TimerSlot<T> {}
impl<T> PartialOrd for TimerSlot<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for TimerSlot<T> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}

impl<T> Default for Timers<T> {
    fn default() -> Self {
        Timers {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<T> Timers<T> {
    /// Schedules `what` at `at`.
    pub fn schedule(&mut self, at: Duration, what: T) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, TimerSlot(what))));
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Takes the earliest timer if it is due at `now`.
    pub fn pop_due(&mut self, now: Duration) -> Option<(Duration, T)> {
        match self.heap.peek() {
            Some(Reverse((t, _, _))) if *t <= now => {
                self.heap.pop().map(|Reverse((t, _, TimerSlot(w)))| (t, w))
            }
            _ => None,
        }
    }

    /// Number of pending timers.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn timers_fire_in_order_ties_in_insertion_order() {
        let mut t = Timers::default();
        let s = Duration::from_secs;
        t.schedule(s(2), "b");
        t.schedule(s(1), "a");
        t.schedule(s(2), "c");
        assert_eq!(t.pop_due(s(0)), None);
        assert_eq!(t.pop_due(s(5)), Some((s(1), "a")));
        assert_eq!(t.pop_due(s(5)), Some((s(2), "b")));
        assert_eq!(t.pop_due(s(5)), Some((s(2), "c")));
        assert!(t.is_empty());
    }

    #[test]
    fn kernel_timers_round_up_to_their_level() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        // 100 ms = 25 jiffies: level 0, one jiffy late at most.
        let t = kernel_timer(s(10), s(10) + ms(100), 0);
        assert!(t >= s(10) + ms(100) && t <= s(10) + ms(104), "{t:?}");
        // 1 s: level 1, 32 ms buckets.
        let t = kernel_timer(s(10), s(11), 3);
        assert!(t >= s(11) && t <= s(11) + ms(32), "{t:?}");
        // 5 s: level 2, 256 ms buckets.
        let t = kernel_timer(s(10), s(15), 7);
        assert!(t > s(15) && t <= s(15) + ms(256), "{t:?}");
        // 300 s: level 4, 16.384 s buckets.
        let t = kernel_timer(s(0), s(300), 12345);
        assert!(t > s(300) && t <= s(300) + ms(16_384), "{t:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn real_clock_follows_tokio_time() {
        let c = Clock::real_time();
        c.sleep_until(Duration::from_secs(3)).await;
        assert!(c.now() >= Duration::from_secs(3));
        assert!(!c.is_virtual());
    }
}
