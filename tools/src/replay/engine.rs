//! Injection and comparison, in one streaming pass. The capture's requests are put on their
//! sender's interface at their own time offset on the virtual clock, unless the sender's
//! emulated stack has just sent the same request itself (an ARP retry or probe: the stack is
//! then the one that reproduced it). Replies are never injected: each recorded reply waits
//! for an emulated one with the same key, and each emulated reply for a recorded one, within
//! [`WINDOW`]; what is left over when the window has passed is a mismatch. Only the frames
//! of the last [`WINDOW`] are held, so memory does not grow with the capture.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::wire::{Ipv4Repr, ETH_HLEN};
use l2lab_fabric::{Decision, Direction, LinkId, MacAddr};
use l2lab_sim::{CaptureId, EventKind, Lab};

use super::frame::{Key, Skip};
use super::topology::Placed;

/// How far apart in time a recorded and an emulated frame may be and still match.
pub const WINDOW: Duration = Duration::from_secs(1);

/// The mismatch lines kept for the report; beyond this they are only counted.
pub const MAX_LINES: usize = 1000;

/// What happened to a frame in the emulated bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BridgeFate {
    /// Out of one port (known unicast).
    Forwarded,
    /// Out of every port (broadcast or unknown unicast).
    Flooded,
    /// Up to the bridge's own stack only.
    Local,
    /// Dropped.
    Dropped,
    /// It never crossed a bridge.
    None,
}

impl BridgeFate {
    /// As the report says it.
    pub fn as_str(self) -> &'static str {
        match self {
            BridgeFate::Forwarded => "forwarded",
            BridgeFate::Flooded => "flooded",
            BridgeFate::Local => "delivered to the bridge",
            BridgeFate::Dropped => "dropped",
            BridgeFate::None => "not bridged",
        }
    }
}

/// One kind of mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MismatchKind {
    /// A recorded reply the emulation did not produce.
    MissingFromEmulation,
    /// An emulated reply the capture does not hold.
    MissingFromTrace,
    /// A request the emulated stacks sent on their own that the capture does not hold.
    ExtraRequest,
}

/// A mismatch, for the report.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// Which kind.
    pub kind: MismatchKind,
    /// The capture's frame number (for an emulated frame: the last capture frame before it).
    pub frame: u64,
    /// Offset from the capture's start.
    pub at: Duration,
    /// The frame.
    pub key: Key,
}

/// One line of `--trace`/`--explain`: what became of a capture frame.
#[derive(Debug, Clone)]
pub struct FrameOutcome {
    /// Frame number.
    pub frame: u64,
    /// Offset from the capture's start.
    pub at: Duration,
    /// The frame.
    pub key: Key,
    /// What replay did with it.
    pub action: &'static str,
    /// The emulated bridge's decision for it (injected frames and matched replies).
    pub fate: BridgeFate,
    /// For a reply matched: the emulated time it appeared at.
    pub matched_at: Option<Duration>,
}

/// Totals.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Capture records read.
    pub frames: u64,
    /// Records that were not Ethernet.
    pub skipped_link: u64,
    /// Ethernet frames that were not ARP, ICMPv4 or ICMPv6.
    pub skipped_proto: u64,
    /// ICMPv6 replay does not model (MLD, router discovery, DAD), by kind.
    pub unmodelled: BTreeMap<&'static str, u64>,
    /// IPv6 packets or ICMPv6 messages that were not well formed, by what was wrong.
    pub malformed: BTreeMap<&'static str, u64>,
    /// ARP/ICMP frames from a source MAC that is no host (multicast, zero).
    pub skipped_source: u64,
    /// The capture's requests from its hosts.
    pub requests: u64,
    /// Requests injected.
    pub injected: u64,
    /// Later pieces of fragmented requests, injected after their first piece.
    pub fragments: u64,
    /// Requests the emulated stacks sent themselves, matching the capture's.
    pub reproduced: u64,
    /// Recorded replies.
    pub replies: u64,
    /// Recorded replies matched.
    pub matched: u64,
    /// Recorded replies missing from the emulation.
    pub missing_from_emulation: u64,
    /// Emulated replies missing from the capture.
    pub missing_from_trace: u64,
    /// Requests emulated stacks sent that the capture does not hold.
    pub extra_requests: u64,
    /// The emulated bridge's decisions on injected and emulated frames.
    pub flooded: u64,
    /// Forwarded.
    pub forwarded: u64,
    /// Delivered to the bridge.
    pub local: u64,
    /// Dropped.
    pub dropped: u64,
}

