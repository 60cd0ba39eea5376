//! Two bridges are separate broadcast domains until a veth pair joins them.

use l2lab_tests::{bridge, captured, host_on_bridge, ping};

#[test]
fn bridges_are_separate_until_joined() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    bridge(&mut lab, host, "br1");
    let a1 = host_on_bridge(&mut lab, host, "br0", "a1", "pa1", "10.2.0.1/24");
    let _a2 = host_on_bridge(&mut lab, host, "br0", "a2", "pa2", "10.2.0.2/24");
    let b1 = host_on_bridge(&mut lab, host, "br1", "b1", "pb1", "10.2.0.3/24");
    let b2 = host_on_bridge(&mut lab, host, "br1", "b2", "pb2", "10.2.0.4/24");
    let cap_b2 = lab.capture_start(b2.ns, "veth0", false).unwrap();

    assert_eq!(ping(&mut lab, a1.ns, "10.2.0.2", 1).received, 1);
    assert_eq!(ping(&mut lab, a1.ns, "10.2.0.3", 1).received, 0);
    assert!(
        captured(&lab, cap_b2).is_empty(),
        "no frame crossed to the other bridge"
    );

    lab.add_veth(host, "j0", "j1", None).unwrap();
    lab.set_master(host, "j0", Some("br0")).unwrap();
    lab.set_master(host, "j1", Some("br1")).unwrap();
    lab.set_link_up(host, "j0", true).unwrap();
    lab.set_link_up(host, "j1", true).unwrap();
    let p = ping(&mut lab, a1.ns, "10.2.0.3", 1);
    assert_eq!(p.received, 1);
    assert!(
        !captured(&lab, cap_b2).is_empty(),
        "the broadcast now reaches br1's hosts"
    );
    let _ = b1;
}
