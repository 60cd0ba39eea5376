//! A bridge with an address is the default gateway: it answers ARP and ping with its own MAC.

use l2lab_sim::RouteProto;
use l2lab_tests::{bridge, captured, host_on_bridge, ip, mac, ping, Seen};

#[test]
fn bridge_answers_arp_and_ping_with_its_own_mac() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    let br = bridge(&mut lab, host, "br01");
    lab.addr_add(host, "br01", "192.168.88.1/24".parse().unwrap(), None)
        .unwrap();
    let h1 = host_on_bridge(
        &mut lab,
        host,
        "br01",
        "ns01",
        "br-veth01",
        "192.168.88.11/24",
    );
    let h2 = host_on_bridge(
        &mut lab,
        host,
        "br01",
        "ns02",
        "br-veth02",
        "192.168.88.12/24",
    );
    for h in [h1, h2] {
        lab.route_add(
            h.ns,
            "0.0.0.0/0".parse().unwrap(),
            Some(ip("192.168.88.1")),
            None,
            0,
            RouteProto::Boot,
        )
        .unwrap();
    }
    // The bridge took the lower of its ports' MACs.
    let lowest = mac(&lab, h1.port).min(mac(&lab, h2.port));
    assert_eq!(mac(&lab, br), lowest);

    let cap = lab.capture_start(h1.ns, "veth0", false).unwrap();
    let p = ping(&mut lab, h1.ns, "192.168.88.1", 2);
    assert_eq!(p.received, 2);
    let seen: Vec<Seen> = captured(&lab, cap).into_iter().map(|(_, s)| s).collect();
    assert!(seen.contains(&Seen::ArpReply {
        dst: mac(&lab, h1.link),
        ip: ip("192.168.88.1"),
        mac: lowest,
    }));
    let frames = &lab.capture(cap).unwrap().frames;
    let reply = frames
        .iter()
        .find(|f| matches!(l2lab_tests::seen(&f.frame), Seen::EchoReply { .. }))
        .expect("an echo reply");
    assert_eq!(
        &reply.frame[6..12],
        &lowest.0,
        "echo reply from the bridge's MAC"
    );

    // Something off-link goes to the gateway's MAC; the bridge does not forward IP (forwarding
    // is off in the host), so nothing comes back.
    let p = ping(&mut lab, h1.ns, "10.9.9.9", 1);
    assert_eq!(p.received, 0);
}

#[test]
fn tcpdump_on_the_bridge_sees_host_to_host_traffic() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br01");
    let h1 = host_on_bridge(
        &mut lab,
        host,
        "br01",
        "ns01",
        "br-veth01",
        "192.168.88.11/24",
    );
    let _h2 = host_on_bridge(
        &mut lab,
        host,
        "br01",
        "ns02",
        "br-veth02",
        "192.168.88.12/24",
    );
    // Promiscuous (tcpdump's default): every frame the bridge forwards is handed up too.
    let cap = lab.capture_start(host, "br01", true).unwrap();
    ping(&mut lab, h1.ns, "192.168.88.12", 1);
    let seen: Vec<Seen> = captured(&lab, cap).into_iter().map(|(_, s)| s).collect();
    assert_eq!(seen.len(), 4, "{seen:?}");
    // Without promiscuous mode (tcpdump -p) only the broadcast reaches the bridge device.
    let cap_p = lab.capture_start(host, "br01", false).unwrap();
    lab.capture_stop(cap);
    lab.advance(l2lab_tests::secs(60)).unwrap();
    lab.neigh_flush(h1.ns, None).unwrap();
    ping(&mut lab, h1.ns, "192.168.88.12", 1);
    let seen: Vec<Seen> = captured(&lab, cap_p).into_iter().map(|(_, s)| s).collect();
    assert!(
        matches!(seen.as_slice(), [Seen::ArpRequest { .. }]),
        "{seen:?}"
    );
}
