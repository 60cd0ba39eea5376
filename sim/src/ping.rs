//! Ping sessions: what iputils' `ping` does with an ICMP socket — echo requests with an id, a
//! sequence number and a 56-byte payload that starts with a timestamp, sent every interval;
//! replies and ICMP errors matched back to them; the exit rules of iputils 20221126 (stop when
//! every probe is answered or failed, linger after the last one, or at the deadline).

use std::collections::{HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::wire::{self, IcmpRepr, Ipv4Params};

use l2lab_fabric::LinkId;

use crate::error::{LabError, LabResult};
use crate::event::EventKind;
use crate::lab::{Lab, NsId, Timer};
use crate::stack::icmp6::ECHO_REQUEST;
use crate::stack::ipv6::DEFAULT_HOP_LIMIT;
use crate::stack::ndisc::icmp6_packet;

/// Options of a ping, named after iputils' flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingOptions {
    /// `-c`: stop after this many requests (None: until stopped or the deadline).
    pub count: Option<u32>,
    /// `-i`: time between requests (1 s).
    pub interval: Duration,
    /// `-W`: how long to wait for a reply after the last request (default 10 s).
    pub wait: Option<Duration>,
    /// `-w`: stop after this long, whatever happened.
    pub deadline: Option<Duration>,
    /// `-s`: payload size (56).
    pub size: usize,
    /// `-t`: TTL of the requests (64).
    pub ttl: u8,
    /// IPv6 `-t`: the hop limit of unicast and multicast requests alike (None: 64 unicast,
    /// 1 to a group).
    pub hop_limit: Option<u8>,
    /// `-I`: send from this interface's address.
    pub interface: Option<String>,
    /// The ICMP id to use; `None` picks one from the lab's seeded generator.
    pub id: Option<u16>,
    /// `-M`: path MTU discovery.
    pub pmtudisc: Pmtudisc,
}

/// `ping -M`: what the socket does with DF and with a request larger than the path MTU
/// (IP_MTU_DISCOVER).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pmtudisc {
    /// `want` (the default): DF on what fits; what does not is fragmented.
    #[default]
    Want,
    /// `do`: DF always; what does not fit is refused with EMSGSIZE.
    Do,
    /// `dont`: never DF.
    Dont,
}

impl Default for PingOptions {
    fn default() -> Self {
        PingOptions {
            count: None,
            interval: Duration::from_secs(1),
            wait: None,
            deadline: None,
            size: 56,
            ttl: 64,
            hop_limit: None,
            interface: None,
            id: None,
            pmtudisc: Pmtudisc::Want,
        }
    }
}

/// iputils' default wait after the last request when nothing came back (MAXWAIT).
pub const DEFAULT_LINGER: Duration = Duration::from_secs(10);

/// iputils' MININTERVAL: the shortest sleep while a reply is due.
const MININTERVAL: Duration = Duration::from_millis(10);

/// How late poll()'s timeout ends on an idle machine: its hrtimer may fire anywhere up to the
/// slack past it, and nothing else wakes the CPU sooner. select_estimate_accuracy: 0.1% of
/// the timeout, at most 100 ms, at least the task's timer_slack_ns (50 µs).
fn poll_slack(timeout: Duration) -> Duration {
    (timeout / 1000).clamp(Duration::from_micros(50), Duration::from_millis(100))
}

/// pinger()'s whole milliseconds between two readings of CLOCK_MONOTONIC_RAW (here the lab's
/// clock): seconds times 1000 plus the nanoseconds' difference divided as C does, towards zero.
fn ping_elapsed_ms(from: Duration, to: Duration) -> i64 {
    let secs = to.as_secs() as i64 - from.as_secs() as i64;
    let nanos = i64::from(to.subsec_nanos()) - i64::from(from.subsec_nanos());
    secs * 1000 + nanos / 1_000_000
}

