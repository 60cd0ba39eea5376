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

/// The text of a /proc file: one open, reads, one close (no size probe first, which a
/// /proc file answers with 0 anyway: the lab reads several per process twice per jump of
/// the clock).
fn read_proc(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = Vec::with_capacity(2048);
    fs::File::open(path)?.read_to_end(&mut text)?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

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
            if let Ok(text) = read_proc(&path) {
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

/// One process seen asleep: each of its threads with its context switches so far, and its
/// children. Two equal snapshots taken apart mean nothing of the tree ran in between.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Proc {
    pid: i32,
    threads: Vec<(i32, u64)>,
    children: Vec<i32>,
}

/// A process in a [`Snapshot`]: read from /proc, or known asleep without a look (see [`Memo`]).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Read(Proc),
    Known(i32),
}

impl Seen {
    fn pid(&self) -> i32 {
        match self {
            Seen::Read(p) => p.pid,
            Seen::Known(pid) => *pid,
        }
    }
}

/// Every process of a tree seen asleep, sorted by pid.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot(Vec<Seen>);

/// What one look at a process found.
enum Look {
    Gone,
    Awake,
    Asleep(Proc),
}

/// Reads process `pid`: its threads' states and its children.
fn look_at(pid: i32) -> Look {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Look::Gone;
    };
    let mut tasks: Vec<_> = tasks.flatten().collect();
    tasks.sort_by_key(|t| t.file_name());
    let mut threads = Vec::with_capacity(tasks.len());
    let mut children = Vec::new();
    for t in tasks {
        let path = t.path();
        if let Ok(text) = read_proc(&path.join("children")) {
            children.extend(
                text.split_whitespace()
                    .filter_map(|c| c.parse::<i32>().ok()),
            );
        }
        let tid = t.file_name().to_string_lossy().parse::<i32>().unwrap_or(0);
        match blocked_thread(&path) {
            Some(switches) => threads.push((tid, switches)),
            None => return Look::Awake,
        }
    }
    Look::Asleep(Proc {
        pid,
        threads,
        children,
    })
}

/// The context switches of thread `tid` of `pid` when it is blocked, `None` when it runs or is
/// about to. A thread is blocked when it sleeps interruptibly (S, I) somewhere the kernel names
/// (`wchan`): a thread that set itself sleeping but has not yet blocked, or that was just
/// woken, reads S with wchan 0. Uninterruptible sleep (D) is the kernel's own work (a page
/// read, a lock) that ends without the lab, so it counts as running. Zombie, dead and stopped
/// threads count as blocked; so does a thread gone while it was read.
fn blocked_thread(task: &std::path::Path) -> Option<u64> {
    let Ok(status) = read_proc(&task.join("status")) else {
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
            let wchan = read_proc(&task.join("wchan")).ok()?;
            let w = wchan.trim();
            if w.is_empty() || w == "0" {
                return None;
            }
            // A wait with a deadline is a wait on the wall clock, which the lab's clock must
            // not jump over: it counts as running, and lab time follows the wall clock.
            let call = read_proc(&task.join("syscall")).unwrap_or_default();
            (!timed_wait(&call)).then_some(switches)
        }
        Some(_) => None,
    }
}

/// Whether /proc/PID/task/TID/syscall shows a wait with a timeout: poll, select, epoll and
/// futex waits given one, sleeps, sigtimedwait.
fn timed_wait(syscall: &str) -> bool {
    let mut f = syscall.split_whitespace();
    let Some(Ok(nr)) = f.next().map(str::parse::<i64>) else {
        return false;
    };
    let args: Vec<u64> = f
        .take(6)
        .filter_map(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).ok())
        .collect();
    let arg = |i: usize| args.get(i).copied().unwrap_or(0);
    // An int timeout: -1 (as any width) is none.
    let int_timeout = |v: u64| v as u32 as i32 >= 0;
    match nr {
        libc::SYS_nanosleep | libc::SYS_clock_nanosleep => true,
        libc::SYS_poll => int_timeout(arg(2)),
        libc::SYS_epoll_wait | libc::SYS_epoll_pwait => int_timeout(arg(3)),
        libc::SYS_epoll_pwait2 | libc::SYS_ppoll => {
            arg(if nr == libc::SYS_ppoll { 2 } else { 3 }) != 0
        }
        libc::SYS_select | libc::SYS_pselect6 => arg(4) != 0,
        libc::SYS_rt_sigtimedwait => arg(2) != 0,
        libc::SYS_futex => {
            // FUTEX_WAIT, FUTEX_WAIT_BITSET, FUTEX_LOCK_PI with a timeout.
            matches!(arg(1) & 0x7f, 0 | 6 | 9) && arg(3) != 0
        }
        _ => false,
    }
}

