//! A lab is a closed world: every way to a tool leads to the lab's (sudo, an absolute path,
//! `env -i`, a PATH reset in bash, `command -p`), network tools the lab does not model say so,
//! and the host's namespaces and nat table are the same afterwards. Run as the user running
//! the tests and, when that is root, also as `nobody`. Also: nothing a script started outlives
//! `kill -9` of the lab, and the lab's door opens only for its own user.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn host(cmd: &str) -> String {
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

/// What the host's kernel shows of its namespaces (`ip netns list`, then the files of
/// /run/netns) and its nat table (comment lines of iptables-save carry the time).
fn host_state() -> (String, String) {
    let nat = host("iptables-save -t nat 2>/dev/null | grep -v '^#'");
    let ns = format!(
        "{}\n{}",
        host("ip netns list 2>/dev/null"),
        host("ls /run/netns 2>/dev/null")
    );
    (ns, nat)
}

/// The host's namespace lines that differ between two looks. Other work on a shared machine
/// may add or remove namespaces of its own meanwhile; those are told apart by name.
fn ns_changes(before: &str, after: &str) -> Vec<String> {
    let b: std::collections::BTreeSet<&str> = before.lines().collect();
    let a: std::collections::BTreeSet<&str> = after.lines().collect();
    a.symmetric_difference(&b).map(|l| l.to_string()).collect()
}

/// A script trying each way to `ip`; every section must print the lab's namespace.
fn routes_script() -> (String, Vec<&'static str>) {
    let mut s = String::from("ip netns add cw01\n");
    let mut names = vec![];
    let mut route = |name: &'static str, cmd: &str| {
        s.push_str(&format!("echo '== {name}'; {cmd}\n"));
        names.push(name);
    };
    route("sudo", "sudo ip netns list");
    route("sudo -E", "sudo -E ip netns list");
    route("sudo bash -c", "sudo bash -c 'ip netns list'");
    route("sudo -i", "sudo -i ip netns list");
    for abs in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"] {
        if Path::new(abs).exists() {
            route(
                Box::leak(format!("absolute {abs}").into_boxed_str()),
                &format!("{abs} netns list"),
            );
        }
    }
    if Path::new("/usr/bin/ip").exists() || Path::new("/bin/ip").exists() {
        // env -i leaves no PATH: the C library's default (/bin:/usr/bin) finds the host's ip.
        route("env -i", "env -i ip netns list");
    }
    route(
        "PATH reset",
        "bash -c 'PATH=/usr/sbin:/usr/bin:/sbin:/bin; ip netns list'",
    );
    route("command -p", "command -p ip netns list");
    (s, names)
}

fn run_as(user: Option<&str>, script: &Path, dir: &Path) -> std::process::Output {
    let exe = env!("CARGO_BIN_EXE_l2lab");
    let mut cmd = match user {
        Some(u) => {
            let mut c = Command::new("setpriv");
            c.args([
                &format!("--reuid={u}"),
                "--regid=nogroup",
                "--clear-groups",
                "--",
                exe,
            ]);
            c
        }
        None => Command::new(exe),
    };
    cmd.arg("run")
        .arg(script)
        .current_dir(dir)
        .env("TMPDIR", dir)
        .output()
        .expect("l2lab runs")
}

fn check_routes(user: Option<&str>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    // Readable by nobody too.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let (text, names) = routes_script();
    let script = tmp.path().join("routes.sh");
    // The host's own iptables by its absolute path is the case that matters: the lab's is
    // bound over it. A host without iptables has no such path to cover (CI installs it).
    let host_iptables = "/usr/sbin/iptables";
    let iptables = if Path::new(host_iptables).exists() {
        host_iptables
    } else {
        eprintln!("{host_iptables} is not installed: the lab's iptables is run by name");
        "iptables"
    };
    std::fs::write(
        &script,
        format!(
            "{text}echo '== iptables'\niptables -t nat -A POSTROUTING -s 192.168.88.0/24 -j MASQUERADE; echo \"rc=$?\"\n{iptables} -t nat -S POSTROUTING; echo \"rc=$?\"\niptables-save -t nat; echo \"rc=$?\"\nnft flush ruleset; echo \"rc=$?\"\n"
        ),
    )
    .expect("script");
    let before = host_state();
    let out = run_as(user, &script, tmp.path());
    let after = host_state();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{user:?}: {stdout}\n{stderr}");
    for name in names {
        let section = stdout
            .split(&format!("== {name}\n"))
            .nth(1)
            .unwrap_or_else(|| panic!("{user:?}: no section {name}: {stdout}\n{stderr}"));
        assert!(
            section.starts_with("cw01\n"),
            "{user:?}: {name} did not reach the lab's ip:\n{section}\n{stderr}"
        );
    }
    let ipt = stdout.split("== iptables\n").nth(1).unwrap_or_default();
    // The lab's iptables keeps the lab's rules; the tools it does not model say so.
    assert_eq!(
        ipt,
        "rc=0\n-P POSTROUTING ACCEPT\n-A POSTROUTING -s 192.168.88.0/24 -j MASQUERADE\nrc=0\nrc=1\nrc=1\n",
        "{user:?}: {stdout}"
    );
    assert!(
        stderr
            .contains("iptables-save: l2lab does not model iptables-save yet: nothing was changed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nft: l2lab does not model nft yet"),
        "{stderr}"
    );
    assert_eq!(before.1, after.1, "{user:?}: the host's nat table changed");
    // The script makes only cw01; any other change is the machine's other work.
    let ours: Vec<String> = ns_changes(&before.0, &after.0)
        .into_iter()
        .filter(|l| l.split_whitespace().next() == Some("cw01"))
        .collect();
    assert!(
        ours.is_empty(),
        "{user:?}: the host's namespaces changed: {ours:?}"
    );
    assert!(!host("ip netns list 2>/dev/null").contains("cw01"));
}

