//! `bridge monitor fdb`: the forwarding databases' changes as the kernel notifies them
//! (br_fdb.c's fdb_notify), for each watcher in its namespace, with the names of the
//! interfaces as they were when the change happened; `bridge monitor link`: the bridges'
//! port notifications (br_netlink.c's br_ifinfo_notify); `ip monitor neigh`.

use std::time::Duration;

use l2lab_fabric::{FdbChange, FdbKind, LinkId, LinkKind, PortNote};

use crate::lab::{Lab, NsId};

/// Identifies an FDB watcher of a lab.
pub type MonitorId = usize;

/// One FDB change as a watcher sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdbEvent {
    /// The MAC.
    pub mac: l2lab_fabric::MacAddr,
    /// The interface the entry points to (the bridge itself for its own address).
    pub dev: String,
    /// The bridge.
    pub bridge: String,
    /// Local, static or learned.
    pub kind: FdbKind,
    /// A learned entry past its ageing time when the change happened.
    pub stale: bool,
    /// Deleted (RTM_DELNEIGH) rather than added or moved (RTM_NEWNEIGH).
    pub deleted: bool,
}

/// The watchers of one kind of event: for each, the namespace it watches and what it has
/// not read yet. Stopped watchers leave a hole so that ids stay valid.
#[derive(Debug)]
pub(crate) struct Watchers<T> {
    list: Vec<Option<(NsId, Vec<T>)>>,
}

impl<T> Default for Watchers<T> {
    fn default() -> Self {
        Watchers { list: Vec::new() }
    }
}

impl<T: Clone> Watchers<T> {
    fn start(&mut self, ns: NsId) -> MonitorId {
        self.list.push(Some((ns, Vec::new())));
        self.list.len() - 1
    }

    fn take(&mut self, id: MonitorId) -> Vec<T> {
        self.list
            .get_mut(id)
            .and_then(|w| w.as_mut())
            .map(|(_, q)| std::mem::take(q))
            .unwrap_or_default()
    }

    /// Stops watcher `id`; true when none is left.
    fn stop(&mut self, id: MonitorId) -> bool {
        if let Some(w) = self.list.get_mut(id) {
            *w = None;
        }
        if self.list.iter().all(Option::is_none) {
            self.list.clear();
        }
        self.list.is_empty()
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Hands `item` to every watcher of `ns`.
    fn push(&mut self, ns: NsId, item: &T) {
        for (_, q) in self.list.iter_mut().flatten().filter(|(n, _)| *n == ns) {
            q.push(item.clone());
        }
    }
}

impl Lab {
    /// Starts watching the FDBs of the bridges in `ns`.
    pub fn fdb_monitor_start(&mut self, ns: NsId) -> MonitorId {
        self.collect_fdb_changes();
        self.fabric.set_fdb_logging(true);
        self.fdb_watchers.start(ns)
    }

    /// Takes what watcher `id` has not read yet, oldest first.
    pub fn fdb_monitor_take(&mut self, id: MonitorId) -> Vec<FdbEvent> {
        self.collect_fdb_changes();
        self.fdb_watchers.take(id)
    }

    /// Stops watcher `id`; the bridges stop logging when nobody watches.
    pub fn fdb_monitor_stop(&mut self, id: MonitorId) {
        if self.fdb_watchers.stop(id) {
            self.fabric.set_fdb_logging(false);
        }
    }

    /// Hands the bridges' logged changes to the watchers of their namespaces, naming the
    /// interfaces now, while they still exist.
    pub(crate) fn collect_fdb_changes(&mut self) {
        if self.fdb_watchers.is_empty() {
            return;
        }
        let now = self.now();
        for (br, c) in self.fabric.take_fdb_changes() {
            let Some(ev) = self.fdb_event(br, &c, now) else {
                continue;
            };
            let Some(ns) = self.iface(br).map(|i| i.ns) else {
                continue;
            };
            self.fdb_watchers.push(ns, &ev);
        }
    }

    fn fdb_event(&self, br: LinkId, c: &FdbChange, now: Duration) -> Option<FdbEvent> {
        let bridge = self.iface(br)?.name.clone();
        let dev = self.iface(c.entry.port)?.name.clone();
        let ageing = self
            .fabric
            .link(br)
            .and_then(|l| l.bridge())
            .map_or(Duration::from_secs(300), |b| b.ageing_time);
        Some(FdbEvent {
            mac: c.mac,
            dev,
            bridge,
            kind: c.entry.kind,
            stale: c.entry.kind == FdbKind::Learned && c.entry.updated + ageing <= now,
            deleted: c.deleted,
        })
    }
}

/// A bridge port's RTM_NEWLINK notification as a watcher sees it (br_ifinfo_notify), with
/// the device's state when the bridge sent it and its names when the watcher reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEvent {
    /// The port's index.
    pub ifindex: u32,
    /// The port's name.
    pub name: String,
    /// A veth port's peer's index (IFLA_LINK), wherever the peer is.
    pub peer: Option<u32>,
    /// The bridge's name.
    pub bridge: String,
    /// The notification as the bridge sent it.
    pub note: PortNote,
}

