//! The FDB alone: learning rate (new MACs into a table of 10, 10k and 1M entries), lookup cost
//! at those sizes, and memory per learned entry (counted by a global allocator that tracks
//! live bytes; printed before the timings).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use l2lab_fabric::{Fdb, LinkId, MacAddr};

/// Counts live heap bytes so the bench can report memory per entry.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        System.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        System.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        System.realloc(p, l, new)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SIZES: [usize; 3] = [10, 10_000, 1_000_000];
const PORTS: u32 = 8;

/// The i-th test MAC: unicast, locally administered, spread over all six bytes.
fn mac(i: usize) -> MacAddr {
    let x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16;
    let b = x.to_be_bytes();
    MacAddr([0x02, b[3], b[4], b[5], b[6], b[7]])
}

fn table(n: usize) -> Fdb {
    let mut f = Fdb::new(NonZeroUsize::new(1 << 20).unwrap_or(NonZeroUsize::MIN));
    for i in 0..n {
        f.learn(mac(i), LinkId(i as u32 % PORTS), Duration::ZERO);
    }
    f
}

fn memory() {
    for n in SIZES {
        let before = LIVE.load(Ordering::Relaxed);
        let f = table(n);
        let after = LIVE.load(Ordering::Relaxed);
        println!(
            "fdb memory: {n} learned entries: {} bytes, {:.1} bytes/entry",
            after - before,
            (after - before) as f64 / n as f64
        );
        drop(f);
    }
}

fn bench(c: &mut Criterion) {
    memory();
    let mut g = c.benchmark_group("fdb");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    for n in SIZES {
        if n >= 1_000_000 {
            g.sample_size(10);
        }
        // Learning: n new MACs into an empty table, per entry.
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("learn_new", n), &n, |b, &n| {
            b.iter_batched(
                || Fdb::new(NonZeroUsize::new(1 << 20).unwrap_or(NonZeroUsize::MIN)),
                |mut f| {
                    for i in 0..n {
                        f.learn(mac(i), LinkId(i as u32 % PORTS), Duration::ZERO);
                    }
                    f
                },
                BatchSize::LargeInput,
            )
        });
        // Refresh: every frame from a known MAC restarts its timer (the steady state).
        let mut f = table(n);
        const K: usize = 10_000;
        g.throughput(Throughput::Elements(K as u64));
        g.bench_with_input(BenchmarkId::new("learn_refresh", n), &n, |b, &n| {
            let mut i = 0usize;
            b.iter(|| {
                for _ in 0..K {
                    i = (i + 7919) % n;
                    black_box(f.learn(mac(i), LinkId(i as u32 % PORTS), Duration::from_secs(1)));
                }
            })
        });
        // Lookup of a present MAC (the forwarding decision), spread over the whole table.
        g.bench_with_input(BenchmarkId::new("lookup", n), &n, |b, &n| {
            let mut i = 0usize;
            b.iter(|| {
                for _ in 0..K {
                    i = (i + 7919) % n;
                    let e = f.lookup(&mac(i));
                    black_box(e.map(|e| e.port));
                }
            })
        });
        drop(f);
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
