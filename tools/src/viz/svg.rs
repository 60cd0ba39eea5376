//! The topology as SVG, drawn by hand from the [`Layout`]: namespaces as boxes holding their
//! interfaces, bridges with their ports hanging below, veth pairs as wires. The same drawing
//! is the viewer's canvas, so every element carries a stable id (`ns-N`, `br-ID`, `if-ID`,
//! `wire-A-B`) and `data-` attributes for the page's script.

use std::collections::HashMap;
use std::fmt::Write;

use super::layout::{addr_more, n, IfaceBox, Layout, Rect};
use super::topo::{ns_label, Link, Topology};

/// The drawing's own style, so the SVG stands alone (slides, docs); the viewer adds its own
/// classes (`hl`, `absent`, ...) on top.
const STYLE: &str = "\
.ns>rect{fill:#f4f6f8;stroke:#8a96a3;stroke-width:1.5}\
.ns-label{font-weight:bold;fill:#38424d;font-size:13px}\
.bridge>rect{fill:#dbe9fb;stroke:#3a6fb0;stroke-width:2}\
.bridge text{fill:#1d3f6b}\
.stub{stroke:#3a6fb0;stroke-width:2}\
.iface>rect{fill:#fff;stroke:#5b6670;stroke-width:1.5}\
.iface .name,.bridge .name{font-weight:bold}\
.addr{fill:#5b6670;font-size:11px}\
.wire{fill:none;stroke:#5b6670;stroke-width:2.5}\
text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px}";

/// Escapes text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn rect(o: &mut String, r: &Rect, rx: u32) {
    let _ = write!(
        o,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{rx}"/>"#,
        n(r.x),
        n(r.y),
        n(r.w),
        n(r.h)
    );
}

fn text(o: &mut String, class: &str, x: f64, y: f64, anchor: &str, s: &str) {
    let _ = write!(
        o,
        r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}">{}</text>"#,
        n(x),
        n(y),
        esc(s)
    );
}

/// The topology as a standalone SVG document.
pub fn render(t: &Topology, lay: &Layout) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" id="topology" class="l2lab-topology" viewBox="0 0 {w} {h}" width="{w}" height="{h}"><style>{STYLE}</style>"#,
        w = n(lay.width),
        h = n(lay.height)
    );
    // Each namespace's bridges and interfaces, and each bridge's ports, found in one pass
    // each (in id order, as the maps hold them), not by a look at every link per namespace.
    let mut bridges_in: HashMap<&str, Vec<(u64, &Rect)>> = HashMap::new();
    for (id, br) in &lay.bridges {
        if let Some(l) = t.links.get(id) {
            bridges_in.entry(l.ns.as_str()).or_default().push((*id, br));
        }
    }
    let mut ifaces_in: HashMap<&str, Vec<(u64, &IfaceBox)>> = HashMap::new();
    for (id, ib) in &lay.ifaces {
        if let Some(l) = t.links.get(id) {
            ifaces_in.entry(l.ns.as_str()).or_default().push((*id, ib));
        }
    }
    let mut ports: HashMap<u64, Vec<&Link>> = HashMap::new();
    for l in t.links.values().filter(|l| l.drawn()) {
        if let Some(m) = l.master {
            ports.entry(m).or_default().push(l);
        }
    }
    for (i, nb) in lay.namespaces.iter().enumerate() {
        let r = &nb.rect;
        let _ = write!(
            o,
            r#"<g class="ns" id="ns-{i}" data-ns="{}"><title>{}</title>"#,
            esc(&nb.name),
            if nb.name.is_empty() {
                "the initial (host) namespace".to_string()
            } else {
                format!("namespace {}", esc(&nb.name))
            }
        );
        rect(&mut o, r, 10);
        let ly = if nb.label_below {
            r.y + r.h - 9.0
        } else {
            r.y + 18.0
        };
        text(
            &mut o,
            "ns-label",
            r.x + 12.0,
            ly,
            "start",
            ns_label(&nb.name),
        );
        for &(id, br) in bridges_in.get(nb.name.as_str()).into_iter().flatten() {
            let Some(l) = t.links.get(&id) else { continue };
            let _ = write!(
                o,
                r#"<g class="bridge" id="br-{id}" data-link="{id}" data-ns="{}"><title>bridge {}: click for its MAC table</title>"#,
                esc(&l.ns),
                esc(&l.name)
            );
            for p in ports.get(&id).into_iter().flatten() {
                if let Some(pb) = lay.ifaces.get(&p.id) {
                    let x = pb.rect.x + pb.rect.w / 2.0;
                    let _ = write!(
                        o,
                        r#"<line class="stub" id="stub-{}" x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
                        p.id,
                        n(br.y + br.h),
                        n(pb.rect.y),
                        x = n(x)
                    );
                }
            }
            rect(&mut o, br, 6);
            let (cx, _) = br.center();
            text(&mut o, "name", cx, br.y + 18.0, "middle", &l.name);
            if let Some(a) = l.addrs.first() {
                text(
                    &mut o,
                    "addr",
                    cx,
                    br.y + 34.0,
                    "middle",
                    &format!("{a}{}", addr_more(l)),
                );
            }
            o.push_str("</g>");
        }
        for &(id, ib) in ifaces_in.get(nb.name.as_str()).into_iter().flatten() {
            let Some(l) = t.links.get(&id) else { continue };
            let _ = write!(
                o,
                r#"<g class="iface" id="if-{id}" data-link="{id}"><title>{} ({}){}</title>"#,
                esc(&l.name),
                esc(&l.kind),
                esc(&l.addrs.iter().map(|a| format!(" {a}")).collect::<String>())
            );
            rect(&mut o, &ib.rect, 4);
            let (cx, _) = ib.rect.center();
            let addr = l.addrs.first().map(|a| format!("{a}{}", addr_more(l)));
            let ny = ib.rect.y + if addr.is_some() { 16.0 } else { 23.0 };
            text(&mut o, "name", cx, ny, "middle", &l.name);
            if let Some(a) = addr {
                text(&mut o, "addr", cx, ib.rect.y + 31.0, "middle", &a);
            }
            o.push_str("</g>");
        }
        o.push_str("</g>");
    }
    for w in &lay.wires {
        let (a, b, d) = (w.a, w.b, w.path());
        let _ = write!(
            o,
            r#"<path class="wire" id="wire-{a}-{b}" data-a="{a}" data-b="{b}" d="{d}"><title>veth pair {} — {}</title></path>"#,
            esc(&t.name(a)),
            esc(&t.name(b))
        );
    }
    o.push_str(r#"<g id="dots"></g></svg>"#);
    o
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::viz::parse;

    #[test]
    fn every_element_has_its_id_and_the_svg_is_well_formed() {
        let tr = parse::trace(crate::viz::topo::test::SMALL).unwrap();
        let t = Topology::from_events(&tr.events);
        let s = render(&t, &Layout::new(&t));
        for id in ["ns-0", "ns-1", "br-1", "if-3", "if-4", "wire-3-4", "stub-4"] {
            assert!(s.contains(&format!("id=\"{id}\"")), "{id} in {s}");
        }
        assert!(s.contains(">10.0.0.1/24</text>"));
        assert!(s.contains(">host</text>"));
        // Tags balance (a cheap well-formedness check without an XML parser).
        let opens = s.matches("<g ").count() + s.matches("<g>").count();
        assert_eq!(opens, s.matches("</g>").count());
        assert_eq!(esc("a<b&\"c\""), "a&lt;b&amp;&quot;c&quot;");
    }
}
