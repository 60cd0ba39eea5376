//! Reading a trace (docs/trace.md, schema version 1) into typed events. A malformed line is an
//! error naming its line number; fields and event types this reader does not know are ignored,
//! as the schema asks.

use std::fmt;

use serde_json::{Map, Value};

/// The trace version this reader understands.
pub const VERSION: u64 = 1;

/// A reading error: the line (1-based) and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The 1-based line number in the trace file.
    pub line: usize,
    /// What was wrong.
    pub what: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

impl std::error::Error for ParseError {}

/// A whole trace: its header and its events, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The header line.
    pub header: Header,
    /// Every event after the header.
    pub events: Vec<Event>,
}

/// The first line: what wrote the trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The seed of the run, when given.
    pub seed: Option<u64>,
    /// `virtual` or `real`.
    pub clock: String,
}

/// A link as the trace names it: its stable id, and its name and namespace when it existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// The id, stable for the interface's life.
    pub id: u64,
    /// Its name at the time of the event.
    pub name: Option<String>,
    /// Its namespace at the time of the event (`""` is the initial one).
    pub ns: Option<String>,
}

impl LinkRef {
    /// The name, or `ifN` for a link that no longer existed.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("if{}", self.id))
    }
}

/// One event: when, which frame journey it belongs to, its narration, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The 1-based line number in the file.
    pub line: usize,
    /// Lab time in seconds.
    pub t: f64,
    /// The `type` field as written.
    pub ty: String,
    /// The frame journey number, on frame events.
    pub frame: Option<u64>,
    /// The narration sentence.
    pub say: Option<String>,
    /// What happened.
    pub kind: Kind,
}

/// What an event says happened (docs/trace.md).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Kind {
    NetnsAdded {
        name: String,
    },
    NetnsDeleted {
        name: String,
    },
    LinkAdded {
        link: u64,
        name: String,
        ns: String,
        kind: String,
        peer: Option<u64>,
    },
    LinkDeleted {
        link: u64,
        name: String,
        ns: String,
    },
    LinkAdmin {
        link: LinkRef,
        up: bool,
    },
    Carrier {
        link: LinkRef,
        up: bool,
    },
    Master {
        link: LinkRef,
        bridge: Option<LinkRef>,
    },
    PortState {
        bridge: LinkRef,
        port: LinkRef,
        /// The kernel's name for the new state (`forwarding`, `blocking`, ...).
        state: String,
    },
    /// A BPDU taken in by the bridge's STP, which does not forward it.
    BpduReceived {
        bridge: LinkRef,
        port: LinkRef,
    },
    /// A change in a bridge's spanning tree (its sentence says which and why).
    Stp {
        bridge: LinkRef,
    },
    LinkMoved {
        link: LinkRef,
        from: String,
        to: String,
    },
    LinkRenamed {
        link: u64,
        name: String,
    },
    Addr {
        link: LinkRef,
        addr: String,
        added: bool,
    },
    Route {
        ns: String,
        route: String,
        added: bool,
    },
    Sent {
        link: LinkRef,
        len: u64,
        src: Option<String>,
        dst: Option<String>,
        summary: String,
    },
    Crossed {
        from: LinkRef,
        to: LinkRef,
    },
    Entered {
        bridge: LinkRef,
        port: LinkRef,
    },
    Learned {
        bridge: LinkRef,
        mac: String,
        port: LinkRef,
    },
    Refreshed {
        bridge: LinkRef,
        mac: String,
        port: LinkRef,
    },
    Moved {
        bridge: LinkRef,
        mac: String,
        from: LinkRef,
        to: LinkRef,
    },
    Evicted {
        bridge: LinkRef,
        mac: String,
        port: LinkRef,
    },
    AgedOut {
        bridge: LinkRef,
        mac: String,
        port: LinkRef,
        age_s: f64,
        /// The bridge's ageing time (absent from older traces).
        ageing_s: Option<f64>,
    },
    Forwarded {
        bridge: LinkRef,
        mac: String,
        port: LinkRef,
    },
    Flooded {
        bridge: LinkRef,
        mac: String,
        ports: Vec<LinkRef>,
    },
    DeliveredLocal {
        bridge: LinkRef,
        /// Only because the bridge is promiscuous (absent from older traces: false).
        promisc: bool,
    },
    Received {
        link: LinkRef,
    },
    Dropped {
        link: LinkRef,
        reason: String,
    },
    Neigh {
        ns: String,
        dev: LinkRef,
        ip: String,
        mac: Option<String>,
        from: Option<String>,
        to: Option<String>,
    },
    PingSent {
        ping: u64,
        seq: u64,
    },
    PingAnswered {
        ping: u64,
        seq: u64,
        rtt_ms: f64,
    },
    PingFailed {
        ping: u64,
        seq: u64,
        why: String,
    },
    /// A type this reader does not know (a newer writer): shown, never interpreted.
    Other,
}

