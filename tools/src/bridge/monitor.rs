//! `bridge monitor fdb`: one line per change of the bridges' forwarding databases, as
//! iproute2's bridge/monitor.c prints the kernel's notifications — the `bridge fdb show`
//! line of the entry, after `Deleted ` when it went. `bridge monitor link`: one line per
//! notification a bridge sends for a port (br_ifinfo_notify), as bridge/link.c's
//! print_linkinfo prints it. The generic link notifications rtnetlink sends for every
//! device, and mdb, vlan and vni events, are not modelled, so `bridge monitor` asks for
//! `fdb` or `link` by name, one at a time.

use std::collections::HashMap;

use l2lab_fabric::FdbKind;
use l2lab_sim::api_mon::{FdbEvent, LinkEvent};
use l2lab_sim::{Lab, NsId};

use super::FAIL;
use crate::cmd::{Env, Output, Session, Watch};
use crate::ip::common::matches;

const USAGE: &str = "Usage: bridge monitor [file | link | fdb | mdb | vlan | vni | all]\n";

/// Starts the monitor, or says why not (the exit status).
pub fn start(
    args: &[String],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> Result<Box<dyn Session>, i32> {
    let mut fdb = false;
    let mut link = false;
    let mut other = None;
    for a in args {
        let a = a.as_str();
        if matches(a, "link") {
            link = true;
        } else if matches(a, "fdb") {
            fdb = true;
        } else if matches(a, "help") {
            out.err(USAGE);
            return Err(FAIL);
        } else if matches(a, "mdb")
            || matches(a, "vlan")
            || matches(a, "vni")
            || matches(a, "all")
            || matches(a, "file")
        {
            other = Some(a.to_string());
        } else {
            out.err(format!(
                "Argument \"{a}\" is unknown, try \"bridge monitor help\".\n"
            ));
            return Err(FAIL);
        }
    }
    if fdb == link || other.is_some() {
        let what = match other {
            Some(o) => o,
            None if fdb => "fdb and link together".into(),
            None => "all".into(),
        };
        out.err(format!(
            "bridge monitor: only FDB and bridge port events are modelled by this lab, one at a time (\"bridge monitor fdb\", \"bridge monitor link\"); not {what}\n"
        ));
        return Err(FAIL);
    }
    if link {
        let id = lab.link_monitor_start(env.ns);
        let mut cache = Cache::new(lab, env.ns);
        return Ok(Box::new(Watch {
            take: Box::new(move |lab| {
                lab.link_monitor_take(id)
                    .iter()
                    .map(|e| {
                        let peer = e.peer.filter(|p| *p != e.ifindex);
                        link_line(e, cache.lookup(lab, peer))
                    })
                    .collect()
            }),
            stop: Box::new(move |lab| lab.link_monitor_stop(id)),
        }));
    }
    let id = lab.fdb_monitor_start(env.ns);
    Ok(Box::new(Watch {
        take: Box::new(move |lab| lab.fdb_monitor_take(id).iter().map(line).collect()),
        stop: Box::new(move |lab| lab.fdb_monitor_stop(id)),
    }))
}

/// A change as the monitor prints it: the entry's `bridge fdb show` line.
fn line(e: &FdbEvent) -> String {
    let state = match e.kind {
        FdbKind::Local => "permanent",
        FdbKind::Static => "static",
        FdbKind::Learned if e.stale => "stale",
        FdbKind::Learned => "",
    };
    format!(
        "{}{} dev {} master {} {state}\n",
        if e.deleted { "Deleted " } else { "" },
        e.mac,
        e.dev,
        e.bridge
    )
}

/// What iproute2's ll_map cache knows of the namespace's devices: filled when the monitor
/// starts (ll_init_map) and never refreshed by the notifications it prints, so a peer shows
/// M-DOWN as long as it was down then. A device it has not seen is asked for once, as it
/// is then.
struct Cache {
    ns: NsId,
    by_index: HashMap<u32, (String, bool)>,
}

impl Cache {
    fn new(lab: &Lab, ns: NsId) -> Cache {
        let mut c = Cache {
            ns,
            by_index: HashMap::new(),
        };
        for l in lab.links(ns) {
            if let Some(e) = Cache::ask(lab, l) {
                c.by_index.insert(e.0, e.1);
            }
        }
        c
    }

    fn ask(lab: &Lab, l: l2lab_fabric::LinkId) -> Option<(u32, (String, bool))> {
        let i = lab.iface(l)?;
        let up = lab.fabric().link(l).is_some_and(|x| x.admin_up);
        Some((i.ifindex, (i.name.clone(), up)))
    }

    /// The name a peer's index prints as and whether it shows M-DOWN (`if9` for an index
    /// no device here has, without M-DOWN, as `bridge link` shows it).
    fn lookup(&mut self, lab: &Lab, peer: Option<u32>) -> Option<(String, bool)> {
        let idx = peer?;
        if let Some((n, up)) = self.by_index.get(&idx) {
            return Some((n.clone(), !up));
        }
        match lab
            .link_by_index(self.ns, idx)
            .and_then(|l| Cache::ask(lab, l))
        {
            Some((i, (n, up))) => {
                self.by_index.insert(i, (n.clone(), up));
                Some((n, !up))
            }
            None => Some((format!("if{idx}"), false)),
        }
    }
}

/// A port notification as print_linkinfo prints it; `peer` is IFLA_LINK's name and M-DOWN.
fn link_line(e: &LinkEvent, peer: Option<(String, bool)>) -> String {
    let n = &e.note;
    let (name, mdown) = match peer {
        Some((p, d)) => (format!("{}@{p}", e.name), d),
        None => (e.name.clone(), false),
    };
    let mut flags = Vec::new();
    if n.admin_up && !n.running {
        flags.push("NO-CARRIER");
    }
    flags.extend(["BROADCAST", "MULTICAST"]);
    if n.admin_up {
        flags.push("UP");
        if n.carrier {
            flags.push("LOWER_UP");
        }
    }
    if mdown {
        flags.push("M-DOWN");
    }
    format!(
        "{}: {name}: <{}> mtu {} master {} state {} priority {} cost {} \n",
        e.ifindex,
        flags.join(","),
        n.mtu,
        e.bridge,
        n.state.as_str(),
        n.priority,
        n.cost
    )
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_fabric::MacAddr;

    #[test]
    fn lines_as_the_kernel_printed_them() {
        let e = |kind, stale, deleted, dev: &str| FdbEvent {
            mac: MacAddr([0x26, 0x3a, 0xc5, 0xce, 0x7c, 0xaf]),
            dev: dev.into(),
            bridge: "br0".into(),
            kind,
            stale,
            deleted,
        };
        assert_eq!(
            line(&e(FdbKind::Learned, false, false, "v1")),
            "26:3a:c5:ce:7c:af dev v1 master br0 \n"
        );
        assert_eq!(
            line(&e(FdbKind::Learned, true, true, "v2")),
            "Deleted 26:3a:c5:ce:7c:af dev v2 master br0 stale\n"
        );
        assert_eq!(
            line(&e(FdbKind::Local, false, true, "br0")),
            "Deleted 26:3a:c5:ce:7c:af dev br0 master br0 permanent\n"
        );
    }

    #[test]
    fn port_notifications_as_the_kernel_printed_them() {
        use l2lab_fabric::{LinkId, PortNote, PortState};
        let e = |state, admin_up, carrier, running| LinkEvent {
            ifindex: 8,
            name: "v3".into(),
            peer: Some(7),
            bridge: "br0".into(),
            note: PortNote {
                bridge: LinkId(1),
                port: LinkId(2),
                state,
                admin_up,
                carrier,
                running,
                mtu: 1500,
                priority: 32,
                cost: 2,
            },
        };
        let peer = |mdown| Some(("e3".to_string(), mdown));
        assert_eq!(
            link_line(&e(PortState::Disabled, true, true, false), peer(false)),
            "8: v3@e3: <NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state disabled priority 32 cost 2 \n"
        );
        assert_eq!(
            link_line(&e(PortState::Listening, true, true, true), peer(true)),
            "8: v3@e3: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 master br0 state listening priority 32 cost 2 \n"
        );
        assert_eq!(
            link_line(&e(PortState::Disabled, false, false, false), None),
            "8: v3: <BROADCAST,MULTICAST> mtu 1500 master br0 state disabled priority 32 cost 2 \n"
        );
    }
}