/// An ICMP error a ping can get instead of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PingError {
    /// Type 3 code 0.
    NetUnreachable,
    /// Type 3 code 1.
    HostUnreachable,
    /// Type 11 code 0.
    TtlExceeded,
    /// Type 3 code 4, with the next hop's MTU.
    FragNeeded(u32),
    /// The request did not fit the path MTU and DF was asked for (`-M do`): the local
    /// error EMSGSIZE, with the MTU.
    LocalMessageTooLong(u32),
    /// Any other type/code.
    Other(u8, u8),
    /// An ICMPv6 error: its type, code, and (Packet Too Big) MTU.
    V6 {
        /// ICMPv6 type.
        ty: u8,
        /// Code.
        code: u8,
        /// The MTU of a Packet Too Big.
        mtu: u32,
    },
}

impl PingError {
    /// From an ICMP type and code.
    pub fn from_icmp(ty: u8, code: u8) -> PingError {
        match (ty, code) {
            (3, 0) => PingError::NetUnreachable,
            (3, 1) => PingError::HostUnreachable,
            (11, 0) => PingError::TtlExceeded,
            (t, c) => PingError::Other(t, c),
        }
    }

    /// ping's words for it.
    pub fn as_str(&self) -> String {
        match self {
            PingError::NetUnreachable => "Destination Net Unreachable".into(),
            PingError::HostUnreachable => "Destination Host Unreachable".into(),
            PingError::TtlExceeded => "Time to live exceeded".into(),
            PingError::FragNeeded(mtu) => format!("Frag needed and DF set (mtu = {mtu})"),
            PingError::LocalMessageTooLong(mtu) => {
                format!("local error: message too long, mtu={mtu}")
            }
            PingError::Other(t, c) => format!("Bad ICMP type: {t}, code: {c}"),
            PingError::V6 { ty, code, .. } => format!("ICMPv6 type {ty} code {code}"),
        }
    }
}

/// Something a ping saw, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PingEvent {
    /// An echo reply.
    Reply {
        /// Who answered.
        from: IpAddr,
        /// Sequence number.
        seq: u16,
        /// TTL of the reply.
        ttl: u8,
        /// ICMP bytes (header + payload), as ping prints "64 bytes".
        bytes: usize,
        /// Round-trip time on the lab's clock.
        rtt: Duration,
        /// A second reply to the same request.
        dup: bool,
    },
    /// An ICMP error.
    Error {
        /// Who sent the error.
        from: IpAddr,
        /// Sequence number of the request it quotes.
        seq: u16,
        /// What it says.
        error: PingError,
    },
    /// An echo request left (or was refused by the socket): `ping -f` prints a dot for it.
    Sent {
        /// Its sequence number.
        seq: u16,
    },
    /// The ping is over.
    Finished,
}

/// A running or finished ping.
#[derive(Debug, Clone)]
pub struct PingSession {
    /// Its namespace.
    pub ns: NsId,
    /// The destination.
    pub dst: IpAddr,
    /// The source address of the requests.
    pub src: IpAddr,
    /// IPv6: the interface the requests leave by (a scope id or `-I`).
    pub oif: Option<LinkId>,
    /// ICMP id.
    pub id: u16,
    /// Options.
    pub opts: PingOptions,
    /// Requests sent.
    pub transmitted: u32,
    /// Distinct replies received.
    pub received: u32,
    /// Duplicate replies.
    pub duplicates: u32,
    /// ICMP errors received.
    pub errors: u32,
    /// Round-trip times of the replies.
    pub rtts: Vec<Duration>,
    /// The most requests outstanding at once (ping's `pipe`).
    pub pipe: u32,
    /// When the first request went.
    pub started: Duration,
    /// When the last request went.
    pub last_sent: Duration,
    /// When it finished.
    pub finished: Option<Duration>,
    events: VecDeque<PingEvent>,
    sent_at: Vec<Option<Duration>>,
    answered: HashSet<u16>,
    gen: u64,
    next_seq: u16,
    /// The alarm for the last replies is set (iputils' `waittime`, set once).
    exit_armed: bool,
    /// When the wait that woke the process ended: it acts in that tick, until it waits again.
    /// On the real clock the lab may get to it a little late; the schedule stays where the
    /// kernel's would be.
    woke_at: Option<Duration>,
}

