//! Helpers for the integration tests: tutorial-shaped topologies built through the Lab API,
//! and readers of captures and decision records.

use std::net::Ipv4Addr;
use std::time::Duration;

use l2lab_fabric::wire::{ArpOp, ArpRepr, EthHeader, IcmpRepr, Ipv4Repr, ETHERTYPE_ARP, ETH_HLEN};
use l2lab_fabric::{Decision, LinkId, MacAddr};
use l2lab_sim::{
    CaptureId, Event, EventKind, Lab, NsId, PingEvent, PingId, PingOptions, PingSession,
};

/// A lab with IPv6 off everywhere, as the kernel transcripts these IPv4 tests follow were
/// recorded: with it on, every device's own IPv6 traffic (DAD, router solicitations) would
/// also fill captures and refresh bridges' FDBs.
pub fn lab_ipv4() -> Lab {
    Lab::with_config(l2lab_sim::LabConfig {
        ipv6: false,
        ..Default::default()
    })
}

/// Seconds as a Duration.
pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// An IPv4 address from text.
pub fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("test address")
}

/// A host attached to a bridge: its namespace, its interface and the bridge-side port.
#[derive(Debug, Clone, Copy)]
pub struct Host {
    /// The host's namespace.
    pub ns: NsId,
    /// Its interface (`veth0` inside the namespace).
    pub link: LinkId,
    /// The bridge port (the veth's other end, in the bridge's namespace).
    pub port: LinkId,
}

/// Creates bridge `name` in `ns`, up, and lets the 2 s pass in which a bridge coming up
/// announces its multicast snooping with IGMP reports, so they are not in the tests' way.
pub fn bridge(lab: &mut Lab, ns: NsId, name: &str) -> LinkId {
    let b = lab.add_bridge(ns, name).expect("add bridge");
    lab.set_link_up(ns, name, true).expect("bridge up");
    if lab.clock().is_virtual() {
        lab.advance(secs(2)).expect("virtual time");
    }
    b
}

/// The tutorial's steps for one host: `ip netns add NAME`, a veth pair `veth0`/`PORT`, the port
/// enslaved to `bridge` (in `br_ns`) and up, `veth0` moved into the namespace, up, with `addr`.
pub fn host_on_bridge(
    lab: &mut Lab,
    br_ns: NsId,
    bridge: &str,
    name: &str,
    port: &str,
    addr: &str,
) -> Host {
    let ns = lab.add_netns(name).expect("add netns");
    let tmp = format!("{name}-v");
    lab.add_veth(br_ns, &tmp, port, None).expect("add veth");
    lab.set_master(br_ns, port, Some(bridge)).expect("master");
    lab.set_link_up(br_ns, port, true).expect("port up");
    lab.move_link(br_ns, &tmp, ns).expect("move");
    lab.rename_link(ns, &tmp, "veth0").expect("rename");
    lab.set_link_up(ns, "veth0", true).expect("up");
    lab.addr_add(ns, "veth0", addr.parse().expect("prefix"), None)
        .expect("addr");
    Host {
        ns,
        link: lab.link_by_name(ns, "veth0").expect("veth0"),
        port: lab.link_by_name(br_ns, port).expect("port"),
    }
}

/// The MAC of an interface.
pub fn mac(lab: &Lab, l: LinkId) -> MacAddr {
    lab.fabric().link(l).expect("link").mac
}

/// Runs a ping with `opts` from `ns` to `dst` until it is over; returns its id.
pub fn ping_with(lab: &mut Lab, ns: NsId, dst: &str, opts: PingOptions) -> PingId {
    let id = lab.ping(ns, ip(dst), opts).expect("ping starts");
    lab.run_ping(id, secs(60)).expect("ping runs");
    id
}

/// Pings `dst` from `ns` `count` times (interval 1 s) and runs the clock until the ping is
/// over.
pub fn ping(lab: &mut Lab, ns: NsId, dst: &str, count: u32) -> PingSession {
    let opts = PingOptions {
        count: Some(count),
        ..Default::default()
    };
    let id = ping_with(lab, ns, dst, opts);
    lab.ping_session(id).expect("ping session").clone()
}

/// A frame in readable form: (src, dst, what).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// ARP request: who-has target, tell sender.
    ArpRequest {
        dst: MacAddr,
        target: Ipv4Addr,
        sender: Ipv4Addr,
    },
    /// ARP reply.
    ArpReply {
        dst: MacAddr,
        ip: Ipv4Addr,
        mac: MacAddr,
    },
    /// ICMP echo request.
    EchoRequest {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        ttl: u8,
    },
    /// ICMP echo reply.
    EchoReply {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        ttl: u8,
    },
    /// Any other frame.
    Other,
}

/// Decodes a frame for assertions.
pub fn seen(frame: &[u8]) -> Seen {
    let Ok(eth) = EthHeader::parse(frame) else {
        return Seen::Other;
    };
    let payload = &frame[ETH_HLEN..];
    if eth.ethertype == ETHERTYPE_ARP {
        return match ArpRepr::parse(payload) {
            Ok(a) if a.op == ArpOp::Request => Seen::ArpRequest {
                dst: eth.dst,
                target: a.target_ip,
                sender: a.sender_ip,
            },
            Ok(a) => Seen::ArpReply {
                dst: eth.dst,
                ip: a.sender_ip,
                mac: a.sender_mac,
            },
            Err(_) => Seen::Other,
        };
    }
    match Ipv4Repr::parse(payload) {
        Ok((h, rest)) => match IcmpRepr::parse(rest) {
            Ok(IcmpRepr::EchoRequest { .. }) => Seen::EchoRequest {
                src: h.src,
                dst: h.dst,
                ttl: h.ttl,
            },
            Ok(IcmpRepr::EchoReply { .. }) => Seen::EchoReply {
                src: h.src,
                dst: h.dst,
                ttl: h.ttl,
            },
            _ => Seen::Other,
        },
        Err(_) => Seen::Other,
    }
}

/// Everything a capture saw, decoded, with its lab time.
pub fn captured(lab: &Lab, c: CaptureId) -> Vec<(Duration, Seen)> {
    lab.capture(c)
        .expect("capture")
        .frames
        .iter()
        .map(|f| (f.at, seen(&f.frame)))
        .collect()
}

/// The wire's decision records among the events.
pub fn decisions(events: &[Event]) -> Vec<Decision> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Wire(r) => Some(r.decision.clone()),
            _ => None,
        })
        .collect()
}

/// The learned FDB entries of a bridge: (MAC, port), sorted.
pub fn learned(lab: &Lab, bridge: LinkId) -> Vec<(MacAddr, LinkId)> {
    let mut v: Vec<_> = lab
        .fabric()
        .bridge(bridge)
        .expect("bridge")
        .fdb
        .entries()
        .into_iter()
        .filter(|(_, e)| e.kind == l2lab_fabric::FdbKind::Learned)
        .map(|(m, e)| (m, e.port))
        .collect();
    v.sort();
    v
}

/// What ping `id` has heard since the last look: its events without the `Sent` ones.
pub fn ping_answers(lab: &mut Lab, id: PingId) -> Vec<PingEvent> {
    lab.ping_events(id)
        .into_iter()
        .filter(|e| !matches!(e, PingEvent::Sent { .. }))
        .collect()
}
