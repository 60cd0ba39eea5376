//! IPv6 routing: the main table's routes (the prefix routes addresses make and the user's own),
//! their order in the fib6 tree, the lookup, and the path MTUs learned from "packet too big"
//! (net/ipv6/route.c, ip6_fib.c). The IPv4 table's origins and add modes are shared
//! ([`RouteProto`], [`RouteAddMode`]).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::time::Duration;

use l2lab_fabric::{LinkId, LinkKind};

use super::addr::Scope;
use super::addrconf::scope_of;
use super::ipv6::prefix_contains;
use super::route::RouteProto;
use crate::api_ipr::RouteAddMode;
use crate::error::{LabError, LabResult};
use crate::event::EventKind;
use crate::lab::{Lab, NsId};

/// The metric of a route the user adds without one (IP6_RT_PRIO_USER).
pub const IP6_RT_PRIO_USER: u32 = 1024;
/// The metric of an address's prefix route (IP6_RT_PRIO_ADDRCONF).
pub const IP6_RT_PRIO_ADDRCONF: u32 = 256;
/// How long a learned path MTU holds (net.ipv6.route.mtu_expires, 10 minutes).
const IP6_RT_MTU_EXPIRES: Duration = Duration::from_secs(600);
/// The smallest MTU IPv6 allows (IPV6_MIN_MTU): a smaller one in "packet too big" is raised.
pub const IPV6_MIN_MTU: u32 = 1280;

/// A route of the IPv6 main table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route6Entry {
    /// Destination prefix, host bits cleared.
    pub dst: Ipv6Addr,
    /// Its length.
    pub prefix: u8,
    /// Next hop, if not on-link.
    pub gateway: Option<Ipv6Addr>,
    /// Egress interface.
    pub dev: LinkId,
    /// Origin (`proto kernel` for an address's prefix route).
    pub proto: RouteProto,
    /// Metric (1024 unless given; 256 for prefix routes).
    pub metric: u32,
    /// Insertion order among routes of one prefix and metric.
    pub seq: u64,
    /// The device has no carrier (`linkdown`).
    pub linkdown: bool,
    /// Time left, for the prefix route of an address with a valid lifetime.
    pub expires: Option<Duration>,
    /// An address's prefix route (addrconf_prefix_route), made with the address.
    pub addrconf: bool,
}

/// What `ip -6 route add` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route6Spec {
    /// Destination; host bits are cleared, as the kernel does.
    pub dst: Ipv6Addr,
    /// Prefix length.
    pub prefix: u8,
    /// Next hop.
    pub gateway: Option<Ipv6Addr>,
    /// Egress interface, when given.
    pub dev: Option<LinkId>,
    /// Origin (`boot` unless told).
    pub proto: RouteProto,
    /// Metric; [`IP6_RT_PRIO_USER`] when not given or 0.
    pub metric: Option<u32>,
}

/// What `ip -6 route del` matches on (fields left `None` match anything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route6Match {
    /// Destination prefix and length, exact.
    pub dst: Option<(Ipv6Addr, u8)>,
    /// Gateway.
    pub gateway: Option<Ipv6Addr>,
    /// Egress interface.
    pub dev: Option<LinkId>,
    /// Origin.
    pub proto: Option<RouteProto>,
    /// Metric (0 matches any, as in ip6_route_del).
    pub metric: Option<u32>,
}

/// A learned path MTU and when it ends.
pub(crate) type Pmtu6 = HashMap<Ipv6Addr, (u32, Duration)>;

/// `a` with all but its first `len` bits cleared.
pub fn mask6(a: Ipv6Addr, len: u8) -> Ipv6Addr {
    let len = u32::from(len.min(128));
    let m = if len == 0 {
        0
    } else {
        u128::MAX << (128 - len)
    };
    Ipv6Addr::from(u128::from(a) & m)
}

