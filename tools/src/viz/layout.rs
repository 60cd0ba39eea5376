//! Where each box of the topology goes: namespaces holding bridges on the top row (each bridge
//! with its ports hanging below it), the other namespaces on a row beneath, each placed under
//! the ports its veths lead to so the wires run short and straight.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::topo::{Link, Topology};

/// Width of a character of the 12 px monospace font the diagrams use.
const CH: f64 = 7.3;
const IF_H: f64 = 38.0;
const IF_PAD: f64 = 10.0;
const GAP: f64 = 14.0;
const NS_PAD: f64 = 14.0;
const NS_LABEL_H: f64 = 26.0;
const BR_H: f64 = 44.0;
const BR_TO_PORT: f64 = 28.0;
const TIER_GAP: f64 = 120.0;
const NS_GAP: f64 = 36.0;
const MARGIN: f64 = 16.0;

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// The centre point.
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// An interface's box and where its wire attaches.
#[derive(Debug, Clone, PartialEq)]
pub struct IfaceBox {
    /// The box.
    pub rect: Rect,
    /// Where the veth wire meets the box (middle of its top or bottom edge).
    pub anchor: (f64, f64),
    /// Whether the wire leaves downwards (top row) rather than upwards (bottom row).
    pub down: bool,
}

/// A namespace's box.
#[derive(Debug, Clone, PartialEq)]
pub struct NsBox {
    /// Its name (`""`: the initial namespace).
    pub name: String,
    /// The box.
    pub rect: Rect,
    /// Whether its label goes at the bottom (bottom row: the top edge holds the interfaces).
    pub label_below: bool,
}

/// A veth pair's wire: a cubic Bézier curve from one end's anchor to the other's.
#[derive(Debug, Clone, PartialEq)]
pub struct Wire {
    /// One end (the lower id).
    pub a: u64,
    /// The other end.
    pub b: u64,
    /// Start, first control point, second control point, end: `[x1, y1, .., x4, y4]`.
    pub curve: [f64; 8],
}

impl Wire {
    /// The SVG path: a straight line when the control points sit on the ends.
    pub fn path(&self) -> String {
        let c = &self.curve;
        if (c[0], c[1]) == (c[2], c[3]) && (c[4], c[5]) == (c[6], c[7]) {
            format!("M{} {} L{} {}", n(c[0]), n(c[1]), n(c[6]), n(c[7]))
        } else {
            let p: Vec<String> = c.iter().map(|v| n(*v)).collect();
            format!(
                "M{} {} C{} {} {} {} {} {}",
                p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
            )
        }
    }
}

/// The whole drawing's geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// Namespace boxes.
    pub namespaces: Vec<NsBox>,
    /// Interface boxes by link id (bridges excluded).
    pub ifaces: BTreeMap<u64, IfaceBox>,
    /// Bridge bodies by link id.
    pub bridges: BTreeMap<u64, Rect>,
    /// Veth wires between their ends' anchors.
    pub wires: Vec<Wire>,
}

/// The width of an interface box: room for its name and first address.
fn if_width(l: &Link) -> f64 {
    let chars = l.name.chars().count().max(
        l.addrs
            .first()
            .map_or(0, |a| a.chars().count() + addr_more(l).len()),
    );
    (chars as f64 * CH + 2.0 * IF_PAD).max(64.0)
}

/// `+N` when an interface has more addresses than the one shown.
pub fn addr_more(l: &Link) -> String {
    if l.addrs.len() > 1 {
        format!(" +{}", l.addrs.len() - 1)
    } else {
        String::new()
    }
}

fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Formats a coordinate for SVG (one decimal at most).
pub fn n(v: f64) -> String {
    fmt(v)
}

