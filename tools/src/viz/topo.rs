//! The topology a trace describes: every namespace and interface it ever mentions, each with
//! its last known name, namespace, kind, veth peer, bridge and addresses. The diagrams draw
//! this; the viewer dims what does not exist yet at the step shown.

use std::collections::BTreeMap;

use super::parse::{Event, Kind, LinkRef};

/// One interface (a link, in the trace's words).
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The trace's stable id.
    pub id: u64,
    /// Its last name.
    pub name: String,
    /// Its last namespace (`""` is the initial one).
    pub ns: String,
    /// `loopback`, `veth`, `bridge`, `dummy`, or `unknown` when never announced.
    pub kind: String,
    /// The other end of a veth pair.
    pub peer: Option<u64>,
    /// The bridge it was last a port of.
    pub master: Option<u64>,
    /// Its addresses (`10.0.0.1/24`), as last known.
    pub addrs: Vec<String>,
}

impl Link {
    /// Whether the diagrams draw it: loopbacks carry no bridged traffic and would only crowd.
    pub fn drawn(&self) -> bool {
        self.kind != "loopback"
    }
}

/// Namespaces and interfaces, in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Topology {
    /// Namespace names (`""` is the initial one), in order of first appearance.
    pub namespaces: Vec<String>,
    /// Interfaces by id.
    pub links: BTreeMap<u64, Link>,
    /// The names in `namespaces`, so that each event's look costs one probe.
    known: std::collections::HashSet<String>,
}

/// How a namespace is called on screen: the initial one is the host.
pub fn ns_label(ns: &str) -> &str {
    if ns.is_empty() {
        "host"
    } else {
        ns
    }
}

impl Topology {
    /// Collects the topology from every event of a trace.
    pub fn from_events(events: &[Event]) -> Self {
        let mut t = Topology::default();
        for ev in events {
            t.add(ev);
        }
        t.finish();
        t
    }

    /// Completes what single events cannot say, once every event has been [added](Self::add).
    pub fn finish(&mut self) {
        let t = self;
        // Peers are announced from one side only (the other may not exist yet).
        let pairs: Vec<(u64, u64)> = t
            .links
            .values()
            .filter_map(|l| l.peer.map(|p| (l.id, p)))
            .collect();
        for (a, b) in pairs {
            if let Some(l) = t.links.get_mut(&b) {
                l.peer.get_or_insert(a);
            }
        }
    }

    fn see_ns(&mut self, ns: &str) {
        if !self.known.contains(ns) {
            self.known.insert(ns.to_string());
            self.namespaces.push(ns.to_string());
        }
    }

    fn see(&mut self, r: &LinkRef, kind: Option<&str>) -> &mut Link {
        if let Some(ns) = &r.ns {
            self.see_ns(ns);
        }
        let l = self.links.entry(r.id).or_insert_with(|| Link {
            id: r.id,
            name: r.label(),
            ns: r.ns.clone().unwrap_or_default(),
            kind: "unknown".into(),
            peer: None,
            master: None,
            addrs: Vec::new(),
        });
        if let Some(k) = kind {
            if l.kind == "unknown" {
                l.kind = k.to_string();
            }
        }
        l
    }

