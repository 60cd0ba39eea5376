//! Which lab namespace each process of the script is in. On Linux a network namespace is a
//! property of the process, inherited at fork and kept across exec; so here: the lab records
//! the process that entered a namespace (`ip netns exec`, `unshare -n`, `nsenter`), and a
//! process is in the namespace of its nearest recorded ancestor. Where that chain is broken (a
//! daemon re-parented to init), the namespace the process was started in, which the entering
//! command left in its environment, decides.
//!
//! Processes are named by their pid as the lab sees them (the host's); the script sees the
//! pids of its own PID namespace, and [`Members::host_pid`] translates.

use std::collections::HashMap;
use std::fs;

use l2lab_sim::{Lab, NsId};

use crate::proto::NETNS_ENV;

/// The records, keyed by host pid, each with the process's start time so that a pid used
/// again by another process is not taken for the recorded one.
#[derive(Debug, Default)]
pub struct Members {
    recs: HashMap<i32, (u64, NsId)>,
    /// The script's root process (the sandbox's first), host pid, once it runs.
    root: crate::server::Root,
}

/// Parent pid and start time of a process, from /proc/PID/stat.
fn stat(pid: i32) -> Option<(i32, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields after the command: state(3) ppid(4) ... starttime(22).
    let ppid = f.get(1)?.parse().ok()?;
    let start = f.get(19)?.parse().ok()?;
    Some((ppid, start))
}

/// The value of the namespace variable a process was started with.
fn env_netns(pid: i32) -> Option<String> {
    let env = fs::read(format!("/proc/{pid}/environ")).ok()?;
    let key = format!("{NETNS_ENV}=");
    env.split(|b| *b == 0)
        .find_map(|kv| kv.strip_prefix(key.as_bytes()))
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

impl Members {
    /// Records for the script under `root`.
    pub fn new(root: crate::server::Root) -> Members {
        Members {
            recs: HashMap::new(),
            root,
        }
    }

    /// Records that `pid` entered `ns`: it and what it starts are in `ns` from now on.
    pub fn enter(&mut self, pid: i32, ns: NsId) {
        if let Some((_, start)) = stat(pid) {
            self.recs.insert(pid, (start, ns));
        }
    }

    /// The namespace `pid` entered itself or inherited from an ancestor, if any did.
    fn recorded(&self, pid: i32) -> Option<NsId> {
        // Nothing entered a namespace: no ancestor to look for, and no /proc to read.
        if self.recs.is_empty() {
            return None;
        }
        let mut p = pid;
        for _ in 0..256 {
            let (ppid, start) = stat(p)?;
            if let Some((s, ns)) = self.recs.get(&p) {
                if *s == start {
                    return Some(*ns);
                }
            }
            if p == self.root.get() || ppid <= 1 {
                return None;
            }
            p = ppid;
        }
        None
    }

    /// The namespace process `pid` is in; `env` is the value of its namespace variable when
    /// the caller knows it (a client sends its own).
    pub fn ns_of(&self, lab: &Lab, pid: i32, env: Option<&str>) -> Option<NsId> {
        if let Some(ns) = self.recorded(pid) {
            return lab.ns(ns).is_some().then_some(ns);
        }
        let env = match env {
            Some(e) => Some(e.to_string()),
            None => env_netns(pid),
        };
        match env.as_deref() {
            None | Some("") => Some(NsId::INIT),
            Some(v) => by_env(lab, v),
        }
    }

    /// The host pid of the script's process `inner` (a pid of the lab's PID namespace).
    pub fn host_pid(&self, inner: i32) -> Option<i32> {
        self.script_pids()
            .into_iter()
            .find(|(_, i)| *i == inner)
            .map(|(h, _)| h)
    }

    /// Every process of the script: (host pid, pid inside), inside pids ascending.
    pub fn script_pids(&self) -> Vec<(i32, i32)> {
        let root = self.root.get();
        // The root stays outside the script's PID namespace: it is the lab's, not the script's.
        let mut v: Vec<(i32, i32)> = crate::quiet::tree(root)
            .into_iter()
            .filter(|h| *h != root)
            .filter_map(|h| inner_pid(h).map(|i| (h, i)))
            .collect();
        v.sort_by_key(|(_, i)| *i);
        v
    }

    /// Does any process of the script live in `ns`?
    pub fn any_in(&self, lab: &Lab, ns: NsId) -> bool {
        // Cheap first: a recorded process that still runs.
        if self
            .recs
            .iter()
            .any(|(p, (s, n))| *n == ns && stat(*p).is_some_and(|(_, st)| st == *s))
        {
            return true;
        }
        self.script_pids()
            .into_iter()
            .any(|(h, _)| self.ns_of(lab, h, None) == Some(ns))
    }

    /// Forgets records of processes that are gone.
    pub fn prune(&mut self) {
        self.recs
            .retain(|p, (s, _)| stat(*p).is_some_and(|(_, st)| st == *s));
    }
}

/// The pid of host process `host` in the innermost PID namespace it is in (NSpid's last).
fn inner_pid(host: i32) -> Option<i32> {
    let status = fs::read_to_string(format!("/proc/{host}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("NSpid:"))?;
    line.split_whitespace().last()?.parse().ok()
}

/// A namespace named in the environment: its name, or `#INODE` for one without a name.
pub fn by_env(lab: &Lab, v: &str) -> Option<NsId> {
    match v.strip_prefix('#') {
        Some(ino) => {
            let ino: u32 = ino.parse().ok()?;
            lab.netns_by_inode(ino)
        }
        None => lab.netns(v).ok(),
    }
}

/// How a namespace is named in the environment of a process that enters it.
pub fn env_value(lab: &Lab, ns: NsId) -> String {
    match lab.ns(ns) {
        Some(n) if n.named => n.name.clone(),
        _ if ns == NsId::INIT => String::new(),
        _ => format!("#{}", lab.netns_inode(ns).unwrap_or(0)),
    }
}

/// A process's command line, its arguments joined by spaces (as lsns and ps show it).
pub fn command_line(pid: i32) -> String {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    raw.split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
