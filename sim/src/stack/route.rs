//! Routing: the main table's connected, static and default routes, and the lookup
//! (net/ipv4/fib_frontend.c, fib_trie.c). Connected routes are derived from the addresses of
//! interfaces that are up, as the kernel adds and removes them on NETDEV_UP/DOWN; static
//! routes are kept and flushed when their interface goes down.

use std::net::Ipv4Addr;

use l2lab_fabric::LinkId;

use super::addr::{Ipv4Net, Scope};

/// Who put a route there, as `ip route` shows it (`proto kernel`, `proto static`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteProto {
    /// Added by the kernel for an address (connected route).
    Kernel,
    /// Added by the user without a proto (iproute2's default, RTPROT_BOOT).
    Boot,
    /// `proto static`.
    Static,
    /// Any other RTPROT_* number (`proto dhcp` is 16).
    Other(u8),
}

/// What a route does with what it matches (`ip route add TYPE PREFIX ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RouteType {
    /// Sends it on (`unicast`, the default).
    #[default]
    Unicast,
    /// Takes it as for this host (`local`): with a prefix wider than one address, the
    /// namespace answers for every address in it (AnyIP).
    Local,
    /// Drops it silently (`blackhole`).
    Blackhole,
}

/// A route of the main table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Destination prefix (host bits cleared).
    pub dst: Ipv4Net,
    /// Next hop, if not on-link.
    pub gateway: Option<Ipv4Addr>,
    /// Egress interface.
    pub dev: LinkId,
    /// Origin.
    pub proto: RouteProto,
    /// Scope (link for on-link routes, global via a gateway).
    pub scope: Scope,
    /// Preferred source address.
    pub src: Option<Ipv4Addr>,
    /// Metric (priority), 0 unless given.
    pub metric: u32,
    /// Interface has no carrier (shown as `linkdown`).
    pub linkdown: bool,
    /// Its type.
    pub kind: RouteType,
}

/// The result of a route lookup for an output packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextHop {
    /// Egress interface.
    pub dev: LinkId,
    /// The address to resolve with ARP: the gateway, or the destination itself.
    pub via: Ipv4Addr,
    /// Source address to use.
    pub src: Option<Ipv4Addr>,
}

/// Longest-prefix match over `routes`, lowest metric first among equals; among routes equal
/// in both, the first listed (fib_table_lookup walks a prefix's aliases in order and takes
/// the first that fits: the address added first wins a subnet two interfaces share).
pub fn lookup(routes: &[Route], dst: Ipv4Addr) -> Option<&Route> {
    let mut best: Option<&Route> = None;
    for r in routes.iter().filter(|r| r.dst.contains(dst)) {
        let better = best.is_none_or(|b| {
            r.dst.prefix > b.dst.prefix || (r.dst.prefix == b.dst.prefix && r.metric < b.metric)
        });
        if better {
            best = Some(r);
        }
    }
    best
}

/// Sorts routes the way the kernel's trie lists them: by destination, longer prefixes first,
/// then by metric.
pub fn sort_for_listing(routes: &mut [Route]) {
    routes.sort_by(|a, b| {
        u32::from(a.dst.addr)
            .cmp(&u32::from(b.dst.addr))
            .then(b.dst.prefix.cmp(&a.dst.prefix))
            .then(a.metric.cmp(&b.metric))
    });
}
