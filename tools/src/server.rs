//! The lab process: one task owns the [`Lab`] and every running command; connection tasks
//! carry requests in and output out. In real time it sleeps until the lab's next timer.

use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use l2lab_sim::Lab;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;

use crate::cmd::{self, Env, Output, Session, Started};
use crate::proto::{encode_response, Request, Response, MAX_MESSAGE};

enum Msg {
    Run {
        conn: u64,
        /// The client's process id as the lab sees it (from the socket, not from the client).
        peer: i32,
        req: Request,
        tx: Outbox,
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
    tx: Outbox,
    /// The client's process id on the host.
    pid: i32,
    /// It runs in the foreground of a terminal.
    interactive: bool,
    /// Its client waits on the lab while the command runs (all but [`Offline`] ones, which
    /// read files and pipes of their own).
    waits_on_lab: bool,
}

impl Running {
    /// A person is watching a command only a signal ends (`ping` without -c or -w, on a
    /// terminal): in virtual time lab time then goes at the wall clock's pace, so that a
    /// Ctrl-C after two seconds sees two seconds of it.
    fn watched(&self) -> bool {
        self.interactive && self.session.endless()
    }
}

/// The most request bytes the lab holds at once, over all its connections: MAX_MESSAGE
/// bounds one message, this bounds a thousand clients that each announce one.
pub const MAX_BUFFERED: usize = 2 * MAX_MESSAGE;

/// The request bytes the lab may still take in, shared by the connections.
#[derive(Clone)]
struct Budget(Rc<Cell<usize>>);

impl Budget {
    fn new(bytes: usize) -> Budget {
        Budget(Rc::new(Cell::new(bytes)))
    }