#[test]
fn every_way_to_a_tool_leads_to_the_labs() {
    check_routes(None);
}

#[test]
fn every_way_to_a_tool_leads_to_the_labs_for_an_ordinary_user_too() {
    if !is_root() {
        eprintln!("skipped: running as an ordinary user already (the other test covers it); as root this runs the lab as nobody");
        return;
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: no setpriv to run the lab as nobody (apt-get install util-linux)");
        return;
    }
    check_routes(Some("nobody"));
}

/// Host pids of processes whose command line holds `marker`.
fn pids_with(marker: &str) -> Vec<i32> {
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Ok(cmdline) = std::fs::read(e.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(marker) {
                out.push(pid);
            }
        }
    }
    out
}

/// Waits until every process of `pids` has ended, or 10 s: through pidfds, not a clock loop.
fn all_end(pids: &[i32]) -> bool {
    let mut fds = vec![];
    for &pid in pids {
        // SAFETY: pidfd_open(2) takes a pid and flags and returns a descriptor or -1.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) } as i32;
        if fd >= 0 {
            fds.push(libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            });
        }
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut open: Vec<libc::pollfd> = fds;
    while !open.is_empty() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return false;
        }
        // SAFETY: poll(2) over descriptors we own.
        unsafe { libc::poll(open.as_mut_ptr(), open.len() as _, left.as_millis() as i32) };
        open.retain(|p| {
            if p.revents != 0 {
                // SAFETY: closing a descriptor we opened.
                unsafe { libc::close(p.fd) };
                false
            } else {
                true
            }
        });
    }
    true
}

#[test]
fn nothing_outlives_kill_9_of_the_lab() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let fifo = tmp.path().join("ready");
    let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: mkfifo(3) with a valid path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let marker = format!("1000.{}", std::process::id());
    let script = tmp.path().join("leave.sh");
    std::fs::write(
        &script,
        format!(
            "/bin/sleep {marker} &\nsetsid /bin/sleep {marker} &\n(trap '' TERM HUP; exec /bin/sleep {marker}) &\necho ready > {}\nwait\n",
            fifo.display()
        ),
    )
    .expect("script");
    let mut lab = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--realtime"])
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .spawn()
        .expect("l2lab runs");
    let mut ready = String::new();
    std::fs::File::open(&fifo)
        .expect("fifo")
        .read_to_string(&mut ready)
        .expect("read");
    assert_eq!(ready, "ready\n");
    // A job the shell started may not have reached its exec yet: look until all three have.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut pids = pids_with(&marker);
    while pids.len() < 3 && std::time::Instant::now() < deadline {
        std::thread::yield_now();
        pids = pids_with(&marker);
    }
    assert_eq!(pids.len(), 3, "the three sleeps run: {pids:?}");
    lab.kill().expect("kill -9");
    lab.wait().expect("reaped");
    assert!(
        all_end(&pids),
        "a process of the script outlived kill -9 of the lab"
    );
}

#[test]
fn background_jobs_go_when_the_script_ends() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let marker = format!("1001.{}", std::process::id());
    let script = tmp.path().join("leave.sh");
    std::fs::write(
        &script,
        format!("/bin/sleep {marker} &\nsetsid /bin/sleep {marker} &\nnohup /bin/sleep {marker} >/dev/null 2>&1 &\nexit 0\n"),
    )
    .expect("script");
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--realtime"])
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .output()
        .expect("l2lab runs");
    assert!(out.status.success());
    // The init of the lab's PID namespace is reaped only once its namespace is empty.
    assert_eq!(pids_with(&marker), Vec::<i32>::new());
}

#[test]
fn the_labs_door_opens_only_for_its_user() {
    if !is_root() {
        eprintln!("skipped: needs root to try the lab's socket as another user");
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let fifo = tmp.path().join("sock");
    let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: mkfifo(3) with a valid path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o666) }, 0);
    let script = tmp.path().join("door.sh");
    std::fs::write(
        &script,
        format!(
            "stat -c %a \"$(dirname \"$L2LAB_SOCK\")\"\necho \"$L2LAB_SOCK\" > {}\nwait_for_other() {{ read -r x < {}.done; }}\nwait_for_other\nip netns list\n",
            fifo.display(),
            fifo.display()
        ),
    )
    .expect("script");
    let done = tmp.path().join("sock.done");
    let d = std::ffi::CString::new(done.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: as above.
    assert_eq!(unsafe { libc::mkfifo(d.as_ptr(), 0o666) }, 0);
    // SAFETY: umask(2) only changes this process's mask (inherited by the lab).
    let old = unsafe { libc::umask(0) };
    let lab = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .args(["run", "--realtime"])
        .arg(&script)
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("l2lab runs");
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    let sock = std::fs::read_to_string(&fifo).expect("socket path");
    // Another user tries the lab's own tool against the lab's socket.
    let ip = tmp.path().join("ip");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_l2lab"), &ip).expect("link");
    let other = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .arg(&ip)
        .args(["netns", "add", "intruder"])
        .env("L2LAB_SOCK", sock.trim())
        .output()
        .expect("setpriv runs");
    std::fs::write(&done, "go\n").expect("go on");
    let out = lab.wait_with_output().expect("lab ends");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("700\n"), "the lab's directory: {text}");
    assert!(!other.status.success(), "another user got in");
    assert!(!text.contains("intruder"), "{text}");
}
