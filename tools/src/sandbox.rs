//! The closed world's walls: a script runs in kernel namespaces of its own, made without
//! privileges (user, mount, network and PID namespaces, as `unshare -Urmnp` makes them).
//!
//! - The network namespace is empty (only `lo`, down): whatever escapes the tutorial commands
//!   (a statically linked program, a raw system call, `iptables` run by root) acts on that
//!   empty namespace, never on the host's network.
//! - The mount namespace puts the lab's tools over the host's (`/usr/sbin/ip`, `/usr/bin/ping`,
//!   `sudo`, `iptables`, ...), so an absolute path, `env -i`, `command -p` or sudo's
//!   `secure_path` still reach the lab's; `/run/netns` (`/var/run/netns`) is the lab's directory
//!   of namespace names; `/sys` and `/proc` are mounted anew for the new namespaces.
//! - The PID namespace has the lab's own init as its process 1: when it ends, or the lab dies
//!   by any signal, the kernel ends every process of the script, `setsid` ones included.
//!
//! The lab process itself stays outside, where its TAP devices live; it talks with the script
//! through the Unix socket in its private directory, which the script sees at
//! [`LAB_DIR_INSIDE`].

use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};

/// Where the lab's private directory (socket, tool links) appears inside the sandbox.
pub const LAB_DIR_INSIDE: &str = "/run/l2lab";

/// Commands of the lab that run in the caller's process and exec what they are given.
pub const EXEC_TOOLS: &[&str] = &["sudo", "unshare", "nsenter", "mount", "umount"];

/// Commands that are the lab's in virtual time only: on the real clock the host's are right.
pub const VIRTUAL_TOOLS: &[&str] = &["sleep", "timeout", "date"];

/// Network tools that l2lab does not model: inside a lab they say so and change nothing.
pub const UNMODELLED: &[&str] = &[
    "ip6tables",
    "iptables-save",
    "ip6tables-save",
    "iptables-restore",
    "ip6tables-restore",
    "iptables-legacy",
    "ip6tables-legacy",
    "iptables-nft",
    "ip6tables-nft",
    "xtables-nft-multi",
    "xtables-legacy-multi",
    "nft",
    "ebtables",
    "arptables",
    "ovs-dpctl",
    "tc",
    "ethtool",
    "ipset",
    "conntrack",
    "dhclient",
    "iw",
];

/// Where the host keeps programs: a tool found here is covered by the lab's.
pub const BIN_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// How the sandbox runs its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A script: signals reach the whole process group, so no one forwards them.
    Script,
    /// An interactive shell: signals come to the sandbox's first process only and are passed
    /// on to the shell.
    Shell,
}

/// The arguments of `l2lab __sandbox`: what the lab hands to the sandbox's first process.
pub fn args(mode: Mode, lab_dir: &Path, tools: &[&str], program: &[OsString]) -> Vec<OsString> {
    let mut v: Vec<OsString> = vec![
        "__sandbox".into(),
        match mode {
            Mode::Script => "script",
            Mode::Shell => "shell",
        }
        .into(),
        lab_dir.as_os_str().to_owned(),
        tools.join(",").into(),
        "--".into(),
    ];
    v.extend(program.iter().cloned());
    v
}

