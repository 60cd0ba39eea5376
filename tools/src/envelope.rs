//! Comparing a run with several kernel runs of one scenario, for scripts the kernel itself does
//! not repeat line for line: with IPv6 on, the frames it sends by itself come after random
//! delays, so a counter shown two seconds after link-up, or the first four frames of a
//! capture, change from run to run. A scenario keeps every distinct kernel run it was recorded
//! with (`kernel/`, `kernel.2/`, ...), and a run passes when it lies within what they show:
//!
//! - the other lines are the same as in the kernel runs, number for number, except numbers
//!   that differ between the kernel runs, which must lie between the least and the greatest
//!   the kernel runs show at that place (a counter of 12 or 13 packets admits 12 or 13);
//! - between two such lines, the randomly timed frames (see [`crate::scenario::transcript`])
//!   are as many as some kernel run had there, at least, and at most, and each of them is one
//!   some kernel run had there, no more often than one kernel run had it.
//!
//! Kernel runs whose other lines differ in more than numbers (one has a line another lacks)
//! are kept apart: the run must lie within the runs of one such group.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::scenario::{marked_transcript, Rules};

/// The kernel runs a scenario directory holds: `kernel/`, then `kernel.2/`, `kernel.3/`, ... in
/// order of their number.
pub fn kernel_runs(dir: &Path) -> Vec<PathBuf> {
    let mut more: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n: u32 = name.strip_prefix("kernel.")?.parse().ok()?;
            e.path().is_dir().then(|| (n, e.path()))
        })
        .collect();
    more.sort();
    std::iter::once(dir.join("kernel"))
        .chain(more.into_iter().map(|(_, p)| p))
        .collect()
}

/// A line without its numbers (each replaced by `#`), and the numbers. A number is a run of
/// digits standing alone: not part of a name (`veth01`, `MAC2`) or of an IPv6 address.
fn split(l: &str) -> (String, Vec<u64>) {
    let l = &human_sizes(l);
    let b = l.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
    let (mut shape, mut nums) = (String::new(), Vec::new());
    let mut i = 0;
    while i < b.len() {
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let alone = j > i && (i == 0 || !word(b[i - 1])) && (j == b.len() || !word(b[j]));
        match l[i..j].parse::<u64>() {
            Ok(n) if alone => {
                shape.push('#');
                nums.push(n);
                i = j;
            }
            _ => {
                let end = if j > i {
                    j
                } else {
                    i + l[i..].chars().next().map_or(1, char::len_utf8)
                };
                shape.push_str(&l[i..end]);
                i = end;
            }
        }
    }
    (shape, nums)
}

