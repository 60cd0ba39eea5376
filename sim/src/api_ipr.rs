//! What `ip route`, `ifconfig` and `arp` change beyond the core API: routes with every field
//! `ip route add/replace/del` can give, checked as the kernel's fib_create_info and
//! fib_table_delete check them (net/ipv4/fib_semantics.c, fib_trie.c), and the ioctls of
//! ifconfig on the first address of a device (net/ipv4/devinet.c: devinet_ioctl).

use std::net::Ipv4Addr;

use l2lab_fabric::LinkId;

use crate::error::{LabError, LabResult};
use crate::event::EventKind;
use crate::lab::{Lab, NsId};
use crate::stack::addr::{mask_to_prefix, Ipv4Net, Scope};
use crate::stack::route::{Route, RouteProto, RouteType};

/// A route as `ip route add` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// Destination prefix; host bits must be clear.
    pub dst: Ipv4Net,
    /// Next hop.
    pub gateway: Option<Ipv4Addr>,
    /// Egress interface, when given.
    pub dev: Option<LinkId>,
    /// Origin (iproute2 says `boot` unless told).
    pub proto: RouteProto,
    /// Scope, when given (else link without a gateway, global with one).
    pub scope: Option<Scope>,
    /// Preferred source address.
    pub src: Option<Ipv4Addr>,
    /// Metric.
    pub metric: u32,
    /// `onlink`: the gateway is taken to be on the link without a check.
    pub onlink: bool,
}

/// How `ip route` adds: NLM_F_CREATE|EXCL, CREATE|REPLACE, REPLACE alone, CREATE|APPEND.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAddMode {
    /// `add`: fails if a route with the same prefix and metric exists.
    Add,
    /// `replace`: replaces it, or adds.
    Replace,
    /// `change`: replaces it; fails if there is none.
    Change,
    /// `append`: adds after the others.
    Append,
    /// `prepend`, and route(8)'s SIOCADDRT (NLM_F_CREATE alone): adds before the others with
    /// the same prefix and metric; fails only for an identical route.
    Prepend,
}

/// What `ip route del` matches on (fields left `None` match anything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteMatch {
    /// Destination prefix, exact.
    pub dst: Option<Ipv4Net>,
    /// Gateway.
    pub gateway: Option<Ipv4Addr>,
    /// Egress interface.
    pub dev: Option<LinkId>,
    /// Origin.
    pub proto: Option<RouteProto>,
    /// Scope.
    pub scope: Option<Scope>,
    /// Preferred source.
    pub src: Option<Ipv4Addr>,
    /// Metric.
    pub metric: Option<u32>,
}

impl RouteMatch {
    fn matches(&self, r: &Route) -> bool {
        self.dst.is_none_or(|d| d == r.dst)
            && self.gateway.is_none_or(|g| r.gateway == Some(g))
            && self.dev.is_none_or(|d| d == r.dev)
            && self.proto.is_none_or(|p| p == r.proto)
            && self.scope.is_none_or(|s| s == r.scope)
            && self.src.is_none_or(|s| r.src == Some(s))
            && self.metric.is_none_or(|m| m == r.metric)
    }
}

/// Why an ifconfig ioctl failed, as errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoctlError {
    /// ENODEV.
    NoDevice,
    /// EINVAL.
    Invalid,
    /// EADDRNOTAVAIL: the device has no address to change.
    NoAddress,
    /// EEXIST.
    Exists,
}

impl IoctlError {
    /// strerror() of the errno.
    pub fn strerror(self) -> &'static str {
        match self {
            IoctlError::NoDevice => "No such device",
            IoctlError::Invalid => "Invalid argument",
            IoctlError::NoAddress => "Cannot assign requested address",
            IoctlError::Exists => "File exists",
        }
    }
}

/// The classful prefix length SIOCSIFADDR gives an address (devinet.c: inet_abc_len).
pub fn classful_prefix(ip: Ipv4Addr) -> Option<u8> {
    let a = u32::from(ip);
    // inet_abc_len: only 0.0.0.0 itself counts as the zero network now; the rest of 0/8 is
    // class A (measured: `ifconfig veth0 65535` gets 255.0.0.0).
    if a == 0 || a == u32::MAX {
        Some(0)
    } else if a & 0x8000_0000 == 0 {
        Some(8)
    } else if a & 0xc000_0000 == 0x8000_0000 {
        Some(16)
    } else if a & 0xe000_0000 == 0xc000_0000 {
        Some(24)
    } else if a & 0xf000_0000 == 0xf000_0000 {
        Some(32)
    } else {
        None
    }
}

impl Lab {
    /// Is there a route of link scope (a connected subnet or a `dev` route) that holds `gw`,
    /// through `dev` when given? That is what makes a gateway valid (fib_check_nh_v4_gw).
    fn gateway_dev(&self, ns: NsId, gw: Ipv4Addr, dev: Option<LinkId>) -> Option<LinkId> {
        let routes = self.routes(ns);
        routes
            .iter()
            .filter(|r| r.scope == Scope::Link && r.gateway.is_none())
            .filter(|r| self.fabric.link(r.dev).is_some_and(|l| l.admin_up))
            .filter(|r| r.dst.contains(gw) && dev.is_none_or(|d| d == r.dev))
            .max_by_key(|r| r.dst.prefix)
            .map(|r| r.dev)
    }

