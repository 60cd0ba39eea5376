//! The event trace: one JSON object per event, in time order (`l2lab run --trace FILE.jsonl`).
//! The schema is documented in docs/trace.md; [`SCHEMA_VERSION`] changes when it does.

use l2lab_fabric::wire::{summary, EthHeader};
use l2lab_fabric::{Decision, LinkId};
use serde_json::{json, Map, Value};

use crate::event::{Event, EventKind};
use crate::lab::{Lab, NsId};
use crate::narrate::sentence;

/// The version of the trace format.
pub const SCHEMA_VERSION: u32 = 1;

/// The first line of a trace: what wrote it and how to read it.
pub fn header(lab: &Lab) -> Value {
    json!({
        "type": "header",
        "schema": "l2lab-trace",
        "version": SCHEMA_VERSION,
        "seed": lab.config().seed,
        "clock": if lab.clock().is_virtual() { "virtual" } else { "real" },
        "epoch_us": lab.config().epoch_us,
    })
}

fn ns_name(lab: &Lab, ns: NsId) -> String {
    lab.ns(ns).map(|n| n.name.clone()).unwrap_or_default()
}

/// A link as the trace names it: its id, and its name and namespace when it still exists.
fn link(lab: &Lab, l: LinkId) -> Value {
    match lab.iface(l) {
        Some(i) => json!({"id": l.0, "name": i.name, "ns": ns_name(lab, i.ns)}),
        None => json!({"id": l.0}),
    }
}

fn links(lab: &Lab, ls: &[LinkId]) -> Value {
    Value::Array(ls.iter().map(|l| link(lab, *l)).collect())
}

/// One event as a JSON object: `t` (seconds of lab time), `type`, its fields, and `say`, the
/// narration sentence when there is one.
pub fn event(lab: &Lab, ev: &Event) -> Value {
    let mut v = match &ev.kind {
        EventKind::Wire(r) => {
            let mut v = wire(lab, &r.decision);
            if r.journey != 0 {
                v["frame"] = json!(r.journey);
            }
            v
        }
        EventKind::NetnsAdded { name } => json!({"type": "netns_added", "name": name}),
        EventKind::NetnsDeleted { name } => json!({"type": "netns_deleted", "name": name}),
        EventKind::LinkAdded {
            ns,
            link: l,
            name,
            kind,
            peer,
        } => {
            let mut v = json!({"type": "link_added", "link": l.0, "name": name, "ns": ns_name(lab, *ns), "kind": kind});
            if let Some(p) = peer {
                v["peer"] = json!(p.0);
            }
            v
        }
        EventKind::LinkDeleted {
            ns_name,
            link: l,
            name,
            ..
        } => {
            json!({"type": "link_deleted", "link": l.0, "name": name, "ns": ns_name})
        }
        EventKind::LinkAdmin { link: l, up } => {
            json!({"type": if *up { "link_up" } else { "link_down" }, "link": link(lab, *l)})
        }
        EventKind::Master { link: l, bridge } => json!({
            "type": "master",
            "link": link(lab, *l),
            "bridge": bridge.map(|b| link(lab, b)),
        }),
        EventKind::LinkMoved { link: l, from, to } => json!({
            "type": "link_moved", "link": link(lab, *l), "from": ns_name(lab, *from), "to": ns_name(lab, *to),
        }),
        EventKind::LinkRenamed { link: l, name } => {
            json!({"type": "link_renamed", "link": l.0, "name": name})
        }
        EventKind::Address {
            link: l,
            addr,
            added,
        } => json!({
            "type": if *added { "addr_added" } else { "addr_removed" }, "link": link(lab, *l), "addr": addr,
        }),
        EventKind::Route { ns, route, added } => json!({
            "type": if *added { "route_added" } else { "route_removed" }, "ns": ns_name(lab, *ns), "route": route,
        }),
        EventKind::Neigh {
            ns,
            dev,
            ip,
            mac,
            from,
            to,
        } => json!({
            "type": "neigh",
            "ns": ns_name(lab, *ns),
            "dev": link(lab, *dev),
            "ip": ip.to_string(),
            "mac": mac.map(|m| m.to_string()),
            "from": from.map(|s| s.as_str()),
            "to": to.map(|s| s.as_str()),
        }),
        EventKind::PingSent { ping, seq } => {
            json!({"type": "ping_sent", "ping": ping, "seq": seq})
        }
        EventKind::PingAnswered { ping, seq, rtt } => json!({
            "type": "ping_answered", "ping": ping, "seq": seq, "rtt_ms": rtt.as_secs_f64() * 1000.0,
        }),
        EventKind::PingFailed { ping, seq, why } => {
            json!({"type": "ping_failed", "ping": ping, "seq": seq, "why": why})
        }
    };
    if let Value::Object(m) = &mut v {
        let mut out = Map::new();
        out.insert("t".into(), json!(ev.at.as_secs_f64()));
        out.append(m);
        if let Some(s) = sentence(lab, ev) {
            out.insert("say".into(), json!(s));
        }
        return Value::Object(out);
    }
    v
}

