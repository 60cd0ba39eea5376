//! `bridge monitor fdb`: the forwarding databases' changes as the kernel notifies them
//! (br_fdb.c's fdb_notify), for each watcher in its namespace, with the names of the
//! interfaces as they were when the change happened.

use std::time::Duration;

use l2lab_fabric::{FdbChange, FdbKind, LinkId};

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

/// A watcher: the namespace it watches and what it has not read yet.
#[derive(Debug)]
pub(crate) struct FdbMonitor {
    ns: NsId,
    events: Vec<FdbEvent>,
}

impl Lab {
    /// Starts watching the FDBs of the bridges in `ns`.
    pub fn fdb_monitor_start(&mut self, ns: NsId) -> MonitorId {
        self.collect_fdb_changes();
        self.fabric.set_fdb_logging(true);
        self.monitors.push(Some(FdbMonitor {
            ns,
            events: Vec::new(),
        }));
        self.monitors.len() - 1
    }

    /// Takes what watcher `id` has not read yet, oldest first.
    pub fn fdb_monitor_take(&mut self, id: MonitorId) -> Vec<FdbEvent> {
        self.collect_fdb_changes();
        self.monitors
            .get_mut(id)
            .and_then(|m| m.as_mut())
            .map(|m| std::mem::take(&mut m.events))
            .unwrap_or_default()
    }

    /// Stops watcher `id`; the bridges stop logging when nobody watches.
    pub fn fdb_monitor_stop(&mut self, id: MonitorId) {
        if let Some(m) = self.monitors.get_mut(id) {
            *m = None;
        }
        if self.monitors.iter().all(Option::is_none) {
            self.monitors.clear();
            self.fabric.set_fdb_logging(false);
        }
    }

    /// Hands the bridges' logged changes to the watchers of their namespaces, naming the
    /// interfaces now, while they still exist.
    pub(crate) fn collect_fdb_changes(&mut self) {
        if self.monitors.is_empty() {
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
            for m in self.monitors.iter_mut().flatten() {
                if m.ns == ns {
                    m.events.push(ev.clone());
                }
            }
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
