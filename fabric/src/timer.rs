//! When the kernel's timers really fire (kernel/time/timer.c). The wire has no clock, but the
//! bridge's collector is a kernel timer, and kernel timers are filed in a timer wheel that
//! rounds them up.

use std::time::Duration;

/// Debian's kernels are built with HZ=250: a jiffy is 4 ms.
pub const DEFAULT_HZ: u32 = 250;

/// One jiffy at [`DEFAULT_HZ`].
pub const JIFFY: Duration = Duration::from_millis(4);

const NS_PER_SEC: u128 = 1_000_000_000;
/// LVL_CLK_SHIFT: each level's buckets are 8 times wider than the one below.
const LVL_CLK_SHIFT: u32 = 3;
/// LVL_BITS: 64 buckets a level.
const LVL_BITS: u32 = 6;
const LVL_SIZE: u64 = 1 << LVL_BITS;
const LVL_MASK: u64 = LVL_SIZE - 1;

/// LVL_SHIFT(n): how many low bits of the expiry level `n` ignores.
const fn lvl_shift(n: u32) -> u32 {
    n * LVL_CLK_SHIFT
}

/// LVL_START(n): the first delta filed in level `n` (n >= 1).
const fn lvl_start(n: u32) -> u64 {
    (LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT)
}

/// Where the wheel files a timer: its bucket's index, the jiffy that bucket expires in, and
/// its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The bucket's index in the base's vectors (LVL_OFFS(level) + bucket).
    pub idx: u64,
    /// The jiffy the timer runs in (`bucket_expiry`).
    pub bucket_expiry: u64,
    /// The wheel level.
    pub level: u32,
}

/// calc_index: rounds `expires` up to level `lvl`'s granularity, so a timer never fires early
/// (not even when armed at the edge of a tick: level 0 adds one jiffy).
fn calc_index(expires: u64, lvl: u32) -> Slot {
    let e = (expires >> lvl_shift(lvl)) + 1;
    Slot {
        idx: u64::from(lvl) * LVL_SIZE + (e & LVL_MASK),
        bucket_expiry: e << lvl_shift(lvl),
        level: lvl,
    }
}

/// calc_wheel_index: the level a timer `expires - clk` jiffies away goes to, with `depth`
/// levels (LVL_DEPTH: 9 above HZ=100, 8 otherwise). Timers beyond the wheel's reach
/// (WHEEL_TIMEOUT_CUTOFF) are filed at its limit; ones already due run in the current jiffy.
pub fn calc_wheel_index(expires: u64, clk: u64, depth: u32) -> Slot {
    let delta = expires.wrapping_sub(clk);
    if let Some(lvl) = (1..depth).find(|&n| delta < lvl_start(n)) {
        return calc_index(expires, lvl - 1);
    }
    if (delta as i64) < 0 {
        return Slot {
            idx: clk & LVL_MASK,
            bucket_expiry: clk,
            level: 0,
        };
    }
    let cutoff = lvl_start(depth);
    let expires = if delta >= cutoff {
        // WHEEL_TIMEOUT_MAX = WHEEL_TIMEOUT_CUTOFF - LVL_GRAN(LVL_DEPTH - 1)
        clk + cutoff - (1 << lvl_shift(depth - 1))
    } else {
        expires
    };
    calc_index(expires, depth - 1)
}

/// The timer wheel of a kernel ticking `hz` times a second, whose jiffies counter stood at
/// `jiffies0` at lab time zero (which places the buckets' boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wheel {
    /// CONFIG_HZ.
    pub hz: u32,
    /// jiffies at lab time zero.
    pub jiffies0: u64,
}

impl Default for Wheel {
    fn default() -> Self {
        Wheel {
            hz: DEFAULT_HZ,
            jiffies0: 0,
        }
    }
}

impl Wheel {
    /// A wheel at `hz` (clamped to at least 1) with jiffies at `jiffies0` at time zero.
    pub fn new(hz: u32, jiffies0: u64) -> Wheel {
        Wheel {
            hz: hz.max(1),
            jiffies0,
        }
    }

    /// LVL_DEPTH.
    pub fn depth(&self) -> u32 {
        if self.hz > 100 {
            9
        } else {
            8
        }
    }

    /// The jiffies counter at lab time `t`.
    pub fn jiffies_at(&self, t: Duration) -> u64 {
        let j = t.as_nanos() * u128::from(self.hz) / NS_PER_SEC;
        self.jiffies0 + u64::try_from(j).unwrap_or(u64::MAX / 2)
    }

