//! Replaying a trace into the tables a learner looks at: each bridge's MAC table (the FDB, as
//! learned/refreshed/moved/aged out/evicted and flushed when a port goes away), each
//! namespace's neighbour table, which interfaces exist and are up, and each bridge port's
//! STP state.
//!
//! Every event becomes a list of [`Op`]s that turn the tables before it into the tables after
//! it. The viewer applies them one by one when the learner steps forward, and starts from a
//! [checkpoint](Replay::checkpoints) (the tables as ops from empty, at most every
//! [`CHECKPOINT_EVERY`] events) when they jump, so no step ever re-reads the trace from its
//! start. A checkpoint is taken only once the ops since the last one number half the tables'
//! rows: the checkpoints together are then at most twice the ops, where a checkpoint every
//! 256 events made the page grow as the square of the MACs learned.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

use super::parse::{Event, Kind};

/// How many events apart the checkpoints are at least.
pub const CHECKPOINT_EVERY: usize = 256;

/// One learned entry of a bridge's MAC table.
#[derive(Debug, Clone, PartialEq)]
pub struct FdbRow {
    /// The port it was learned on.
    pub port: u64,
    /// When its MAC was last seen as a source (its age is now minus this).
    pub seen: f64,
}

/// One entry of a namespace's neighbour (ARP) table.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighRow {
    /// The link-layer address, once known.
    pub mac: Option<String>,
    /// `INCOMPLETE`, `REACHABLE`, `STALE`, ...
    pub state: String,
    /// When it entered that state.
    pub since: f64,
}

/// An interface's state: administratively up, and carrier (LOWER_UP).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkState {
    /// `ip link set X up`.
    pub up: bool,
    /// LOWER_UP.
    pub carrier: bool,
}

/// One change to the tables.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A bridge's entry for a MAC is set (learned, refreshed or moved).
    FdbSet {
        bridge: u64,
        mac: String,
        port: u64,
        seen: f64,
    },
    /// A bridge forgets a MAC.
    FdbDel { bridge: u64, mac: String },
    /// A neighbour entry is set.
    NeighSet {
        ns: String,
        dev: u64,
        ip: String,
        row: NeighRow,
    },
    /// A neighbour entry is removed.
    NeighDel { ns: String, dev: u64, ip: String },
    /// An interface exists with this state.
    LinkSet { link: u64, state: LinkState },
    /// An interface is gone.
    LinkDel { link: u64 },
    /// A namespace exists.
    NsSet { name: String },
    /// A namespace is gone.
    NsDel { name: String },
    /// A bridge port is in this STP state (`disabled`, `blocking`, `listening`, `learning`,
    /// `forwarding`).
    PortState { port: u64, state: String },
    /// A port left its bridge: it has no state any more.
    PortDel { port: u64 },
}

impl Op {
    /// The compact form the viewer's script reads: `["f", bridge, mac, port, seen]`, ...
    pub fn to_json(&self) -> Value {
        match self {
            Op::FdbSet {
                bridge,
                mac,
                port,
                seen,
            } => json!(["f", bridge, mac, port, seen]),
            Op::FdbDel { bridge, mac } => json!(["F", bridge, mac]),
            Op::NeighSet { ns, dev, ip, row } => {
                json!(["n", ns, dev, ip, row.mac, row.state, row.since])
            }
            Op::NeighDel { ns, dev, ip } => json!(["N", ns, dev, ip]),
            Op::LinkSet { link, state } => {
                json!([
                    "l",
                    link,
                    u8::from(state.up) | (u8::from(state.carrier) << 1)
                ])
            }
            Op::LinkDel { link } => json!(["L", link]),
            Op::NsSet { name } => json!(["s", name]),
            Op::NsDel { name } => json!(["S", name]),
            Op::PortState { port, state } => json!(["p", port, state]),
            Op::PortDel { port } => json!(["P", port]),
        }
    }
}

