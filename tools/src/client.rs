//! The tutorial commands' side: `ip`, `bridge`, `brctl`, ... are links to the `l2lab` binary;
//! called by such a name it sends its arguments to the lab and prints what comes back.
//! `ip netns exec NS CMD` is the one command that runs here: it checks NS with the lab and
//! execs CMD "inside" it, which is to say with the namespace in its environment.
//!
//! Files are opened here, never in the lab, with the user's permissions and working directory:
//! `tcpdump -r` runs here whole, and the records of `tcpdump -w FILE` come from the lab as
//! bytes that this process writes into FILE, which it opens when the first bytes come.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;

use rustix::event::{PollFd, PollFlags};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::proto::{read_response, write_msg, FileText, Request, Response, NETNS_ENV, SOCK_ENV};

/// The names under which the binary acts as a tutorial command.
pub const TOOLS: &[&str] = &[
    "ip",
    "bridge",
    "brctl",
    "ifconfig",
    "ping",
    "tcpdump",
    "arp",
    "sysctl",
    "route",
    "sleep",
    "lsns",
    "ovs-vsctl",
    "ovs-appctl",
    "ovs-ofctl",
    "iptables",
];

/// The signals a command passes on to the lab rather than dying of them at once.
const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// Runs `tool` with `args` against the lab named by the environment; returns the exit status.
pub fn run(tool: &str, args: Vec<String>) -> i32 {
    let Some(sock) = sock_path() else {
        eprintln!(
            "{tool}: not inside an l2lab lab ({SOCK_ENV} is not set): start one with `l2lab run SCRIPT` or `l2lab shell`"
        );
        return 127;
    };
    let netns = std::env::var(NETNS_ENV).ok().filter(|s| !s.is_empty());
    if tool == "ip" {
        if let Some((ns, cmd)) = netns_exec(&args) {
            return exec_in(&sock, netns, ns, cmd);
        }
    }
    let mut dump = None;
    if tool == "tcpdump" {
        match crate::tcpdump::local(&args) {
            crate::tcpdump::Local::Done(code) => return code,
            crate::tcpdump::Local::Offline(o, path) => {
                return match offline(&sock, netns) {
                    Ok((names, _held)) => crate::tcpdump::offline::run(&o, &path, &names),
                    Err(e) => {
                        eprintln!("{tool}: lost the lab at {sock}: {e}");
                        1
                    }
                };
            }
            crate::tcpdump::Local::Lab(w) => dump = w.map(Dump::new),
        }
    }
    match request(&sock, tool, args, netns, dump.as_mut()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{tool}: lost the lab at {sock}: {e}");
            1
        }
    }
}

/// The lab's socket. A program started with a cleared environment (`env -i`, `sudo -i`)
/// still finds its lab where the lab's walls put its directory.
fn sock_path() -> Option<String> {
    let fallback = format!("{}/lab.sock", crate::sandbox::LAB_DIR_INSIDE);
    std::env::var(SOCK_ENV)
        .ok()
        .or_else(|| std::path::Path::new(&fallback).exists().then_some(fallback))
}

/// Asks the lab to run `tool ARGV` for this process and returns its exit status and what it
/// printed on standard output; what it printed on standard error goes to ours.
pub fn ask(tool: &str, argv: Vec<String>) -> std::io::Result<(i32, String)> {
    let Some(sock) = sock_path() else {
        return Err(std::io::Error::other(format!(
            "not inside an l2lab lab ({SOCK_ENV} is not set)"
        )));
    };
    let mut stream = UnixStream::connect(sock)?;
    write_msg(
        &mut stream,
        &Request::Run {
            tool: tool.to_string(),
            argv,
            netns: std::env::var(NETNS_ENV).ok().filter(|s| !s.is_empty()),
            files: Vec::new(),
            pid: std::process::id(),
            interactive: false,
        },
    )?;
    let mut out = String::new();
    loop {
        match read_response(&mut stream)? {
            Some(Response::Out(s)) => out.push_str(&s),
            Some(Response::Err(s)) => eprint!("{s}"),
            Some(Response::Exit(c)) => return Ok((c, out)),
            Some(Response::Killed(sig)) => return Ok((128 + sig, out)),
            Some(Response::Data(_)) => {}
            None => return Ok((1, out)),
        }
    }
}