/// The order fib6's walker lists routes in: it visits a node's children (the 0 branch, then
/// the 1 branch) before the node, so where one prefix holds another the longer comes first,
/// and `default` last; in one node, by metric, then as added.
pub fn fib6_order(a: &Route6Entry, b: &Route6Entry) -> Ordering {
    let common = a.prefix.min(b.prefix);
    u128::from(mask6(a.dst, common))
        .cmp(&u128::from(mask6(b.dst, common)))
        .then(b.prefix.cmp(&a.prefix))
        .then(a.metric.cmp(&b.metric))
        .then(a.seq.cmp(&b.seq))
}

impl Route6Match {
    fn matches(&self, r: &Route6Entry) -> bool {
        self.dst.is_none_or(|d| d == (r.dst, r.prefix))
            && self.gateway.is_none_or(|g| r.gateway == Some(g))
            && self.dev.is_none_or(|d| d == r.dev)
            && self.proto.is_none_or(|p| p == r.proto)
            && self.metric.is_none_or(|m| m == 0 || m == r.metric)
    }
}

impl Lab {
    /// Does `l` carry IPv6 routes: up, IPv6 on, not lo?
    fn routes6_up(&self, l: LinkId) -> bool {
        self.fabric
            .link(l)
            .is_some_and(|k| k.admin_up && !matches!(k.kind, LinkKind::Loopback))
            && self.iface(l).is_some_and(|i| i.v6_on)
    }

    /// The IPv6 main table of `ns` in the kernel's listing order: each address's prefix route
    /// (addrconf_prefix_route: proto kernel, metric 256; one for addresses sharing a prefix)
    /// and the user's routes, on devices that are up.
    pub fn routes6(&self, ns: NsId) -> Vec<Route6Entry> {
        let now = self.now();
        let mut out: Vec<Route6Entry> = Vec::new();
        for l in self.links(ns) {
            if !self.routes6_up(l) {
                continue;
            }
            let linkdown = self.fabric.link(l).is_some_and(|k| !k.carrier);
            for a in self.addrs6(l) {
                if a.scope == Scope::Host || a.life.noprefixroute {
                    continue;
                }
                let dst = mask6(a.addr, a.prefix);
                if out
                    .iter()
                    .any(|r| r.dev == l && r.dst == dst && r.prefix == a.prefix)
                    || self.prefix_route_deleted(ns, l, dst, a.prefix)
                {
                    continue;
                }
                // An address with a valid lifetime gives its route the same end.
                let expires = a.life.valid.map(|v| {
                    (a.life.tstamp + Duration::from_secs(u64::from(v))).saturating_sub(now)
                });
                out.push(Route6Entry {
                    dst,
                    prefix: a.prefix,
                    gateway: None,
                    dev: l,
                    proto: RouteProto::Kernel,
                    metric: IP6_RT_PRIO_ADDRCONF,
                    seq: a.seq(),
                    linkdown,
                    expires,
                    addrconf: true,
                });
            }
        }
        if let Some(n) = self.ns(ns) {
            for r in &n.static_routes6 {
                if self.routes6_up(r.dev) {
                    let mut r = r.clone();
                    r.linkdown = self.fabric.link(r.dev).is_some_and(|k| !k.carrier);
                    out.push(r);
                }
            }
        }
        out.sort_by(fib6_order);
        out
    }

    /// fib6_lookup: the longest prefix holding `dst`, the lowest metric among equals; only
    /// routes out of `oif` when given.
    pub fn route6_lookup(
        &self,
        ns: NsId,
        dst: Ipv6Addr,
        oif: Option<LinkId>,
    ) -> Option<Route6Entry> {
        let mut best: Option<Route6Entry> = None;
        for r in self.routes6(ns) {
            if !prefix_contains(r.dst, r.prefix, dst) || oif.is_some_and(|o| o != r.dev) {
                continue;
            }
            if best.as_ref().is_none_or(|b| {
                r.prefix > b.prefix || (r.prefix == b.prefix && r.metric < b.metric)
            }) {
                best = Some(r);
            }
        }
        best
    }

