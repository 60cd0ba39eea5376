//! The neighbour table and its state machine (net/core/neighbour.c), shared by ARP
//! (net/ipv4/arp.c) and neighbour discovery (net/ipv6/ndisc.c) as the kernel shares it.
//!
//! States, timers and probe counts follow the kernel's defaults, which ARP and ND have in common:
//! an unresolved entry is
//! INCOMPLETE and sends up to `mcast_probes` broadcast (ND: solicited-node multicast) requests `retrans_time` apart, then
//! FAILED; a resolved one is REACHABLE for `reachable_time` (random in [base/2, 3·base/2]),
//! then STALE; used while STALE it goes to DELAY, and after `delay_first_probe_time` without a
//! confirmation to PROBE, which sends `ucast_probes` unicast requests before FAILED.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::{LinkId, MacAddr};

/// A neighbour entry's state (NUD_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeighState {
    /// Being resolved: requests out, no answer yet.
    Incomplete,
    /// Confirmed recently.
    Reachable,
    /// Known, but not confirmed for a while.
    Stale,
    /// Used while stale: waiting a little for a confirmation before probing.
    Delay,
    /// Probing with unicast requests.
    Probe,
    /// Resolution failed.
    Failed,
    /// Set by the user; never changes.
    Permanent,
    /// No ARP on this interface (lo).
    Noarp,
}

impl NeighState {
    /// The state as `ip neigh` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            NeighState::Incomplete => "INCOMPLETE",
            NeighState::Reachable => "REACHABLE",
            NeighState::Stale => "STALE",
            NeighState::Delay => "DELAY",
            NeighState::Probe => "PROBE",
            NeighState::Failed => "FAILED",
            NeighState::Permanent => "PERMANENT",
            NeighState::Noarp => "NOARP",
        }
    }

    /// NUD_VALID: the entry has a usable link-layer address.
    pub fn is_valid(self) -> bool {
        matches!(
            self,
            NeighState::Reachable
                | NeighState::Stale
                | NeighState::Delay
                | NeighState::Probe
                | NeighState::Permanent
                | NeighState::Noarp
        )
    }

    /// NUD_CONNECTED: valid and not in need of confirmation.
    pub fn is_connected(self) -> bool {
        matches!(
            self,
            NeighState::Reachable | NeighState::Permanent | NeighState::Noarp
        )
    }
}

/// The tunables of a neighbour table, with the kernel's defaults (`/proc/sys/net/ipv4/neigh/*`,
/// the same in `/proc/sys/net/ipv6/neigh/*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeighParams {
    /// base_reachable_time: 30 s.
    pub base_reachable_time: Duration,
    /// retrans_time: 1 s between probes.
    pub retrans_time: Duration,
    /// delay_first_probe_time: 5 s in DELAY.
    pub delay_first_probe_time: Duration,
    /// ucast_probes: 3.
    pub ucast_probes: u32,
    /// mcast_probes: 3.
    pub mcast_probes: u32,
    /// app_probes: 0.
    pub app_probes: u32,
    /// mcast_resolicit: 0.
    pub mcast_reprobes: u32,
    /// locktime: 1 s during which a new address for a known neighbour is not accepted.
    pub locktime: Duration,
    /// unres_qlen: packets queued while resolving.
    pub unres_qlen: usize,
}

impl Default for NeighParams {
    fn default() -> Self {
        NeighParams {
            base_reachable_time: Duration::from_secs(30),
            retrans_time: Duration::from_secs(1),
            delay_first_probe_time: Duration::from_secs(5),
            ucast_probes: 3,
            mcast_probes: 3,
            app_probes: 0,
            mcast_reprobes: 0,
            locktime: Duration::from_secs(1),
            unres_qlen: 101,
        }
    }
}

/// A packet waiting for its next hop to resolve: the IPv4 or IPv6 datagram, without Ethernet
/// header.
#[derive(Debug, Clone)]
pub struct Queued {
    /// The datagram.
    pub packet: Bytes,
}

/// One neighbour entry.
#[derive(Debug, Clone)]
pub struct Neighbour {
    /// Its address (IPv4 for ARP, IPv6 for ND).
    pub ip: IpAddr,
    /// The interface it is reached through.
    pub dev: LinkId,
    /// Its MAC, once known.
    pub mac: Option<MacAddr>,
    /// State.
    pub state: NeighState,
    /// Probes sent in this round.
    pub probes: u32,
    /// Last confirmation.
    pub confirmed: Duration,
    /// Last state or address change.
    pub updated: Duration,
    /// Last use for output.
    pub used: Duration,
    /// Packets waiting for resolution.
    pub queue: VecDeque<Queued>,
    /// Bumped whenever the entry's timer is re-armed, so stale timers are ignored.
    pub timer_gen: u64,
    /// When the creation happened, for listing order.
    pub created: u64,
    /// ND: the neighbour said it is a router (NTF_ROUTER).
    pub router: bool,
}

