//! The host's uplink and the world beyond it (`l2lab --uplink`), built as namespaces and
//! links of the lab itself, exactly as `tools/record-kernel-uplink` builds them on the kernel:
//!
//! ```text
//!   host (the initial namespace)       router                   internet
//!   eth0 10.0.2.15/24 -------------- up0 10.0.2.2/24
//!   default via 10.0.2.2               wan 100.64.0.2/30 ------ lan 100.64.0.1/30
//!                                      default via 100.64.0.1   every globally reachable
//!                                                               address is its own (a local
//!                                                               route for 0.0.0.0/0); the
//!                                                               special-purpose ranges are
//!                                                               blackholes; TTL 53
//! ```
//!
//! `eth0` and `up0` are TAP devices (as on a VM: a NIC with no veth peer) joined by a cable
//! that carries each frame after [`UPLINK_LATENCY`] on the lab's clock. The router and the
//! internet are hidden namespaces: no listing shows them and they live as long as the lab.
//! The internet answers echo requests for any public address; a reply to a private source
//! meets a blackhole, so a namespace behind the host gets answers only once the host
//! translates its source (MASQUERADE), as on a real network.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::LinkId;

use crate::error::LabResult;
use crate::lab::{Lab, NsId, Timer};
use crate::stack::addr::{Ipv4Net, Scope};
use crate::stack::route::{Route, RouteProto, RouteType};

/// One way across the cable between `eth0` and the router.
pub const UPLINK_LATENCY: Duration = Duration::from_millis(2);

/// The host's address on its uplink.
pub const HOST_ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
/// The upstream router's address, the host's default gateway.
pub const GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

/// The TTL the internet answers from: a reply reaches the host with 52, after the router.
const INTERNET_TTL: u8 = 53;

/// IANA's special-purpose IPv4 ranges that are not globally reachable (RFC 6890 and its
/// updates): the internet answers none of them.
const NOT_GLOBAL: [([u8; 4], u8); 13] = [
    ([0, 0, 0, 0], 8),
    ([10, 0, 0, 0], 8),
    ([100, 64, 0, 0], 10),
    ([169, 254, 0, 0], 16),
    ([172, 16, 0, 0], 12),
    ([192, 0, 0, 0], 24),
    ([192, 0, 2, 0], 24),
    ([192, 168, 0, 0], 16),
    ([198, 18, 0, 0], 15),
    ([198, 51, 100, 0], 24),
    ([203, 0, 113, 0], 24),
    ([224, 0, 0, 0], 4),
    ([240, 0, 0, 0], 4),
];

/// The uplink's cable and the frames on it.
#[derive(Debug, Default)]
pub struct Uplink {
    /// The host's `eth0` and the router's `up0`.
    ends: Option<(LinkId, LinkId)>,
    /// Frames on the cable, by the number their timer carries: (where they arrive, frame).
    in_flight: BTreeMap<u64, (LinkId, Bytes)>,
    next: u64,
}

impl Uplink {
    /// The far end of the cable from `link`, if `link` is one of its ends.
    fn far_end(&self, link: LinkId) -> Option<LinkId> {
        let (a, b) = self.ends?;
        if link == a {
            Some(b)
        } else if link == b {
            Some(a)
        } else {
            None
        }
    }
}

fn net(a: [u8; 4], prefix: u8) -> Ipv4Net {
    Ipv4Net {
        addr: Ipv4Addr::from(a),
        prefix,
    }
}

