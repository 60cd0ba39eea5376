//! Connection tracking (nf_conntrack_core.c): each connection is known by the tuple of its
//! original direction and of its reply direction; NAT changes the reply tuple, and a packet
//! of either direction finds its connection by its own tuple. Entries live while packets
//! keep coming: ICMP 30 s (nf_conntrack_icmp_timeout), UDP 30 s and 120 s once answered
//! (nf_conntrack_udp_timeout[_stream]), others 600 s (nf_conntrack_generic_timeout).

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use l2lab_fabric::wire::IPPROTO_ICMP;

/// UDP's protocol number.
pub const IPPROTO_UDP: u8 = 17;
/// TCP's protocol number.
pub const IPPROTO_TCP: u8 = 6;

const ICMP_TIMEOUT: Duration = Duration::from_secs(30);
const UDP_TIMEOUT: Duration = Duration::from_secs(30);
const UDP_STREAM_TIMEOUT: Duration = Duration::from_secs(120);
const GENERIC_TIMEOUT: Duration = Duration::from_secs(600);

/// What identifies one direction of a connection. For ICMP echo `a` is the id and `b` the
/// type (8 for the request's direction, 0 for the reply's); for UDP and TCP `a` and `b` are
/// the source and destination ports; other protocols have neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tuple {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// IP protocol.
    pub proto: u8,
    /// Id or source port.
    pub a: u16,
    /// Type or destination port.
    pub b: u16,
}

impl Tuple {
    /// The tuple of the packets that answer these.
    pub fn invert(&self) -> Tuple {
        match self.proto {
            IPPROTO_ICMP => Tuple {
                src: self.dst,
                dst: self.src,
                proto: self.proto,
                a: self.a,
                b: if self.b == 8 { 0 } else { 8 },
            },
            IPPROTO_UDP | IPPROTO_TCP => Tuple {
                src: self.dst,
                dst: self.src,
                proto: self.proto,
                a: self.b,
                b: self.a,
            },
            _ => Tuple {
                src: self.dst,
                dst: self.src,
                ..*self
            },
        }
    }
}

/// Which way a packet goes in its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// As the first packet went.
    Original,
    /// Back.
    Reply,
}

/// One tracked connection.
#[derive(Debug, Clone)]
pub struct Conn {
    /// The first packet's tuple.
    pub orig: Tuple,
    /// The tuple its answers will carry (after NAT).
    pub reply: Tuple,
    /// When it is forgotten unless another packet comes.
    pub expires: Duration,
    /// Its first packet went all the way through (nf_conntrack_confirm).
    pub confirmed: bool,
    /// A packet came back.
    pub replied: bool,
}

impl Conn {
    /// The source was translated.
    pub fn snat(&self) -> bool {
        let r = self.reply;
        let o = self.orig;
        r.dst != o.src || reply_port_to_orig_src(o.proto, &r) != orig_src_port(&o)
    }

    /// The destination was translated.
    pub fn dnat(&self) -> bool {
        self.reply.src != self.orig.dst
    }
}

/// The "source identifier" of an original tuple: the ICMP id or the source port.
fn orig_src_port(o: &Tuple) -> u16 {
    o.a
}

/// What in a reply tuple stands for the original's source identifier.
fn reply_port_to_orig_src(proto: u8, r: &Tuple) -> u16 {
    if proto == IPPROTO_ICMP {
        r.a
    } else {
        r.b
    }
}

/// The connection table of one namespace.
#[derive(Debug, Default)]
pub struct Conntrack {
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    by_tuple: HashMap<Tuple, (usize, Dir)>,
    unconfirmed: Vec<usize>,
}

