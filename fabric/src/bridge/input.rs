//! A frame arrives on a port: learn its source, then decide local / forward / flood / drop
//! (net/bridge/br_input.c: br_handle_frame, br_handle_frame_finish).

use std::time::Duration;

use super::fdb::{FdbKind, LearnOutcome};
use super::{Bridge, PortState};
use crate::decision::DropReason;
use crate::wire::STP_GROUP;
use crate::{LinkId, MacAddr};

/// Which flood a frame takes: each kind has its own per-port switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloodKind {
    /// ff:ff:ff:ff:ff:ff (BR_BCAST_FLOOD).
    Broadcast,
    /// Group addresses (BR_MCAST_FLOOD).
    Multicast,
    /// A unicast MAC not in the table (BR_FLOOD).
    Unknown,
}

/// What the bridge does with a frame after learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Dropped, for this reason.
    Drop(DropReason),
    /// For the bridge's own address: up to its stack.
    Local,
    /// To the one port behind which the destination lives; `local` when the bridge device is
    /// promiscuous (as under tcpdump) and so also gets a copy.
    Forward {
        /// The egress port.
        port: LinkId,
        /// Also up to the bridge device.
        local: bool,
    },
    /// A BPDU for the bridge's spanning tree (br_handle_frame hands it to br_stp_rcv).
    Bpdu,
    /// To every port that takes this kind of flood but the ingress one; `local` when the
    /// bridge device gets a copy (always for broadcast and multicast).
    Flood {
        /// Which per-port switch applies.
        kind: FloodKind,
        /// Also up to the bridge device.
        local: bool,
    },
}

/// Learning, then the forwarding decision, for a frame from `src` to `dst` on port `ingress`.
/// `promisc` is the bridge device's promiscuity (tcpdump on it sets it).
// Always inlined: the fast path drops the learning outcome and branches on the verdict at
// once, which a call would make it build and store.
#[inline(always)]
pub fn handle_frame(
    br: &mut Bridge,
    ingress: LinkId,
    dst: MacAddr,
    src: MacAddr,
    promisc: bool,
    now: Duration,
) -> (Option<LearnOutcome>, Verdict) {
    let Some(port) = br.port(ingress) else {
        return (None, Verdict::Drop(DropReason::NotAPort));
    };
    // Not forwarding: the caller sorts out what STP still takes in (`not_forwarding`), off
    // the frame path.
    if port.state != PortState::Forwarding {
        return (None, Verdict::Drop(DropReason::PortDisabled));
    }
    if br.no_flows {
        return (None, Verdict::Drop(DropReason::NoFlow));
    }
    if !src.is_valid_unicast() {
        return (None, Verdict::Drop(DropReason::InvalidSource));
    }
    // ageing_time 0 switches learning off altogether (br_fdb_update returns at once).
    let learned = if port.flags.learning && !br.ageing_time.is_zero() {
        Some(br.fdb.learn(src, ingress, now))
    } else {
        None
    };
    let verdict = if dst.is_multicast() {
        let kind = if dst.is_broadcast() {
            FloodKind::Broadcast
        } else {
            FloodKind::Multicast
        };
        if br.stp && dst == STP_GROUP {
            return (learned, Verdict::Bpdu);
        }
        Verdict::Flood { kind, local: true }
    } else {
        match br.fdb.lookup_mut(&dst) {
            Some(e) if e.kind == FdbKind::Local => Verdict::Local,
            Some(e) if e.port == ingress => {
                if promisc {
                    Verdict::Local
                } else {
                    Verdict::Drop(DropReason::IngressPort)
                }
            }
            Some(e) => {
                // touch_used: only learned entries keep when they were last used.
                if e.kind == FdbKind::Learned {
                    e.used = now;
                }
                Verdict::Forward {
                    port: e.port,
                    local: promisc,
                }
            }
            None => Verdict::Flood {
                kind: FloodKind::Unknown,
                local: promisc,
            },
        }
    };
    (learned, verdict)
}

/// A frame on a port that does not forward (`handle_frame` said `PortDisabled`): with
/// kernel STP on, a BPDU still goes to STP (learnt from in the learning state, as
/// link-local frames are), and a learning port learns before it drops (br_handle_frame,
/// br_handle_local_finish, br_handle_frame_finish).
#[cold]
pub fn not_forwarding(
    br: &mut Bridge,
    ingress: LinkId,
    dst: MacAddr,
    src: MacAddr,
    now: Duration,
) -> (Option<LearnOutcome>, Verdict) {
    let Some(port) = br.port(ingress) else {
        return (None, Verdict::Drop(DropReason::NotAPort));
    };
    let state = port.state;
    if state == PortState::Disabled {
        return (None, Verdict::Drop(DropReason::PortDisabled));
    }
    let learned = if state == PortState::Learning
        && port.flags.learning
        && src.is_valid_unicast()
        && !br.ageing_time.is_zero()
    {
        Some(br.fdb.learn(src, ingress, now))
    } else {
        None
    };
    if br.stp && dst == STP_GROUP {
        return (learned, Verdict::Bpdu);
    }
    (learned, Verdict::Drop(DropReason::PortBlocking))
}