impl Layout {
    /// Lays out a topology.
    pub fn new(t: &Topology) -> Self {
        // Each namespace's drawn links and each bridge's drawn ports, in id order, found in
        // one pass: a look at every link per namespace made the layout quadratic.
        let mut by_ns: HashMap<&str, Vec<&Link>> = HashMap::new();
        let mut by_master: HashMap<u64, Vec<&Link>> = HashMap::new();
        let mut masters: HashSet<u64> = HashSet::new();
        for l in t.links.values() {
            if let Some(m) = l.master {
                masters.insert(m);
            }
            if l.drawn() {
                by_ns.entry(l.ns.as_str()).or_default().push(l);
                if let Some(m) = l.master {
                    by_master.entry(m).or_default().push(l);
                }
            }
        }
        let links_in = |ns: &str| by_ns.get(ns).into_iter().flatten().copied();
        let ports_of = |b: u64| by_master.get(&b).into_iter().flatten().copied();
        let mut first_at: HashMap<&str, usize> = HashMap::new();
        for (i, n) in t.namespaces.iter().enumerate() {
            first_at.entry(n.as_str()).or_insert(i);
        }
        let is_bridge = |l: &Link| l.kind == "bridge" || masters.contains(&l.id);
        let bridges: BTreeSet<u64> = t
            .links
            .values()
            .filter(|l| l.drawn() && is_bridge(l))
            .map(|l| l.id)
            .collect();
        let shown: Vec<&String> = t.namespaces.iter().collect();
        let has_bridge = |ns: &str| links_in(ns).any(|l| bridges.contains(&l.id));
        let mut top: Vec<&str> = shown
            .iter()
            .filter(|n| has_bridge(n))
            .map(|n| n.as_str())
            .collect();
        if top.is_empty() {
            // No bridge: the namespace with the most veths into others goes on top.
            let degree = |ns: &str| {
                links_in(ns)
                    .filter(|l| {
                        l.peer
                            .and_then(|p| t.links.get(&p))
                            .is_some_and(|p| p.ns != ns && p.drawn())
                    })
                    .count()
            };
            if let Some(best) = shown
                .iter()
                .map(|n| n.as_str())
                .filter(|n| degree(n) > 0 || links_in(n).next().is_some())
                .max_by_key(|n| (degree(n), std::cmp::Reverse(first_at.get(n).copied())))
            {
                top.push(best);
            }
        }
        let bottom: Vec<&str> = shown
            .iter()
            .map(|n| n.as_str())
            .filter(|n| !top.contains(n))
            .collect();

        let mut lay = Layout {
            width: 0.0,
            height: 0.0,
            namespaces: Vec::new(),
            ifaces: BTreeMap::new(),
            bridges: BTreeMap::new(),
            wires: Vec::new(),
        };

        // Top row.
        let row_h = if top.iter().any(|n| has_bridge(n)) {
            NS_LABEL_H + BR_H + BR_TO_PORT + IF_H + NS_PAD
        } else {
            NS_LABEL_H + IF_H + NS_PAD
        };
        let if_y = MARGIN + row_h - NS_PAD - IF_H;
        let mut x = MARGIN;
        for ns in &top {
            let x0 = x;
            x += NS_PAD;
            let mut in_groups = BTreeSet::new();
            for b in links_in(ns).filter(|l| bridges.contains(&l.id)) {
                let ports: Vec<&Link> = ports_of(b.id)
                    .filter(|p| p.ns == *ns && !bridges.contains(&p.id))
                    .collect();
                let ports_w: f64 = ports.iter().map(|p| if_width(p)).sum::<f64>()
                    + GAP * ports.len().saturating_sub(1) as f64;
                let label_w = (b.name.chars().count().max(
                    b.addrs
                        .first()
                        .map_or(0, |a| a.chars().count() + addr_more(b).len()),
                ) as f64)
                    * CH
                    + 2.0 * IF_PAD;
                let w = ports_w.max(label_w).max(90.0);
                lay.bridges.insert(
                    b.id,
                    Rect {
                        x,
                        y: MARGIN + NS_LABEL_H,
                        w,
                        h: BR_H,
                    },
                );
                let mut px = x + (w - ports_w) / 2.0;
                for p in ports {
                    let pw = if_width(p);
                    lay.put_iface(p.id, px, if_y, pw, true);
                    in_groups.insert(p.id);
                    px += pw + GAP;
                }
                x += w + GAP * 2.0;
            }
            for l in links_in(ns).filter(|l| !bridges.contains(&l.id) && !in_groups.contains(&l.id))
            {
                let w = if_width(l);
                lay.put_iface(l.id, x, if_y, w, true);
                x += w + GAP;
            }
            let inner = x - x0 - NS_PAD - GAP;
            let w = (inner.max(0.0) + 2.0 * NS_PAD).max(
                crate::viz::topo::ns_label(ns).chars().count() as f64 * CH + 2.0 * NS_PAD + 40.0,
            );
            lay.namespaces.push(NsBox {
                name: ns.to_string(),
                rect: Rect {
                    x: x0,
                    y: MARGIN,
                    w,
                    h: row_h,
                },
                label_below: false,
            });
            x = x0 + w + NS_GAP;
        }

        // Bottom row: each namespace under the interfaces its veths reach, in that order.
        let peer_x = |l: &Link, lay: &Layout| -> Option<f64> {
            let p = l.peer?;
            lay.ifaces.get(&p).map(|b| b.anchor.0)
        };
        let mut order: Vec<(f64, usize, &str)> = bottom
            .iter()
            .enumerate()
            .map(|(i, ns)| {
                let xs: Vec<f64> = links_in(ns).filter_map(|l| peer_x(l, &lay)).collect();
                let key = if xs.is_empty() {
                    f64::INFINITY
                } else {
                    xs.iter().sum::<f64>() / xs.len() as f64
                };
                (key, i, *ns)
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let y0 = if top.is_empty() {
            MARGIN
        } else {
            MARGIN + row_h + TIER_GAP
        };
        let bottom_h = NS_PAD + IF_H + 8.0 + NS_LABEL_H;
        let mut x = f64::NEG_INFINITY;
        for (_, _, ns) in order {
            let mut links: Vec<&Link> = links_in(ns).collect();
            links.sort_by(|a, b| {
                let ka = peer_x(a, &lay).unwrap_or(f64::INFINITY);
                let kb = peer_x(b, &lay).unwrap_or(f64::INFINITY);
                ka.total_cmp(&kb).then(a.id.cmp(&b.id))
            });
            let inner: f64 = links.iter().map(|l| if_width(l)).sum::<f64>()
                + GAP * links.len().saturating_sub(1) as f64;
            let w = (inner + 2.0 * NS_PAD)
                .max(crate::viz::topo::ns_label(ns).chars().count() as f64 * CH + 2.0 * NS_PAD)
                .max(90.0);
            // Each interface's offset in the box, then the box where they best meet their peers.
            let mut offs = Vec::new();
            let mut lx = (w - inner) / 2.0;
            for l in &links {
                let lw = if_width(l);
                offs.push((l.id, lx, lw));
                lx += lw + GAP;
            }
            let pulls: Vec<f64> = links
                .iter()
                .zip(&offs)
                .filter_map(|(l, (_, o, lw))| peer_x(l, &lay).map(|px| px - (o + lw / 2.0)))
                .collect();
            let want = if pulls.is_empty() {
                x
            } else {
                pulls.iter().sum::<f64>() / pulls.len() as f64
            };
            x = if x.is_finite() { x.max(want) } else { want };
            if !x.is_finite() {
                x = MARGIN;
            }
            for (id, o, lw) in offs {
                lay.put_iface(id, x + o, y0 + NS_PAD, lw, false);
            }
            lay.namespaces.push(NsBox {
                name: ns.to_string(),
                rect: Rect {
                    x,
                    y: y0,
                    w,
                    h: bottom_h,
                },
                label_below: true,
            });
            x += w + NS_GAP;
        }
        // A bottom row pulled left of the margin moves everything right.
        let left = lay
            .namespaces
            .iter()
            .map(|b| b.rect.x)
            .fold(MARGIN, f64::min);
        if left < MARGIN {
            lay.shift(MARGIN - left);
        }
        let top_right = lay
            .namespaces
            .iter()
            .filter(|b| !b.label_below)
            .map(|b| b.rect.x + b.rect.w)
            .fold(0.0, f64::max);
        let x = lay
            .namespaces
            .iter()
            .filter(|b| b.label_below)
            .map(|b| b.rect.x + b.rect.w)
            .fold(0.0, f64::max)
            + NS_GAP;
        let bottom_right = x - NS_GAP;
        lay.width = top_right.max(bottom_right).max(200.0) + MARGIN;
        lay.height = if bottom.is_empty() {
            MARGIN + row_h + MARGIN + 40.0
        } else {
            y0 + bottom_h + MARGIN
        };

        for (a, b) in t.wires() {
            let (Some(ia), Some(ib)) = (lay.ifaces.get(&a), lay.ifaces.get(&b)) else {
                continue;
            };
            let ((x1, y1), (x2, y2)) = (ia.anchor, ib.anchor);
            // Ends on the same row: bow the wire away from the boxes.
            let bow = match (ia.down, ib.down) {
                (true, true) => 46.0,
                (false, false) => -46.0,
                _ => 0.0,
            };
            lay.wires.push(Wire {
                a,
                b,
                curve: [x1, y1, x1, y1 + bow, x2, y2 + bow, x2, y2],
            });
        }
        // The same-row bows of the bottom row reach above it, of the top row below it.
        lay.height = lay.height.max(MARGIN + row_h + 60.0);
        lay
    }

    fn shift(&mut self, dx: f64) {
        for b in &mut self.namespaces {
            b.rect.x += dx;
        }
        for b in self.ifaces.values_mut() {
            b.rect.x += dx;
            b.anchor.0 += dx;
        }
        for b in self.bridges.values_mut() {
            b.x += dx;
        }
    }

    fn put_iface(&mut self, id: u64, x: f64, y: f64, w: f64, down: bool) {
        let rect = Rect { x, y, w, h: IF_H };
        let anchor = (x + w / 2.0, if down { y + IF_H } else { y });
        self.ifaces.insert(id, IfaceBox { rect, anchor, down });
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::viz::parse;

    #[test]
    fn bridge_on_top_hosts_below_their_ports() {
        let tr = parse::trace(crate::viz::topo::test::SMALL).unwrap();
        let t = Topology::from_events(&tr.events);
        let l = Layout::new(&t);
        assert_eq!(l.namespaces.len(), 2);
        assert_eq!(l.namespaces[0].name, "");
        assert!(l.namespaces[1].rect.y > l.namespaces[0].rect.y + l.namespaces[0].rect.h);
        assert!(l.bridges.contains_key(&1));
        let (p, v) = (&l.ifaces[&4], &l.ifaces[&3]);
        assert!(p.down && !v.down);
        // The host's interface sits right under the port it is wired to.
        assert!((p.anchor.0 - v.anchor.0).abs() < 1.0, "{p:?} {v:?}");
        assert_eq!(l.wires.len(), 1);
        assert!(l.wires[0].path().starts_with('M') && l.wires[0].path().contains(" L"));
        // Boxes stay inside the drawing.
        for b in l.ifaces.values() {
            assert!(b.rect.x + b.rect.w <= l.width && b.rect.y + b.rect.h <= l.height);
        }
    }
}