    /// Takes `n` bytes, given back when the lease is dropped; None when they are not there.
    fn take(&self, n: usize) -> Option<Lease> {
        let left = self.0.get().checked_sub(n)?;
        self.0.set(left);
        Some(Lease(self.clone(), n))
    }
}

struct Lease(Budget, usize);

impl Drop for Lease {
    fn drop(&mut self) {
        let b = &self.0 .0;
        b.set(b.get() + self.1);
    }
}

/// The most output bytes the lab holds for clients that have not read them yet, over all
/// connections: a client that stops reading (its stdout a full pipe) must not make the lab
/// grow without bound.
pub const MAX_QUEUED_OUTPUT: usize = 64 << 20;

/// The way to one client: its responses, each output text holding its bytes of the shared
/// [`MAX_QUEUED_OUTPUT`] until it is written.
#[derive(Clone)]
struct Outbox {
    tx: mpsc::UnboundedSender<(Response, Option<Lease>)>,
    room: Budget,
    /// Output bytes dropped for want of room.
    dropped: Rc<Cell<usize>>,
    /// Output bytes queued and not yet written to the client's socket.
    queued: Rc<Cell<usize>>,
    /// Responses sent so far: each may wake the client.
    sent: Rc<Cell<u64>>,
}

impl Outbox {
    /// Queues `r`. Output beyond the room left is dropped, as a kernel drops what a reader
    /// does not take in time; the client hears how much before the command's end.
    fn send(&self, r: Response) -> Result<(), ()> {
        self.sent.set(self.sent.get() + 1);
        let n = match &r {
            Response::Out(_) | Response::Err(_) | Response::Data(_) => r.payload_len(),
            Response::Exit(_) | Response::Killed(_) => {
                let lost = self.dropped.replace(0);
                if lost > 0 {
                    let note = format!(
                        "l2lab: {lost} bytes of output were dropped: they were not read in time\n"
                    );
                    self.tx.send((Response::Err(note), None)).map_err(|_| ())?;
                }
                0
            }
        };
        let lease = match self.room.take(n) {
            Some(l) => Some(l),
            None => {
                self.dropped.set(self.dropped.get() + n);
                return Ok(());
            }
        };
        self.queued.set(self.queued.get() + n);
        self.tx.send((r, lease)).map_err(|_| ())
    }
}

/// Why no request came.
enum NoRequest {
    /// The stream ended or broke, or the message was not one.
    Gone,
    /// Taking the message in would exceed [`MAX_BUFFERED`].
    Full,
}

async fn read_frame(
    r: &mut (impl AsyncReadExt + Unpin),
    budget: &Budget,
) -> Result<Request, NoRequest> {
    let len = r.read_u32().await.map_err(|_| NoRequest::Gone)? as usize;
    if len > MAX_MESSAGE {
        return Err(NoRequest::Gone);
    }
    let _lease = budget.take(len).ok_or(NoRequest::Full)?;
    // Memory follows the bytes that came, not the length announced (beyond a first 64 KiB,
    // which a request fits in one read).
    let mut body = Vec::with_capacity(len.min(64 << 10));
    r.take(len as u64)
        .read_to_end(&mut body)
        .await
        .map_err(|_| NoRequest::Gone)?;
    if body.len() != len {
        return Err(NoRequest::Gone);
    }
    serde_json::from_slice(&body).map_err(|_| NoRequest::Gone)
}

/// One response as the client reads it.
fn encode(r: &Response) -> std::io::Result<Vec<u8>> {
    let mut v = Vec::new();
    encode_response(r, &mut v)?;
    Ok(v)
}

/// What a client is told when the lab cannot take its command; it prints it and exits 1.
async fn refuse(mut stream: UnixStream, why: &str) {
    // The request is read first (closing with it unread would reset the connection and lose
    // the answer), with a small budget and a short wait: this client must not hold the spare
    // descriptor.
    let small = Budget::new(64 << 10);
    let _ = tokio::time::timeout(Duration::from_secs(1), read_frame(&mut stream, &small)).await;
    let mut bytes = encode(&Response::Err(format!("l2lab: {why}\n"))).unwrap_or_default();
    bytes.extend(encode(&Response::Exit(1)).unwrap_or_default());
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
}

async fn connection(
    conn: u64,
    stream: UnixStream,
    to_lab: mpsc::UnboundedSender<Msg>,
    budget: Budget,
    room: Budget,
) {
    // Only the lab's own user may use it: the kernel says who is on the other end.
    // SAFETY: getuid(2) has no preconditions.
    let me = unsafe { libc::getuid() };
    let cred = stream.peer_cred().ok();
    let peer = match cred {
        Some(c) if c.uid() == me => c.pid().unwrap_or(0),
        _ => {
            let (_, mut wr) = stream.into_split();
            let refusal = [
                Response::Err("l2lab: this lab belongs to another user\n".into()),
                Response::Exit(1),
            ];
            for r in refusal {
                if let Ok(b) = encode(&r) {
                    let _ = wr.write_all(&b).await;
                }
            }
            return;
        }
    };
    let (rd, mut wr) = stream.into_split();
    // A request comes whole in one read, not its length and then its body in pieces.
    let mut rd = tokio::io::BufReader::with_capacity(4096, rd);
    let (raw_tx, mut rx) = mpsc::unbounded_channel::<(Response, Option<Lease>)>();
    let tx = Outbox {
        tx: raw_tx,
        room,
        dropped: Rc::default(),
        queued: Rc::default(),
        sent: Rc::default(),
    };
    let queued = tx.queued.clone();
    tokio::task::spawn_local(async move {
        while let Some(first) = rx.recv().await {
            // What is queued goes in one write, so the client wakes once for a command's
            // output and its exit status.
            let mut bytes = Vec::new();
            let mut leases = Vec::new();
            let mut payload = 0;
            let mut next = Some(first);
            let mut last = false;
            while let Some((resp, lease)) = next.take() {
                last = matches!(resp, Response::Exit(_) | Response::Killed(_));
                leases.push(lease);
                payload += resp.payload_len();
                if encode_response(&resp, &mut bytes).is_err() {
                    break;
                }
                if !last {
                    next = rx.try_recv().ok();
                }
            }
            let sent = wr.write_all(&bytes).await;
            drop(leases);
            queued.set(queued.get().saturating_sub(payload));
            if sent.is_err() || last {
                break;
            }
        }
        let _ = wr.shutdown().await;
    });
    let req = match read_frame(&mut rd, &budget).await {
        Ok(req) => req,
        Err(NoRequest::Gone) => return,
        Err(NoRequest::Full) => {
            let _ = tx.send(Response::Err(format!(
                "l2lab: the lab holds {} MiB of other requests already; try again\n",
                MAX_BUFFERED >> 20
            )));
            let _ = tx.send(Response::Exit(1));
            return;
        }
    };
    if to_lab
        .send(Msg::Run {
            conn,
            peer,
            req,
            tx,
        })
        .is_err()
    {
        return;
    }
    loop {
        match read_frame(&mut rd, &budget).await {
            Ok(Request::Signal(sig)) => {
                if to_lab.send(Msg::Signal { conn, sig }).is_err() {
                    return;
                }
            }
            Ok(Request::Run { .. } | Request::Offline { .. }) => {}
            Err(_) => {
                let _ = to_lab.send(Msg::Gone { conn });
                return;
            }
        }
    }
}

/// What hands the lab its clients: the Unix listener, or a stand-in in tests.
trait Accept {
    async fn accept(&mut self) -> std::io::Result<UnixStream>;
}

impl Accept for UnixListener {
    async fn accept(&mut self) -> std::io::Result<UnixStream> {
        UnixListener::accept(self).await.map(|(s, _)| s)
    }
}

/// Whether an accept failed for want of descriptors (the process's or the system's).
fn out_of_descriptors(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
}

/// The longest pause between two tries after accept failed.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_millis(100);

/// Takes clients in until the lab ends. A failed accept ends nothing: its errors are
/// transient (a client gone before it was taken, descriptors or memory short for a
/// moment), so the loop says so once, waits a little longer each time, and goes on. One
/// descriptor is kept spare, so that when the lab is out of them it can still take the
/// next client in and tell it why its command cannot run, instead of leaving it waiting.
async fn accept_loop(mut listener: impl Accept, to_lab: mpsc::UnboundedSender<Msg>) {
    let budget = Budget::new(MAX_BUFFERED);
    let room = Budget::new(MAX_QUEUED_OUTPUT);
    let spare: Rc<Cell<Option<std::fs::File>>> = Rc::new(Cell::new(open_spare()));
    let mut next = 0u64;
    let mut backoff = Duration::ZERO;
    loop {
        match listener.accept().await {
            Ok(stream) => {
                backoff = Duration::ZERO;
                next += 1;
                tokio::task::spawn_local(connection(
                    next,
                    stream,
                    to_lab.clone(),
                    budget.clone(),
                    room.clone(),
                ));
                if to_lab.is_closed() {
                    return;
                }
            }
            Err(e) => {
                if backoff.is_zero() {
                    eprintln!("l2lab: accepting a command failed: {e}; going on");
                }
                if out_of_descriptors(&e) {
                    if let Some(file) = spare.take() {
                        drop(file);
                        let Ok(stream) = listener.accept().await else {
                            spare.set(open_spare());
                            continue;
                        };
                        let spare = spare.clone();
                        tokio::task::spawn_local(async move {
                            refuse(
                                stream,
                                "the lab has no file descriptor left for another command; \
                                 end some of the running ones (tcpdump, ip monitor) first",
                            )
                            .await;
                            spare.set(open_spare());
                        });
                        continue;
                    }
                }
                backoff = (backoff * 2).clamp(Duration::from_millis(1), ACCEPT_BACKOFF_MAX);
                tokio::time::sleep(backoff).await;
            }
        }
    }
}

fn open_spare() -> Option<std::fs::File> {
    std::fs::File::open("/dev/null").ok()
}

/// Raises the soft limit on open descriptors to the hard one: every running tcpdump and
/// monitor holds a connection, and 1,024 is soon reached. Commands the script starts keep
/// the limit they were given: the script was started before the lab first runs.
fn raise_descriptor_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write only the struct they are given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn exit(tx: &Outbox, code: i32) {
    let _ = tx.send(if code < 0 {
        Response::Killed(-code)
    } else {
        Response::Exit(code)
    });
}

fn flush(tx: &Outbox, out: &mut Output) {
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
                    let _ = writeln!(err, "{}", l2lab_sim::narrate::stamped(ev.at, &s));
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
pub async fn serve(
    listener: UnixListener,
    mut lab: Lab,
    root: Root,
    mut obs: Observers,
    names: NetnsDir,
    command_time: CommandTime,
) {
    lab.set_recording(obs.any());
    obs.start(&lab);
    obs.observe(&mut lab);
    let lab_dir = listener
        .local_addr()
        .ok()
        .and_then(|a| a.as_pathname().and_then(|p| p.parent()).map(PathBuf::from));
    // The tutorial commands' clients: this binary, and the small client beside the socket.
    let exe = std::env::current_exe().unwrap_or_default();
    let client = lab_dir.as_ref().map(|d| d.join(crate::lean::NAME));
    let clients = crate::quiet::Clients::of(
        &std::iter::once(exe.as_path())
            .chain(client.as_deref())
            .collect::<Vec<_>>(),
    );
    // The views live beside the lab's socket, in its private directory.
    let views = lab_dir.map(|d| d.join("views")).unwrap_or_else(|| {
        std::env::temp_dir().join(format!("l2lab-views-{}", std::process::id()))
    });
    let (to_lab, mut from_conns) = mpsc::unbounded_channel::<Msg>();
    raise_descriptor_limit();
    tokio::task::spawn_local(accept_loop(listener, to_lab.clone()));
    let mut running: HashMap<u64, Running> = HashMap::new();
    let mut state = State {
        requests: 0,
        deferred: Vec::new(),
        releasing: Vec::new(),
        names,
        members: crate::members::Members::new(root.clone()),
        views: crate::views::Views::new(views),
        heard: 0,
        command_time,
        charged: 0,
        looks: Vec::new(),
    };
    state.names.sync(&lab);
    if lab.clock().is_virtual() {
        return serve_virtual(
            &mut lab,
            &mut running,
            &mut from_conns,
            &root,
            &mut state,
            &mut obs,
            &clients,
        )
        .await;
    }
    loop {
        // A command's own wait (a resolver's timeout) is a deadline too.
        let deadline = running
            .values()
            .filter_map(|r| r.session.wake_at())
            .chain(lab.next_deadline())
            .min();
        let clock = lab.clock().clone();
        // On the real clock a namespace's last process may end while no command comes (the
        // script sleeps with the host's sleep): look every 10 ms while one lives unnamed.
        let unnamed = !lab.anon_netns().is_empty();
        tokio::select! {
            msg = from_conns.recv() => {
                let Some(msg) = msg else { return };
                handle(&mut lab, &mut running, msg, &mut state);
            }
            _ = clock.sleep_until(deadline.unwrap_or_default()), if deadline.is_some() => {
                lab.run_due();
            }
            _ = tokio::time::sleep(Duration::from_millis(10)), if unnamed => {
                crate::nsfiles::reap(&mut state.members, &mut lab);
            }
        }
        // A sysctl written through /proc/sys acts on traffic already running, too.
        state.views.sync(&mut lab);
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
    /// Clients whose deferred last words were sent, until their process is gone, and since
    /// when: the next one speaks only then.
    releasing: Vec<(i32, std::time::Instant)>,
    /// What programs read of /proc and /sys (the preload library's requests).
    views: crate::views::Views,
    /// The directory of namespace names the script sees as /run/netns.
    names: NetnsDir,
    /// Which namespace each of the script's processes is in.
    members: crate::members::Members,
    /// Messages heard from clients so far.
    heard: u64,
    /// How long a command takes on the lab's clock (virtual time).
    command_time: CommandTime,
    /// Commands charged so far: each one's time is drawn from the seed and this count.
    charged: u64,
    /// In virtual time, commands that read the script's processes and look only at the end
    /// of their time ([`Look`]).
    looks: Vec<Look>,
}

/// A command that reads the script's process table (`lsns`, `ip netns pids`, `ip netns
/// identify`) and, in virtual time, reads it at the end of its time on the lab's clock, as a
/// real one does after its exec: by then a pipeline's later commands have been forked (`lsns
/// | sed` counts the sed on a kernel), and the clock only reaches that time once the script
/// is asleep, so what it sees does not depend on how the host scheduled the forks.
struct Look {
    conn: u64,
    until: Duration,
    peer: i32,
    ns: l2lab_sim::NsId,
    tool: String,
    argv: Vec<String>,
}

/// A [`Look`] waiting for its time: it ends only when the look is taken.
struct Hold {
    until: Duration,
}

impl Session for Hold {
    fn poll(&mut self, _lab: &mut Lab, _out: &mut Output) -> Option<i32> {
        None
    }

    fn signal(&mut self, _lab: &mut Lab, sig: i32, _out: &mut Output) -> Option<i32> {
        Some(crate::cmd::killed_by(sig))
    }

    fn wake_at(&self) -> Option<Duration> {
        Some(self.until)
    }
}

/// Whether a request reads the script's process table ([`Look`]).
fn reads_processes(tool: &str, argv: &[String]) -> bool {
    if tool == "lsns" {
        return true;
    }
    let obj = argv.first().map(String::as_str).unwrap_or_default();
    let verb = argv.get(1).map(String::as_str).unwrap_or_default();
    tool == "ip"
        && obj.len() >= 2
        && "netns".starts_with(obj)
        && !verb.is_empty()
        && ("pids".starts_with(verb) || "identify".starts_with(verb))
}

/// Takes the looks whose time has come, in the order they began.
fn take_looks(lab: &mut Lab, running: &mut HashMap<u64, Running>, state: &mut State) {
    let now = lab.now();
    let (due, later): (Vec<Look>, Vec<Look>) = std::mem::take(&mut state.looks)
        .into_iter()
        .partition(|l| l.until <= now);
    state.looks = later;
    let mut due = due;
    due.sort_by_key(|l| l.conn);
    for l in due {
        // A client a signal ended or that died is no longer waiting for its answer.
        let Some(r) = running.remove(&l.conn) else {
            continue;
        };
        let mut out = Output::default();
        let caller = crate::nsfiles::Caller {
            pid: l.peer,
            ns: l.ns,
            names_dir: state.names.dir.as_deref(),
        };
        let code =
            crate::nsfiles::handle(&l.tool, &l.argv, &caller, &mut state.members, lab, &mut out)
                .unwrap_or(1);
        crate::nsfiles::reap(&mut state.members, lab);
        flush(&r.tx, &mut out);
        exit(&r.tx, code);
    }
}

/// How long each tutorial command takes on the lab's clock in virtual time, the least and the
/// most: on a kernel every command takes a few milliseconds (fork, exec, a netlink socket),
/// and the kernel acts meanwhile (a host's first MLD report leaves 2 jiffies after its link
/// comes up, before the next command on the next host has run). A command acts when its
/// request arrives and exits this much later; each one's time is drawn from the lab's seed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommandTime {
    /// The shortest a command takes.
    pub least: Duration,
    /// The longest a command takes.
    pub most: Duration,
}

impl std::fmt::Display for CommandTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(f, "{}-{}", ms(self.least), ms(self.most))
    }
}

