//! Entry points for the fuzz targets under `fuzz/`: each takes the fuzzer's bytes, feeds them
//! to one part of the tool as outside input would reach it, and panics only when an invariant
//! breaks (a crash in the code under test panics by itself). Kept here, not in `fuzz/`, so
//! they build and run on stable: the corpora replay through them in `tests/fuzz_corpus.rs`.

use std::path::PathBuf;
use std::time::Duration;

use l2lab_sim::Lab;

use crate::cmd::{self, Env, Output, Session, Started};
use crate::proto::{self, Response};

thread_local! {
    /// A directory for the files the inputs make commands read and write, shared by every
    /// input a thread runs; gone when the thread ends.
    static SCRATCH: Option<tempfile::TempDir> = tempfile::Builder::new().prefix("l2lab-fuzz").tempdir().ok();
}

/// The scratch directory's path (the system's temporary directory if it could not be made).
fn scratch() -> PathBuf {
    SCRATCH.with(|d| {
        d.as_ref()
            .map_or_else(std::env::temp_dir, |d| d.path().to_path_buf())
    })
}

/// The lab protocol: every message the bytes hold, as a request and as a response; whatever
/// decodes must encode back to the same message.
pub fn proto(data: &[u8]) {
    let mut r = data;
    while let Ok(Some(req)) = proto::read_request(&mut r) {
        let mut bytes = Vec::new();
        proto::write_msg(&mut bytes, &req).expect("a decoded request encodes");
        let back = proto::read_request(&mut bytes.as_slice()).ok().flatten();
        assert_eq!(back.as_ref(), Some(&req), "request round trip");
    }
    let mut r = data;
    while let Ok(Some(resp)) = proto::read_response(&mut r) {
        let mut bytes = Vec::new();
        proto::encode_response(&resp, &mut bytes).expect("a decoded response encodes");
        let back: Option<Response> = proto::read_response(&mut bytes.as_slice()).ok().flatten();
        assert_eq!(back.as_ref(), Some(&resp), "response round trip");
    }
}

/// A trace file (docs/trace.md) parsed and drawn by the three renderers.
pub fn viz(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(tr) = crate::viz::parse::trace(&text) else {
        return;
    };
    for f in [
        crate::viz::Format::Html,
        crate::viz::Format::Dot,
        crate::viz::Format::Svg,
    ] {
        let _ = crate::viz::render("fuzz", &tr, f);
    }
}

/// A capture file given to `l2lab replay` with its outputs on (`-o`, `--trace`, `--explain`).
pub fn replay(data: &[u8]) {
    let dir = scratch();
    let capture = dir.join("replay-in.pcap");
    if std::fs::write(&capture, data).is_err() {
        return;
    }
    let args = crate::replay::ReplayArgs {
        capture,
        topology: None,
        at_port: Vec::new(),
        ageing: None,
        output: Some(dir.join("replay-out.pcap")),
        trace: Some(dir.join("replay-out.jsonl")),
        explain: true,
    };
    let mut sink = Vec::new();
    let _ = crate::replay::run_to(&args, &mut sink);
}

/// `tcpdump -r FILE WORDS...`: the first line of the input holds the words (flags and a
/// filter expression), the rest is the file.
pub fn tcpdump_read(data: &[u8]) {
    let (head, file) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let dir = scratch();
    if std::fs::write(dir.join("in.pcap"), file).is_err() {
        return;
    }
    let mut argv = vec!["-r".to_string(), "in.pcap".to_string()];
    argv.extend(words(&String::from_utf8_lossy(head)));
    confine("tcpdump", &mut argv);
    let mut h = Harness::new(Lab::new());
    h.run("", "tcpdump", &argv);
}

/// The words of a command line, as a shell would pass them (no NULs).
fn words(line: &str) -> Vec<String> {
    line.split_ascii_whitespace()
        .filter(|w| !w.contains('\0'))
        .take(64)
        .map(str::to_string)
        .collect()
}

