//! Decision records: what happened to a frame at each step of its journey, and the state
//! changes of the wire. They feed the event trace and the narration.

use std::time::Duration;

use bytes::Bytes;

use crate::bridge::PortState;
use crate::{LinkId, MacAddr};

/// Why a frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// Sent on an interface that is down.
    LinkDown,
    /// Sent on an interface without carrier (a veth whose peer is down).
    NoCarrier,
    /// Arrived on a bridge port that is disabled.
    PortDisabled,
    /// Arrived on a port that STP keeps from forwarding (blocking, listening, learning).
    PortBlocking,
    /// The source MAC is multicast or zero (br_handle_frame drops it).
    InvalidSource,
    /// The destination lives behind the port the frame came in on.
    IngressPort,
    /// Arrived at a bridge from an interface that is not its port.
    NotAPort,
    /// Shorter than an Ethernet header.
    Runt,
    /// Larger than the egress interface's MTU allows.
    TooBig,
    /// A loop without STP: the journey crossed too many bridges or made too many copies.
    StormGuard,
    /// A flood found no port to go out of.
    NoPorts,
    /// An Open vSwitch bridge with no flow to match (fail mode secure, no controller).
    NoFlow,
}

impl DropReason {
    /// A few words for the narration and the trace.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::LinkDown => "interface down",
            DropReason::NoCarrier => "no carrier",
            DropReason::PortDisabled => "port disabled",
            DropReason::PortBlocking => "port not forwarding (STP)",
            DropReason::InvalidSource => "invalid source MAC",
            DropReason::IngressPort => "destination is behind the ingress port",
            DropReason::NotAPort => "not a bridge port",
            DropReason::Runt => "runt frame",
            DropReason::TooBig => "frame exceeds MTU",
            DropReason::StormGuard => "storm guard (loop without STP)",
            DropReason::NoPorts => "no port to flood to",
            DropReason::NoFlow => "no OpenFlow flow (fail mode secure)",
        }
    }
}

/// One step of a frame's journey, or one change of the wire's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A stack put the frame on an interface.
    Sent {
        /// The interface.
        link: LinkId,
        /// The frame.
        frame: Bytes,
    },
    /// A veth carried the frame from one end to the other.
    Crossed {
        /// The sending end.
        from: LinkId,
        /// The receiving end.
        to: LinkId,
    },
    /// The frame entered a bridge through a port.
    Entered {
        /// The bridge.
        bridge: LinkId,
        /// The ingress port.
        port: LinkId,
    },
    /// A new FDB entry.
    Learned {
        /// The bridge.
        bridge: LinkId,
        /// The source MAC.
        mac: MacAddr,
        /// Behind this port.
        port: LinkId,
    },
    /// An FDB entry seen again on its port; its ageing restarts.
    Refreshed {
        /// The bridge.
        bridge: LinkId,
        /// The MAC.
        mac: MacAddr,
        /// Its port.
        port: LinkId,
    },
    /// A MAC showed up behind another port and was re-learned there.
    Moved {
        /// The bridge.
        bridge: LinkId,
        /// The MAC.
        mac: MacAddr,
        /// The old port.
        from: LinkId,
        /// The new port.
        to: LinkId,
    },
    /// The FDB was full: the least recently seen entry made room.
    Evicted {
        /// The bridge.
        bridge: LinkId,
        /// The MAC pushed out.
        mac: MacAddr,
        /// Its port.
        port: LinkId,
    },
    /// The collector removed an entry not seen for `ageing_time`.
    AgedOut {
        /// The bridge.
        bridge: LinkId,
        /// The MAC.
        mac: MacAddr,
        /// Its port.
        port: LinkId,
        /// Time since it was last seen.
        age: Duration,
    },
    /// Known unicast: out of one port.
    Forwarded {
        /// The bridge.
        bridge: LinkId,
        /// The destination MAC.
        mac: MacAddr,
        /// The egress port.
        port: LinkId,
    },
    /// Broadcast, multicast or unknown unicast: out of these ports.
    Flooded {
        /// The bridge.
        bridge: LinkId,
        /// The destination MAC.
        mac: MacAddr,
        /// Every port the frame went out of, by port number.
        ports: Vec<LinkId>,
    },
    /// Up to the bridge device's own stack.
    DeliveredLocal {
        /// The bridge.
        bridge: LinkId,
        /// Only because the bridge is promiscuous (br_handle_frame_finish's IFF_PROMISC):
        /// the frame is for another host, and goes there too.
        promisc: bool,
    },
    /// Handed to the stack that owns the interface.
    Received {
        /// The interface.
        link: LinkId,
    },
    /// Dropped.
    Dropped {
        /// Where.
        link: LinkId,
        /// Why.
        reason: DropReason,
    },
    /// An interface gained or lost carrier (LOWER_UP).
    Carrier {
        /// The interface.
        link: LinkId,
        /// Carrier now.
        up: bool,
    },
    /// A bridge port changed state.
    PortState {
        /// The bridge.
        bridge: LinkId,
        /// The port.
        port: LinkId,
        /// The new state.
        state: PortState,
    },
    /// A bridge's spanning tree took a BPDU in on a port.
    BpduReceived {
        /// The bridge.
        bridge: LinkId,
        /// The port.
        port: LinkId,
    },
    /// A bridge's spanning tree changed its view of the tree.
    Stp {
        /// The bridge.
        bridge: LinkId,
        /// What changed and why.
        event: crate::bridge::stp::StpEvent,
    },
}

/// A decision with the journey it belongs to (0 for state changes outside any journey).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Numbers a frame's journey from the stack that sent it to every stack that got it.
    pub journey: u64,
    /// When, on the lab's clock.
    pub at: Duration,
    /// What happened.
    pub decision: Decision,
}
