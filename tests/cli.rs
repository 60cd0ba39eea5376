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
    // entries age out meanwhile, as 400 s on a kernel would see them do.
    if Command::new("python3").arg("-V").output().is_err() {
        eprintln!("skipped: no python3 on this machine to sleep with");
        return;
    }
    let out = run_script(&format!(
        "{TWO_HOSTS_PINGED}bridge fdb show br br0 | grep -vc permanent
python3 -c 'import time; time.sleep(400)'
bridge fdb show br br0 | grep -vc permanent
"
    ));
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
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = tmp.path().join("script.sh");
    std::fs::write(&script, body).expect("script");
    Command::new("timeout")
        .args(["-s", "KILL", "60"])
        .arg(env!("CARGO_BIN_EXE_l2lab"))
        .arg("run")
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .output()
        .expect("l2lab runs")
}