/// Tools that read or write files by name: their words naming paths are dropped, so files stay
/// in the scratch directory.
const FILE_TOOLS: [&str; 2] = ["tcpdump", "sysctl"];

fn confine(tool: &str, argv: &mut Vec<String>) {
    if FILE_TOOLS.contains(&tool) {
        argv.retain(|w| !w.contains('/'));
    }
}

/// Runs tutorial commands in-process against a lab, as the lab server does, on virtual time.
struct Harness {
    lab: Lab,
    /// Commands left running in the background (`&`).
    background: Vec<Box<dyn Session>>,
    pid: u32,
    out: Output,
}

/// How long in lab time a foreground command may run before it gets SIGINT.
const FOREGROUND: Duration = Duration::from_secs(10);
/// How many times a command is polled at most before it gets SIGINT.
const POLLS: usize = 2000;

impl Harness {
    fn new(lab: Lab) -> Harness {
        Harness {
            lab,
            background: Vec::new(),
            pid: 1000,
            out: Output::default(),
        }
    }

    /// Starts `tool argv` in namespace `ns`: to its end in the foreground (SIGINT after
    /// [`FOREGROUND`]), or left running when `background`. Returns the exit status (None
    /// when left running).
    fn start(&mut self, ns: &str, tool: &str, argv: &[String], background: bool) -> Option<i32> {
        let Ok(id) = self.lab.netns(ns) else {
            return Some(1);
        };
        self.pid += 1;
        let env = Env {
            ns: id,
            ns_name: ns.to_string(),
            pid: self.pid,
            tty: false,
        };
        let mut out = Output::default();
        let started = cmd::start(tool, argv, &[], &env, &mut self.lab, &mut out);
        self.keep(out);
        let mut session = match started {
            Started::Done(code) => return Some(code),
            Started::Running(s) => s,
        };
        if background {
            self.background.push(session);
            return None;
        }
        let end = self.lab.now() + FOREGROUND;
        for _ in 0..POLLS {
            let mut out = Output::default();
            let done = session.poll(&mut self.lab, &mut out);
            self.keep(out);
            self.poll_background();
            if let Some(code) = done {
                return Some(code);
            }
            let next = session
                .wake_at()
                .into_iter()
                .chain(self.lab.next_deadline())
                .min();
            match next {
                Some(t) if t <= end => {
                    let _ = self.lab.advance_to(t.max(self.lab.now()));
                }
                _ => break,
            }
        }
        let mut out = Output::default();
        let code = session.signal(&mut self.lab, libc::SIGINT, &mut out);
        self.keep(out);
        Some(code.unwrap_or(130))
    }

    /// Runs a command to its end.
    fn run(&mut self, ns: &str, tool: &str, argv: &[String]) -> i32 {
        self.start(ns, tool, argv, false).unwrap_or(0)
    }

