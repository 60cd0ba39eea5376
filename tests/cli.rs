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
    // The pids are the lab's PID namespace's; that its processes are gone is shown by
    // tests/closed_world.rs through their host pids.
    let text = std::fs::read_to_string(&pids).expect("pids");
    assert_eq!(text.split_whitespace().count(), 2, "{text}");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("temp dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("l2lab-"))
        .collect();
    assert!(left.is_empty(), "the lab's directory is still there");
}

#[test]
fn tcpdump_any_in_a_script_captures_and_ends_at_its_count() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = tmp.path().join("any.sh");
    std::fs::write(
        &script,
        "ip link add v1 type veth peer name v2\nip addr add 10.7.0.1/24 dev v1\n\
         ip link set v1 up\nip link set v2 up\n\
         tcpdump -i any -nn -c 4 arp >any.txt 2>any.err &\nsleep 1\n\
         ping -c 1 -W 1 10.7.0.2 >/dev/null\nwait\ncat any.txt any.err\n\
         tcpdump -i any ether host 1:2:3:4:5:6\necho rc=$?\n",
    )
    .expect("script");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--no-ipv6"])
        .arg(&script)
        .current_dir(tmp.path())
        .env("TMPDIR", tmp.path())
        .output()
        .expect("l2lab runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    // Nobody answers on v2: the request leaves v1 and arrives on v2 three times (ping's one
    // second allows ARP's first tries), cut at four by -c.
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(
        lines[..4]
            .iter()
            .map(|l| l.split_once(' ').map_or("", |x| x.1))
            .collect::<Vec<_>>(),
        [
            "v1    Out ARP, Request who-has 10.7.0.2 tell 10.7.0.1, length 28",
            "v2    B   ARP, Request who-has 10.7.0.2 tell 10.7.0.1, length 28",
            "v1    Out ARP, Request who-has 10.7.0.2 tell 10.7.0.1, length 28",
            "v2    B   ARP, Request who-has 10.7.0.2 tell 10.7.0.1, length 28",
        ],
        "{text}{err}"
    );
    assert!(text.contains(
        "tcpdump: data link type LINUX_SLL2\ntcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n4 packets captured\n"
    ), "{text}");
    assert!(err.contains("tcpdump: data link type LINUX_SLL2\ntcpdump: ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel\n"), "{err}");
    assert!(text.ends_with("rc=1\n"), "{text}");
}

#[test]
fn a_busy_background_job_does_not_stop_the_lab_clock() {
    // While something in the script keeps running, lab time follows the wall clock, so the
    // `sleep 2` beside a busy loop ends after about two seconds, as on a kernel. (It once
    // never ended: the lab's clock waited for the script to be idle.)
    let out = run_script("(while true; do :; done) &\nsleep 2\nkill %1\necho done\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_programs_own_sleep_waits_on_the_lab_clock() {
    // In virtual time a program's nanosleep is a wait on the lab's clock (the preload
    // library), so Python's time.sleep(400) takes no wall time and the bridge's learned
    // entries age out meanwhile, as 400 s on a kernel would see them do (with IPv6 off: the
    // hosts' router solicitations would refresh them).
    if Command::new("python3").arg("-V").output().is_err() {
        eprintln!("skipped: no python3 on this machine to sleep with");
        return;
    }
    let out = run_script_with(
        &["--no-ipv6"],
        &format!(
            "{TWO_HOSTS_PINGED}bridge fdb show br br0 | grep -vc permanent
python3 -c 'import time; time.sleep(400)'
bridge fdb show br br0 | grep -vc permanent
"
        ),
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n0\n", "{out:?}");
}

#[test]
fn a_wait_with_a_deadline_holds_the_lab_clock_to_the_wall_clock() {
    // `read -t 2` waits on the wall clock (pselect with a timeout). The lab's clock must not
    // jump past it meanwhile: the bridge's entries, 300 s from ageing out, are still there.
    let out = run_script(&format!(
        "{TWO_HOSTS_PINGED}read -t 2 x < <(exec sleep 1000)
bridge fdb show br br0 | grep -vc permanent
"
    ));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n", "{out:?}");
}

#[test]
fn date_tells_the_lab_clock() {
    // In virtual time `date` is the host's date told the lab's time: a `sleep 100` moves it
    // by exactly 100 s, in no wall time, the same on every run.
    let out = run_script(
        "a=$(date +%s); sleep 100; b=$(/bin/date +%s); echo $((b - a)); date -u -d @0 +%F\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "100\n1970-01-01\n",
        "{out:?}"
    );
}

#[test]
fn plain_commands_start_as_the_small_client_and_the_rest_as_the_full_binary() {
    // `ip`, `ping`, ... are the small static client the lab writes beside its socket, at
    // every path of the host's tools too; it hands what it does not do itself (`ip netns
    // exec`, `sysctl -p`, `tcpdump`, other names) to the full binary, under the same name.
    let out = run_script(&format!(
        "{TWO_HOSTS_PINGED}small=/run/l2lab/l2lab-client
for t in ip ping bridge sysctl; do cmp -s \"$(command -v $t)\" $small && echo $t small; done
cmp -s \"$(command -v tcpdump)\" $small || echo tcpdump full
[ -x /usr/sbin/ip ] && ! cmp -s /usr/sbin/ip $small && echo host ip not covered
ip netns exec a ip -4 -br addr show dev va | cut -c1-2
sysctl -p /nonexistent.conf; echo rc=$?
env -i /run/l2lab/bin/ip -br link show dev br0 | cut -c1-3
ip netns exec a ping -c 3 -i 100 10.0.0.2 > \"$TMPDIR/ping.out\" & sleep 150; kill -INT %1; wait %1; echo ping rc=$?
grep -c 'bytes from' \"$TMPDIR/ping.out\"
"
    ));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text,
        "ip small\nping small\nbridge small\nsysctl small\ntcpdump full
va\nrc=1\nbr0\nping rc=0\n2\n",
        "{out:?}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("sysctl: cannot open \"/nonexistent.conf\": No such file or directory"),
        "{out:?}"
    );
}

