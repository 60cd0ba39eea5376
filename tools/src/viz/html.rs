//! The viewer: one self-contained HTML page (no network, no external assets) holding the
//! topology drawing, the replayed trace (each event's description, narration, frame hop and
//! table ops, plus checkpoints) as JSON, and the script that steps through it.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::layout::Layout;
use super::parse::{Event, Kind, LinkRef, Trace};
use super::replay::{Replay, CHECKPOINT_EVERY};
use super::svg;
use super::topo::{ns_label, Topology};

const TEMPLATE: &str = include_str!("viewer.html");
const CSS: &str = include_str!("viewer.css");
const JS: &str = include_str!("viewer.js");

fn at(l: &LinkRef) -> String {
    match &l.ns {
        Some(ns) => format!("{} ({})", l.label(), ns_label(ns)),
        None => l.label(),
    }
}

fn names(ls: &[LinkRef]) -> String {
    ls.iter().map(LinkRef::label).collect::<Vec<_>>().join(" ")
}

/// One line saying what an event is, for the timeline (the narration, when there is one, is
/// shown beside it).
pub fn describe(ev: &Event) -> String {
    match &ev.kind {
        Kind::NetnsAdded { name } => format!("namespace {name} added"),
        Kind::NetnsDeleted { name } => format!("namespace {name} deleted"),
        Kind::LinkAdded { name, ns, kind, .. } => {
            format!("{kind} {name} added in {}", ns_label(ns))
        }
        Kind::LinkDeleted { name, ns, link } => {
            let name = if name.is_empty() {
                format!("if{link}")
            } else {
                name.clone()
            };
            format!("{name} deleted from {}", ns_label(ns))
        }
        Kind::LinkAdmin { link, up } => {
            format!("{} set {}", at(link), if *up { "up" } else { "down" })
        }
        Kind::Carrier { link, up } => format!(
            "{} {} carrier",
            at(link),
            if *up { "gains" } else { "loses" }
        ),
        Kind::Master { link, bridge } => match bridge {
            Some(b) => format!("{} becomes a port of {}", link.label(), b.label()),
            None => format!("{} leaves its bridge", link.label()),
        },
        Kind::PortState {
            bridge,
            port,
            state,
        } => format!("{} port {} is {state}", bridge.label(), port.label()),
        Kind::BpduReceived { bridge, port } => format!(
            "{}: STP takes in the BPDU from port {} (a BPDU is never forwarded)",
            bridge.label(),
            port.label()
        ),
        Kind::Stp { bridge } => format!("{}: spanning tree", bridge.label()),
        Kind::LinkMoved { link, from, to } => format!(
            "{} moves from {} to {}",
            link.label(),
            ns_label(from),
            ns_label(to)
        ),
        Kind::LinkRenamed { link, name } => format!("if{link} renamed {name}"),
        Kind::Addr { link, addr, added } => {
            if *added {
                format!("{addr} added on {}", at(link))
            } else {
                format!("{addr} removed from {}", at(link))
            }
        }
        Kind::Route { ns, route, added } => format!(
            "{}: route {route} {}",
            ns_label(ns),
            if *added { "added" } else { "removed" }
        ),
        Kind::Sent {
            link,
            len,
            src,
            dst,
            summary,
        } => {
            let macs = match (src, dst) {
                (Some(s), Some(d)) => format!(", {s} > {d}"),
                _ => String::new(),
            };
            format!("{} sends {summary} ({len} bytes{macs})", at(link))
        }
        Kind::Crossed { from, to } => {
            format!("across the veth pair: {} → {}", at(from), at(to))
        }
        Kind::Entered { bridge, port } => {
            format!("enters {} on port {}", bridge.label(), port.label())
        }
        Kind::Learned { bridge, mac, port } => {
            format!("{}: learned {mac} on {}", bridge.label(), port.label())
        }
        Kind::Refreshed { bridge, mac, port } => format!(
            "{}: saw {mac} again on {}, its age restarts",
            bridge.label(),
            port.label()
        ),
        Kind::Moved {
            bridge,
            mac,
            from,
            to,
        } => format!(
            "{}: {mac} moved from {} to {}",
            bridge.label(),
            from.label(),
            to.label()
        ),
        Kind::Evicted { bridge, mac, port } => format!(
            "{}: table full, forgot {mac} on {}",
            bridge.label(),
            port.label()
        ),
        Kind::AgedOut {
            bridge,
            mac,
            port,
            age_s,
            ageing_s,
        } => l2lab_sim::narrate::aged_out(
            &bridge.label(),
            mac,
            &port.label(),
            *age_s as u64,
            ageing_s.map(|a| a as u64),
        ),
        Kind::Forwarded { bridge, mac, port } => {
            format!(
                "{}: {mac} is on {}, forwarded there",
                bridge.label(),
                port.label()
            )
        }
        Kind::Flooded { bridge, mac, ports } => {
            format!("{}: {mac} flooded to {}", bridge.label(), names(ports))
        }
        Kind::DeliveredLocal {
            bridge,
            promisc: false,
        } => format!("{}: passed up to the bridge's own stack", bridge.label()),
        Kind::DeliveredLocal {
            bridge,
            promisc: true,
        } => format!(
            "{}: promiscuous (tcpdump, or promisc on): a copy goes up to its own stack too",
            bridge.label()
        ),
        Kind::Received { link } => format!("{} hands it to its stack", at(link)),
        Kind::Dropped { link, reason } => format!("dropped at {}: {reason}", at(link)),
        Kind::Neigh {
            ns,
            dev,
            ip,
            from,
            to,
            ..
        } => format!(
            "{}: neighbour {ip} on {}: {} → {}",
            ns_label(ns),
            dev.label(),
            from.as_deref().unwrap_or("(new)"),
            to.as_deref().unwrap_or("(removed)")
        ),
        Kind::PingSent { ping, seq } => format!("ping {ping}: echo request icmp_seq={seq}"),
        Kind::PingAnswered { ping, seq, rtt_ms } => {
            format!("ping {ping}: reply icmp_seq={seq} time={rtt_ms:.3} ms")
        }
        Kind::PingFailed { ping, seq, why } => {
            format!("ping {ping}: icmp_seq={seq} {why}")
        }
        Kind::Other => format!("{} (not known to this viewer)", ev.ty),
    }
}

