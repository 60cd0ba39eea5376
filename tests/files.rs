//! Files are the tool's: `tcpdump -r` and `-w` open their files in the tool's own process,
//! with its permissions, umask and working directory, so a FIFO nobody reads or writes blocks
//! that process and never the lab, and `-` means the tool's standard input or output.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// One ARP request from 10.7.0.1 for 10.7.0.2, as a pcap file (Ethernet, microseconds).
fn one_arp_pcap() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&4u16.to_le_bytes());
    for w in [0u32, 0, 262_144, 1] {
        f.extend_from_slice(&w.to_le_bytes());
    }
    let mut frame = vec![0xff; 6];
    frame.extend([2, 0, 0, 0, 0, 1, 0x08, 0x06]);
    frame.extend([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 7, 0, 1]);
    frame.extend([0, 0, 0, 0, 0, 0, 10, 7, 0, 2]);
    for w in [1_767_225_600u32, 0, frame.len() as u32, frame.len() as u32] {
        f.extend_from_slice(&w.to_le_bytes());
    }
    f.extend_from_slice(&frame);
    f
}

const ARP_LINE: &str = "ARP, Request who-has 10.7.0.2 tell 10.7.0.1, length 28";

/// Runs `script` with `l2lab run` in `dir`, its stdin from `stdin`.
fn run_in(dir: &Path, script: &str, stdin: Stdio) -> Output {
    let path = dir.join("script.sh");
    std::fs::write(&path, script).expect("script");
    std::fs::write(dir.join("one.pcap"), one_arp_pcap()).expect("pcap");
    let child = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--no-ipv6"])
        .arg(&path)
        .current_dir(dir)
        .env("TMPDIR", dir)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("l2lab runs");
    bounded(child)
}

/// Waits for `child`'s output; a lab that a file blocked for good is killed and fails the test.
fn bounded(child: std::process::Child) -> Output {
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    // A bound, not a sleep: the answer comes as soon as l2lab is done.
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.expect("l2lab output"),
        Err(_) => {
            // SAFETY: kill(2) on our own child; no memory is involved.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("l2lab run did not end: the lab is stuck");
        }
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn reading_a_fifo_nobody_writes_stops_no_other_command() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // Every lab command is under `timeout -s KILL` (a command's SIGTERM goes to the lab): a
    // lab stuck on the FIFO fails them, not the test.
    let out = run_in(
        tmp.path(),
        "mkfifo f\ntcpdump -nn -r f > r.txt 2>&1 &\n\
         timeout -s KILL 10 ip link show lo; echo ip=$?\n\
         timeout -s KILL 10 sleep 5; echo sleep=$?\n\
         cat one.pcap > f\nwait\ncat r.txt\n",
        Stdio::null(),
    );
    let t = text(&out);
    assert!(t.contains("1: lo: <LOOPBACK,UP,LOWER_UP>"), "{t}");
    assert!(t.contains("ip=0\nsleep=0\n"), "{t}");
    assert!(
        t.contains("reading from file f, link-type EN10MB (Ethernet), snapshot length 262144\n"),
        "{t}"
    );
    assert!(t.contains(ARP_LINE), "{t}");
    assert_eq!(out.status.code(), Some(0), "{t}");
}

#[test]
fn writing_a_fifo_nobody_reads_stops_no_other_command() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_in(
        tmp.path(),
        "mkfifo f\ntcpdump -i lo -U -w f 2>w.err &\ntimeout -s KILL 10 sleep 1\n\
         timeout -s KILL 10 ip link show lo; echo ip=$?\n\
         timeout -s KILL 10 ping -c 1 127.0.0.1 >/dev/null; echo ping=$?\n\
         timeout -s KILL 10 tcpdump -nn -r f -c 2 > r.txt 2>&1; echo r=$?\n\
         kill %1; wait\ncat r.txt w.err\n",
        Stdio::null(),
    );
    let t = text(&out);
    assert!(t.contains("ip=0\nping=0\nr=0\n"), "{t}");
    assert!(
        t.contains("IP 127.0.0.1 > 127.0.0.1: ICMP echo request")
            && t.contains("IP 127.0.0.1 > 127.0.0.1: ICMP echo reply"),
        "{t}"
    );
    assert!(
        t.contains(
            "tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n"
        ),
        "{t}"
    );
}

