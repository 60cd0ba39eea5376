//! Which of the capture's requests got an answer in the capture: an ARP who-has by an is-at
//! from the address asked for, an echo request by its echo reply or by an ICMP error about
//! it; a neighbour solicitation by an advertisement of its target to the asker; an ICMPv6
//! echo request by its reply (from any address when it went to a group). A request still unanswered [`HORIZON`] after it was sent never was (an ARP for an
//! absent host); only the requests of the last [`HORIZON`] are held.

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use super::engine::MAX_LINES;
use super::frame::{Key, Msg};

/// How long an answer may take: ping's default -W is 10 s.
pub const HORIZON: Duration = Duration::from_secs(10);

/// What answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Wanted {
    /// An is-at for `wanted`, to `asker`.
    IsAt { asker: Ipv4Addr, wanted: Ipv4Addr },
    /// An echo reply, or an error about the request (from anyone to `src`, about `dst`).
    Echo {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        id: u16,
        seq: u16,
    },
    /// An advertisement of `target`, to `asker`.
    Advert { asker: Ipv6Addr, target: Ipv6Addr },
    /// An ICMPv6 echo reply, or an error about the request.
    Echo6 {
        src: Ipv6Addr,
        dst: Ipv6Addr,
        id: u16,
        seq: u16,
    },
}

/// A request of the capture.
#[derive(Debug, Clone)]
pub struct Request {
    /// Its frame number.
    pub frame: u64,
    /// Its offset from the capture's start.
    pub at: Duration,
    /// The frame.
    pub key: Key,
}

/// The capture's requests waiting for their answers, and those that got none.
#[derive(Debug, Default)]
pub struct Answers {
    waiting: HashMap<Wanted, Vec<Request>>,
    order: VecDeque<(Duration, Wanted)>,
    /// Requests that got no answer (the first [`MAX_LINES`]).
    pub unanswered: Vec<Request>,
    /// How many got none.
    pub count: u64,
}

impl Answers {
    /// A request was sent.
    pub fn asked(&mut self, frame: u64, at: Duration, key: Key) {
        let wanted = match key.msg {
            Msg::ArpRequest {
                sender_ip,
                target_ip,
            } => Wanted::IsAt {
                asker: sender_ip,
                wanted: target_ip,
            },
            Msg::EchoRequest { src, dst, id, seq } => Wanted::Echo { src, dst, id, seq },
            Msg::Solicit6 { src, target, .. } => Wanted::Advert { asker: src, target },
            Msg::Echo6Request { src, dst, id, seq } => Wanted::Echo6 { src, dst, id, seq },
            _ => return,
        };
        self.waiting
            .entry(wanted)
            .or_default()
            .push(Request { frame, at, key });
        self.order.push_back((at, wanted));
    }

    /// A reply was recorded: the requests it answers have their answer (an is-at answers
    /// the retries before it too).
    pub fn answered(&mut self, key: &Key) {
        match key.msg {
            Msg::ArpReply {
                sender_ip,
                target_ip,
                ..
            } => {
                self.waiting.remove(&Wanted::IsAt {
                    asker: target_ip,
                    wanted: sender_ip,
                });
            }
            Msg::EchoReply { src, dst, id, seq } => {
                self.waiting.remove(&Wanted::Echo {
                    src: dst,
                    dst: src,
                    id,
                    seq,
                });
            }
            Msg::IcmpError { dst, about, .. } => {
                self.waiting.retain(|w, _| {
                    !matches!(*w, Wanted::Echo { src, dst: to, .. } if src == dst && to == about)
                });
            }
            Msg::Advert6 { dst, target, .. } => {
                self.waiting.remove(&Wanted::Advert { asker: dst, target });
            }
            Msg::Echo6Reply { src, dst, id, seq } => {
                let exact = Wanted::Echo6 {
                    src: dst,
                    dst: src,
                    id,
                    seq,
                };
                if self.waiting.remove(&exact).is_none() {
                    // A request to a group is answered from the members' own addresses.
                    self.waiting.retain(|w, _| {
                        !matches!(*w, Wanted::Echo6 { src: s, dst: g, id: i, seq: q }
                            if s == dst && g.is_multicast() && i == id && q == seq)
                    });
                }
            }
            Msg::Icmp6Error { dst, about, .. } => {
                self.waiting.retain(|w, _| {
                    !matches!(*w, Wanted::Echo6 { src, dst: to, .. } if src == dst && to == about)
                });
            }
            _ => {}
        }
    }

    /// The capture is at offset `now`: requests sent more than [`HORIZON`] ago went
    /// unanswered.
    pub fn expire(&mut self, now: Duration) {
        while let Some(&(at, wanted)) = self.order.front() {
            if at + HORIZON >= now {
                break;
            }
            self.order.pop_front();
            let Some(q) = self.waiting.get_mut(&wanted) else {
                continue;
            };
            if q.first().is_some_and(|r| r.at == at) {
                let r = q.remove(0);
                self.count += 1;
                if self.unanswered.len() < MAX_LINES {
                    self.unanswered.push(r);
                }
            }
            if q.is_empty() {
                self.waiting.remove(&wanted);
            }
        }
    }

    /// The capture ended: what still waits went unanswered.
    pub fn finish(&mut self) {
        self.expire(Duration::MAX);
        self.unanswered.sort_by_key(|r| r.frame);
    }
}
