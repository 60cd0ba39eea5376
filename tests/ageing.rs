//! Ageing: learned entries expire `ageing_time` after their MAC was last seen as a source, and
//! the collector removes them; after that, unicast to them floods again.

use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::bridge::fdb::has_expired;
use l2lab_fabric::wire::ethernet_frame;
use l2lab_fabric::{Decision, LinkId, MacAddr};
use l2lab_sim::{Lab, NeighState};
use l2lab_tests::{bridge, decisions, host_on_bridge, ip, learned, mac, ping, secs, Host};

/// A frame no stack answers (a local experimental EtherType), so only its sender is learned.
fn probe(from: MacAddr, to: MacAddr) -> Bytes {
    ethernet_frame(from, to, 0x88b5, &[0u8; 46])
}

fn setup(lab: &mut Lab) -> (LinkId, Host, Host, Host) {
    let host = lab.netns("").unwrap();
    let br = bridge(lab, host, "br0");
    let h1 = host_on_bridge(lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let h2 = host_on_bridge(lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let h3 = host_on_bridge(lab, host, "br0", "ns3", "p3", "10.1.0.3/24");
    lab.set_recording(true);
    (br, h1, h2, h3)
}

fn forwarded_or_flooded(lab: &mut Lab) -> Vec<&'static str> {
    decisions(&lab.drain_events())
        .into_iter()
        .filter_map(|d| match d {
            Decision::Forwarded { .. } => Some("forwarded"),
            Decision::Flooded { .. } => Some("flooded"),
            _ => None,
        })
        .collect()
}

#[test]
fn short_ageing_time_forgets_after_six_seconds() {
    let mut lab = l2lab_tests::lab_ipv4();
    let (br, h1, h2, _h3) = setup(&mut lab);
    let host = lab.netns("").unwrap();
    lab.set_ageing_time(host, "br0", secs(5)).unwrap();
    // Static neighbours: no ARP, so nothing but the pings refreshes the table.
    let (m1, m2) = (mac(&lab, h1.link), mac(&lab, h2.link));
    lab.neigh_add(
        h1.ns,
        "veth0",
        ip("10.1.0.2"),
        Some(m2),
        NeighState::Permanent,
        false,
    )
    .unwrap();
    lab.neigh_add(
        h2.ns,
        "veth0",
        ip("10.1.0.1"),
        Some(m1),
        NeighState::Permanent,
        false,
    )
    .unwrap();
    ping(&mut lab, h1.ns, "10.1.0.2", 1);
    assert_eq!(learned(&lab, br).len(), 2);
    lab.drain_events();
    lab.advance(secs(6)).unwrap();
    assert!(learned(&lab, br).is_empty(), "both entries aged out");
    let aged: Vec<_> = decisions(&lab.drain_events())
        .into_iter()
        .filter(|d| matches!(d, Decision::AgedOut { .. }))
        .collect();
    assert_eq!(aged.len(), 2);
    // The next unicast to h2 is unknown again: flooded.
    lab.inject(h1.link, probe(m1, m2));
    assert_eq!(forwarded_or_flooded(&mut lab), vec!["flooded"]);
}

#[test]
fn default_ageing_stale_after_300_s_gone_when_the_collector_runs() {
    let mut lab = l2lab_tests::lab_ipv4();
    let (br, h1, h2, _h3) = setup(&mut lab);
    let (m1, m2) = (mac(&lab, h1.link), mac(&lab, h2.link));
    let t0 = lab.now();
    lab.inject(h2.link, probe(m2, MacAddr::BROADCAST));
    assert_eq!(learned(&lab, br), vec![(m2, h2.port)]);
    lab.drain_events();
    let expired = |lab: &Lab| {
        let e = *lab.fabric().bridge(br).unwrap().fdb.get(&m2).unwrap();
        has_expired(&e, lab.now(), secs(300))
    };

    lab.advance_to(t0 + secs(299)).unwrap();
    lab.drain_events();
    lab.inject(h1.link, probe(m1, m2));
    assert_eq!(forwarded_or_flooded(&mut lab), vec!["forwarded"]);
    assert!(!expired(&lab));

    // At 301 s the entry has expired (`bridge fdb show` calls it stale), but as on the kernel
    // it is still used until the collector, a kernel timer the wheel fires up to 16 s late
    // at this range, removes it.
    lab.advance_to(t0 + secs(301)).unwrap();
    lab.drain_events();
    assert!(expired(&lab));
    lab.inject(h1.link, probe(m1, m2));
    assert_eq!(forwarded_or_flooded(&mut lab), vec!["forwarded"]);

    lab.advance_to(t0 + secs(300) + Duration::from_millis(16_484))
        .unwrap();
    assert!(!learned(&lab, br).iter().any(|(m, _)| *m == m2));
    let aged: Vec<_> = decisions(&lab.drain_events())
        .into_iter()
        .filter_map(|d| match d {
            Decision::AgedOut { mac, age, .. } => Some((mac, age)),
            _ => None,
        })
        .collect();
    assert_eq!(aged.len(), 1);
    assert_eq!(aged[0].0, m2);
    assert!(
        aged[0].1 >= secs(300) && aged[0].1 <= secs(317),
        "{:?}",
        aged[0].1
    );
    lab.inject(h1.link, probe(m1, m2));
    assert_eq!(forwarded_or_flooded(&mut lab), vec!["flooded"]);
}

#[test]
fn a_port_going_down_forgets_what_was_learned_behind_it() {
    let mut lab = l2lab_tests::lab_ipv4();
    let (br, h1, h2, _h3) = setup(&mut lab);
    let (m1, m2) = (mac(&lab, h1.link), mac(&lab, h2.link));
    lab.inject(h1.link, probe(m1, m2));
    lab.inject(h2.link, probe(m2, m1));
    assert_eq!(learned(&lab, br).len(), 2);
    let host = lab.netns("").unwrap();
    lab.set_link_up(host, "p2", false).unwrap();
    assert_eq!(learned(&lab, br), vec![(m1, h1.port)]);
}