/// A snapshot of the tree under `root` when every thread of every process is asleep or gone,
/// and every lab client among them (a process running `exe`) is one whose command the lab is
/// running: a client the lab has not heard from yet, or that has its answer but not yet read
/// it, is about to act, however asleep it looks. `None` when some process is not asleep.
#[cfg(test)]
pub fn asleep(root: i32, clients: &Clients, running: &dyn Fn(i32) -> bool) -> Option<Snapshot> {
    Memo::default().look(root, clients, running, &|_| None)
}

/// Something in the tree ran that the lab did not cause: what the memo knows may be stale.
struct Unexplained;

/// What the lab knows between looks, so that a look reads /proc only for the processes that
/// can have run since the last one that found the script asleep.
///
/// A process whose lab command is running, that was seen asleep (blocked on its lab
/// connection) and has one thread and no children can only be woken by the lab sending it
/// something, by a signal, or by the reader of its output: such a lab client runs the lab's
/// own code, which reads nothing but its connection and signals no one. So, once a round of
/// looks found the whole tree asleep, it is taken to be where it was until the lab sends it
/// something, while
/// every other process is read at each look and compared with what that round saw: one that
/// changed (a shell that sent a signal, a reader that took output, a new process) may have
/// woken a client, so then everything is forgotten and read again. A client the lab sent
/// something to is read again too; its changing is explained by what it was sent. Whatever
/// the lab hears from a client ([`Memo::look`]'s `heard`) also makes it forget.
#[derive(Debug, Default)]
pub struct Memo {
    /// Clients seen asleep in the last round that found the tree asleep, with the count of
    /// messages the lab had sent them then.
    known: std::collections::HashMap<i32, (Proc, u64)>,
    /// The other processes as that round saw them.
    last: std::collections::HashMap<i32, Proc>,
    /// The lab's count of messages heard from clients then.
    heard: u64,
}

impl Memo {
    /// Forgets what it knew: the next look reads every process.
    pub fn forget(&mut self) {
        self.known.clear();
        self.last.clear();
    }

    /// A look at the tree under `root` (see [`asleep`]). `sent(pid)` is the count of messages
    /// the lab has sent to `pid`, for a process whose lab command is running, waits on the lab
    /// and has nothing on its way to it, else `None`.
    pub fn look(
        &mut self,
        root: i32,
        clients: &Clients,
        running: &dyn Fn(i32) -> bool,
        sent: &dyn Fn(i32) -> Option<u64>,
    ) -> Option<Snapshot> {
        if !self.known.is_empty() {
            match self.walk(root, clients, running, sent, true) {
                Ok(s) => return s,
                Err(Unexplained) => self.forget(),
            }
        }
        self.walk(root, clients, running, sent, false)
            .unwrap_or(None)
    }

    /// Whether the lab heard from a client since the memo was made; if so, forgets.
    pub fn heard(&mut self, heard: u64) {
        if heard != self.heard {
            self.forget();
            self.heard = heard;
        }
    }

    /// Two looks found `s` both times: what they read becomes what the memo knows.
    pub fn settle(&mut self, s: &Snapshot, sent: &dyn Fn(i32) -> Option<u64>) {
        for seen in &s.0 {
            let Seen::Read(p) = seen else { continue };
            // Only a lone thread with no children: a process that waits on its children or
            // on threads of its own (`timeout`) is woken by them, not only by the lab.
            let lone = p.threads.len() == 1 && p.children.is_empty();
            match sent(p.pid).filter(|_| lone) {
                Some(n) => {
                    self.last.remove(&p.pid);
                    self.known.insert(p.pid, (p.clone(), n));
                }
                None => {
                    self.known.remove(&p.pid);
                    self.last.insert(p.pid, p.clone());
                }
            }
        }
    }

    fn walk(
        &self,
        root: i32,
        clients: &Clients,
        running: &dyn Fn(i32) -> bool,
        sent: &dyn Fn(i32) -> Option<u64>,
        memo: bool,
    ) -> Result<Option<Snapshot>, Unexplained> {
        let mut seen = vec![];
        let mut todo = vec![(root, 0)];
        while let Some((pid, depth)) = todo.pop() {
            let known = self.known.get(&pid).filter(|_| memo);
            if let Some((p, n)) = known {
                if sent(pid) == Some(*n) {
                    todo.extend(p.children.iter().map(|&c| (c, depth + 1)));
                    seen.push(Seen::Known(pid));
                    continue;
                }
            }
            // A known client the lab has sent something to since: its running is its own.
            let explained = known.is_some() && sent(pid).is_some();
            let unexplained = memo && !explained;
            let asleep = if depth > WALLS && clients.runs(pid) && !running(pid) {
                None
            } else {
                match look_at(pid) {
                    // Listed as a child when the tree was last asleep, gone now: it ran.
                    Look::Gone if unexplained => return Err(Unexplained),
                    Look::Gone => continue,
                    Look::Awake => None,
                    Look::Asleep(p) => Some(p),
                }
            };
            let Some(p) = asleep else {
                return if unexplained {
                    Err(Unexplained)
                } else {
                    Ok(None)
                };
            };
            if unexplained && self.last.get(&pid) != Some(&p) {
                return Err(Unexplained);
            }
            todo.extend(p.children.iter().map(|&c| (c, depth + 1)));
            seen.push(Seen::Read(p));
        }
        seen.sort_unstable_by_key(Seen::pid);
        Ok(Some(Snapshot(seen)))
    }
}