    fn poll_background(&mut self) {
        let mut i = 0;
        while i < self.background.len() {
            let mut out = Output::default();
            let done = self.background[i].poll(&mut self.lab, &mut out);
            self.keep(out);
            if done.is_some() {
                self.background.swap_remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// Ends every background command as `kill -INT` would.
    fn stop_background(&mut self) {
        for mut s in std::mem::take(&mut self.background) {
            let mut out = Output::default();
            let _ = s.signal(&mut self.lab, libc::SIGINT, &mut out);
            self.keep(out);
        }
    }

    /// What commands print is dropped, but only after it was made (bounded, so a long input
    /// does not grow memory).
    fn keep(&mut self, out: Output) {
        if self.out.stdout.len() < 1 << 16 {
            self.out.stdout.push_str(&out.stdout);
            self.out.stderr.push_str(&out.stderr);
        } else {
            self.out = Output::default();
        }
    }

    /// Hands the lab's events to the trace writer and the narration, as `--trace` and
    /// `--explain` do.
    fn observe(&mut self) {
        for ev in self.lab.drain_events() {
            let line = l2lab_sim::trace::event(&self.lab, &ev).to_string();
            let said = l2lab_sim::narrate::sentence(&self.lab, &ev);
            self.keep(Output {
                stdout: line,
                stderr: said.unwrap_or_default(),
                ..Default::default()
            });
        }
    }
}

/// Sequences of tutorial command lines, one per line: `[@NS] TOOL ARGS... [&]` (`@NS` runs it
/// inside namespace NS, as `ip netns exec NS` would; `&` leaves it running in the background).
/// Afterwards the lab must still work: two fresh namespaces joined by a veth pair must ping.
pub fn commands(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut h = Harness::new(Lab::new());
    h.lab.set_recording(true);
    for line in text.lines().take(48) {
        let mut w = words(line);
        let ns = match w.first() {
            Some(first) if first.starts_with('@') => {
                let ns = first[1..].to_string();
                w.remove(0);
                ns
            }
            _ => String::new(),
        };
        let background = w.last().is_some_and(|l| l == "&");
        if background {
            w.pop();
        }
        let Some(tool) = w.first().cloned() else {
            continue;
        };
        let mut argv = w.split_off(1);
        confine(&tool, &mut argv);
        h.start(&ns, &tool, &argv, background);
        h.poll_background();
        h.observe();
    }
    h.stop_background();
    h.observe();
    health_check(&mut h);
}

/// A ping between two namespaces made now must work whatever the lab went through.
fn health_check(h: &mut Harness) {
    health_check_to(h, "192.0.2.2");
}

/// Joins two new namespaces (192.0.2.1/30 and .2/30) and pings `dst` from the first.
fn health_check_to(h: &mut Harness, dst: &str) {
    let mut n = 0u32;
    let (a, b) = loop {
        let (a, b) = (format!("hc{n}a"), format!("hc{n}b"));
        if h.lab.netns(&a).is_err() && h.lab.netns(&b).is_err() {
            break (a, b);
        }
        n += 1;
    };
    let s = |v: &[&str]| v.iter().map(|w| w.to_string()).collect::<Vec<_>>();
    let setup: [(&str, &str, Vec<String>); 8] = [
        ("", "ip", s(&["netns", "add", &a])),
        ("", "ip", s(&["netns", "add", &b])),
        (
            &a,
            "ip",
            s(&[
                "link", "add", "hc0", "type", "veth", "peer", "name", "hc1", "netns", &b,
            ]),
        ),
        (&a, "ip", s(&["addr", "add", "192.0.2.1/30", "dev", "hc0"])),
        (&b, "ip", s(&["addr", "add", "192.0.2.2/30", "dev", "hc1"])),
        (&a, "ip", s(&["link", "set", "hc0", "up"])),
        (&b, "ip", s(&["link", "set", "hc1", "up"])),
        (&b, "ip", s(&["link", "set", "lo", "up"])),
    ];
    for (ns, tool, argv) in &setup {
        let code = h.run(ns, tool, argv);
        assert_eq!(
            code,
            0,
            "health check: `{tool} {}` in {ns:?} failed: {}",
            argv.join(" "),
            h.out.stderr
        );
    }
    h.out = Output::default();
    let code = h.run(&a, "ping", &s(&["-c", "1", "-W", "1", dst]));
    assert_eq!(
        code, 0,
        "health check: ping from {a} to {b} failed:\n{}{}",
        h.out.stdout, h.out.stderr
    );
}

/// Arbitrary frames into a bridge and a router, with the trace, the narration and live
/// tcpdumps printing. The input is records: a byte choosing where the frame enters and how
/// much lab time passes first, a byte of length, then the frame.
pub fn frames(data: &[u8]) {
    let mut h = Harness::new(Lab::new());
    let lines = [
        "ip netns add h1",
        "ip netns add h2",
        "ip netns add r",
        "ip netns add h3",
        "ip link add br0 type bridge",
        "ip link set br0 up",
        "ip addr add 10.0.1.100/24 dev br0",
        "ip link add v1 type veth peer name b1",
        "ip link set v1 netns h1",
        "ip link add v2 type veth peer name b2",
        "ip link set v2 netns h2",
        "ip link add r0 type veth peer name b3",
        "ip link set r0 netns r",
        "@r ip link add r1 type veth peer name v3 netns h3",
        "ip link set b1 master br0",
        "ip link set b2 master br0",
        "ip link set b3 master br0",
        "ip link set b1 up",
        "ip link set b2 up",
        "ip link set b3 up",
        "@h1 ip addr add 10.0.1.1/24 dev v1",
        "@h2 ip addr add 10.0.1.2/24 dev v2",
        "@r ip addr add 10.0.1.254/24 dev r0",
        "@r ip addr add 10.0.2.254/24 dev r1",
        "@h3 ip addr add 10.0.2.1/24 dev v3",
        "@h1 ip link set v1 up",
        "@h2 ip link set v2 up",
        "@r ip link set r0 up",
        "@r ip link set r1 up",
        "@h3 ip link set v3 up",
        "@h1 ip route add default via 10.0.1.254",
        "@h3 ip route add default via 10.0.2.254",
        "@r sysctl -w net.ipv4.ip_forward=1",
    ];
    for line in lines {
        let mut w = words(line);
        let ns = match w.first() {
            Some(f) if f.starts_with('@') => w.remove(0)[1..].to_string(),
            _ => String::new(),
        };
        let code = h.run(&ns, &w[0], &w[1..]);
        assert_eq!(code, 0, "frames setup: `{line}` failed: {}", h.out.stderr);
    }
    h.lab.set_recording(true);
    for (ns, argv) in [
        ("", "-i br0 -e -v -nn -l"),
        ("", "-i any -v -l"),
        ("r", "-i r1 -e -nn -l ip or arp"),
        ("h1", "-i v1 -e -vv -l"),
    ] {
        let argv = words(argv);
        h.start(ns, "tcpdump", &argv, true);
    }
    // Where frames enter: (namespace, interface) sending them.
    let at = [
        ("h1", "v1"),
        ("h2", "v2"),
        ("h3", "v3"),
        ("r", "r0"),
        ("r", "r1"),
        ("", "br0"),
        ("", "b1"),
        ("", "b3"),
    ];
    let mut links = Vec::new();
    for (ns, dev) in at {
        let Ok(id) = h.lab.netns(ns) else { return };
        let Ok(link) = h.lab.link_by_name(id, dev) else {
            return;
        };
        links.push(link);
    }
    let mut rest = data;
    while let [sel, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        // A length byte of 255 means "the rest", so frames of any size can be made.
        let n = if *len == 255 { tail.len() } else { n };
        let (frame, next) = tail.split_at(n);
        rest = next;
        let wait = match sel >> 3 {
            0 => Duration::ZERO,
            31 => Duration::from_secs(301),
            k => Duration::from_millis(u64::from(k) * 250),
        };
        let _ = h.lab.advance(wait);
        let link = links[usize::from(sel & 7) % links.len()];
        h.lab.inject(link, bytes::Bytes::copy_from_slice(frame));
        h.poll_background();
        h.observe();
    }
    let _ = h.lab.advance(Duration::from_secs(5));
    h.poll_background();
    h.stop_background();
    h.observe();
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn health_check_passes_after_nothing() {
        commands(b"");
    }

    #[test]
    #[should_panic(expected = "health check: ping")]
    fn health_check_fails_without_an_answer() {
        let mut h = Harness::new(Lab::new());
        health_check_to(&mut h, "192.0.2.3");
    }

    #[test]
    fn commands_reach_the_lab() {
        let mut h = Harness::new(Lab::new());
        let argv = words("netns add x");
        assert_eq!(h.run("", "ip", &argv), 0);
        assert_eq!(h.run("", "ip", &argv), 1, "{}", h.out.stderr);
        assert!(h.lab.netns("x").is_ok());
    }
}
