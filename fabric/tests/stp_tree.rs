//! The 802.1D port roles on random bridge graphs: once STP has converged, the links whose two
//! ports forward form a spanning tree of each connected part of the graph (a spanning
//! forest), every other port blocks, the tree does not depend on the order in which links
//! come up, and a broadcast crosses it without the storm guard.

use std::time::Duration;

use l2lab_fabric::wire::{ethernet_frame, BridgeId};
use l2lab_fabric::{Decision, DropReason, Fabric, LinkId, MacAddr, PortState};
use proptest::prelude::*;

/// A bridge graph: `n` bridges and veth links between them (loops and parallel links
/// included, as a learner's cabling may have).
#[derive(Debug, Clone)]
struct Graph {
    n: usize,
    edges: Vec<(usize, usize)>,
}

fn graph() -> impl Strategy<Value = Graph> {
    (2usize..7).prop_flat_map(|n| {
        proptest::collection::vec((0..n, 0..n), 1..12).prop_map(move |e| Graph {
            n,
            edges: e.into_iter().filter(|(a, b)| a != b).collect(),
        })
    })
}

struct Built {
    fabric: Fabric,
    bridges: Vec<LinkId>,
    /// Each edge's two ports: (bridge a's end, bridge b's end).
    ports: Vec<(LinkId, LinkId)>,
}

/// Builds the graph on a fresh wire (the same seed, so the same addresses every time), then
/// brings every bridge and port up in `order` (an order of the indices of `ups`), 100 ms
/// apart, and runs the wire's timers to `end`.
fn build(g: &Graph, order: &[usize], end: Duration) -> Built {
    let mut f = Fabric::new(7);
    f.set_recording(true);
    let t0 = Duration::ZERO;
    let bridges: Vec<LinkId> = (0..g.n).map(|_| f.add_bridge()).collect();
    for &b in &bridges {
        f.set_stp(b, true, t0).expect("a bridge");
    }
    let mut ports = Vec::new();
    for &(a, b) in &g.edges {
        let (x, y) = f.add_veth_pair();
        f.enslave(x, bridges[a], t0).expect("enslave");
        f.enslave(y, bridges[b], t0).expect("enslave");
        ports.push((x, y));
    }
    let mut ups: Vec<LinkId> = bridges.clone();
    ups.extend(ports.iter().flat_map(|&(x, y)| [x, y]));
    let mut now = t0;
    let step = Duration::from_millis(100);
    for &i in order {
        run_to(&mut f, now);
        f.set_up(ups[i % ups.len()], true, now).expect("set up");
        now += step;
    }
    // Any link the order left out comes up last.
    for &l in &ups {
        f.set_up(l, true, now).expect("set up");
    }
    run_to(&mut f, end);
    Built {
        fabric: f,
        bridges,
        ports,
    }
}

/// Runs every timer of the wire due up to `end`, in time order.
fn run_to(f: &mut Fabric, end: Duration) {
    while let Some(t) = f.next_deadline() {
        if t > end {
            break;
        }
        f.poll(t);
        f.clear_deliveries();
    }
}

fn state(f: &Fabric, port: LinkId) -> PortState {
    let br = f.link(port).and_then(|l| l.master).expect("a port");
    f.bridge(br)
        .and_then(|b| b.port(port))
        .map(|p| p.state)
        .expect("a port")
}

fn find(p: &mut [usize], x: usize) -> usize {
    if p[x] != x {
        let r = find(p, p[x]);
        p[x] = r;
    }
    p[x]
}