impl CommandTime {
    /// Parses `MS` or `LEAST-MOST` in milliseconds (`0` for commands that take no time).
    pub fn parse(s: &str) -> Result<CommandTime, String> {
        let ms = |v: &str| -> Result<Duration, String> {
            let f: f64 = v
                .trim()
                .parse()
                .map_err(|_| format!("invalid command time '{s}': expected MS or LEAST-MOST"))?;
            if !f.is_finite() || !(0.0..=10_000.0).contains(&f) {
                return Err(format!("invalid command time '{s}': from 0 to 10000 ms"));
            }
            Ok(Duration::from_secs_f64(f / 1000.0))
        };
        let (least, most) = match s.split_once('-') {
            Some((a, b)) => (ms(a)?, ms(b)?),
            None => (ms(s)?, ms(s)?),
        };
        if least > most {
            return Err(format!(
                "invalid command time '{s}': the least is above the most"
            ));
        }
        Ok(CommandTime { least, most })
    }
}

impl State {
    /// The time the next command takes: uniform between the least and the most, to the
    /// microsecond, from the seed and the count of commands (splitmix64), so that a run stays
    /// a function of the script and the seed.
    fn next_command_time(&mut self, seed: u64, tool: &str, argv: &[String]) -> Duration {
        let CommandTime {
            mut least,
            mut most,
        } = self.command_time;
        if most.is_zero() {
            return Duration::ZERO;
        }
        if moves_a_device(tool, argv) {
            // Measured on 6.18 (record-kernel): `ip link set veth01 netns ns01` took 24 to 39
            // ms where other commands took 2 to 3: the move waits for RCU grace periods.
            least += NETNS_MOVE.0;
            most += NETNS_MOVE.1;
        }
        self.charged += 1;
        let mut z = (seed ^ 0x636d_6474_696d_6521)
            .wrapping_add(self.charged.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let span = u64::try_from((most - least).as_micros()).unwrap_or(u64::MAX);
        least + Duration::from_micros(z % span.saturating_add(1))
    }
}

/// What moving a device to another namespace adds to a command's time, least and most.
const NETNS_MOVE: (Duration, Duration) = (Duration::from_millis(20), Duration::from_millis(36));

/// Whether a command moves a device to another namespace (`ip link set DEV netns NS`).
fn moves_a_device(tool: &str, argv: &[String]) -> bool {
    tool == "ip"
        && argv.iter().any(|a| a == "set")
        && argv
            .first()
            .is_some_and(|a| "link".starts_with(a.as_str()) && !a.is_empty())
        && argv.iter().any(|a| a == "netns")
}

/// A command that has acted and still takes its time before it exits ([`CommandTime`]).
struct Linger {
    until: Duration,
    code: i32,
}

impl Session for Linger {
    fn poll(&mut self, lab: &mut Lab, _out: &mut Output) -> Option<i32> {
        (lab.now() >= self.until).then_some(self.code)
    }

