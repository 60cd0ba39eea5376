//! The frame path's shortcuts change nothing anyone can see. The same frames and control
//! operations go to two wires built alike, one with decision records on (which keeps every
//! frame on the general path) and one with them off (which takes the shortcuts wherever they
//! apply); both must hand the same frames to the same stacks in the same order, capture the
//! same frames, and keep the same counters and forwarding tables.
//!
//! The wire has a bridge with more ports than a flood gathers at once, bridges chained by
//! veths (copies that cross a second bridge), and links that go down, lose carrier, change
//! MTU, flags, captures and promiscuity between frames.

use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::wire::ethernet_frame;
use l2lab_fabric::{Fabric, LinkId, MacAddr};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Wire {
    f: Fabric,
    bridges: Vec<LinkId>,
    hosts: Vec<LinkId>,
    ports: Vec<LinkId>,
}

fn build(recording: bool) -> Wire {
    let mut f = Fabric::new(11);
    f.set_recording(recording);
    let now = Duration::ZERO;
    let bridges: Vec<LinkId> = (0..3).map(|_| f.add_bridge()).collect();
    for &b in &bridges {
        f.set_up(b, true, now).unwrap();
    }
    let (mut hosts, mut ports) = (vec![], vec![]);
    for (b, n) in [(0, 20), (1, 4), (2, 3)] {
        for _ in 0..n {
            let (h, p) = f.add_veth_pair();
            f.enslave(p, bridges[b], now).unwrap();
            f.set_up(p, true, now).unwrap();
            f.set_up(h, true, now).unwrap();
            hosts.push(h);
            ports.push(p);
        }
    }
    for (a, b) in [(0, 1), (1, 2)] {
        let (x, y) = f.add_veth_pair();
        f.enslave(x, bridges[a], now).unwrap();
        f.enslave(y, bridges[b], now).unwrap();
        f.set_up(x, true, now).unwrap();
        f.set_up(y, true, now).unwrap();
        ports.push(x);
        ports.push(y);
    }
    let _ = f.drain_records().count();
    Wire {
        f,
        bridges,
        hosts,
        ports,
    }
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, v: &[T]) -> T {
    v[rng.next_u32() as usize % v.len()]
}

/// One step, the same for both wires: a frame sent, or a change to the wire.
fn step(w: &mut Wire, rng: &mut ChaCha8Rng, now: Duration) {
    let roll = rng.next_u32() % 100;
    let all: Vec<LinkId> = w.hosts.iter().chain(&w.ports).copied().collect();
    match roll {
        0..=3 => {
            let p = pick(rng, &w.ports);
            let bit = rng.next_u32() % 5;
            let _ = w.f.set_port_flags(p, |fl| match bit {
                0 => fl.learning = !fl.learning,
                1 => fl.flood = !fl.flood,
                2 => fl.mcast_flood = !fl.mcast_flood,
                3 => fl.bcast_flood = !fl.bcast_flood,
                _ => fl.hairpin = !fl.hairpin,
            });
        }
        4..=7 => {
            let l = pick(rng, &all);
            let up = pick(rng, &[true, true, false]);
            w.f.set_up(l, up, now).unwrap();
        }
        8..=9 => {
            let l = pick(rng, &all);
            w.f.set_capture(l, rng.next_u32() & 1 == 0).unwrap();
        }
        10 => {
            let b = pick(rng, &w.bridges);
            w.f.set_promisc(b, rng.next_u32() & 1 == 0).unwrap();
        }
        11 => {
            let l = pick(rng, &all);
            let mtu = pick(rng, &[1500, 1500, 100]);
            w.f.set_mtu(l, mtu).unwrap();
        }
        12 => w.f.poll(now),
        _ => {
            let macs: Vec<MacAddr> = all
                .iter()
                .chain(&w.bridges)
                .map(|l| w.f.link(*l).unwrap().mac)
                .collect();
            let from = match rng.next_u32() % 10 {
                0 => pick(rng, &w.ports),
                1 => pick(rng, &w.bridges),
                _ => pick(rng, &w.hosts),
            };
            let own = w.f.link(from).unwrap().mac;
            let src = match rng.next_u32() % 12 {
                0 => pick(rng, &macs),
                1 => MacAddr([0x01, 0, 0x5e, 0, 0, 1]),
                2 => MacAddr::ZERO,
                3 => MacAddr([2, 0, 0, 0, 0x77, rng.next_u32() as u8]),
                _ => own,
            };
            let dst = match rng.next_u32() % 10 {
                0 => MacAddr::BROADCAST,
                1 => MacAddr([0x01, 0, 0x5e, 0, 0, 7]),
                2 => MacAddr([2, 0, 0, 0, 0xee, rng.next_u32() as u8]),
                _ => pick(rng, &macs),
            };
            let frame = match rng.next_u32() % 20 {
                0 => Bytes::from_static(&[0u8; 10]),
                1 => ethernet_frame(src, dst, 0x88b5, &[0u8; 1600]),
                _ => ethernet_frame(src, dst, 0x88b5, &[0u8; 46]),
            };
            w.f.transmit(now, from, frame);
        }
    }
}

fn deliveries(f: &mut Fabric) -> Vec<(LinkId, Bytes)> {
    std::iter::from_fn(|| f.pop_delivery()).collect()
}

fn same_state(a: &Wire, b: &Wire, at: usize) {
    for l in a.hosts.iter().chain(&a.ports).chain(&a.bridges) {
        let (la, lb) = (a.f.link(*l).unwrap(), b.f.link(*l).unwrap());
        assert_eq!(
            la.counters, lb.counters,
            "counters of {l:?} after step {at}"
        );
    }
    for br in &a.bridges {
        let (fa, fb) = (&a.f.bridge(*br).unwrap().fdb, &b.f.bridge(*br).unwrap().fdb);
        assert_eq!(fa.entries(), fb.entries(), "FDB of {br:?} after step {at}");
    }
}

#[test]
fn shortcuts_change_nothing_visible() {
    for seed in 0..4u64 {
        let (mut a, mut b) = (build(true), build(false));
        let (mut ra, mut rb) = (
            ChaCha8Rng::seed_from_u64(seed),
            ChaCha8Rng::seed_from_u64(seed),
        );
        let mut delivered = 0;
        for i in 0..3000usize {
            let now = Duration::from_millis(10 * i as u64);
            step(&mut a, &mut ra, now);
            step(&mut b, &mut rb, now);
            let d = deliveries(&mut a.f);
            delivered += d.len();
            assert_eq!(
                d,
                deliveries(&mut b.f),
                "deliveries at step {i}, seed {seed}"
            );
            let (ca, cb): (Vec<_>, Vec<_>) = (
                a.f.drain_captured().collect(),
                b.f.drain_captured().collect(),
            );
            assert_eq!(ca, cb, "captures at step {i}, seed {seed}");
            let _ = a.f.drain_records().count();
            if i % 100 == 0 {
                same_state(&a, &b, i);
            }
        }
        same_state(&a, &b, 3000);
        eprintln!("seed {seed}: {delivered} deliveries");
        // Most frames must get somewhere, or the comparison shows little.
        assert!(delivered > 3_000, "only {delivered} deliveries");
    }
}
