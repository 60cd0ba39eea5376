//! IPv6 routes and forwarding as the kernel does them: a host reaches another network through
//! its default route's gateway; a router forwards only with `net.ipv6.conf.all.forwarding`,
//! one hop less, says it is a router in its advertisements, and answers what it cannot
//! forward with ICMPv6 time exceeded, no route or packet too big, whose MTU the sender's
//! route then keeps.

use std::net::{IpAddr, Ipv6Addr};

use l2lab_sim::api_ipr::RouteAddMode;
use l2lab_sim::{
    Lab, LabError, NsId, PingError, PingEvent, PingOptions, Route6Match, Route6Spec, RouteProto,
};
use l2lab_tests::secs;

fn v6(s: &str) -> Ipv6Addr {
    s.parse().expect("test address")
}

fn default_via(gw: &str) -> Route6Spec {
    Route6Spec {
        dst: Ipv6Addr::UNSPECIFIED,
        prefix: 0,
        gateway: Some(v6(gw)),
        dev: None,
        proto: RouteProto::Boot,
        metric: None,
    }
}

/// h1 (2001:db8:1::10) — r — h2 (2001:db8:2::10), veth pairs, default routes via r, DAD
/// over; r's link to h2 has an MTU of 1280.
fn routed(lab: &mut Lab) -> (NsId, NsId, NsId) {
    let h1 = lab.add_netns("h1").expect("netns");
    let r = lab.add_netns("r").expect("netns");
    let h2 = lab.add_netns("h2").expect("netns");
    lab.add_veth(h1, "eth0", "r1", Some(r)).expect("veth");
    lab.add_veth(h2, "eth0", "r2", Some(r)).expect("veth");
    for (ns, dev, addr) in [
        (h1, "eth0", "2001:db8:1::10"),
        (r, "r1", "2001:db8:1::1"),
        (r, "r2", "2001:db8:2::1"),
        (h2, "eth0", "2001:db8:2::10"),
    ] {
        let l = lab.link_by_name(ns, dev).expect("link");
        lab.addr6_add(l, v6(addr), 64, false).expect("addr");
        lab.set_link_up(ns, dev, true).expect("up");
    }
    lab.set_mtu(r, "r2", 1280).expect("mtu");
    lab.set_mtu(h2, "eth0", 1280).expect("mtu");
    lab.route6_add(h1, default_via("2001:db8:1::1"), RouteAddMode::Add)
        .expect("route");
    lab.route6_add(h2, default_via("2001:db8:2::1"), RouteAddMode::Add)
        .expect("route");
    lab.advance(secs(3)).expect("virtual time");
    (h1, r, h2)
}

fn ping6(lab: &mut Lab, ns: NsId, dst: &str, opts: PingOptions) -> Vec<PingEvent> {
    let id = lab.ping(ns, v6(dst), opts).expect("ping starts");
    lab.run_ping(id, secs(60)).expect("ping runs");
    lab.ping_events(id)
}

fn count(n: u32) -> PingOptions {
    PingOptions {
        count: Some(n),
        ..Default::default()
    }
}

fn replies(ev: &[PingEvent]) -> Vec<u8> {
    ev.iter()
        .filter_map(|e| match e {
            PingEvent::Reply { ttl, .. } => Some(*ttl),
            _ => None,
        })
        .collect()
}

fn errors(ev: &[PingEvent]) -> Vec<(IpAddr, PingError)> {
    ev.iter()
        .filter_map(|e| match e {
            PingEvent::Error { from, error, .. } => Some((*from, *error)),
            _ => None,
        })
        .collect()
}

#[test]
fn without_forwarding_the_router_drops_silently() {
    let mut lab = Lab::new();
    let (h1, r, _) = routed(&mut lab);
    assert_eq!(
        lab.sysctl_get(r, "net.ipv6.conf.all.forwarding").as_deref(),
        Some("0")
    );
    let ev = ping6(&mut lab, h1, "2001:db8:2::10", count(2));
    assert!(replies(&ev).is_empty());
    assert!(errors(&ev).is_empty());
}

#[test]
fn no_route_is_answered_before_forwarding_is_asked() {
    let mut lab = Lab::new();
    let (h1, _, _) = routed(&mut lab);
    let hop1 = PingOptions {
        count: Some(1),
        hop_limit: Some(1),
        ..Default::default()
    };
    assert_eq!(
        errors(&ping6(&mut lab, h1, "2001:db8:3::10", hop1)),
        [(
            IpAddr::V6(v6("2001:db8:1::1")),
            PingError::V6 {
                ty: 1,
                code: 0,
                mtu: 0
            }
        )]
    );
}

