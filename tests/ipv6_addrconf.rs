//! IPv6 as a device coming up makes it speak (net/ipv6/addrconf.c, Linux 6.18 defaults):
//! a link-local that is tentative until DAD's one probe, sent after a random delay below
//! `router_solicitation_delay` (1 s), has had `retrans_time` (1 s) unanswered; then router
//! solicitations without end, the first wait 4 s give or take 10 %, each next one 1.9 to
//! 2.1 times the last.

use std::time::Duration;

use l2lab_sim::{Lab, LabConfig};
use l2lab_tests::secs;

/// A bridge without ports has carrier as soon as it is up: the simplest device to watch.
fn bridge_up(ipv6: bool, seed: u64) -> (Lab, l2lab_sim::CaptureId, Duration) {
    let mut lab = Lab::with_config(LabConfig {
        ipv6,
        seed,
        ..Default::default()
    });
    let host = lab.netns("").unwrap();
    lab.add_bridge(host, "br0").unwrap();
    let cap = lab.capture_start(host, "br0", true).unwrap();
    let t0 = lab.now();
    lab.set_link_up(host, "br0", true).unwrap();
    (lab, cap, t0)
}

/// ICMPv6 frames captured: (time since t0, ICMPv6 type).
fn icmp6(lab: &Lab, cap: l2lab_sim::CaptureId, t0: Duration) -> Vec<(Duration, u8)> {
    lab.capture(cap)
        .unwrap()
        .frames
        .iter()
        .filter(|f| f.frame.len() > 54 && f.frame[12..14] == [0x86, 0xdd] && f.frame[20] == 58)
        .map(|f| (f.at - t0, f.frame[54]))
        .collect()
}

#[test]
fn link_local_is_tentative_until_dad_is_done() {
    let (mut lab, _, _) = bridge_up(true, 7);
    let host = lab.netns("").unwrap();
    let br = lab.link_by_name(host, "br0").unwrap();
    let a = lab.addrs6(br).to_vec();
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0].addr,
        l2lab_sim::stack::addrconf::eui64_link_local(lab.fabric().link(br).unwrap().mac)
    );
    assert!(a[0].tentative);
    lab.advance(Duration::from_millis(900)).unwrap();
    assert!(
        lab.addrs6(br)[0].tentative,
        "DAD takes at least retrans_time"
    );
    lab.advance(Duration::from_millis(1200)).unwrap();
    assert!(!lab.addrs6(br)[0].tentative, "DAD is done within 2 s");
}

#[test]
fn dad_probe_then_solicitations_further_and_further_apart() {
    for seed in 1..20 {
        let (mut lab, cap, t0) = bridge_up(true, seed);
        lab.advance(secs(90)).unwrap();
        let got = icmp6(&lab, cap, t0);
        let types: Vec<u8> = got.iter().map(|g| g.1).collect();
        // The fifth solicitation comes within 2 + 4.4 * (1 + 2.1 + 2.1² + 2.1³) s, about 80 s
        // with the wheel's rounding, the sixth after 2 + 3.6 * (1 + 1.9 + ... + 1.9⁴) s, 96 s.
        assert_eq!(
            types,
            [135, 133, 133, 133, 133, 133],
            "seed {seed}: {got:?}"
        );
        let ms = |d: Duration| d.as_millis() as u64;
        assert!(ms(got[0].0) < 1_010, "seed {seed}: probe at {:?}", got[0].0);
        let dad = ms(got[1].0 - got[0].0);
        assert!(
            (1_000..1_100).contains(&dad),
            "seed {seed}: DAD took {dad} ms"
        );
        let first = ms(got[2].0 - got[1].0);
        assert!(
            (3_600..4_950).contains(&first),
            "seed {seed}: first wait {first} ms"
        );
        // The timer wheel rounds each wait up, by less than an eighth at its level (so the
        // first, 4 s ± 10 %, is below 4.95 s).
        for w in got[1..].windows(3) {
            let (a, b) = (ms(w[1].0 - w[0].0) as f64, ms(w[2].0 - w[1].0) as f64);
            assert!(
                (1.9 / 1.125..2.1 * 1.125).contains(&(b / a)),
                "seed {seed}: wait {b} after {a}"
            );
        }
    }
}

