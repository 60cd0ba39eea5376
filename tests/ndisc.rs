//! Neighbour discovery and ICMPv6 echo as the kernel does them: a solicitation to the
//! target's solicited-node group resolves it; the answering side learns the asker STALE,
//! answers through it (DELAY) and confirms it by a unicast probe; an absent neighbour gets
//! three solicitations one second apart and is FAILED, and what waited for it earns an
//! "address unreachable"; a duplicate address fails DAD.

use std::net::{IpAddr, Ipv6Addr};

use l2lab_fabric::wire::ETHERTYPE_IPV6;
use l2lab_sim::stack::ipv6::{ipv6_packet, Ipv6Header, IPPROTO_ICMPV6};
use l2lab_sim::stack::ndisc::icmp6_packet;
use l2lab_sim::{Lab, NeighState, NsId, PingEvent, PingOptions};
use l2lab_tests::{bridge, host_on_bridge, secs, Host};

fn v6(s: &str) -> Ipv6Addr {
    s.parse().expect("test address")
}

fn state(lab: &Lab, ns: NsId, addr: &str) -> Option<NeighState> {
    lab.neighbours(ns)
        .into_iter()
        .find(|n| n.ip == IpAddr::V6(v6(addr)))
        .map(|n| n.state)
}

/// Two hosts on a bridge with 2001:db8::1 and ::2, their DAD over.
fn two_hosts(lab: &mut Lab) -> (Host, Host) {
    let host = lab.netns("").expect("host");
    bridge(lab, host, "br0");
    let h1 = host_on_bridge(lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let h2 = host_on_bridge(lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    lab.addr6_add(h1.link, v6("2001:db8::1"), 64, false)
        .expect("addr");
    lab.addr6_add(h2.link, v6("2001:db8::2"), 64, false)
        .expect("addr");
    lab.advance(secs(3)).expect("virtual time");
    (h1, h2)
}

/// The ICMPv6 types of the IPv6 frames a capture saw, and whether each went to a group.
fn icmp6_seen(lab: &Lab, cap: l2lab_sim::CaptureId) -> Vec<(std::time::Duration, u8, bool)> {
    lab.capture(cap)
        .expect("capture")
        .frames
        .iter()
        .filter(|f| f.frame.len() > 14 && f.frame[12..14] == ETHERTYPE_IPV6.to_be_bytes())
        .filter_map(|f| {
            let (h, p) = Ipv6Header::parse(&f.frame[14..])?;
            (h.next_header == IPPROTO_ICMPV6).then(|| (f.at, p[0], f.frame[0] & 1 == 1))
        })
        .collect()
}

fn count(n: u32) -> PingOptions {
    PingOptions {
        count: Some(n),
        ..Default::default()
    }
}

#[test]
fn echo_resolves_then_the_answering_side_probes() {
    let mut lab = Lab::new();
    let (h1, h2) = two_hosts(&mut lab);
    let cap = lab.capture_start(h2.ns, "veth0", false).expect("capture");
    let id = lab.ping(h1.ns, v6("2001:db8::2"), count(2)).expect("ping");
    let p = lab.run_ping(id, secs(30)).expect("runs").clone();
    assert_eq!((p.transmitted, p.received), (2, 2));
    let replies: Vec<_> = lab
        .ping_events(id)
        .into_iter()
        .filter_map(|e| match e {
            PingEvent::Reply { from, ttl, .. } => Some((from, ttl)),
            _ => None,
        })
        .collect();
    assert_eq!(replies, vec![(IpAddr::V6(v6("2001:db8::2")), 64); 2]);
    assert_eq!(
        state(&lab, h1.ns, "2001:db8::2"),
        Some(NeighState::Reachable)
    );
    assert_eq!(state(&lab, h2.ns, "2001:db8::1"), Some(NeighState::Delay));
    // NS to the group, NA back, then the echoes.
    let seen: Vec<(u8, bool)> = icmp6_seen(&lab, cap)
        .into_iter()
        .map(|(_, t, d)| (t, d))
        .filter(|(t, _)| *t != 133 && *t != 143)
        .collect();
    assert_eq!(
        seen[..4],
        [(135, true), (136, false), (128, false), (129, false)]
    );
    // delay_first_probe_time on, DELAY becomes PROBE: a unicast solicitation, answered.
    lab.advance(secs(6)).expect("virtual time");
    assert_eq!(
        state(&lab, h2.ns, "2001:db8::1"),
        Some(NeighState::Reachable)
    );
    let probes: Vec<_> = icmp6_seen(&lab, cap)
        .into_iter()
        .filter(|(_, t, group)| *t == 135 && !group)
        .collect();
    assert_eq!(probes.len(), 1);
}

#[test]
fn absent_neighbour_gets_three_solicitations_then_failed() {
    let mut lab = Lab::new();
    let (h1, _) = two_hosts(&mut lab);
    let cap = lab.capture_start(h1.ns, "veth0", false).expect("capture");
    let t0 = lab.now();
    let id = lab.ping(h1.ns, v6("2001:db8::99"), count(1)).expect("ping");
    assert_eq!(
        state(&lab, h1.ns, "2001:db8::99"),
        Some(NeighState::Incomplete)
    );
    let p = lab.run_ping(id, secs(30)).expect("runs").clone();
    assert_eq!((p.received, p.errors), (0, 0));
    let ns: Vec<_> = icmp6_seen(&lab, cap)
        .into_iter()
        .filter(|(_, t, group)| *t == 135 && *group)
        .map(|(at, _, _)| at - t0)
        .collect();
    assert_eq!(ns.len(), 3, "{ns:?}");
    for w in ns.windows(2) {
        let gap = w[1] - w[0];
        assert!(gap >= secs(1) && gap <= secs(1) + std::time::Duration::from_millis(32));
    }
    assert_eq!(state(&lab, h1.ns, "2001:db8::99"), Some(NeighState::Failed));
    // The "address unreachable" for the queued request comes back through lo: with lo down
    // (above) it is lost, with lo up ping gets it.
    lab.set_link_up(h1.ns, "lo", true).expect("lo up");
    let id = lab.ping(h1.ns, v6("2001:db8::98"), count(1)).expect("ping");
    let p = lab.run_ping(id, secs(30)).expect("runs").clone();
    assert_eq!((p.received, p.errors), (0, 1));
    let errors: Vec<_> = lab
        .ping_events(id)
        .into_iter()
        .filter_map(|e| match e {
            PingEvent::Error { from, error, .. } => Some((from, error)),
            _ => None,
        })
        .collect();
    assert_eq!(
        errors,
        [(
            IpAddr::V6(v6("2001:db8::1")),
            l2lab_sim::PingError::V6 {
                ty: 1,
                code: 3,
                mtu: 0
            }
        )]
    );
}

#[test]
fn link_local_needs_no_global_and_a_group_is_answered_by_all() {
    let mut lab = Lab::new();
    let (h1, h2) = two_hosts(&mut lab);
    let ll2 = lab
        .addrs6(h2.link)
        .iter()
        .find(|a| a.addr.segments()[0] == 0xfe80)
        .map(|a| a.addr)
        .expect("link-local");
    let opts = PingOptions {
        interface: Some("veth0".into()),
        ..count(1)
    };
    let id = lab.ping(h1.ns, ll2, opts.clone()).expect("ping");
    assert_eq!(lab.run_ping(id, secs(30)).expect("runs").received, 1);
    // ff02::1: h2 and the bridge answer; the second answer is a duplicate.
    let opts = PingOptions {
        deadline: Some(secs(1)),
        ..opts
    };
    let id = lab.ping(h1.ns, v6("ff02::1"), opts).expect("ping");
    let p = lab.run_ping(id, secs(30)).expect("runs");
    assert_eq!((p.received, p.duplicates), (1, 1));
}

#[test]
fn a_duplicate_address_fails_dad() {
    let mut lab = Lab::new();
    let (h1, h2) = two_hosts(&mut lab);
    lab.addr6_add(h2.link, v6("2001:db8::1"), 64, false)
        .expect("addr");
    lab.advance(secs(3)).expect("virtual time");
    let dup = lab
        .addrs6(h2.link)
        .iter()
        .find(|a| a.addr == v6("2001:db8::1"))
        .cloned()
        .expect("kept");
    assert!(dup.dadfailed && dup.tentative);
    let mine = lab
        .addrs6(h1.link)
        .iter()
        .find(|a| a.addr == v6("2001:db8::1"))
        .cloned()
        .expect("kept");
    assert!(!mine.dadfailed && !mine.tentative);
}

#[test]
fn a_bad_checksum_or_a_short_packet_is_not_answered() {
    let mut lab = Lab::new();
    let (h1, h2) = two_hosts(&mut lab);
    let ping = |lab: &mut Lab| {
        let id = lab.ping(h1.ns, v6("2001:db8::2"), count(1)).expect("ping");
        lab.run_ping(id, secs(30)).expect("runs").received
    };
    assert_eq!(ping(&mut lab), 1);
    let cap = lab.capture_start(h2.ns, "veth0", false).expect("capture");
    let mac2 = lab.fabric().link(h2.link).expect("link").mac;
    let mac1 = lab.fabric().link(h1.link).expect("link").mac;
    let (src, dst) = (v6("2001:db8::1"), v6("2001:db8::2"));
    let echo = vec![128, 0, 0, 0, 0, 7, 0, 1, 1, 2, 3, 4];
    let good = icmp6_packet(src, dst, 64, echo);
    let mut bad = good.to_vec();
    bad[40 + 8] ^= 0xff;
    let mut short = good.to_vec();
    short[5] += 8; // a payload length beyond the packet
    let not_v6 = ipv6_packet(src, dst, IPPROTO_ICMPV6, 64, &good[40..]);
    let mut not_v6 = not_v6.to_vec();
    not_v6[0] = 0x45;
    for p in [bad, short, not_v6] {
        let f = l2lab_fabric::wire::ethernet_frame(mac1, mac2, ETHERTYPE_IPV6, &p);
        lab.inject(h1.link, f);
    }
    lab.advance(secs(1)).expect("virtual time");
    assert!(
        icmp6_seen(&lab, cap).iter().all(|(_, t, _)| *t != 129),
        "no echo reply"
    );
    let f = l2lab_fabric::wire::ethernet_frame(mac1, mac2, ETHERTYPE_IPV6, &good);
    lab.inject(h1.link, f);
    assert!(icmp6_seen(&lab, cap).iter().any(|(_, t, _)| *t == 129));
}