/// `ip [OPTIONS] netns exec NS CMD...` → (NS, CMD...). iproute2 accepts any prefix of `exec`.
fn netns_exec(args: &[String]) -> Option<(String, Vec<String>)> {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        // Options with a value.
        if matches!(
            args[i].as_str(),
            "-n" | "-netns" | "-b" | "-batch" | "-rc" | "-rcvbuf"
        ) {
            i += 1;
        }
        i += 1;
    }
    let obj = args.get(i)?;
    if !(obj.len() >= 2 && "netns".starts_with(obj.as_str())) {
        return None;
    }
    let verb = args.get(i + 1)?;
    if verb.is_empty() || !"exec".starts_with(verb.as_str()) {
        return None;
    }
    let ns = args.get(i + 2).cloned().unwrap_or_default();
    Some((
        ns,
        args.get(i + 3..)
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
    ))
}

fn exec_in(sock: &str, cur: Option<String>, ns: String, cmd: Vec<String>) -> i32 {
    // The lab checks the namespace and prints iproute2's errors.
    let check = vec!["netns".to_string(), "exec-check".to_string(), ns.clone()];
    let mut argv = check;
    argv.extend(cmd.iter().take(1).cloned());
    match request(sock, "ip", argv, cur, None) {
        Ok(0) => {}
        Ok(code) => return code,
        Err(e) => {
            eprintln!("ip: lost the lab at {sock}: {e}");
            return 1;
        }
    }
    let Some(prog) = cmd.first() else { return 255 };
    let err = std::process::Command::new(prog)
        .args(&cmd[1..])
        .env(NETNS_ENV, &ns)
        .exec();
    // cmd_exec (iproute2's lib/exec.c) exits 1 when execvp fails.
    eprintln!("exec of \"{prog}\" failed: {}", errno_text(&err));
    1
}

/// The C library's wording for an I/O error (as iproute2 prints it with strerror).
pub fn errno_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => {
            // strerror's words, without the "(os error N)" Rust adds.
            let s = e.to_string();
            s.find(" (os error ")
                .map_or(s.clone(), |i| s[..i].to_string())
        }
    }
}

/// Whether this process runs in the foreground of a terminal: its stdin is one, and the
/// terminal's foreground process group is this process's (as the shell arranges for a
/// foreground job; a background job of a script gets /dev/null as stdin).
fn in_foreground() -> bool {
    // SAFETY: isatty, tcgetpgrp and getpgrp only read the state of descriptor 0 and of
    // this process.
    unsafe { libc::isatty(0) == 1 && libc::tcgetpgrp(0) == libc::getpgrp() }
}

/// The resolver's configuration as this process sees it: `ip netns exec NS` shows
/// /etc/netns/NS/resolv.conf at /etc/resolv.conf when there is one (bind_etc).
fn resolv_conf() -> FileText {
    let name = crate::resolver::RESOLV_CONF.to_string();
    let own = std::env::var(NETNS_ENV)
        .ok()
        .filter(|ns| !ns.is_empty() && !ns.contains('/'))
        .map(|ns| format!("/etc/netns/{ns}/resolv.conf"))
        .and_then(|p| std::fs::read_to_string(p).ok());
    let text = match own {
        Some(t) => Ok(t),
        None => std::fs::read_to_string(&name).map_err(|e| errno_text(&e)),
    };
    FileText { name, text }
}

/// Reads a file the command names, here, with the user's permissions and working directory.
fn read_text(name: String) -> FileText {
    let text = std::fs::read_to_string(&name).map_err(|e| errno_text(&e));
    FileText { name, text }
}

/// The file a command's [`Response::Data`] go to, opened when the first bytes come.
struct Dump {
    path: String,
    file: Option<Box<dyn Write>>,
    /// Its reader went away: what comes later is dropped.
    broken: bool,
}

impl Dump {
    fn new(path: String) -> Dump {
        Dump {
            path,
            file: None,
            broken: false,
        }
    }
}

/// What became of bytes for the dump file.
enum Dumped {
    Written,
    /// The file cannot be opened: the command is over, with this status.
    Failed(i32),
    /// The pipe it writes to has no reader: the command gets SIGPIPE, as the real one would.
    Broken,
}

fn dump_data(dump: Option<&mut Dump>, data: &[u8]) -> Dumped {
    let Some(d) = dump else {
        return Dumped::Written;
    };
    if d.broken {
        return Dumped::Written;
    }
    let f = match &mut d.file {
        Some(f) => f,
        None => match crate::tcpdump::offline::create(&d.path) {
            Ok(f) => d.file.insert(f),
            Err(e) => {
                eprintln!("tcpdump: {e}");
                return Dumped::Failed(1);
            }
        },
    };
    // Written as it comes (the lab keeps tcpdump's stdio buffer): the file is whole when the
    // command ends.
    match f.write_all(data).and_then(|()| f.flush()) {
        Ok(()) => Dumped::Written,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            d.broken = true;
            Dumped::Broken
        }
        // libpcap does not check its writes to a dump file either.
        Err(_) => Dumped::Written,
    }
}