    /// Adds a route as `ip -6 route add|replace|change|append|prepend` does (ip6_route_add):
    /// the gateway is unicast and not ours; a global one must be reached by a route without
    /// one (else EHOSTUNREACH), a link-local one needs the device; the device is up; a route
    /// of the same prefix and metric exists already for `add` (EEXIST); `append` to one
    /// (a multipath route) is not supported.
    pub fn route6_add(&mut self, ns: NsId, spec: Route6Spec, mode: RouteAddMode) -> LabResult<()> {
        let dst = mask6(spec.dst, spec.prefix);
        // Metric 0 is the default too (ip6_route_info_create).
        let metric = spec.metric.filter(|m| *m != 0).unwrap_or(IP6_RT_PRIO_USER);
        let invalid = |m: &str| LabError::InvalidArgument(m.into());
        // ip6_validate_gw: not one of ours, and unicast.
        if let Some(gw) = spec.gateway {
            if self.is_local_addr6(ns, gw, true) {
                return Err(invalid("Gateway can not be a local address."));
            }
            if gw.is_unspecified() || gw.is_multicast() || gw.is_loopback() {
                return Err(invalid("Invalid gateway address."));
            }
        }
        let dev = match (spec.gateway, spec.dev) {
            (Some(gw), dev) if scope_of(gw) != Scope::Link => {
                let via = self
                    .route6_lookup(ns, gw, dev)
                    .filter(|r| r.gateway.is_none())
                    .ok_or(LabError::NoRouteToHost(gw))?;
                via.dev
            }
            (Some(_), Some(d)) | (None, Some(d)) => d,
            (Some(_), None) => {
                return Err(LabError::InvalidArgument(
                    "Egress device not specified.".into(),
                ))
            }
            (None, None) => return Err(LabError::NoSuchDevice(String::new())),
        };
        if !self.routes6_up(dev) {
            return Err(invalid("Nexthop device is not up."));
        }
        let clash = self
            .routes6(ns)
            .into_iter()
            .any(|r| r.dst == dst && r.prefix == spec.prefix && r.metric == metric);
        self.route6_seq += 1;
        let route = Route6Entry {
            dst,
            prefix: spec.prefix,
            gateway: spec.gateway,
            dev,
            proto: spec.proto,
            metric,
            seq: self.route6_seq,
            linkdown: false,
            expires: None,
            addrconf: false,
        };
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        let pos = n
            .static_routes6
            .iter()
            .position(|r| r.dst == dst && r.prefix == spec.prefix && r.metric == metric);
        match (mode, pos) {
            (RouteAddMode::Add, _) if clash => {
                return Err(LabError::Exists(format!("{dst}/{}", spec.prefix)))
            }
            (RouteAddMode::Replace | RouteAddMode::Change, Some(i)) => {
                let seq = n.static_routes6[i].seq;
                n.static_routes6[i] = Route6Entry {
                    seq,
                    ..route.clone()
                };
            }
            (RouteAddMode::Change, None) => {
                return Err(invalid("Can not replace route - no match found."))
            }
            // Appending to a route makes it multipath, which the lab does not model.
            (RouteAddMode::Append | RouteAddMode::Prepend, _) if clash => {
                return Err(LabError::NotSupported("multipath route".into()))
            }
            _ => n.static_routes6.push(route.clone()),
        }
        let text = match route.gateway {
            Some(g) => format!("{dst}/{} via {g}", route.prefix),
            None => format!("{dst}/{}", route.prefix),
        };
        self.event(EventKind::Route {
            ns,
            route: text,
            added: true,
        });
        Ok(())
    }

    /// The newest address of `dev` whose prefix route `dst/prefix` is (0: none).
    fn prefix_route_gen(&self, dev: LinkId, dst: Ipv6Addr, prefix: u8) -> u64 {
        self.addrs6(dev)
            .iter()
            .filter(|a| a.prefix == prefix && mask6(a.addr, a.prefix) == dst)
            .map(|a| a.seq())
            .max()
            .unwrap_or(0)
    }

