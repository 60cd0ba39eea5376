//! Knowing when a script is waiting: in virtual time the lab's clock may only jump ahead when
//! every process of the script is asleep (blocked in a lab command, in `wait`, on a pipe) and
//! nothing is on its way to the lab. The process tree is read from /proc.
//!
//! One look at /proc is not a snapshot: a process read as asleep may be woken, run and fall
//! asleep again before the last one is read. So the caller takes two [`Snapshot`]s some time
//! apart, and the script was asleep all along only if they are equal: the same processes and
//! threads, each asleep both times, each with the same count of context switches (a thread
//! that ran in between has switched at least once).

use std::fs;

/// The descendants of `root`, `root` included (through /proc/PID/task/TID/children).
pub fn tree(root: i32) -> Vec<i32> {
    let mut out: Vec<i32> = tree_depths(root).into_iter().map(|(p, _)| p).collect();
    out.sort_unstable();
    out
}

/// The descendants of `root` with their depth below it (`root` is 0), sorted by pid.
fn tree_depths(root: i32) -> Vec<(i32, u32)> {
    let mut out = vec![];
    let mut todo = vec![(root, 0)];
    while let Some((pid, depth)) = todo.pop() {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        out.push((pid, depth));
        for t in tasks.flatten() {
            let path = t.path().join("children");
            if let Ok(text) = fs::read_to_string(path) {
                todo.extend(
                    text.split_whitespace()
                        .filter_map(|c| c.parse::<i32>().ok())
                        .map(|c| (c, depth + 1)),
                );
            }
        }
    }
    out.sort_unstable();
    out
}

/// How deep below the script's root the lab's own walls go: the sandbox's first process and
/// the init of its PID namespace run the l2lab binary but are no tutorial command.
const WALLS: u32 = 1;

/// Every thread of a tree seen asleep, with its context switches so far: two equal snapshots
/// taken apart mean nothing of the tree ran in between.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot(Vec<(i32, u64)>);

/// The context switches of thread `tid` of `pid` when it is blocked, `None` when it runs or is
/// about to. A thread is blocked when it sleeps interruptibly (S, I) somewhere the kernel names
/// (`wchan`): a thread that set itself sleeping but has not yet blocked, or that was just
/// woken, reads S with wchan 0. Uninterruptible sleep (D) is the kernel's own work (a page
/// read, a lock) that ends without the lab, so it counts as running. Zombie, dead and stopped
/// threads count as blocked; so does a thread gone while it was read.
fn blocked_thread(task: &std::path::Path) -> Option<u64> {
    let Ok(status) = fs::read_to_string(task.join("status")) else {
        return Some(u64::MAX);
    };
    let mut state = None;
    let mut switches = 0u64;
    for line in status.lines() {
        if let Some(v) = line.strip_prefix("State:") {
            state = v.trim_start().bytes().next();
        } else if let Some(v) = line
            .strip_prefix("voluntary_ctxt_switches:")
            .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
        {
            switches += v.trim().parse::<u64>().unwrap_or(0);
        }
    }
    match state {
        None | Some(b'Z' | b'X' | b'T' | b't') => Some(switches),
        Some(b'S' | b'I') => {
            let wchan = fs::read_to_string(task.join("wchan")).ok()?;
            let w = wchan.trim();
            (!w.is_empty() && w != "0").then_some(switches)
        }
        Some(_) => None,
    }
}

/// A snapshot of the tree under `root` when every thread of every process is asleep or gone,
/// and every lab client among them (a process running `exe`) is one whose command the lab is
/// running: a client the lab has not heard from yet, or that has its answer but not yet read
/// it, is about to act, however asleep it looks. `None` when some process is not asleep.
pub fn asleep(root: i32, exe: &std::path::Path, running: &dyn Fn(i32) -> bool) -> Option<Snapshot> {
    let mut seen = vec![];
    for (pid, depth) in tree_depths(root) {
        if depth > WALLS && is_client(pid, exe) && !running(pid) {
            return None;
        }
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        let mut threads: Vec<_> = tasks.flatten().collect();
        threads.sort_by_key(|t| t.file_name());
        for t in threads {
            let tid = t.file_name().to_string_lossy().parse::<i32>().unwrap_or(0);
            seen.push((tid, blocked_thread(&t.path())?));
        }
    }
    Some(Snapshot(seen))
}

/// Is `pid` running the l2lab binary (a tutorial command's client)? Compared by file, not by
/// name: inside the lab's walls the binary also stands at the host tools' paths.
fn is_client(pid: i32, exe: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(format!("/proc/{pid}/exe")), fs::metadata(exe)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    /// Looks until the tree under `pid` is asleep; no clock involved, only the child's
    /// own progress.
    fn wait_asleep(pid: i32) -> Snapshot {
        let exe = std::env::current_exe().unwrap();
        loop {
            if let Some(s) = asleep(pid, &exe, &|_| false) {
                return s;
            }
            std::thread::yield_now();
        }
    }

    #[test]
    fn a_blocked_child_is_asleep_and_we_are_not() {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let a = wait_asleep(pid);
        // Nothing woke it: a second look is the same.
        assert_eq!(
            Some(a),
            asleep(pid, &std::env::current_exe().unwrap(), &|_| false)
        );
        let me = std::process::id() as i32;
        assert!(tree(me).contains(&me));
        assert!(asleep(me, &std::env::current_exe().unwrap(), &|_| false).is_none());
        drop(child.stdin.take());
        let _ = child.wait();
    }

    #[test]
    fn a_process_that_ran_between_looks_is_seen_to_have_run() {
        // A shell reading lines and echoing them back: asleep before and after one line,
        // but it ran in between, and its context switches say so.
        let mut child = Command::new("sh")
            .args(["-c", "while read x; do echo \"$x\"; done"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let mut input = child.stdin.take().unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let before = wait_asleep(pid);
        writeln!(input, "wake").unwrap();
        let mut line = String::new();
        output.read_line(&mut line).unwrap();
        assert_eq!(line, "wake\n");
        let after = wait_asleep(pid);
        assert_ne!(before, after);
        drop(input);
        let _ = child.wait();
    }
}
