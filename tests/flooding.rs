//! Three hosts on one bridge: the first ARP request floods to every other port; the reply and
//! the echo request/reply are unicast and never reach the third host.

use l2lab_fabric::{Decision, MacAddr};
use l2lab_tests::{bridge, captured, decisions, host_on_bridge, ip, learned, mac, ping, Seen};

#[test]
fn first_arp_floods_then_unicast() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    let br = bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let h3 = host_on_bridge(&mut lab, host, "br0", "ns3", "p3", "10.1.0.3/24");
    let cap3 = lab.capture_start(h3.ns, "veth0", false).unwrap();
    lab.set_recording(true);
    lab.drain_events();

    let p = ping(&mut lab, h1.ns, "10.1.0.2", 1);
    assert_eq!(p.received, 1);

    // The third host saw the broadcast request and nothing else.
    let seen3: Vec<Seen> = captured(&lab, cap3).into_iter().map(|(_, s)| s).collect();
    assert_eq!(
        seen3,
        vec![Seen::ArpRequest {
            dst: MacAddr::BROADCAST,
            target: ip("10.1.0.2"),
            sender: ip("10.1.0.1"),
        }]
    );

    let d = decisions(&lab.drain_events());
    let floods: Vec<_> = d
        .iter()
        .filter_map(|x| match x {
            Decision::Flooded { ports, mac, .. } => Some((*mac, ports.clone())),
            _ => None,
        })
        .collect();
    // Newest port first, as the kernel's br_flood walks its list.
    assert_eq!(floods, vec![(MacAddr::BROADCAST, vec![h3.port, h2.port])]);
    let forwards: Vec<_> = d
        .iter()
        .filter_map(|x| match x {
            Decision::Forwarded { port, .. } => Some(*port),
            _ => None,
        })
        .collect();
    // ARP reply, echo request, echo reply: each to exactly one port.
    assert_eq!(forwards, vec![h1.port, h2.port, h1.port]);

    let mut want = vec![(mac(&lab, h1.link), h1.port), (mac(&lab, h2.link), h2.port)];
    want.sort();
    assert_eq!(learned(&lab, br), want);
}

#[test]
fn flood_off_keeps_unknown_unicast_off_a_port_but_not_broadcast() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let _h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let h3 = host_on_bridge(&mut lab, host, "br0", "ns3", "p3", "10.1.0.3/24");
    lab.set_port_flood(host, "p3", false).unwrap();
    let cap3 = lab.capture_start(h3.ns, "veth0", false).unwrap();
    // A static neighbour with a MAC nobody has: its frames are unknown unicast at the bridge.
    let ghost: MacAddr = "02:11:22:33:44:55".parse().unwrap();
    lab.neigh_add(
        h1.ns,
        "veth0",
        ip("10.1.0.99"),
        Some(ghost),
        l2lab_sim::NeighState::Permanent,
        false,
    )
    .unwrap();
    let p = ping(&mut lab, h1.ns, "10.1.0.99", 1);
    assert_eq!(p.received, 0);
    assert!(
        captured(&lab, cap3).is_empty(),
        "unknown unicast must not reach a flood-off port"
    );
    // Broadcast still does.
    ping(&mut lab, h1.ns, "10.1.0.2", 1);
    let seen3: Vec<Seen> = captured(&lab, cap3).into_iter().map(|(_, s)| s).collect();
    assert!(matches!(seen3.as_slice(), [Seen::ArpRequest { .. }]));
}

#[test]
fn unknown_unicast_floods_to_flood_on_ports() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let cap2 = lab.capture_start(h2.ns, "veth0", false).unwrap();
    let ghost: MacAddr = "02:11:22:33:44:55".parse().unwrap();
    lab.neigh_add(
        h1.ns,
        "veth0",
        ip("10.1.0.99"),
        Some(ghost),
        l2lab_sim::NeighState::Permanent,
        false,
    )
    .unwrap();
    ping(&mut lab, h1.ns, "10.1.0.99", 1);
    let seen2: Vec<Seen> = captured(&lab, cap2).into_iter().map(|(_, s)| s).collect();
    assert!(matches!(seen2.as_slice(), [Seen::EchoRequest { .. }]));
}