/// The tables at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    /// Bridge → MAC → entry.
    pub fdb: BTreeMap<u64, BTreeMap<String, FdbRow>>,
    /// Namespace → (device, IP) → entry.
    pub neigh: BTreeMap<String, BTreeMap<(u64, String), NeighRow>>,
    /// Interfaces that exist, with their state.
    pub links: BTreeMap<u64, LinkState>,
    /// Namespaces that exist (the initial one always does).
    pub netns: BTreeSet<String>,
    /// Bridge port → its STP state.
    pub port_states: BTreeMap<u64, String>,
    /// Port → its bridge, to flush the right table when a port leaves.
    master: HashMap<u64, u64>,
}

impl Tables {
    /// Applies one op.
    pub fn apply(&mut self, op: &Op) {
        match op {
            Op::FdbSet {
                bridge,
                mac,
                port,
                seen,
            } => {
                self.fdb.entry(*bridge).or_default().insert(
                    mac.clone(),
                    FdbRow {
                        port: *port,
                        seen: *seen,
                    },
                );
            }
            Op::FdbDel { bridge, mac } => {
                if let Some(t) = self.fdb.get_mut(bridge) {
                    t.remove(mac);
                    if t.is_empty() {
                        self.fdb.remove(bridge);
                    }
                }
            }
            Op::NeighSet { ns, dev, ip, row } => {
                self.neigh
                    .entry(ns.clone())
                    .or_default()
                    .insert((*dev, ip.clone()), row.clone());
            }
            Op::NeighDel { ns, dev, ip } => {
                if let Some(t) = self.neigh.get_mut(ns) {
                    t.remove(&(*dev, ip.clone()));
                    if t.is_empty() {
                        self.neigh.remove(ns);
                    }
                }
            }
            Op::LinkSet { link, state } => {
                self.links.insert(*link, *state);
            }
            Op::LinkDel { link } => {
                self.links.remove(link);
            }
            Op::NsSet { name } => {
                self.netns.insert(name.clone());
            }
            Op::NsDel { name } => {
                self.netns.remove(name);
            }
            Op::PortState { port, state } => {
                self.port_states.insert(*port, state.clone());
            }
            Op::PortDel { port } => {
                self.port_states.remove(port);
            }
        }
    }

    /// How many ops [`Tables::as_ops`] makes, without making them.
    pub fn rows(&self) -> usize {
        self.netns.len()
            + self.links.len()
            + self.fdb.values().map(BTreeMap::len).sum::<usize>()
            + self.neigh.values().map(BTreeMap::len).sum::<usize>()
    }

    /// The ops that build these tables from empty (a checkpoint).
    pub fn as_ops(&self) -> Vec<Op> {
        let mut ops = Vec::with_capacity(self.rows() + self.port_states.len());
        let _ = self.each_op(&mut |op| {
            ops.push(op);
            Ok::<(), std::convert::Infallible>(())
        });
        ops
    }

    /// Calls `f` with each op of [`Tables::as_ops`] in turn, so that a checkpoint can be
    /// written out without being held whole.
    pub fn each_op<E>(&self, f: &mut impl FnMut(Op) -> Result<(), E>) -> Result<(), E> {
        for n in &self.netns {
            f(Op::NsSet { name: n.clone() })?;
        }
        for (l, s) in &self.links {
            f(Op::LinkSet {
                link: *l,
                state: *s,
            })?;
        }
        for (p, s) in &self.port_states {
            f(Op::PortState {
                port: *p,
                state: s.clone(),
            })?;
        }
        for (b, t) in &self.fdb {
            for (mac, r) in t {
                f(Op::FdbSet {
                    bridge: *b,
                    mac: mac.clone(),
                    port: r.port,
                    seen: r.seen,
                })?;
            }
        }
        for (ns, t) in &self.neigh {
            for ((dev, ip), row) in t {
                f(Op::NeighSet {
                    ns: ns.clone(),
                    dev: *dev,
                    ip: ip.clone(),
                    row: row.clone(),
                })?;
            }
        }
        Ok(())
    }