/// Field access on one event object, with errors that say which field of which event.
struct Obj<'a> {
    m: &'a Map<String, Value>,
    ty: &'a str,
}

impl<'a> Obj<'a> {
    fn err(&self, field: &str, want: &str) -> String {
        match self.m.get(field) {
            None => format!("`{}` event has no `{field}`", self.ty),
            Some(v) => format!("`{}` event: `{field}` is not {want}: {v}", self.ty),
        }
    }

    fn str(&self, field: &str) -> Result<String, String> {
        self.m
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.err(field, "a string"))
    }

    fn opt_str(&self, field: &str) -> Result<Option<String>, String> {
        match self.m.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(field, "a string or null")),
        }
    }

    fn u64(&self, field: &str) -> Result<u64, String> {
        self.m
            .get(field)
            .and_then(Value::as_u64)
            .ok_or_else(|| self.err(field, "a whole number"))
    }

    fn f64(&self, field: &str) -> Result<f64, String> {
        self.m
            .get(field)
            .and_then(Value::as_f64)
            .ok_or_else(|| self.err(field, "a number"))
    }

    fn bool(&self, field: &str) -> Result<bool, String> {
        self.m
            .get(field)
            .and_then(Value::as_bool)
            .ok_or_else(|| self.err(field, "true or false"))
    }

    fn link_of(&self, field: &str, v: &Value) -> Result<LinkRef, String> {
        let want = "a link ({\"id\": N, ...})";
        let m = v.as_object().ok_or_else(|| self.err(field, want))?;
        let id = m
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| self.err(field, want))?;
        let s = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(LinkRef {
            id,
            name: s("name"),
            ns: s("ns"),
        })
    }

    fn link(&self, field: &str) -> Result<LinkRef, String> {
        let v = self.m.get(field).ok_or_else(|| self.err(field, ""))?;
        self.link_of(field, v)
    }

    fn opt_link(&self, field: &str) -> Result<Option<LinkRef>, String> {
        match self.m.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.link_of(field, v).map(Some),
        }
    }

    fn links(&self, field: &str) -> Result<Vec<LinkRef>, String> {
        let a = self
            .m
            .get(field)
            .and_then(Value::as_array)
            .ok_or_else(|| self.err(field, "a list of links"))?;
        a.iter().map(|v| self.link_of(field, v)).collect()
    }
}

