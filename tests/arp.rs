//! ARP as the kernel does it: an absent neighbour gets three broadcast requests one second
//! apart and is FAILED one second after the last; a stale one is used at once, then probed
//! by unicast after delay_first_probe_time.

use l2lab_fabric::MacAddr;
use l2lab_sim::{Lab, NeighState, PingError, PingEvent, PingOptions};
use l2lab_tests::{bridge, captured, host_on_bridge, ip, mac, ping_answers, secs, Seen};

fn ms(n: u64) -> std::time::Duration {
    std::time::Duration::from_millis(n)
}

/// `d` is `want` or at most `slack` later.
fn within(d: std::time::Duration, want: std::time::Duration, slack: std::time::Duration) -> bool {
    d >= want && d <= want + slack
}

fn state(lab: &Lab, ns: l2lab_sim::NsId, addr: &str) -> Option<NeighState> {
    lab.neighbours(ns)
        .into_iter()
        .find(|n| n.ip == ip(addr))
        .map(|n| n.state)
}

#[test]
fn absent_neighbour_is_retried_then_failed() {
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    // The error comes back to us through lo, so lo must be up to see it.
    lab.set_link_up(h1.ns, "lo", true).unwrap();
    let cap = lab.capture_start(h1.ns, "veth0", false).unwrap();
    let t0 = lab.now();
    let id = lab
        .ping(
            h1.ns,
            ip("10.1.0.99"),
            PingOptions {
                count: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        state(&lab, h1.ns, "10.1.0.99"),
        Some(NeighState::Incomplete)
    );
    let p = lab.run_ping(id, secs(30)).unwrap().clone();
    let requests: Vec<_> = captured(&lab, cap)
        .into_iter()
        .filter(|(_, s)| matches!(s, Seen::ArpRequest { dst, .. } if *dst == MacAddr::BROADCAST))
        .map(|(t, _)| t - t0)
        .collect();
    // Three requests, each retransmit_time (1 s) after the last, give or take the timer
    // wheel's 32 ms granularity at that range; FAILED one more second on.
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(requests[0], secs(0));
    for w in requests.windows(2) {
        assert!(within(w[1] - w[0], secs(1), ms(32)), "{requests:?}");
    }
    assert_eq!(state(&lab, h1.ns, "10.1.0.99"), Some(NeighState::Failed));
    // The queued request earns a host-unreachable from our own address, and ping stops then.
    let failed = p.finished.unwrap() - t0;
    assert!(within(failed - requests[2], secs(1), ms(32)), "{failed:?}");
    assert_eq!((p.transmitted, p.received, p.errors), (1, 0, 1));
    let ev = ping_answers(&mut lab, id);
    assert_eq!(
        ev[0],
        PingEvent::Error {
            from: ip("10.1.0.1").into(),
            seq: 1,
            error: PingError::HostUnreachable
        }
    );
}

#[test]
fn with_lo_down_the_error_is_lost_and_ping_waits_ten_seconds() {
    // As on the kernel: the host-unreachable for our own packet is sent to ourselves via lo.
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let t0 = lab.now();
    let opts = PingOptions {
        count: Some(1),
        ..Default::default()
    };
    let id = lab.ping(h1.ns, ip("10.1.0.99"), opts).unwrap();
    let p = lab.run_ping(id, secs(30)).unwrap().clone();
    assert_eq!((p.errors, p.finished), (0, Some(t0 + secs(10))));
    assert_eq!(state(&lab, h1.ns, "10.1.0.99"), Some(NeighState::Failed));
}

#[test]
fn short_wait_gives_up_before_arp_does() {
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let t0 = lab.now();
    let id = lab
        .ping(
            h1.ns,
            ip("10.1.0.99"),
            PingOptions {
                count: Some(1),
                wait: Some(secs(1)),
                ..Default::default()
            },
        )
        .unwrap();
    let p = lab.run_ping(id, secs(30)).unwrap().clone();
    assert_eq!(p.finished, Some(t0 + secs(1)));
    assert_eq!(p.errors, 0);
    assert_eq!(
        state(&lab, h1.ns, "10.1.0.99"),
        Some(NeighState::Incomplete)
    );
    lab.advance_to(t0 + secs(3) + ms(100)).unwrap();
    assert_eq!(state(&lab, h1.ns, "10.1.0.99"), Some(NeighState::Failed));
}

#[test]
fn responder_probes_by_unicast_after_five_seconds() {
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let cap = lab.capture_start(h2.ns, "veth0", false).unwrap();
    let t0 = lab.now();
    let id = lab
        .ping(
            h1.ns,
            ip("10.1.0.2"),
            PingOptions {
                count: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    lab.run_ping(id, secs(10)).unwrap();
    assert_eq!(state(&lab, h1.ns, "10.1.0.2"), Some(NeighState::Reachable));
    // The responder learned the requester from its request (STALE), used it for the echo
    // reply (DELAY), and confirms it 5 s later with a unicast request.
    assert_eq!(state(&lab, h2.ns, "10.1.0.1"), Some(NeighState::Delay));
    lab.advance(secs(6)).unwrap();
    assert_eq!(state(&lab, h2.ns, "10.1.0.1"), Some(NeighState::Reachable));
    let probes: Vec<_> = captured(&lab, cap)
        .into_iter()
        .filter(|(_, s)| matches!(s, Seen::ArpRequest { sender, .. } if *sender == ip("10.1.0.2")))
        .collect();
    assert_eq!(probes.len(), 1);
    // delay_first_probe_time is 5 s; the timer wheel fires it up to 256 ms late.
    assert!(
        within(probes[0].0 - t0, secs(5), ms(256)),
        "{:?}",
        probes[0].0 - t0
    );
    assert_eq!(
        probes[0].1,
        Seen::ArpRequest {
            dst: mac(&lab, h1.link),
            target: ip("10.1.0.1"),
            sender: ip("10.1.0.2")
        }
    );
}

#[test]
fn reachable_goes_stale_within_15_to_45_s() {
    let mut lab = Lab::new();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let _h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    l2lab_tests::ping(&mut lab, h1.ns, "10.1.0.2", 1);
    lab.advance(secs(14)).unwrap();
    assert_eq!(state(&lab, h1.ns, "10.1.0.2"), Some(NeighState::Reachable));
    lab.advance(secs(32)).unwrap();
    assert_eq!(state(&lab, h1.ns, "10.1.0.2"), Some(NeighState::Stale));
}
