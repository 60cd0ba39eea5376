//! The learning bridge, modelled on the Linux bridge (net/bridge/): ports, the FDB with
//! ageing and a bound, flooding, and the bridge's own address (br_device.c, br_if.c).

pub mod fdb;
pub mod forward;
pub mod input;
pub mod port;
pub mod stp;

use std::num::NonZeroUsize;
use std::time::Duration;

pub use fdb::{Fdb, FdbChange, FdbEntry, FdbKind, LearnOutcome};
pub use input::{FloodKind, Verdict};
pub use port::{Port, PortFlags, PortState, PortStp};
pub use stp::BridgeStp;

use crate::{LinkId, MacAddr};

/// The kernel's default `ageing_time`: 300 s (iproute2 shows 30000 centiseconds).
pub const DEFAULT_AGEING_TIME: Duration = Duration::from_secs(300);

/// The collector's first run after the bridge comes up (br_stp_enable_bridge: HZ/10).
pub const GC_FIRST_RUN: Duration = Duration::from_millis(100);

/// The bridge-specific state of a bridge device.
#[derive(Debug)]
pub struct Bridge {
    /// Ports, in the order they were added.
    pub ports: Vec<Port>,
    /// The forwarding database.
    pub fdb: Fdb,
    /// How long a learned entry lives without being seen.
    pub ageing_time: Duration,
    /// True once the user set the bridge's MAC: it then no longer follows its ports'.
    pub mac_set_by_user: bool,
    /// True once the user set the bridge's MTU: it then no longer follows its ports'.
    pub mtu_set_by_user: bool,
    /// STP priority of the bridge (the `8000` in `8000.aabbccddeeff`).
    pub priority: u16,
    /// Kernel STP on (`stp_state 1`) or off.
    pub stp: bool,
    /// An Open vSwitch bridge (its NORMAL action: the same learning and flooding) rather than
    /// a Linux bridge: it forwards whether or not its internal port is up, keeps no local
    /// entries for its ports' addresses, and its device is only its internal port.
    pub ovs: bool,
    /// An Open vSwitch bridge whose flow table is empty (fail mode secure, no controller):
    /// it drops every frame.
    pub no_flows: bool,
    /// The spanning tree's variables and timers (see [`stp`]); boxed, as the frame path
    /// never reads them and the fields it does read stay close together.
    pub st: Box<BridgeStp>,
    /// When the collector runs next, while the bridge is up.
    pub gc_next: Option<Duration>,
    /// How many ports are forwarding; the bridge has carrier while this is not zero.
    pub forwarding_ports: usize,
    /// A port has been added at some time: the kernel's port state selection has run, and
    /// from then on the bridge has carrier only while a port forwards, even with no ports
    /// left (br_port_state_selection; until then an up bridge keeps the carrier it was born
    /// with, and its operstate stays UNKNOWN).
    pub had_ports: bool,
    /// Where each interface sits in `ports`, by `LinkId` (`NO_PORT` if it is no port): the
    /// frame path finds its port in one load, whatever the number of ports.
    /// Kept by `push_port` and `remove_port`; lookups check what it says.
    port_index: Vec<u32>,
    /// Port numbers in use, one bit each, so the lowest free one is found a word at a time.
    port_nos: Vec<u64>,
    /// The smallest MTU and lowest MAC of the ports, as last computed (see
    /// `Fabric::port_min`).
    pub(crate) port_min: Option<PortMin>,
    /// `ports.len()` when the bitmap was last brought up to date; if `ports` was changed from
    /// outside since, it is not trusted and `free_port_no` scans.
    indexed_len: usize,
}

/// The smallest MTU and lowest MAC over a bridge's ports, valid while the fabric's
/// generation is `gen` and the bridge has `ports` ports.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PortMin {
    pub(crate) gen: u64,
    pub(crate) ports: usize,
    pub(crate) mtu: Option<u32>,
    pub(crate) mac: Option<MacAddr>,
}

/// No port in [`Bridge`]'s index.
const NO_PORT: u32 = u32::MAX;

impl Bridge {
    /// A bridge with no ports and the kernel's defaults.
    pub fn new(max_learned: NonZeroUsize) -> Bridge {
        Bridge {
            ports: Vec::new(),
            fdb: Fdb::new(max_learned),
            ovs: false,
            no_flows: false,
            ageing_time: DEFAULT_AGEING_TIME,
            mac_set_by_user: false,
            mtu_set_by_user: false,
            priority: 0x8000,
            stp: false,
            st: Box::default(),
            gc_next: None,
            forwarding_ports: 0,
            had_ports: false,
            port_index: Vec::new(),
            port_nos: Vec::new(),
            indexed_len: 0,
            port_min: None,
        }
    }

