//! Lab events: the wire's decision records plus what the stacks and the control plane did.
//! They feed the event trace and the narration.

use std::time::Duration;

use l2lab_fabric::{LinkId, MacAddr, Record};

use crate::stack::neigh::NeighState;
use crate::NsId;

/// Something that happened in the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A decision record of the wire.
    Wire(Record),
    /// A namespace was created.
    NetnsAdded {
        /// Its name.
        name: String,
    },
    /// A namespace was deleted.
    NetnsDeleted {
        /// Its name.
        name: String,
    },
    /// An interface was created.
    LinkAdded {
        /// Where.
        ns: NsId,
        /// Which.
        link: LinkId,
        /// Its name.
        name: String,
        /// Its kind (`veth`, `bridge`, `loopback`).
        kind: &'static str,
        /// The other end of a veth.
        peer: Option<LinkId>,
    },
    /// An interface was deleted.
    LinkDeleted {
        /// Where it was.
        ns: NsId,
        /// That namespace's name (it may be gone by the time the event is read).
        ns_name: String,
        /// Which.
        link: LinkId,
        /// Its name.
        name: String,
    },
    /// An interface was set up or down.
    LinkAdmin {
        /// Which.
        link: LinkId,
        /// Up now.
        up: bool,
    },
    /// An interface joined (`Some`) or left (`None`) a bridge.
    Master {
        /// The interface.
        link: LinkId,
        /// The bridge.
        bridge: Option<LinkId>,
    },
    /// An interface moved to another namespace.
    LinkMoved {
        /// Which.
        link: LinkId,
        /// From.
        from: NsId,
        /// To.
        to: NsId,
    },
    /// An interface was renamed.
    LinkRenamed {
        /// Which.
        link: LinkId,
        /// New name.
        name: String,
    },
    /// An address was added (`true`) or removed.
    Address {
        /// The interface.
        link: LinkId,
        /// The address, as `a.b.c.d/len`.
        addr: String,
        /// Added or removed.
        added: bool,
    },
    /// A route was added (`true`) or removed.
    Route {
        /// The namespace.
        ns: NsId,
        /// The route, as `ip route` would print its head.
        route: String,
        /// Added or removed.
        added: bool,
    },
    /// A neighbour entry changed state.
    Neigh {
        /// The namespace.
        ns: NsId,
        /// The interface.
        dev: LinkId,
        /// The neighbour's address.
        ip: std::net::IpAddr,
        /// Its MAC if known.
        mac: Option<MacAddr>,
        /// The state before (`None` for a new entry).
        from: Option<NeighState>,
        /// The state now (`None` when removed).
        to: Option<NeighState>,
    },
    /// A ping sent an echo request.
    PingSent {
        /// The ping session.
        ping: usize,
        /// Sequence number.
        seq: u16,
    },
    /// A ping got its echo reply.
    PingAnswered {
        /// The ping session.
        ping: usize,
        /// Sequence number.
        seq: u16,
        /// Round-trip time.
        rtt: Duration,
    },
    /// A ping got an ICMP error or gave up waiting.
    PingFailed {
        /// The ping session.
        ping: usize,
        /// Sequence number.
        seq: u16,
        /// Why, in ping's words.
        why: String,
    },
}

/// An event with the lab time it happened at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Lab time.
    pub at: Duration,
    /// What happened.
    pub kind: EventKind,
}