#[test]
fn the_random_delays_come_from_the_seed() {
    let run = |seed| {
        let (mut lab, cap, t0) = bridge_up(true, seed);
        lab.advance(secs(20)).unwrap();
        icmp6(&lab, cap, t0)
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn nothing_with_ipv6_off() {
    let (mut lab, cap, t0) = bridge_up(false, 1);
    lab.advance(secs(20)).unwrap();
    assert!(icmp6(&lab, cap, t0).is_empty());
    let host = lab.netns("").unwrap();
    let br = lab.link_by_name(host, "br0").unwrap();
    assert!(lab.addrs6(br).is_empty());
}

/// MLDv2 reports captured after `from`: (time, [(record type, group)]).
fn mld_reports(
    lab: &Lab,
    cap: l2lab_sim::CaptureId,
    from: Duration,
) -> Vec<(Duration, Vec<(u8, std::net::Ipv6Addr)>)> {
    lab.capture(cap)
        .unwrap()
        .frames
        .iter()
        // IPv6, a hop-by-hop header, then ICMPv6 type 143.
        .filter(|f| f.at >= from && f.frame.len() > 70 && f.frame[12..14] == [0x86, 0xdd])
        .filter(|f| f.frame[20] == 0 && f.frame[54] == 58 && f.frame[62] == 143)
        .map(|f| {
            let n = u16::from_be_bytes([f.frame[68], f.frame[69]]) as usize;
            let recs = (0..n)
                .map(|k| {
                    let r = &f.frame[70 + 20 * k..90 + 20 * k];
                    let g: [u8; 16] = r[4..20].try_into().unwrap();
                    (r[0], std::net::Ipv6Addr::from(g))
                })
                .collect();
            (f.at - from, recs)
        })
        .collect()
}

/// Adding a global address sends, at once and again within the unsolicited report interval
/// (1 s), a report with a CHANGE_TO_EXCLUDE record for every group the device reports: the
/// new address's solicited-node group and the ones already held, as the kernel does (seen
/// on 6.18 with `ip addr add`, DAD or `nodad`, whether the new address's group is new or
/// already held through the link-local).
#[test]
fn a_global_address_add_reports_every_group_twice() {
    use l2lab_sim::stack::addrconf::{eui64_link_local, solicited_node};
    for (seed, held) in [(3, false), (4, true)] {
        let (mut lab, cap, _) = bridge_up(true, seed);
        lab.advance(secs(10)).unwrap();
        let host = lab.netns("").unwrap();
        let br = lab.link_by_name(host, "br0").unwrap();
        let ll = eui64_link_local(lab.fabric().link(br).unwrap().mac);
        // With `held`, the global address shares the link-local's low 24 bits, so its
        // solicited-node group is held already.
        let mut seg = [0x2001, 0xdb8, 0, 0, 0, 0, 0, 5];
        if held {
            seg[6] = ll.segments()[6] & 0xff;
            seg[7] = ll.segments()[7];
        }
        let global = std::net::Ipv6Addr::from(seg);
        let t = lab.now();
        lab.addr6_add(br, global, 64, false).unwrap();
        lab.advance(secs(3)).unwrap();
        let reports = mld_reports(&lab, cap, t);
        assert_eq!(reports.len(), 2, "held {held}: {reports:?}");
        assert!(reports[0].0 < Duration::from_millis(20), "{reports:?}");
        assert!(reports[1].0 < Duration::from_millis(1_020), "{reports:?}");
        for (_, recs) in &reports {
            assert!(recs.iter().all(|r| r.0 == 4), "{recs:?}");
            let groups: Vec<_> = recs.iter().map(|r| r.1).collect();
            assert!(groups.contains(&solicited_node(global)), "{groups:?}");
            assert!(groups.contains(&solicited_node(ll)), "{groups:?}");
            assert_eq!(groups.len(), if held { 2 } else { 3 }, "{groups:?}");
        }
    }
}

/// When `br0` first reports from its link-local address after its port's link came up at
/// `up`, and when that was.
fn first_bridge_report_after_port_up(port_added_before_up: Duration) -> (Duration, Duration) {
    let (mut lab, _, _) = bridge_up(true, 3);
    let host = lab.netns("").unwrap();
    lab.advance(secs(4)).unwrap();
    let ns1 = lab.add_netns("ns1").unwrap();
    lab.add_veth(host, "veth1", "br-veth1", None).unwrap();
    lab.move_link(host, "veth1", ns1).unwrap();
    lab.set_master(host, "br-veth1", Some("br0")).unwrap();
    lab.set_link_up(host, "br-veth1", true).unwrap();
    lab.advance(port_added_before_up).unwrap();
    let cap = lab.capture_start(host, "br0", true).unwrap();
    let up = lab.now();
    lab.set_link_up(ns1, "veth1", true).unwrap();
    lab.advance(secs(3)).unwrap();
    // The bridge's reports carry two records (its solicited-node group and ff02::6a), the
    // host's one.
    let reports = mld_reports(&lab, cap, up);
    let first = reports
        .iter()
        .find(|(_, recs)| recs.len() == 2)
        .map(|(at, _)| *at)
        .unwrap_or_else(|| panic!("no report of the bridge's: {reports:?}"));
    (up, first)
}

#[test]
fn a_bridge_hears_of_its_carrier_through_linkwatch() {
    // Its port's link came up within a second of the linkwatch run its new veth started:
    // the bridge's carrier change waits for linkwatch's next full run, a second after that
    // one (measured on 6.18: the first report 0.06 to 0.94 s after the port's carrier).
    let (_, first) = first_bridge_report_after_port_up(Duration::from_millis(100));
    assert!(
        first >= Duration::from_millis(850) && first <= Duration::from_millis(950),
        "{first:?}"
    );
    // Two seconds later, linkwatch's next run is due at once.
    let (_, first) = first_bridge_report_after_port_up(secs(2));
    assert!(first <= Duration::from_millis(20), "{first:?}");
}
