//! The built-in demo: the seed tutorial's bridge (br01, 192.168.88.1/24) joining three
//! namespaces, driven through the Lab API in virtual time, with every bridge decision and
//! neighbour change narrated as it happens and the MAC table shown at the end. Its event trace
//! becomes `l2lab-demo.html`, the viewer (`l2lab viz`) to step through what just happened.

use std::io::Write;
use std::time::Duration;

use l2lab_fabric::FdbKind;
use l2lab_sim::narrate::sentence;
use l2lab_sim::{trace, Lab, LabConfig, PingEvent, PingOptions, RouteProto};

/// Where the demo writes its viewer, in the current directory.
pub const HTML: &str = "l2lab-demo.html";

/// The demo's lab, and its trace as JSON lines so far.
struct Demo {
    lab: Lab,
    trace: Vec<String>,
}

/// Narrates the events since the last call, and keeps them for the trace.
fn narrate(d: &mut Demo, out: &mut impl Write) -> std::io::Result<()> {
    let lab = &mut d.lab;
    for ev in lab.drain_events() {
        d.trace.push(trace::event(lab, &ev).to_string());
        if let Some(s) = sentence(lab, &ev) {
            writeln!(out, "{}", l2lab_sim::narrate::stamped(ev.at, &s))?;
        }
    }
    Ok(())
}

fn ping(d: &mut Demo, ns: &str, dst: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let lab = &mut d.lab;
    writeln!(out, "$ ip netns exec {ns} ping -c 1 {dst}")?;
    let id = lab.netns(ns)?;
    let p = lab.ping(
        id,
        dst.parse::<std::net::IpAddr>()?,
        PingOptions {
            count: Some(1),
            ..Default::default()
        },
    )?;
    lab.run_ping(p, Duration::from_secs(30))?;
    for e in lab.ping_events(p) {
        match e {
            PingEvent::Reply { from, seq, ttl, .. } => {
                writeln!(out, "  64 bytes from {from}: icmp_seq={seq} ttl={ttl}")?
            }
            PingEvent::Error { from, seq, error } => {
                writeln!(out, "  From {from} icmp_seq={seq} {}", error.as_str())?
            }
            PingEvent::Sent { .. } | PingEvent::Finished => {}
        }
    }
    narrate(d, out)?;
    Ok(())
}

fn mac_table(lab: &Lab, out: &mut impl Write) -> anyhow::Result<()> {
    let host = lab.netns("")?;
    let br = lab.link_by_name(host, "br01")?;
    let now = lab.now();
    writeln!(out, "$ brctl showmacs br01")?;
    writeln!(out, "port no\tmac addr\t\tis local?\tageing timer")?;
    let b = lab
        .fabric()
        .bridge(br)
        .ok_or_else(|| anyhow::anyhow!("br01 is not a bridge"))?;
    let mut rows: Vec<_> = b.fdb.entries();
    rows.sort_by_key(|(m, e)| (b.port(e.port).map_or(0, |p| p.port_no), *m));
    for (mac, e) in rows {
        let port_no = b.port(e.port).map_or(0, |p| p.port_no);
        let local = e.kind != FdbKind::Learned;
        let age = if local {
            0.0
        } else {
            (now - e.updated).as_secs_f64()
        };
        writeln!(
            out,
            "{port_no:>3}\t{mac}\t{}\t\t{age:>7.2}",
            if local { "yes" } else { "no" }
        )?;
    }
    Ok(())
}

/// Runs the demo, writing the narration to `out`, the viewer to [`HTML`] in the current
/// directory and, when `pcap` is given, br01's capture.
pub fn run(seed: u64, pcap: Option<&std::path::Path>, out: &mut impl Write) -> anyhow::Result<()> {
    run_to(seed, pcap, Some(std::path::Path::new(HTML)), out)
}

