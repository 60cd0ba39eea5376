//! A veth pair between two namespaces: carrier only while both ends are up; then ping works
//! both ways.

use l2lab_sim::{Lab, NsId};
use l2lab_tests::{ping, secs};

fn pair(lab: &mut Lab) -> (NsId, NsId) {
    let a = lab.add_netns("net1").unwrap();
    let b = lab.add_netns("net2").unwrap();
    let host = lab.netns("").unwrap();
    lab.add_veth(host, "veth1", "veth2", None).unwrap();
    lab.move_link(host, "veth1", a).unwrap();
    lab.move_link(host, "veth2", b).unwrap();
    lab.addr_add(a, "veth1", "10.0.1.1/24".parse().unwrap(), None)
        .unwrap();
    lab.addr_add(b, "veth2", "10.0.1.2/24".parse().unwrap(), None)
        .unwrap();
    (a, b)
}

#[test]
fn carrier_needs_both_ends_up() {
    let mut lab = Lab::new();
    let (a, b) = pair(&mut lab);
    let v1 = lab.link_by_name(a, "veth1").unwrap();
    let v2 = lab.link_by_name(b, "veth2").unwrap();
    let carrier = |lab: &Lab| {
        (
            lab.fabric().link(v1).unwrap().carrier,
            lab.fabric().link(v2).unwrap().carrier,
        )
    };
    assert_eq!(carrier(&lab), (false, false));
    lab.set_link_up(a, "veth1", true).unwrap();
    assert_eq!(carrier(&lab), (false, false), "one end up is not enough");
    // The connected route exists but is marked linkdown.
    assert!(lab.routes(a)[0].linkdown);
    lab.set_link_up(b, "veth2", true).unwrap();
    assert_eq!(carrier(&lab), (true, true));
    assert!(!lab.routes(a)[0].linkdown);
    lab.set_link_up(a, "veth1", false).unwrap();
    assert_eq!(carrier(&lab), (false, false));
}

#[test]
fn frames_without_carrier_are_dropped_and_counted() {
    let mut lab = Lab::new();
    let (a, _b) = pair(&mut lab);
    lab.set_link_up(a, "veth1", true).unwrap();
    let p = ping(&mut lab, a, "10.0.1.2", 1);
    assert_eq!(p.received, 0);
    let v1 = lab.link_by_name(a, "veth1").unwrap();
    let c = lab.fabric().link(v1).unwrap().counters;
    assert_eq!(c.tx_packets, 0);
    assert_eq!(c.tx_dropped, 3, "three ARP requests, none with carrier");
}

#[test]
fn ping_works_both_ways() {
    let mut lab = Lab::new();
    let (a, b) = pair(&mut lab);
    lab.set_link_up(a, "veth1", true).unwrap();
    lab.set_link_up(b, "veth2", true).unwrap();
    let p = ping(&mut lab, a, "10.0.1.2", 3);
    assert_eq!((p.transmitted, p.received), (3, 3));
    let p = ping(&mut lab, b, "10.0.1.1", 3);
    assert_eq!((p.transmitted, p.received), (3, 3));
    lab.advance(secs(1)).unwrap();
}

#[test]
fn deleting_one_end_deletes_the_peer() {
    let mut lab = Lab::new();
    let (a, b) = pair(&mut lab);
    lab.del_link(a, "veth1").unwrap();
    assert!(lab.link_by_name(b, "veth2").is_err());
    assert_eq!(lab.links(b).len(), 1);
}

#[test]
fn moving_an_interface_takes_it_down_and_clears_its_addresses() {
    let mut lab = Lab::new();
    let (a, b) = pair(&mut lab);
    lab.set_link_up(a, "veth1", true).unwrap();
    let v1 = lab.link_by_name(a, "veth1").unwrap();
    let idx = lab.iface(v1).unwrap().ifindex;
    lab.move_link(a, "veth1", b).unwrap();
    let l = lab.fabric().link(v1).unwrap();
    assert!(!l.admin_up);
    let i = lab.iface(v1).unwrap();
    assert!(i.addrs.is_empty());
    assert_eq!(i.ns, b);
    // ifindex is kept when it is free in the new namespace.
    assert_eq!(i.ifindex, idx);
}

/// net.ipv4.icmp_echo_ignore_all makes a namespace silent to pings; the broadcast switch
/// is on by default (both per namespace, as on Linux).
#[test]
fn icmp_echo_ignore_sysctls() {
    let mut lab = Lab::new();
    let (a, b) = pair(&mut lab);
    lab.set_link_up(a, "veth1", true).unwrap();
    lab.set_link_up(b, "veth2", true).unwrap();
    assert_eq!(
        lab.sysctl_get(b, "net.ipv4.icmp_echo_ignore_broadcasts")
            .as_deref(),
        Some("1")
    );
    lab.sysctl_set(b, "net.ipv4.icmp_echo_ignore_all", "1")
        .unwrap();
    assert_eq!(ping(&mut lab, a, "10.0.1.2", 2).received, 0);
    lab.sysctl_set(b, "net.ipv4.icmp_echo_ignore_all", "0")
        .unwrap();
    assert_eq!(ping(&mut lab, a, "10.0.1.2", 2).received, 2);
    assert_eq!(
        lab.sysctl_get(a, "net.ipv4.icmp_echo_ignore_all")
            .as_deref(),
        Some("0")
    );
}