    /// Position in `ports` of the port whose interface is `link`: one load through the index;
    /// a miss (not a port, or `ports` changed from outside) is checked by a scan.
    #[inline(always)]
    fn position(&self, link: LinkId) -> Option<usize> {
        if let Some(&i) = self.port_index.get(link.0 as usize) {
            if self.ports.get(i as usize).is_some_and(|p| p.link == link) {
                return Some(i as usize);
            }
        }
        self.scan(link)
    }

    /// `position` when the index misses: kept out of line, the frame path rarely comes here.
    #[inline(never)]
    fn scan(&self, link: LinkId) -> Option<usize> {
        self.ports.iter().position(|p| p.link == link)
    }

    /// The port whose interface is `link`.
    #[inline(always)]
    pub fn port(&self, link: LinkId) -> Option<&Port> {
        // `position` spelled out: the port found through the index is the one returned,
        // without a second bounds check.
        if let Some(&i) = self.port_index.get(link.0 as usize) {
            if let Some(p) = self.ports.get(i as usize).filter(|p| p.link == link) {
                return Some(p);
            }
        }
        self.scan(link).and_then(|i| self.ports.get(i))
    }

    /// The port whose interface is `link`, to change it.
    pub fn port_mut(&mut self, link: LinkId) -> Option<&mut Port> {
        self.position(link).map(|i| &mut self.ports[i])
    }

    /// The lowest port number not in use (find_portno).
    pub fn free_port_no(&self) -> u16 {
        if self.indexed_len != self.ports.len() {
            let mut n = 1u16;
            while self.ports.iter().any(|p| p.port_no == n) {
                n += 1;
            }
            return n;
        }
        // Bit 0 stands for port number 0, which is never given: start from 1.
        for (w, &bits) in self.port_nos.iter().enumerate() {
            let free = !bits & if w == 0 { !1u64 } else { !0u64 };
            if free != 0 {
                return (w * 64 + free.trailing_zeros() as usize) as u16;
            }
        }
        (self.port_nos.len() * 64).max(1) as u16
    }

    /// Adds a port at the end (br_add_if's list_add_rcu), keeping the indexes.
    pub(crate) fn push_port(&mut self, port: Port) {
        if self.indexed_len != self.ports.len() {
            self.ports.push(port);
            return self.reindex();
        }
        self.note_port(self.ports.len(), &port);
        self.ports.push(port);
        self.indexed_len = self.ports.len();
    }

    /// Removes the port whose interface is `link`, keeping the others' order.
    pub(crate) fn remove_port(&mut self, link: LinkId) -> Option<Port> {
        let i = self.position(link)?;
        let p = self.ports.remove(i);
        self.reindex();
        Some(p)
    }

    fn note_port(&mut self, i: usize, p: &Port) {
        let l = p.link.0 as usize;
        if self.port_index.len() <= l {
            self.port_index.resize(l + 1, NO_PORT);
        }
        self.port_index[l] = i as u32;
        let (w, b) = (p.port_no as usize / 64, p.port_no as usize % 64);
        if self.port_nos.len() <= w {
            self.port_nos.resize(w + 1, 0);
        }
        self.port_nos[w] |= 1 << b;
    }

    /// Rebuilds the port index and the port-number bitmap from `ports`.
    fn reindex(&mut self) {
        self.port_index.fill(NO_PORT);
        self.port_nos.fill(0);
        let ports = std::mem::take(&mut self.ports);
        for (i, p) in ports.iter().enumerate() {
            self.note_port(i, p);
        }
        self.ports = ports;
        self.indexed_len = self.ports.len();
    }

    /// The ports in the order a flood serves them: newest first, as br_add_if adds a port
    /// at the head of the kernel's list and br_flood walks it from there.
    pub fn flood_order(&self) -> std::iter::Rev<std::slice::Iter<'_, Port>> {
        self.ports.iter().rev()
    }

    /// The MAC the bridge takes from its ports when the user has not set one: the lowest
    /// (br_stp_recalculate_bridge_id). `None` when it has no ports: it keeps what it had.
    pub fn mac_from_ports(&self, port_mac: impl Fn(LinkId) -> MacAddr) -> Option<MacAddr> {
        self.ports.iter().map(|p| port_mac(p.link)).min()
    }
}
