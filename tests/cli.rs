//! The `l2lab` command as a user meets it: `l2lab shell` with `ip netns exec NS bash`, and a
//! script that leaves background jobs behind, which go when the lab does.

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn shell_enters_a_namespace_with_ip_netns_exec_bash() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut sh = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .arg("shell")
        .env("TMPDIR", tmp.path())
        .env("HOME", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("l2lab shell starts");
    let script = "ip netns add ns01\nip netns exec ns01 bash -c 'ip netns identify; ip link show lo'\nip netns list\nexit 3\n";
    sh.stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write");
    let out = sh.wait_with_output().expect("l2lab shell ends");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ns01\n1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn background_jobs_and_files_go_with_the_lab() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = tmp.path().join("leave.sh");
    let pids = tmp.path().join("pids");
    std::fs::write(
        &script,
        format!(
            "/bin/sleep 1000 &\necho $! > {p}\ntcpdump -i lo -nn > /dev/null 2>&1 &\necho $! >> {p}\nsleep 1\nexit 0\n",
            p = pids.display()
        ),
    )
    .expect("script");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--realtime"])
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .output()
        .expect("l2lab runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&pids).expect("pids");
    for pid in text.split_whitespace() {
        let proc = std::path::Path::new("/proc").join(pid);
        // A process killed with SIGTERM may linger as a zombie of init for a moment; it must
        // at least not be running any more.
        let alive = std::fs::read_to_string(proc.join("stat"))
            .map(|s| !s.contains(") Z"))
            .unwrap_or(false);
        assert!(!alive, "process {pid} outlived the lab");
    }
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("temp dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("l2lab-"))
        .collect();
    assert!(left.is_empty(), "the lab's directory is still there");
}
