//! Learning: a MAC that shows up behind another port moves there at once; a port with
//! learning off keeps its MACs out of the table.

use l2lab_fabric::wire::ethernet_frame;
use l2lab_fabric::{Decision, MacAddr};
use l2lab_sim::Lab;
use l2lab_tests::{bridge, captured, decisions, host_on_bridge, learned, mac, ping, Seen};

#[test]
fn moved_host_is_relearned_at_once() {
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    let br = bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let h3 = host_on_bridge(&mut lab, host, "br0", "ns3", "p3", "10.1.0.3/24");
    ping(&mut lab, h1.ns, "10.1.0.2", 1);
    let m1 = mac(&lab, h1.link);
    assert!(learned(&lab, br).contains(&(m1, h1.port)));

    // h1's MAC now speaks from behind p3 (the host moved): re-learned there at once.
    lab.set_recording(true);
    let m2 = mac(&lab, h2.link);
    lab.inject(h3.link, ethernet_frame(m1, m2, 0x88b5, &[0u8; 46]));
    assert!(learned(&lab, br).contains(&(m1, h3.port)));
    assert!(!learned(&lab, br).contains(&(m1, h1.port)));
    let moved: Vec<_> = decisions(&lab.drain_events())
        .into_iter()
        .filter(|d| matches!(d, Decision::Moved { .. }))
        .collect();
    assert_eq!(
        moved,
        vec![Decision::Moved {
            bridge: br,
            mac: m1,
            from: h1.port,
            to: h3.port
        }]
    );
    // Frames for it now go to p3 only.
    let cap1 = lab.capture_start(h1.ns, "veth0", false).unwrap();
    lab.inject(h2.link, ethernet_frame(m2, m1, 0x88b5, &[0u8; 46]));
    assert!(captured(&lab, cap1).is_empty());
}

#[test]
fn learning_off_keeps_a_ports_macs_out() {
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    let br = bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let h3 = host_on_bridge(&mut lab, host, "br0", "ns3", "p3", "10.1.0.3/24");
    lab.set_port_learning(host, "p1", false).unwrap();
    let cap3 = lab.capture_start(h3.ns, "veth0", false).unwrap();
    let p = ping(&mut lab, h1.ns, "10.1.0.2", 1);
    assert_eq!(p.received, 1);
    assert_eq!(learned(&lab, br), vec![(mac(&lab, h2.link), h2.port)]);
    // Everything sent to h1 is unknown unicast: the third host sees the ARP reply and the echo
    // reply flooded to it as well as the broadcast request.
    let seen3: Vec<Seen> = captured(&lab, cap3).into_iter().map(|(_, s)| s).collect();
    assert_eq!(seen3.len(), 3, "{seen3:?}");
    assert!(matches!(seen3[0], Seen::ArpRequest { dst, .. } if dst == MacAddr::BROADCAST));
    assert!(matches!(seen3[1], Seen::ArpReply { .. }));
    assert!(matches!(seen3[2], Seen::EchoReply { .. }));
}

#[test]
fn bridge_mac_is_lowest_port_mac_unless_set() {
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    let br = bridge(&mut lab, host, "br0");
    lab.add_veth(host, "a", "pa", None).unwrap();
    lab.add_veth(host, "b", "pb", None).unwrap();
    lab.set_mac(host, "pa", "02:00:00:00:00:50".parse().unwrap())
        .unwrap();
    lab.set_mac(host, "pb", "02:00:00:00:00:20".parse().unwrap())
        .unwrap();
    lab.set_master(host, "pa", Some("br0")).unwrap();
    assert_eq!(mac(&lab, br).to_string(), "02:00:00:00:00:50");
    lab.set_master(host, "pb", Some("br0")).unwrap();
    assert_eq!(mac(&lab, br).to_string(), "02:00:00:00:00:20");
    lab.set_master(host, "pb", None).unwrap();
    assert_eq!(mac(&lab, br).to_string(), "02:00:00:00:00:50");
    lab.set_master(host, "pa", None).unwrap();
    assert_eq!(
        mac(&lab, br),
        MacAddr::ZERO,
        "no ports left: the zero address"
    );
    lab.set_mac(host, "br0", "02:00:00:00:00:99".parse().unwrap())
        .unwrap();
    lab.set_master(host, "pb", Some("br0")).unwrap();
    assert_eq!(
        mac(&lab, br).to_string(),
        "02:00:00:00:00:99",
        "set by the user: kept"
    );
}