    fn signal(&mut self, _lab: &mut Lab, sig: i32, _out: &mut Output) -> Option<i32> {
        Some(crate::cmd::killed_by(sig))
    }

    fn wake_at(&self) -> Option<Duration> {
        Some(self.until)
    }
}

/// Ends a command that has acted: at once, or after its time on the lab's clock.
fn finish(
    lab: &Lab,
    running: &mut HashMap<u64, Running>,
    state: &mut State,
    (conn, pid): (u64, i32),
    (tool, argv): (&str, &[String]),
    tx: Outbox,
    code: i32,
) {
    let took = if lab.clock().is_virtual() {
        state.next_command_time(lab.config().seed, tool, argv)
    } else {
        Duration::ZERO
    };
    if took.is_zero() {
        exit(&tx, code);
        return;
    }
    running.insert(
        conn,
        Running {
            session: Box::new(Linger {
                until: lab.now() + took,
                code,
            }),
            tx,
            pid,
            interactive: false,
            waits_on_lab: true,
        },
    );
}

/// The lab's /run/netns: a file for each named namespace, as `ip netns add` leaves one on a
/// host. Files the script made there itself (`touch /var/run/netns/NAME`) are left alone.
#[derive(Debug, Default)]
pub struct NetnsDir {
    dir: Option<PathBuf>,
    seen: Option<u64>,
    made: std::collections::BTreeSet<String>,
}

impl NetnsDir {
    /// Keeps `dir` in step with the lab's namespace names.
    pub fn new(dir: PathBuf) -> NetnsDir {
        NetnsDir {
            dir: Some(dir),
            ..Default::default()
        }
    }