#[test]
fn dash_is_the_tools_own_stdin_and_stdout() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("stdin.pcap"), one_arp_pcap()).expect("pcap");
    let stdin = std::fs::File::open(tmp.path().join("stdin.pcap")).expect("stdin");
    let out = run_in(
        tmp.path(),
        "tcpdump -nn -r -; echo r=$?\n\
         tcpdump -i lo -c 2 -w - 2>/dev/null | tcpdump -nn -r - > piped.txt 2>&1 &\nsleep 1\n\
         ping -c 1 127.0.0.1 > /dev/null\nwait\ncat piped.txt\n\
         tcpdump -r one.pcap -w - | tcpdump -nn -r - -c 1\n",
        Stdio::from(stdin),
    );
    let t = text(&out);
    assert!(
        t.contains(&format!("{ARP_LINE}\nr=0\n")),
        "the script's stdin was not read: {t}"
    );
    assert!(
        t.contains("reading from file -, link-type EN10MB (Ethernet), snapshot length 262144\n"),
        "{t}"
    );
    assert!(
        t.contains("IP 127.0.0.1 > 127.0.0.1: ICMP echo request")
            && t.contains("IP 127.0.0.1 > 127.0.0.1: ICMP echo reply"),
        "{t}"
    );
    assert_eq!(t.matches(ARP_LINE).count(), 2, "{t}");
    assert_eq!(out.status.code(), Some(0), "{t}");
}

#[test]
fn a_written_file_is_the_users_in_the_tools_directory() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(tmp.path().join("sub")).expect("sub");
    // The lab runs with umask 022; the tool's shell sets 077: a file the tool creates itself
    // is private, one the lab created would be world-readable.
    let script = tmp.path().join("script.sh");
    std::fs::write(
        &script,
        "umask 077\ncd sub\ntcpdump -i lo -w live.pcap 2>/dev/null &\nsleep 1\n\
         ping -c 1 127.0.0.1 >/dev/null\nsleep 1; kill %1; wait\n\
         tcpdump -r live.pcap -w copy.pcap 2>/dev/null\n\
         tcpdump -nn -r copy.pcap 2>/dev/null | wc -l\n",
    )
    .expect("script");
    let out = bounded(
        Command::new("sh")
            .arg("-c")
            .arg("umask 022; exec \"$0\" run --no-ipv6 \"$1\"")
            .arg(env!("CARGO_BIN_EXE_l2lab"))
            .arg(&script)
            .current_dir(tmp.path())
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("l2lab runs"),
    );
    let t = text(&out);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n", "{t}");
    // SAFETY: getuid(2) cannot fail and touches no memory.
    let uid = unsafe { libc::getuid() };
    for name in ["live.pcap", "copy.pcap"] {
        let meta = std::fs::metadata(tmp.path().join("sub").join(name)).expect(name);
        assert_eq!(meta.uid(), uid, "{name}");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
        assert!(
            !tmp.path().join(name).exists(),
            "{name} outside the tool's cwd"
        );
    }
}

