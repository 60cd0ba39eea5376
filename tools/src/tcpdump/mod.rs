//! `tcpdump` (4.99 with libpcap 1.10), as the real tool behaves and prints: live captures on
//! an interface of the namespace (a session that lives until `-c` is reached or a signal ends
//! it), reading (`-r`) and writing (`-w`) pcap files, and its stderr chatter.
//!
//! Files are the tool's: `-r` runs wholly in the tool's own process ([`offline`]), and a live
//! capture's `-w` records go to the tool as bytes, which it writes into the file it opened
//! itself ([`local`] says which). The lab never opens a file a client names.
//!
//! Like the real one writing to a pipe or file, stdout is block-buffered (4096 bytes) unless
//! `-l`: packet lines of a tcpdump in the background reach the transcript when it exits.

pub mod file;
pub mod filter;
pub mod offline;
pub mod print;

use std::time::Duration;

use l2lab_fabric::LinkKind;
use l2lab_sim::capture::{PacketType, ARPHRD_LOOPBACK};
use l2lab_sim::{CaptureId, Lab, NsId};

use crate::cmd::{killed_by, Env, Output, Session, Started};
use filter::{Filter, LinkType};
use print::{PrintOpts, Stamper};

const SNAPLEN: u32 = 262_144;
const STDIO_BUF: usize = 4096;
/// What a capture may leave queued for a client that does not read (stopped, or blocked on
/// its output): libpcap's default ring of 2 MB. Frames beyond it are dropped and counted in
/// "packets dropped by kernel", as the kernel drops what a full ring cannot take.
pub const BACKLOG_MAX: usize = 2 << 20;