fn kind(o: &Obj) -> Result<Kind, String> {
    Ok(match o.ty {
        "netns_added" => Kind::NetnsAdded {
            name: o.str("name")?,
        },
        "netns_deleted" => Kind::NetnsDeleted {
            name: o.str("name")?,
        },
        "link_added" => Kind::LinkAdded {
            link: o.u64("link")?,
            name: o.str("name")?,
            ns: o.str("ns")?,
            kind: o.str("kind")?,
            peer: match o.m.get("peer") {
                None | Some(Value::Null) => None,
                Some(_) => Some(o.u64("peer")?),
            },
        },
        "link_deleted" => Kind::LinkDeleted {
            link: o.u64("link")?,
            name: o.opt_str("name")?.unwrap_or_default(),
            ns: o.opt_str("ns")?.unwrap_or_default(),
        },
        "link_up" | "link_down" => Kind::LinkAdmin {
            link: o.link("link")?,
            up: o.ty == "link_up",
        },
        "carrier" => Kind::Carrier {
            link: o.link("link")?,
            up: o.bool("up")?,
        },
        "master" => Kind::Master {
            link: o.link("link")?,
            bridge: o.opt_link("bridge")?,
        },
        "port_state" => Kind::PortState {
            bridge: o.link("bridge")?,
            port: o.link("port")?,
            state: o.str("state")?,
        },
        "bpdu_received" => Kind::BpduReceived {
            bridge: o.link("bridge")?,
            port: o.link("port")?,
        },
        "stp" => Kind::Stp {
            bridge: o.link("bridge")?,
        },
        "link_moved" => Kind::LinkMoved {
            link: o.link("link")?,
            from: o.str("from")?,
            to: o.str("to")?,
        },
        "link_renamed" => Kind::LinkRenamed {
            link: o.u64("link")?,
            name: o.str("name")?,
        },
        "addr_added" | "addr_removed" => Kind::Addr {
            link: o.link("link")?,
            addr: o.str("addr")?,
            added: o.ty == "addr_added",
        },
        "route_added" | "route_removed" => Kind::Route {
            ns: o.str("ns")?,
            route: o.str("route")?,
            added: o.ty == "route_added",
        },
        "sent" => Kind::Sent {
            link: o.link("link")?,
            len: o.u64("len")?,
            src: o.opt_str("src")?,
            dst: o.opt_str("dst")?,
            summary: o.opt_str("summary")?.unwrap_or_default(),
        },
        "crossed" => Kind::Crossed {
            from: o.link("from")?,
            to: o.link("to")?,
        },
        "entered" => Kind::Entered {
            bridge: o.link("bridge")?,
            port: o.link("port")?,
        },
        "learned" => Kind::Learned {
            bridge: o.link("bridge")?,
            mac: o.str("mac")?,
            port: o.link("port")?,
        },
        "refreshed" => Kind::Refreshed {
            bridge: o.link("bridge")?,
            mac: o.str("mac")?,
            port: o.link("port")?,
        },
        "moved" => Kind::Moved {
            bridge: o.link("bridge")?,
            mac: o.str("mac")?,
            from: o.link("from")?,
            to: o.link("to")?,
        },
        "evicted" => Kind::Evicted {
            bridge: o.link("bridge")?,
            mac: o.str("mac")?,
            port: o.link("port")?,
        },
        "aged_out" => Kind::AgedOut {
            bridge: o.link("bridge")?,
            mac: o.str("mac")?,
            port: o.link("port")?,
            age_s: o.f64("age_s")?,
            ageing_s: o.f64("ageing_s").ok(),
        },
        "forwarded" => Kind::Forwarded {
            bridge: o.link("bridge")?,
            mac: o.str("mac")?,
            port: o.link("port")?,
        },
        "flooded" => Kind::Flooded {
            bridge: o.link("bridge")?,
            mac: o.str("mac")?,
            ports: o.links("ports")?,
        },
        "delivered_local" => Kind::DeliveredLocal {
            bridge: o.link("bridge")?,
            promisc: o.bool("promisc").unwrap_or(false),
        },
        "received" => Kind::Received {
            link: o.link("link")?,
        },
        "dropped" => Kind::Dropped {
            link: o.link("link")?,
            reason: o.opt_str("reason")?.unwrap_or_default(),
        },
        "neigh" => Kind::Neigh {
            ns: o.str("ns")?,
            dev: o.link("dev")?,
            ip: o.str("ip")?,
            mac: o.opt_str("mac")?,
            from: o.opt_str("from")?,
            to: o.opt_str("to")?,
        },
        "ping_sent" => Kind::PingSent {
            ping: o.u64("ping")?,
            seq: o.u64("seq")?,
        },
        "ping_answered" => Kind::PingAnswered {
            ping: o.u64("ping")?,
            seq: o.u64("seq")?,
            rtt_ms: o.f64("rtt_ms")?,
        },
        "ping_failed" => Kind::PingFailed {
            ping: o.u64("ping")?,
            seq: o.u64("seq")?,
            why: o.opt_str("why")?.unwrap_or_default(),
        },
        _ => Kind::Other,
    })
}

fn header(v: &Value) -> Result<Header, String> {
    let m = v
        .as_object()
        .ok_or("the first line is not a JSON object (a trace starts with its header)")?;
    if m.get("type").and_then(Value::as_str) != Some("header")
        || m.get("schema").and_then(Value::as_str) != Some("l2lab-trace")
    {
        return Err("not an l2lab trace: the first line should be \
                    {\"type\":\"header\",\"schema\":\"l2lab-trace\",...}"
            .into());
    }
    match m.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "trace version {v}, but this l2lab reads version {VERSION}"
            ))
        }
        None => return Err("the header has no `version`".into()),
    }
    Ok(Header {
        seed: m.get("seed").and_then(Value::as_u64),
        clock: m
            .get("clock")
            .and_then(Value::as_str)
            .unwrap_or("virtual")
            .to_string(),
    })
}