#[test]
fn sigterm_ends_the_lab_while_a_tcpdump_waits_on_a_fifo() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let fifo = tmp.path().join("f");
    let script = tmp.path().join("script.sh");
    std::fs::write(
        &script,
        "mkfifo f\necho ready\ntcpdump -nn -r f\necho after=$?\n",
    )
    .expect("script");
    let mut child = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .arg("run")
        .arg(&script)
        .current_dir(tmp.path())
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("l2lab runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    assert_eq!(lines.next().and_then(Result::ok).as_deref(), Some("ready"));
    // Opening the FIFO returns once tcpdump has opened it; a header and no more leaves it
    // waiting for the first record.
    let mut w = std::fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("fifo");
    w.write_all(&one_arp_pcap()[..24]).expect("header");
    let pid = child.id() as i32;
    // SAFETY: kill(2) on our own child; no memory is involved.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    // A bound, not a sleep: the answer comes as soon as l2lab is gone.
    let status = rx.recv_timeout(Duration::from_secs(30));
    drop(w);
    let status = status.expect("l2lab run ignored SIGTERM").expect("wait");
    assert!(!status.success());
}

#[test]
fn sysctl_loads_a_file_the_tool_reads_itself() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = run_in(
        tmp.path(),
        "mkdir sub\ncd sub\nmkfifo c\nsysctl -p c > loaded.txt 2>&1 &\n\
         timeout -s KILL 10 ip link show lo; echo ip=$?\n\
         echo 'net.ipv4.ip_forward = 1' > c\nwait\ncat loaded.txt\nsysctl -n net.ipv4.ip_forward\n\
         sysctl -p nosuch.conf; echo rc=$?\n",
        Stdio::null(),
    );
    let t = text(&out);
    assert!(
        t.contains("ip=0\nnet.ipv4.ip_forward = 1\n1\nrc=1\n"),
        "{t}"
    );
    assert!(
        t.contains("sysctl: cannot open \"nosuch.conf\": No such file or directory\n"),
        "{t}"
    );
}

#[test]
fn a_capture_nobody_reads_is_bounded_and_counts_its_drops() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // 80 frames of 60 kB for a tool stuck opening its FIFO: far beyond the 2 MB the lab keeps.
    let out = run_in(
        tmp.path(),
        "mkfifo f\ntcpdump -i lo -U -w f 2>w.err &\nsleep 1\n\
         ping -c 40 -s 60000 -q 127.0.0.1 >/dev/null\ncat f > got.pcap &\nsleep 1\n\
         kill %1; wait\ncat w.err\n",
        Stdio::null(),
    );
    let t = text(&out);
    let count = |what: &str| -> u64 {
        t.lines()
            .find_map(|l| l.strip_suffix(what))
            .and_then(|n| n.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no `{what}` in {t}"))
    };
    let captured = count(" captured");
    let dropped = count(" dropped by kernel");
    assert!(dropped > 0, "{t}");
    assert_eq!(captured + dropped, 80, "{t}");
    let got = std::fs::read(tmp.path().join("got.pcap")).expect("got.pcap");
    assert!(
        got.len() < 3 << 20 && got.len() > 1 << 20,
        "{} bytes",
        got.len()
    );
}

#[test]
fn reading_errors_are_tcpdumps() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // Messages and statuses of tcpdump 4.99.3 / libpcap 1.10.3 on this machine.
    let out = run_in(
        tmp.path(),
        "exec 2>&1\ntcpdump -r nosuch.pcap; echo rc=$?\ntcpdump -r - </dev/null; echo rc=$?\n\
         tcpdump -r .; echo rc=$?\nhead -c 50 one.pcap > t.pcap; tcpdump -nn -r t.pcap; echo rc=$?\n\
         tcpdump -r one.pcap -w /nonexist/x.pcap; echo rc=$?\n",
        Stdio::null(),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "tcpdump: nosuch.pcap: No such file or directory\nrc=1\n\
         tcpdump: truncated dump file; tried to read 4 file header bytes, only got 0\nrc=1\n\
         tcpdump: error reading dump file: Is a directory\nrc=1\n\
         reading from file t.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n\
         tcpdump: pcap_loop: truncated dump file; tried to read 42 captured bytes, only got 10\nrc=1\n\
         reading from file one.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n\
         tcpdump: /nonexist/x.pcap: No such file or directory\nrc=1\n"
    );
}