/// `ifconfig`'s sizes for people (`(1.1 KiB)`, `(932.0 B)`) as `(SIZE)`: they follow from the
/// byte count beside them, which is compared, and their unit changes with it.
fn human_sizes(l: &str) -> String {
    let mut out = String::with_capacity(l.len());
    let mut rest = l;
    while let Some(i) = rest.find('(') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let size = after.split_once(')').filter(|(inside, _)| {
            let mut w = inside.split(' ');
            let (num, unit) = (w.next().unwrap_or(""), w.next().unwrap_or(""));
            w.next().is_none()
                && num.split_once('.').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && (a.chars().chain(b.chars())).all(|c| c.is_ascii_digit())
                })
                && ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"].contains(&unit)
        });
        match size {
            Some((_, tail)) => {
                out.push_str("(SIZE)");
                rest = tail;
            }
            None => {
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One transcript cut at its fixed lines: those lines (shape, numbers, text) and the randomly
/// timed frames before each of them and after the last.
struct Cut {
    fixed: Vec<(String, Vec<u64>, String)>,
    windows: Vec<Vec<String>>,
}

fn cut(lines: Vec<(String, bool)>) -> Cut {
    let mut c = Cut {
        fixed: Vec::new(),
        windows: vec![Vec::new()],
    };
    for (l, auto) in lines {
        if auto {
            if let Some(w) = c.windows.last_mut() {
                w.push(l);
            }
        } else {
            let (shape, nums) = split(&l);
            c.fixed.push((shape, nums, l));
            c.windows.push(Vec::new());
        }
    }
    c
}

/// What a group of kernel runs admits for one fixed line: its shape, an example, and per
/// number the least and greatest seen.
type FixedRange = (String, String, Vec<(u64, u64)>);

/// What a group of kernel runs with the same fixed lines admits.
struct Envelope {
    runs: usize,
    /// Per fixed line, what it admits.
    fixed: Vec<FixedRange>,
    /// Per window: the fewest and most frames, and each frame's greatest count in one run.
    windows: Vec<(usize, usize, BTreeMap<String, usize>)>,
}

impl Envelope {
    fn new(first: &Cut) -> Self {
        Envelope {
            runs: 0,
            fixed: first
                .fixed
                .iter()
                .map(|(s, n, l)| (s.clone(), l.clone(), n.iter().map(|&x| (x, x)).collect()))
                .collect(),
            windows: first
                .windows
                .iter()
                .map(|w| (w.len(), w.len(), BTreeMap::new()))
                .collect(),
        }
    }

    fn same_shape(&self, c: &Cut) -> bool {
        self.fixed.len() == c.fixed.len()
            && self
                .fixed
                .iter()
                .zip(&c.fixed)
                .all(|(a, b)| a.0 == b.0 && a.2.len() == b.1.len())
    }

    fn add(&mut self, c: &Cut) {
        self.runs += 1;
        for (e, (_, nums, _)) in self.fixed.iter_mut().zip(&c.fixed) {
            for (r, &n) in e.2.iter_mut().zip(nums) {
                *r = (r.0.min(n), r.1.max(n));
            }
        }
        for (e, w) in self.windows.iter_mut().zip(&c.windows) {
            e.0 = e.0.min(w.len());
            e.1 = e.1.max(w.len());
            for (l, n) in counts(w) {
                let m = e.2.entry(l).or_insert(0);
                *m = (*m).max(n);
            }
        }
    }

    /// Where `c` lies outside, one sentence each; empty when it lies within.
    fn outside(&self, c: &Cut) -> Vec<String> {
        let mut why = Vec::new();
        for (i, ((_, example, ranges), (_, nums, line))) in
            self.fixed.iter().zip(&c.fixed).enumerate()
        {
            let off: Vec<String> = ranges
                .iter()
                .zip(nums)
                .filter(|((lo, hi), n)| *n < lo || *n > hi)
                .map(|((lo, hi), n)| {
                    if lo == hi {
                        format!("{n} where the kernel runs have {lo}")
                    } else {
                        format!("{n} where the kernel runs have {lo} to {hi}")
                    }
                })
                .collect();
            if !off.is_empty() {
                why.push(format!(
                    "fixed line {}: `{line}`: {} (kernel: `{example}`)",
                    i + 1,
                    off.join(", ")
                ));
            }
        }
        for (i, ((lo, hi, most), w)) in self.windows.iter().zip(&c.windows).enumerate() {
            let place = match i {
                0 => "before the first fixed line".to_string(),
                i => format!("after fixed line {i} (`{}`)", c.fixed[i - 1].2),
            };
            if w.len() < *lo || w.len() > *hi {
                why.push(format!(
                    "{place}: {} randomly timed frames where the kernel runs have {lo} to {hi}",
                    w.len()
                ));
            }
            for (l, n) in counts(w) {
                let k = most.get(&l).copied().unwrap_or(0);
                if n > k {
                    why.push(format!(
                        "{place}: `{l}` {n} times where a kernel run has it at most {k} times"
                    ));
                }
            }
        }
        why
    }
}

fn counts(w: &[String]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for l in w {
        *m.entry(l.clone()).or_insert(0) += 1;
    }
    m
}

/// Compares the run in `other` with the kernel runs `kernels` (see the module's comment): an
/// empty report when it lies within one group of them, else why not (for the group it comes
/// closest to), and (fixed lines within, fixed lines) for that group.
pub fn compare(
    kernels: &[PathBuf],
    other: &Path,
    rules: Rules,
) -> anyhow::Result<(String, (usize, usize))> {
    let mut groups: Vec<Envelope> = Vec::new();
    for k in kernels {
        let c = cut(marked_transcript(k, rules)?);
        match groups.iter_mut().find(|g| g.same_shape(&c)) {
            Some(g) => g.add(&c),
            None => {
                let mut g = Envelope::new(&c);
                g.add(&c);
                groups.push(g);
            }
        }
    }
    let ours = cut(marked_transcript(other, rules)?);
    let mut best: Option<(String, (usize, usize))> = None;
    for g in groups.iter().filter(|g| g.same_shape(&ours)) {
        let why = g.outside(&ours);
        let n = ours.fixed.len();
        let bad = why.iter().filter(|w| w.starts_with("fixed line")).count();
        if why.is_empty() {
            return Ok((String::new(), (n, n)));
        }
        let report = format!(
            "outside the {} kernel run(s) with these lines:\n{}\n",
            g.runs,
            why.join("\n")
        );
        if best.as_ref().is_none_or(|b| b.1 .0 < n - bad) {
            best = Some((report, (n - bad, n)));
        }
    }
    if let Some(b) = best {
        return Ok(b);
    }
    // No group has the run's lines: show how it differs from the first kernel run.
    let (diff, matched) = crate::scenario::compare(&kernels[0], other, rules)?;
    Ok((
        format!(
            "its lines are those of none of the {} kernel runs; against {}:\n{diff}",
            kernels.len(),
            kernels[0].display()
        ),
        matched,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_ones_standing_alone() {
        let (s, n) = split("        RX packets 13  bytes 1182 (1.1 KiB)");
        assert_eq!(s, "        RX packets #  bytes # (SIZE)");
        assert_eq!(n, vec![13, 1182]);
        assert_eq!(split("bytes 932 (932.0 B) (x)").0, "bytes # (SIZE) (x)");
        let (s, n) = split("veth01: fe80::ff02:16 MAC2 0x20 10.0.1.2/24");
        assert_eq!(s, "veth01: fe80::ff02:16 MAC2 0x20 #.#.#.#/#");
        assert_eq!(n, vec![10, 0, 1, 2, 24]);
    }

    fn c(lines: &[(&str, bool)]) -> Cut {
        cut(lines.iter().map(|&(l, a)| (l.to_string(), a)).collect())
    }

    #[test]
    fn a_run_within_the_kernel_runs_passes_and_one_outside_fails() {
        let k1 = c(&[
            ("RX packets 12", false),
            ("report A", true),
            ("ping", false),
        ]);
        let k2 = c(&[
            ("RX packets 13", false),
            ("report B", true),
            ("report A", true),
            ("ping", false),
        ]);
        let mut g = Envelope::new(&k1);
        g.add(&k1);
        g.add(&k2);
        assert!(g
            .outside(&c(&[
                ("RX packets 13", false),
                ("report B", true),
                ("ping", false)
            ]))
            .is_empty());
        // A count no kernel run showed.
        assert_eq!(
            g.outside(&c(&[
                ("RX packets 15", false),
                ("report A", true),
                ("ping", false)
            ]))
            .len(),
            1
        );
        // A frame no kernel run had there, or one too many times, or too many frames.
        assert!(!g
            .outside(&c(&[
                ("RX packets 12", false),
                ("report C", true),
                ("ping", false)
            ]))
            .is_empty());
        assert!(!g
            .outside(&c(&[
                ("RX packets 12", false),
                ("report A", true),
                ("report A", true),
                ("ping", false)
            ]))
            .is_empty());
        assert!(!g
            .outside(&c(&[
                ("RX packets 12", false),
                ("ping", false),
                ("report A", true)
            ]))
            .is_empty());
        // Other lines must be there as they are.
        assert!(!g.same_shape(&c(&[("RX packets 12", false), ("pong", false)])));
    }
}