/// The files a tutorial command's client runs from: the l2lab binary and the small client
/// beside the lab's socket, by device and inode (inside the lab's walls they also stand at
/// the host tools' paths).
#[derive(Debug, Default, Clone)]
pub struct Clients(Vec<(u64, u64)>);

impl Clients {
    /// The clients that run from `files` (those that exist).
    pub fn of(files: &[&std::path::Path]) -> Clients {
        use std::os::unix::fs::MetadataExt;
        Clients(
            files
                .iter()
                .filter_map(|f| fs::metadata(f).ok())
                .map(|m| (m.dev(), m.ino()))
                .collect(),
        )
    }

    /// Is `pid` running one of them (a tutorial command's client)?
    fn runs(&self, pid: i32) -> bool {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(format!("/proc/{pid}/exe")).is_ok_and(|m| self.0.contains(&(m.dev(), m.ino())))
    }
}

/// A timer finer than tokio's, whose wheel counts whole milliseconds: the lab waits a few
/// hundred microseconds twice before each jump of the clock, and a millisecond each would
/// be most of what a `sleep 0.001` in a script costs. A timerfd, woken through tokio's
/// reactor; tokio's own timer where the kernel gives none.
pub struct FineTimer(Option<tokio::io::unix::AsyncFd<std::os::fd::OwnedFd>>);

