//! Running a tutorial command inside the lab process: each tool parses its own grammar, acts
//! on the lab and prints like the real tool. A command is a [`Session`]: most finish on their
//! first poll; `ping` and `tcpdump` live on, polled whenever the lab has moved, until they
//! finish or a signal ends them.

pub mod inet;

use l2lab_sim::{Lab, NsId};

/// What a command has written since it was last polled.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Bytes for the file the client writes (`tcpdump -w`): it opens that file itself.
    pub data: Vec<u8>,
    /// Whether the client must open that file now, bytes or not.
    pub data_open: bool,
    /// Set by the server before a poll: output handed to this client earlier and not yet
    /// written to its socket. A client that does not read must not make the lab hoard.
    pub backlog: usize,
}

impl Output {
    /// Appends to standard output.
    pub fn out(&mut self, s: impl AsRef<str>) {
        self.stdout.push_str(s.as_ref());
    }

    /// Appends to standard error.
    pub fn err(&mut self, s: impl AsRef<str>) {
        self.stderr.push_str(s.as_ref());
    }
}

/// Where a command runs. Not its working directory: the lab opens no file a client names.
#[derive(Debug, Clone)]
pub struct Env {
    /// The namespace it is in.
    pub ns: NsId,
    /// The namespace's name (empty for the initial one).
    pub ns_name: String,
    /// The client's process id.
    pub pid: u32,
    /// It runs in the foreground of a terminal, which its output goes to.
    pub tty: bool,
}

/// A command still running.
pub trait Session {
    /// Called whenever the lab may have changed (time moved, frames flowed): writes what is
    /// new; returns the exit status once the command is over.
    fn poll(&mut self, lab: &mut Lab, out: &mut Output) -> Option<i32>;

    /// The command got a signal; returns the exit status if that ends it (a status of
    /// [`killed_by`]`(sig)` means it died of the signal, as a process without a handler does).
    fn signal(&mut self, lab: &mut Lab, sig: i32, out: &mut Output) -> Option<i32>;

    /// In virtual time: the lab time this command waits for by itself, beyond the lab's own
    /// timers (`sleep`'s end).
    fn wake_at(&self) -> Option<std::time::Duration> {
        None
    }

    /// Only a signal ends it (`ping` without -c or -w, a live `tcpdump` without -c, a
    /// monitor).
    fn endless(&self) -> bool {
        false
    }
}

/// The status meaning "died of signal `sig`".
pub fn killed_by(sig: i32) -> i32 {
    -sig
}

/// A command that prints what a lab watcher gathered until a signal ends it (`bridge
/// monitor`, `ip monitor`): like the real tools it has no handler, so it dies of the signal
/// once what came before it is out.
pub struct Watch {
    /// Takes and formats what is new.
    pub take: Box<dyn FnMut(&mut Lab) -> String>,
    /// Stops the watcher.
    pub stop: Box<dyn FnMut(&mut Lab)>,
}

impl Watch {
    fn print(&mut self, lab: &mut Lab, out: &mut Output) {
        let text = (self.take)(lab);
        if !text.is_empty() {
            out.out(text);
        }
    }
}

impl Session for Watch {
    fn poll(&mut self, lab: &mut Lab, out: &mut Output) -> Option<i32> {
        self.print(lab, out);
        None
    }

    fn signal(&mut self, lab: &mut Lab, sig: i32, out: &mut Output) -> Option<i32> {
        self.print(lab, out);
        (self.stop)(lab);
        Some(killed_by(sig))
    }

    fn endless(&self) -> bool {
        true
    }
}

/// Runs a command that may leave a session behind (`ip monitor`, `bridge monitor`): it
/// is running if `run` left one, else over with the status `run` returned.
pub fn with_session(run: impl FnOnce(&mut Option<Box<dyn Session>>) -> i32) -> Started {
    let mut session = None;
    let code = run(&mut session);
    match session {
        Some(s) => Started::Running(s),
        None => Started::Done(code),
    }
}

/// How starting a command went.
pub enum Started {
    /// It is over, with this status.
    Done(i32),
    /// It runs on.
    Running(Box<dyn Session>),
}

/// Starts `tool` with `argv` in `env`; `files` are those the tool read for it.
pub fn start(
    tool: &str,
    argv: &[String],
    files: &[crate::proto::FileText],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> Started {
    match tool {
        "ip" => crate::ip::start(argv, env, lab, out),
        "bridge" => crate::bridge::start(argv, env, lab, out),
        "brctl" => Started::Done(crate::brctl::main(argv, env, lab, out)),
        "ifconfig" => Started::Done(crate::ifconfig::main(argv, env, lab, out)),
        "arp" => crate::arp::start(argv, files, env, lab, out),
        "sysctl" => Started::Done(crate::sysctl::main(argv, files, env, lab, out)),
        "route" => crate::route::start(argv, files, env, lab, out),
        "iptables" => Started::Done(crate::iptables::main(argv, env, lab, out)),
        "ovs-vsctl" => Started::Done(crate::ovs::vsctl(argv, env, lab, out)),
        "ovs-appctl" => Started::Done(crate::ovs::appctl(argv, env, lab, out)),
        "ovs-ofctl" => Started::Done(crate::ovs::ofctl(argv, env, lab, out)),
        "ping" => crate::ping::start(argv, env, lab, out),
        "tcpdump" => crate::tcpdump::start(argv, env, lab, out),
        "sleep" => crate::sleep::start(argv, lab, out),
        other => {
            out.err(format!("{other}: not supported by this lab\n"));
            Started::Done(127)
        }
    }
}
