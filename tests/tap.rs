//! The TAP backend against the real kernel: a kernel namespace `k1` holds a TAP device owned
//! by an unprivileged user; l2lab, run as that user, puts the device's other side on an
//! emulated bridge with two emulated hosts. Pings cross both ways, the bridge learns the
//! kernel's MAC on the TAP port, and tcpdump in k1 sees the ARP and ICMP. Needs root (to make
//! the kernel objects; CI runs as root); elsewhere it says why and skips. Every kernel object
//! it made is removed, also when it fails.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const NS: &str = "k1";
const DEV: &str = "l2tap0";

fn sh(cmd: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .output()
        .expect("sh runs")
}

struct Cleanup;

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = sh(&format!(
            "ip netns del {NS} 2>/dev/null; ip link del {DEV} 2>/dev/null"
        ));
    }
}

fn can_run() -> Result<(), String> {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("needs root to create the kernel namespace and TAP device".into());
    }
    if !Path::new("/dev/net/tun").exists() {
        return Err("no /dev/net/tun on this machine".into());
    }
    // The lab runs as nobody, which opens the device through /dev/net/tun like any user.
    if !sh("setpriv --reuid=nobody --regid=nogroup --clear-groups -- sh -c ': <> /dev/net/tun'")
        .status
        .success()
    {
        return Err(
            "nobody cannot open /dev/net/tun (its mode is not 0666 here): `chmod 0666 /dev/net/tun` lets the test run"
                .into(),
        );
    }
    for tool in ["setpriv", "tcpdump", "ping"] {
        if !sh(&format!("command -v {tool}")).status.success() {
            return Err(format!("{tool} is not installed"));
        }
    }
    Ok(())
}

fn wait_for(path: &Path, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if path.exists() {
            return true;
        }
        // Polling a file the other side writes: real time is what this test is about.
        std::thread::yield_now();
    }
    false
}

#[test]
fn kernel_namespace_meets_emulated_bridge() {
    if let Err(why) = can_run() {
        eprintln!("skipping the TAP test: {why}");
        return;
    }
    let _cleanup = Cleanup;
    let _ = sh(&format!(
        "ip netns del {NS} 2>/dev/null; ip link del {DEV} 2>/dev/null"
    ));
    let dir = tempfile::tempdir().expect("temp dir");
    let flags = dir.path();
    assert!(sh(&format!("chmod 777 {}", flags.display()))
        .status
        .success());
    let made = sh(&format!(
        "ip netns add {NS} && ip tuntap add dev {DEV} mode tap user nobody"
    ));
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    let script = flags.join("lab.sh");
    std::fs::write(
        &script,
        format!(
            r#"set -e
F={flags}
ip link add br0 type bridge
ip link set br0 up
ip link add tap1 type tap-host {DEV}
ip link set tap1 master br0
ip link set tap1 up
for i in 1 2; do
  ip netns add h$i
  ip link add v$i type veth peer name p$i
  ip link set p$i master br0
  ip link set p$i up
  ip link set v$i netns h$i
  ip -n h$i link set v$i up
  ip -n h$i addr add 10.99.0.1$i/24 dev v$i
done
touch $F/lab-ready
while [ ! -e $F/kernel-ready ]; do sleep 0.05; done
ip netns exec h1 ping -c 2 -i 0.2 -W 2 10.99.0.1
ip netns exec h2 ping -c 2 -i 0.2 -W 2 10.99.0.1
bridge fdb show br br0 > $F/fdb
ip -br link show master br0 > $F/ports
touch $F/lab-done
while [ ! -e $F/kernel-done ]; do sleep 0.05; done
"#,
            flags = flags.display()
        ),
    )
    .expect("write script");
    let lab = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--realtime", "--no-ipv6"])
        .arg(&script)
        .current_dir(flags)
        .env("TMPDIR", flags)
        .env("USER", "nobody")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("l2lab starts as nobody");

    assert!(
        wait_for(&flags.join("lab-ready"), Duration::from_secs(20)),
        "the lab never got ready"
    );
    // The kernel end moves into k1 after l2lab opened it: l2lab keeps its descriptor.
    let kernel = sh(&format!(
        "ip link set {DEV} netns {NS} && ip -n {NS} link set lo up && ip -n {NS} link set {DEV} up && ip -n {NS} addr add 10.99.0.1/24 dev {DEV}"
    ));
    assert!(
        kernel.status.success(),
        "{}",
        String::from_utf8_lossy(&kernel.stderr)
    );
    let seen = flags.join("k1.txt");
    let listening = flags.join("k1.err");
    let mut dump = Command::new("ip")
        .args(["netns", "exec", NS, "tcpdump", "-i", DEV, "-nn", "-l"])
        .stdout(std::fs::File::create(&seen).expect("tcpdump output"))
        .stderr(std::fs::File::create(&listening).expect("tcpdump chatter"))
        .spawn()
        .expect("tcpdump starts");
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10)
        && !std::fs::read_to_string(&listening).is_ok_and(|s| s.contains("listening on"))
    {
        std::thread::yield_now();
    }
    std::fs::write(flags.join("kernel-ready"), "").expect("flag");
    let ping = sh(&format!(
        "ip netns exec {NS} ping -c 2 -i 0.2 -W 2 10.99.0.11 && ip netns exec {NS} ping -c 2 -i 0.2 -W 2 10.99.0.12"
    ));
    let lab_done = wait_for(&flags.join("lab-done"), Duration::from_secs(30));
    let kernel_mac = sh(&format!("cat /sys/class/net/{DEV}/address 2>/dev/null || ip netns exec {NS} cat /sys/class/net/{DEV}/address"));
    std::fs::write(flags.join("kernel-done"), "").expect("flag");
    let out = lab.wait_with_output().expect("l2lab ends");
    // SAFETY: kill(2) on the tcpdump we started.
    unsafe { libc::kill(dump.id() as i32, libc::SIGINT) };
    let _ = dump.wait();

    let lab_stdout = String::from_utf8_lossy(&out.stdout);
    let lab_stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        lab_done,
        "the lab did not finish: {lab_stdout}\n{lab_stderr}"
    );
    assert!(
        out.status.success(),
        "l2lab failed: {lab_stdout}\n{lab_stderr}"
    );
    assert!(
        ping.status.success(),
        "k1 could not ping the emulated hosts: {}",
        String::from_utf8_lossy(&ping.stdout)
    );
    assert!(lab_stdout.contains("2 received"), "{lab_stdout}");
    let mac = String::from_utf8_lossy(&kernel_mac.stdout)
        .trim()
        .to_string();
    let fdb = std::fs::read_to_string(flags.join("fdb")).unwrap_or_default();
    assert!(
        fdb.lines().any(|l| l.starts_with(&mac)
            && l.contains("dev tap1 master br0")
            && !l.contains("permanent")),
        "kernel MAC {mac} not learned on tap1:\n{fdb}"
    );
    let text = std::fs::read_to_string(&seen).unwrap_or_default();
    assert!(text.contains("ARP, Request who-has"), "{text}");
    assert!(
        text.contains("ICMP echo request") && text.contains("ICMP echo reply"),
        "{text}"
    );
}