/// Two hosts on a bridge that has just learned both: the bridge's entries age out 300 s on.
const TWO_HOSTS_PINGED: &str = "ip link add br0 type bridge; ip link set br0 up
for n in a b; do
  ip netns add $n; ip link add v$n type veth peer name b$n
  ip link set v$n netns $n; ip link set b$n master br0; ip link set b$n up
  ip -n $n link set v$n up
done
ip -n a addr add 10.0.0.1/24 dev va; ip -n b addr add 10.0.0.2/24 dev vb
ip netns exec a ping -c 1 10.0.0.2 >/dev/null
";

/// Runs `body` as a script under `l2lab run`, killed if it takes more than a minute (a
/// clock that never moves would otherwise hang the test).
fn run_script(body: &str) -> std::process::Output {
    run_script_with(&[], body)
}

/// `l2lab run ARGS SCRIPT` with `body` as the script.
fn run_script_with(args: &[&str], body: &str) -> std::process::Output {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = tmp.path().join("script.sh");
    std::fs::write(&script, body).expect("script");
    Command::new("timeout")
        .args(["-s", "KILL", "60"])
        .arg(env!("CARGO_BIN_EXE_l2lab"))
        .arg("run")
        .args(args)
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .current_dir(tmp.path())
        .output()
        .expect("l2lab runs")
}

#[test]
fn run_help_says_the_script_is_required_and_dash_reads_stdin() {
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--help"])
        .output()
        .expect("l2lab runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Usage: l2lab run [OPTIONS] <SCRIPT> [ARGS]..."),
        "{text}"
    );
    assert!(text.contains("`-` reads it from stdin"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .arg("run")
        .output()
        .expect("l2lab runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<SCRIPT>"));
}

#[test]
fn a_reader_that_goes_away_ends_the_demo_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let mut demo = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("l2lab starts");
    // The reader goes at once, as `head -0` would: the demo's first write meets a closed pipe
    // (it starts printing only after exec, loading and building its lab).
    drop(demo.stdout.take());
    let out = demo.wait_with_output().expect("l2lab ends");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE));
}