    /// Adds a route as `ip route add|replace|change|append` does. Errors carry the kernel's
    /// extack text in [`LabError::InvalidArgument`] (`Nexthop has invalid gateway.`, ...).
    pub fn route_add_spec(
        &mut self,
        ns: NsId,
        spec: RouteSpec,
        mode: RouteAddMode,
    ) -> LabResult<()> {
        if spec.dst.network() != spec.dst.addr {
            return Err(LabError::InvalidArgument(
                "Invalid prefix for given prefix length.".into(),
            ));
        }
        let (dev, default_scope) = match (spec.gateway, spec.dev) {
            (Some(gw), dev) if !spec.onlink => {
                let d = self.gateway_dev(ns, gw, dev).ok_or_else(|| {
                    LabError::InvalidArgument("Nexthop has invalid gateway.".into())
                })?;
                (d, Scope::Global)
            }
            (Some(_), Some(d)) => {
                if !self.fabric.link(d).is_some_and(|l| l.admin_up) {
                    return Err(LabError::InvalidArgument(
                        "Nexthop device is not up.".into(),
                    ));
                }
                (d, Scope::Global)
            }
            (Some(_), None) => {
                return Err(LabError::InvalidArgument(
                    "Nexthop device required for onlink".into(),
                ))
            }
            (None, Some(d)) => {
                if !self.fabric.link(d).is_some_and(|l| l.admin_up) {
                    return Err(LabError::InvalidArgument(
                        "Device for nexthop is not up.".into(),
                    ));
                }
                (d, Scope::Link)
            }
            (None, None) => return Err(LabError::NoSuchDevice(String::new())),
        };
        if let Some(src) = spec.src {
            if !self.is_local_addr(ns, src) {
                return Err(LabError::InvalidArgument("Invalid prefsrc address.".into()));
            }
        }
        let route = Route {
            dst: spec.dst,
            gateway: spec.gateway,
            dev,
            proto: spec.proto,
            scope: spec.scope.unwrap_or(default_scope),
            src: spec.src,
            metric: spec.metric,
            linkdown: false,
            kind: RouteType::Unicast,
        };
        let connected_clash =
            spec.metric == 0 && self.connected_routes(ns).iter().any(|r| r.dst == spec.dst);
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        let pos = n
            .static_routes
            .iter()
            .position(|r| r.dst == spec.dst && r.metric == spec.metric);
        match (mode, pos) {
            (RouteAddMode::Add, Some(_)) => return Err(LabError::Exists(spec.dst.to_string())),
            (RouteAddMode::Add, None) if connected_clash => {
                return Err(LabError::Exists(spec.dst.to_string()))
            }
            (RouteAddMode::Replace | RouteAddMode::Change, Some(i)) => {
                n.static_routes[i] = route.clone()
            }
            (RouteAddMode::Change, None) => return Err(LabError::NotFound("route")),
            (RouteAddMode::Prepend, Some(i)) => {
                let same = n.static_routes.iter().any(|r| {
                    r.dst == route.dst
                        && r.metric == route.metric
                        && r.gateway == route.gateway
                        && r.dev == route.dev
                });
                if same {
                    return Err(LabError::Exists(spec.dst.to_string()));
                }
                n.static_routes.insert(i, route.clone())
            }
            _ => n.static_routes.push(route.clone()),
        }
        let text = match route.gateway {
            Some(g) => format!("{} via {g}", route.dst),
            None => route.dst.to_string(),
        };
        self.event(EventKind::Route {
            ns,
            route: text,
            added: true,
        });
        Ok(())
    }

    /// Deletes the first route of the user's that `m` matches, as `ip route del` does.
    pub fn route_del_match(&mut self, ns: NsId, m: &RouteMatch) -> LabResult<Route> {
        let mut order = self
            .ns(ns)
            .map(|n| n.static_routes.clone())
            .unwrap_or_default();
        crate::stack::route::sort_for_listing(&mut order);
        let victim = order
            .into_iter()
            .find(|r| m.matches(r))
            .ok_or(LabError::NotFound("route"))?;
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        if let Some(i) = n.static_routes.iter().position(|r| *r == victim) {
            n.static_routes.remove(i);
        }
        self.event(EventKind::Route {
            ns,
            route: victim.dst.to_string(),
            added: false,
        });
        Ok(victim)
    }

    /// The index in the device's list of its first address labelled with its own name,
    /// which every ifconfig ioctl without an alias acts on.
    fn first_labelled(&self, link: LinkId) -> Option<usize> {
        let i = self.iface(link)?;
        i.addrs.iter().position(|a| a.label == i.name)
    }

