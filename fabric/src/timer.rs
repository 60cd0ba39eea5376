//! When the kernel's timers really fire. The wire has no clock, but the bridge's collector is a
//! kernel timer, and kernel timers are filed in a timer wheel that rounds them up.

use std::time::Duration;

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
    let delta = delay.as_nanos().div_ceil(JIFFY.as_nanos()) as u64;
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

/// The kernel's HZ.
const HZ: u64 = 250;

/// round_jiffies (kernel/time/timer.c) on CPU 0: a timer that need not be exact is moved to
/// a whole second, down when it is less than a quarter second past one, else up (never into
/// the past), so that timers fire together. The STP hello and hold timers are armed so.
pub fn round_jiffies(now: Duration, at: Duration, jiffies0: u64) -> Duration {
    let j = |t: Duration| (t.as_nanos() / JIFFY.as_nanos()) as u64;
    let now_j = jiffies0 + j(now);
    let orig = jiffies0 + at.as_nanos().div_ceil(JIFFY.as_nanos()) as u64;
    let rem = orig % HZ;
    let rounded = if rem < HZ / 4 {
        orig - rem
    } else {
        orig - rem + HZ
    };
    let target = if rounded > now_j { rounded } else { orig };
    let t = Duration::from_nanos((target - jiffies0).saturating_mul(JIFFY.as_nanos() as u64));
    kernel_timer(now, t, jiffies0)
}

#[cfg(test)]
mod test {
    use super::*;

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

    #[test]
    fn round_jiffies_goes_to_a_whole_second() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        // jiffies0 = 0: seconds of lab time are whole seconds of jiffies.
        // 11.1 s goes down to 11 s (then the wheel's 32 ms buckets round it up a little).
        let t = round_jiffies(s(10), s(11) + ms(100), 0);
        assert!(t >= s(11) && t <= s(11) + ms(32), "{t:?}");
        let t = round_jiffies(s(10), s(11) + ms(300), 0);
        assert!(t >= s(12) && t <= s(12) + ms(32), "{t:?}");
    }
}