    /// Was the prefix route `dst/prefix` of `dev` deleted by the user since its newest
    /// address was added? (An address added later makes it again.)
    fn prefix_route_deleted(&self, ns: NsId, dev: LinkId, dst: Ipv6Addr, prefix: u8) -> bool {
        let gen = self.prefix_route_gen(dev, dst, prefix);
        self.ns(ns)
            .is_some_and(|n| n.deleted_prefix_routes6.contains(&(dev, dst, prefix, gen)))
    }

    /// Deletes the first IPv6 route that `m` matches, in listing order (ip6_route_del), an
    /// address's prefix route included; none is ESRCH.
    pub fn route6_del(&mut self, ns: NsId, m: &Route6Match) -> LabResult<Route6Entry> {
        let victim = self
            .routes6(ns)
            .into_iter()
            .find(|r| m.matches(r))
            .ok_or(LabError::NotFound("route"))?;
        let gen = self.prefix_route_gen(victim.dev, victim.dst, victim.prefix);
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        if victim.addrconf {
            n.deleted_prefix_routes6
                .push((victim.dev, victim.dst, victim.prefix, gen));
        } else {
            n.static_routes6.retain(|r| r.seq != victim.seq);
        }
        self.event(EventKind::Route {
            ns,
            route: format!("{}/{}", victim.dst, victim.prefix),
            added: false,
        });
        Ok(victim)
    }

    /// rt6_do_update_pmtu: "packet too big" said the path to `dst` takes `mtu` bytes at most
    /// (never less than 1280).
    pub(crate) fn learn_pmtu6(&mut self, ns: NsId, dst: Ipv6Addr, mtu: u32) {
        let now = self.now();
        if let Some(n) = self.ns_mut(ns) {
            n.pmtu6
                .insert(dst, (mtu.max(IPV6_MIN_MTU), now + IP6_RT_MTU_EXPIRES));
        }
    }

    /// The path MTU `ns` learned for `dst` and how long it still holds (`ip -6 route get`
    /// shows it as `expires 599sec mtu 1280`).
    pub fn pmtu6_exception(&self, ns: NsId, dst: Ipv6Addr) -> Option<(u32, Duration)> {
        let now = self.now();
        let (mtu, until) = *self.ns(ns)?.pmtu6.get(&dst)?;
        (now < until).then(|| (mtu, until - now))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn r(dst: &str, prefix: u8, metric: u32) -> Route6Entry {
        Route6Entry {
            dst: dst.parse().unwrap(),
            prefix,
            gateway: None,
            dev: LinkId(1),
            proto: RouteProto::Boot,
            metric,
            seq: 0,
            linkdown: false,
            expires: None,
            addrconf: false,
        }
    }

    /// The order `ip -6 route` printed on Linux 6.1 for these routes.
    #[test]
    fn listing_order_is_fib6_post_order() {
        let mut v = [
            r("::", 0, 1024),
            r("fe80::", 64, 256),
            r("::", 0, 100),
            r("2001:db8:5::", 48, 10),
            r("2001:db8:5:1::", 64, 1024),
            r("2001:db8:1::", 64, 1024),
            r("2001:db8:1::", 64, 256),
            r("2001:db8:8::1", 128, 1024),
        ];
        v.sort_by(fib6_order);
        let got: Vec<String> = v
            .iter()
            .map(|r| format!("{}/{} {}", r.dst, r.prefix, r.metric))
            .collect();
        assert_eq!(
            got,
            [
                "2001:db8:1::/64 256",
                "2001:db8:1::/64 1024",
                "2001:db8:5:1::/64 1024",
                "2001:db8:5::/48 10",
                "2001:db8:8::1/128 1024",
                "fe80::/64 256",
                "::/0 100",
                "::/0 1024",
            ]
        );
    }

    #[test]
    fn masks() {
        assert_eq!(
            mask6("2001:db8:9::1".parse().unwrap(), 64),
            "2001:db8:9::".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!(
            mask6("2001:db8::1".parse().unwrap(), 0),
            Ipv6Addr::UNSPECIFIED
        );
    }
}