impl Lab {
    /// Gives the host an `eth0` on an uplink, with the router and the internet behind it
    /// (see the module's documentation). Call it first, on a fresh lab, so that `eth0` is
    /// interface 2 as on a real host.
    pub fn add_uplink(&mut self) -> LabResult<()> {
        let host = NsId::INIT;
        let eth0 = self.fabric.add_tap();
        self.attach_named(host, eth0, "eth0");
        let router = self.add_hidden_netns();
        let up0 = self.fabric.add_tap();
        self.attach_named(router, up0, "up0");
        self.uplink.ends = Some((eth0, up0));
        let internet = self.add_hidden_netns();

        self.set_link_up(router, "lo", true)?;
        self.set_link_up(router, "up0", true)?;
        self.addr_add(router, "up0", net([10, 0, 2, 2], 24), None)?;
        self.sysctl_set(router, "net.ipv4.ip_forward", "1")?;
        self.add_veth(router, "wan", "lan", Some(internet))?;
        self.set_link_up(router, "wan", true)?;
        self.addr_add(router, "wan", net([100, 64, 0, 2], 30), None)?;
        self.route_add(
            router,
            net([0, 0, 0, 0], 0),
            Some(Ipv4Addr::new(100, 64, 0, 1)),
            None,
            0,
            RouteProto::Boot,
        )?;

        self.sysctl_set(
            internet,
            "net.ipv4.ip_default_ttl",
            &INTERNET_TTL.to_string(),
        )?;
        self.set_link_up(internet, "lo", true)?;
        self.set_link_up(internet, "lan", true)?;
        self.addr_add(internet, "lan", net([100, 64, 0, 1], 30), None)?;
        self.route_add(
            internet,
            net([10, 0, 2, 0], 24),
            Some(Ipv4Addr::new(100, 64, 0, 2)),
            None,
            0,
            RouteProto::Boot,
        )?;
        let lo = self.ns(internet).map(|n| n.lo);
        if let (Some(lo), Some(n)) = (lo, self.ns_mut(internet)) {
            let special = |dst, kind| Route {
                dst,
                gateway: None,
                dev: lo,
                proto: RouteProto::Boot,
                scope: if kind == RouteType::Local {
                    Scope::Host
                } else {
                    Scope::Global
                },
                src: None,
                metric: 0,
                linkdown: false,
                kind,
            };
            n.static_routes
                .push(special(net([0, 0, 0, 0], 0), RouteType::Local));
            for (a, p) in NOT_GLOBAL {
                n.static_routes
                    .push(special(net(a, p), RouteType::Blackhole));
            }
        }

        self.set_link_up(host, "eth0", true)?;
        self.addr_add(host, "eth0", net(HOST_ADDR.octets(), 24), None)?;
        self.route_add(
            host,
            net([0, 0, 0, 0], 0),
            Some(GATEWAY),
            None,
            0,
            RouteProto::Boot,
        )?;
        Ok(())
    }

    fn add_hidden_netns(&mut self) -> NsId {
        let id = self.add_anon_netns();
        if let Some(n) = self.ns_mut(id) {
            n.hidden = true;
        }
        id
    }

    /// Whether the lab has an uplink.
    pub fn has_uplink(&self) -> bool {
        self.uplink.ends.is_some()
    }

    /// Frames sent out of either end of the uplink go on the cable; frames for the kernel's
    /// TAP ports stay for [`Lab::tap_flush`].
    pub(crate) fn collect_uplink(&mut self) {
        if self.uplink.ends.is_none() || !self.fabric.has_tap_out() {
            return;
        }
        let out: Vec<(LinkId, Bytes)> = self.fabric.drain_tap_out().collect();
        let at = self.now() + UPLINK_LATENCY;
        for (link, frame) in out {
            match self.uplink.far_end(link) {
                Some(to) => {
                    let slot = self.uplink.next;
                    self.uplink.next += 1;
                    self.uplink.in_flight.insert(slot, (to, frame));
                    self.schedule(at, Timer::Cable { slot });
                }
                None => self.tap_hold(link, frame),
            }
        }
    }

    /// A frame reaches its end of the cable.
    pub(crate) fn cable_timer(&mut self, slot: u64) {
        let Some((to, frame)) = self.uplink.in_flight.remove(&slot) else {
            return;
        };
        if self.iface(to).is_none() {
            return;
        }
        let now = self.now();
        self.fabric.receive(now, to, frame);
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::ping::PingOptions;

    #[test]
    fn the_host_reaches_public_addresses_and_nothing_else() {
        let mut lab = Lab::new();
        lab.add_uplink().expect("an uplink");
        let host = NsId::INIT;
        lab.set_link_up(host, "lo", true).expect("lo up");
        let opts = PingOptions {
            count: Some(1),
            ..PingOptions::default()
        };
        let p = lab
            .ping(host, Ipv4Addr::new(114, 114, 114, 114), opts.clone())
            .expect("a ping");
        let s = lab.run_ping(p, Duration::from_secs(10)).expect("it ends");
        assert_eq!(s.received, 1);
        let p = lab
            .ping(host, Ipv4Addr::new(192, 0, 2, 1), opts)
            .expect("a ping");
        let s = lab.run_ping(p, Duration::from_secs(10)).expect("it ends");
        assert_eq!(s.received, 0);
        assert!(lab.netns_names().is_empty());
        assert!(lab.anon_netns().is_empty());
    }
}
