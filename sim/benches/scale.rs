//! Scale: N namespaces, each with a veth whose other end is a port of one bridge, up, with an
//! address; then every namespace pings the bridge's address once, in virtual time. Reports
//! wall time of each phase and the process's peak RSS (VmHWM).
//!
//! `cargo bench -p l2lab-sim --bench scale` runs N = 10, 1,000 and 10,000, each in a process
//! of its own (peak RSS is per process); `... --bench scale -- 5000` runs one N.
//! `... --bench scale -- star N COUNT`: the ns-3 comparison's topology instead, N hosts on one
//! bridge (all in namespaces), hosts 1..N-1 each pinging host 0 COUNT times at 1 s intervals,
//! in virtual time; prints the wall time of the whole run.
//! The steps are those of bench/kernel-scale.sh on the kernel, one for one:
//! `ip netns add hN`, `ip link add pN type veth peer name veth0 netns hN`,
//! `ip link set pN master br0 up`, `ip -n hN addr add A/16 dev veth0`, `ip -n hN link set
//! veth0 up`.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use l2lab_sim::{Ipv4Net, Lab, LabConfig, LabResult, NsId, PingOptions};

const SIZES: [usize; 3] = [10, 1_000, 10_000];

/// The i-th host's address in 10.0.0.0/16 (the bridge has 10.0.0.1).
fn host_addr(i: usize) -> Ipv4Addr {
    let n = i + 2;
    Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8)
}

fn build(lab: &mut Lab, n: usize) -> LabResult<Vec<NsId>> {
    let init = NsId::INIT;
    lab.add_bridge(init, "br0")?;
    let bnet = Ipv4Net::new(Ipv4Addr::new(10, 0, 0, 1), 16)
        .ok_or(l2lab_sim::LabError::InvalidArgument(String::new()))?;
    lab.addr_add(init, "br0", bnet, None)?;
    lab.set_link_up(init, "br0", true)?;
    let mut hosts = Vec::with_capacity(n);
    for i in 0..n {
        let ns = lab.add_netns(&format!("h{i}"))?;
        let port = format!("p{i}");
        lab.add_veth(init, &port, "veth0", Some(ns))?;
        lab.set_master(init, &port, Some("br0"))?;
        lab.set_link_up(init, &port, true)?;
        let net = Ipv4Net::new(host_addr(i), 16)
            .ok_or(l2lab_sim::LabError::InvalidArgument(String::new()))?;
        lab.addr_add(ns, "veth0", net, None)?;
        lab.set_link_up(ns, "veth0", true)?;
        hosts.push(ns);
    }
    Ok(hosts)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn one(n: usize) -> LabResult<()> {
    let rss0 = peak_rss_kib();
    let t = Instant::now();
    let mut lab = Lab::with_config(LabConfig::default());
    let hosts = build(&mut lab, n)?;
    let build_s = t.elapsed().as_secs_f64();
    let rss_build = peak_rss_kib();

    let t = Instant::now();
    let opts = PingOptions {
        count: Some(1),
        ..PingOptions::default()
    };
    let mut ids = Vec::with_capacity(n);
    for ns in &hosts {
        ids.push(lab.ping(*ns, Ipv4Addr::new(10, 0, 0, 1), opts.clone())?);
    }
    lab.advance(Duration::from_secs(5))?;
    let replies: u32 = ids
        .iter()
        .filter_map(|id| lab.ping_session(*id))
        .map(|s| s.received)
        .sum();
    let ping_s = t.elapsed().as_secs_f64();
    let rss_end = peak_rss_kib();
    println!(
        "scale n={n}: build {:.3} s, peak RSS {:.1} MiB (process start {:.1} MiB); \
         {n} pings, {replies} replies, {:.3} s wall (virtual time {:?}); peak RSS {:.1} MiB",
        build_s,
        rss_build as f64 / 1024.0,
        rss0 as f64 / 1024.0,
        ping_s,
        lab.now(),
        rss_end as f64 / 1024.0
    );
    if replies as usize != n {
        eprintln!("scale n={n}: {} pings got no reply", n - replies as usize);
    }
    Ok(())
}

/// The ns-3 comparison: N hosts, hosts 1.. ping host 0 `count` times, 1 s apart.
fn star(n: usize, count: u32) -> LabResult<()> {
    let t = Instant::now();
    let mut lab = Lab::with_config(LabConfig::default());
    let init = NsId::INIT;
    lab.add_bridge(init, "br0")?;
    lab.set_link_up(init, "br0", true)?;
    let mut hosts = Vec::with_capacity(n);
    for i in 0..n {
        let ns = lab.add_netns(&format!("h{i}"))?;
        let port = format!("p{i}");
        lab.add_veth(init, &port, "veth0", Some(ns))?;
        lab.set_master(init, &port, Some("br0"))?;
        lab.set_link_up(init, &port, true)?;
        let net = Ipv4Net::new(host_addr(i), 16)
            .ok_or(l2lab_sim::LabError::InvalidArgument(String::new()))?;
        lab.addr_add(ns, "veth0", net, None)?;
        lab.set_link_up(ns, "veth0", true)?;
        hosts.push(ns);
    }
    let build_s = t.elapsed().as_secs_f64();
    let opts = PingOptions {
        count: Some(count),
        ..PingOptions::default()
    };
    let mut ids = Vec::with_capacity(n);
    for ns in &hosts[1..] {
        ids.push(lab.ping(*ns, host_addr(0), opts.clone())?);
    }
    lab.advance(Duration::from_secs(u64::from(count) + 10))?;
    let replies: u32 = ids
        .iter()
        .filter_map(|id| lab.ping_session(*id))
        .map(|s| s.received)
        .sum();
    println!(
        "star n={n} count={count}: {:.3} s wall in all (build {:.3} s), {} echo requests, \
         {replies} replies, virtual time {:?}, peak RSS {:.1} MiB",
        t.elapsed().as_secs_f64(),
        build_s,
        (n - 1) as u64 * u64::from(count),
        lab.now(),
        peak_rss_kib() as f64 / 1024.0
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "star") {
        let n = args.get(i + 1).and_then(|a| a.parse().ok()).unwrap_or(1000);
        let count = args.get(i + 2).and_then(|a| a.parse().ok()).unwrap_or(10);
        if let Err(e) = star(n, count) {
            eprintln!("star n={n}: {e}");
            std::process::exit(1);
        }
        return;
    }
    // `cargo bench` passes --bench; a bare number is one run of that size.
    if let Some(n) = args.iter().find_map(|a| a.parse::<usize>().ok()) {
        if let Err(e) = one(n) {
            eprintln!("scale n={n}: {e}");
            std::process::exit(1);
        }
        return;
    }
    let Ok(me) = std::env::current_exe() else {
        eprintln!("scale: cannot find my own executable");
        std::process::exit(1);
    };
    for n in SIZES {
        let status = std::process::Command::new(&me).arg(n.to_string()).status();
        if !status.is_ok_and(|s| s.success()) {
            eprintln!("scale n={n}: failed");
        }
    }
}
