//! Properties over random topologies and traffic: no frame leaves through its ingress port,
//! no frame crosses between bridges that nothing joins, nothing is delivered on a down
//! interface, and the FDB never exceeds its bound.

use std::collections::HashMap;
use std::num::NonZeroUsize;

use l2lab_fabric::wire::ethernet_frame;
use l2lab_fabric::{Decision, LinkId, MacAddr};
use l2lab_sim::{EventKind, Lab, PingOptions};
use l2lab_tests::{bridge, host_on_bridge, ip, secs, Host};
use proptest::prelude::*;

const FDB_BOUND: usize = 5;

#[derive(Debug, Clone)]
enum Op {
    Ping {
        from: usize,
        to: usize,
    },
    Frame {
        from: usize,
        src: u8,
        dst: Option<usize>,
        broadcast: bool,
    },
    Toggle {
        host: usize,
    },
    Advance {
        secs: u64,
    },
}

fn op(hosts: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..hosts, 0..hosts).prop_map(|(from, to)| Op::Ping { from, to }),
        3 => (0..hosts, any::<u8>(), proptest::option::of(0..hosts), any::<bool>())
            .prop_map(|(from, src, dst, broadcast)| Op::Frame { from, src, dst, broadcast }),
        1 => (0..hosts).prop_map(|host| Op::Toggle { host }),
        1 => (1u64..400).prop_map(|secs| Op::Advance { secs }),
    ]
}

/// A topology: `bridges` bridges; host i on bridge `attach[i]`; bridge j (j >= 1) joined to
/// bridge `join[j]` (< j) when that is Some — a forest, so no loops.
#[derive(Debug, Clone)]
struct Topo {
    bridges: usize,
    attach: Vec<usize>,
    join: Vec<Option<usize>>,
}

fn topo() -> impl Strategy<Value = Topo> {
    (1usize..4, 2usize..7).prop_flat_map(|(nb, nh)| {
        (
            proptest::collection::vec(0..nb, nh),
            proptest::collection::vec(proptest::option::of(0usize..8), nb),
        )
            .prop_map(move |(attach, join)| Topo {
                bridges: nb,
                attach,
                join: join
                    .into_iter()
                    .enumerate()
                    .map(|(j, t)| t.filter(|_| j > 0).map(|t| t % j.max(1)))
                    .collect(),
            })
    })
}

fn component(t: &Topo, mut b: usize) -> usize {
    while let Some(p) = t.join[b] {
        b = p;
    }
    b
}

fn build(t: &Topo) -> (Lab, Vec<LinkId>, Vec<Host>, HashMap<LinkId, usize>) {
    let mut lab = Lab::new();
    lab.set_fdb_max_learned(NonZeroUsize::new(FDB_BOUND).unwrap());
    let host = lab.netns("").unwrap();
    let mut bridges = vec![];
    let mut comp_of_link = HashMap::new();
    for b in 0..t.bridges {
        let id = bridge(&mut lab, host, &format!("br{b}"));
        comp_of_link.insert(id, component(t, b));
        bridges.push(id);
    }
    for (j, parent) in t.join.iter().enumerate() {
        if let Some(p) = parent {
            let (a, z) = (format!("j{j}a"), format!("j{j}z"));
            let (la, lz) = lab.add_veth(host, &a, &z, None).unwrap();
            lab.set_master(host, &a, Some(&format!("br{p}"))).unwrap();
            lab.set_master(host, &z, Some(&format!("br{j}"))).unwrap();
            lab.set_link_up(host, &a, true).unwrap();
            lab.set_link_up(host, &z, true).unwrap();
            comp_of_link.insert(la, component(t, j));
            comp_of_link.insert(lz, component(t, j));
        }
    }
    let mut hosts = vec![];
    for (i, b) in t.attach.iter().enumerate() {
        let h = host_on_bridge(
            &mut lab,
            host,
            &format!("br{b}"),
            &format!("h{i}"),
            &format!("p{i}"),
            &format!("10.9.0.{}/24", i + 1),
        );
        comp_of_link.insert(h.link, component(t, *b));
        comp_of_link.insert(h.port, component(t, *b));
        hosts.push(h);
    }
    lab.set_recording(true);
    lab.drain_events();
    (lab, bridges, hosts, comp_of_link)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn wire_invariants(t in topo(), ops in proptest::collection::vec(op(6), 1..25)) {
        let (mut lab, bridges, hosts, comp) = build(&t);
        let n = hosts.len();
        for o in ops {
            match o {
                Op::Ping { from, to } => {
                    let (from, to) = (from % n, to % n);
                    let opts = PingOptions { count: Some(1), wait: Some(secs(1)), ..Default::default() };
                    if let Ok(id) = lab.ping(hosts[from].ns, ip(&format!("10.9.0.{}", to + 1)), opts) {
                        lab.run_ping(id, secs(20)).unwrap();
                    }
                }
                Op::Frame { from, src, dst, broadcast } => {
                    let from = from % n;
                    let src = MacAddr([0x02, 0, 0, 0, 0x77, src]);
                    let dst = match (broadcast, dst) {
                        (true, _) => MacAddr::BROADCAST,
                        (false, Some(d)) => lab.fabric().link(hosts[d % n].link).unwrap().mac,
                        (false, None) => MacAddr([0x02, 0, 0, 0, 0x66, 1]),
                    };
                    lab.inject(hosts[from].link, ethernet_frame(src, dst, 0x88b5, &[0; 46]));
                }
                Op::Toggle { host } => {
                    let h = hosts[host % n];
                    let up = lab.fabric().link(h.link).unwrap().admin_up;
                    lab.set_link_up(h.ns, "veth0", !up).unwrap();
                }
                Op::Advance { secs: s } => lab.advance(secs(s)).unwrap(),
            }
            // Within one operation no interface changes state, so "up now" is "up then".
            let events = lab.drain_events();
            let mut ingress: HashMap<(u64, LinkId), LinkId> = HashMap::new();
            let mut origin: HashMap<u64, usize> = HashMap::new();
            for e in &events {
                let EventKind::Wire(r) = &e.kind else { continue };
                match &r.decision {
                    Decision::Sent { link, .. } => {
                        if let Some(c) = comp.get(link) {
                            origin.insert(r.journey, *c);
                        }
                    }
                    Decision::Entered { bridge, port } => {
                        prop_assert!(ingress.insert((r.journey, *bridge), *port).is_none(), "a loop in a forest");
                    }
                    Decision::Forwarded { bridge, port, .. } => {
                        prop_assert_ne!(ingress.get(&(r.journey, *bridge)), Some(port));
                    }
                    Decision::Flooded { bridge, ports, .. } => {
                        for p in ports {
                            prop_assert_ne!(ingress.get(&(r.journey, *bridge)), Some(p));
                        }
                    }
                    Decision::Received { link } => {
                        prop_assert!(lab.fabric().link(*link).is_some_and(|l| l.admin_up), "delivered on a down interface");
                        if let (Some(o), Some(c)) = (origin.get(&r.journey), comp.get(link)) {
                            prop_assert_eq!(o, c, "crossed between unjoined bridges");
                        }
                    }
                    _ => {}
                }
            }
            for b in &bridges {
                prop_assert!(lab.fabric().bridge(*b).unwrap().fdb.learned_len() <= FDB_BOUND);
            }
        }
    }
}