impl FineTimer {
    /// A new timer, unarmed (in a tokio runtime, whose reactor wakes it).
    pub fn new() -> FineTimer {
        use std::os::fd::FromRawFd;
        // SAFETY: timerfd_create(2) has no memory arguments.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return FineTimer(None);
        }
        // SAFETY: a descriptor just opened, owned by no one else.
        let owned = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) };
        // SAFETY: the AsyncFd owns the descriptor, which stays open and the same until it
        // is dropped.
        let afd = unsafe {
            tokio::io::unix::AsyncFd::register_with_interest(owned, tokio::io::Interest::READABLE)
        };
        FineTimer(afd.ok())
    }

    /// Waits `d` (cancel-safe: a later call re-arms the timer, which clears what is pending).
    pub async fn sleep(&self, d: std::time::Duration) {
        use std::os::fd::AsRawFd;
        let Some(afd) = &self.0 else {
            return tokio::time::sleep(d).await;
        };
        let fd = afd.get_ref().as_raw_fd();
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: d.as_secs().try_into().unwrap_or(libc::time_t::MAX),
                // A zero value would disarm the timer: a nanosecond instead.
                tv_nsec: i64::from(d.subsec_nanos()).max(i64::from(d.is_zero())),
            },
        };
        // SAFETY: a valid timerfd and itimerspec; the old value is not wanted.
        if unsafe { libc::timerfd_settime(fd, 0, &spec, std::ptr::null_mut()) } != 0 {
            return tokio::time::sleep(d).await;
        }
        loop {
            let Ok(mut guard) = afd.readable().await else {
                return tokio::time::sleep(d).await;
            };
            let mut ticks = [0u8; 8];
            // SAFETY: reads 8 bytes into a live buffer.
            let n = unsafe { libc::read(fd, ticks.as_mut_ptr().cast(), ticks.len()) };
            if n == 8 {
                return;
            }
            guard.clear_ready();
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn the_fine_timer_waits_its_time_and_a_cancelled_wait_leaves_nothing_behind() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let t = FineTimer::new();
            assert!(t.0.is_some());
            let d = std::time::Duration::from_micros(300);
            let start = std::time::Instant::now();
            t.sleep(d).await;
            assert!(start.elapsed() >= d);
            // A wait given up before its end, then one long past its end: the next wait is
            // a whole one, not what the first left pending.
            tokio::select! {
                _ = t.sleep(std::time::Duration::from_secs(3600)) => unreachable!(),
                _ = std::future::ready(()) => {}
            }
            t.sleep(std::time::Duration::ZERO).await;
            let start = std::time::Instant::now();
            t.sleep(d).await;
            assert!(start.elapsed() >= d);
        });
    }

    #[test]
    fn waits_with_a_deadline_are_told_apart() {
        let poll = libc::SYS_poll;
        assert!(timed_wait(&format!(
            "{poll} 0x7ffd 0x1 0x1388 0x0 0x0 0x0 0x7ffc 0x7f"
        )));
        assert!(!timed_wait(&format!(
            "{poll} 0x7ffd 0x1 0xffffffff 0x0 0x0 0x0 0x7ffc 0x7f"
        )));
        assert!(!timed_wait(&format!(
            "{poll} 0x7ffd 0x1 0xffffffffffffffff 0x0 0x0 0x0 0x7ffc 0x7f"
        )));
        let sel = libc::SYS_pselect6;
        assert!(timed_wait(&format!(
            "{sel} 0x1 0x7ffd 0x0 0x0 0x7ffe 0x0 0x7ffc 0x7f"
        )));
        assert!(!timed_wait(&format!(
            "{sel} 0x1 0x7ffd 0x0 0x0 0x0 0x0 0x7ffc 0x7f"
        )));
        let futex = libc::SYS_futex;
        assert!(!timed_wait(&format!(
            "{futex} 0x7f01 0x80 0x2 0x0 0x0 0x0 0x7ffc 0x7f"
        )));
        assert!(timed_wait(&format!(
            "{futex} 0x7f01 0x189 0x0 0x7ffd 0x0 0xffffffff 0x7ffc 0x7f"
        )));
        assert!(timed_wait(&format!(
            "{} 0x7ffd 0x0 0x7ffc 0x7f",
            libc::SYS_nanosleep
        )));
        assert!(!timed_wait(&format!(
            "{} 0x3 0x7ffd 0x0 0x7ffc 0x7f",
            libc::SYS_wait4
        )));
        assert!(!timed_wait("running"));
        assert!(!timed_wait(""));
    }
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    /// Looks until the tree under `pid` is asleep; no clock involved, only the child's
    /// own progress.
    fn wait_asleep(pid: i32) -> Snapshot {
        let exe = std::env::current_exe().unwrap();
        let clients = Clients::of(&[&exe]);
        loop {
            if let Some(s) = asleep(pid, &clients, &|_| false) {
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
            asleep(
                pid,
                &Clients::of(&[&std::env::current_exe().unwrap()]),
                &|_| false
            )
        );
        let me = std::process::id() as i32;
        assert!(tree(me).contains(&me));
        let clients = Clients::of(&[&std::env::current_exe().unwrap()]);
        assert!(asleep(me, &clients, &|_| false).is_none());
        drop(child.stdin.take());
        let _ = child.wait();
    }

    /// Looks with `memo` until the tree under `pid` is asleep twice over, and settles it.
    fn settle_memo(memo: &mut Memo, pid: i32, sent: &dyn Fn(i32) -> Option<u64>) -> Snapshot {
        let clients = Clients::default();
        loop {
            let a = memo.look(pid, &clients, &|_| false, sent);
            let b = memo.look(pid, &clients, &|_| false, sent);
            if let (Some(a), Some(b)) = (a, b) {
                if a == b {
                    memo.settle(&b, sent);
                    return b;
                }
            }
            std::thread::yield_now();
        }
    }

    #[test]
    fn the_memo_skips_an_idle_client_until_it_is_sent_something_or_its_shell_runs() {
        // A shell with a lone `cat` child that stands for a client waiting on the lab; on a
        // line of input the shell kills it.
        let mut child = Command::new("bash")
            .args(["-c", "coproc cat; read a; kill $COPROC_PID; wait; read b"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        let cat = loop {
            if let Some(&c) = tree(pid).iter().find(|&&p| p != pid) {
                break c;
            }
            std::thread::yield_now();
        };
        let known = |s: &Snapshot| s.0.contains(&Seen::Known(cat));
        let mut memo = Memo::default();
        let first = settle_memo(&mut memo, pid, &|p| (p == cat).then_some(0));
        assert!(!known(&first));
        // Nothing ran: the client is not read again.
        let again = memo.look(pid, &Clients::default(), &|_| false, &|p| {
            (p == cat).then_some(0)
        });
        assert!(again.as_ref().is_some_and(known));
        // The lab sent it something: it is read again.
        let sent = memo.look(pid, &Clients::default(), &|_| false, &|p| {
            (p == cat).then_some(1)
        });
        assert!(!sent.as_ref().is_some_and(known));
        // The shell was woken (it kills the client): nothing known is trusted any more.
        writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
        let after = memo.look(pid, &Clients::default(), &|_| false, &|p| {
            (p == cat).then_some(0)
        });
        assert!(!after.as_ref().is_some_and(known));
        assert!(memo.known.is_empty());
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