struct Pending {
    frame: u64,
    at: Duration,
    fate: BridgeFate,
}

/// Frames waiting for their counterpart, by key, plus their order of arrival for expiry.
#[derive(Default)]
struct Pool {
    by_key: HashMap<Key, VecDeque<Pending>>,
    order: VecDeque<(Duration, Key)>,
}

impl Pool {
    fn push(&mut self, key: Key, p: Pending) {
        self.order.push_back((p.at, key));
        self.by_key.entry(key).or_default().push_back(p);
    }

    /// Takes the oldest waiting frame with `key` not older than `since`.
    fn take(&mut self, key: &Key, since: Duration) -> Option<Pending> {
        let q = self.by_key.get_mut(key)?;
        while q.front().is_some_and(|p| p.at + WINDOW < since) {
            q.pop_front();
        }
        let p = q.pop_front();
        if q.is_empty() {
            self.by_key.remove(key);
        }
        p
    }

    /// Removes and returns what waited longer than the window at `now`.
    fn expire(&mut self, now: Duration, out: &mut Vec<(Key, Pending)>) {
        while let Some((at, key)) = self.order.front().copied() {
            if at + WINDOW >= now {
                break;
            }
            self.order.pop_front();
            if let Some(q) = self.by_key.get_mut(&key) {
                // Entries of a key leave in arrival order; one already matched left earlier.
                if q.front().is_some_and(|p| p.at == at) {
                    if let Some(p) = q.pop_front() {
                        out.push((key, p));
                    }
                }
                if q.is_empty() {
                    self.by_key.remove(&key);
                }
            }
        }
    }
}

/// The replay in progress.
pub struct Engine {
    /// The lab.
    pub lab: Lab,
    hosts: HashMap<MacAddr, LinkId>,
    /// The host interface each capture is on.
    caps: HashMap<CaptureId, LinkId>,
    /// Lab time of the capture's first frame.
    origin: Duration,
    recorded: Pool,
    emulated: Pool,
    emulated_requests: Pool,
    /// The capture's requests that the sender's emulated stack is about to send itself (a
    /// retry its neighbour timer will make), waiting for it.
    awaited: Pool,
    /// The capture's last offset, once it has ended.
    cutoff: Option<Duration>,
    /// Last capture frame number seen.
    last_frame: u64,
    /// Totals.
    pub counts: Counts,
    /// Mismatches (the first [`MAX_LINES`]).
    pub mismatches: Vec<Mismatch>,
    /// Outcome of each frame, when asked for (`--trace`, `--explain`).
    pub outcomes: Option<Vec<FrameOutcome>>,
    /// The `-o` capture on the bridge.
    pub bridge_cap: Option<CaptureId>,
    fates: HashMap<Bytes, BridgeFate>,
    /// Fragmented requests whose first piece was injected: (when, source, destination, IP
    /// id), kept for [`WINDOW`], so that their later pieces follow them.
    split: VecDeque<(Duration, std::net::Ipv4Addr, std::net::Ipv4Addr, u16)>,
    /// The capture's requests and whether the capture answered them.
    pub answers: super::answers::Answers,
}

/// The IPv4 header of an Ethernet frame, when it carries one.
fn ipv4_of(frame: &[u8]) -> Option<Ipv4Repr> {
    if frame.get(12..14) != Some(&[0x08, 0x00]) {
        return None;
    }
    Ipv4Repr::parse(frame.get(ETH_HLEN..)?)
        .ok()
        .map(|(ip, _)| ip)
}