    fn flush_port(&self, bridge: u64, port: u64, ops: &mut Vec<Op>) {
        if let Some(t) = self.fdb.get(&bridge) {
            ops.extend(
                t.iter()
                    .filter(|(_, r)| r.port == port)
                    .map(|(mac, _)| Op::FdbDel {
                        bridge,
                        mac: mac.clone(),
                    }),
            );
        }
    }

    fn flush_neigh(&self, ns: &str, dev: Option<u64>, ops: &mut Vec<Op>) {
        if let Some(t) = self.neigh.get(ns) {
            ops.extend(
                t.keys()
                    .filter(|(d, _)| dev.is_none_or(|x| x == *d))
                    .map(|(d, ip)| Op::NeighDel {
                        ns: ns.to_string(),
                        dev: *d,
                        ip: ip.clone(),
                    }),
            );
        }
    }

    fn link_state(&self, link: u64) -> LinkState {
        self.links.get(&link).copied().unwrap_or_default()
    }

    /// The ops an event makes (computed against the tables before it), applied.
    pub fn step(&mut self, ev: &Event) -> Vec<Op> {
        let mut ops = Vec::new();
        let t = ev.t;
        match &ev.kind {
            Kind::NetnsAdded { name } => ops.push(Op::NsSet { name: name.clone() }),
            Kind::NetnsDeleted { name } => {
                self.flush_neigh(name, None, &mut ops);
                ops.push(Op::NsDel { name: name.clone() });
            }
            Kind::LinkAdded { link, .. } => ops.push(Op::LinkSet {
                link: *link,
                state: LinkState::default(),
            }),
            Kind::LinkDeleted { link, ns, .. } => {
                if let Some(b) = self.master.get(link) {
                    self.flush_port(*b, *link, &mut ops);
                }
                if let Some(t) = self.fdb.get(link) {
                    ops.extend(t.keys().map(|mac| Op::FdbDel {
                        bridge: *link,
                        mac: mac.clone(),
                    }));
                }
                self.flush_neigh(ns, Some(*link), &mut ops);
                if self.port_states.contains_key(link) {
                    ops.push(Op::PortDel { port: *link });
                }
                ops.push(Op::LinkDel { link: *link });
            }
            Kind::LinkAdmin { link, up } => {
                if !up {
                    if let Some(b) = self.master.get(&link.id) {
                        self.flush_port(*b, link.id, &mut ops);
                    }
                }
                let mut s = self.link_state(link.id);
                s.up = *up;
                ops.push(Op::LinkSet {
                    link: link.id,
                    state: s,
                });
            }
            Kind::Carrier { link, up } => {
                let mut s = self.link_state(link.id);
                s.carrier = *up;
                ops.push(Op::LinkSet {
                    link: link.id,
                    state: s,
                });
            }
            Kind::Master { link, bridge } => {
                if let Some(old) = self.master.get(&link.id) {
                    if bridge.as_ref().map(|b| b.id) != Some(*old) {
                        self.flush_port(*old, link.id, &mut ops);
                        if self.port_states.contains_key(&link.id) {
                            ops.push(Op::PortDel { port: link.id });
                        }
                    }
                }
            }
            Kind::PortState {
                bridge,
                port,
                state,
            } => {
                // A disabled port's entries go (br_stp_disable_port); a blocked one keeps
                // them.
                if state == "disabled" {
                    self.flush_port(bridge.id, port.id, &mut ops);
                }
                if self.port_states.get(&port.id) != Some(state) {
                    ops.push(Op::PortState {
                        port: port.id,
                        state: state.clone(),
                    });
                }
            }
            Kind::LinkMoved { link, from, .. } => {
                self.flush_neigh(from, Some(link.id), &mut ops);
            }
            Kind::Learned { bridge, mac, port } | Kind::Refreshed { bridge, mac, port } => ops
                .push(Op::FdbSet {
                    bridge: bridge.id,
                    mac: mac.clone(),
                    port: port.id,
                    seen: t,
                }),
            Kind::Moved {
                bridge, mac, to, ..
            } => ops.push(Op::FdbSet {
                bridge: bridge.id,
                mac: mac.clone(),
                port: to.id,
                seen: t,
            }),
            Kind::Evicted { bridge, mac, .. } | Kind::AgedOut { bridge, mac, .. }
                if self
                    .fdb
                    .get(&bridge.id)
                    .is_some_and(|t| t.contains_key(mac)) =>
            {
                ops.push(Op::FdbDel {
                    bridge: bridge.id,
                    mac: mac.clone(),
                });
            }
            Kind::Neigh {
                ns,
                dev,
                ip,
                mac,
                to,
                ..
            } => match to {
                None => ops.push(Op::NeighDel {
                    ns: ns.clone(),
                    dev: dev.id,
                    ip: ip.clone(),
                }),
                Some(state) => {
                    let old = self
                        .neigh
                        .get(ns)
                        .and_then(|t| t.get(&(dev.id, ip.clone())));
                    ops.push(Op::NeighSet {
                        ns: ns.clone(),
                        dev: dev.id,
                        ip: ip.clone(),
                        row: NeighRow {
                            mac: mac.clone().or_else(|| old.and_then(|o| o.mac.clone())),
                            state: state.clone(),
                            since: t,
                        },
                    });
                }
            },
            _ => {}
        }
        for op in &ops {
            self.apply(op);
        }
        // Bridge membership is bookkeeping for flushes, not a table the learner sees.
        match &ev.kind {
            Kind::Master {
                link,
                bridge: Some(b),
            } => {
                self.master.insert(link.id, b.id);
            }
            Kind::Master { link, bridge: None } => {
                self.master.remove(&link.id);
            }
            Kind::LinkDeleted { link, .. } => {
                self.master.remove(link);
                self.master.retain(|_, b| b != link);
            }
            _ => {}
        }
        ops
    }
}