/// The child of the current stage, to which a forwarded signal goes.
static CHILD: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward(sig: libc::c_int) {
    let pid = CHILD.load(Ordering::Relaxed);
    if pid > 0 {
        // SAFETY: kill(2) is async-signal-safe.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

extern "C" fn ignore(_sig: libc::c_int) {}

/// Installs `handler` for the signals a tutorial command reacts to.
fn on_signals(handler: extern "C" fn(libc::c_int)) {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
        // SAFETY: a zeroed sigaction with a plain handler is valid; the handler only calls
        // async-signal-safe functions.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as usize;
            sa.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

fn err(what: &str) -> std::io::Error {
    let e = std::io::Error::last_os_error();
    std::io::Error::new(e.kind(), format!("{what}: {e}"))
}

fn cstr(p: impl AsRef<OsStr>) -> std::io::Result<CString> {
    CString::new(p.as_ref().as_bytes()).map_err(std::io::Error::other)
}

fn mount(
    src: Option<&Path>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> std::io::Result<()> {
    let src = src.map(cstr).transpose()?;
    let target_c = cstr(target)?;
    let fstype = fstype.map(cstr).transpose()?;
    let data = data.map(cstr).transpose()?;
    // SAFETY: every pointer is a valid NUL-terminated string or null, as mount(2) takes them.
    let rc = unsafe {
        libc::mount(
            src.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            target_c.as_ptr(),
            fstype.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            flags,
            data.as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr().cast()),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(err(&format!("mount on {}", target.display())))
    }
}

/// Waits for `pid`; its exit status as a shell reports it (128+N when killed by N).
fn wait_for(pid: libc::pid_t, reap_others: bool) -> i32 {
    loop {
        let mut status = 0;
        let who = if reap_others { -1 } else { pid };
        // SAFETY: waitpid(2) writes only the status integer we own.
        let got = unsafe { libc::waitpid(who, &mut status, 0) };
        if got < 0 {
            if std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return 1;
        }
        if got != pid {
            continue;
        }
        if libc::WIFEXITED(status) {
            return libc::WEXITSTATUS(status);
        }
        if libc::WIFSIGNALED(status) {
            return 128 + libc::WTERMSIG(status);
        }
    }
}

fn fork() -> std::io::Result<libc::pid_t> {
    // SAFETY: the sandbox's first process is single-threaded (a fresh exec), so the child
    // may go on running Rust code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        Err(err("fork"))
    } else {
        Ok(pid)
    }
}

/// `l2lab __sandbox MODE LABDIR TOOLS -- PROGRAM...`: makes the namespaces, then runs PROGRAM as
/// the second process of the new PID namespace; returns its exit status.
pub fn main(args: &[String]) -> i32 {
    match sandbox(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("l2lab: cannot build the lab's closed world: {e}");
            eprintln!(
                "l2lab: a lab runs its script in user, mount, network and PID namespaces of its own, made without privileges; this kernel refused them (see that user namespaces are allowed: sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1 where it exists, kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu)"
            );
            125
        }
    }
}

fn sandbox(args: &[String]) -> std::io::Result<i32> {
    let [mode, lab_dir, tools, dashdash, program @ ..] = args else {
        return Err(std::io::Error::other(
            "usage: l2lab __sandbox MODE LABDIR TOOLS -- PROGRAM...",
        ));
    };
    if dashdash != "--" || program.is_empty() {
        return Err(std::io::Error::other(
            "usage: l2lab __sandbox MODE LABDIR TOOLS -- PROGRAM...",
        ));
    }
    let mode = if mode == "shell" {
        Mode::Shell
    } else {
        Mode::Script
    };
    let lab_dir = PathBuf::from(lab_dir);
    let tools: Vec<&str> = tools.split(',').filter(|t| !t.is_empty()).collect();
    // SAFETY: getuid/getgid have no preconditions.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    // SAFETY: unshare(2) with namespace flags; this process is single-threaded.
    let rc = unsafe {
        libc::unshare(
            libc::CLONE_NEWUSER | libc::CLONE_NEWNS | libc::CLONE_NEWNET | libc::CLONE_NEWPID,
        )
    };
    if rc != 0 {
        return Err(err("unshare(user, mount, network, pid)"));
    }
    // The user is root inside, as tutorials expect (`sudo` is the lab's); outside they stay
    // who they are.
    std::fs::write("/proc/self/setgroups", "deny").map_err(|e| ctx(e, "setgroups"))?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1\n")).map_err(|e| ctx(e, "uid_map"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1\n")).map_err(|e| ctx(e, "gid_map"))?;
    let init = fork()?;
    if init > 0 {
        // The first process stays outside the PID namespace, as the lab's handle on it.
        CHILD.store(init, Ordering::Relaxed);
        on_signals(if mode == Mode::Shell { forward } else { ignore });
        return Ok(wait_for(init, false));
    }
    // Process 1 of the new PID namespace: when the first process goes (the lab was killed),
    // so does this one, and with it, by the kernel's rule, every process of the namespace.
    // SAFETY: prctl(2) and getppid(2) on this process only.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    let code = match init_main(mode, &lab_dir, &tools, program) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("l2lab: cannot build the lab's closed world: {e}");
            125
        }
    };
    // SAFETY: _exit(2) ends this process without running the parent's atexit handlers twice.
    unsafe { libc::_exit(code) }
}

fn ctx(e: std::io::Error, what: &str) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{what}: {e}"))
}

fn init_main(
    mode: Mode,
    lab_dir: &Path,
    tools: &[&str],
    program: &[String],
) -> std::io::Result<i32> {
    // Nothing mounted here may reach the host's mount namespace.
    mount(
        None,
        Path::new("/"),
        None,
        libc::MS_REC | libc::MS_PRIVATE,
        None,
    )?;
    // The new PID namespace's processes, not the host's.
    let _ = mount(
        Some(Path::new("proc")),
        Path::new("/proc"),
        Some("proc"),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
        None,
    );
    // /sys of the empty network namespace: no host interface shows through it.
    let _ = mount(
        Some(Path::new("sysfs")),
        Path::new("/sys"),
        Some("sysfs"),
        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC | libc::MS_RDONLY,
        None,
    );
    keep_real(lab_dir, tools);
    private_run(lab_dir)?;
    // `l2lab run --resolv-conf FILE`: the lab's own resolver configuration.
    let resolv = lab_dir.join("resolv.conf");
    if resolv.is_file() {
        mount(
            Some(&resolv),
            Path::new("/etc/resolv.conf"),
            None,
            libc::MS_BIND,
            None,
        )?;
    }
    let exe = std::env::current_exe()?;
    cover_tools(&exe, &lab_dir.join(crate::lean::NAME), tools);
    let child = fork()?;
    if child == 0 {
        let prog = cstr(&program[0])?;
        let argv: Vec<CString> = program.iter().map(cstr).collect::<Result<_, _>>()?;
        let mut ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
        ptrs.push(std::ptr::null());
        // SAFETY: execvp(3) with NUL-terminated strings and a null-terminated array.
        unsafe {
            libc::execvp(prog.as_ptr(), ptrs.as_ptr());
        }
        eprintln!("l2lab: {}: {}", program[0], std::io::Error::last_os_error());
        // SAFETY: see above.
        unsafe { libc::_exit(127) }
    }
    CHILD.store(child, Ordering::Relaxed);
    on_signals(if mode == Mode::Shell { forward } else { ignore });
    Ok(wait_for(child, true))
}