/// The edges that forward at both ends.
fn active(b: &Built) -> Vec<usize> {
    (0..b.ports.len())
        .filter(|&i| {
            let (x, y) = b.ports[i];
            state(&b.fabric, x) == PortState::Forwarding
                && state(&b.fabric, y) == PortState::Forwarding
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn forwarding_ports_form_a_spanning_tree(
        g in graph(),
        order in proptest::collection::vec(0usize..64, 0..40),
        order2 in proptest::collection::vec(0usize..64, 0..40),
    ) {
        let end = Duration::from_secs(120);
        let b = build(&g, &order, end);
        // Every port has settled: forwarding or blocking, nothing half way.
        for &(x, y) in &b.ports {
            for p in [x, y] {
                let s = state(&b.fabric, p);
                prop_assert!(matches!(s, PortState::Forwarding | PortState::Blocking), "{s:?}");
            }
        }
        let act = active(&b);
        // Acyclic, and as many edges as a spanning forest has: n minus the components.
        let mut tree: Vec<usize> = (0..g.n).collect();
        for &i in &act {
            let (u, v) = g.edges[i];
            let (ru, rv) = (find(&mut tree, u), find(&mut tree, v));
            prop_assert!(ru != rv, "forwarding links close a loop: {:?}", act);
            tree[ru] = rv;
        }
        let mut all: Vec<usize> = (0..g.n).collect();
        for &(u, v) in &g.edges {
            let (ru, rv) = (find(&mut all, u), find(&mut all, v));
            all[ru] = rv;
        }
        let parts = (0..g.n).filter(|&x| find(&mut all, x) == x).count();
        prop_assert_eq!(act.len(), g.n - parts);
        // The same tree whatever the order of link-up.
        let b2 = build(&g, &order2, end);
        prop_assert_eq!(&act, &active(&b2));
        // A broadcast from each bridge crosses the tree without a storm.
        let mut f = b.fabric;
        f.drain_records().for_each(drop);
        for &br in &b.bridges {
            let src = f.link(br).map(|l| l.mac).unwrap_or(MacAddr::ZERO);
            let frame = ethernet_frame(src, MacAddr::BROADCAST, 0x0806, &[0u8; 28]);
            f.transmit(end, br, frame);
            f.clear_deliveries();
        }
        let storm = f.drain_records().any(|r| matches!(
            r.decision,
            Decision::Dropped { reason: DropReason::StormGuard, .. }
        ));
        prop_assert!(!storm);
    }
}

/// A topology change: br1 (not root) starts forwarding on a port of its own, tells the root
/// with TCNs until one is acknowledged; the root announces the change for forward_delay +
/// max_age, during which both age learned entries after forward_delay (br_fdb.c's
/// hold_time) and show twice forward_delay as their ageing_time.
#[test]
fn a_topology_change_is_notified_acknowledged_and_ages_entries_fast() {
    let mut f = Fabric::new(3);
    f.set_recording(true);
    let t = Duration::from_secs;
    let (br0, br1) = (f.add_bridge(), f.add_bridge());
    let (a, b) = f.add_veth_pair();
    let (c, d) = f.add_veth_pair();
    f.enslave(a, br0, t(0)).expect("enslave");
    f.enslave(b, br1, t(0)).expect("enslave");
    f.enslave(c, br1, t(0)).expect("enslave");
    for br in [br0, br1] {
        f.set_stp(br, true, t(0)).expect("a bridge");
        f.set_bridge_priority(br, if br == br0 { 0x1000 } else { 0x8000 }, t(0))
            .expect("a bridge");
    }
    for l in [a, b, c, d, br0, br1] {
        f.set_up(l, true, t(0)).expect("up");
    }
    run_to(&mut f, t(29));
    let root = f.bridge(br0).expect("br0");
    assert!(root.is_root_bridge());
    assert!(!root.st.topology_change);
    f.drain_records().for_each(drop);
    // Ports forward after twice forward_delay; br1's leaf port c is designated, so br1
    // detects a change and sends a TCN up its root port b.
    run_to(&mut f, t(32));
    // br1's root port is no designated port: all br0 hears on a now are TCNs.
    let tcns = f
        .drain_records()
        .filter(|r| matches!(r.decision, Decision::BpduReceived { bridge, .. } if bridge == br0))
        .count();
    assert!(tcns > 0);
    let (b0, b1) = (f.bridge(br0).expect("br0"), f.bridge(br1).expect("br1"));
    assert!(b0.st.topology_change && b1.st.topology_change);
    assert_eq!(b0.ageing_time, t(30));
    assert_eq!(b0.hold_time(), t(15));
    assert_eq!(b1.hold_time(), t(15));
    // Acknowledged: br1 stops sending TCNs.
    assert!(!b1.st.topology_change_detected && b1.st.tcn_timer.is_none());
    // The root ends the change forward_delay + max_age after it began.
    run_to(&mut f, t(70));
    let (b0, b1) = (f.bridge(br0).expect("br0"), f.bridge(br1).expect("br1"));
    assert!(!b0.st.topology_change && !b1.st.topology_change);
    assert_eq!(b0.ageing_time, t(300));
    assert_eq!(b1.hold_time(), t(300));
    assert_eq!(state(&f, c), PortState::Forwarding);
    assert_eq!(state(&f, b), PortState::Forwarding);
}

/// Two bridges joined twice and a stranger on br1, sent `forged` 300 ms apart from 40 s on,
/// then left alone until a forged max_age (at most 256 s) and the delays after it are over:
/// the port states and the roots the bridges follow.
fn probe(forged: &[Vec<u8>]) -> ([PortState; 5], [BridgeId; 2]) {
    let mut f = Fabric::new(11);
    let t = Duration::from_secs;
    let (br0, br1) = (f.add_bridge(), f.add_bridge());
    let (a, b) = f.add_veth_pair();
    let (c, d) = f.add_veth_pair();
    let (r, rp) = f.add_veth_pair();
    f.enslave(a, br0, t(0)).expect("enslave");
    f.enslave(c, br0, t(0)).expect("enslave");
    f.enslave(b, br1, t(0)).expect("enslave");
    f.enslave(d, br1, t(0)).expect("enslave");
    f.enslave(rp, br1, t(0)).expect("enslave");
    for br in [br0, br1] {
        f.set_stp(br, true, t(0)).expect("a bridge");
    }
    for l in [a, b, c, d, r, rp, br0, br1] {
        f.set_up(l, true, t(0)).expect("up");
    }
    run_to(&mut f, t(40));
    let src = f.link(r).map(|l| l.mac).unwrap_or(MacAddr::ZERO);
    for (i, p) in forged.iter().enumerate() {
        let now = t(40) + Duration::from_millis(300 * i as u64);
        run_to(&mut f, now);
        let len = u16::try_from(p.len()).unwrap_or(u16::MAX).min(1500);
        let frame = ethernet_frame(src, l2lab_fabric::wire::STP_GROUP, len, p);
        f.transmit(now, r, frame);
        f.clear_deliveries();
    }
    run_to(&mut f, t(420));
    let root = |br| {
        f.bridge(br)
            .map(|b| b.st.designated_root)
            .unwrap_or_default()
    };
    (
        [a, b, c, d, rp].map(|p| state(&f, p)),
        [root(br0), root(br1)],
    )
}

fn bpdu_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Config BPDUs with any fields, TCNs, and anything else after the LLC header.
        (
            any::<[u8; 8]>(),
            any::<u32>(),
            any::<[u8; 8]>(),
            any::<[u16; 5]>(),
            any::<u8>()
        )
            .prop_map(|(root, cost, br, v, flags)| {
                let mut d = vec![0x42, 0x42, 0x03, 0, 0, 0, 0, flags];
                d.extend_from_slice(&root);
                d.extend_from_slice(&cost.to_be_bytes());
                d.extend_from_slice(&br);
                for x in v {
                    d.extend_from_slice(&x.to_be_bytes());
                }
                d
            }),
        Just(vec![0x42, 0x42, 0x03, 0, 0, 0, 0x80]),
        proptest::collection::vec(any::<u8>(), 0..60),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// BPDUs from a stranger, whatever they say, break nothing; once they stop, what they
    /// said expires after the max_age they gave and the tree is the one it was without them.
    #[test]
    fn forged_bpdus_only_last_max_age(bpdus in proptest::collection::vec(bpdu_bytes(), 1..8)) {

        prop_assert_eq!(probe(&bpdus), probe(&[]));
    }
}