/// Where a frame is at one event, for the viewer to draw it moving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hop {
    /// Nothing moves.
    None,
    /// Sent by a stack on this interface.
    Sent(u64),
    /// Along a veth from one end to the other.
    Wire { from: u64, to: u64 },
    /// Arrived on a bridge port.
    Into { bridge: u64, port: u64 },
    /// Through a bridge from the port it entered on (when known) out of these ports.
    Out {
        bridge: u64,
        from: Option<u64>,
        to: Vec<u64>,
    },
    /// Up to the bridge device's own stack.
    Local { bridge: u64, from: Option<u64> },
    /// Handed to the stack owning this interface.
    Received(u64),
    /// Dropped at this interface.
    Dropped(u64),
    /// The bridge's table changed about this port (learned, refreshed, moved, aged out).
    Table { bridge: u64, port: u64 },
}

impl Hop {
    /// The viewer's form: `["w", from, to]`, `["o", bridge, from|null, [ports]]`, ...
    pub fn to_json(&self) -> Value {
        match self {
            Hop::None => Value::Null,
            Hop::Sent(l) => json!(["s", l]),
            Hop::Wire { from, to } => json!(["w", from, to]),
            Hop::Into { bridge, port } => json!(["i", bridge, port]),
            Hop::Out { bridge, from, to } => json!(["o", bridge, from, to]),
            Hop::Local { bridge, from } => json!(["u", bridge, from]),
            Hop::Received(l) => json!(["r", l]),
            Hop::Dropped(l) => json!(["d", l]),
            Hop::Table { bridge, port } => json!(["t", bridge, port]),
        }
    }
}

/// One event, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The ops from the tables before it to the tables after it.
    pub ops: Vec<Op>,
    /// Where the frame moves.
    pub hop: Hop,
    /// The index of the previous event of the same frame journey (to draw its path so far).
    pub prev_of_frame: Option<usize>,
    /// The bridge the event is about, if any (the viewer shows its MAC table).
    pub bridge: Option<u64>,
    /// The namespace the event is about, if any (the viewer shows its neighbours).
    pub ns: Option<String>,
}