#[test]
fn forwarding_takes_one_hop_and_reads_all_only() {
    let mut lab = Lab::new();
    let (h1, r, _) = routed(&mut lab);
    lab.sysctl_set(r, "net.ipv6.conf.all.forwarding", "1")
        .expect("sysctl");
    assert_eq!(
        lab.sysctl_get(r, "net.ipv6.conf.r1.forwarding").as_deref(),
        Some("1"),
        "`all` sets every device"
    );
    assert_eq!(
        replies(&ping6(&mut lab, h1, "2001:db8:2::10", count(2))),
        [63, 63]
    );
    // The router's advertisement said it is one.
    let gw = lab
        .neighbours(h1)
        .into_iter()
        .find(|n| n.ip == IpAddr::V6(v6("2001:db8:1::1")))
        .expect("gateway's entry");
    assert!(gw.router);
    // A device's own switch does not stop forwarding while `all` is on, nor start it.
    lab.sysctl_set(r, "net.ipv6.conf.r1.forwarding", "0")
        .expect("sysctl");
    assert_eq!(
        replies(&ping6(&mut lab, h1, "2001:db8:2::10", count(1))),
        [63]
    );
    lab.sysctl_set(r, "net.ipv6.conf.all.forwarding", "0")
        .expect("sysctl");
    lab.sysctl_set(r, "net.ipv6.conf.r1.forwarding", "1")
        .expect("sysctl");
    assert!(replies(&ping6(&mut lab, h1, "2001:db8:2::10", count(1))).is_empty());
}

#[test]
fn the_router_answers_what_it_cannot_forward() {
    let mut lab = Lab::new();
    let (h1, r, _) = routed(&mut lab);
    lab.sysctl_set(r, "net.ipv6.conf.all.forwarding", "1")
        .expect("sysctl");
    let from = IpAddr::V6(v6("2001:db8:1::1"));
    let hop1 = PingOptions {
        count: Some(1),
        hop_limit: Some(1),
        ..Default::default()
    };
    let err = |ty, code, mtu| PingError::V6 { ty, code, mtu };
    assert_eq!(
        errors(&ping6(&mut lab, h1, "2001:db8:2::10", hop1)),
        [(from, err(3, 0, 0))]
    );
    assert_eq!(
        errors(&ping6(&mut lab, h1, "2001:db8:3::10", count(1))),
        [(from, err(1, 0, 0))]
    );
    let big = PingOptions {
        count: Some(2),
        size: 1400,
        ..Default::default()
    };
    let ev = ping6(&mut lab, h1, "2001:db8:2::10", big);
    assert_eq!(errors(&ev), [(from, err(2, 0, 1280))]);
    assert_eq!(replies(&ev), [63], "the second is cut to the path MTU");
    let (mtu, left) = lab
        .pmtu6_exception(h1, v6("2001:db8:2::10"))
        .expect("path MTU learned");
    assert_eq!(mtu, 1280);
    assert!(left <= secs(600) && left > secs(590));
}

#[test]
fn routes_are_listed_in_fib6_order_and_checked() {
    let mut lab = Lab::new();
    let (h1, _, _) = routed(&mut lab);
    let add = |lab: &mut Lab, dst: &str, prefix, gw: Option<&str>, metric| {
        let spec = Route6Spec {
            dst: v6(dst),
            prefix,
            gateway: gw.map(v6),
            dev: None,
            proto: RouteProto::Boot,
            metric,
        };
        lab.route6_add(h1, spec, RouteAddMode::Add)
    };
    add(
        &mut lab,
        "2001:db8:5::",
        48,
        Some("2001:db8:1::2"),
        Some(10),
    )
    .expect("add");
    add(&mut lab, "2001:db8:5:1::", 64, Some("2001:db8:1::3"), None).expect("add");
    assert_eq!(
        add(&mut lab, "2001:db8:6::", 64, Some("2001:db8:9::1"), None),
        Err(LabError::NoRouteToHost(v6("2001:db8:9::1")))
    );
    assert!(matches!(
        add(&mut lab, "::", 0, Some("2001:db8:1::7"), None),
        Err(LabError::Exists(_))
    ));
    let listed: Vec<(String, u32)> = lab
        .routes6(h1)
        .into_iter()
        .map(|r| (format!("{}/{}", r.dst, r.prefix), r.metric))
        .collect();
    assert_eq!(
        listed,
        [
            ("2001:db8:1::/64".to_string(), 256),
            ("2001:db8:5:1::/64".to_string(), 1024),
            ("2001:db8:5::/48".to_string(), 10),
            ("fe80::/64".to_string(), 256),
            ("::/0".to_string(), 1024),
        ]
    );
    let r = lab
        .route6_lookup(h1, v6("2001:db8:5:1::9"), None)
        .expect("route");
    assert_eq!(
        r.gateway,
        Some(v6("2001:db8:1::3")),
        "the longest prefix wins"
    );
    let m = Route6Match {
        dst: Some((v6("2001:db8:5::"), 48)),
        metric: Some(11),
        ..Default::default()
    };
    assert_eq!(lab.route6_del(h1, &m), Err(LabError::NotFound("route")));
    // With no default route, ping fails at once.
    let m = Route6Match {
        dst: Some((Ipv6Addr::UNSPECIFIED, 0)),
        ..Default::default()
    };
    lab.route6_del(h1, &m).expect("del default");
    assert_eq!(
        lab.ping(h1, v6("2001:db8:2::10"), count(1)).err(),
        Some(LabError::NetworkUnreachable6(v6("2001:db8:2::10")))
    );
}