/// Parses one event line (already known not to be the header).
pub fn event(line: usize, text: &str) -> Result<Event, ParseError> {
    let err = |what: String| ParseError { line, what };
    let v: Value = serde_json::from_str(text).map_err(|e| err(format!("not JSON: {e}")))?;
    let m = v
        .as_object()
        .ok_or_else(|| err("not a JSON object".into()))?;
    let ty = m
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| err("the event has no `type`".into()))?;
    let o = Obj { m, ty };
    let t = o.f64("t").map_err(err)?;
    let frame = m.get("frame").and_then(Value::as_u64);
    let say = m.get("say").and_then(Value::as_str).map(str::to_string);
    let kind = kind(&o).map_err(err)?;
    Ok(Event {
        line,
        t,
        ty: ty.to_string(),
        frame,
        say,
        kind,
    })
}

/// Parses a whole trace; blank lines are skipped.
pub fn trace(text: &str) -> Result<Trace, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let (n, first) = lines.next().ok_or(ParseError {
        line: 1,
        what: "empty trace: no header line".into(),
    })?;
    let v: Value = serde_json::from_str(first).map_err(|e| ParseError {
        line: n,
        what: format!("not JSON: {e}"),
    })?;
    let header = header(&v).map_err(|what| ParseError { line: n, what })?;
    let events = lines
        .map(|(n, l)| event(n, l))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Trace { header, events })
}

/// Where a trace's events come from. The viewer reads them once per pass and keeps none, so
/// that its memory follows the tables, not the trace.
pub trait Source {
    /// The header line.
    fn header(&self) -> &Header;
    /// Calls `f` with every event, in file order; stops at the first error.
    fn each(&self, f: &mut dyn FnMut(&Event) -> anyhow::Result<()>) -> anyhow::Result<()>;
}

impl Source for Trace {
    fn header(&self) -> &Header {
        &self.header
    }

    fn each(&self, f: &mut dyn FnMut(&Event) -> anyhow::Result<()>) -> anyhow::Result<()> {
        self.events.iter().try_for_each(f)
    }
}

/// A trace file read a line at a time, again for each pass. A pipe or other stream cannot be
/// read twice, so it is read into memory once.
pub struct TraceFile {
    path: std::path::PathBuf,
    header: Header,
    /// The whole text, when the trace is not a regular file.
    text: Option<String>,
    /// The events the first pass counted: later passes read no further (a trace still being
    /// written grows between passes), and fewer means the file changed under us.
    events: std::cell::Cell<Option<usize>>,
}

/// Calls `f` with each non-blank line of a trace (1-based number, trimmed text), the header
/// line included.
fn each_line(
    text: Option<&str>,
    path: &std::path::Path,
    f: &mut dyn FnMut(usize, &str) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::BufRead;
    if let Some(text) = text {
        for (i, l) in text.lines().enumerate() {
            let l = l.trim();
            if !l.is_empty() && !f(i + 1, l)? {
                break;
            }
        }
        return Ok(());
    }
    let cannot = || format!("cannot read {}", path.display());
    let file = std::fs::File::open(path).with_context(cannot)?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, file);
    let mut buf = String::new();
    let mut n = 0;
    loop {
        buf.clear();
        if r.read_line(&mut buf).with_context(cannot)? == 0 {
            return Ok(());
        }
        n += 1;
        let l = buf.trim();
        if !l.is_empty() && !f(n, l)? {
            return Ok(());
        }
    }
}

impl TraceFile {
    /// Opens a trace and reads its header; errors name the file (and line).
    pub fn open(path: &std::path::Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let regular = std::fs::metadata(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .is_file();
        let text = if regular {
            None
        } else {
            Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
            )
        };
        let mut header = None;
        each_line(text.as_deref(), path, &mut |n, l| {
            let v = serde_json::from_str::<Value>(l).map_err(|e| ParseError {
                line: n,
                what: format!("not JSON: {e}"),
            });
            let h = v.and_then(|v| self::header(&v).map_err(|what| ParseError { line: n, what }));
            header = Some(h.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?);
            Ok(false)
        })?;
        let header = header.ok_or_else(|| {
            anyhow::anyhow!(
                "{}: {}",
                path.display(),
                ParseError {
                    line: 1,
                    what: "empty trace: no header line".into(),
                }
            )
        })?;
        Ok(TraceFile {
            path: path.to_path_buf(),
            header,
            text,
            events: std::cell::Cell::new(None),
        })
    }
}

