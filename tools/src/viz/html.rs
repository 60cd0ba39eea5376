//! The viewer: one self-contained HTML page (no network, no external assets) holding the
//! topology drawing, the replayed trace (each event's description, narration, frame hop and
//! table ops, plus checkpoints) as JSON, and the script that steps through it.
//!
//! The events are written in chunks of [`CHUNK`], each in a `<script type="application/json">`
//! element of its own, and each checkpoint in one too: the page parses only the head when it
//! loads, then a chunk or a checkpoint when a step needs it, so a trace of a million events
//! opens as fast as a small one and holds only the chunks in use.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::layout::Layout;
use std::io::Write;

use super::parse::{Event, Header, Kind, LinkRef, Source, Trace};
use super::replay::{Replayer, Step, Tables, CHECKPOINT_EVERY};
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

/// Writes how one event is shown: its time, type, description and narration, the frame's
/// hop, the table ops, and what it is about (`{"t":..,"y":..,"d":..}`, absent keys left out).
fn write_event(buf: &mut Vec<u8>, ev: &Event, st: &Step) -> serde_json::Result<()> {
    fn put(buf: &mut Vec<u8>, key: &str, v: &impl serde::Serialize) -> serde_json::Result<()> {
        buf.extend_from_slice(b",\"");
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\":");
        serde_json::to_writer(&mut *buf, v)
    }
    buf.extend_from_slice(b"{\"t\":");
    serde_json::to_writer(&mut *buf, &ev.t)?;
    put(buf, "y", &ev.ty)?;
    put(buf, "d", &describe(ev))?;
    if let Some(say) = &ev.say {
        put(buf, "s", say)?;
    }
    if let Some(f) = ev.frame {
        put(buf, "f", &f)?;
    }
    let hop = st.hop.to_json();
    if !hop.is_null() {
        put(buf, "h", &hop)?;
    }
    for (i, op) in st.ops.iter().enumerate() {
        buf.extend_from_slice(if i == 0 { b",\"o\":[" } else { b"," });
        serde_json::to_writer(&mut *buf, &op.to_json())?;
    }
    if !st.ops.is_empty() {
        buf.push(b']');
    }
    if let Some(p) = st.prev_of_frame {
        put(buf, "p", &p)?;
    }
    if let Some(b) = st.bridge {
        put(buf, "b", &b)?;
    }
    if let Some(ns) = &st.ns {
        put(buf, "n", ns)?;
    }
    buf.push(b'}');
    Ok(())
}

/// How many events each `<script>` element of the page holds.
pub const CHUNK: usize = 1024;

/// The page's data before the events and checkpoints (which follow it in elements of their
/// own, written as they are replayed): title, clock, how many events and of which types,
/// what each chunk holds, checkpoint positions, topology names and geometry.
fn head(title: &str, header: &Header, lay: &Layout, plan: &Plan) -> Value {
    let topo = &plan.topo;
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
    let bridges: BTreeMap<String, Vec<u64>> = lay
        .bridges
        .keys()
        .map(|b| (b.to_string(), topo.ports_of(*b).map(|p| p.id).collect()))
        .collect();
    json!({
        "title": title,
        "clock": header.clock,
        "seed": header.seed,
        "every": CHECKPOINT_EVERY,
        "n": plan.events,
        "chunk": CHUNK,
        "types": plan.types,
        "chunks": plan.chunks,
        "firstFrame": plan.first_frame,
        "cpAt": plan.cp_at,
        "ns": topo.namespaces,
        "links": links,
        "bridges": bridges,
        "geo": {"i": geo_i, "b": geo_b, "w": wires},
    })
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// What a first pass over a trace learns before anything is written: the topology (the
/// drawing and the head of the data come before the events) and where the checkpoints
/// fall (their positions come before the events too).
#[derive(Debug, Clone)]
pub struct Plan {
    /// Every namespace and interface the trace mentions.
    pub topo: Topology,
    /// The event counts the checkpoints are taken at, the first 0.
    pub cp_at: Vec<usize>,
    /// How many events the trace holds.
    pub events: usize,
    /// How many events of each type.
    pub types: BTreeMap<String, usize>,
    /// What each chunk of [`CHUNK`] events holds: a search skips the chunks that cannot
    /// match without parsing them.
    pub chunks: Vec<Chunk>,
    /// The first event that is part of a frame's journey, where the page opens by default.
    pub first_frame: Option<usize>,
}

/// What one chunk of the page's events holds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Chunk {
    /// The event types in it.
    pub types: std::collections::BTreeSet<String>,
    /// Whether an event in it is narrated.
    pub said: bool,
}