impl Engine {
    /// Starts replaying into `lab` once it has settled; frames then count from `origin`.
    pub fn new(mut lab: Lab, hosts: &[Placed], keep_outcomes: bool) -> Engine {
        // Links come up and bridge ports start forwarding before the first frame. The
        // hosts' captures start after: what the hosts say meanwhile (IPv6's MLD reports,
        // flooded to every port) is no part of the replay, and N captures holding N hosts'
        // reports would cost N² in memory.
        let _ = lab.advance(Duration::from_secs(3));
        let mut caps = HashMap::new();
        let mut by_mac = HashMap::new();
        for p in hosts {
            by_mac.insert(p.host.mac, p.link);
            if let Some(i) = lab.iface(p.link) {
                let (ns, name) = (i.ns, i.name.clone());
                if let Ok(c) = lab.capture_start(ns, &name, false) {
                    caps.insert(c, p.link);
                }
            }
        }
        lab.set_recording(true);
        let _ = lab.drain_events();
        let _ = lab.capture_take_fresh(|c| caps.contains_key(&c));
        let origin = lab.now();
        Engine {
            lab,
            hosts: by_mac,
            caps,
            origin,
            recorded: Pool::default(),
            emulated: Pool::default(),
            emulated_requests: Pool::default(),
            awaited: Pool::default(),
            cutoff: None,
            last_frame: 0,
            counts: Counts::default(),
            mismatches: Vec::new(),
            outcomes: keep_outcomes.then(Vec::new),
            bridge_cap: None,
            fates: HashMap::new(),
            split: VecDeque::new(),
            answers: Default::default(),
        }
    }

    /// The capture's offset of lab time `t`.
    fn offset(&self, t: Duration) -> Duration {
        t.saturating_sub(self.origin)
    }

    /// Lab time zero of the capture.
    pub fn origin(&self) -> Duration {
        self.origin
    }

    fn mismatch(&mut self, kind: MismatchKind, frame: u64, at: Duration, key: Key) {
        match kind {
            MismatchKind::MissingFromEmulation => self.counts.missing_from_emulation += 1,
            MismatchKind::MissingFromTrace => self.counts.missing_from_trace += 1,
            MismatchKind::ExtraRequest => self.counts.extra_requests += 1,
        }
        if self.mismatches.len() < MAX_LINES {
            self.mismatches.push(Mismatch {
                kind,
                frame,
                at,
                key,
            });
        }
    }

    fn outcome(&mut self, o: FrameOutcome) {
        if let Some(v) = &mut self.outcomes {
            v.push(o);
        }
    }

    /// Reads the bridge decisions since the last call, by frame bytes.
    fn collect_fates(&mut self) {
        let mut journeys: HashMap<u64, Bytes> = HashMap::new();
        for e in self.lab.drain_events() {
            let EventKind::Wire(r) = e.kind else { continue };
            let fate = match r.decision {
                Decision::Sent { frame, .. } => {
                    journeys.insert(r.journey, frame);
                    continue;
                }
                Decision::Forwarded { .. } => BridgeFate::Forwarded,
                Decision::Flooded { .. } => BridgeFate::Flooded,
                Decision::DeliveredLocal { .. } => BridgeFate::Local,
                Decision::Dropped { .. } => BridgeFate::Dropped,
                _ => continue,
            };
            if let Some(f) = journeys.get(&r.journey) {
                let slot = self.fates.entry(f.clone()).or_insert(BridgeFate::None);
                // The first bridge's decision is the one a frame is known by.
                if *slot == BridgeFate::None {
                    *slot = fate;
                }
            }
        }
    }

    fn fate_of(&mut self, frame: &Bytes) -> BridgeFate {
        let f = self.fates.remove(frame).unwrap_or(BridgeFate::None);
        match f {
            BridgeFate::Flooded => self.counts.flooded += 1,
            BridgeFate::Forwarded => self.counts.forwarded += 1,
            BridgeFate::Local => self.counts.local += 1,
            BridgeFate::Dropped => self.counts.dropped += 1,
            BridgeFate::None => {}
        }
        f
    }