    /// Makes the directory match the lab's names, when they changed: only the names that
    /// changed since the last look are looked at.
    fn sync(&mut self, lab: &Lab) {
        let Some(dir) = &self.dir else { return };
        let seen = self.seen.unwrap_or(0);
        if seen == lab.names_changed() && self.seen.is_some() {
            return;
        }
        self.seen = Some(lab.names_changed());
        for name in lab.names_changed_since(seen) {
            let path = dir.join(name);
            if !lab.is_netns_name(name) {
                if self.made.remove(name) {
                    let _ = std::fs::remove_file(&path);
                }
                continue;
            }
            // A file the script made itself and bound a namespace to stays its own.
            if self.made.contains(name) || path.exists() {
                continue;
            }
            if std::fs::File::create(&path).is_ok() {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444));
                self.made.insert(name.clone());
            }
        }
    }
}

struct Deferred {
    /// The command's connection: commands that began first say their last words first.
    conn: u64,
    pid: i32,
    tx: Outbox,
    out: Output,
    code: i32,
}

/// How long a client told to end may take to be gone before the next deferred one is told
/// anyway (one stopped by a debugger must not hold the lab for ever).
const RELEASE_WAIT: Duration = Duration::from_secs(2);

/// Whether process `pid` still runs (not gone, not a zombie).
fn process_lives(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|st| st != 'Z' && st != 'X'),
        Err(_) => false,
    }
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
    clients: &crate::quiet::Clients,
) {
    // Since when the script has kept running without waiting on the lab, and when lab time
    // last followed the wall clock for it.
    let mut busy: Option<(std::time::Instant, std::time::Instant)> = None;
    let settle = crate::quiet::FineTimer::new();
    let mut last_ran = false;
    // What the last round that found the script asleep saw, so that a look reads again only
    // what can have run since (an idle capture's client costs nothing at a jump).
    let mut memo = crate::quiet::Memo::default();
    loop {
        while let Ok(msg) = rx.try_recv() {
            {
                handle(lab, running, msg, state);
                state.names.sync(lab);
            }
            obs.observe(lab);
        }
        poll_all(lab, running);
        take_looks(lab, running, state);
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
        let mut ran = false;
        let mut before = None;
        for look in 0..2 {
            // The two looks are SETTLE apart. The first comes at once unless the last round
            // saw the script running, which is then given SETTLE to get somewhere (a lab
            // that looked again at once would only spin beside it).
            if look == 1 || last_ran {
                // Biased: a message that came in while the script looked asleep wins over
                // the settle timer that ends at the same moment.
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
                    _ = settle.sleep(SETTLE) => {}
                }
            }
            // The wake-up that ended the sleep may have woken connection tasks too (a
            // request, a signal, a closed socket): let them hand their news over first.
            tokio::task::yield_now().await;
            if let Ok(msg) = rx.try_recv() {
                {
                    handle(lab, running, msg, state);
                }
                quiet = false;
                break;
            }
            let pid = root.get();
            if pid <= 0 {
                continue;
            }
            let pids: std::collections::HashSet<i32> = running
                .values()
                .map(|r| r.pid)
                .chain(state.deferred.iter().map(|d| d.pid))
                .collect();
            // The clients waiting on the lab with nothing on its way to them, and how many
            // responses each was sent (a process may hold several connections).
            let mut sent: HashMap<i32, Option<u64>> = HashMap::new();
            for r in running.values() {
                let n = sent.entry(r.pid).or_insert(Some(0));
                *n = n
                    .filter(|_| r.waits_on_lab && r.tx.queued.get() == 0)
                    .map(|n| n + r.tx.sent.get());
            }
            let sent = |p: i32| sent.get(&p).copied().flatten();
            memo.heard(state.heard);
            let now = memo.look(pid, clients, &|p| pids.contains(&p), &sent);
            if now.is_none() || (before.is_some() && before != now) {
                quiet = false;
                ran = true;
                break;
            }
            if let (Some(a), Some(b)) = (&before, &now) {
                if a == b {
                    memo.settle(b, &sent);
                }
            }
            before = now;
        }
        if quiet && running.values().any(Running::watched) {
            // Asleep, but watched: the clock follows the wall instead of jumping.
            quiet = false;
            ran = true;
        }
        last_ran = ran;
        if quiet {
            busy = None;
        } else if ran {
            follow_the_wall_clock(lab, &mut busy, next);
            obs.observe(lab);
        }
        // Two commands a signal ended at once (`kill %1 %2`) print their last words one
        // after the other, in the order they began: the next is told to end only when the
        // last one's process is gone, so their lines never interleave by chance.
        state
            .releasing
            .retain(|&(p, since)| process_lives(p) && since.elapsed() < RELEASE_WAIT);
        if quiet && !state.releasing.is_empty() {
            tokio::time::sleep(SETTLE).await;
        } else if quiet && !state.deferred.is_empty() {
            state.deferred.sort_by_key(|d| d.conn);
            let mut d = state.deferred.remove(0);
            flush(&d.tx, &mut d.out);
            exit(&d.tx, d.code);
            state.releasing.push((d.pid, std::time::Instant::now()));
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

/// How long the script may keep running without waiting on the lab before lab time follows
/// the wall clock: longer than any step of a script that computes nothing for itself, short
/// enough that a script that does (`while true; do :; done &`) ends when it would on a kernel.
const BUSY_GRACE: Duration = Duration::from_secs(1);

/// In virtual time, while something in the script keeps running, lab time follows the wall
/// clock (never past the next timer), from the moment the script began to run: a `sleep 10`
/// beside a busy loop takes ten seconds, as on a kernel, instead of never ending.
fn follow_the_wall_clock(
    lab: &mut Lab,
    busy: &mut Option<(std::time::Instant, std::time::Instant)>,
    next: Duration,
) {
    let now = std::time::Instant::now();
    let Some((since, last)) = *busy else {
        *busy = Some((now, now));
        return;
    };
    if now.duration_since(since) < BUSY_GRACE {
        return;
    }
    // The first step makes up for the grace period: lab time was still while it lasted.
    let from = if last == since { since } else { last };
    let target = lab.now().saturating_add(now.duration_since(from)).min(next);
    let _ = lab.advance_to(target);
    *busy = Some((since, now));
}

fn handle(lab: &mut Lab, running: &mut HashMap<u64, Running>, msg: Msg, state: &mut State) {
    state.heard += 1;
    handle_msg(lab, running, msg, state);
    state.names.sync(lab);
}

fn handle_msg(lab: &mut Lab, running: &mut HashMap<u64, Running>, msg: Msg, state: &mut State) {
    match msg {
        Msg::Run {
            conn,
            peer,
            req: Request::Offline { netns, .. },
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
                    pid: peer,
                    interactive: false,
                    waits_on_lab: false,
                },
            );
        }
        Msg::Run {
            conn,
            peer,
            req,
            tx,
        } => {
            let Request::Run {
                tool,
                argv,
                netns,
                pid,
                files,
                interactive,
            } = req
            else {
                return;
            };
            // What programs wrote to /proc/sys/net takes effect before the command runs.
            state.views.sync(lab);
            let mut out = Output::default();
            let env_ns = netns.unwrap_or_default();
            let Some(ns) = state.members.ns_of(lab, peer, Some(&env_ns)) else {
                out.err(format!(
                    "{tool}: network namespace \"{env_ns}\" no longer exists\n"
                ));
                flush(&tx, &mut out);
                let _ = tx.send(Response::Exit(1));
                return;
            };
            let ns_name = lab
                .ns(ns)
                .filter(|n| n.named)
                .map(|n| n.name.clone())
                .unwrap_or_default();
            if tool == crate::views::TOOL {
                // Answered with the file to open, or an errno as the exit status.
                let members = &state.members;
                let ns_of_pid = |lab: &Lab, p: u32| {
                    let host = i32::try_from(p).ok().and_then(|p| members.host_pid(p));
                    host.and_then(|h| members.ns_of(lab, h, None))
                        .ok_or(libc::ENOENT)
                };
                match state.views.request(lab, &argv, ns, (pid, peer), &ns_of_pid) {
                    Ok(path) => {
                        let _ = tx.send(Response::Out(path));
                        let _ = tx.send(Response::Exit(0));
                    }
                    Err(e) => {
                        let _ = tx.send(Response::Exit(e));
                    }
                }
                return;
            }
            let caller = crate::nsfiles::Caller {
                pid: peer,
                ns,
                names_dir: state.names.dir.as_deref(),
            };
            let mut argv = argv;
            if tool == "ip" {
                crate::nsfiles::resolve_netns_args(&mut argv, &caller, &state.members, lab);
            }
            if lab.clock().is_virtual() && reads_processes(&tool, &argv) {
                // At least a microsecond: the clock must move, so the script must be asleep.
                let took = state.next_command_time(lab.config().seed, &tool, &argv);
                let until = lab.now() + took.max(Duration::from_micros(1));
                state.looks.push(Look {
                    conn,
                    until,
                    peer,
                    ns,
                    tool,
                    argv,
                });
                running.insert(
                    conn,
                    Running {
                        session: Box::new(Hold { until }),
                        tx,
                        pid: peer,
                        interactive: false,
                        waits_on_lab: true,
                    },
                );
                return;
            }
            if let Some(code) =
                crate::nsfiles::handle(&tool, &argv, &caller, &mut state.members, lab, &mut out)
            {
                crate::nsfiles::reap(&mut state.members, lab);
                flush(&tx, &mut out);
                finish(lab, running, state, (conn, peer), (&tool, &argv), tx, code);
                return;
            }
            state.requests += 1;
            let host_pid = peer;
            // In virtual time a run must not depend on the host: ids come from the request
            // count, not the process id.
            let pid = if lab.clock().is_virtual() {
                1000 + state.requests
            } else {
                pid
            };
            let env = Env {
                ns,
                ns_name,
                pid,
                tty: interactive,
            };
            let started = cmd::start(&tool, &argv, &files, &env, lab, &mut out);
            if tool == "ip" && argv.get(1).is_some_and(|v| v == "exec-check") {
                // `ip netns exec NS CMD`: this process enters NS, and CMD with it.
                if let (Started::Done(0), Some(Ok(to))) =
                    (&started, argv.get(2).map(|n| lab.netns(n)))
                {
                    state.members.enter(peer, to);
                }
            }
            crate::nsfiles::reap(&mut state.members, lab);
            match started {
                Started::Done(code) => {
                    flush(&tx, &mut out);
                    finish(
                        lab,
                        running,
                        state,
                        (conn, host_pid),
                        (&tool, &argv),
                        tx,
                        code,
                    );
                }
                Started::Running(session) => {
                    flush(&tx, &mut out);
                    running.insert(
                        conn,
                        Running {
                            session,
                            tx,
                            pid: host_pid,
                            interactive,
                            waits_on_lab: true,
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
                                conn,
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

#[cfg(test)]
mod test {
    use super::*;
    use crate::proto::read_msg;

    #[test]
    fn the_netns_directory_follows_the_names_and_leaves_the_scripts_files() {
        let tmp = tempfile::tempdir().unwrap();
        let ls = || {
            let mut v: Vec<String> = std::fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v.join(" ")
        };
        let mut lab = Lab::with_config(l2lab_sim::LabConfig::default());
        let mut dir = NetnsDir::new(tmp.path().to_path_buf());
        lab.add_netns("a").unwrap();
        dir.sync(&lab);
        // A file the script made itself stays its own, name or no name.
        std::fs::write(tmp.path().join("mine"), "").unwrap();
        lab.add_netns("b").unwrap();
        lab.add_netns("mine").unwrap();
        lab.add_netns("c").unwrap();
        lab.del_netns("a").unwrap();
        dir.sync(&lab);
        assert_eq!(ls(), "b c mine");
        lab.del_netns("mine").unwrap();
        lab.del_netns("b").unwrap();
        lab.add_netns("b").unwrap();
        lab.add_netns("a").unwrap();
        dir.sync(&lab);
        assert_eq!(ls(), "a b c mine");
        // Nothing changed: nothing looked at.
        dir.sync(&lab);
        assert_eq!(ls(), "a b c mine");
        assert_eq!(dir.made.len(), 3);
    }

    /// A listener whose accept fails with the errors given, then hands out the streams.
    struct Flaky {
        fails: Vec<i32>,
        streams: Vec<UnixStream>,
    }

    impl Accept for Flaky {
        async fn accept(&mut self) -> std::io::Result<UnixStream> {
            if let Some(e) = self.fails.pop() {
                return Err(std::io::Error::from_raw_os_error(e));
            }
            match self.streams.pop() {
                Some(s) => Ok(s),
                None => std::future::pending().await,
            }
        }
    }

    fn request() -> Vec<u8> {
        let mut v = Vec::new();
        crate::proto::write_msg(
            &mut v,
            &Request::Run {
                tool: "ip".into(),
                argv: vec!["link".into()],
                netns: None,
                files: Vec::new(),
                pid: 1,
                interactive: false,
            },
        )
        .expect("encodes");
        v
    }

    /// Runs `f` on a paused clock (the back-off sleeps take no wall time) in a LocalSet.
    fn paused(f: impl std::future::Future<Output = ()>) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("runtime");
        rt.block_on(tokio::task::LocalSet::new().run_until(f));
    }

    #[test]
    fn accept_errors_are_transient_and_the_next_client_is_served() {
        paused(async {
            let (mut client, server) = UnixStream::pair().expect("pair");
            let fails = [libc::ECONNABORTED, libc::ENOMEM, libc::ENFILE, libc::EMFILE];
            let listener = Flaky {
                fails: fails.repeat(5),
                streams: vec![server],
            };
            let (to_lab, mut from_conns) = mpsc::unbounded_channel::<Msg>();
            tokio::task::spawn_local(accept_loop(listener, to_lab));
            client.write_all(&request()).await.expect("write");
            match from_conns.recv().await {
                Some(Msg::Run {
                    req: Request::Run { tool, argv, .. },
                    ..
                }) => assert_eq!((tool.as_str(), argv), ("ip", vec!["link".to_string()])),
                _ => panic!("the request never reached the lab"),
            }
        });
    }

    #[test]
    fn out_of_descriptors_a_client_is_told_why() {
        paused(async {
            let (mut refused, server1) = UnixStream::pair().expect("pair");
            let (mut served, server2) = UnixStream::pair().expect("pair");
            let listener = Flaky {
                fails: vec![libc::EMFILE],
                // Popped from the end: the first client in is refused.
                streams: vec![server2, server1],
            };
            let (to_lab, mut from_conns) = mpsc::unbounded_channel::<Msg>();
            tokio::task::spawn_local(accept_loop(listener, to_lab));
            refused.write_all(&request()).await.expect("write");
            let mut answer = Vec::new();
            refused.read_to_end(&mut answer).await.expect("read");
            let mut r = answer.as_slice();
            let first: Option<Response> = read_msg(&mut r).expect("a message");
            match first {
                Some(Response::Err(text)) => {
                    assert!(text.contains("no file descriptor left"), "{text}")
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(
                read_msg::<Response>(&mut r).ok().flatten(),
                Some(Response::Exit(1))
            );
            served.write_all(&request()).await.expect("write");
            assert!(matches!(from_conns.recv().await, Some(Msg::Run { .. })));
        });
    }

    #[test]
    fn output_queued_for_clients_that_do_not_read_is_bounded() {
        let (raw_tx, mut rx) = mpsc::unbounded_channel();
        let room = Budget::new(100);
        let out = Outbox {
            tx: raw_tx,
            room: room.clone(),
            dropped: Rc::default(),
            queued: Rc::default(),
            sent: Rc::default(),
        };
        let text = "x".repeat(60);
        assert!(out.send(Response::Out(text.clone())).is_ok());
        assert!(out.send(Response::Out(text.clone())).is_ok());
        assert_eq!(room.0.get(), 40, "the second text found no room");
        assert!(out.send(Response::Exit(0)).is_ok());
        let got: Vec<Response> = std::iter::from_fn(|| rx.try_recv().ok())
            .map(|(r, _lease)| r)
            .collect();
        assert_eq!(
            got,
            vec![
                Response::Out(text),
                Response::Err(
                    "l2lab: 60 bytes of output were dropped: they were not read in time\n".into()
                ),
                Response::Exit(0),
            ]
        );
        assert_eq!(room.0.get(), 100, "written output gives its room back");
    }

    #[test]
    fn requests_buffered_across_connections_are_bounded() {
        paused(async {
            let budget = Budget::new(100);
            let lease = budget.take(60).expect("60 of 100");
            assert!(budget.take(60).is_none());
            // A client announcing more than is left is refused, without the lab allocating.
            let mut msg = 80u32.to_be_bytes().to_vec();
            msg.extend_from_slice(&[b' '; 80]);
            assert!(matches!(
                read_frame(&mut msg.as_slice(), &budget).await,
                Err(NoRequest::Full)
            ));
            drop(lease);
            assert_eq!(budget.0.get(), 100);
            let ok = request();
            let budget = Budget::new(ok.len());
            assert!(read_frame(&mut ok.as_slice(), &budget).await.is_ok());
            assert_eq!(budget.0.get(), ok.len(), "the lease is given back");
        });
    }
}