/// A whole trace replayed: a [`Step`] per event, and checkpoints.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// One per event.
    pub steps: Vec<Step>,
    /// `(n, ops)`: the tables after the first `n` events, as ops from empty, in order of `n`
    /// (`checkpoints[0]` is the empty lab, `n` = 0).
    pub checkpoints: Vec<(usize, Vec<Op>)>,
    /// The tables after the last event.
    pub last: Tables,
}

/// The bridge and namespace an event is about.
fn about(ev: &Event) -> (Option<u64>, Option<String>) {
    match &ev.kind {
        Kind::Entered { bridge, .. }
        | Kind::Learned { bridge, .. }
        | Kind::Refreshed { bridge, .. }
        | Kind::Moved { bridge, .. }
        | Kind::Evicted { bridge, .. }
        | Kind::AgedOut { bridge, .. }
        | Kind::Forwarded { bridge, .. }
        | Kind::Flooded { bridge, .. }
        | Kind::DeliveredLocal { bridge, .. }
        | Kind::PortState { bridge, .. }
        | Kind::BpduReceived { bridge, .. }
        | Kind::Stp { bridge } => (Some(bridge.id), bridge.ns.clone()),
        Kind::Neigh { ns, .. } | Kind::Route { ns, .. } => (None, Some(ns.clone())),
        Kind::Sent { link, .. }
        | Kind::Received { link }
        | Kind::Dropped { link, .. }
        | Kind::Addr { link, .. }
        | Kind::LinkAdmin { link, .. } => (None, link.ns.clone()),
        Kind::NetnsAdded { name } => (None, Some(name.clone())),
        _ => (None, None),
    }
}

/// Replays a trace one event at a time, holding the tables and nothing of the events
/// already seen, so that a trace can be replayed while it is read.
#[derive(Debug, Clone)]
pub struct Replayer {
    tables: Tables,
    /// How many events were replayed.
    n: usize,
    ops_since: usize,
    /// frame → (last event index, bridge → the port it entered on)
    frames: HashMap<u64, (usize, HashMap<u64, u64>)>,
}

impl Default for Replayer {
    fn default() -> Self {
        let mut tables = Tables::default();
        tables.netns.insert(String::new());
        Replayer {
            tables,
            n: 0,
            ops_since: 0,
            frames: HashMap::new(),
        }
    }
}

impl Replayer {
    /// The tables after the events replayed so far.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    /// The tables after the events replayed so far, kept.
    pub fn into_tables(self) -> Tables {
        self.tables
    }

    /// Replays the next event: its step, and whether a checkpoint is due after it (then
    /// the checkpoint is [`Replayer::tables`] as ops, taken after `n` events where `n` counts
    /// this one).
    pub fn step(&mut self, ev: &Event) -> (Step, bool) {
        let i = self.n;
        self.n += 1;
        let tables = &mut self.tables;
        let frames = &mut self.frames;
        let ops = tables.step(ev);
        let (bridge, ns) = about(ev);
        let mut prev_of_frame = None;
        let mut ingress = None;
        if let Some(f) = ev.frame {
            let e = frames.entry(f).or_insert((i, HashMap::new()));
            if e.0 != i {
                prev_of_frame = Some(e.0);
            }
            e.0 = i;
            if let Some(b) = bridge {
                if let Kind::Entered { port, .. } = &ev.kind {
                    e.1.insert(b, port.id);
                }
                ingress = e.1.get(&b).copied();
            }
        }
        let hop = match &ev.kind {
            Kind::Sent { link, .. } => Hop::Sent(link.id),
            Kind::Crossed { from, to } => Hop::Wire {
                from: from.id,
                to: to.id,
            },
            Kind::Entered { bridge, port } => Hop::Into {
                bridge: bridge.id,
                port: port.id,
            },
            Kind::Forwarded { bridge, port, .. } => Hop::Out {
                bridge: bridge.id,
                from: ingress,
                to: vec![port.id],
            },
            Kind::Flooded { bridge, ports, .. } => Hop::Out {
                bridge: bridge.id,
                from: ingress,
                to: ports.iter().map(|p| p.id).collect(),
            },
            Kind::DeliveredLocal { bridge, .. } | Kind::BpduReceived { bridge, .. } => Hop::Local {
                bridge: bridge.id,
                from: ingress,
            },
            Kind::Received { link } => Hop::Received(link.id),
            Kind::Dropped { link, .. } => Hop::Dropped(link.id),
            Kind::Learned { bridge, port, .. }
            | Kind::Refreshed { bridge, port, .. }
            | Kind::Evicted { bridge, port, .. }
            | Kind::AgedOut { bridge, port, .. }
            | Kind::Moved {
                bridge, to: port, ..
            } => Hop::Table {
                bridge: bridge.id,
                port: port.id,
            },
            _ => Hop::None,
        };
        self.ops_since += ops.len();
        let step = Step {
            ops,
            hop,
            prev_of_frame,
            bridge,
            ns,
        };
        let due =
            self.n.is_multiple_of(CHECKPOINT_EVERY) && 2 * self.ops_since >= self.tables.rows();
        if due {
            self.ops_since = 0;
        }
        (step, due)
    }
}