impl Lab {
    /// Starts watching the bridge ports of `ns` (`bridge monitor link`).
    pub fn link_monitor_start(&mut self, ns: NsId) -> MonitorId {
        self.collect_port_notes();
        self.fabric.set_port_logging(true);
        self.link_watchers.start(ns)
    }

    /// Takes what link watcher `id` has not read yet, oldest first.
    pub fn link_monitor_take(&mut self, id: MonitorId) -> Vec<LinkEvent> {
        self.collect_port_notes();
        self.link_watchers.take(id)
    }

    /// Stops link watcher `id`; the bridges stop keeping notes when nobody watches.
    pub fn link_monitor_stop(&mut self, id: MonitorId) {
        if self.link_watchers.stop(id) {
            self.fabric.set_port_logging(false);
        }
    }

    /// Hands the bridges' port notifications to the watchers of their namespaces.
    fn collect_port_notes(&mut self) {
        if self.link_watchers.is_empty() {
            return;
        }
        for note in self.fabric.take_port_notes() {
            let (Some(i), Some(b)) = (self.iface(note.port), self.iface(note.bridge)) else {
                continue;
            };
            let peer = match self.fabric.link(note.port).map(|l| &l.kind) {
                Some(LinkKind::Veth { peer }) => self.iface(*peer).map(|p| p.ifindex),
                _ => None,
            };
            let ev = LinkEvent {
                ifindex: i.ifindex,
                name: i.name.clone(),
                peer,
                bridge: b.name.clone(),
                note,
            };
            let ns = i.ns;
            self.link_watchers.push(ns, &ev);
        }
    }
}

/// One neighbour notification as `ip monitor neigh` prints it (the `ip neigh` line of the
/// entry, after `Deleted ` when it went).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeighNote {
    /// The neighbour's address.
    pub ip: std::net::IpAddr,
    /// The interface.
    pub dev: String,
    /// Its link-layer address, given while the state is valid.
    pub mac: Option<l2lab_fabric::MacAddr>,
    /// The state the notification carries.
    pub state: crate::NeighState,
    /// RTM_DELNEIGH.
    pub deleted: bool,
}

impl Lab {
    /// Starts watching the neighbour tables of `ns` (`ip monitor neigh`).
    pub fn neigh_monitor_start(&mut self, ns: NsId) -> MonitorId {
        self.neigh_watchers.start(ns)
    }

    /// Takes what neighbour watcher `id` has not read yet, oldest first.
    pub fn neigh_monitor_take(&mut self, id: MonitorId) -> Vec<NeighNote> {
        self.neigh_watchers.take(id)
    }

    /// Stops neighbour watcher `id`.
    pub fn neigh_monitor_stop(&mut self, id: MonitorId) {
        self.neigh_watchers.stop(id);
    }

    fn neigh_note(
        &mut self,
        ns: NsId,
        dev: LinkId,
        ip: std::net::IpAddr,
        mac: Option<l2lab_fabric::MacAddr>,
        state: crate::NeighState,
        deleted: bool,
    ) {
        let Some(name) = self.iface(dev).map(|i| i.name.clone()) else {
            return;
        };
        let note = NeighNote {
            ip,
            dev: name,
            mac: mac.filter(|_| state.is_valid()),
            state,
            deleted,
        };
        self.neigh_watchers.push(ns, &note);
    }

    /// A neighbour state change, as the kernel notifies it: every new state but INCOMPLETE
    /// and DELAY, which __neigh_event_send and the timer enter without a word (measured on
    /// Linux 6.18: scenarios/ip-monitor-neigh).
    pub(crate) fn neigh_changed(
        &mut self,
        ns: NsId,
        dev: LinkId,
        ip: std::net::IpAddr,
        mac: Option<l2lab_fabric::MacAddr>,
        to: crate::NeighState,
    ) {
        use crate::NeighState::{Delay, Incomplete};
        if self.neigh_watchers.is_empty() || matches!(to, Incomplete | Delay) {
            return;
        }
        self.neigh_note(ns, dev, ip, mac, to, false);
    }

    /// An entry removed: by the user (`ip neigh del`/`flush`: neigh_update to FAILED, said
    /// if the entry was valid, then the deletion, as FAILED), or with its device
    /// (neigh_flush_dev: the deletion, in the state it had).
    pub(crate) fn neigh_removed(
        &mut self,
        ns: NsId,
        dev: LinkId,
        ip: std::net::IpAddr,
        mac: Option<l2lab_fabric::MacAddr>,
        state: crate::NeighState,
        by_user: bool,
    ) {
        if self.neigh_watchers.is_empty() {
            return;
        }
        if by_user {
            if state.is_valid() {
                self.neigh_note(ns, dev, ip, None, crate::NeighState::Failed, false);
            }
            self.neigh_note(ns, dev, ip, None, crate::NeighState::Failed, true);
        } else {
            self.neigh_note(ns, dev, ip, mac, state, true);
        }
    }
}
