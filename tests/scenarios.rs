//! Every scenario under scenarios/ runs under l2lab (virtual time) and matches the transcript
//! the real kernel produced for it, after compare.py's normalisation: `l2lab test scenarios/`.

use std::process::Command;

#[test]
fn every_scenario_matches_its_kernel_transcript() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["test", "scenarios"])
        .current_dir(&root)
        .output()
        .expect("l2lab test runs");
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let summary = text.lines().last().unwrap_or_default().to_string();
    assert!(summary.ends_with(" 0 failed"), "{summary}");
    assert!(out.status.success(), "{summary}");
}