impl Replay {
    /// Replays every event of a trace.
    pub fn new(events: &[Event]) -> Self {
        let mut r = Replayer::default();
        let mut checkpoints = vec![(0, r.tables().as_ops())];
        let mut steps = Vec::with_capacity(events.len());
        for (i, ev) in events.iter().enumerate() {
            let (step, due) = r.step(ev);
            steps.push(step);
            if due {
                checkpoints.push((i + 1, r.tables().as_ops()));
            }
        }
        Replay {
            steps,
            checkpoints,
            last: r.into_tables(),
        }
    }

    /// The tables after the first `n` events, rebuilt from the nearest checkpoint (what the
    /// viewer does when the learner jumps).
    #[cfg(test)]
    pub fn tables_at(&self, n: usize) -> Tables {
        let n = n.min(self.steps.len());
        let k = self
            .checkpoints
            .partition_point(|(at, _)| *at <= n)
            .saturating_sub(1);
        let mut t = Tables::default();
        let mut from = 0;
        if let Some((at, ops)) = self.checkpoints.get(k) {
            from = *at;
            for op in ops {
                t.apply(op);
            }
        }
        for s in &self.steps[from..n] {
            for op in &s.ops {
                t.apply(op);
            }
        }
        t
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::viz::parse;

    const HEAD: &str = r#"{"type":"header","schema":"l2lab-trace","version":1}"#;

    fn replay(lines: &[&str]) -> Replay {
        let text = std::iter::once(HEAD)
            .chain(lines.iter().copied())
            .collect::<Vec<_>>()
            .join("\n");
        Replay::new(&parse::trace(&text).unwrap().events)
    }

    const BR: &str = r#"{"id":1,"name":"br0","ns":""}"#;

    fn ev(t: f64, ty: &str, rest: &str) -> String {
        format!(r#"{{"t":{t},"type":"{ty}","bridge":{BR},{rest}}}"#)
    }

    fn port(id: u64) -> String {
        format!(r#"{{"id":{id},"name":"p{id}","ns":""}}"#)
    }

    fn macs(t: &Tables) -> Vec<(String, u64, f64)> {
        t.fdb
            .get(&1)
            .into_iter()
            .flatten()
            .map(|(m, r)| (m.clone(), r.port, r.seen))
            .collect()
    }

    #[test]
    fn learned_refreshed_moved_aged_out() {
        let a = r#""mac":"02:00:00:00:00:0a""#;
        let lines = [
            format!(
                r#"{{"t":0,"type":"master","link":{},"bridge":{BR}}}"#,
                port(2)
            ),
            ev(1.0, "learned", &format!(r#"{a},"port":{}"#, port(2))),
            ev(
                2.0,
                "learned",
                &format!(r#""mac":"02:00:00:00:00:0b","port":{}"#, port(3)),
            ),
            ev(5.0, "refreshed", &format!(r#"{a},"port":{}"#, port(2))),
            ev(
                6.0,
                "moved",
                &format!(r#"{a},"from":{},"to":{}"#, port(2), port(3)),
            ),
            ev(
                302.0,
                "aged_out",
                &format!(
                    r#""mac":"02:00:00:00:00:0b","port":{},"age_s":300"#,
                    port(3)
                ),
            ),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = replay(&lines);
        let a = "02:00:00:00:00:0a".to_string();
        let b = "02:00:00:00:00:0b".to_string();
        assert_eq!(
            macs(&r.tables_at(3)),
            [(a.clone(), 2, 1.0), (b.clone(), 3, 2.0)]
        );
        assert_eq!(macs(&r.tables_at(4))[0], (a.clone(), 2, 5.0));
        assert_eq!(macs(&r.tables_at(5)), [(a.clone(), 3, 6.0), (b, 3, 2.0)]);
        assert_eq!(macs(&r.last), [(a, 3, 6.0)]);
        assert_eq!(r.steps[1].hop, Hop::Table { bridge: 1, port: 2 });
        assert_eq!(r.steps[1].bridge, Some(1));
    }

    #[test]
    fn a_port_going_away_forgets_what_was_learned_behind_it() {
        let lines = [
            format!(
                r#"{{"t":0,"type":"master","link":{},"bridge":{BR}}}"#,
                port(2)
            ),
            format!(
                r#"{{"t":0,"type":"master","link":{},"bridge":{BR}}}"#,
                port(3)
            ),
            ev(
                1.0,
                "learned",
                &format!(r#""mac":"02:00:00:00:00:0a","port":{}"#, port(2)),
            ),
            ev(
                1.0,
                "learned",
                &format!(r#""mac":"02:00:00:00:00:0b","port":{}"#, port(3)),
            ),
            ev(
                2.0,
                "port_state",
                &format!(r#""port":{},"state":"disabled""#, port(2)),
            ),
            format!(
                r#"{{"t":3,"type":"master","link":{},"bridge":null}}"#,
                port(3)
            ),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = replay(&lines);
        assert_eq!(macs(&r.tables_at(4)).len(), 2);
        assert_eq!(
            r.steps[4].ops,
            [
                Op::FdbDel {
                    bridge: 1,
                    mac: "02:00:00:00:00:0a".into()
                },
                Op::PortState {
                    port: 2,
                    state: "disabled".into()
                }
            ]
        );
        assert_eq!(macs(&r.tables_at(5)).len(), 1);
        assert!(r.last.fdb.is_empty());
        // The port that left has no state any more; the disabled one keeps its own.
        assert_eq!(
            r.last.port_states,
            std::collections::BTreeMap::from([(2, "disabled".to_string())])
        );
    }

    #[test]
    fn neighbours_keep_their_mac_through_state_changes() {
        let dev = r#"{"id":5,"name":"veth0","ns":"ns1"}"#;
        let n = |t: f64, mac: &str, from: &str, to: &str| {
            format!(
                r#"{{"t":{t},"type":"neigh","ns":"ns1","dev":{dev},"ip":"10.0.0.2","mac":{mac},"from":{from},"to":{to}}}"#
            )
        };
        let lines = [
            n(0.0, "null", "null", "\"INCOMPLETE\""),
            n(
                0.1,
                "\"02:00:00:00:00:02\"",
                "\"INCOMPLETE\"",
                "\"REACHABLE\"",
            ),
            n(30.0, "null", "\"REACHABLE\"", "\"STALE\""),
            n(60.0, "null", "\"STALE\"", "null"),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = replay(&lines);
        let row = |n: usize| r.tables_at(n).neigh["ns1"][&(5, "10.0.0.2".to_string())].clone();
        assert_eq!(row(1).mac, None);
        assert_eq!(row(3).mac.as_deref(), Some("02:00:00:00:00:02"));
        assert_eq!((row(3).state.as_str(), row(3).since), ("STALE", 30.0));
        assert!(r.last.neigh.is_empty());
        assert_eq!(r.steps[0].ns.as_deref(), Some("ns1"));
    }

    #[test]
    fn flood_and_forward_leave_from_the_port_the_frame_entered() {
        let lines = [
            format!(
                r#"{{"t":0,"type":"entered","bridge":{BR},"port":{},"frame":7}}"#,
                port(2)
            ),
            format!(
                r#"{{"t":0,"type":"flooded","bridge":{BR},"mac":"ff:ff:ff:ff:ff:ff","ports":[{},{}],"frame":7}}"#,
                port(3),
                port(4)
            ),
            format!(
                r#"{{"t":0,"type":"forwarded","bridge":{BR},"mac":"02:00:00:00:00:0a","port":{},"frame":8}}"#,
                port(2)
            ),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = replay(&lines);
        assert_eq!(
            r.steps[1].hop,
            Hop::Out {
                bridge: 1,
                from: Some(2),
                to: vec![3, 4]
            }
        );
        assert_eq!(r.steps[1].prev_of_frame, Some(0));
        assert_eq!(r.steps[2].prev_of_frame, None);
        assert_eq!(
            r.steps[2].hop,
            Hop::Out {
                bridge: 1,
                from: None,
                to: vec![2]
            }
        );
    }

    #[test]
    fn checkpoints_grow_with_the_ops_not_their_square() {
        // 40 × 256 MACs learned: a checkpoint every 256 events would hold 210,000 rows.
        let lines: Vec<String> = (0..40 * CHECKPOINT_EVERY)
            .map(|i| {
                let mac = format!("02:00:00:00:{:02x}:{:02x}", i / 256, i % 256);
                ev(
                    i as f64,
                    "learned",
                    &format!(r#""mac":"{mac}","port":{}"#, port(2)),
                )
            })
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = replay(&lines);
        let total: usize = r.checkpoints.iter().map(|(_, c)| c.len()).sum();
        let ops: usize = r.steps.iter().map(|s| s.ops.len()).sum();
        assert_eq!(ops, 40 * CHECKPOINT_EVERY);
        assert!(
            total <= 2 * ops + r.checkpoints.len(),
            "{total} rows for {ops} ops"
        );
        assert_eq!(r.tables_at(r.steps.len()), r.last);
        assert_eq!(r.tables_at(5000).fdb[&1].len(), 5000);
    }

    #[test]
    fn checkpoints_agree_with_stepping_one_by_one() {
        let mut lines = Vec::new();
        for i in 0..(3 * CHECKPOINT_EVERY + 17) {
            let mac = format!("02:00:00:00:{:02x}:{:02x}", (i / 7) % 256, i % 7);
            let ty = if i % 5 == 4 { "aged_out" } else { "learned" };
            let extra = if ty == "aged_out" {
                r#","age_s":300"#
            } else {
                ""
            };
            lines.push(ev(
                i as f64,
                ty,
                &format!(
                    r#""mac":"{mac}","port":{}{extra}"#,
                    port(2 + (i as u64 % 3))
                ),
            ));
        }
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = replay(&lines);
        let at: Vec<usize> = r.checkpoints.iter().map(|(n, _)| *n).collect();
        // Not at 512: the ops since 256 are fewer than half the rows by then.
        assert_eq!(at, [0, 256, 768]);
        let total: usize = r.checkpoints.iter().map(|(_, c)| c.len()).sum();
        let ops: usize = r.steps.iter().map(|s| s.ops.len()).sum();
        assert!(
            total <= 2 * ops + at.len(),
            "{total} rows of checkpoints for {ops} ops"
        );
        let mut t = Tables::default();
        t.netns.insert(String::new());
        for (i, s) in r.steps.iter().enumerate() {
            for op in &s.ops {
                t.apply(op);
            }
            if i % 97 == 0 || i + 1 == r.steps.len() {
                assert_eq!(
                    macs(&t),
                    macs(&r.tables_at(i + 1)),
                    "after {} events",
                    i + 1
                );
            }
        }
        assert_eq!(macs(&t), macs(&r.last));
    }
}