const USAGE: &str = "tcpdump version 4.99.3
libpcap version 1.10.3 (with TPACKET_V3)
OpenSSL 3.0.19 27 Jan 2026
Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
\t\t[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
\t\t[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
\t\t[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
\t\t[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
\t\t[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
\t\t[ -z postrotate-command ] [ -Z user ] [ expression ]
";

/// Options that take an argument (tcpdump's getopt string).
const WITH_ARG: &str = "BcCEFGiJjMmQrsTVwWyzZ";
/// Options without one.
const FLAGS: &str = "AbdDefhHIKlLnNOpqStuUvxX#";

/// The options of one tcpdump command line.
#[derive(Debug, Default)]
pub struct Opts {
    print: PrintOpts,
    count: Option<u64>,
    iface: Option<String>,
    read: Option<String>,
    write: Option<String>,
    promisc: bool,
    line_buffered: bool,
    /// `--immediate-mode`: libpcap hands each frame over as it comes.
    immediate: bool,
    /// `-U`: each packet written to the `-w` file at once (and printed ones too).
    packet_buffered: bool,
    snaplen: u32,
    list: bool,
    number: bool,
    count_only: bool,
    version: bool,
    expr: Vec<String>,
}

fn usage_error(msg: &str, out: &mut Output) -> i32 {
    out.err(format!("tcpdump: {msg}\n{USAGE}"));
    1
}

/// Parses argv like GNU getopt (options may follow the expression words).
pub fn parse(argv: &[String], out: &mut Output) -> Result<Opts, i32> {
    let mut o = Opts {
        promisc: true,
        snaplen: SNAPLEN,
        ..Default::default()
    };
    let mut i = 0;
    let mut rest = Vec::new();
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            rest.extend(argv[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            match long {
                "count" => o.count_only = true,
                "number" => o.number = true,
                "immediate-mode" => o.immediate = true,
                "print" | "micro" => {}
                "version" => o.version = true,
                "help" => {
                    out.out(USAGE);
                    return Err(0);
                }
                _ => {
                    return Err(usage_error(&format!("unrecognized option '{a}'"), out));
                }
            }
            continue;
        }
        if !a.starts_with('-') || a.len() == 1 {
            rest.push(a.clone());
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            if WITH_ARG.contains(c) {
                let val = if j < chars.len() {
                    let v: String = chars[j..].iter().collect();
                    j = chars.len();
                    v
                } else if i < argv.len() {
                    i += 1;
                    argv[i - 1].clone()
                } else {
                    return Err(usage_error(
                        &format!("option requires an argument -- '{c}'"),
                        out,
                    ));
                };
                match c {
                    'c' => match val.parse::<i64>() {
                        Ok(n) if n > 0 => o.count = Some(n as u64),
                        _ => {
                            out.err(format!("tcpdump: invalid packet count {val}\n"));
                            return Err(1);
                        }
                    },
                    'i' => o.iface = Some(val),
                    'r' => o.read = Some(val),
                    'w' => o.write = Some(val),
                    's' => match val.parse::<i64>() {
                        Ok(n) if (0..=i64::from(i32::MAX)).contains(&n) => {
                            o.snaplen = if n == 0 || n > i64::from(SNAPLEN) {
                                SNAPLEN
                            } else {
                                n as u32
                            }
                        }
                        _ => {
                            out.err(format!("tcpdump: invalid snaplen {val}\n"));
                            return Err(1);
                        }
                    },
                    _ => {}
                }
            } else if FLAGS.contains(c) {
                match c {
                    'n' => o.print.numeric = o.print.numeric.saturating_add(1),
                    'e' => o.print.eflag = true,
                    'v' => o.print.vflag = o.print.vflag.saturating_add(1),
                    'q' => o.print.qflag = true,
                    't' => o.print.tflag = o.print.tflag.saturating_add(1),
                    'l' => o.line_buffered = true,
                    'U' => {
                        o.line_buffered = true;
                        o.packet_buffered = true;
                    }
                    'p' => o.promisc = false,
                    'D' => o.list = true,
                    '#' => o.number = true,
                    'h' => {
                        out.err(USAGE);
                        return Err(0);
                    }
                    _ => {}
                }
            } else {
                return Err(usage_error(&format!("invalid option -- '{c}'"), out));
            }
        }
    }
    o.expr = rest;
    Ok(o)
}

/// Starts `tcpdump ARGS...` in `env`.
pub fn start(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> Started {
    let o = match parse(argv, out) {
        Ok(o) => o,
        Err(code) => return Started::Done(code),
    };
    if o.version {
        out.out(
            USAGE
                .lines()
                .take(3)
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
        );
        return Started::Done(0);
    }
    if o.list {
        return Started::Done(list(env, lab, out));
    }
    if let Some(r) = &o.read {
        // The tool reads its files itself ([`local`]): a request to read one here is refused,
        // whoever sent it.
        out.err(format!(
            "tcpdump: {r}: files are read by the tcpdump command itself, not by the lab\n"
        ));
        return Started::Done(1);
    }
    live(o, env, lab, out)
}

/// Where a tcpdump command line runs, decided in the tool's own process.
pub enum Local {
    /// It is over (a command line tcpdump refuses): this is its status.
    Done(i32),
    /// It reads this file here, with these options ([`offline::run`]).
    Offline(Box<Opts>, String),
    /// It runs in the lab; the lab's [`crate::proto::Response::Data`] go to this `-w` file.
    Lab(Option<String>),
}

/// Says where `tcpdump ARGS...` runs: reading a file (`-r`) belongs to the tool's own
/// process; a live capture to the lab, with its `-w` file written here.
pub fn local(argv: &[String]) -> Local {
    let mut out = Output::default();
    let o = match parse(argv, &mut out) {
        Ok(o) => o,
        Err(code) => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(out.stdout.as_bytes());
            let _ = std::io::stderr().write_all(out.stderr.as_bytes());
            return Local::Done(code);
        }
    };
    if o.version || o.list {
        return Local::Lab(None);
    }
    match &o.read {
        Some(r) => {
            let r = r.clone();
            Local::Offline(Box::new(o), r)
        }
        None => Local::Lab(o.write.clone()),
    }
}

/// Compiles the expression for `link`; on error prints tcpdump's message.
pub(crate) fn compile(o: &Opts, link: LinkType, out: &mut Output) -> Option<Filter> {
    match filter::compile_on(&o.expr, link) {
        Ok(f) => Some(f),
        Err(e) => {
            out.err(format!("tcpdump: {}\n", e.0));
            None
        }
    }
}

/// if_indextoname in namespace `ns`: what the real tcpdump does for each cooked packet, so a
/// file read elsewhere shows that namespace's names (or `?`).
fn ifname(lab: &Lab, ns: NsId, ifindex: u32) -> Option<String> {
    lab.link_by_index(ns, ifindex)
        .and_then(|l| lab.iface(l))
        .map(|i| i.name.clone())
}

/// Interfaces in the order libpcap lists them: up and running non-loopback ones by ifindex,
/// then `any`, then loopback, then the rest.
fn devices(env: &Env, lab: &Lab) -> Vec<(String, &'static str)> {
    let mut devs: Vec<(u8, u32, String, &'static str)> = Vec::new();
    for id in lab.links(env.ns) {
        let (Some(ifc), Some(l)) = (lab.iface(id), lab.fabric().link(id)) else {
            continue;
        };
        let lo = matches!(l.kind, LinkKind::Loopback);
        let (rank, note) = match (l.admin_up, l.carrier, lo) {
            (true, true, false) => (0, "[Up, Running, Connected]"),
            (true, true, true) => (2, "[Up, Running, Loopback]"),
            (true, false, false) => (3, "[Up, Disconnected]"),
            (true, false, true) => (3, "[Up, Loopback]"),
            (false, _, true) => (4, "[Loopback]"),
            (false, _, false) => (4, "[none]"),
        };
        devs.push((rank, ifc.ifindex, ifc.name.clone(), note));
    }
    devs.push((
        1,
        0,
        "any".into(),
        "(Pseudo-device that captures on all interfaces) [Up, Running]",
    ));
    devs.sort_by_key(|d| (d.0, d.1));
    devs.into_iter().map(|d| (d.2, d.3)).collect()
}

fn list(env: &Env, lab: &Lab, out: &mut Output) -> i32 {
    for (i, (name, note)) in devices(env, lab).iter().enumerate() {
        out.out(format!("{}.{name} {note}\n", i + 1));
    }
    0
}

pub(crate) fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A packet to print: its bytes with the link-layer header `link`, its length on the wire,
/// and how to name an ifindex (cooked headers carry only the index).
pub(crate) struct Packet<'a> {
    pub(crate) link: LinkType,
    pub(crate) data: &'a [u8],
    pub(crate) len: usize,
    pub(crate) ifname: &'a dyn Fn(u32) -> Option<String>,
}

pub(crate) fn render(o: &Opts, st: &mut Stamper, n: u64, ts: Duration, p: &Packet) -> String {
    let mut s = String::new();
    if o.number {
        s.push_str(&format!("{n:5}  "));
    }
    s.push_str(&st.stamp(ts, &o.print));
    match p.link {
        LinkType::Ether => s.push_str(&print::packet(p.data, p.len, &o.print)),
        LinkType::Sll2 => s.push_str(&print::packet_sll2(p.data, p.len, &o.print, p.ifname)),
    }
    s.push('\n');
    s
}

fn live(o: Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> Started {
    let dev = match &o.iface {
        Some(d) => d.clone(),
        None => devices(env, lab)
            .into_iter()
            .next()
            .map(|d| d.0)
            .unwrap_or_else(|| "any".into()),
    };
    let link = if dev == "any" {
        None
    } else {
        match lab.link_by_name(env.ns, &dev) {
            Ok(l) => Some(l),
            Err(_) => {
                out.err(format!(
                    "tcpdump: {dev}: No such device exists\n(No such device exists)\n"
                ));
                return Started::Done(1);
            }
        }
    };
    if let Some(l) = link {
        if !lab.fabric().link(l).is_some_and(|l| l.admin_up) {
            out.err(format!("tcpdump: {dev}: That device is not up\n"));
            return Started::Done(1);
        }
    }
    // tcpdump asks for cooked v2 on `any` (libpcap would give v1) and says so first.
    let linktype = if link.is_some() {
        LinkType::Ether
    } else {
        out.err("tcpdump: data link type LINUX_SLL2\n");
        LinkType::Sll2
    };
    let Some(filter) = compile(&o, linktype, out) else {
        return Started::Done(1);
    };
    let pcap_type = match linktype {
        LinkType::Ether => 1,
        LinkType::Sll2 => 276,
    };
    let started = match link {
        Some(_) => lab.capture_start(env.ns, &dev, o.promisc),
        None => lab.capture_start_any(env.ns),
    };
    let capture = match started {
        Ok(c) => c,
        Err(e) => {
            out.err(format!("tcpdump: {dev}: {e}\n"));
            return Started::Done(1);
        }
    };
    let mut dump = Vec::new();
    if o.write.is_some() {
        // Empty bytes first: the tool opens its file when they come, before "listening on",
        // as tcpdump opens it after the device and the filter. The header waits in the stdio
        // buffer like the records.
        out.data_open = true;
        dump = file::header(o.snaplen, pcap_type);
    }
    if o.print.vflag == 0 && o.write.is_none() {
        out.err("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n");
    } else {
        out.err("tcpdump: ");
    }
    out.err(format!(
        "listening on {dev}, link-type {}, snapshot length {} bytes\n",
        file::linktype_name(pcap_type),
        o.snaplen
    ));
    // libpcap's TPACKET_V3 ring hands frames over a block at a time, when the kernel retires
    // the block: every `tov` (tcpdump's 1000 ms timeout), on a timer armed when the ring is
    // set up. tcpdump asks for immediate mode (TPACKET_V2, each frame at once) only when it
    // prints and its output is line-buffered (-l, or a terminal's), or with
    // --immediate-mode. Measured on 6.18: `tcpdump -c 1` exits about 520 ms after its frame
    // when started 500 ms before it, and a `tcpdump -w` killed 200 ms after a ping saved
    // nothing of it ("0 packets captured, 4 received by filter").
    let immediate = o.immediate || (o.write.is_none() && (o.line_buffered || env.tty));
    Started::Running(Box::new(Live {
        retire: (!immediate).then(|| Retire {
            last: lab.now(),
            next: lab.now() + RETIRE_TOV,
        }),
        held: std::collections::VecDeque::new(),
        o,
        filter,
        linktype,
        ns: env.ns,
        capture: Some(capture),
        stamper: Stamper::default(),
        captured: 0,
        received: 0,
        dropped: 0,
        pending: String::new(),
        dump,
    }))
}

/// A live capture.
struct Live {
    o: Opts,
    filter: Filter,
    linktype: LinkType,
    ns: NsId,
    capture: Option<CaptureId>,
    stamper: Stamper,
    captured: u64,
    received: u64,
    /// Frames dropped because the client left too much unread ([`BACKLOG_MAX`]).
    dropped: u64,
    pending: String,
    /// `-w`: the bytes in tcpdump's stdio buffer, not yet written to the file.
    dump: Vec<u8>,
    /// The ring's block retire timer; none in immediate mode.
    retire: Option<Retire>,
    /// Frames in the ring's current block, not yet handed to tcpdump.
    held: std::collections::VecDeque<l2lab_sim::capture::CapturedFrame>,
}

/// The block timeout libpcap asks the kernel for (tcpdump's 1000 ms packet buffer timeout).
/// The kernel's retire timer is an hrtimer (6.18), so blocks close every second on the dot:
/// measured, a `tcpdump -w` started at L keeps what came before L + 3.0 s when killed at
/// L + 3.06 s, and loses it when killed at L + 2.9 s.
const RETIRE_TOV: Duration = Duration::from_secs(1);

/// The kernel's retire timer of a TPACKET_V3 ring (prb_retire_rx_blk_timer_expired): the
/// block open since `last` is handed over at `next`, and the timer goes on from there.
#[derive(Debug, Clone, Copy)]
struct Retire {
    last: Duration,
    next: Duration,
}

impl Live {
    /// Moves the retire timer up to `now`; frames seen before the last expiry are tcpdump's.
    fn retired_by(&mut self, lab: &Lab) -> Option<Duration> {
        let r = self.retire.as_mut()?;
        while r.next <= lab.now() {
            r.last = r.next;
            r.next += RETIRE_TOV;
        }
        Some(r.last)
    }

    /// A frame as the capture's link type shows it: as it is, or behind a cooked header.
    fn bytes_of<'a>(&self, f: &'a l2lab_sim::capture::CapturedFrame) -> std::borrow::Cow<'a, [u8]> {
        match self.linktype {
            LinkType::Ether => std::borrow::Cow::Borrowed(&f.frame[..]),
            LinkType::Sll2 => std::borrow::Cow::Owned(f.sll2()),
        }
    }

    /// Takes what the capture holds; true once `-c` is reached.
    fn drain(&mut self, lab: &mut Lab, out: &mut Output) -> bool {
        let Some(id) = self.capture else {
            return false;
        };
        let epoch = Duration::from_micros(lab.config().epoch_us);
        self.held.extend(lab.capture_take(id));
        let cut = self.retired_by(lab);
        let n = match cut {
            Some(cut) => self.held.iter().take_while(|f| f.at < cut).count(),
            None => self.held.len(),
        };
        let ready: Vec<_> = self.held.drain(..n).collect();
        for f in ready {
            let bytes = self.bytes_of(&f);
            let data: &[u8] = &bytes;
            let len = data.len();
            if !self.filter.matches_on(self.linktype, data, len) {
                continue;
            }
            self.received += 1;
            // libpcap drops what it sees leaving lo, on `-i lo` as on `-i any`, as it comes
            // back in; the kernel has counted it already.
            if f.hatype == ARPHRD_LOOPBACK && f.pkttype == PacketType::Outgoing {
                continue;
            }
            if self.o.count.is_some_and(|c| self.captured >= c) {
                continue;
            }
            let queued = out.backlog
                + out.data.len()
                + self.dump.len()
                + out.stdout.len()
                + self.pending.len();
            if queued > BACKLOG_MAX {
                self.dropped += 1;
                continue;
            }
            self.captured += 1;
            let ts = epoch + Duration::from_micros(f.at.as_micros() as u64);
            let snap = (self.o.snaplen as usize).min(len);
            if self.o.write.is_some() {
                file::record(&mut self.dump, ts, &data[..snap], len);
                if self.o.packet_buffered {
                    out.data.append(&mut self.dump);
                }
            } else {
                let ns = self.ns;
                let names = |i: u32| ifname(lab, ns, i);
                let p = Packet {
                    link: self.linktype,
                    data: &data[..snap],
                    len,
                    ifname: &names,
                };
                let line = render(&self.o, &mut self.stamper, self.captured, ts, &p);
                self.pending.push_str(&line);
                if self.o.line_buffered {
                    out.out(std::mem::take(&mut self.pending));
                }
            }
        }
        // stdio writes a full buffer at a time: a capture costs the tool a wake-up per 4 KB,
        // not per frame.
        let full = self.dump.len() / STDIO_BUF * STDIO_BUF;
        if full > 0 {
            out.data.extend(self.dump.drain(..full));
        }
        while self.pending.len() >= STDIO_BUF {
            let mut cut = STDIO_BUF;
            while !self.pending.is_char_boundary(cut) {
                cut -= 1;
            }
            let rest = self.pending.split_off(cut);
            out.out(std::mem::replace(&mut self.pending, rest));
        }
        self.o.count.is_some_and(|c| self.captured >= c)
    }

    fn finish(&mut self, lab: &mut Lab, interrupted: bool, out: &mut Output) -> i32 {
        if let Some(id) = self.capture.take() {
            lab.capture_stop(id);
        }
        out.data.append(&mut self.dump);
        out.out(std::mem::take(&mut self.pending));
        if interrupted && self.o.write.is_none() {
            // tcpdump ends a possibly unfinished line when interrupted.
            out.out("\n");
        }
        out.err(format!(
            "{} packet{} captured\n{} packet{} received by filter\n{} packet{} dropped by kernel\n",
            self.captured,
            plural(self.captured),
            self.received,
            plural(self.received),
            self.dropped,
            plural(self.dropped)
        ));
        0
    }
}

impl Session for Live {
    fn poll(&mut self, lab: &mut Lab, out: &mut Output) -> Option<i32> {
        if self.drain(lab, out) {
            return Some(self.finish(lab, false, out));
        }
        None
    }

    fn signal(&mut self, lab: &mut Lab, sig: i32, out: &mut Output) -> Option<i32> {
        match sig {
            libc::SIGINT | libc::SIGTERM | libc::SIGHUP | libc::SIGPIPE => {
                if self.drain(lab, out) {
                    return Some(self.finish(lab, false, out));
                }
                // The ring's open block is lost with the socket; the kernel counted its frames.
                if let Some(id) = self.capture {
                    self.held.extend(lab.capture_take(id));
                }
                for f in std::mem::take(&mut self.held) {
                    let data = self.bytes_of(&f);
                    if self.filter.matches_on(self.linktype, &data, data.len()) {
                        self.received += 1;
                    }
                }
                Some(self.finish(lab, true, out))
            }
            _ => {
                if let Some(id) = self.capture.take() {
                    lab.capture_stop(id);
                }
                Some(killed_by(sig))
            }
        }
    }

    fn endless(&self) -> bool {
        self.o.count.is_none()
    }

    fn wake_at(&self) -> Option<Duration> {
        // Frames wait in the ring's block until the kernel retires it.
        self.retire
            .filter(|_| !self.held.is_empty())
            .map(|r| r.next)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options() {
        let mut out = Output::default();
        let o = parse(&args("-i br0 -nn -e -v arp"), &mut out).unwrap();
        assert_eq!(o.iface.as_deref(), Some("br0"));
        assert_eq!(o.print.numeric, 2);
        assert!(o.print.eflag);
        assert_eq!(o.expr, args("arp"));
        let o = parse(&args("-r icmp.pcap -nn -t"), &mut out).unwrap();
        assert_eq!(o.print.tflag, 1);
        assert_eq!(o.read.as_deref(), Some("icmp.pcap"));
        let o = parse(&args("-nnc2 -wx.pcap"), &mut out).unwrap();
        assert_eq!((o.count, o.write.as_deref()), (Some(2), Some("x.pcap")));
        assert_eq!(parse(&args("-c 0"), &mut out).unwrap_err(), 1);
        assert_eq!(out.stderr, "tcpdump: invalid packet count 0\n");
        let mut out = Output::default();
        assert_eq!(parse(&args("-Z"), &mut out).unwrap_err(), 1);
        assert!(out
            .stderr
            .starts_with("tcpdump: option requires an argument -- 'Z'\ntcpdump version 4.99.3\n"));
    }
}