impl PingSession {
    /// Is it over?
    pub fn is_finished(&self) -> bool {
        self.finished.is_some()
    }

    /// Ends it now (interrupted, or its namespace is gone).
    pub(crate) fn finish_now(&mut self) {
        if self.finished.is_none() {
            self.finished = Some(self.last_sent.max(self.started));
            self.events.push_back(PingEvent::Finished);
        }
        self.gen += 1;
    }

    /// ping's exit status: 0 when replies came, 1 when none did (or a deadline cut it short
    /// with fewer than asked for).
    pub fn exit_status(&self) -> i32 {
        let short =
            self.opts.deadline.is_some() && self.opts.count.is_some_and(|c| self.received < c);
        if self.received == 0 || short {
            1
        } else {
            0
        }
    }

    /// Packet loss in percent, as ping rounds it.
    pub fn loss_percent(&self) -> u32 {
        if self.transmitted == 0 {
            return 0;
        }
        ((u64::from(self.transmitted - self.received.min(self.transmitted)) * 100)
            / u64::from(self.transmitted)) as u32
    }
}

/// Identifies a ping session of a lab.
pub type PingId = usize;

impl Lab {
    /// Starts a ping from `ns` to `dst`. Fails at once, as ping's `connect` does, when there is
    /// no route ("Network is unreachable"). An IPv6 link-local or link-scope multicast
    /// destination needs `opts.interface` (its scope id, or `-I`).
    pub fn ping(
        &mut self,
        ns: NsId,
        dst: impl Into<IpAddr>,
        opts: PingOptions,
    ) -> LabResult<PingId> {
        let dst = dst.into();
        let (src, oif) = match dst {
            IpAddr::V4(dst) => (IpAddr::V4(self.ping_source4(ns, dst, &opts)?), None),
            IpAddr::V6(dst) => {
                let oif = match &opts.interface {
                    Some(dev) => Some(self.link_by_name(ns, dev)?),
                    None => None,
                };
                let r = self.route6_output(ns, dst, oif)?;
                let src = r.src.ok_or(LabError::NetworkUnreachable6(dst))?;
                (IpAddr::V6(src), oif.or(Some(r.dev)))
            }
        };
        self.ping_start(ns, dst, src, oif, opts)
    }

    fn ping_source4(&self, ns: NsId, dst: Ipv4Addr, opts: &PingOptions) -> LabResult<Ipv4Addr> {
        Ok(match &opts.interface {
            Some(dev) => {
                let l = self.link_by_name(ns, dev)?;
                self.route_output(ns, dst)?;
                self.primary_addr(l)
                    .ok_or(LabError::NetworkUnreachable(dst))?
            }
            None => {
                let nh = self.route_output(ns, dst)?;
                nh.src.ok_or(LabError::NetworkUnreachable(dst))?
            }
        })
    }

    fn ping_start(
        &mut self,
        ns: NsId,
        dst: IpAddr,
        src: IpAddr,
        oif: Option<LinkId>,
        opts: PingOptions,
    ) -> LabResult<PingId> {
        let id = match opts.id {
            Some(id) => id,
            None => (self.random_u32() & 0xffff) as u16,
        };
        let now = self.now();
        let pid = self.pings.len();
        self.pings.push(PingSession {
            ns,
            dst,
            src,
            oif,
            id,
            opts,
            transmitted: 0,
            received: 0,
            duplicates: 0,
            errors: 0,
            rtts: Vec::new(),
            pipe: 0,
            started: now,
            last_sent: now,
            finished: None,
            events: VecDeque::new(),
            sent_at: Vec::new(),
            answered: HashSet::new(),
            gen: 0,
            next_seq: 1,
            exit_armed: false,
            woke_at: None,
        });
        if let Some(d) = self.pings[pid].opts.deadline {
            // setitimer(ITIMER_REAL): an hrtimer, on time to the microsecond.
            self.schedule(now + d, Timer::PingAlarm { ping: pid });
        }
        self.pings_woken.push(pid);
        self.run_woken_pings();
        Ok(pid)
    }