/// A /run of the lab's: the host's entries bound back in, but `netns` is the lab's directory
/// of namespace names and `l2lab` its private directory.
fn private_run(lab_dir: &Path) -> std::io::Result<()> {
    let run = Path::new("/run");
    let host_run = lab_dir.join("host-run");
    std::fs::create_dir_all(&host_run)?;
    mount(
        Some(run),
        &host_run,
        None,
        libc::MS_BIND | libc::MS_REC,
        None,
    )?;
    mount(
        Some(Path::new("tmpfs")),
        run,
        Some("tmpfs"),
        libc::MS_NOSUID | libc::MS_NODEV,
        Some("mode=0755"),
    )?;
    if let Ok(entries) = std::fs::read_dir(&host_run) {
        for e in entries.flatten() {
            let name = e.file_name();
            if name == "netns" || name == "l2lab" {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            let to = run.join(&name);
            if meta.file_type().is_symlink() {
                if let Ok(target) = std::fs::read_link(e.path()) {
                    let _ = std::os::unix::fs::symlink(target, &to);
                }
                continue;
            }
            let made = if meta.is_dir() {
                std::fs::create_dir(&to)
            } else {
                std::fs::File::create(&to).map(|_| ())
            };
            if made.is_ok() {
                let _ = mount(
                    Some(&e.path()),
                    &to,
                    None,
                    libc::MS_BIND | libc::MS_REC,
                    None,
                );
            }
        }
    }
    let netns = lab_dir.join("netns");
    std::fs::create_dir_all(&netns)?;
    std::fs::create_dir(run.join("netns"))?;
    mount(Some(&netns), &run.join("netns"), None, libc::MS_BIND, None)?;
    std::fs::create_dir(run.join("l2lab"))?;
    mount(
        Some(lab_dir),
        Path::new(LAB_DIR_INSIDE),
        None,
        libc::MS_BIND,
        None,
    )?;
    let host_run_c = cstr(&host_run)?;
    // SAFETY: umount2(2) with a valid path.
    unsafe {
        libc::umount2(host_run_c.as_ptr(), libc::MNT_DETACH);
    }
    let _ = std::fs::remove_dir(&host_run);
    Ok(())
}

/// Host programs the lab's own versions run after asking the lab (`date` formats the lab's
/// time): kept at `LABDIR/real/NAME` before the lab's binary covers them.
const KEPT: &[&str] = &["date"];

fn keep_real(lab_dir: &Path, tools: &[&str]) {
    for name in KEPT.iter().filter(|n| tools.contains(n)) {
        let Some(real) = BIN_DIRS
            .iter()
            .map(|d| Path::new(d).join(name))
            .find_map(|p| std::fs::canonicalize(p).ok().filter(|p| p.is_file()))
        else {
            continue;
        };
        let keep = lab_dir.join("real").join(name);
        let made = std::fs::create_dir_all(lab_dir.join("real"))
            .and_then(|_| std::fs::File::create(&keep).map(|_| ()));
        if made.is_ok() {
            let _ = mount(Some(&real), &keep, None, libc::MS_BIND, None);
        }
    }
}

/// Where the host's own `name` is kept inside the lab, if it is.
pub fn real_program(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os(crate::proto::SOCK_ENV)
        .and_then(|s| Path::new(&s).parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from(LAB_DIR_INSIDE));
    let p = dir.join("real").join(name);
    p.is_file().then_some(p)
}

/// Puts the lab's binary over every copy of a tool the host has, under each name: the tools
/// l2lab models, `sudo`, and the network tools it does not model. The plain commands get the
/// small `client` the lab wrote beside its socket.
fn cover_tools(exe: &Path, client: &Path, tools: &[&str]) {
    let mut done: Vec<PathBuf> = Vec::new();
    for name in tools.iter().chain(UNMODELLED) {
        for dir in BIN_DIRS {
            let path = Path::new(dir).join(name);
            // A link resolves to the program it names (/usr/sbin/iptables → xtables-nft-multi):
            // covering that covers every name of it.
            let Ok(real) = std::fs::canonicalize(&path) else {
                continue;
            };
            if done.contains(&real) || !real.is_file() {
                continue;
            }
            let plain = crate::client::TOOLS.contains(name) && *name != "tcpdump";
            let with = if plain && client.is_file() {
                client
            } else {
                exe
            };
            if mount(Some(with), &real, None, libc::MS_BIND, None).is_ok() {
                done.push(real);
            }
        }
    }
}