impl Conntrack {
    /// How many connections are tracked.
    pub fn len(&self) -> usize {
        self.conns.iter().flatten().count()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every tracked connection.
    pub fn conns(&self) -> impl Iterator<Item = &Conn> {
        self.conns.iter().flatten()
    }

    /// The connection a packet with tuple `t` belongs to, and its direction; an expired
    /// entry is forgotten first.
    pub fn lookup(&mut self, t: &Tuple, now: Duration) -> Option<(usize, Dir)> {
        let (id, dir) = *self.by_tuple.get(t)?;
        let expired = self
            .conns
            .get(id)
            .and_then(Option::as_ref)
            .is_none_or(|c| c.confirmed && c.expires <= now);
        if expired {
            self.remove(id);
            return None;
        }
        Some((id, dir))
    }

    /// The connection numbered `id`.
    pub fn get(&self, id: usize) -> Option<&Conn> {
        self.conns.get(id).and_then(Option::as_ref)
    }

    /// Starts tracking a connection whose first packet has tuple `orig` (unconfirmed until
    /// that packet leaves or is delivered).
    pub fn create(&mut self, orig: Tuple, now: Duration) -> usize {
        let conn = Conn {
            orig,
            reply: orig.invert(),
            expires: now + timeout(orig.proto, false),
            confirmed: false,
            replied: false,
        };
        let id = match self.free.pop() {
            Some(i) => {
                self.conns[i] = Some(conn);
                i
            }
            None => {
                self.conns.push(Some(conn));
                self.conns.len() - 1
            }
        };
        self.by_tuple.insert(orig, (id, Dir::Original));
        self.by_tuple.insert(orig.invert(), (id, Dir::Reply));
        self.unconfirmed.push(id);
        id
    }

    /// Whether a connection other than `except` already answers to `t`.
    pub fn taken(&self, t: &Tuple, except: usize) -> bool {
        self.by_tuple.get(t).is_some_and(|(id, _)| *id != except)
    }

    /// NAT decided the connection's replies carry `reply`.
    pub fn set_reply(&mut self, id: usize, reply: Tuple) {
        let Some(c) = self.conns.get_mut(id).and_then(Option::as_mut) else {
            return;
        };
        let old = c.reply;
        c.reply = reply;
        if self.by_tuple.get(&old) == Some(&(id, Dir::Reply)) {
            self.by_tuple.remove(&old);
        }
        self.by_tuple.insert(reply, (id, Dir::Reply));
    }

    /// The first packet made it through: the connection stays.
    pub fn confirm(&mut self, id: usize) {
        if let Some(c) = self.conns.get_mut(id).and_then(Option::as_mut) {
            c.confirmed = true;
        }
        self.unconfirmed.retain(|i| *i != id);
    }

    /// Another packet of the connection: its timer starts again.
    pub fn refresh(&mut self, id: usize, dir: Dir, now: Duration) {
        if let Some(c) = self.conns.get_mut(id).and_then(Option::as_mut) {
            if dir == Dir::Reply {
                c.replied = true;
            }
            c.expires = now + timeout(c.orig.proto, c.replied);
        }
    }

    /// Connections whose first packet died on the way are forgotten with it.
    pub fn drop_unconfirmed(&mut self) {
        for id in std::mem::take(&mut self.unconfirmed) {
            if self.get(id).is_some_and(|c| !c.confirmed) {
                self.remove(id);
            }
        }
    }

    /// Forgets every connection (`conntrack -F`, or the table going away).
    pub fn flush(&mut self) {
        *self = Conntrack::default();
    }

    fn remove(&mut self, id: usize) {
        let Some(c) = self.conns.get_mut(id).and_then(Option::take) else {
            return;
        };
        for t in [c.orig, c.reply] {
            if self.by_tuple.get(&t).is_some_and(|(i, _)| *i == id) {
                self.by_tuple.remove(&t);
            }
        }
        self.free.push(id);
    }
}

fn timeout(proto: u8, replied: bool) -> Duration {
    match proto {
        IPPROTO_ICMP => ICMP_TIMEOUT,
        IPPROTO_UDP if replied => UDP_STREAM_TIMEOUT,
        IPPROTO_UDP => UDP_TIMEOUT,
        _ => GENERIC_TIMEOUT,
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn echo(src: [u8; 4], dst: [u8; 4], id: u16) -> Tuple {
        Tuple {
            src: src.into(),
            dst: dst.into(),
            proto: IPPROTO_ICMP,
            a: id,
            b: 8,
        }
    }

    #[test]
    fn replies_find_their_connection_after_nat() {
        let mut ct = Conntrack::default();
        let t0 = Duration::ZERO;
        let o = echo([192, 168, 88, 12], [114, 114, 114, 114], 7);
        let id = ct.create(o, t0);
        let mut r = o.invert();
        r.dst = [10, 0, 2, 15].into();
        ct.set_reply(id, r);
        ct.confirm(id);
        assert_eq!(ct.lookup(&r, t0), Some((id, Dir::Reply)));
        assert_eq!(ct.lookup(&o, t0), Some((id, Dir::Original)));
        assert!(ct.get(id).is_some_and(|c| c.snat() && !c.dnat()));
        // Not refreshed: gone after 30 s.
        assert_eq!(ct.lookup(&o, Duration::from_secs(30)), None);
        assert!(ct.is_empty());
    }

    #[test]
    fn a_first_packet_that_dies_leaves_nothing() {
        let mut ct = Conntrack::default();
        let o = echo([192, 168, 88, 12], [114, 114, 114, 114], 7);
        ct.create(o, Duration::ZERO);
        ct.drop_unconfirmed();
        assert_eq!(ct.lookup(&o, Duration::ZERO), None);
        assert!(ct.is_empty());
    }
}