fn wire(lab: &Lab, d: &Decision) -> Value {
    match d {
        Decision::Sent { link: l, frame } => {
            let mut v = json!({"type": "sent", "link": link(lab, *l), "len": frame.len(), "summary": summary(frame)});
            if let Ok(h) = EthHeader::parse(frame) {
                v["src"] = json!(h.src.to_string());
                v["dst"] = json!(h.dst.to_string());
            }
            v
        }
        Decision::Crossed { from, to } => {
            json!({"type": "crossed", "from": link(lab, *from), "to": link(lab, *to)})
        }
        Decision::Entered { bridge, port } => {
            json!({"type": "entered", "bridge": link(lab, *bridge), "port": link(lab, *port)})
        }
        Decision::Learned { bridge, mac, port } => json!({
            "type": "learned", "bridge": link(lab, *bridge), "mac": mac.to_string(), "port": link(lab, *port),
        }),
        Decision::Refreshed { bridge, mac, port } => json!({
            "type": "refreshed", "bridge": link(lab, *bridge), "mac": mac.to_string(), "port": link(lab, *port),
        }),
        Decision::Moved {
            bridge,
            mac,
            from,
            to,
        } => json!({
            "type": "moved", "bridge": link(lab, *bridge), "mac": mac.to_string(),
            "from": link(lab, *from), "to": link(lab, *to),
        }),
        Decision::Evicted { bridge, mac, port } => json!({
            "type": "evicted", "bridge": link(lab, *bridge), "mac": mac.to_string(), "port": link(lab, *port),
        }),
        Decision::AgedOut {
            bridge,
            mac,
            port,
            age,
        } => json!({
            "type": "aged_out", "bridge": link(lab, *bridge), "mac": mac.to_string(),
            "port": link(lab, *port), "age_s": age.as_secs_f64(),
            "ageing_s": lab.fabric().bridge(*bridge).map(|b| b.ageing_time.as_secs_f64()),
        }),
        Decision::Forwarded { bridge, mac, port } => json!({
            "type": "forwarded", "bridge": link(lab, *bridge), "mac": mac.to_string(), "port": link(lab, *port),
        }),
        Decision::Flooded { bridge, mac, ports } => json!({
            "type": "flooded", "bridge": link(lab, *bridge), "mac": mac.to_string(), "ports": links(lab, ports),
        }),
        Decision::DeliveredLocal { bridge, promisc } => {
            json!({"type": "delivered_local", "bridge": link(lab, *bridge), "promisc": promisc})
        }
        Decision::Received { link: l } => json!({"type": "received", "link": link(lab, *l)}),
        Decision::Dropped { link: l, reason } => {
            json!({"type": "dropped", "link": link(lab, *l), "reason": reason.as_str()})
        }
        Decision::Carrier { link: l, up } => {
            json!({"type": "carrier", "link": link(lab, *l), "up": up})
        }
        Decision::PortState {
            bridge,
            port,
            state,
        } => json!({
            "type": "port_state", "bridge": link(lab, *bridge), "port": link(lab, *port),
            "state": state.as_str(),
        }),
        Decision::BpduReceived { bridge, port } => json!({
            "type": "bpdu_received", "bridge": link(lab, *bridge), "port": link(lab, *port),
        }),
        Decision::Stp { bridge, event } => json!({
            "type": "stp", "bridge": link(lab, *bridge),
            "say": crate::narrate::stp_sentence(lab, *bridge, event),
        }),
    }
}