/// The neighbour table of one namespace.
#[derive(Debug, Default)]
pub struct NeighTable {
    entries: HashMap<(LinkId, IpAddr), Neighbour>,
    next_created: u64,
    /// The tunables.
    pub params: NeighParams,
    /// The current randomized reachable time.
    pub reachable_time: Duration,
}

impl NeighTable {
    /// An empty table with default tunables and the given randomized reachable time.
    pub fn new(reachable_time: Duration) -> NeighTable {
        NeighTable {
            entries: HashMap::new(),
            next_created: 0,
            params: NeighParams::default(),
            reachable_time,
        }
    }

    /// The entry for `ip` on `dev`.
    pub fn get(&self, dev: LinkId, ip: IpAddr) -> Option<&Neighbour> {
        self.entries.get(&(dev, ip))
    }

    /// The entry for `ip` on `dev`, to change it.
    pub fn get_mut(&mut self, dev: LinkId, ip: IpAddr) -> Option<&mut Neighbour> {
        self.entries.get_mut(&(dev, ip))
    }

    /// The entry, created in no state (NUD_NONE is represented as a fresh INCOMPLETE round by
    /// the caller) if absent.
    pub fn entry(
        &mut self,
        dev: LinkId,
        ip: IpAddr,
        now: Duration,
        state: NeighState,
    ) -> &mut Neighbour {
        let created = &mut self.next_created;
        self.entries.entry((dev, ip)).or_insert_with(|| {
            *created += 1;
            Neighbour {
                ip,
                dev,
                mac: None,
                state,
                probes: 0,
                confirmed: now.saturating_sub(Duration::from_secs(3600)),
                updated: now,
                used: now,
                queue: VecDeque::new(),
                timer_gen: 0,
                created: *created,
                router: false,
            }
        })
    }

    /// Removes an entry.
    pub fn remove(&mut self, dev: LinkId, ip: IpAddr) -> Option<Neighbour> {
        self.entries.remove(&(dev, ip))
    }

    /// Removes every entry on `dev` (the interface went down or away).
    pub fn flush_dev(&mut self, dev: LinkId) -> Vec<Neighbour> {
        let keys: Vec<_> = self
            .entries
            .keys()
            .filter(|k| k.0 == dev)
            .copied()
            .collect();
        keys.into_iter()
            .filter_map(|k| self.entries.remove(&k))
            .collect()
    }

    /// Removes every entry on `dev` but the permanent ones (its carrier went: neigh_carrier_down).
    pub fn flush_dev_carrier(&mut self, dev: LinkId) -> Vec<Neighbour> {
        let keys: Vec<_> = self
            .entries
            .iter()
            .filter(|(k, e)| k.0 == dev && e.state != NeighState::Permanent)
            .map(|(k, _)| *k)
            .collect();
        keys.into_iter()
            .filter_map(|k| self.entries.remove(&k))
            .collect()
    }

    /// Every entry: the ARP table's, then ND's (the kernel dumps its tables in that order), each
    /// by interface then address.
    pub fn list(&self) -> Vec<&Neighbour> {
        let mut v: Vec<&Neighbour> = self.entries.values().collect();
        v.sort_by_key(|n| (n.ip.is_ipv6(), n.dev, n.ip));
        v
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// neigh_max_probes: how many probes a round may send in this state.
    pub fn max_probes(&self, state: NeighState) -> u32 {
        let p = &self.params;
        p.ucast_probes
            + p.app_probes
            + if state == NeighState::Probe {
                p.mcast_reprobes
            } else {
                p.mcast_probes
            }
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use std::time::Duration;

    #[test]
    fn one_table_for_both_families_arp_listed_first() {
        let mut t = NeighTable::new(Duration::from_secs(30));
        let now = Duration::ZERO;
        let v6: IpAddr = "fe80::1".parse().unwrap();
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        t.entry(LinkId(1), v6, now, NeighState::Stale);
        t.entry(LinkId(2), v4, now, NeighState::Permanent);
        t.entry(
            LinkId(1),
            "10.0.0.2".parse().unwrap(),
            now,
            NeighState::Noarp,
        );
        let order: Vec<IpAddr> = t.list().iter().map(|n| n.ip).collect();
        assert_eq!(order, ["10.0.0.2".parse::<IpAddr>().unwrap(), v4, v6]);
        // The same address family key on two devices is two entries.
        t.entry(LinkId(2), v6, now, NeighState::Stale);
        assert_eq!(t.len(), 4);
        // Carrier loss keeps only the permanent ones.
        assert_eq!(t.flush_dev_carrier(LinkId(2)).len(), 1);
        assert!(t.get(LinkId(2), v4).is_some());
        assert_eq!(t.flush_dev(LinkId(1)).len(), 2);
        assert_eq!(t.len(), 1);
    }
}