    /// Takes what the hosts sent since the last call; `skip` is a frame we injected ourselves
    /// on that link, not the stack's.
    fn collect(&mut self, mut skip: Option<(LinkId, Bytes)>) {
        self.collect_fates();
        let now_frame = self.last_frame;
        let caps = &self.caps;
        // Only the captures that saw something: a frame costs the hosts it reached.
        let fresh = self.lab.capture_take_fresh(|c| caps.contains_key(&c));
        for (c, frames) in fresh {
            let Some(&link) = self.caps.get(&c) else {
                continue;
            };
            for f in frames {
                if f.direction != Direction::Out {
                    continue;
                }
                if skip
                    .as_ref()
                    .is_some_and(|(l, b)| *l == link && *b == f.frame)
                {
                    skip = None;
                    let _ = self.fate_of(&f.frame);
                    continue;
                }
                let Ok(key) = Key::parse(&f.frame) else {
                    continue;
                };
                let at = self.offset(f.at);
                // After the capture's end only the retries it awaits count.
                let late = self.cutoff.is_some_and(|c| at > c);
                if late && !(key.is_request() && self.awaited.by_key.contains_key(&key)) {
                    continue;
                }
                let fate = self.fate_of(&f.frame);
                let p = Pending {
                    frame: now_frame,
                    at,
                    fate,
                };
                if key.is_request() {
                    if let Some(r) = self.awaited.take(&key, at) {
                        self.counts.reproduced += 1;
                        self.outcome(FrameOutcome {
                            frame: r.frame,
                            at: r.at,
                            key,
                            action: "request reproduced by the emulated stack",
                            fate,
                            matched_at: Some(at),
                        });
                    } else {
                        self.emulated_requests.push(key, p);
                    }
                } else if let Some(r) = self.recorded.take(&key, at) {
                    self.counts.matched += 1;
                    self.outcome(FrameOutcome {
                        frame: r.frame,
                        at: r.at,
                        key,
                        action: "reply matched",
                        fate,
                        matched_at: Some(at),
                    });
                } else {
                    self.emulated.push(key, p);
                }
            }
        }
        self.fates.clear();
    }

    /// Reports what waited longer than the window.
    fn expire(&mut self, now: Duration) {
        let mut gone = Vec::new();
        self.recorded.expire(now, &mut gone);
        for (k, p) in gone.drain(..) {
            self.mismatch(MismatchKind::MissingFromEmulation, p.frame, p.at, k);
            self.outcome(FrameOutcome {
                frame: p.frame,
                at: p.at,
                key: k,
                action: "reply missing from the emulation",
                fate: BridgeFate::None,
                matched_at: None,
            });
        }
        self.emulated.expire(now, &mut gone);
        for (k, p) in gone.drain(..) {
            self.mismatch(MismatchKind::MissingFromTrace, p.frame, p.at, k);
        }
        self.awaited.expire(now, &mut gone);
        for (k, p) in gone.drain(..) {
            self.mismatch(MismatchKind::MissingFromEmulation, p.frame, p.at, k);
            self.outcome(FrameOutcome {
                frame: p.frame,
                at: p.at,
                key: k,
                action: "request the emulated stack did not repeat",
                fate: BridgeFate::None,
                matched_at: None,
            });
        }
        self.emulated_requests.expire(now, &mut gone);
        for (k, p) in gone.drain(..) {
            self.mismatch(MismatchKind::ExtraRequest, p.frame, p.at, k);
        }
    }

