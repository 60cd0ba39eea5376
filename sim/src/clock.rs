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

pub use l2lab_fabric::timer::{kernel_timer, Wheel, DEFAULT_HZ, JIFFY};

/// A queue of deadlines, each with a payload, in the order the kernel runs them: among
/// timers due at the same instant, the timer wheel's first (higher levels first, as
/// `__run_timers` expires the collected levels from the top down; within a level newest-armed
/// first, as `enqueue_timer` adds at the head of a bucket's list), then the others in the
/// order they were armed. Runs repeat.
#[derive(Debug)]
pub struct Timers<T> {
    heap: BinaryHeap<Reverse<Entry<T>>>,
    seq: u64,
}

/// A deadline, its rank among the timers due then, its order within the rank, its payload.
type Entry<T> = (Duration, u32, u64, TimerSlot<T>);

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

/// Rank of the timers that are not on the wheel (hrtimers, work): after the wheel's.
const RANK_OTHER: u32 = u32::MAX;

impl<T> Timers<T> {
    /// Schedules `what` at `at`, after every wheel timer and every earlier one due then.
    pub fn schedule(&mut self, at: Duration, what: T) {
        self.seq += 1;
        self.heap
            .push(Reverse((at, RANK_OTHER, self.seq, TimerSlot(what))));
    }

    /// Schedules a timer of the wheel's `level` that runs at `at` (its bucket's expiry).
    pub fn schedule_wheel(&mut self, at: Duration, level: u32, what: T) {
        self.seq += 1;
        let rank = u32::MAX / 2 - level.min(u32::MAX / 2);
        self.heap
            .push(Reverse((at, rank, u64::MAX - self.seq, TimerSlot(what))));
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.heap.peek().map(|Reverse((t, _, _, _))| *t)
    }

    /// Takes the earliest timer if it is due at `now`.
    pub fn pop_due(&mut self, now: Duration) -> Option<(Duration, T)> {
        match self.heap.peek() {
            Some(Reverse((t, _, _, _))) if *t <= now => self
                .heap
                .pop()
                .map(|Reverse((t, _, _, TimerSlot(w)))| (t, w)),
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
    fn wheel_timers_of_one_tick_run_top_level_first_then_newest_first() {
        let mut t = Timers::default();
        let s = Duration::from_secs;
        t.schedule(s(1), "hrtimer");
        t.schedule_wheel(s(1), 0, "l0 old");
        t.schedule_wheel(s(1), 1, "l1 old");
        t.schedule_wheel(s(1), 0, "l0 new");
        t.schedule_wheel(s(1), 1, "l1 new");
        t.schedule_wheel(s(2), 3, "later");
        let order: Vec<_> = std::iter::from_fn(|| t.pop_due(s(5)).map(|(_, w)| w)).collect();
        assert_eq!(
            order,
            ["l1 new", "l1 old", "l0 new", "l0 old", "hrtimer", "later"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn real_clock_follows_tokio_time() {
        let c = Clock::real_time();
        c.sleep_until(Duration::from_secs(3)).await;
        assert!(c.now() >= Duration::from_secs(3));
        assert!(!c.is_virtual());
    }
}
