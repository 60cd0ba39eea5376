//! The same lab on the real clock: timers fire when tokio's clock reaches them. The test runs
//! on tokio's paused clock, which jumps to the next timer instead of sleeping.

use std::time::Duration;

use l2lab_sim::{Lab, LabConfig, PingOptions};
use l2lab_tests::{bridge, host_on_bridge, ip};

#[tokio::test(start_paused = true)]
async fn ping_and_ageing_on_the_real_clock() {
    let mut lab = Lab::with_config(LabConfig {
        virtual_time: false,
        // IPv4 only, as in tests/util's lab_ipv4.
        ipv6: false,
        ..Default::default()
    });
    assert!(
        lab.advance(Duration::from_secs(1)).is_err(),
        "advance is for virtual time"
    );
    let host = lab.netns("").unwrap();
    let br = bridge(&mut lab, host, "br0");
    lab.set_ageing_time(host, "br0", Duration::from_secs(10))
        .unwrap();
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    let _h2 = host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    let start = lab.now();
    let id = lab
        .ping(
            h1.ns,
            ip("10.1.0.2"),
            PingOptions {
                count: Some(3),
                ..Default::default()
            },
        )
        .unwrap();
    while !lab.ping_session(id).unwrap().is_finished() {
        lab.run_realtime_once(Duration::from_secs(60)).await;
    }
    let p = lab.ping_session(id).unwrap();
    assert_eq!((p.transmitted, p.received), (3, 3));
    // On the timer wheel: the first wait ends on the next 32 ms bucket after 1 s, the second
    // 1.024 s later.
    let span = p.last_sent - p.started;
    let second = Duration::from_millis(1024);
    assert!(span > Duration::from_secs(1) + second, "{span:?}");
    assert!(span <= Duration::from_millis(1032) + second, "{span:?}");
    let learned = |lab: &Lab| lab.fabric().bridge(br).unwrap().fdb.learned_len();
    assert_eq!(learned(&lab), 2);
    // The ARP probes 5 s after the pings refresh the entries; they age out 10 s after that.
    while lab.now() < start + Duration::from_secs(30) {
        lab.run_realtime_once(Duration::from_secs(1)).await;
    }
    assert_eq!(learned(&lab), 0);
}
