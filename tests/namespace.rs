//! A new namespace has only `lo`, down; 127.0.0.1 is unreachable until `lo` comes up.

use l2lab_fabric::LinkKind;
use l2lab_sim::{Lab, LabError, PingOptions};
use l2lab_tests::{ip, ping, secs};

#[test]
fn new_namespace_has_only_lo_down() {
    let mut lab = Lab::new();
    let ns = lab.add_netns("ns01").unwrap();
    let links = lab.links(ns);
    assert_eq!(links.len(), 1);
    let lo = lab.fabric().link(links[0]).unwrap();
    assert!(matches!(lo.kind, LinkKind::Loopback));
    assert!(!lo.admin_up);
    assert_eq!(lo.mtu, 65536);
    let iface = lab.iface(links[0]).unwrap();
    assert_eq!((iface.name.as_str(), iface.ifindex), ("lo", 1));
    assert!(
        iface.addrs.is_empty(),
        "lo has no address until it is first up"
    );
    assert!(lab.routes(ns).is_empty());
}

#[test]
fn ping_localhost_needs_lo_up() {
    let mut lab = Lab::new();
    let ns = lab.add_netns("ns01").unwrap();
    let err = lab
        .ping(ns, ip("127.0.0.1"), PingOptions::default())
        .unwrap_err();
    assert_eq!(err, LabError::NetworkUnreachable(ip("127.0.0.1")));

    lab.set_link_up(ns, "lo", true).unwrap();
    let p = ping(&mut lab, ns, "127.0.0.1", 5);
    assert_eq!((p.transmitted, p.received), (5, 5));
    assert_eq!(p.exit_status(), 0);
    let lo = lab.link_by_name(ns, "lo").unwrap();
    let a = &lab.iface(lo).unwrap().addrs[0];
    assert_eq!(a.net.to_string(), "127.0.0.1/8");
    // ping -c 5 waits a second on the timer wheel between requests: the first wait ends on
    // the wheel's next 32 ms bucket after 1 s, the others 1.024 s apart (the kernel's
    // `time 4088ms`, give or take where the first send fell).
    let span = p.last_sent - p.started;
    let rest = 3 * std::time::Duration::from_millis(1024);
    assert!(span > secs(1) + rest && span <= std::time::Duration::from_millis(1032) + rest);
}

#[test]
fn lo_down_again_loses_packets_silently() {
    let mut lab = Lab::new();
    let ns = lab.add_netns("ns01").unwrap();
    lab.set_link_up(ns, "lo", true).unwrap();
    lab.set_link_up(ns, "lo", false).unwrap();
    // The address stays, so there is a route and ping sends, but lo drops everything.
    let p = ping(&mut lab, ns, "127.0.0.1", 1);
    assert_eq!((p.transmitted, p.received, p.errors), (1, 0, 0));
    assert_eq!(p.exit_status(), 1);
}

#[test]
fn namespace_names_are_unique_and_deletable() {
    let mut lab = Lab::new();
    lab.add_netns("net1").unwrap();
    assert!(matches!(lab.add_netns("net1"), Err(LabError::Exists(_))));
    lab.add_netns("net2").unwrap();
    assert_eq!(lab.netns_names(), vec!["net1", "net2"]);
    lab.del_netns("net1").unwrap();
    assert_eq!(lab.netns_names(), vec!["net2"]);
    assert!(matches!(
        lab.del_netns("net1"),
        Err(LabError::NoSuchNamespace(_))
    ));
}

#[test]
fn host_namespace_starts_with_lo_up() {
    let lab = Lab::new();
    let host = lab.netns("").unwrap();
    let lo = lab.link_by_name(host, "lo").unwrap();
    assert!(lab.fabric().link(lo).unwrap().admin_up);
    assert_eq!(lab.iface(lo).unwrap().addrs.len(), 1);
}
