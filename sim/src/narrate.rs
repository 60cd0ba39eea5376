//! Narration: one plain sentence for each bridge decision and neighbour change, for learners
//! (`--explain`, the demo, the viewer).

use l2lab_fabric::bridge::stp::StpEvent;
use l2lab_fabric::wire::BridgeId;
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

/// A narrated line as the demo and `--explain` print it, with the lab time it happened at.
pub fn stamped(at: std::time::Duration, sentence: &str) -> String {
    format!("  [{:>8.3} s] {sentence}", at.as_secs_f64())
}

/// The one wording of an FDB entry ageing out, for the narration and the viewer: after the
/// bridge's ageing time, and when it was last seen if the collector (a kernel timer that
/// runs a little after the expiry) came later than that.
pub fn aged_out(bridge: &str, mac: &str, port: &str, age_s: u64, ageing_s: Option<u64>) -> String {
    let ageing = ageing_s.unwrap_or(age_s);
    let seen = if age_s > ageing {
        format!(" (last seen {age_s} s ago)")
    } else {
        String::new()
    };
    format!("{bridge}: {mac} on {port} aged out after {ageing} s{seen}")
}

/// A bridge id by the bridge's name when the lab has it, else as showstp prints it.
fn bridge_name(lab: &Lab, id: BridgeId) -> String {
    let f = lab.fabric();
    f.bridges()
        .iter()
        .find(|b| f.bridge(**b).is_some_and(|x| x.st.bridge_id == id))
        .map(|b| name(lab, *b))
        .unwrap_or_else(|| format!("{:04x}.{}", id.prio, id.addr))
}

/// The sentence for a change in a bridge's spanning tree.
pub fn stp_sentence(lab: &Lab, bridge: LinkId, e: &StpEvent) -> String {
    let br = name(lab, bridge);
    match e {
        StpEvent::BecomesRoot => format!("{br}: becomes root, it hears of no lower bridge id"),
        StpEvent::NotRoot { root } => format!(
            "{br}: is no longer root, {} has a lower bridge id",
            bridge_name(lab, *root)
        ),
        StpEvent::RootPort { port, root, cost } => format!(
            "{br}: {} is the root port, the closest way to root {} (cost {cost})",
            name(lab, *port),
            bridge_name(lab, *root)
        ),
        StpEvent::Blocks {
            port,
            root,
            designated,
            root_port,
        } => match root_port {
            Some(rp) => format!(
                "{br}: port {} blocks: {} is root and {} is closer",
                name(lab, *port),
                bridge_name(lab, *root),
                name(lab, *rp)
            ),
            None => format!(
                "{br}: port {} blocks: {} forwards onto its link",
                name(lab, *port),
                bridge_name(lab, *designated)
            ),
        },
        StpEvent::NeighbourLost { port, neighbour } => format!(
            "{br}: nothing heard from {} on {} for max_age, its word is dropped",
            bridge_name(lab, *neighbour),
            name(lab, *port)
        ),
    }
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
                    .map(|b| b.ageing_time.as_secs());
                Some(aged_out(
                    &name(lab, *bridge),
                    &mac.to_string(),
                    &name(lab, *port),
                    age.as_secs(),
                    ageing,
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
            Decision::DeliveredLocal {
                bridge,
                promisc: false,
            } => Some(format!(
                "{}: for the bridge itself, passed up to its stack",
                name(lab, *bridge)
            )),
            Decision::DeliveredLocal {
                bridge,
                promisc: true,
            } => {
                let captured = lab.fabric().link(*bridge).is_some_and(|l| l.captures > 0);
                let why = if captured || !lab.user_promisc(*bridge) {
                    "tcpdump listens on it, so it is promiscuous"
                } else {
                    "it is promiscuous (promisc on)"
                };
                Some(format!(
                    "{}: {why}: a copy goes up to its stack too",
                    name(lab, *bridge)
                ))
            }
            Decision::Dropped { link, reason } => {
                let at = name(lab, *link);
                Some(format!("{at}: dropped ({})", reason.as_str()))
            }
            Decision::Stp { bridge, event } => Some(stp_sentence(lab, *bridge, event)),
            // With STP off a port only follows its link; with it on, its state is news.
            Decision::PortState {
                bridge,
                port,
                state,
            } if lab.fabric().bridge(*bridge).is_some_and(|b| b.stp) => Some(format!(
                "{}: port {} is {}",
                name(lab, *bridge),
                name(lab, *port),
                state.as_str()
            )),
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

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn one_wording_for_ageing() {
        assert_eq!(
            aged_out("br0", "02:00:00:00:00:01", "p1", 305, Some(300)),
            "br0: 02:00:00:00:00:01 on p1 aged out after 300 s (last seen 305 s ago)"
        );
        assert_eq!(
            aged_out("br0", "02:00:00:00:00:01", "p1", 10, Some(10)),
            "br0: 02:00:00:00:00:01 on p1 aged out after 10 s"
        );
    }

    #[test]
    fn stamped_with_lab_time() {
        let at = std::time::Duration::from_millis(312_168);
        assert_eq!(stamped(at, "br01: x"), "  [ 312.168 s] br01: x");
    }
}
