//! In virtual time a run is a function of the script and the seed: every scenario, run again
//! and again with the same seed, gives byte-identical stdout, stderr, status and captures.
//! L2LAB_DETERMINISM_RUNS sets how many runs (default 3; CI runs 20 while loading both cores),
//! L2LAB_DETERMINISM_JOBS how many scenarios run at once (default 2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("scenarios/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("script.sh").is_file())
        .collect();
    v.sort();
    v
}

/// Every file a run leaves (stdout, stderr, rc, captures), by name.
/// The scenario's own options (`--uplink`, IPv6 on or off) apply, as `l2lab test` runs it.
fn run(script: &Path, seed: u64) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = script
        .parent()
        .map(l2lab::scenario::options)
        .and_then(Result::ok)
        .map(|(opts, _)| opts)
        .expect("the scenario's options file");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--fast", "--seed", &seed.to_string()])
        .args(opts)
        .arg(script)
        .current_dir(dir.path())
        .output()
        .expect("l2lab runs");
    let mut files = BTreeMap::new();
    files.insert("stdout".to_string(), out.stdout);
    files.insert("stderr".to_string(), out.stderr);
    files.insert(
        "rc".to_string(),
        format!("{:?}", out.status.code()).into_bytes(),
    );
    for e in std::fs::read_dir(dir.path()).expect("read dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        files.insert(name, std::fs::read(e.path()).expect("read file"));
    }
    files
}

/// Where two versions of a run's file part: the first differing line of text, or the first
/// differing byte of a capture, so a failure in CI says what moved.
fn describe(name: &str, a: Option<&Vec<u8>>, b: Option<&Vec<u8>>) -> String {
    let (Some(a), Some(b)) = (a, b) else {
        return format!("  {name}: only in one run");
    };
    if name.ends_with(".pcap") {
        let at = a.iter().zip(b.iter()).position(|(x, y)| x != y);
        return format!(
            "  {name}: {} vs {} bytes, first difference at byte {:?}",
            a.len(),
            b.len(),
            at.unwrap_or(a.len().min(b.len()))
        );
    }
    let (ta, tb) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (ta.lines().collect(), tb.lines().collect());
    let n = la.iter().zip(lb.iter()).take_while(|(x, y)| x == y).count();
    format!(
        "  {name}: line {}:\n    first: {:?}\n    again: {:?}",
        n + 1,
        la.get(n).unwrap_or(&"<end>"),
        lb.get(n).unwrap_or(&"<end>")
    )
}

#[test]
fn same_seed_same_bytes() {
    let runs: usize = std::env::var("L2LAB_DETERMINISM_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    // Two scenarios run at once (L2LAB_DETERMINISM_JOBS): a lab must not depend on
    // another one beside it either, and a run is mostly waiting.
    let jobs: usize = std::env::var("L2LAB_DETERMINISM_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
        .max(1);
    let all = scenarios();
    assert!(!all.is_empty());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let differ = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(s) = all.get(k) else { break };
                let script = s.join("script.sh");
                let first = run(&script, 1);
                for i in 1..runs {
                    let again = run(&script, 1);
                    if again != first {
                        let mut names: Vec<&String> = first.keys().chain(again.keys()).collect();
                        names.sort();
                        names.dedup();
                        let why: Vec<String> = names
                            .into_iter()
                            .filter(|k| first.get(*k) != again.get(*k))
                            .map(|k| describe(k, first.get(k), again.get(k)))
                            .collect();
                        let report =
                            format!("{} (run {}):\n{}", s.display(), i + 1, why.join("\n"));
                        if let Ok(mut d) = differ.lock() {
                            d.push(report);
                        }
                        break;
                    }
                }
            });
        }
    });
    let differ = differ.into_inner().unwrap_or_default();
    assert!(differ.is_empty(), "runs differ:\n{}", differ.join("\n"));
}

#[test]
fn another_seed_other_macs() {
    let script = scenarios()
        .into_iter()
        .find(|s| s.ends_with("bridge-three-ns"))
        .map(|s| s.join("script.sh"));
    let Some(script) = script else { return };
    assert_ne!(run(&script, 1)["stdout"], run(&script, 2)["stdout"]);
}