/// `ping` without -c in the foreground of a terminal, as a learner runs it before pressing
/// Ctrl-C: lab time goes at the wall clock's pace, one reply a second, where a script's
/// unwatched waits let it jump. This test is about the wall clock, so it has to spend some.
#[test]
fn an_endless_ping_on_a_terminal_goes_at_the_wall_clocks_pace() {
    use std::io::{BufRead, BufReader};
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};

    let tmp = tempfile::tempdir().expect("temp dir");
    let script = tmp.path().join("ping.sh");
    std::fs::write(
        &script,
        "ip netns add a\nip netns add b\nip link add va type veth peer name vb\n\
         ip link set va netns a\nip link set vb netns b\n\
         ip -n a addr add 10.0.0.1/24 dev va\nip -n b addr add 10.0.0.2/24 dev vb\n\
         ip -n a link set va up\nip -n b link set vb up\nip netns exec a ping 10.0.0.2\n",
    )
    .expect("script");
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two descriptors into the two ints; the null pointers ask for
    // no name, no termios and no window size.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: both descriptors were just opened by openpty and are owned here alone.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_l2lab"));
    cmd.args(["run", "--no-ipv6"])
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::from(slave))
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: setsid and ioctl are async-signal-safe; the child makes the terminal on its
    // stdin its controlling terminal, with itself in the foreground, as a login shell's
    // job is.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("l2lab starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut replies = 0;
    let mut started: Option<Instant> = None;
    let watch = Duration::from_millis(2500);
    loop {
        let left = started.map_or(Duration::from_secs(60), |s| {
            watch.saturating_sub(s.elapsed())
        });
        match rx.recv_timeout(left) {
            Ok(line) if line.starts_with("PING ") => started = Some(Instant::now()),
            Ok(line) if line.contains(" bytes from ") => replies += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    drop(master);
    assert!(started.is_some(), "ping never started");
    // One a second: the first at once, then at about 1 s and 2 s.
    assert!((2..=4).contains(&replies), "{replies} replies in 2.5 s");
}

#[test]
fn explain_stamps_lab_time_and_names_tcpdump_for_a_promiscuous_bridge() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = tmp.path().join("explain.sh");
    std::fs::write(
        &script,
        "ip link add br0 type bridge\nip link set br0 up\n\
         for i in 1 2; do\n  ip netns add ns0$i\n  ip link add veth0$i type veth peer name br-veth0$i\n\
         \x20 ip link set br-veth0$i master br0\n  ip link set br-veth0$i up\n\
         \x20 ip link set veth0$i netns ns0$i\n  ip -n ns0$i link set veth0$i up\n\
         \x20 ip -n ns0$i addr add 192.168.88.1$i/24 dev veth0$i\ndone\n\
         tcpdump -i br0 -w /dev/null 2>/dev/null &\nsleep 1\n\
         ip netns exec ns01 ping -c 1 192.168.88.12 > /dev/null\nkill %1\nwait\n",
    )
    .expect("script");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        // Commands that take no time put the ping at exactly 1 s.
        .args(["run", "--explain", "--no-ipv6", "--command-time", "0"])
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .current_dir(tmp.path())
        .output()
        .expect("l2lab runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("  [   1.000 s] br0: learned "),
        "lab time as the demo prints it: {err}"
    );
    // The broadcast is for the bridge too; the unicast echo only reaches its stack because
    // tcpdump made the bridge promiscuous.
    assert!(
        err.contains("br0: for the bridge itself, passed up to its stack"),
        "{err}"
    );
    assert!(
        err.contains(
            "br0: tcpdump listens on it, so it is promiscuous: a copy goes up to its stack too"
        ),
        "{err}"
    );
}

/// `l2lab compare --ipv6` on a kernel transcript and altered copies of it: the randomly timed
/// IPv6 frames may swap places, but one dropped is a difference (exit status 1).
#[test]
fn compare_takes_ipv6_frames_in_any_order_but_not_one_fewer() {
    let kernel = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/bridge-ipv6-settled/kernel");
    let stdout = std::fs::read_to_string(kernel.join("stdout")).expect("kernel stdout");
    let lines: Vec<&str> = stdout.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("multicast listener report"))
        .expect("an MLD report in the capture's listing");
    let copy = |lines: &[&str]| {
        let d = tempfile::tempdir().expect("temporary directory");
        for f in ["stderr", "rc", "br01.pcap"] {
            std::fs::copy(kernel.join(f), d.path().join(f)).expect("copy");
        }
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(d.path().join("stdout"), text).expect("stdout");
        d
    };
    let compare = |d: &tempfile::TempDir| {
        Command::new(env!("CARGO_BIN_EXE_l2lab"))
            .args(["compare", "--ipv6"])
            .arg(&kernel)
            .arg(d.path())
            .output()
            .expect("l2lab compare runs")
    };
    let same = compare(&copy(&lines));
    assert!(same.status.success(), "{same:?}");
    let mut swapped = lines.clone();
    swapped.swap(first, first + 1);
    assert_ne!(swapped, lines);
    let out = compare(&copy(&swapped));
    assert!(out.status.success(), "{out:?}");
    let mut fewer = lines.clone();
    fewer.remove(first);
    let out = compare(&copy(&fewer));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("-MAC"));
}

