//! A router namespace: with ip_forward 0 the ping across fails silently, with 1 it succeeds
//! and the reply has TTL 63.

use l2lab_sim::{Lab, LabError, NsId, PingEvent, PingOptions, RouteProto};
use l2lab_tests::{ip, ping, ping_answers, ping_with, secs};

fn routed(lab: &mut Lab) -> (NsId, NsId, NsId) {
    let a = lab.add_netns("a").unwrap();
    let r = lab.add_netns("r").unwrap();
    let b = lab.add_netns("b").unwrap();
    lab.add_veth(a, "eth0", "ra", Some(r)).unwrap();
    lab.add_veth(b, "eth0", "rb", Some(r)).unwrap();
    for (ns, dev, addr) in [
        (a, "eth0", "10.0.1.2/24"),
        (r, "ra", "10.0.1.1/24"),
        (r, "rb", "10.0.2.1/24"),
        (b, "eth0", "10.0.2.2/24"),
    ] {
        lab.set_link_up(ns, dev, true).unwrap();
        lab.addr_add(ns, dev, addr.parse().unwrap(), None).unwrap();
    }
    let any = "0.0.0.0/0".parse().unwrap();
    lab.route_add(a, any, Some(ip("10.0.1.1")), None, 0, RouteProto::Boot)
        .unwrap();
    lab.route_add(b, any, Some(ip("10.0.2.1")), None, 0, RouteProto::Boot)
        .unwrap();
    (a, r, b)
}

#[test]
fn forwarding_off_drops_silently() {
    let mut lab = Lab::new();
    let (a, r, _b) = routed(&mut lab);
    assert_eq!(
        lab.sysctl_get(r, "net.ipv4.ip_forward").as_deref(),
        Some("0")
    );
    let p = ping(&mut lab, a, "10.0.2.2", 2);
    assert_eq!((p.transmitted, p.received, p.errors), (2, 0, 0));
    assert_eq!(p.exit_status(), 1);
}

#[test]
fn forwarding_on_decrements_ttl() {
    let mut lab = Lab::new();
    let (a, r, _b) = routed(&mut lab);
    lab.sysctl_set(r, "net.ipv4.ip_forward", "1").unwrap();
    assert_eq!(
        lab.sysctl_get(r, "net.ipv4.conf.all.forwarding").as_deref(),
        Some("1"),
        "ip_forward and conf.all.forwarding are one switch"
    );
    assert_eq!(
        lab.sysctl_get(r, "net.ipv4.conf.ra.forwarding").as_deref(),
        Some("1")
    );
    let id = ping_with(
        &mut lab,
        a,
        "10.0.2.2",
        PingOptions {
            count: Some(2),
            ..Default::default()
        },
    );
    let ttls: Vec<u8> = lab
        .ping_events(id)
        .into_iter()
        .filter_map(|e| match e {
            PingEvent::Reply { ttl, .. } => Some(ttl),
            _ => None,
        })
        .collect();
    assert_eq!(ttls, vec![63, 63]);
}

#[test]
fn ttl_exceeded_comes_from_the_router() {
    let mut lab = Lab::new();
    let (a, r, _b) = routed(&mut lab);
    lab.sysctl_set(r, "net.ipv4.ip_forward", "1").unwrap();
    let id = ping_with(
        &mut lab,
        a,
        "10.0.2.2",
        PingOptions {
            count: Some(1),
            ttl: 1,
            ..Default::default()
        },
    );
    let ev = ping_answers(&mut lab, id);
    assert!(matches!(
        ev[0],
        PingEvent::Error { from, error: l2lab_sim::PingError::TtlExceeded, .. } if from == ip("10.0.1.1")
    ));
}

/// The kernel's icmp_send sends errors at Internet Control precedence (TOS 0xc0); an echo
/// reply carries the request's TOS. Seen with `tcpdump -v` on a kernel router.
#[test]
fn icmp_errors_leave_at_tos_0xc0() {
    let mut lab = Lab::new();
    let (a, r, _b) = routed(&mut lab);
    lab.sysctl_set(r, "net.ipv4.ip_forward", "1").unwrap();
    let cap = lab.capture_start(a, "eth0", true).unwrap();
    let p = ping(&mut lab, a, "10.9.9.9", 1);
    assert_eq!((p.received, p.errors), (0, 1));
    let p = ping(&mut lab, a, "10.0.1.1", 1);
    assert_eq!(p.received, 1);
    let icmp: Vec<(u8, u8)> = lab
        .capture(cap)
        .unwrap()
        .frames
        .iter()
        .filter_map(|f| {
            let (ip, rest) = l2lab_fabric::wire::Ipv4Repr::parse(f.frame.get(14..)?).ok()?;
            (ip.protocol == 1).then(|| (rest[0], ip.tos))
        })
        .collect();
    // request, net unreachable, request, reply
    assert_eq!(icmp, vec![(8, 0), (3, 0xc0), (8, 0), (0, 0)]);
}

