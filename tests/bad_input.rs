//! Bad input from the command line gets the real tool's refusal and costs the lab nothing:
//! names the kernel refuses, sizes no packet can have, more clients than descriptors.

use std::process::{Command, Output};

/// Runs `script` under `l2lab run` (virtual time) and returns what it printed.
fn run(script: &str) -> Output {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("script.sh");
    std::fs::write(&path, script).expect("script");
    Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .arg("run")
        .arg(&path)
        .current_dir(tmp.path())
        .env("TMPDIR", tmp.path())
        .output()
        .expect("l2lab runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn deleting_the_empty_netns_name_is_refused_and_the_host_keeps_its_links() {
    let out = run("ip netns del \"\"; echo \"rc=$?\"\n\
         ip netns add \"\"; echo \"rc=$?\"\n\
         sleep 2\n\
         ip link add br0 type bridge\n\
         ip -br link\n");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr, "Invalid netns name \"\"\nInvalid netns name \"\"\n",
        "{stdout}"
    );
    assert!(stdout.starts_with("rc=255\nrc=255\n"), "{stdout}");
    assert!(stdout.contains("\nlo "), "{stdout}");
    assert!(stdout.contains("\nbr0 "), "{stdout}");
}

#[test]
fn names_iproute2_refuses_never_reach_the_lab() {
    let long = "n".repeat(10_000);
    let out = run(&format!(
        "ip netns add {long}; echo \"rc=$?\"\n\
         ip link add \"a b\" type bridge; echo \"rc=$?\"\n\
         ip link add .. type bridge; echo \"rc=$?\"\n\
         ip netns list; ip -br link\n"
    ));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(stdout.starts_with("rc=255\nrc=255\nrc=2\nlo "), "{stdout}");
    assert!(!stdout.contains(".."), "{stdout}");
    assert!(
        stderr.contains("Error: argument \"a b\" is wrong: \"dev\" not a valid ifname\n"),
        "{stderr}"
    );
}

/// The largest resident set of the processes this test has waited for, in KiB.
fn children_max_rss_kib() -> i64 {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes the struct it is given and nothing else.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, ru.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage");
    // SAFETY: initialised by the successful call above.
    unsafe { ru.assume_init() }.ru_maxrss
}

#[test]
fn ping_sizes_no_datagram_can_have_cost_nothing_and_fail_as_on_linux() {
    let out = run("ip link set lo up\n\
         ping -c 2 -s 2147483647 127.0.0.1; echo \"rc=$?\"\n\
         ping -c 1 -s 65508 127.0.0.1; echo \"rc=$?\"\n\
         ping -c 1 -s 65507 127.0.0.1; echo \"rc=$?\"\n\
         ping -c 1 -s 2147483648 127.0.0.1; echo \"rc=$?\"\n");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stdout.contains("2147483647(2147483675) bytes of data.\n\n--- 127.0.0.1 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 packets transmitted, 0 received, +1 errors, 100% packet loss"),
        "{stdout}"
    );
    assert!(
        stdout.contains("65515 bytes from 127.0.0.1: icmp_seq=1"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("rc=1\n").count(), 3, "{stdout}");
    assert_eq!(
        stderr,
        "ping: local error: message too long, mtu=65535\n\
         ping: invalid argument: '2147483648': out of range: 0 <= value <= 2147483647\n"
    );
    // Building a 2 GiB request once took the lab 4.2 GB.
    let kib = children_max_rss_kib();
    assert!(kib < 256 * 1024, "a child grew to {kib} KiB");
}

#[test]
fn a_lab_out_of_descriptors_refuses_clearly_and_serves_again_once_they_are_back() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("script.sh");
    // 80 monitors want more connections than 64 descriptors allow, so some are refused (and
    // the first `ip` may be); once they are gone the next command must run (a few tries: the
    // lab sees them go as their sockets close).
    std::fs::write(
        &path,
        "for i in $(seq 1 80); do ip monitor neigh > /dev/null & done\n\
         ip -br link show lo\n\
         kill $(jobs -p) 2>/dev/null; wait\n\
         for i in 1 2 3 4 5 6 7 8 9 10; do ip -br link show lo 2>/dev/null && break; done\n",
    )
    .expect("script");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_l2lab"));
    cmd.arg("run")
        .arg(&path)
        .current_dir(tmp.path())
        .env("TMPDIR", tmp.path());
    // SAFETY: setrlimit between fork and exec touches nothing shared.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            let lim = libc::rlimit {
                rlim_cur: 64,
                rlim_max: 64,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().expect("l2lab runs");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("lost the lab"), "{stderr}");
    assert!(
        stderr.contains("l2lab: the lab has no file descriptor left for another command"),
        "{stderr}"
    );
    assert!(stdout.ends_with("<LOOPBACK,UP,LOWER_UP> \n"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