    /// The lab time jiffy `j` starts (never before its first nanosecond).
    pub fn time_of(&self, j: u64) -> Duration {
        let ns = u128::from(j.saturating_sub(self.jiffies0)) * NS_PER_SEC;
        let ns = ns.div_ceil(u128::from(self.hz));
        Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    /// A delay in whole jiffies, rounded up (sock_set_timeout's `tv_sec * HZ +
    /// DIV_ROUND_UP(tv_usec, USEC_PER_SEC / HZ)`, which is this for the usual HZ values).
    pub fn to_jiffies(&self, d: Duration) -> u64 {
        let j = (d.as_nanos() * u128::from(self.hz)).div_ceil(NS_PER_SEC);
        u64::try_from(j).unwrap_or(u64::MAX / 2)
    }

    /// `mod_timer(t, jiffies + delta)` at lab time `now`: when it runs and at which level.
    pub fn arm(&self, now: Duration, delta: u64) -> (Duration, u32) {
        let clk = self.jiffies_at(now);
        let slot = calc_wheel_index(clk.saturating_add(delta), clk, self.depth());
        (self.time_of(slot.bucket_expiry).max(now), slot.level)
    }

    /// When a kernel timer armed at `now` for `at` fires, and its level: `at` is taken in
    /// whole jiffies from now, rounded up, and the wheel rounds the expiry up to its level's
    /// granularity. A 1 s ARP retransmit fires up to 32 ms late at HZ=250, the 5 s DELAY up
    /// to 256 ms late, the bridge's 300 s collector up to 16 s late.
    pub fn timer(&self, now: Duration, at: Duration) -> (Duration, u32) {
        let (t, level) = self.arm(now, self.to_jiffies(at.saturating_sub(now)));
        (t.max(at), level)
    }
}

/// When a kernel timer armed at `now` for `at` fires, at HZ=250 (see [`Wheel::timer`]).
pub fn kernel_timer(now: Duration, at: Duration, jiffies0: u64) -> Duration {
    Wheel::new(DEFAULT_HZ, jiffies0).timer(now, at).0
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

    fn slot(idx: u64, bucket_expiry: u64, level: u32) -> Slot {
        Slot {
            idx,
            bucket_expiry,
            level,
        }
    }

    /// Expected values worked out by hand from calc_index / calc_wheel_index:
    /// level n takes deltas in [LVL_START(n), LVL_START(n+1)) = [63·8^(n-1), 63·8^n),
    /// e = (expires >> 3n) + 1, bucket_expiry = e << 3n, idx = 64n + (e & 63).
    #[test]
    fn wheel_index_as_the_kernel_computes_it() {
        for depth in [8, 9] {
            let c = |e, clk| calc_wheel_index(e, clk, depth);
            // Level 0 (delta < 63): e = expires + 1.
            // 1010 + 1 = 1011, 1011 & 63 = 1011 - 960 = 51.
            assert_eq!(c(1010, 1000), slot(51, 1011, 0));
            // delta 62: 1063, 1063 - 1024 = 39.
            assert_eq!(c(1062, 1000), slot(39, 1063, 0));
            // delta 0: 1001, 1001 - 960 = 41.
            assert_eq!(c(1000, 1000), slot(41, 1001, 0));
            // Level 1 (63 <= delta < 504), 8 jiffies: 1063 >> 3 = 132, + 1 = 133, 133·8 = 1064,
            // idx 64 + (133 - 128) = 69.
            assert_eq!(c(1063, 1000), slot(69, 1064, 1));
            // 1 s at HZ=250: 1250 >> 3 = 156, 157·8 = 1256, idx 64 + 29 = 93.
            assert_eq!(c(1250, 1000), slot(93, 1256, 1));
            // delta 503: 1503 >> 3 = 187, 188·8 = 1504, idx 64 + (188 - 128) = 124.
            assert_eq!(c(1503, 1000), slot(124, 1504, 1));
            // Level 2 (504 <= delta < 4032), 64 jiffies: 1504 >> 6 = 23, 24·64 = 1536,
            // idx 128 + 24 = 152.
            assert_eq!(c(1504, 1000), slot(152, 1536, 2));
            // 5 s at HZ=250: 2250 >> 6 = 35, 36·64 = 2304, idx 128 + 36 = 164.
            assert_eq!(c(2250, 1000), slot(164, 2304, 2));
            // 1 s at HZ=1000: 1000 >> 6 = 15, 16·64 = 1024, idx 128 + 16 = 144.
            assert_eq!(c(1000, 0), slot(144, 1024, 2));
            // Level 3 (4032 <= delta < 32256), 512 jiffies: 4032 >> 9 = 7, 8·512 = 4096,
            // idx 192 + 8 = 200.
            assert_eq!(c(4032, 0), slot(200, 4096, 3));
            // 30 s at HZ=1000: 30000 >> 9 = 58, 59·512 = 30208, idx 192 + 59 = 251.
            assert_eq!(c(30_000, 0), slot(251, 30_208, 3));
            // Level 4 (32256 <= delta < 258048), 4096 jiffies: 300 s at HZ=250 is 75000:
            // 75000 >> 12 = 18, 19·4096 = 77824, idx 256 + 19 = 275.
            assert_eq!(c(75_000, 0), slot(275, 77_824, 4));
            // Level 5 (258048 <= delta < 2064384), 32768 jiffies: 300 s at HZ=1000:
            // 300000 >> 15 = 9, 10·32768 = 327680, idx 320 + 10 = 330.
            assert_eq!(c(300_000, 0), slot(330, 327_680, 5));
            // Already due: the current jiffy, no rounding.
            assert_eq!(c(400, 500), slot(500 & 63, 500, 0));
        }
        // Beyond the wheel (delta >= LVL_START(LVL_DEPTH)): filed at WHEEL_TIMEOUT_MAX.
        // HZ > 100, depth 9: cutoff 63 << 24 = 1056964608, max = cutoff - (1 << 24) =
        // 1040187392 = 62 << 24; e = 63, bucket 63 << 24, idx 8·64 + 63 = 575.
        assert_eq!(
            calc_wheel_index(2_000_000_000, 0, 9),
            slot(575, 1_056_964_608, 8)
        );
        // HZ = 100, depth 8: cutoff 63 << 21 = 132120576, max = 62 << 21; e = 63,
        // bucket 63 << 21, idx 7·64 + 63 = 511.
        assert_eq!(
            calc_wheel_index(2_000_000_000, 0, 8),
            slot(511, 132_120_576, 7)
        );
        // Between the two cutoffs depth 9 files at level 8, depth 8 clamps at level 7.
        // 200000000 >> 24 = 11, 12 << 24 = 201326592, idx 512 + 12 = 524.
        assert_eq!(
            calc_wheel_index(200_000_000, 0, 9),
            slot(524, 201_326_592, 8)
        );
        assert_eq!(
            calc_wheel_index(200_000_000, 0, 8),
            slot(511, 132_120_576, 7)
        );
    }

    #[test]
    fn waits_at_hz_100_250_1000() {
        let ms = Duration::from_millis;
        // A 1 s socket timeout armed at jiffy 0 (in step with the wheel):
        // HZ=100: 100 jiffies, level 1: (100 >> 3) + 1 = 13, 13·8 = 104 jiffies = 1040 ms.
        // HZ=250: 250 jiffies, level 1: 32·8 = 256 jiffies = 1024 ms.
        // HZ=1000: 1000 jiffies, level 2: 16·64 = 1024 jiffies = 1024 ms.
        for (hz, want) in [(100, 1040), (250, 1024), (1000, 1024)] {
            let w = Wheel::new(hz, 0);
            assert_eq!(w.to_jiffies(ms(1000)), u64::from(hz));
            assert_eq!(w.arm(ms(0), w.to_jiffies(ms(1000))).0, ms(want), "HZ={hz}");
        }
        // 200 ms: HZ=250: 50 jiffies, level 0: 51 jiffies = 204 ms. HZ=100: 20 jiffies,
        // 21 = 210 ms. HZ=1000: 200 jiffies, level 1: (200 >> 3) + 1 = 26, 208 ms.
        for (hz, want) in [(100, 210), (250, 204), (1000, 208)] {
            let w = Wheel::new(hz, 0);
            assert_eq!(w.arm(ms(0), w.to_jiffies(ms(200))).0, ms(want), "HZ={hz}");
        }
        // Out of step: jiffies0 = 3, armed at lab time 10 s (jiffy 2503 at HZ=250):
        // 2503 + 250 = 2753, >> 3 = 344, 345·8 = 2760, lab jiffy 2757 = 11.028 s.
        let w = Wheel::new(250, 3);
        assert_eq!(w.arm(ms(10_000), 250), (ms(11_028), 1));
        // Timeouts round up to whole jiffies: 1 ms is one jiffy at every HZ.
        assert_eq!(Wheel::new(250, 0).to_jiffies(ms(1)), 1);
        assert_eq!(Wheel::new(100, 0).to_jiffies(ms(15)), 2);
        // Mid-jiffy: at 10.001 s the jiffies counter still reads 2500.
        assert_eq!(Wheel::new(250, 0).jiffies_at(ms(10_001)), 2500);
        // A jiffy of 1/300 s starts on its first nanosecond, never before.
        let w = Wheel::new(300, 0);
        assert_eq!(w.jiffies_at(w.time_of(1)), 1);
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