impl Source for TraceFile {
    fn header(&self) -> &Header {
        &self.header
    }

    fn each(&self, f: &mut dyn FnMut(&Event) -> anyhow::Result<()>) -> anyhow::Result<()> {
        let path = &self.path;
        let limit = self.events.get();
        let mut seen = 0usize;
        let mut first = true;
        each_line(self.text.as_deref(), path, &mut |n, l| {
            if std::mem::take(&mut first) {
                return Ok(true);
            }
            if limit.is_some_and(|k| seen >= k) {
                return Ok(false);
            }
            let ev = event(n, l).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            seen += 1;
            f(&ev)?;
            Ok(true)
        })?;
        match limit {
            Some(k) if seen < k => anyhow::bail!(
                "{}: the trace changed while it was read ({k} events, then {seen})",
                path.display()
            ),
            Some(_) => {}
            None => self.events.set(Some(seen)),
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const HEAD: &str = r#"{"type":"header","schema":"l2lab-trace","version":1,"seed":1,"clock":"virtual","epoch_us":1767225600000000}"#;

    #[test]
    fn reads_the_documented_example() {
        let text = format!(
            "{HEAD}\n{}\n{}\n",
            r#"{"t":0.0,"type":"entered","bridge":{"id":1,"name":"br0","ns":""},"port":{"id":9,"name":"p1","ns":""},"frame":1}"#,
            r#"{"t":0.5,"type":"flooded","bridge":{"id":1,"name":"br0","ns":""},"mac":"ff:ff:ff:ff:ff:ff","ports":[{"id":11,"name":"p2","ns":""},{"id":13}],"frame":1,"say":"br0: broadcast, flooded to p2 p3"}"#,
        );
        let tr = trace(&text).unwrap();
        assert_eq!(tr.header.seed, Some(1));
        assert_eq!(tr.events.len(), 2);
        let ev = &tr.events[1];
        assert_eq!((ev.line, ev.t, ev.frame), (3, 0.5, Some(1)));
        assert_eq!(ev.say.as_deref(), Some("br0: broadcast, flooded to p2 p3"));
        let Kind::Flooded { ports, .. } = &ev.kind else {
            panic!("{ev:?}")
        };
        assert_eq!(ports[1].id, 13);
        assert_eq!(ports[1].label(), "if13");
    }

    #[test]
    fn unknown_types_and_fields_are_kept_uninterpreted() {
        let text = format!("{HEAD}\n{{\"t\":1,\"type\":\"stp_elected\",\"x\":3}}\n");
        let tr = trace(&text).unwrap();
        assert_eq!(tr.events[0].kind, Kind::Other);
        assert_eq!(tr.events[0].ty, "stp_elected");
    }

    #[test]
    fn errors_name_the_line() {
        let bad = format!("{HEAD}\n\n{{\"t\":0,\"type\":\"netns_added\",\"name\":\"a\"}}\n{{\"t\":0,\"type\":\"learned\"");
        assert_eq!(trace(&bad).unwrap_err().line, 4);
        assert!(trace(&bad).unwrap_err().what.starts_with("not JSON"));
        let missing = format!("{HEAD}\n{{\"t\":0,\"type\":\"learned\",\"bridge\":{{\"id\":1}},\"port\":{{\"id\":2}}}}");
        assert_eq!(
            trace(&missing).unwrap_err().to_string(),
            "line 2: `learned` event has no `mac`"
        );
        let wrong = format!("{HEAD}\n{{\"t\":\"soon\",\"type\":\"netns_added\",\"name\":\"a\"}}");
        assert_eq!(
            trace(&wrong).unwrap_err().to_string(),
            "line 2: `netns_added` event: `t` is not a number: \"soon\""
        );
        assert_eq!(trace("").unwrap_err().line, 1);
        let v2 = HEAD.replace("\"version\":1", "\"version\":2");
        assert_eq!(
            trace(&v2).unwrap_err().to_string(),
            "line 1: trace version 2, but this l2lab reads version 1"
        );
        assert!(trace("{\"type\":\"netns_added\"}")
            .unwrap_err()
            .what
            .starts_with("not an l2lab trace"));
    }
}
