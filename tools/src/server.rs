//! The lab process: one task owns the [`Lab`] and every running command; connection tasks
//! carry requests in and output out. In real time it sleeps until the lab's next timer.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use l2lab_sim::Lab;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;

use crate::cmd::{self, Env, Output, Session, Started};
use crate::proto::{encode_response, Request, Response, MAX_MESSAGE};

/// Where a command's output goes: its connection's queue, and how many bytes of output in it
/// are not yet written to the client's socket.
#[derive(Clone)]
struct Reply {
    tx: mpsc::UnboundedSender<Response>,
    queued: Rc<Cell<usize>>,
}

impl Reply {
    fn send(&self, resp: Response) -> Result<(), mpsc::error::SendError<Response>> {
        self.queued.set(self.queued.get() + resp.payload_len());
        self.tx.send(resp)
    }
}

enum Msg {
    Run {
        conn: u64,
        req: Request,
        tx: Reply,
    },
    Signal {
        conn: u64,
        sig: i32,
    },
    Gone {
        conn: u64,
    },
    /// A frame the kernel sent on a TAP device.
    Tap {
        link: l2lab_fabric::LinkId,
        frame: bytes::Bytes,
    },
}

/// Starts reading the TAP devices added since the last call; frames come to the lab as
/// [`Msg::Tap`]. Frames the lab sends out of TAP ports are handed to their devices.
fn service_taps(lab: &mut Lab, to_lab: &mpsc::UnboundedSender<Msg>) {
    for (link, dev) in lab.take_new_taps() {
        let tx = to_lab.clone();
        tokio::task::spawn_local(async move {
            let mut buf = vec![0u8; 65536];
            loop {
                match read_tap(&dev, &mut buf).await {
                    Ok(n) => {
                        let frame = bytes::Bytes::copy_from_slice(&buf[..n]);
                        if tx.send(Msg::Tap { link, frame }).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
    }
    lab.tap_flush();
}

#[cfg(feature = "tap")]
async fn read_tap(dev: &l2lab_sim::tap::TapDevice, buf: &mut [u8]) -> std::io::Result<usize> {
    dev.recv(buf).await
}

#[cfg(not(feature = "tap"))]
async fn read_tap(_dev: &l2lab_sim::tap::TapDevice, _buf: &mut [u8]) -> std::io::Result<usize> {
    std::future::pending().await
}

struct Running {
    session: Box<dyn Session>,
    tx: Reply,
    /// The client's process id on the host.
    pid: i32,
}

async fn read_frame(r: &mut (impl AsyncReadExt + Unpin)) -> Option<Request> {
    let len = r.read_u32().await.ok()? as usize;
    if len > MAX_MESSAGE {
        return None;
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

async fn connection(conn: u64, stream: UnixStream, to_lab: mpsc::UnboundedSender<Msg>) {
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Response>();
    let tx = Reply {
        tx,
        queued: Rc::new(Cell::new(0)),
    };
    let queued = tx.queued.clone();
    tokio::task::spawn_local(async move {
        while let Some(resp) = rx.recv().await {
            // What is queued goes in one write, so the client wakes once for a command's
            // output and its exit status.
            let mut bytes = Vec::new();
            let mut payload = 0;
            let mut next = Some(resp);
            let mut last = false;
            while let Some(resp) = next.take() {
                last = matches!(resp, Response::Exit(_) | Response::Killed(_));
                payload += resp.payload_len();
                if encode_response(&resp, &mut bytes).is_err() {
                    break;
                }
                if !last {
                    next = rx.try_recv().ok();
                }
            }
            let written = wr.write_all(&bytes).await;
            queued.set(queued.get().saturating_sub(payload));
            if written.is_err() || last {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    let Some(req) = read_frame(&mut rd).await else {
        return;
    };
    if to_lab.send(Msg::Run { conn, req, tx }).is_err() {
        return;
    }
    loop {
        match read_frame(&mut rd).await {
            Some(Request::Signal(sig)) => {
                if to_lab.send(Msg::Signal { conn, sig }).is_err() {
                    return;
                }
            }
            Some(Request::Run { .. } | Request::Offline { .. }) => {}
            None => {
                let _ = to_lab.send(Msg::Gone { conn });
                return;
            }
        }
    }
}

fn exit(tx: &Reply, code: i32) {
    let _ = tx.send(if code < 0 {
        Response::Killed(-code)
    } else {
        Response::Exit(code)
    });
}

fn flush(tx: &Reply, out: &mut Output) {
    // The file's bytes first: a file that cannot be opened must end the command before the
    // messages that follow the opening on stderr.
    if !out.data.is_empty() || std::mem::take(&mut out.data_open) {
        let _ = tx.send(Response::Data(std::mem::take(&mut out.data)));
    }
    if !out.stdout.is_empty() {
        let _ = tx.send(Response::Out(std::mem::take(&mut out.stdout)));
    }
    if !out.stderr.is_empty() {
        let _ = tx.send(Response::Err(std::mem::take(&mut out.stderr)));
    }
}

/// Which processes the lab serves, for virtual time: the script's pid once it runs.
pub type Root = Rc<Cell<i32>>;

/// Who watches the lab's events: the trace file and the narration on stderr.
#[derive(Default)]
pub struct Observers {
    /// `--trace FILE.jsonl`.
    pub trace: Option<std::io::BufWriter<std::fs::File>>,
    /// `--explain`.
    pub explain: bool,
}

impl Observers {
    /// Whether the lab must record events at all.
    pub fn any(&self) -> bool {
        self.trace.is_some() || self.explain
    }

    /// Writes the trace header.
    pub fn start(&mut self, lab: &Lab) {
        use std::io::Write;
        if let Some(w) = &mut self.trace {
            let _ = writeln!(w, "{}", l2lab_sim::trace::header(lab));
        }
    }

    /// Hands the lab's new events to the trace and the narration.
    pub fn observe(&mut self, lab: &mut Lab) {
        use std::io::Write;
        if !self.any() {
            return;
        }
        let events = lab.drain_events();
        if events.is_empty() {
            return;
        }
        let stderr = std::io::stderr();
        let mut err = stderr.lock();
        for ev in &events {
            if let Some(w) = &mut self.trace {
                let _ = writeln!(w, "{}", l2lab_sim::trace::event(lab, ev));
            }
            if self.explain {
                if let Some(s) = l2lab_sim::narrate::sentence(lab, ev) {
                    let _ = writeln!(err, "{s}");
                }
            }
        }
        if let Some(w) = &mut self.trace {
            let _ = w.flush();
        }
    }
}

/// Serves the lab on `listener` until the future is dropped. On the virtual clock, time
/// jumps to the next timer whenever every process under `root` is asleep.
pub async fn serve(listener: UnixListener, mut lab: Lab, root: Root, mut obs: Observers) {
    lab.set_recording(obs.any());
    obs.start(&lab);
    obs.observe(&mut lab);
    let (to_lab, mut from_conns) = mpsc::unbounded_channel::<Msg>();
    let accept_tx = to_lab.clone();
    tokio::task::spawn_local(async move {
        let mut next = 0u64;
        while let Ok((stream, _)) = listener.accept().await {
            next += 1;
            tokio::task::spawn_local(connection(next, stream, accept_tx.clone()));
        }
    });
    let mut running: HashMap<u64, Running> = HashMap::new();
    let mut state = State {
        requests: 0,
        deferred: Vec::new(),
    };
    if lab.clock().is_virtual() {
        return serve_virtual(
            &mut lab,
            &mut running,
            &mut from_conns,
            &root,
            &mut state,
            &mut obs,
        )
        .await;
    }
    loop {
        let deadline = lab.next_deadline();
        let clock = lab.clock().clone();
        tokio::select! {
            msg = from_conns.recv() => {
                let Some(msg) = msg else { return };
                handle(&mut lab, &mut running, msg, &mut state);
            }
            _ = clock.sleep_until(deadline.unwrap_or_default()), if deadline.is_some() => {
                lab.run_due();
            }
        }
        obs.observe(&mut lab);
        poll_all(&mut lab, &mut running);
        obs.observe(&mut lab);
        service_taps(&mut lab, &to_lab);
    }
}

/// What the server keeps beside the running commands.
struct State {
    /// Requests so far: ids that must not depend on the host come from this (virtual time).
    requests: u32,
    /// In virtual time, the last words of commands a signal ended (`kill %1` on a background
    /// tcpdump), held until the script is waiting: a real tool takes a moment to react to a
    /// signal, long enough for the shell to run its next `echo`.
    deferred: Vec<Deferred>,
}

struct Deferred {
    pid: i32,
    tx: Reply,
    out: Output,
    code: i32,
}

/// How long the script must look asleep, twice over, before the clock jumps: long enough for
/// a process that was just woken (a reply on its socket, a child exiting) to be seen running.
const SETTLE: Duration = Duration::from_micros(300);

async fn serve_virtual(
    lab: &mut Lab,
    running: &mut HashMap<u64, Running>,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    root: &Root,
    state: &mut State,
    obs: &mut Observers,
) {
    loop {
        while let Ok(msg) = rx.try_recv() {
            handle(lab, running, msg, state);
            obs.observe(lab);
        }
        poll_all(lab, running);
        obs.observe(lab);
        let next = running
            .values()
            .filter_map(|r| r.session.wake_at())
            .chain(lab.next_deadline())
            .min();
        let next = match next {
            Some(t) => Some(t),
            None if !state.deferred.is_empty() => Some(Duration::MAX),
            None => None,
        };
        let Some(next) = next else {
            // Nothing will happen by itself: wait for the script.
            match rx.recv().await {
                Some(msg) => handle(lab, running, msg, state),
                None => return,
            }
            poll_all(lab, running);
            continue;
        };
        let mut quiet = true;
        let exe = std::env::current_exe().unwrap_or_default();
        let mut before = None;
        for _ in 0..2 {
            // Biased: a message that came in while the script looked asleep wins over the
            // settle timer that ends at the same moment.
            tokio::select! {
                biased;
                msg = rx.recv() => {
                    match msg {
                        Some(msg) => handle(lab, running, msg, state),
                        None => return,
                    }
                    quiet = false;
                    break;
                }
                _ = tokio::time::sleep(SETTLE) => {}
            }
            // The wake-up that ended the sleep may have woken connection tasks too (a
            // request, a signal, a closed socket): let them hand their news over first.
            tokio::task::yield_now().await;
            if let Ok(msg) = rx.try_recv() {
                handle(lab, running, msg, state);
                quiet = false;
                break;
            }
            let pid = root.get();
            if pid <= 0 {
                continue;
            }
            let pids: Vec<i32> = running
                .values()
                .map(|r| r.pid)
                .chain(state.deferred.iter().map(|d| d.pid))
                .collect();
            let now = crate::quiet::asleep(pid, &exe, &|p| pids.contains(&p));
            if now.is_none() || (before.is_some() && before != now) {
                quiet = false;
                break;
            }
            before = now;
        }
        if quiet && !state.deferred.is_empty() {
            for mut d in std::mem::take(&mut state.deferred) {
                flush(&d.tx, &mut d.out);
                exit(&d.tx, d.code);
            }
        } else if quiet && next < Duration::MAX {
            // L2LAB_DEBUG_CLOCK=1 shows each jump and the process tree that allowed it.
            if std::env::var_os("L2LAB_DEBUG_CLOCK").is_some() {
                let pid = root.get();
                let procs: Vec<String> = crate::quiet::tree(pid)
                    .into_iter()
                    .map(|p| {
                        let stat =
                            std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
                        let short: String = stat.chars().take(40).collect();
                        let wchan =
                            std::fs::read_to_string(format!("/proc/{p}/wchan")).unwrap_or_default();
                        let kids = std::fs::read_to_string(format!("/proc/{p}/task/{p}/children"))
                            .unwrap_or_default();
                        format!("[{short} wchan={wchan} kids={kids}]")
                    })
                    .collect();
                eprintln!(
                    "clock {:?} -> {:?} sessions {} {}",
                    lab.now(),
                    next,
                    running.len(),
                    procs.join(" ")
                );
            }
            let _ = lab.advance_to(next);
            obs.observe(lab);
        } else if quiet {
            // Only `sleep infinity`-like waits are left: wait for the script.
            match rx.recv().await {
                Some(msg) => handle(lab, running, msg, state),
                None => return,
            }
        }
    }
}

fn handle(lab: &mut Lab, running: &mut HashMap<u64, Running>, msg: Msg, state: &mut State) {
    match msg {
        Msg::Run {
            conn,
            req: Request::Offline { netns, pid },
            tx,
        } => {
            // Counted as a request: ids stay what they were when the lab ran `tcpdump -r`.
            state.requests += 1;
            let mut out = Output::default();
            ifnames(lab, netns, &mut out);
            let _ = tx.send(Response::Out(out.stdout));
            running.insert(
                conn,
                Running {
                    session: Box::new(Offline),
                    tx,
                    pid: pid as i32,
                },
            );
        }
        Msg::Run { conn, req, tx } => {
            let Request::Run {
                tool,
                argv,
                netns,
                pid,
                files,
            } = req
            else {
                return;
            };
            let mut out = Output::default();
            let ns_name = netns.unwrap_or_default();
            let ns = match lab.netns(&ns_name) {
                Ok(ns) => ns,
                Err(_) => {
                    out.err(format!(
                        "{tool}: network namespace \"{ns_name}\" no longer exists\n"
                    ));
                    flush(&tx, &mut out);
                    let _ = tx.send(Response::Exit(1));
                    return;
                }
            };
            state.requests += 1;
            let host_pid = pid as i32;
            // In virtual time a run must not depend on the host: ids come from the request
            // count, not the process id.
            let pid = if lab.clock().is_virtual() {
                1000 + state.requests
            } else {
                pid
            };
            let env = Env { ns, ns_name, pid };
            match cmd::start(&tool, &argv, &files, &env, lab, &mut out) {
                Started::Done(code) => {
                    flush(&tx, &mut out);
                    exit(&tx, code);
                }
                Started::Running(session) => {
                    flush(&tx, &mut out);
                    running.insert(
                        conn,
                        Running {
                            session,
                            tx,
                            pid: host_pid,
                        },
                    );
                }
            }
        }
        Msg::Signal { conn, sig } => {
            if let Some(r) = running.get_mut(&conn) {
                let mut out = Output::default();
                let done = r.session.signal(lab, sig, &mut out);
                match done {
                    Some(code) if lab.clock().is_virtual() => {
                        if let Some(r) = running.remove(&conn) {
                            state.deferred.push(Deferred {
                                pid: r.pid,
                                tx: r.tx,
                                out,
                                code,
                            });
                        }
                    }
                    Some(code) => {
                        flush(&r.tx, &mut out);
                        exit(&r.tx, code);
                        running.remove(&conn);
                    }
                    None => flush(&r.tx, &mut out),
                }
            }
        }
        Msg::Tap { link, frame } => lab.tap_receive(link, frame),
        Msg::Gone { conn } => {
            // The client died without a word (SIGKILL): end its command quietly.
            if let Some(mut r) = running.remove(&conn) {
                let mut out = Output::default();
                let _ = r.session.signal(lab, libc::SIGKILL, &mut out);
            }
        }
    }
}

fn poll_all(lab: &mut Lab, running: &mut HashMap<u64, Running>) {
    let mut done = Vec::new();
    let mut ids: Vec<u64> = running.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        let Some(r) = running.get_mut(&id) else {
            continue;
        };
        let mut out = Output {
            backlog: r.tx.queued.get(),
            ..Output::default()
        };
        let status = r.session.poll(lab, &mut out);
        flush(&r.tx, &mut out);
        if let Some(code) = status {
            exit(&r.tx, code);
            done.push(id);
        }
    }
    for id in done {
        running.remove(&id);
    }
}

/// The interfaces of namespace `netns`, one `INDEX NAME` line each (none if it is gone).
fn ifnames(lab: &Lab, netns: Option<String>, out: &mut Output) {
    let Ok(ns) = lab.netns(netns.as_deref().unwrap_or_default()) else {
        return;
    };
    for id in lab.links(ns) {
        if let Some(i) = lab.iface(id) {
            out.out(format!("{} {}\n", i.ifindex, i.name));
        }
    }
}

/// A command running in its own process ([`Request::Offline`]): nothing to do here but be
/// known until it hangs up.
struct Offline;

impl Session for Offline {
    fn poll(&mut self, _lab: &mut Lab, _out: &mut Output) -> Option<i32> {
        None
    }

    fn signal(&mut self, _lab: &mut Lab, sig: i32, _out: &mut Output) -> Option<i32> {
        Some(cmd::killed_by(sig))
    }
}