/// The page's data: topology names and geometry, events and checkpoints.
pub fn data(title: &str, tr: &Trace, topo: &Topology, lay: &Layout, rp: &Replay) -> Value {
    let mut links = Map::new();
    for l in topo.links.values() {
        links.insert(
            l.id.to_string(),
            json!({"n": l.name, "ns": l.ns, "k": l.kind, "m": l.master}),
        );
    }
    let mut geo_i = Map::new();
    for (id, b) in &lay.ifaces {
        let (cx, cy) = b.rect.center();
        geo_i.insert(
            id.to_string(),
            json!([round(cx), round(cy), round(b.anchor.0), round(b.anchor.1)]),
        );
    }
    let mut geo_b = Map::new();
    for (id, r) in &lay.bridges {
        // The frame stops at the bridge's lower edge, where its ports hang, not at its
        // middle, where the marker would hide the bridge's name and address.
        let (cx, _) = r.center();
        geo_b.insert(id.to_string(), json!([round(cx), round(r.y + r.h)]));
    }
    let mut wires = Map::new();
    for w in &lay.wires {
        wires.insert(
            format!("{}-{}", w.a, w.b),
            json!(w.curve.iter().map(|v| round(*v)).collect::<Vec<_>>()),
        );
    }
    let events: Vec<Value> = tr
        .events
        .iter()
        .zip(&rp.steps)
        .map(|(ev, st)| {
            let mut o = Map::new();
            o.insert("t".into(), json!(ev.t));
            o.insert("y".into(), json!(ev.ty));
            o.insert("d".into(), json!(describe(ev)));
            let mut put = |k: &str, v: Value| {
                if !v.is_null() {
                    o.insert(k.into(), v);
                }
            };
            put("s", json!(ev.say));
            put("f", json!(ev.frame));
            put("h", st.hop.to_json());
            if !st.ops.is_empty() {
                put(
                    "o",
                    Value::Array(st.ops.iter().map(|op| op.to_json()).collect()),
                );
            }
            put("p", json!(st.prev_of_frame));
            put("b", json!(st.bridge));
            put("n", json!(st.ns));
            Value::Object(o)
        })
        .collect();
    let cps: Vec<Value> = rp
        .checkpoints
        .iter()
        .map(|(_, c)| Value::Array(c.iter().map(|op| op.to_json()).collect()))
        .collect();
    let cp_at: Vec<usize> = rp.checkpoints.iter().map(|(n, _)| *n).collect();
    let bridges: BTreeMap<String, Vec<u64>> = lay
        .bridges
        .keys()
        .map(|b| (b.to_string(), topo.ports_of(*b).map(|p| p.id).collect()))
        .collect();
    json!({
        "title": title,
        "clock": tr.header.clock,
        "seed": tr.header.seed,
        "every": CHECKPOINT_EVERY,
        "cpAt": cp_at,
        "ns": topo.namespaces,
        "links": links,
        "bridges": bridges,
        "geo": {"i": geo_i, "b": geo_b, "w": wires},
        "ev": events,
        "cp": cps,
    })
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Fills every `<!--NAME-->` / `/*NAME*/` marker of the template in one pass (so text from
/// the trace can never be taken for a marker).
fn fill(template: &str, parts: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + parts.iter().map(|p| p.1.len()).sum::<usize>());
    let mut rest = template;
    loop {
        let next = parts
            .iter()
            .filter_map(|(k, v)| rest.find(k).map(|i| (i, *k, *v)))
            .min_by_key(|(i, _, _)| *i);
        match next {
            Some((i, k, v)) => {
                out.push_str(&rest[..i]);
                out.push_str(v);
                rest = &rest[i + k.len()..];
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// JSON safe inside a `<script>` element: `</` cannot close it, and the line separators
/// that old parsers choke on are escaped.
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace("</", "<\\/")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The whole page for a trace.
pub fn page(title: &str, tr: &Trace) -> String {
    let topo = Topology::from_events(&tr.events);
    let lay = Layout::new(&topo);
    let rp = Replay::new(&tr.events);
    let drawing = svg::render(&topo, &lay);
    let data = script_json(&data(title, tr, &topo, &lay, &rp));
    fill(
        TEMPLATE,
        &[
            ("<!--TITLE-->", &svg::esc(title)),
            ("/*CSS*/", CSS),
            ("<!--SVG-->", &drawing),
            ("/*DATA*/", &data),
            ("/*JS*/", JS),
        ],
    )
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::viz::parse;

    #[test]
    fn the_page_stands_alone() {
        let tr = parse::trace(crate::viz::topo::test::SMALL).unwrap();
        let p = page("small </script> test", &tr);
        assert!(p.starts_with("<!DOCTYPE html>"));
        assert!(p.contains("id=\"mac-table\""));
        assert!(p.contains("id=\"say\""));
        assert!(p.contains("id=\"if-3\""));
        assert!(!p.contains("<!--SVG-->") && !p.contains("/*DATA*/") && !p.contains("/*JS*/"));
        // Nothing is fetched: no external scripts, styles, images or fonts.
        for needle in ["src=\"http", "href=\"http", "url(http", "@import", "<link "] {
            assert!(!p.contains(needle), "{needle}");
        }
        assert!(p.contains("small &lt;/script&gt; test"));
        assert_eq!(
            p.matches("</script>").count(),
            2,
            "the data cannot close its script"
        );
    }

    #[test]
    fn fill_is_one_pass() {
        assert_eq!(
            fill("a<!--X-->b/*Y*/c", &[("<!--X-->", "/*Y*/"), ("/*Y*/", "y")]),
            "a/*Y*/byc"
        );
    }

    #[test]
    fn descriptions() {
        let line = r#"{"t":0,"type":"sent","link":{"id":8,"name":"veth0","ns":"ns1"},"len":42,"summary":"ARP, Request who-has 10.1.0.2 tell 10.1.0.1","src":"02:00:00:00:00:01","dst":"ff:ff:ff:ff:ff:ff","frame":1}"#;
        let ev = parse::event(2, line).unwrap();
        assert_eq!(
            describe(&ev),
            "veth0 (ns1) sends ARP, Request who-has 10.1.0.2 tell 10.1.0.1 (42 bytes, 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff)"
        );
        let line = r#"{"t":0,"type":"crossed","from":{"id":8,"name":"veth0","ns":"ns1"},"to":{"id":9,"name":"p1","ns":""}}"#;
        assert_eq!(
            describe(&parse::event(3, line).unwrap()),
            "across the veth pair: veth0 (ns1) → p1 (host)"
        );
    }
}