/// Runs the demo, writing the viewer to `html` when given.
pub fn run_to(
    seed: u64,
    pcap: Option<&std::path::Path>,
    html: Option<&std::path::Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut lab = Lab::with_config(LabConfig {
        seed,
        // The IPv4 tutorial as its transcripts were recorded: with IPv6 on, the hosts' own
        // router solicitations would keep refreshing the FDB entries the demo ages out.
        ipv6: false,
        ..Default::default()
    });
    lab.set_recording(true);
    let header = trace::header(&lab).to_string();
    let mut d = Demo {
        lab,
        trace: vec![header],
    };
    let lab = &mut d.lab;
    let host = lab.netns("")?;
    writeln!(
        out,
        "l2lab demo: three namespaces on the bridge br01 (virtual time, seed {seed})\n"
    )?;
    writeln!(out, "$ ip link add br01 type bridge; ip link set br01 up")?;
    lab.add_bridge(host, "br01")?;
    lab.set_link_up(host, "br01", true)?;
    writeln!(out, "$ ip addr add 192.168.88.1/24 dev br01")?;
    lab.addr_add(host, "br01", "192.168.88.1/24".parse()?, None)?;
    for i in 1..=3 {
        let (ns, v, p) = (
            format!("ns0{i}"),
            format!("veth0{i}"),
            format!("br-veth0{i}"),
        );
        let addr = format!("192.168.88.1{i}/24");
        writeln!(
            out,
            "$ ip netns add {ns}; ip link add {v} type veth peer name {p}; ip link set {p} master br01 up; ip link set {v} netns {ns}; ip -n {ns} addr add {addr} dev {v}; ip -n {ns} link set {v} up; ip -n {ns} route add default via 192.168.88.1"
        )?;
        let n = lab.add_netns(&ns)?;
        lab.add_veth(host, &v, &p, None)?;
        lab.set_master(host, &p, Some("br01"))?;
        lab.set_link_up(host, &p, true)?;
        lab.move_link(host, &v, n)?;
        lab.addr_add(n, &v, addr.parse()?, None)?;
        lab.set_link_up(n, &v, true)?;
        lab.route_add(
            n,
            "0.0.0.0/0".parse()?,
            Some("192.168.88.1".parse()?),
            None,
            0,
            RouteProto::Boot,
        )?;
    }
    narrate(&mut d, out)?;
    writeln!(out)?;
    let cap = d.lab.capture_start(host, "br01", true)?;
    ping(&mut d, "ns01", "192.168.88.12", out)?;
    d.lab.advance(Duration::from_secs(1))?;
    ping(&mut d, "ns01", "192.168.88.12", out)?;
    d.lab.advance(Duration::from_secs(1))?;
    ping(&mut d, "ns03", "192.168.88.1", out)?;
    writeln!(out)?;
    mac_table(&d.lab, out)?;
    writeln!(
        out,
        "\n$ sleep 320   # quiet: past the bridge's ageing_time of 300 s since each MAC was last seen"
    )?;
    d.lab.advance(Duration::from_secs(320))?;
    narrate(&mut d, out)?;
    writeln!(out)?;
    mac_table(&d.lab, out)?;
    if let Some(path) = pcap {
        d.lab.capture_write_pcap(cap, path)?;
        writeln!(out, "\nwrote the capture of br01 to {}", path.display())?;
    }
    if let Some(path) = html {
        let tr = crate::viz::parse::trace(&d.trace.join("\n"))
            .map_err(|e| anyhow::anyhow!("the demo's own trace: {e}"))?;
        let page = crate::viz::html::page("the l2lab demo", &tr);
        std::fs::write(path, page)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        writeln!(
            out,
            "\nwrote {}: open it in a browser to step through the demo event by event",
            path.display()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod test {
    #[test]
    fn demo_narrates_learning_flooding_and_ageing() {
        let dir = tempfile::tempdir().unwrap();
        let html = dir.path().join(super::HTML);
        let mut out = Vec::new();
        super::run_to(1, None, Some(&html), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("br01: learned"), "{text}");
        assert!(
            text.contains("br01: broadcast, flooded to br-veth03 br-veth02"),
            "{text}"
        );
        assert!(text.contains("aged out after 300 s"), "{text}");
        assert!(text.contains("wrote "), "{text}");
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(page.contains("br-veth03") && page.contains("id=\"mac-table\""));
        // The same seed gives the same run.
        let again_html = dir.path().join("again.html");
        let mut again = Vec::new();
        super::run_to(1, None, Some(&again_html), &mut again).unwrap();
        assert_eq!(
            text.replace(&html.display().to_string(), "X"),
            String::from_utf8(again)
                .unwrap()
                .replace(&again_html.display().to_string(), "X")
        );
        assert_eq!(page, std::fs::read_to_string(&again_html).unwrap());
    }
}
