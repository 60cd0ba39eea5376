//! What `ip link`, `ip addr` and `bridge link` print alike about an interface: its flags, its
//! operational state, its name with the `@peer` suffix, qdisc and the peer's namespace
//! (iproute2 ip/ipaddress.c: print_link_flags, print_linkinfo; the kernel's operstate rules
//! from net/core/link_watch.c: default_operstate).

use l2lab_fabric::{LinkId, LinkKind};
use l2lab_sim::{Lab, NsId};

/// IFLA_LINK of a veth: the peer's index, as seen from `ns`.
pub fn peer(lab: &Lab, link: LinkId) -> Option<LinkId> {
    match lab.fabric().link(link)?.kind {
        LinkKind::Veth { peer } => Some(peer),
        _ => None,
    }
}

/// The device in `ns` that has the peer's index, as iproute2 and the kernel look it up
/// (by index in the local namespace, which is another device when the peer lives elsewhere).
fn local_by_peer_index(lab: &Lab, ns: NsId, link: LinkId) -> Option<LinkId> {
    let p = peer(lab, link)?;
    let idx = lab.iface(p)?.ifindex;
    lab.link_by_index(ns, idx)
}

/// `veth01@if9`, or `veth01@br-veth01` when the peer's index names a local device.
pub fn display_name(lab: &Lab, link: LinkId) -> String {
    let Some(i) = lab.iface(link) else {
        return String::new();
    };
    let Some(p) = peer(lab, link) else {
        return i.name.clone();
    };
    match local_by_peer_index(lab, i.ns, link) {
        Some(l) => format!(
            "{}@{}",
            i.name,
            lab.iface(l).map_or("", |x| x.name.as_str())
        ),
        None => format!("{}@if{}", i.name, lab.iface(p).map_or(0, |x| x.ifindex)),
    }
}

/// `<BROADCAST,MULTICAST,UP,LOWER_UP>` and friends, in iproute2's order.
pub fn flags(lab: &Lab, link: LinkId) -> String {
    let Some(l) = lab.fabric().link(link) else {
        return "<>".into();
    };
    let mut v: Vec<&str> = Vec::new();
    if l.admin_up && !l.carrier {
        v.push("NO-CARRIER");
    }
    match l.kind {
        LinkKind::Loopback => v.push("LOOPBACK"),
        _ => {
            v.push("BROADCAST");
            v.push("MULTICAST");
        }
    }
    if l.admin_up {
        v.push("UP");
    }
    if l.admin_up && l.carrier {
        v.push("LOWER_UP");
    }
    if m_down(lab, link) {
        v.push("M-DOWN");
    }
    format!("<{}>", v.join(","))
}

/// iproute2 prints M-DOWN when the device found at the peer's index locally is down.
fn m_down(lab: &Lab, link: LinkId) -> bool {
    let Some(ns) = lab.iface(link).map(|i| i.ns) else {
        return false;
    };
    local_by_peer_index(lab, ns, link)
        .and_then(|l| lab.fabric().link(l))
        .is_some_and(|l| !l.admin_up)
}

/// The operational state (`state UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`).
pub fn operstate(lab: &Lab, link: LinkId) -> &'static str {
    let Some(l) = lab.fabric().link(link) else {
        return "UNKNOWN";
    };
    if !l.admin_up {
        return "DOWN";
    }
    match &l.kind {
        LinkKind::Loopback | LinkKind::Dummy => "UNKNOWN",
        LinkKind::Bridge(b) if b.ports.is_empty() => "UNKNOWN",
        _ if l.carrier => "UP",
        LinkKind::Veth { .. } => {
            let ns = lab.iface(link).map(|i| i.ns);
            let lower_down = ns
                .and_then(|ns| local_by_peer_index(lab, ns, link))
                .and_then(|p| lab.fabric().link(p))
                .is_some_and(|p| !p.oper_up());
            if lower_down {
                "LOWERLAYERDOWN"
            } else {
                "DOWN"
            }
        }
        _ => "DOWN",
    }
}

/// `noqueue` once the device has been up, `noop` before.
pub fn qdisc(lab: &Lab, link: LinkId) -> &'static str {
    if lab.iface(link).is_some_and(|i| i.ever_up) {
        "noqueue"
    } else {
        "noop"
    }
}

/// The name of the bridge a port belongs to.
pub fn master_name(lab: &Lab, link: LinkId) -> Option<String> {
    let m = lab.fabric().link(link)?.master?;
    lab.iface(m).map(|i| i.name.clone())
}

/// ` link-netns ns01` / ` link-netnsid 0` when a veth's peer lives in another namespace.
pub fn link_netns(lab: &mut Lab, link: LinkId) -> Option<String> {
    let p = peer(lab, link)?;
    let (mine, theirs) = (lab.iface(link)?.ns, lab.iface(p)?.ns);
    if mine == theirs {
        return None;
    }
    let name = lab.ns(theirs).map(|n| n.name.clone()).unwrap_or_default();
    if name.is_empty() {
        Some(format!("link-netnsid {}", lab.netnsid(mine, theirs)))
    } else {
        Some(format!("link-netns {name}"))
    }
}

/// iproute2's `matches(arg, keyword)`: `arg` is a non-empty prefix of `keyword`.
pub fn matches(arg: &str, keyword: &str) -> bool {
    !arg.is_empty() && keyword.starts_with(arg)
}
