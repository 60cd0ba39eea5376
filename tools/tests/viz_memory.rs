//! `l2lab viz` (HTML) holds what the tables hold, not the trace: the heap's peak while a
//! page is drawn from a trace of N learned MACs stays within a small multiple of the trace
//! file's size, and doubles (not quadruples) when N doubles. The heap is counted by this
//! test binary's allocator; its one test keeps other threads from allocating meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; the counters only add.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `l` are the system allocator's.
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` came from `alloc` with this layout.
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        // SAFETY: as for `alloc` and `dealloc`.
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Writes the trace bench/viz-macs.sh makes: one bridge learning `n` MACs on four ports.
fn trace(path: &Path, n: usize) -> u64 {
    let f = std::fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
    let mut w = std::io::BufWriter::new(f);
    let br = r#"{"id":1,"name":"br0","ns":""}"#;
    let mut put = || -> std::io::Result<()> {
        writeln!(
            w,
            r#"{{"type":"header","schema":"l2lab-trace","version":1}}"#
        )?;
        for i in 0..n {
            let b = (i as u32).to_be_bytes();
            let p = 2 + i % 4;
            writeln!(
                w,
                r#"{{"t":{:.6},"type":"learned","bridge":{br},"mac":"02:00:{:02x}:{:02x}:{:02x}:{:02x}","port":{{"id":{p},"name":"p{p}","ns":""}}}}"#,
                i as f64 * 1e-4,
                b[0],
                b[1],
                b[2],
                b[3]
            )?;
        }
        w.flush()
    };
    put().unwrap_or_else(|e| panic!("{e}"));
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// The heap's peak above what was live before, while `l2lab viz` draws the trace.
fn peak_of_viz(dir: &Path, n: usize) -> (usize, u64) {
    let input = dir.join(format!("macs{n}.jsonl"));
    let size = trace(&input, n);
    let args = l2lab::viz::VizArgs {
        trace: input,
        output: Some(dir.join(format!("macs{n}.html"))),
        format: l2lab::viz::Format::Html,
    };
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let code = l2lab::viz::main(&args).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(code, 0);
    (PEAK.load(Ordering::Relaxed) - base, size)
}

#[test]
fn the_heap_follows_the_tables_not_the_trace() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (small, small_trace) = peak_of_viz(dir.path(), 10_000);
    let (big, big_trace) = peak_of_viz(dir.path(), 20_000);
    eprintln!("heap peak: 10,000 MACs {small} bytes (trace {small_trace}), 20,000 MACs {big} bytes (trace {big_trace})");
    assert!(
        big as u64 <= 2 * big_trace,
        "{big} bytes of heap for a trace of {big_trace}"
    );
    // Twice the MACs, at most about twice the heap: a quadratic cost would make it 4×.
    assert!(
        big * 10 <= small * 25,
        "10,000 MACs: {small} bytes, 20,000: {big}"
    );
}