    /// A ping session.
    pub fn ping_session(&self, id: PingId) -> Option<&PingSession> {
        self.pings.get(id)
    }

    /// What a ping saw since the last call.
    pub fn ping_events(&mut self, id: PingId) -> Vec<PingEvent> {
        self.pings
            .get_mut(id)
            .map(|p| p.events.drain(..).collect())
            .unwrap_or_default()
    }

    /// Stops a ping, as SIGINT does.
    pub fn ping_stop(&mut self, id: PingId) {
        if let Some(p) = self.pings.get_mut(id) {
            p.finish_now();
        }
    }

    /// Virtual time: runs until the ping has finished (or `limit` of lab time has passed).
    pub fn run_ping(&mut self, id: PingId, limit: Duration) -> LabResult<&PingSession> {
        let end = self.now() + limit;
        while !self.pings.get(id).is_none_or(|p| p.is_finished()) {
            match self.next_deadline() {
                Some(t) if t <= end => self.advance_to(t)?,
                _ => {
                    self.advance_to(end)?;
                    break;
                }
            }
        }
        self.pings.get(id).ok_or(LabError::NotFound("ping"))
    }

    fn ping_send(&mut self, pid: PingId) {
        let now = self.now();
        let Some(p) = self.pings.get_mut(pid) else {
            return;
        };
        if p.is_finished() {
            return;
        }
        let seq = p.next_seq;
        p.next_seq = p.next_seq.wrapping_add(1);
        p.transmitted += 1;
        p.last_sent = now;
        let outstanding = p.transmitted - p.received.min(p.transmitted);
        p.pipe = p.pipe.max(outstanding.saturating_sub(p.errors));
        let idx = usize::from(seq);
        if p.sent_at.len() <= idx {
            p.sent_at.resize(idx + 1, None);
        }
        p.sent_at[idx] = Some(now);
        p.events.push_back(PingEvent::Sent { seq });
        let (ns, src, dst, id, size, ttl) = (p.ns, p.src, p.dst, p.id, p.opts.size, p.opts.ttl);
        let pmtudisc = p.opts.pmtudisc;
        let oif = p.oif;
        let hop_limit = p.opts.hop_limit;
        let (src, dst) = match (src, dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => (s, d),
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                self.event(EventKind::PingSent { ping: pid, seq });
                // The way out's MTU, or the path MTU its route learned if smaller.
                let mtu = oif
                    .and_then(|o| self.route6_output(ns, d, Some(o)).ok())
                    .and_then(|r| self.fabric.link(r.dev))
                    .map_or(u32::MAX, |l| l.mtu);
                let mtu = self.pmtu6_exception(ns, d).map_or(mtu, |(p, _)| p.min(mtu));
                // IPV6_PMTUDISC_DO: what does not fit is refused; otherwise the stack cuts it.
                if pmtudisc == Pmtudisc::Do && size.saturating_add(48) > mtu as usize {
                    let err = PingError::LocalMessageTooLong(mtu);
                    self.ping_error(ns, src, id, seq, err);
                    return;
                }
                // Nothing is allocated for a message no IPv6 packet can carry (no jumbograms).
                if size.saturating_add(8) > 0xFFFF {
                    return;
                }
                let data = self.ping_payload(size, now);
                if let Some(dev) = oif {
                    self.ping_send6(ns, dev, (s, d), (id, seq), hop_limit, data);
                }
                self.pump();
                return;
            }
            _ => return,
        };
        // Nothing is allocated for a datagram IPv4 cannot carry. raw_sendmsg refuses an ICMP
        // message over 0xFFFF bytes with EMSGSIZE and no word on the error queue (ping counts
        // it sent and says nothing); ip_append_data refuses a datagram over 0xFFFF with a
        // local error carrying the route's MTU (at most IP_MAX_MTU).
        if size.saturating_add(8) > 0xFFFF {
            self.event(EventKind::PingSent { ping: pid, seq });
            return;
        }
        // ip_append_data: the datagram against the path MTU, as IP_MTU_DISCOVER says.
        let mtu = self
            .route_output(ns, dst)
            .map(|nh| self.output_mtu(ns, dst, nh.dev))
            .unwrap_or(u32::MAX);
        let fits = 28 + size <= mtu as usize;
        if 28 + size > 0xFFFF {
            self.event(EventKind::PingSent { ping: pid, seq });
            let mtu = mtu.min(0xFFFF);
            self.ping_error(ns, src.into(), id, seq, PingError::LocalMessageTooLong(mtu));
            return;
        }
        if !fits && pmtudisc == Pmtudisc::Do {
            self.event(EventKind::PingSent { ping: pid, seq });
            self.ping_error(ns, src.into(), id, seq, PingError::LocalMessageTooLong(mtu));
            return;
        }
        let df = match pmtudisc {
            Pmtudisc::Dont => false,
            Pmtudisc::Want => fits,
            Pmtudisc::Do => true,
        };
        // ip_select_ident: only a datagram that must not be fragmented (DF under `-M do`;
        // `want` lets the stack fragment it after all: ignore_df) goes out with id 0.
        let ip_id = if pmtudisc == Pmtudisc::Do {
            0
        } else {
            self.ip_select_ident(ns, src, dst, wire::IPPROTO_ICMP)
        };
        let data = self.ping_payload(size, now);
        let icmp = IcmpRepr::EchoRequest { id, seq, data };
        let d = wire::icmp_datagram(
            Ipv4Params {
                src,
                dst,
                ttl,
                id: ip_id,
                df,
                tos: 0,
            },
            &icmp,
        );
        self.event(EventKind::PingSent { ping: pid, seq });
        self.ip_output(ns, d);
        self.pump();
    }

    /// An echo payload: the send time (struct timeval), then bytes 0x10, 0x11, ...
    fn ping_payload(&self, size: usize, now: Duration) -> Bytes {
        let mut data = vec![0u8; size];
        for (i, b) in data.iter_mut().enumerate() {
            *b = i as u8;
        }
        if size >= 16 {
            let wall = self.config.epoch_us + now.as_micros() as u64;
            data[0..8].copy_from_slice(&(wall / 1_000_000).to_le_bytes());
            data[8..16].copy_from_slice(&(wall % 1_000_000).to_le_bytes());
        }
        Bytes::from(data)
    }

    /// An ICMPv6 echo request out of `dev`: hop limit 64, or 1 to a group (the socket's
    /// IPV6_MULTICAST_HOPS default) unless `-t` set both.
    fn ping_send6(
        &mut self,
        ns: NsId,
        dev: LinkId,
        (src, dst): (Ipv6Addr, Ipv6Addr),
        (id, seq): (u16, u16),
        hop_limit: Option<u8>,
        data: Bytes,
    ) {
        let hops = hop_limit.unwrap_or(if dst.is_multicast() {
            1
        } else {
            DEFAULT_HOP_LIMIT
        });
        let mut icmp = vec![ECHO_REQUEST, 0, 0, 0];
        icmp.extend_from_slice(&id.to_be_bytes());
        icmp.extend_from_slice(&seq.to_be_bytes());
        icmp.extend_from_slice(&data);
        let p = icmp6_packet(src, dst, hops, icmp);
        match self.route6_output(ns, dst, Some(dev)) {
            Ok(r) => self.ip6_output_via(ns, r.dev, r.nexthop(dst), p),
            Err(_) => self.ip6_output(ns, dev, p),
        }
    }

    /// Lets every woken ping's process act, until none is left: one at a time, as what one
    /// sends may wake another.
    pub(crate) fn run_woken_pings(&mut self) {
        if self.pings_running {
            return;
        }
        self.pings_running = true;
        let mut ran = Vec::new();
        while !self.pings_woken.is_empty() {
            let mut woken = std::mem::take(&mut self.pings_woken);
            woken.dedup();
            for pid in woken {
                self.ping_main_loop(pid);
                ran.push(pid);
            }
        }
        // What a process does while it runs (a reply read right after its send) happens in
        // the tick it woke in.
        for pid in ran {
            if let Some(p) = self.pings.get_mut(pid) {
                p.woke_at = None;
            }
        }
        self.pings_running = false;
    }

    /// One pass of iputils' main_loop() up to its next wait: the exit checks, pinger() (send
    /// when `interval` whole milliseconds have passed since the last send, never catching up
    /// a late one), schedule_exit() once all are sent, then the wait. The wait is recvmsg()
    /// under SO_RCVTIMEO = interval, which the kernel turns into whole jiffies, rounded up,
    /// and a timer-wheel timer (rounded up again to its level's bucket), unless less than the
    /// interval is left (a reply took a millisecond or more): then poll() waits the
    /// milliseconds left, and its slack.
    fn ping_main_loop(&mut self, pid: PingId) {
        let Some(p) = self.pings.get_mut(pid) else {
            return;
        };
        let now = self.clock.now();
        let now = p.woke_at.map_or(now, |t| t.min(now));
        if p.is_finished() {
            return;
        }
        let answered = p.received + p.errors;
        if p.opts.count.is_some_and(|c| answered >= c)
            || (p.opts.deadline.is_some() && p.errors > 0)
        {
            self.ping_finish(pid);
            return;
        }
        let interval = p.opts.interval;
        let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
        // pinger(): with -w, -c does not stop the sending, only the replies do.
        let all_sent =
            p.opts.deadline.is_none() && p.opts.count.is_some_and(|c| p.transmitted >= c);
        let next = if all_sent {
            // pinger(): nothing is left to send.
            0
        } else if p.transmitted == 0 || ping_elapsed_ms(p.last_sent, now) >= interval_ms {
            self.ping_send(pid);
            if let Some(p) = self.pings.get_mut(pid) {
                p.last_sent = now;
            }
            interval_ms
        } else {
            interval_ms - ping_elapsed_ms(p.last_sent, now)
        };
        let Some(p) = self.pings.get_mut(pid) else {
            return;
        };
        if p.is_finished() {
            return;
        }
        let all_sent =
            p.opts.deadline.is_none() && p.opts.count.is_some_and(|c| p.transmitted >= c);
        if all_sent && !p.exit_armed {
            // schedule_exit(): SIGALRM when the last replies are overdue.
            p.exit_armed = true;
            let waittime = if p.received > 0 {
                let tmax = p.rtts.iter().copied().max().unwrap_or_default();
                (2 * tmax).max(interval)
            } else {
                p.opts.wait.unwrap_or(DEFAULT_LINGER)
            };
            self.schedule(now + waittime, Timer::PingAlarm { ping: pid });
        }
        if all_sent {
            // Nothing is left to send: only a reply or the alarm matters now.
            return;
        }
        self.ping_wait(pid, next, now);
    }

    /// Arms the wait main_loop() would block in at `now`, `next` ms before the next send is
    /// due.
    fn ping_wait(&mut self, pid: PingId, next: i64, now: Duration) {
        let hz = i64::from(self.config.hz);
        let Some(p) = self.pings.get_mut(pid) else {
            return;
        };
        p.gen += 1;
        let gen = p.gen;
        let interval = p.opts.interval;
        let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
        let in_flight = p.transmitted.saturating_sub(p.received + p.errors);
        let last_sent = p.last_sent;
        let wake = Timer::Ping { ping: pid, gen };
        if interval <= MININTERVAL || next <= 0 {
            // Flood-like rates: the lab sends on the millisecond (iputils spins or polls).
            self.schedule(last_sent + interval, wake);
            return;
        }
        // SCHINT(interval): never below MINUSERINTERVAL.
        let schint = interval_ms.max(2);
        if next >= schint {
            let wheel = self.wheel();
            let timeo = wheel.to_jiffies(Duration::from_millis(schint as u64));
            let (at, level) = wheel.arm(now, timeo);
            self.timers.schedule_wheel(at, level, wake);
            return;
        }
        // Less than a jiffy left: sleep MININTERVAL if a reply is due, else spin until the
        // send is due.
        let short = if 1000 % hz == 0 {
            next <= 1000 / hz
        } else {
            next * hz <= 1000
        };
        let timeout = if short && in_flight == 0 {
            // Spinning: the send goes the moment it is due.
            self.schedule(last_sent + interval, wake);
            return;
        } else if short {
            MININTERVAL
        } else {
            Duration::from_millis(next as u64)
        };
        self.schedule(now + timeout + poll_slack(timeout), wake);
    }

    /// A ping's wait ended at `at`: its process acts once the tick's timers and backlog are
    /// done.
    pub(crate) fn ping_timer(&mut self, pid: PingId, gen: u64, at: Duration) {
        if let Some(p) = self.pings.get_mut(pid).filter(|p| p.gen == gen) {
            p.woke_at = Some(at);
            self.pings_woken.push(pid);
        }
    }

    /// SIGALRM: the deadline, or the wait for the last replies, is over.
    pub(crate) fn ping_alarm(&mut self, pid: PingId) {
        self.ping_finish(pid);
    }

    fn ping_finish(&mut self, pid: PingId) {
        let now = self.now();
        let Some(p) = self.pings.get_mut(pid) else {
            return;
        };
        if p.is_finished() {
            return;
        }
        p.finished = Some(now);
        p.gen += 1;
        p.events.push_back(PingEvent::Finished);
        let unanswered: Vec<u16> = (1..p.next_seq)
            .filter(|s| !p.answered.contains(s))
            .collect();
        for seq in unanswered {
            self.event(EventKind::PingFailed {
                ping: pid,
                seq,
                why: "no reply".into(),
            });
        }
    }

    pub(crate) fn ping_reply(
        &mut self,
        ns: NsId,
        from: IpAddr,
        id: u16,
        seq: u16,
        ttl: u8,
        bytes: usize,
    ) {
        let now = self.now();
        let Some(pid) = self.pings.iter().position(|p| {
            p.ns == ns && p.id == id && !p.is_finished() && p.dst.is_ipv6() == from.is_ipv6()
        }) else {
            return;
        };
        let p = &mut self.pings[pid];
        let Some(Some(sent)) = p.sent_at.get(usize::from(seq)).copied() else {
            return;
        };
        let rtt = now.saturating_sub(sent);
        let dup = !p.answered.insert(seq);
        if dup {
            p.duplicates += 1;
        } else {
            p.received += 1;
            p.rtts.push(rtt);
        }
        p.events.push_back(PingEvent::Reply {
            from,
            seq,
            ttl,
            bytes,
            rtt,
            dup,
        });
        self.event(EventKind::PingAnswered {
            ping: pid,
            seq,
            rtt,
        });
        // The reply that completes the count ends ping before the other replies of its tick:
        // on a kernel those (other hosts' answers to a broadcast) come microseconds later,
        // after the woken process has read what was there and exited.
        let p = &self.pings[pid];
        if !dup
            && p.opts.deadline.is_none()
            && p.opts.count.is_some_and(|c| p.received + p.errors >= c)
        {
            self.ping_finish(pid);
            return;
        }
        // The process reads every reply and error waiting before its exit checks.
        self.pings_woken.push(pid);
    }

    pub(crate) fn ping_error(
        &mut self,
        ns: NsId,
        from: IpAddr,
        id: u16,
        seq: u16,
        error: PingError,
    ) {
        let Some(pid) = self
            .pings
            .iter()
            .position(|p| p.ns == ns && p.id == id && !p.is_finished())
        else {
            return;
        };
        let p = &mut self.pings[pid];
        p.errors += 1;
        p.answered.insert(seq);
        p.events.push_back(PingEvent::Error { from, seq, error });
        self.event(EventKind::PingFailed {
            ping: pid,
            seq,
            why: error.as_str(),
        });
        // The process reads every reply and error waiting before its exit checks.
        self.pings_woken.push(pid);
    }
}