    /// SIOCSIFADDR: replaces the device's first address with `ip` and its classful prefix
    /// (and broadcast); 0.0.0.0 just removes it; the same address again changes nothing.
    pub fn ioctl_set_addr(&mut self, link: LinkId, ip: Ipv4Addr) -> Result<(), IoctlError> {
        let prefix = classful_prefix(ip).ok_or(IoctlError::Invalid)?;
        let iface = self.iface(link).ok_or(IoctlError::NoDevice)?.clone();
        let broadcast_capable = self.broadcast_capable(link);
        if let Some(i) = self.first_labelled(link) {
            let old = &iface.addrs[i];
            if old.net.addr == ip {
                return Ok(());
            }
            self.addr_del(iface.ns, &iface.name, old.net, true)
                .map_err(|_| IoctlError::NoDevice)?;
        }
        if ip.is_unspecified() {
            return Ok(());
        }
        let net = Ipv4Net { addr: ip, prefix };
        let brd = (broadcast_capable && prefix < 31).then(|| net.broadcast());
        self.addr_add(iface.ns, &iface.name, net, brd)
            .map_err(|e| match e {
                LabError::Exists(_) => IoctlError::Exists,
                _ => IoctlError::NoDevice,
            })
    }

    /// SIOCSIFNETMASK: gives the first address a new prefix; a broadcast that went with the
    /// old mask is recomputed for the new one.
    pub fn ioctl_set_netmask(&mut self, link: LinkId, mask: Ipv4Addr) -> Result<(), IoctlError> {
        let iface = self.iface(link).ok_or(IoctlError::NoDevice)?.clone();
        let i = self.first_labelled(link).ok_or(IoctlError::NoAddress)?;
        let prefix = mask_to_prefix(mask).ok_or(IoctlError::Invalid)?;
        let old = iface.addrs[i].clone();
        if old.net.prefix == prefix {
            return Ok(());
        }
        let new = Ipv4Net {
            addr: old.net.addr,
            prefix,
        };
        let brd = if self.broadcast_capable(link)
            && prefix < 31
            && old.broadcast == Some(old.net.broadcast())
        {
            Some(new.broadcast())
        } else {
            old.broadcast
        };
        self.addr_del(iface.ns, &iface.name, old.net, true)
            .map_err(|_| IoctlError::NoDevice)?;
        self.addr_add(iface.ns, &iface.name, new, brd)
            .map_err(|e| match e {
                LabError::Exists(_) => IoctlError::Exists,
                _ => IoctlError::NoDevice,
            })
    }

    /// SIOCSIFBRDADDR: sets the first address's broadcast.
    pub fn ioctl_set_broadcast(&mut self, link: LinkId, brd: Ipv4Addr) -> Result<(), IoctlError> {
        self.iface(link).ok_or(IoctlError::NoDevice)?;
        let i = self.first_labelled(link).ok_or(IoctlError::NoAddress)?;
        if let Some(iface) = self.iface_mut(link) {
            iface.addrs[i].broadcast = Some(brd);
        }
        Ok(())
    }

    /// IFF_BROADCAST: every device but `lo`.
    fn broadcast_capable(&self, link: LinkId) -> bool {
        self.fabric
            .link(link)
            .is_some_and(|l| !matches!(l.kind, l2lab_fabric::LinkKind::Loopback))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn classful() {
        let p = |s: &str| classful_prefix(s.parse().unwrap());
        assert_eq!(p("10.1.1.1"), Some(8));
        assert_eq!(p("100.64.1.1"), Some(8));
        assert_eq!(p("128.1.1.1"), Some(16));
        assert_eq!(p("191.255.1.1"), Some(16));
        assert_eq!(p("192.0.0.1"), Some(24));
        assert_eq!(p("223.1.1.1"), Some(24));
        assert_eq!(p("224.0.0.1"), None);
        assert_eq!(p("0.0.0.0"), Some(0));
    }

    #[test]
    fn ifconfig_address_and_mask() {
        let mut lab = Lab::new();
        let (a, _) = lab.add_veth(NsId::INIT, "v0", "v1", None).unwrap();
        lab.ioctl_set_addr(a, "10.0.0.1".parse().unwrap()).unwrap();
        // /33 in ifconfig is mask 128.0.0.0, then /24: the broadcast follows the mask.
        lab.ioctl_set_netmask(a, "128.0.0.0".parse().unwrap())
            .unwrap();
        let brd = |lab: &Lab| lab.iface(a).unwrap().addrs[0].broadcast;
        assert_eq!(brd(&lab), Some("127.255.255.255".parse().unwrap()));
        lab.ioctl_set_netmask(a, "255.255.255.0".parse().unwrap())
            .unwrap();
        assert_eq!(brd(&lab), Some("10.0.0.255".parse().unwrap()));
        assert_eq!(
            lab.ioctl_set_netmask(a, "255.0.255.0".parse().unwrap()),
            Err(IoctlError::Invalid)
        );
        lab.ioctl_set_addr(a, "0.0.0.0".parse().unwrap()).unwrap();
        assert!(lab.iface(a).unwrap().addrs.is_empty());
    }
}
