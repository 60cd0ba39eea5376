//! Deliver to one port or flood to many (net/bridge/br_forward.c: should_deliver, br_flood).

use super::{FloodKind, Port, PortState};
use crate::LinkId;

/// May a frame that came in on `ingress` leave through `port`? (should_deliver)
#[inline]
pub fn should_deliver(port: &Port, ingress: Option<LinkId>) -> bool {
    port.state == PortState::Forwarding && (port.flags.hairpin || Some(port.link) != ingress)
}

/// Does a flood of this kind go out of `port`? (the per-kind switch in br_flood)
#[inline]
pub fn floods_to(port: &Port, kind: FloodKind, ingress: Option<LinkId>) -> bool {
    let allowed = match kind {
        FloodKind::Broadcast => port.flags.bcast_flood,
        FloodKind::Multicast => port.flags.mcast_flood,
        FloodKind::Unknown => port.flags.flood,
    };
    allowed && should_deliver(port, ingress)
}
