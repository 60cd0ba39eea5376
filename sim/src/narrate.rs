//! Narration: one plain sentence for each bridge decision and neighbour change, for learners
//! (`--explain`, the demo, the viewer).

use l2lab_fabric::{Decision, LinkId};

use crate::event::{Event, EventKind};
use crate::lab::Lab;

fn name(lab: &Lab, l: LinkId) -> String {
    lab.iface(l)
        .map_or_else(|| format!("if{}", l.0), |i| i.name.clone())
}

fn names(lab: &Lab, ls: &[LinkId]) -> String {
    ls.iter()
        .map(|l| name(lab, *l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sentence for an event, if it is one a learner is told about.
pub fn sentence(lab: &Lab, ev: &Event) -> Option<String> {
    match &ev.kind {
        EventKind::Wire(r) => match &r.decision {
            Decision::Learned { bridge, mac, port } => Some(format!(
                "{}: learned {mac} on {}",
                name(lab, *bridge),
                name(lab, *port)
            )),
            Decision::Moved {
                bridge,
                mac,
                from,
                to,
            } => Some(format!(
                "{}: {mac} moved from {} to {}",
                name(lab, *bridge),
                name(lab, *from),
                name(lab, *to)
            )),
            Decision::Evicted { bridge, mac, port } => Some(format!(
                "{}: table full, forgot {mac} on {} to make room",
                name(lab, *bridge),
                name(lab, *port)
            )),
            Decision::AgedOut {
                bridge,
                mac,
                port,
                age,
            } => {
                let ageing = lab
                    .fabric()
                    .bridge(*bridge)
                    .map_or(age.as_secs(), |b| b.ageing_time.as_secs());
                // The collector is a kernel timer and runs a little after the expiry.
                let seen = if age.as_secs() > ageing {
                    format!(" (last seen {} s ago)", age.as_secs())
                } else {
                    String::new()
                };
                Some(format!(
                    "{}: {mac} on {} aged out after {ageing} s{seen}",
                    name(lab, *bridge),
                    name(lab, *port),
                ))
            }
            Decision::Flooded { bridge, mac, ports } => {
                let what = if mac.is_broadcast() {
                    "broadcast".to_string()
                } else if mac.is_multicast() {
                    format!("multicast {mac}")
                } else {
                    format!("{mac} unknown")
                };
                Some(format!(
                    "{}: {what}, flooded to {}",
                    name(lab, *bridge),
                    names(lab, ports)
                ))
            }
            Decision::Forwarded { bridge, mac, port } => Some(format!(
                "{}: {mac} is on {}, forwarded there",
                name(lab, *bridge),
                name(lab, *port)
            )),
            Decision::DeliveredLocal { bridge } => Some(format!(
                "{}: for the bridge itself, passed up to its stack",
                name(lab, *bridge)
            )),
            Decision::Dropped { link, reason } => {
                let at = name(lab, *link);
                Some(format!("{at}: dropped ({})", reason.as_str()))
            }
            _ => None,
        },
        EventKind::Neigh {
            ns,
            dev,
            ip,
            mac,
            from,
            to,
        } => {
            let who = lab
                .ns(*ns)
                .map(|n| {
                    if n.name.is_empty() {
                        "host".to_string()
                    } else {
                        n.name.clone()
                    }
                })
                .unwrap_or_default();
            let dev = name(lab, *dev);
            Some(match (from, to, mac) {
                (_, None, _) => format!("{who}: neighbour {ip} on {dev} removed"),
                (_, Some(s), Some(m)) => {
                    format!("{who}: neighbour {ip} on {dev} is {} ({m})", s.as_str())
                }
                (_, Some(s), None) => format!("{who}: neighbour {ip} on {dev} is {}", s.as_str()),
            })
        }
        _ => None,
    }
}
