//! A fixed number of 60-byte frames through veth → bridge → veth, for profilers
//! (`valgrind --tool=callgrind`, `perf record`): `forward_loop unicast|flood N`.
//! Prints frames/s of the whole loop; the criterion bench `forwarding` is the measurement.

use std::time::{Duration, Instant};

use l2lab_fabric::wire::ethernet_frame;
use l2lab_fabric::{Fabric, LinkId, MacAddr};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flood = args.get(1).is_some_and(|a| a == "flood");
    let n: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let mut f = Fabric::new(7);
    let now = Duration::ZERO;
    let Ok(hosts) = topology(&mut f, now) else {
        eprintln!("forward_loop: cannot build the topology");
        std::process::exit(1);
    };
    let m: Vec<MacAddr> = hosts
        .iter()
        .map(|h| f.link(*h).map_or(MacAddr::ZERO, |l| l.mac))
        .collect();
    f.transmit(
        now,
        hosts[1],
        ethernet_frame(m[1], MacAddr::BROADCAST, 0x88b5, &[0; 46]),
    );
    f.clear_deliveries();
    let dst = if flood {
        MacAddr([0x02, 0, 0, 0, 0xee, 0xee])
    } else {
        m[1]
    };
    let frame = ethernet_frame(m[0], dst, 0x88b5, &[0u8; 46]);
    let t = Instant::now();
    let mut delivered = 0usize;
    for i in 0..n {
        f.transmit(Duration::from_secs(1), hosts[0], frame.clone());
        if i % 1024 == 0 {
            delivered += f.clear_deliveries();
        }
    }
    delivered += f.clear_deliveries();
    let s = t.elapsed().as_secs_f64();
    println!(
        "{} frames, {} delivered, {:.3} s, {:.2} M frames/s",
        n,
        delivered,
        s,
        n as f64 / s / 1e6
    );
}

fn topology(f: &mut Fabric, now: Duration) -> Result<Vec<LinkId>, l2lab_fabric::FabricError> {
    let br = f.add_bridge();
    f.set_up(br, true, now)?;
    let mut hosts = vec![];
    for _ in 0..4 {
        let (h, p) = f.add_veth_pair();
        f.enslave(p, br, now)?;
        f.set_up(p, true, now)?;
        f.set_up(h, true, now)?;
        hosts.push(h);
    }
    Ok(hosts)
}
