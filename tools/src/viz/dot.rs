//! The topology as Graphviz dot: a cluster per namespace, a node per interface, a bridge node
//! joined to its ports, and an edge per veth pair (`dot -Tpng lab.dot > lab.png`).

use std::fmt::Write;

use super::topo::{ns_label, Topology};

/// Quotes a string for dot.
fn q(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The topology as a dot graph.
pub fn render(t: &Topology) -> String {
    let mut o = String::new();
    o.push_str("graph l2lab {\n  compound=true;\n  node [fontname=\"monospace\", fontsize=11];\n  edge [penwidth=2];\n");
    for (i, ns) in t.namespaces.iter().enumerate() {
        let _ = writeln!(
            o,
            "  subgraph cluster_{i} {{\n    label={};\n    style=\"rounded,filled\"; fillcolor=\"#f4f6f8\"; color=\"#8a96a3\";",
            q(ns_label(ns))
        );
        for l in t.links_in(ns) {
            let mut label = l.name.clone();
            for a in &l.addrs {
                label.push('\n');
                label.push_str(a);
            }
            let style = if l.kind == "bridge" {
                "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#dbe9fb\", color=\"#3a6fb0\""
            } else {
                "shape=box, style=\"rounded,filled\", fillcolor=\"white\""
            };
            let _ = writeln!(o, "    if{} [label={}, {style}];", l.id, q(&label));
        }
        if t.links_in(ns).next().is_none() {
            // An empty cluster is not drawn at all; keep the namespace visible.
            let _ = writeln!(o, "    ns{i}_empty [label=\"\", shape=point, style=invis];");
        }
        o.push_str("  }\n");
    }
    for l in t.links.values().filter(|l| l.drawn()) {
        if let Some(b) = l
            .master
            .filter(|b| t.links.get(b).is_some_and(|b| b.drawn()))
        {
            let _ = writeln!(o, "  if{b} -- if{} [color=\"#3a6fb0\"];", l.id);
        }
    }
    for (a, b) in t.wires() {
        let _ = writeln!(
            o,
            "  if{a} -- if{b} [label=\"veth\", fontsize=9, color=\"#5b6670\"];"
        );
    }
    o.push_str("}\n");
    o
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::viz::parse;

    #[test]
    fn clusters_bridge_ports_and_veth_edges() {
        let tr = parse::trace(crate::viz::topo::test::SMALL).unwrap();
        let d = render(&Topology::from_events(&tr.events));
        assert!(d.starts_with("graph l2lab {"));
        assert!(d.contains("subgraph cluster_0 {\n    label=\"host\";"));
        assert!(d.contains("subgraph cluster_1 {\n    label=\"ns1\";"));
        assert!(d.contains("if3 [label=\"veth0\\n10.0.0.1/24\""));
        assert!(d.contains("if1 -- if4 [color="));
        assert!(d.contains("if3 -- if4 [label=\"veth\""));
        assert!(!d.contains("\"lo\""));
        assert_eq!(q("a\"b"), "\"a\\\"b\"");
    }
}