    /// Replays one capture frame at offset `at` from the capture's start.
    pub fn frame(&mut self, number: u64, at: Duration, data: Vec<u8>) {
        self.counts.frames = self.counts.frames.max(number);
        let key = match Key::parse(&data) {
            Ok(k) => k,
            Err(Skip::NotArpIcmp) => {
                if !self.later_fragment(at, data) {
                    self.counts.skipped_proto += 1;
                }
                return;
            }
            Err(Skip::Unmodelled(kind)) => {
                *self.counts.unmodelled.entry(kind).or_default() += 1;
                return;
            }
            Err(Skip::Malformed(why)) => {
                *self.counts.malformed.entry(why).or_default() += 1;
                return;
            }
        };
        let target = self.origin + at;
        if target > self.lab.now() {
            let _ = self.lab.advance_to(target);
        }
        self.collect(None);
        self.last_frame = number;
        self.expire(at);
        self.answers.expire(at);
        if key.is_request() {
            let Some(&link) = self.hosts.get(&key.src) else {
                self.counts.skipped_source += 1;
                return;
            };
            self.counts.requests += 1;
            self.answers.asked(number, at, key);
            if let Some(p) = self.emulated_requests.take(&key, at) {
                self.counts.reproduced += 1;
                self.outcome(FrameOutcome {
                    frame: number,
                    at,
                    key,
                    action: "request reproduced by the emulated stack",
                    fate: p.fate,
                    matched_at: Some(p.at),
                });
                return;
            }
            if self.lab.replay_will_resend(link, &data) {
                self.awaited.push(
                    key,
                    Pending {
                        frame: number,
                        at,
                        fate: BridgeFate::None,
                    },
                );
                return;
            }
            if let Some(ip) = ipv4_of(&data).filter(|ip| ip.more_fragments) {
                self.split.push_back((at, ip.src, ip.dst, ip.id));
            }
            let frame = Bytes::from(data);
            self.lab.replay_transmit(link, frame.clone());
            self.counts.injected += 1;
            self.collect_fates();
            let fate = self.fates.get(&frame).copied().unwrap_or(BridgeFate::None);
            self.collect(Some((link, frame)));
            self.outcome(FrameOutcome {
                frame: number,
                at,
                key,
                action: "request injected",
                fate,
                matched_at: None,
            });
        } else {
            self.counts.replies += 1;
            self.answers.answered(&key);
            if let Some(p) = self.emulated.take(&key, at) {
                self.counts.matched += 1;
                self.outcome(FrameOutcome {
                    frame: number,
                    at,
                    key,
                    action: "reply matched",
                    fate: p.fate,
                    matched_at: Some(p.at),
                });
            } else {
                self.recorded.push(
                    key,
                    Pending {
                        frame: number,
                        at,
                        fate: BridgeFate::None,
                    },
                );
            }
        }
    }

    /// A later piece of a fragmented request whose first piece was injected goes in after
    /// it, from the same host, so that the emulated destination can put the datagram
    /// together. True when `data` was such a piece.
    fn later_fragment(&mut self, at: Duration, data: Vec<u8>) -> bool {
        while self
            .split
            .front()
            .is_some_and(|(t, ..)| at.saturating_sub(*t) > WINDOW)
        {
            self.split.pop_front();
        }
        let Some(ip) = ipv4_of(&data) else {
            return false;
        };
        if ip.frag_offset == 0
            || !self
                .split
                .iter()
                .any(|(_, s, d, id)| (*s, *d, *id) == (ip.src, ip.dst, ip.id))
        {
            return false;
        }
        let Some(&link) = data
            .get(6..12)
            .and_then(|m| <[u8; 6]>::try_from(m).ok())
            .and_then(|m| self.hosts.get(&MacAddr(m)))
        else {
            return false;
        };
        let target = self.origin + at;
        if target > self.lab.now() {
            let _ = self.lab.advance_to(target);
        }
        self.collect(None);
        let frame = Bytes::from(data);
        self.lab.replay_transmit(link, frame.clone());
        self.counts.fragments += 1;
        self.collect(Some((link, frame)));
        true
    }

    /// The capture ended at offset `end`: what still waits is a mismatch. Emulated frames
    /// after `end` are not compared (the capture had stopped), except the retries the
    /// capture's last requests await.
    pub fn finish(&mut self, end: Duration) {
        self.collect(None);
        if !self.awaited.by_key.is_empty() {
            // The capture's last requests may be retries the emulated stack makes a little
            // after them.
            self.cutoff = Some(end);
            let _ = self.lab.advance_to(self.origin + end + WINDOW);
            self.collect(None);
        }
        self.expire(end + WINDOW + WINDOW);
        self.answers.finish();
        if let Some(v) = &mut self.outcomes {
            v.sort_by_key(|o| o.frame);
        }
    }
}