/// The lab times at which `tcpdump -tt` saw echo requests, in microseconds.
fn echo_request_times(stdout: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| l.contains("echo request"))
        .filter_map(|l| {
            let (s, us) = l.split_whitespace().next()?.split_once('.')?;
            Some(s.parse::<u64>().ok()? * 1_000_000 + us.parse::<u64>().ok()?)
        })
        .collect()
}

#[test]
fn a_command_takes_its_time_on_the_labs_clock() {
    // Between two pings' requests, the first ping and `ip link show` take the command time
    // each; moving a device to another namespace takes 20 to 36 ms more, as it did on the
    // kernel (24 to 39 ms measured).
    let body = "tcpdump -i lo -nn -tt 2>/dev/null & sleep 1\n\
                ip link add a type veth peer name b; ip netns add n\n\
                ping -c 1 127.0.0.1 >/dev/null; ip link show lo >/dev/null\n\
                ping -c 1 127.0.0.1 >/dev/null; ip link set b netns n\n\
                ping -c 1 127.0.0.1 >/dev/null; sleep 1; kill %1; wait\n";
    for (time, plain, moved) in [
        ("10", 20_000..=20_000, 40_000..=56_000),
        ("0", 0..=0, 0..=0),
        ("2-4", 4_000..=8_000, 24_000..=44_000),
    ] {
        let out = run_script_with(&["--command-time", time], body);
        let t = echo_request_times(&out.stdout);
        assert_eq!(t.len(), 3, "{}", String::from_utf8_lossy(&out.stdout));
        assert!(plain.contains(&(t[1] - t[0])), "{time}: {t:?}");
        assert!(moved.contains(&(t[2] - t[1])), "{time}: {t:?}");
    }
    let out = run_script_with(&["--command-time", "5-1"], "true\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the least is above the most"));
}

#[test]
fn a_killed_capture_loses_the_block_the_kernel_had_not_handed_over() {
    // tcpdump's ring hands frames over a second at a time (TPACKET_V3's retire timer): as
    // measured on 6.18, a capture killed 0.2 s after `ping -c 3` ends keeps the first two
    // pings (4 of the 12 frames on lo); killed 0.6 s after, all three.
    for (wait, kept) in [("0.2", 4), ("0.6", 6)] {
        let body = format!(
            "tcpdump -i lo -nn -w a.pcap icmp 2>err & sleep 0.5\n\
             ping -c 3 127.0.0.1 >/dev/null; sleep {wait}; kill %1; wait\n\
             tcpdump -nn -r a.pcap 2>/dev/null | wc -l; tail -3 err\n"
        );
        let out = run_script_with(&["--no-ipv6"], &body);
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                kept.to_string().as_str(),
                &format!("{kept} packets captured"),
                "12 packets received by filter",
                "0 packets dropped by kernel"
            ],
            "{text}"
        );
    }
}

#[test]
fn lsns_counts_the_command_after_it_in_a_pipeline() {
    // On a kernel `lsns | cat` counts the cat: bash has forked it long before lsns, after its
    // exec, reads /proc (measured on 6.18 in a fresh namespace: 3 processes with the cat, 2
    // without). The lab reads them when the script is asleep, so however the host schedules
    // the forks, every one of these counts it.
    let body = "lsns -t net -o NPROCS -n\n\
                for i in $(seq 20); do lsns -t net -o NPROCS -n | cat; done\n";
    let out = run_script_with(&["--fast"], body);
    let text = String::from_utf8_lossy(&out.stdout);
    let counts: Vec<u32> = text
        .lines()
        .map(|l| l.trim().parse().expect("a count"))
        .collect();
    assert_eq!(counts.len(), 21, "{text}");
    assert!(
        counts[1..].iter().all(|&c| c == counts[0] + 1),
        "{counts:?}"
    );
}