impl Plan {
    /// Reads the trace once.
    pub fn new(src: &dyn Source) -> anyhow::Result<Self> {
        let mut topo = Topology::default();
        let mut r = Replayer::default();
        let mut cp_at = vec![0];
        let mut n = 0;
        let mut types = BTreeMap::<String, usize>::new();
        let mut chunks: Vec<Chunk> = Vec::new();
        let mut first_frame = None;
        src.each(&mut |ev| {
            topo.add(ev);
            if n % CHUNK == 0 {
                chunks.push(Chunk::default());
            }
            match types.get_mut(&ev.ty) {
                Some(c) => *c += 1,
                None => {
                    types.insert(ev.ty.clone(), 1);
                }
            }
            if let Some(c) = chunks.last_mut() {
                if !c.types.contains(&ev.ty) {
                    c.types.insert(ev.ty.clone());
                }
                c.said |= ev.say.is_some();
            }
            if ev.frame.is_some() && first_frame.is_none() {
                first_frame = Some(n);
            }
            n += 1;
            if r.step(ev).1 {
                cp_at.push(n);
            }
            Ok(())
        })?;
        topo.finish();
        Ok(Plan {
            topo,
            cp_at,
            events: n,
            types,
            chunks,
            first_frame,
        })
    }
}

/// Writes what it is given with the JSON made safe inside a `<script>` element: `</` cannot
/// close it (`<\/`), and the line separators that old parsers choke on are escaped. The
/// bytes of U+2028 and U+2029 may arrive in separate writes, so a partial one is held back.
struct ScriptSafe<W: Write> {
    w: W,
    /// The last byte passed on was `<`.
    lt: bool,
    /// The start of a possible U+2028/U+2029 (E2, or E2 80), not yet passed on.
    held: Vec<u8>,
}

impl<W: Write> ScriptSafe<W> {
    fn new(w: W) -> Self {
        ScriptSafe {
            w,
            lt: false,
            held: Vec::with_capacity(2),
        }
    }

