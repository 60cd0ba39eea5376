//! A tutorial command inside a lab (`ip`, `bridge`, `brctl`, `ifconfig`, `ping`, `arp`,
//! `route`, `sysctl`, `sleep`, `lsns`): it starts, connects to the lab, sends its argv,
//! relays what the lab prints and exits with the command's status, with nothing else loaded
//! or initialised. The `l2lab` binary carries it, built static (tools/build.rs), and a lab
//! puts it under the tools' names.
//!
//! Whatever needs more is the full `l2lab` binary's, which this one execs under the same
//! name: `ip netns exec` (which execs a program in the namespace), `tcpdump` (which reads
//! and writes files itself), `sysctl -p` (which reads its files), any other name, and any
//! command outside a lab.

mod wire;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;

use wire::Reply;

/// The environment variable holding the lab's socket path.
const SOCK_ENV: &str = "L2LAB_SOCK";
/// The environment variable naming the namespace a process is "in".
const NETNS_ENV: &str = "L2LAB_NETNS";
/// Where the lab's directory appears inside its walls (`sandbox::LAB_DIR_INSIDE`).
const LAB_DIR_INSIDE: &str = "/run/l2lab";
/// The full binary's name in the lab's directory.
const FULL: &str = "l2lab";
/// The names this client answers itself (the lab's `client::TOOLS` but `tcpdump`).
const PLAIN: &[&str] = &[
    "ip", "bridge", "brctl", "ifconfig", "ping", "arp", "sysctl", "route", "sleep", "lsns",
];
/// The signals passed on to the lab, which ends the command as the real tool ends.
const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

fn main() {
    let mut raw = std::env::args_os();
    let argv0 = raw.next().unwrap_or_default();
    let rest: Vec<OsString> = raw.collect();
    let sock = std::env::var(SOCK_ENV).ok().or_else(|| {
        let inside = format!("{LAB_DIR_INSIDE}/lab.sock");
        std::path::Path::new(&inside).exists().then_some(inside)
    });
    let code = match (plain(&argv0, &rest), &sock) {
        (Some((tool, args)), Some(sock)) => match request(sock, tool, &args) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("{tool}: lost the lab at {sock}: {e}");
                1
            }
        },
        _ => full(&argv0, &rest, sock.as_deref()),
    };
    std::process::exit(code);
}

/// The tool and its arguments when this client can run the command itself.
fn plain<'a>(argv0: &'a OsString, rest: &[OsString]) -> Option<(&'a str, Vec<String>)> {
    let name = std::path::Path::new(argv0).file_name()?.to_str()?;
    let tool = PLAIN.iter().find(|t| **t == name)?;
    let args: Vec<String> = rest
        .iter()
        .map(|a| a.to_str().map(str::to_string))
        .collect::<Option<_>>()?;
    let simple = match *tool {
        "ip" => !netns_exec(&args),
        // Any option that may load a file (`-p`, `-f`, `--load`), or any long option.
        "sysctl" => !args
            .iter()
            .any(|a| a.starts_with("--") || a.starts_with('-') && a.contains(['p', 'f'])),
        _ => true,
    };
    simple.then_some((tool, args))
}

/// `ip [OPTIONS] netns exec ...`: iproute2 takes any prefix of `netns` (two letters at
/// least) and of `exec`.
fn netns_exec(args: &[String]) -> bool {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        if matches!(
            args[i].as_str(),
            "-n" | "-netns" | "-b" | "-batch" | "-rc" | "-rcvbuf"
        ) {
            i += 1;
        }
        i += 1;
    }
    let Some(obj) = args.get(i) else { return false };
    if !(obj.len() >= 2 && "netns".starts_with(obj.as_str())) {
        return false;
    }
    args.get(i + 1)
        .is_some_and(|v| !v.is_empty() && "exec".starts_with(v.as_str()))
}

/// Runs the command as the full binary, under the same name.
fn full(argv0: &OsString, rest: &[OsString], sock: Option<&str>) -> i32 {
    let dir = sock
        .and_then(|s| std::path::Path::new(s).parent())
        .filter(|d| d.join(FULL).exists())
        .unwrap_or(std::path::Path::new(LAB_DIR_INSIDE));
    let exe = dir.join(FULL);
    let err = std::process::Command::new(&exe)
        .arg0(argv0)
        .args(rest)
        .exec();
    eprintln!(
        "{}: cannot run the lab's {}: {err}",
        argv0.to_string_lossy(),
        exe.display()
    );
    127
}

/// A set of signals, as sigprocmask(2) and signalfd(2) take it.
fn sigset(sigs: &[i32]) -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; sigemptyset initialises it before use.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t; the signal numbers are valid.
    unsafe {
        libc::sigemptyset(&mut set);
        for &s in sigs {
            libc::sigaddset(&mut set, s);
        }
    }
    set
}

/// A descriptor that reads the signals passed on to the lab, which are blocked from now on.
fn signal_fd() -> std::io::Result<OwnedFd> {
    let set = sigset(&SIGNALS);
    // SAFETY: a valid set; the old mask is not wanted.
    if unsafe { libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a new descriptor from a valid set.
    let fd = unsafe { libc::signalfd(-1, &set, libc::SFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by no one else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Dies of `sig` as the real tool would, so that the shell reports it so.
fn die_of(sig: i32) {
    let set = sigset(&[sig]);
    // SAFETY: default disposition, then the signal unblocked and raised: no memory involved.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
}

fn request(sock: &str, tool: &str, args: &[String]) -> std::io::Result<i32> {
    let mut stream = UnixStream::connect(sock)?;
    let netns = std::env::var(NETNS_ENV).ok().filter(|s| !s.is_empty());
    let pid = std::process::id();
    stream.write_all(&wire::run_request(tool, args, netns.as_deref(), pid))?;
    let mut signals = std::fs::File::from(signal_fd()?);
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut start = 0;
    loop {
        match wire::parse(&buf[start..]).map_err(std::io::Error::other)? {
            Some((reply, used)) => {
                start += used;
                match reply {
                    Reply::Out(s) => {
                        let mut o = std::io::stdout().lock();
                        if o.write_all(s.as_bytes()).and_then(|_| o.flush()).is_err() {
                            // A closed pipe (`| head`): the real tools die of SIGPIPE here.
                            return Ok(141);
                        }
                    }
                    Reply::Err(s) => {
                        let mut e = std::io::stderr().lock();
                        let _ = e.write_all(s.as_bytes());
                        let _ = e.flush();
                    }
                    Reply::Data(_) => {}
                    Reply::Exit(c) => return Ok(c),
                    Reply::Killed(sig) => {
                        die_of(sig);
                        return Ok(128 + sig);
                    }
                }
                continue;
            }
            None => {
                buf.drain(..start);
                start = 0;
            }
        }
        let mut fds = [
            libc::pollfd {
                fd: stream.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: signals.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: two valid pollfd structures.
        if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if fds[1].revents != 0 {
            let mut info = [0u8; std::mem::size_of::<libc::signalfd_siginfo>()];
            if signals.read(&mut info)? == info.len() {
                let sig = u32::from_ne_bytes([info[0], info[1], info[2], info[3]]) as i32;
                stream.write_all(&wire::signal_request(sig))?;
            }
        }
        if fds[0].revents != 0 {
            let old = buf.len();
            buf.resize(old + 64 * 1024, 0);
            let n = stream.read(&mut buf[old..])?;
            buf.truncate(old + n);
            if n == 0 {
                return Ok(1);
            }
        }
    }
}
