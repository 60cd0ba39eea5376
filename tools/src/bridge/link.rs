//! `bridge link`: list bridge ports with their STP state and flags, and change port flags
//! (iproute2 bridge/link.c; the kernel's answer is br_fill_ifinfo in net/bridge/br_netlink.c).

use l2lab_fabric::{LinkId, LinkKind, Port};
use l2lab_sim::Lab;

use super::json::Json;
use super::{atoi, parse_on_off, rtnl_error, Opts, FAIL};
use crate::cmd::{Env, Output};
use crate::ip::common::matches;

const USAGE: &str = "Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                               [ guard {on | off} ]
                               [ hairpin {on | off} ]
                               [ fastleave {on | off} ]
                               [ root_block {on | off} ]
                               [ learning {on | off} ]
                               [ learning_sync {on | off} ]
                               [ flood {on | off} ]
                               [ mcast_router MULTICAST_ROUTER ]
                               [ mcast_flood {on | off} ]
                               [ bcast_flood {on | off} ]
                               [ mcast_to_unicast {on | off} ]
                               [ neigh_suppress {on | off} ]
                               [ vlan_tunnel {on | off} ]
                               [ isolated {on | off} ]
                               [ locked {on | off} ]
                               [ hwmode {vepa | veb} ]
                               [ backup_port DEVICE ] [ nobackup_port ]
                               [ self ] [ master ]
       bridge link show [dev DEV]
";

const INCOMPLETE: &str = "Command line is not complete. Try option \"help\"\n";

/// Runs `bridge link ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(cmd) = args.first().map(String::as_str) else {
        return show(&[], opts, env, lab, out);
    };
    if matches(cmd, "set") || matches(cmd, "change") {
        set(&args[1..], env, lab, out)
    } else if matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list") {
        show(&args[1..], opts, env, lab, out)
    } else if matches(cmd, "help") {
        out.err(USAGE);
        FAIL
    } else {
        out.err(format!(
            "Command \"{cmd}\" is unknown, try \"bridge link help\".\n"
        ));
        FAIL
    }
}

fn show(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut filter: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "dev" {
            i += 1;
            let Some(d) = args.get(i) else {
                out.err(INCOMPLETE);
                return FAIL;
            };
            if filter.is_some() {
                out.err(format!(
                    "Error: duplicate \"dev\": \"{d}\" is the second value.\n"
                ));
                return FAIL;
            }
            filter = Some(d);
        }
        i += 1;
    }
    let only = match filter {
        Some(d) => match lab.link_by_name(env.ns, d) {
            Ok(l) => Some(l),
            Err(_) => {
                out.err(format!("Cannot find device \"{d}\"\n"));
                return FAIL;
            }
        },
        None => None,
    };
    let ports: Vec<LinkId> = lab
        .links(env.ns)
        .into_iter()
        .filter(|l| only.is_none_or(|o| o == *l))
        .filter(|l| port_of(lab, *l).is_some())
        .collect();
    if opts.json {
        let mut j = Json::new(opts.pretty);
        for l in ports {
            json_port(lab, l, opts, &mut j);
        }
        out.out(j.finish());
    } else {
        for l in ports {
            out.out(text_port(lab, l, opts));
        }
    }
    0
}

/// The port record of `link` and its bridge's name, if it is a bridge port.
fn port_of(lab: &Lab, link: LinkId) -> Option<(Port, String)> {
    let br = lab.fabric().link(link)?.master?;
    // An Open vSwitch port is no port of a kernel bridge.
    let b = lab.fabric().bridge(br).filter(|b| !b.ovs)?;
    let p = b.port(link)?.clone();
    Some((p, lab.iface(br)?.name.clone()))
}