    /// Passes on what is held; nothing can complete it any more.
    fn finish(mut self) -> std::io::Result<W> {
        self.w.write_all(&self.held)?;
        Ok(self.w)
    }
}

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut from = 0;
        for (i, &b) in buf.iter().enumerate() {
            if !self.held.is_empty() {
                match (self.held.len(), b) {
                    (1, 0x80) => {
                        self.held.push(b);
                        from = i + 1;
                        continue;
                    }
                    (2, 0xa8 | 0xa9) => {
                        self.w
                            .write_all(if b == 0xa8 { b"\\u2028" } else { b"\\u2029" })?;
                        self.held.clear();
                        self.lt = false;
                        from = i + 1;
                        continue;
                    }
                    _ => {
                        self.w.write_all(&self.held)?;
                        self.held.clear();
                        from = i;
                    }
                }
            }
            if b == 0xe2 {
                self.w.write_all(&buf[from..i])?;
                self.held.push(b);
                from = i + 1;
            } else if b == b'/' && self.lt {
                self.w.write_all(&buf[from..i])?;
                self.w.write_all(b"\\")?;
                from = i;
            }
            self.lt = b == b'<';
        }
        self.w.write_all(&buf[from..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// Writes a checkpoint: the tables as ops from empty, made in `buf` a few thousand ops at a
/// time (the escaping is cheaper on big pieces).
fn write_checkpoint(w: &mut impl Write, t: &Tables, buf: &mut Vec<u8>) -> anyhow::Result<()> {
    buf.clear();
    buf.push(b'[');
    let mut first = true;
    t.each_op(&mut |op| {
        if !std::mem::take(&mut first) {
            buf.push(b',');
        }
        serde_json::to_writer(&mut *buf, &op.to_json())?;
        if buf.len() >= 1 << 16 {
            w.write_all(buf)?;
            buf.clear();
        }
        Ok::<(), anyhow::Error>(())
    })?;
    buf.push(b']');
    w.write_all(buf)?;
    Ok(())
}

/// Writes the page's head: everything but the events and the checkpoints, as JSON made safe
/// for its `<script>` element.
fn write_head<W: Write>(
    w: &mut W,
    title: &str,
    src: &dyn Source,
    plan: &Plan,
    lay: &Layout,
) -> anyhow::Result<()> {
    let mut js = ScriptSafe::new(&mut *w);
    serde_json::to_writer(&mut js, &head(title, src.header(), lay, plan))?;
    js.finish()?;
    Ok(())
}

/// Opens a `<script>` element of JSON data with the given id; what goes in it goes through
/// [`ScriptSafe`].
fn open_script<W: Write>(w: &mut W, id: &str) -> std::io::Result<()> {
    write!(w, "<script type=\"application/json\" id=\"{id}\">")
}

/// Writes the events, [`CHUNK`] to an element (`ev-0`, `ev-1`, ...), each as it is replayed.
fn write_events<W: Write>(w: &mut W, src: &dyn Source, plan: &Plan) -> anyhow::Result<()> {
    let mut r = Replayer::default();
    let mut n = 0;
    // Each event is made in one buffer, so that the escaping sees it in one piece.
    let mut buf = Vec::new();
    src.each(&mut |ev| {
        buf.clear();
        if n % CHUNK == 0 {
            if n > 0 {
                w.write_all(b"]</script>\n")?;
            }
            open_script(w, &format!("ev-{}", n / CHUNK))?;
            buf.push(b'[');
        } else {
            buf.push(b',');
        }
        write_event(&mut buf, ev, &r.step(ev).0)?;
        let mut js = ScriptSafe::new(&mut *w);
        js.write_all(&buf)?;
        js.finish()?;
        n += 1;
        Ok(())
    })?;
    if n > 0 {
        w.write_all(b"]</script>\n")?;
    }
    if n != plan.events {
        anyhow::bail!("the trace changed while it was read");
    }
    Ok(())
}

/// Writes each checkpoint in an element of its own (`cp-0`, `cp-1`, ...) as a replay of the
/// trace reaches it.
fn write_checkpoints<W: Write>(w: &mut W, src: &dyn Source, plan: &Plan) -> anyhow::Result<()> {
    let mut r = Replayer::default();
    let mut buf = Vec::new();
    let mut put = |w: &mut W, t: &Tables, k: usize| -> anyhow::Result<()> {
        open_script(w, &format!("cp-{k}"))?;
        let mut js = ScriptSafe::new(&mut *w);
        write_checkpoint(&mut js, t, &mut buf)?;
        js.finish()?;
        w.write_all(b"</script>\n")?;
        Ok(())
    };
    put(w, r.tables(), 0)?;
    let mut cps = 1;
    src.each(&mut |ev| {
        if r.step(ev).1 {
            put(w, r.tables(), cps)?;
            cps += 1;
        }
        Ok(())
    })?;
    if cps != plan.cp_at.len() {
        anyhow::bail!("the trace changed while it was read");
    }
    Ok(())
}

/// What writes one part of the page.
type Part<'a, W> = dyn FnMut(&mut W) -> anyhow::Result<()> + 'a;

/// Copies a template to `w`, with every marker replaced by what its part writes, in one
/// pass over the template (so text from the trace can never be taken for a marker).
fn fill_to<W: Write>(
    w: &mut W,
    template: &str,
    parts: &mut [(&str, &mut Part<'_, W>)],
) -> anyhow::Result<()> {
    let mut rest = template;
    loop {
        let next = parts
            .iter()
            .enumerate()
            .filter_map(|(j, (k, _))| rest.find(k).map(|i| (i, j)))
            .min();
        match next {
            Some((i, j)) => {
                w.write_all(&rest.as_bytes()[..i])?;
                let (k, part) = &mut parts[j];
                rest = &rest[i + k.len()..];
                part(w)?;
            }
            None => {
                w.write_all(rest.as_bytes())?;
                return Ok(());
            }
        }
    }
}

/// Writes the whole page for a trace, reading its events twice more after the plan's pass.
pub fn write_page<W: Write>(
    title: &str,
    src: &dyn Source,
    plan: &Plan,
    mut w: W,
) -> anyhow::Result<W> {
    let lay = Layout::new(&plan.topo);
    let drawing = svg::render(&plan.topo, &lay);
    let title_html = svg::esc(title);
    let text = |s: &str| {
        let s = s.to_string();
        move |w: &mut W| -> anyhow::Result<()> { Ok(w.write_all(s.as_bytes())?) }
    };
    fill_to(
        &mut w,
        TEMPLATE,
        &mut [
            ("<!--TITLE-->", &mut text(&title_html)),
            ("/*CSS*/", &mut text(CSS)),
            ("<!--SVG-->", &mut text(&drawing)),
            ("/*DATA*/", &mut |w: &mut W| {
                write_head(w, title, src, plan, &lay)
            }),
            // The events' tables go before the checkpoints' are built: one copy at a time.
            ("<!--EVENTS-->", &mut |w: &mut W| write_events(w, src, plan)),
            ("<!--CHECKPOINTS-->", &mut |w: &mut W| {
                write_checkpoints(w, src, plan)
            }),
            ("/*JS*/", &mut text(JS)),
        ],
    )?;
    Ok(w)
}

/// The whole page for a trace held in memory.
pub fn page(title: &str, tr: &Trace) -> String {
    // Neither step can fail: the events are parsed already and a Vec takes every write.
    let bytes = Plan::new(tr)
        .and_then(|plan| write_page(title, tr, &plan, Vec::new()))
        .unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
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
        // The head, one chunk of events, one checkpoint and the script: the data cannot
        // close its element.
        assert_eq!(p.matches("<script").count(), 4);
        assert_eq!(
            p.matches("</script>").count(),
            4,
            "the data cannot close its script"
        );
        assert!(p.contains("<script type=\"application/json\" id=\"ev-0\">[{"));
        assert!(p.contains("<script type=\"application/json\" id=\"cp-0\">["));
    }

    /// A trace of one bridge learning `n` MACs, as bench/viz-macs.sh makes it.
    fn macs(n: usize) -> Trace {
        let mut text = String::from(r#"{"type":"header","schema":"l2lab-trace","version":1}"#);
        for i in 0..n {
            let p = 2 + i % 4;
            text.push_str(&format!(
                "\n{{\"t\":{i},\"type\":\"learned\",\"bridge\":{{\"id\":1}},\"mac\":\"02:00:00:{:02x}:{:02x}:{:02x}\",\"port\":{{\"id\":{p}}}}}",
                i >> 16,
                (i >> 8) & 255,
                i & 255
            ));
        }
        parse::trace(&text).unwrap()
    }

    #[test]
    fn the_page_grows_with_the_macs_not_their_square() {
        let rows = |p: &str| p.matches("[\"f\",").count();
        let (one, two) = (page("m", &macs(4096)), page("m", &macs(8192)));
        let fixed = page("m", &macs(0)).len();
        // A checkpoint every 256 events made these 36,864 and 139,264 rows.
        assert!(
            rows(&two) * 10 <= rows(&one) * 22,
            "{} rows, then {}",
            rows(&one),
            rows(&two)
        );
        assert!((two.len() - fixed) * 10 <= (one.len() - fixed) * 22);
        assert!(rows(&one) >= 4096);
    }

    #[test]
    fn fill_is_one_pass() {
        let mut out = Vec::new();
        fill_to(
            &mut out,
            "a<!--X-->b/*Y*/c",
            &mut [
                (
                    "<!--X-->",
                    &mut |w: &mut Vec<u8>| Ok(w.write_all(b"/*Y*/")?),
                ),
                ("/*Y*/", &mut |w: &mut Vec<u8>| Ok(w.write_all(b"y")?)),
            ],
        )
        .unwrap();
        assert_eq!(out, b"a/*Y*/byc");
    }

    #[test]
    fn script_json_is_escaped_across_writes() {
        let text = "a</b \u{2028} \u{2029} \u{e2}\u{20ac}\u{2014}<<//";
        let want = "a<\\/b \\u2028 \\u2029 \u{e2}\u{20ac}\u{2014}<<\\//";
        let bytes = text.as_bytes();
        // Every split into two writes gives the same bytes.
        for cut in 0..=bytes.len() {
            let mut js = ScriptSafe::new(Vec::new());
            js.write_all(&bytes[..cut]).unwrap();
            js.write_all(&bytes[cut..]).unwrap();
            assert_eq!(
                String::from_utf8(js.finish().unwrap()).unwrap(),
                want,
                "{cut}"
            );
        }
        let mut one = ScriptSafe::new(Vec::new());
        for b in bytes {
            one.write_all(&[*b]).unwrap();
        }
        assert_eq!(one.finish().unwrap(), want.as_bytes());
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
