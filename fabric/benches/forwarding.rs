//! Bridge forwarding in process, one core: 60-byte frames through veth → bridge → veth, known
//! unicast and flooded to 3 ports. Reports frames per second (criterion's elements/s).

use std::time::Duration;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use l2lab_fabric::wire::ethernet_frame;
use l2lab_fabric::{Fabric, LinkId, MacAddr};

const BATCH: usize = 1000;

/// A bridge with four ports; returns the fabric and the four host-side veth ends.
fn topology() -> (Fabric, Vec<LinkId>) {
    let mut f = Fabric::new(7);
    let now = Duration::ZERO;
    let br = f.add_bridge();
    f.set_up(br, true, now).unwrap();
    let mut hosts = vec![];
    for _ in 0..4 {
        let (h, p) = f.add_veth_pair();
        f.enslave(p, br, now).unwrap();
        f.set_up(p, true, now).unwrap();
        f.set_up(h, true, now).unwrap();
        hosts.push(h);
    }
    (f, hosts)
}

fn frame(src: MacAddr, dst: MacAddr) -> Bytes {
    // 14-byte header + 46 bytes: the 60-byte minimum frame.
    ethernet_frame(src, dst, 0x88b5, &[0u8; 46])
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("bridge_forwarding");
    g.throughput(Throughput::Elements(BATCH as u64));

    let (mut f, hosts) = topology();
    let m: Vec<MacAddr> = hosts.iter().map(|h| f.link(*h).unwrap().mac).collect();
    // Teach the bridge where host 1 lives.
    f.transmit(Duration::ZERO, hosts[1], frame(m[1], MacAddr::BROADCAST));
    f.clear_deliveries();
    let known = frame(m[0], m[1]);
    g.bench_function("known_unicast_60B", |b| {
        b.iter_batched(
            || known.clone(),
            |fr| {
                for _ in 0..BATCH {
                    f.transmit(Duration::from_secs(1), hosts[0], fr.clone());
                }
                assert_eq!(f.clear_deliveries(), BATCH);
            },
            BatchSize::SmallInput,
        )
    });

    let unknown = frame(m[0], MacAddr([0x02, 0, 0, 0, 0xee, 0xee]));
    g.bench_function("flood_to_3_ports_60B", |b| {
        b.iter_batched(
            || unknown.clone(),
            |fr| {
                for _ in 0..BATCH {
                    f.transmit(Duration::from_secs(1), hosts[0], fr.clone());
                }
                assert_eq!(f.clear_deliveries(), 3 * BATCH);
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