    /// Takes in what one event says about namespaces and interfaces.
    pub fn add(&mut self, ev: &Event) {
        match &ev.kind {
            Kind::NetnsAdded { name } => self.see_ns(name),
            Kind::LinkAdded {
                link,
                name,
                ns,
                kind,
                peer,
            } => {
                self.see_ns(ns);
                let l = self.see(
                    &LinkRef {
                        id: *link,
                        name: Some(name.clone()),
                        ns: Some(ns.clone()),
                    },
                    None,
                );
                l.name = name.clone();
                l.ns = ns.clone();
                l.kind = kind.clone();
                if peer.is_some() {
                    l.peer = *peer;
                }
            }
            Kind::LinkRenamed { link, name } => {
                if let Some(l) = self.links.get_mut(link) {
                    l.name = name.clone();
                }
            }
            Kind::LinkMoved { link, to, .. } => {
                self.see_ns(to);
                self.see(link, None).ns = to.clone();
            }
            Kind::Master {
                link,
                bridge: Some(b),
            } => {
                self.see(b, Some("bridge"));
                self.see(link, None).master = Some(b.id);
            }
            Kind::Addr { link, addr, added } => {
                let l = self.see(link, None);
                l.addrs.retain(|a| a != addr);
                if *added {
                    l.addrs.push(addr.clone());
                }
            }
            Kind::PortState { bridge, port, .. }
            | Kind::BpduReceived { bridge, port }
            | Kind::Entered { bridge, port }
            | Kind::Learned { bridge, port, .. }
            | Kind::Refreshed { bridge, port, .. }
            | Kind::Forwarded { bridge, port, .. } => {
                self.see(bridge, Some("bridge"));
                let b = bridge.id;
                self.see(port, None).master.get_or_insert(b);
            }
            Kind::Flooded { bridge, ports, .. } => {
                self.see(bridge, Some("bridge"));
                for p in ports {
                    self.see(p, None).master.get_or_insert(bridge.id);
                }
            }
            Kind::LinkAdmin { link, .. }
            | Kind::Carrier { link, .. }
            | Kind::Sent { link, .. }
            | Kind::Received { link } => {
                self.see(link, None);
            }
            Kind::Crossed { from, to } => {
                self.see(from, None).peer.get_or_insert(to.id);
                self.see(to, None).peer.get_or_insert(from.id);
            }
            Kind::Neigh { ns, .. } => self.see_ns(ns),
            _ => {}
        }
    }

    /// The drawn interfaces of a namespace, in id order.
    pub fn links_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = &'a Link> + 'a {
        self.links.values().filter(move |l| l.ns == ns && l.drawn())
    }

    /// The ports of a bridge, in id order (the order they were created).
    pub fn ports_of(&self, bridge: u64) -> impl Iterator<Item = &Link> + '_ {
        self.links
            .values()
            .filter(move |l| l.master == Some(bridge) && l.drawn())
    }

    /// Veth pairs (lower id first) with both ends drawn.
    pub fn wires(&self) -> Vec<(u64, u64)> {
        self.links
            .values()
            .filter_map(|l| {
                let p = self.links.get(&l.peer?)?;
                (l.id < p.id && l.drawn() && p.drawn()).then_some((l.id, p.id))
            })
            .collect()
    }

    /// The name of a link, or `ifN`.
    pub fn name(&self, id: u64) -> String {
        self.links
            .get(&id)
            .map_or_else(|| format!("if{id}"), |l| l.name.clone())
    }
}

#[cfg(test)]
pub(crate) mod test {
    use super::*;
    use crate::viz::parse;

    /// A bridge with two ports, the second moved into a namespace after the fact.
    pub(crate) const SMALL: &str = r#"{"type":"header","schema":"l2lab-trace","version":1,"seed":1,"clock":"virtual","epoch_us":0}
{"t":0,"type":"link_added","link":0,"name":"lo","ns":"","kind":"loopback"}
{"t":0,"type":"link_added","link":1,"name":"br0","ns":"","kind":"bridge"}
{"t":0,"type":"netns_added","name":"ns1"}
{"t":0,"type":"link_added","link":3,"name":"tmp","ns":"","kind":"veth","peer":4}
{"t":0,"type":"link_added","link":4,"name":"p1","ns":"","kind":"veth","peer":3}
{"t":0,"type":"master","link":{"id":4,"name":"p1","ns":""},"bridge":{"id":1,"name":"br0","ns":""}}
{"t":0,"type":"link_moved","link":{"id":3,"name":"tmp","ns":"ns1"},"from":"","to":"ns1"}
{"t":0,"type":"link_renamed","link":3,"name":"veth0"}
{"t":0,"type":"addr_added","link":{"id":3,"name":"veth0","ns":"ns1"},"addr":"10.0.0.1/24"}"#;

    #[test]
    fn last_name_namespace_and_master() {
        let tr = parse::trace(SMALL).unwrap();
        let t = Topology::from_events(&tr.events);
        assert_eq!(t.namespaces, ["", "ns1"]);
        let v = &t.links[&3];
        assert_eq!((v.name.as_str(), v.ns.as_str()), ("veth0", "ns1"));
        assert_eq!(v.addrs, ["10.0.0.1/24"]);
        assert_eq!(t.ports_of(1).map(|l| l.id).collect::<Vec<_>>(), [4]);
        assert_eq!(t.wires(), [(3, 4)]);
        assert_eq!(t.links_in("").map(|l| l.id).collect::<Vec<_>>(), [1, 4]);
    }
}