/// Tells the lab that this process runs a command on its own ([`Request::Offline`]); returns
/// the namespace's interfaces by index, and the connection to hold while the command runs.
fn offline(
    sock: &str,
    netns: Option<String>,
) -> std::io::Result<(HashMap<u32, String>, UnixStream)> {
    let mut stream = UnixStream::connect(sock)?;
    let pid = std::process::id();
    write_msg(&mut stream, &Request::Offline { netns, pid })?;
    let mut names = HashMap::new();
    if let Some(Response::Out(text)) = read_response(&mut stream)? {
        for line in text.lines() {
            if let Some((i, name)) = line.split_once(' ') {
                if let Ok(i) = i.parse() {
                    names.insert(i, name.to_string());
                }
            }
        }
    }
    Ok((names, stream))
}

fn request(
    sock: &str,
    tool: &str,
    argv: Vec<String>,
    netns: Option<String>,
    mut dump: Option<&mut Dump>,
) -> std::io::Result<i32> {
    let mut stream = UnixStream::connect(sock)?;
    let files = if tool == "sysctl" {
        crate::sysctl::files_to_load(&argv)
            .into_iter()
            .map(read_text)
            .collect()
    } else if tool == "arp" || tool == "route" {
        vec![resolv_conf()]
    } else {
        Vec::new()
    };
    write_msg(
        &mut stream,
        &Request::Run {
            tool: tool.to_string(),
            argv,
            netns,
            pid: std::process::id(),
            files,
            interactive: in_foreground(),
        },
    )?;
    // Signals go to the lab, which ends the command the way the real tool ends. Each wakes
    // this thread through a socket of its own, so no second thread has to be started: most
    // commands are answered before a signal could come.
    let mut wakers = Vec::with_capacity(SIGNALS.len());
    let mut ids = Vec::with_capacity(SIGNALS.len());
    for sig in SIGNALS {
        let (rx, tx) = UnixStream::pair()?;
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        ids.push(signal_hook::low_level::pipe::register(sig, tx)?);
        wakers.push((sig, rx));
    }
    // The lab often sends a command's output and its status in one write: read them in one.
    let mut input = std::io::BufReader::new(stream.try_clone()?);
    let code = loop {
        // Wait for the lab or a signal, unless a message is already read in.
        if input.buffer().is_empty() {
            let mut fds: Vec<PollFd> = std::iter::once(&stream)
                .chain(wakers.iter().map(|(_, rx)| rx))
                .map(|s| PollFd::new(s, PollFlags::IN))
                .collect();
            match rustix::event::poll(&mut fds, None) {
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
            let ready: Vec<bool> = fds.iter().map(|f| !f.revents().is_empty()).collect();
            drop(fds);
            for ((sig, rx), _) in wakers.iter().zip(&ready[1..]).filter(|(_, r)| **r) {
                let mut buf = [0u8; 64];
                while matches!((&*rx).read(&mut buf), Ok(n) if n > 0) {}
                write_msg(&mut stream, &Request::Signal(*sig))?;
            }
            if !ready[0] {
                continue;
            }
        }
        match read_response(&mut input)? {
            Some(Response::Out(s)) => {
                let mut o = std::io::stdout().lock();
                if o.write_all(s.as_bytes()).and_then(|_| o.flush()).is_err() {
                    // A closed pipe (`| head`): the real tools die of SIGPIPE here.
                    break 141;
                }
            }
            Some(Response::Err(s)) => {
                let mut e = std::io::stderr().lock();
                let _ = e.write_all(s.as_bytes());
                let _ = e.flush();
            }
            Some(Response::Data(d)) => match dump_data(dump.as_deref_mut(), &d) {
                Dumped::Written => {}
                Dumped::Failed(code) => break code,
                Dumped::Broken => write_msg(&mut stream, &Request::Signal(libc::SIGPIPE))?,
            },
            Some(Response::Exit(c)) => break c,
            Some(Response::Killed(sig)) => {
                for id in ids.drain(..) {
                    signal_hook::low_level::unregister(id);
                }
                // Die of the signal itself, so the shell reports it as it would the real tool.
                let _ = signal_hook::low_level::emulate_default_handler(sig);
                break 128 + sig;
            }
            None => break 1,
        }
    };
    for id in ids {
        signal_hook::low_level::unregister(id);
    }
    Ok(code)
}