/// IFLA_LINK as `bridge` shows it: the bridge's answer carries no link-netnsid, so iproute2
/// names the peer's index by whatever device has it locally (`if9` when none does), and
/// flags M-DOWN when that device is down.
fn link_name(lab: &Lab, link: LinkId) -> Option<(String, bool)> {
    let l = lab.fabric().link(link)?;
    let LinkKind::Veth { peer } = l.kind else {
        return None;
    };
    let me = lab.iface(link)?;
    let idx = lab.iface(peer)?.ifindex;
    if idx == me.ifindex {
        return None;
    }
    match lab.link_by_index(me.ns, idx) {
        Some(local) => {
            let name = lab.iface(local)?.name.clone();
            let down = lab.fabric().link(local).is_some_and(|x| !x.admin_up);
            Some((name, down))
        }
        None => Some((format!("if{idx}"), false)),
    }
}

/// The interface flags in iproute2's order (print_link_flags).
fn flag_words(lab: &Lab, link: LinkId, mdown: bool) -> Vec<&'static str> {
    let mut v = Vec::new();
    let Some(l) = lab.fabric().link(link) else {
        return v;
    };
    if l.admin_up && !l.oper_up() {
        v.push("NO-CARRIER");
    }
    if matches!(l.kind, LinkKind::Loopback) {
        v.push("LOOPBACK");
    } else {
        v.push("BROADCAST");
        v.push("MULTICAST");
    }
    if l.admin_up {
        v.push("UP");
        if l.carrier {
            v.push("LOWER_UP");
        }
    }
    if mdown {
        v.push("M-DOWN");
    }
    v
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// The details line's members, in print_protinfo's order; `None` is a number (mcast_router).
fn details(p: &Port) -> [(&'static str, Option<bool>); 14] {
    let f = p.flags;
    [
        ("hairpin", Some(f.hairpin)),
        ("guard", Some(false)),
        ("root_block", Some(false)),
        ("fastleave", Some(false)),
        ("learning", Some(f.learning)),
        ("flood", Some(f.flood)),
        ("mcast_flood", Some(f.mcast_flood)),
        ("bcast_flood", Some(f.bcast_flood)),
        ("mcast_router", None),
        ("mcast_to_unicast", Some(false)),
        ("neigh_suppress", Some(false)),
        ("vlan_tunnel", Some(false)),
        ("isolated", Some(false)),
        ("locked", Some(false)),
    ]
}

fn text_port(lab: &Lab, link: LinkId, opts: &Opts) -> String {
    let (Some((p, br)), Some(i), Some(l)) =
        (port_of(lab, link), lab.iface(link), lab.fabric().link(link))
    else {
        return String::new();
    };
    let (name, mdown) = match link_name(lab, link) {
        Some((n, d)) => (format!("{}@{n}", i.name), d),
        None => (i.name.clone(), false),
    };
    let mut s = format!(
        "{}: {name}: <{}> mtu {} master {br} state {} priority {} cost {} ",
        i.ifindex,
        flag_words(lab, link, mdown).join(","),
        l.mtu,
        p.state.as_str(),
        p.priority,
        p.cost
    );
    if opts.details > 0 {
        s.push_str(if opts.oneline { "\\" } else { "\n" });
        s.push_str("    ");
        for (k, v) in details(&p) {
            match v {
                Some(b) => s.push_str(&format!("{k} {} ", on_off(b))),
                None => s.push_str(&format!("{k} 1 ")),
            }
        }
    }
    s.push('\n');
    s
}

fn json_port(lab: &Lab, link: LinkId, opts: &Opts, j: &mut Json) {
    let (Some((p, br)), Some(i), Some(l)) =
        (port_of(lab, link), lab.iface(link), lab.fabric().link(link))
    else {
        return;
    };
    let peer = link_name(lab, link);
    j.start_object();
    j.kv_raw("ifindex", i.ifindex);
    if let Some((n, _)) = &peer {
        j.kv_str("link", n);
    }
    j.kv_str("ifname", &i.name);
    let mdown = peer.as_ref().is_some_and(|(_, d)| *d);
    j.kv_strs("flags", &flag_words(lab, link, mdown));
    j.kv_raw("mtu", l.mtu);
    j.kv_str("master", &br);
    j.kv_str("state", p.state.as_str());
    j.kv_raw("priority", p.priority);
    j.kv_raw("cost", p.cost);
    if opts.details > 0 {
        for (k, v) in details(&p) {
            match v {
                Some(b) => j.kv_raw(k, b),
                None => j.kv_raw(k, 1),
            }
        }
    }
    j.end_object();
}

/// What `bridge link set` asks the kernel to change.
#[derive(Debug, Default)]
struct Change {
    learning: Option<bool>,
    flood: Option<bool>,
    mcast_flood: Option<bool>,
    bcast_flood: Option<bool>,
    hairpin: Option<bool>,
    cost: Option<u32>,
    priority: Option<u16>,
    self_only: bool,
}

fn set(args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut dev: Option<&str> = None;
    let mut c = Change::default();
    let (mut self_flag, mut master_flag) = (false, false);
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let takes_value = !matches!(a, "self" | "master" | "nobackup_port");
        let known = matches!(
            a,
            "dev"
                | "guard"
                | "hairpin"
                | "fastleave"
                | "root_block"
                | "learning"
                | "learning_sync"
                | "flood"
                | "mcast_router"
                | "mcast_flood"
                | "bcast_flood"
                | "mcast_to_unicast"
                | "cost"
                | "priority"
                | "state"
                | "hwmode"
                | "self"
                | "master"
                | "neigh_suppress"
                | "vlan_tunnel"
                | "isolated"
                | "locked"
                | "backup_port"
                | "nobackup_port"
        );
        if !known {
            out.err(USAGE);
            return FAIL;
        }
        let v = if takes_value {
            i += 1;
            match args.get(i) {
                Some(v) => v.as_str(),
                None => {
                    out.err(INCOMPLETE);
                    return FAIL;
                }
            }
        } else {
            ""
        };
        let flag = |out: &mut Output| parse_on_off(a, v, out);
        match a {
            "dev" => dev = Some(v),
            "learning" => {
                c.learning = Some(match flag(out) {
                    Some(b) => b,
                    None => return 234,
                })
            }
            "flood" => {
                c.flood = Some(match flag(out) {
                    Some(b) => b,
                    None => return 234,
                })
            }
            "mcast_flood" => {
                c.mcast_flood = Some(match flag(out) {
                    Some(b) => b,
                    None => return 234,
                })
            }
            "bcast_flood" => {
                c.bcast_flood = Some(match flag(out) {
                    Some(b) => b,
                    None => return 234,
                })
            }
            "hairpin" => {
                c.hairpin = Some(match flag(out) {
                    Some(b) => b,
                    None => return 234,
                })
            }
            // Accepted as the kernel does; these switches are not modelled.
            "guard" | "fastleave" | "root_block" | "learning_sync" | "mcast_to_unicast"
            | "neigh_suppress" | "vlan_tunnel" | "isolated" | "locked"
                if flag(out).is_none() =>
            {
                return 234;
            }
            "cost" => {
                let n = atoi(v);
                if n > 0 {
                    c.cost = Some(n as u32);
                }
            }
            "priority" => {
                let n = atoi(v);
                if n >= 0 {
                    c.priority = Some(n as u16);
                }
            }
            "state" => {
                let numeric = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
                let named = matches!(
                    v,
                    "disabled" | "listening" | "learning" | "forwarding" | "blocking"
                );
                if !numeric && !named {
                    out.err("Error: invalid STP port state\n");
                    return FAIL;
                }
            }
            "hwmode" => {
                if v != "vepa" && v != "veb" {
                    out.err("Mode argument must be \"vepa\" or \"veb\".\n");
                    return FAIL;
                }
                self_flag = true;
            }
            "backup_port" if lab.link_by_name(env.ns, v).is_err() => {
                out.err(format!("Error: device {v} does not exist\n"));
                return FAIL;
            }
            "self" => self_flag = true,
            "master" => master_flag = true,
            _ => {}
        }
        i += 1;
    }
    let Some(d) = dev else {
        out.err("Device is a required argument.\n");
        return FAIL;
    };
    let Ok(link) = lab.link_by_name(env.ns, d) else {
        out.err(format!("Cannot find bridge device \"{d}\"\n"));
        return FAIL;
    };
    // With only `self`, the device's own driver is asked; no emulated device has one.
    c.self_only = self_flag && !master_flag;
    if c.self_only || port_of(lab, link).is_none() {
        out.err("RTNETLINK answers: Operation not supported\n");
        return FAIL;
    }
    if c.cost.is_some() || c.priority.is_some() {
        if let Err(e) = lab.set_port_stp(link, c.cost, c.priority) {
            out.err(rtnl_error(&e));
            return FAIL;
        }
    }
    let r = lab.set_port_flags(env.ns, d, |f| {
        if let Some(b) = c.learning {
            f.learning = b;
        }
        if let Some(b) = c.flood {
            f.flood = b;
        }
        if let Some(b) = c.mcast_flood {
            f.mcast_flood = b;
        }
        if let Some(b) = c.bcast_flood {
            f.bcast_flood = b;
        }
        if let Some(b) = c.hairpin {
            f.hairpin = b;
        }
    });
    match r {
        Ok(()) => 0,
        Err(e) => {
            out.err(rtnl_error(&e));
            FAIL
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_sim::{LabConfig, NsId};

    fn env() -> Env {
        Env {
            ns: NsId::INIT,
            ns_name: String::new(),
            pid: 1,
            tty: false,
        }
    }

    fn run_s(lab: &mut Lab, args: &[&str]) -> (i32, Output) {
        let mut out = Output::default();
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let rc = super::super::main(&argv, &env(), lab, &mut out);
        (rc, out)
    }

    #[test]
    fn a_down_port_and_its_details() {
        let mut lab = Lab::with_config(LabConfig {
            ipv6: false,
            ..LabConfig::default()
        });
        lab.add_bridge(NsId::INIT, "kfbr0").unwrap();
        lab.add_veth(NsId::INIT, "kfv1", "kfv1p", None).unwrap();
        lab.set_master(NsId::INIT, "kfv1", Some("kfbr0")).unwrap();
        let (rc, o) = run_s(&mut lab, &["-d", "link"]);
        assert_eq!(rc, 0);
        // kernel-facts section 2 (ifindexes differ: the lab's host namespace has lo at 1).
        assert_eq!(
            o.stdout,
            "4: kfv1@kfv1p: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master kfbr0 state disabled priority 32 cost 2 \n    hairpin off guard off root_block off fastleave off learning on flood on mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off \n"
        );
        let (rc, o) = run_s(
            &mut lab,
            &["link", "set", "dev", "kfv1p", "learning", "off"],
        );
        assert_eq!(
            (rc, o.stderr.as_str()),
            (255, "RTNETLINK answers: Operation not supported\n")
        );
        let (rc, o) = run_s(&mut lab, &["link", "set", "learning", "off"]);
        assert_eq!(
            (rc, o.stderr.as_str()),
            (255, "Device is a required argument.\n")
        );
        let (rc, _) = run_s(&mut lab, &["link", "set", "dev", "kfv1", "learning", "of"]);
        assert_eq!(rc, 0);
        let (_, o) = run_s(&mut lab, &["-j", "link"]);
        assert_eq!(
            o.stdout,
            "[{\"ifindex\":4,\"link\":\"kfv1p\",\"ifname\":\"kfv1\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"M-DOWN\"],\"mtu\":1500,\"master\":\"kfbr0\",\"state\":\"disabled\",\"priority\":32,\"cost\":2}]\n"
        );
    }
}
