//! What unmodified programs see inside `l2lab run`: the preload library shows them the lab's
//! /proc/net, /sys/class/net, /proc/sys/net and namespace links, refuses them host sockets,
//! and names the statically linked programs it cannot reach.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The preload library the l2lab binary under test carries, copied out of a lab into `dir`.
fn library_in(dir: &Path) -> PathBuf {
    let lib = dir.join("libl2lab_preload.so");
    let script = dir.join("copy.sh");
    std::fs::write(
        &script,
        format!("cp \"${{LD_PRELOAD%%:*}}\" {}\n", lib.display()),
    )
    .expect("script");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .arg("run")
        .arg(&script)
        .env("TMPDIR", dir)
        .output()
        .expect("l2lab runs");
    assert!(lib.is_file(), "{}", String::from_utf8_lossy(&out.stderr));
    lib
}

struct Ran {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// Runs `body` as a script under `l2lab run --no-ipv6` in a fresh directory.
fn run_in(dir: &Path, body: &str) -> Ran {
    let script = dir.join("script.sh");
    std::fs::write(&script, body).expect("script");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--no-ipv6"])
        .arg(&script)
        .current_dir(dir)
        .env("TMPDIR", dir)
        .output()
        .expect("l2lab runs");
    Ran {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

fn run(body: &str) -> Ran {
    let tmp = tempfile::tempdir().expect("temp dir");
    run_in(tmp.path(), body)
}

const TWO_HOSTS: &str = "ip netns add ns01
ip netns add ns02
ip link add veth01 type veth peer name veth02
ip link set veth01 netns ns01
ip link set veth02 netns ns02
ip -n ns01 addr add 10.0.0.1/24 dev veth01
ip -n ns02 addr add 10.0.0.2/24 dev veth02
ip -n ns01 link set veth01 up
ip -n ns02 link set veth02 up
";

#[test]
fn proc_net_and_sysfs_show_the_namespace() {
    let r = run(&format!(
        "{TWO_HOSTS}ip netns exec ns01 ping -c 1 10.0.0.2 > /dev/null
echo '-- arp'; ip netns exec ns01 cat /proc/net/arp
echo '-- class'; ip netns exec ns01 ls /sys/class/net
echo '-- host class'; ls /sys/class/net
echo '-- address'; ip netns exec ns01 cat /sys/class/net/veth01/address
echo '-- peer'; ip -n ns02 neigh show 10.0.0.1
echo '-- mtu'; ip -n ns01 link set veth01 mtu 1400; ip netns exec ns01 cat /sys/class/net/veth01/mtu
echo '-- self'; ip netns exec ns01 cat /proc/self/net/route
echo '-- pid'; ip netns exec ns01 bash -c 'cut -d: -f1 /proc/$$/net/dev | tail -n +3; true'
echo '-- find'; ip netns exec ns01 find /sys/class/net/ -maxdepth 1 | sort
"
    ));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let section = |name: &str| -> String {
        let start = r.stdout.find(&format!("-- {name}\n")).expect(name) + name.len() + 4;
        let rest = &r.stdout[start..];
        rest[..rest.find("\n-- ").map_or(rest.len(), |i| i + 1)].to_string()
    };
    let arp = section("arp");
    assert!(
        arp.starts_with("IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.2         0x1         0x2         "),
        "{arp}"
    );
    assert!(arp.ends_with("     *        veth01\n"), "{arp}");
    assert_eq!(section("class"), "lo\nveth01\n");
    assert_eq!(section("host class"), "lo\n");
    // The address ns02 learned for 10.0.0.1 is the one ns01's sysfs shows.
    let mac = section("address");
    let peer = section("peer");
    assert!(peer.contains(mac.trim()), "{mac} not in {peer}");
    assert_eq!(section("mtu"), "1400\n");
    // Another process's /proc/PID/net: the namespace that process is in.
    assert_eq!(section("pid"), "    lo\nveth01\n");
    // find reads a directory it opened after asking about others: it must still be there.
    assert_eq!(
        section("find"),
        "/sys/class/net/\n/sys/class/net/lo\n/sys/class/net/veth01\n"
    );
    assert!(
        section("self").contains("\nveth01\t0000000A\t00000000\t0001\t"),
        "{}",
        r.stdout
    );
}

#[test]
fn netns_links_differ_between_namespaces_and_stay_put() {
    let r = run("ip netns add ns01
ip netns add ns02
ip netns exec ns01 readlink /proc/self/ns/net
ip netns exec ns01 bash -c 'readlink /proc/$$/ns/net; stat -L -c %i /proc/self/ns/net'
ip netns exec ns02 readlink /proc/thread-self/ns/net
readlink /proc/self/ns/net
ip netns exec ns01 bash -c 'readlink /proc/$PPID/ns/net; true'
");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", r.stdout);
    let ns01 = lines[0];
    assert!(ns01.starts_with("net:[") && ns01.ends_with(']'), "{ns01}");
    // Another process's link (the shell's, read by its child): the lab knows which
    // namespace that process is in.
    assert_eq!(lines[1], ns01);
    assert_eq!(format!("net:[{}]", lines[2]), ns01);
    assert_ne!(lines[3], ns01);
    // The initial namespace is init_net, with the kernel's fixed inode.
    assert_eq!(lines[4], "net:[4026531833]");
    // From inside ns01, the script's own shell is still in the initial namespace.
    assert_eq!(lines[5], lines[4]);
}

#[test]
fn writing_proc_sys_acts_like_sysctl() {
    let r = run("ip netns add ns01
cat /proc/sys/net/ipv4/ip_forward
echo 1 > /proc/sys/net/ipv4/ip_forward
sysctl net.ipv4.ip_forward
cat /proc/sys/net/ipv4/conf/all/forwarding
ip netns exec ns01 cat /proc/sys/net/ipv4/ip_forward
python3 -c 'open(\"/proc/sys/net/ipv4/ip_forward\", \"w\").write(\"0\\n\")'
sysctl -n net.ipv4.ip_forward
echo 1 > /proc/sys/net/ipv4/nosuch
echo rc=$?
");
    assert_eq!(
        r.stdout, "0\nnet.ipv4.ip_forward = 1\n1\n0\n0\nrc=1\n",
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("/proc/sys/net/ipv4/nosuch: No such file or directory"),
        "{}",
        r.stderr
    );
}

#[test]
fn host_sockets_are_refused_with_one_line() {
    let r = run(
        "python3 -c 'import socket; socket.socket()' 2>err1; echo rc=$?
grep -c PermissionError err1
grep l2lab err1
python3 -c 'import socket; socket.socket(socket.AF_UNIX); print(\"unix ok\")'
(echo hi > /dev/tcp/127.0.0.1/9) 2>err2; echo rc=$?
grep l2lab err2
ip link show lo > /dev/null && echo tools ok
",
    );
    assert_eq!(
        r.stdout,
        "rc=1\n1\n\
         l2lab: python3: l2lab does not model TCP/UDP sockets yet (ICMP through ping, and captures through tcpdump, are the lab's)\n\
         unix ok\nrc=1\n\
         l2lab: bash: l2lab does not model TCP/UDP sockets yet (ICMP through ping, and captures through tcpdump, are the lab's)\n\
         tools ok\n",
        "{}",
        r.stderr
    );
}

#[test]
fn statically_linked_programs_are_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = tmp.path().join("hello.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint main(void){puts(\"static ran\");return 0;}\n",
    )
    .expect("source");
    let prog = tmp.path().join("hello");
    let built = Command::new("cc")
        .arg("-static")
        .arg("-o")
        .arg(&prog)
        .arg(&src)
        .output();
    if !built.is_ok_and(|o| o.status.success()) {
        // Needs a C compiler and a static libc (libc6-dev): without them there is no static
        // program to run, which is all this test is about.
        eprintln!("skipped: `cc -static` does not work here");
        return;
    }
    let r = run_in(
        tmp.path(),
        &format!(
            "{p}\n/bin/true && echo dynamic quiet\nip netns add ns01\nPATH={d}:$PATH ip netns exec ns01 hello\n",
            p = prog.display(),
            d = tmp.path().display()
        ),
    );
    assert_eq!(
        r.stdout, "static ran\ndynamic quiet\nstatic ran\n",
        "{}",
        r.stderr
    );
    // Once when bash runs it, once when `ip netns exec` finds it on $PATH (execvp).
    let line = format!(
        "l2lab: {} is statically linked: the lab's views and clock do not reach it (it sees an empty network namespace, not the host's)\n",
        prog.display()
    );
    assert_eq!(r.stderr, format!("{line}{line}"));
}

#[test]
fn outside_a_lab_the_library_changes_nothing() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let lib = library_in(tmp.path());
    let read = |preload: bool| {
        let mut c = Command::new("sh");
        c.args([
            "-c",
            "readlink /proc/self/ns/net; ls /sys/class/net; head -2 /proc/net/dev",
        ])
        .env_remove("L2LAB_SOCK");
        if preload {
            c.env("LD_PRELOAD", &lib);
        }
        c.output().expect("sh runs").stdout
    };
    assert_eq!(read(true), read(false));
}

#[test]
fn the_binary_carries_its_library() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let exe = tmp.path().join("l2lab");
    std::fs::copy(env!("CARGO_BIN_EXE_l2lab"), &exe).expect("copy");
    let script = tmp.path().join("s.sh");
    std::fs::write(&script, "ls /sys/class/net\n").expect("script");
    // Another test's fork may hold the copy's write descriptor for a moment (ETXTBSY).
    let mut tries = 0;
    let out = loop {
        match Command::new(&exe)
            .arg("run")
            .arg(&script)
            .env("TMPDIR", tmp.path())
            .output()
        {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && tries < 1000 => {
                tries += 1;
                std::thread::yield_now();
            }
            other => break other.expect("l2lab runs"),
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "lo\n");
}