#[test]
fn gateway_must_be_on_a_connected_subnet() {
    let mut lab = Lab::new();
    let (a, _r, _b) = routed(&mut lab);
    let err = lab
        .route_add(
            a,
            "10.9.0.0/16".parse().unwrap(),
            Some(ip("10.9.9.9")),
            None,
            0,
            RouteProto::Boot,
        )
        .unwrap_err();
    assert_eq!(err, LabError::NetworkUnreachable(ip("10.9.9.9")));
    let err = lab
        .route_add(
            a,
            "0.0.0.0/0".parse().unwrap(),
            Some(ip("10.0.1.1")),
            None,
            0,
            RouteProto::Boot,
        )
        .unwrap_err();
    assert!(matches!(err, LabError::Exists(_)));
}

#[test]
fn routes_via_a_device_go_when_it_goes_down() {
    let mut lab = Lab::new();
    let (a, _r, _b) = routed(&mut lab);
    assert_eq!(lab.routes(a).len(), 2);
    lab.set_link_up(a, "eth0", false).unwrap();
    assert!(lab.routes(a).is_empty());
    assert_eq!(
        lab.ping(a, ip("10.0.2.2"), PingOptions::default())
            .unwrap_err(),
        LabError::NetworkUnreachable(ip("10.0.2.2"))
    );
}

/// A router whose way out takes 1,400 bytes: a 1,428-byte request with DF set gets "Frag
/// needed and DF set (mtu = 1400)" from the router, the sender learns the path MTU, and its
/// next request goes out in fragments and is answered (ip_forward, ipv4_update_pmtu and
/// ip_fragment, as seen on Linux 6.18 in scenarios/pmtu-router).
#[test]
fn path_mtu_is_learned_from_the_router() {
    let mut lab = Lab::new();
    let (a, r, b) = routed(&mut lab);
    lab.sysctl_set(r, "net.ipv4.ip_forward", "1").unwrap();
    lab.set_mtu(r, "rb", 1400).unwrap();
    lab.set_mtu(b, "eth0", 1400).unwrap();
    let id = ping_with(
        &mut lab,
        a,
        "10.0.2.2",
        PingOptions {
            count: Some(2),
            size: 1400,
            ..Default::default()
        },
    );
    let ev = ping_answers(&mut lab, id);
    assert!(matches!(
        ev[0],
        PingEvent::Error { from, error: l2lab_sim::PingError::FragNeeded(1400), .. } if from == ip("10.0.1.1")
    ));
    assert!(matches!(
        ev[1],
        PingEvent::Reply {
            bytes: 1408,
            ttl: 63,
            ..
        }
    ));
    assert_eq!(
        lab.pmtu_exception(a, ip("10.0.2.2")).map(|(m, _)| m),
        Some(1400)
    );
}

/// `ping -M do` with a request the route's MTU cannot take: refused before anything is sent
/// (EMSGSIZE); `-M dont` and the default fragment it instead.
#[test]
fn df_refuses_what_does_not_fit_and_the_rest_is_fragmented() {
    let mut lab = Lab::new();
    let (a, r, _b) = routed(&mut lab);
    lab.sysctl_set(r, "net.ipv4.ip_forward", "1").unwrap();
    let cap = lab.capture_start(a, "eth0", true).unwrap();
    let run = |lab: &mut Lab, pmtudisc| {
        let id = lab
            .ping(
                a,
                ip("10.0.2.2"),
                PingOptions {
                    count: Some(1),
                    size: 2000,
                    pmtudisc,
                    ..Default::default()
                },
            )
            .unwrap();
        lab.run_ping(id, secs(30)).unwrap().clone()
    };
    let p = run(&mut lab, l2lab_sim::Pmtudisc::Do);
    assert_eq!((p.transmitted, p.received, p.errors), (1, 0, 1));
    assert!(lab.capture(cap).unwrap().frames.is_empty());
    for how in [l2lab_sim::Pmtudisc::Want, l2lab_sim::Pmtudisc::Dont] {
        let p = run(&mut lab, how);
        assert_eq!((p.transmitted, p.received), (1, 1));
    }
    // Each request and each reply in two pieces: 1,500 and 548 bytes of IP.
    let ip_lens: Vec<usize> = lab
        .capture(cap)
        .unwrap()
        .frames
        .iter()
        .filter(|f| f.frame.get(12..14) == Some(&[8, 0]))
        .map(|f| f.frame.len() - 14)
        .collect();
    assert_eq!(ip_lens, vec![1500, 548, 1500, 548, 1500, 548, 1500, 548]);
}
