//! The spanning tree protocol as the Linux bridge runs it in the kernel: 802.1D root
//! election, port roles and states, BPDUs and the timers (net/bridge/br_stp.c,
//! br_stp_if.c, br_stp_bpdu.c, br_stp_timer.c).
//!
//! The wire has no clock: every operation takes a [`Cx`] holding `now` and collects the BPDUs
//! it sends, which the fabric then puts on the ports' wires.

use std::time::Duration;

use super::{Bridge, PortState};
use crate::timer::{kernel_timer, round_jiffies, JIFFY};
use crate::wire::{Bpdu, BridgeId, ConfigBpdu};
use crate::LinkId;

/// The kernel's default hello_time (2 s).
pub const DEFAULT_HELLO_TIME: Duration = Duration::from_secs(2);
/// The kernel's default max_age (20 s).
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(20);
/// The kernel's default forward_delay (15 s).
pub const DEFAULT_FORWARD_DELAY: Duration = Duration::from_secs(15);
/// BR_HOLD_TIME: at most one config BPDU a second on a port.
pub const HOLD_TIME: Duration = Duration::from_secs(1);
/// Ranges of the bridge's timers (BR_MIN_* / BR_MAX_* in br_private.h).
pub const HELLO_TIME_RANGE: (Duration, Duration) =
    (Duration::from_secs(1), Duration::from_secs(10));
/// max_age's range.
pub const MAX_AGE_RANGE: (Duration, Duration) = (Duration::from_secs(6), Duration::from_secs(40));
/// forward_delay's range while STP is on.
pub const FORWARD_DELAY_RANGE: (Duration, Duration) =
    (Duration::from_secs(2), Duration::from_secs(30));
/// Port priorities go up to 63 (BR_MAX_PORT_PRIORITY).
pub const MAX_PORT_PRIORITY: u16 = 63;
/// BR_PORT_BITS: the port number's share of a port id.
const PORT_BITS: u16 = 10;

/// The bridge's spanning tree variables (struct net_bridge's STP half).
#[derive(Debug, Clone)]
pub struct BridgeStp {
    /// This bridge: priority and address.
    pub bridge_id: BridgeId,
    /// The root as this bridge sees it.
    pub designated_root: BridgeId,
    /// This bridge's cost to the root.
    pub root_path_cost: u32,
    /// Number of the root port, 0 on the root.
    pub root_port: u16,
    /// max_age in use (the root's).
    pub max_age: Duration,
    /// hello_time in use (the root's).
    pub hello_time: Duration,
    /// forward_delay in use (the root's).
    pub forward_delay: Duration,
    /// max_age as set on this bridge.
    pub bridge_max_age: Duration,
    /// hello_time as set on this bridge.
    pub bridge_hello_time: Duration,
    /// forward_delay as set on this bridge.
    pub bridge_forward_delay: Duration,
    /// ageing_time as set on this bridge; `Bridge::ageing_time` is the one in use, shorter
    /// while a topology change lasts.
    pub bridge_ageing_time: Duration,
    /// The root says the topology is changing.
    pub topology_change: bool,
    /// This bridge saw a change and has not had it acknowledged.
    pub topology_change_detected: bool,
    /// Next config BPDUs from the root.
    pub hello_timer: Option<Duration>,
    /// Next topology change notice while unacknowledged.
    pub tcn_timer: Option<Duration>,
    /// End of the topology change the root announces.
    pub topology_change_timer: Option<Duration>,
    /// The bridge device is up (IFF_UP).
    pub up: bool,
    /// When the hello, tcn and topology change timers were armed (see [`Cx::seq`]).
    pub seqs: [u64; 3],
}

impl Default for BridgeStp {
    fn default() -> Self {
        BridgeStp {
            bridge_id: BridgeId {
                prio: 0x8000,
                addr: crate::MacAddr::ZERO,
            },
            designated_root: BridgeId {
                prio: 0x8000,
                addr: crate::MacAddr::ZERO,
            },
            root_path_cost: 0,
            root_port: 0,
            max_age: DEFAULT_MAX_AGE,
            hello_time: DEFAULT_HELLO_TIME,
            forward_delay: DEFAULT_FORWARD_DELAY,
            bridge_max_age: DEFAULT_MAX_AGE,
            bridge_hello_time: DEFAULT_HELLO_TIME,
            bridge_forward_delay: DEFAULT_FORWARD_DELAY,
            bridge_ageing_time: super::DEFAULT_AGEING_TIME,
            topology_change: false,
            topology_change_detected: false,
            hello_timer: None,
            tcn_timer: None,
            topology_change_timer: None,
            up: false,
            seqs: [0; 3],
        }
    }
}

/// What happened in one STP step, for the caller to carry out and tell.
#[derive(Debug)]
pub struct Cx {
    /// The lab's time.
    pub now: Duration,
    /// Where the kernel's jiffies stood at time zero (see [`crate::timer::kernel_timer`]).
    pub phase: u64,
    /// BPDUs to send, each out of a port.
    pub out: Vec<(LinkId, Bpdu)>,
    /// What changed in the tree and why, for the trace and the narration.
    pub events: Vec<StpEvent>,
    /// Timers armed so far, counted across the wire: the wheel runs the newest timer of a
    /// bucket first, so each timer keeps its count.
    pub seq: u64,
    /// The port notifications the step sends (br_ifinfo_notify), each with the state it
    /// carries: port index and state, in order.
    pub notify: Vec<(usize, PortState)>,
}

impl Cx {
    /// A step at `now`.
    pub fn new(now: Duration, phase: u64) -> Cx {
        Cx {
            now,
            phase,
            out: Vec::new(),
            events: Vec::new(),
            seq: 0,
            notify: Vec::new(),
        }
    }

    fn at(&mut self, d: Duration) -> Option<Duration> {
        self.seq += 1;
        Some(kernel_timer(self.now, self.now + d, self.phase))
    }

    /// A timer armed with round_jiffies (the hello and hold timers' re-arming).
    fn at_round(&mut self, d: Duration) -> Option<Duration> {
        self.seq += 1;
        Some(round_jiffies(self.now, self.now + d, self.phase))
    }
}

/// A change in a bridge's view of the tree, with what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StpEvent {
    /// The bridge takes itself for root: it has heard of no better bridge.
    BecomesRoot,
    /// The bridge heard of a better root than itself.
    NotRoot {
        /// The root it now follows.
        root: BridgeId,
    },
    /// A port became the root port: the closest way to the root.
    RootPort {
        /// The port.
        port: LinkId,
        /// The root.
        root: BridgeId,
        /// The bridge's cost to the root through it.
        cost: u32,
    },
    /// A port blocks: another bridge is designated for its link, and it is not the root
    /// port.
    Blocks {
        /// The port.
        port: LinkId,
        /// The root.
        root: BridgeId,
        /// The bridge designated for the port's link.
        designated: BridgeId,
        /// The bridge's root port, the closer way to the root, if it has one.
        root_port: Option<LinkId>,
    },
    /// No BPDU came on a port for max_age: what it said is forgotten.
    NeighbourLost {
        /// The port.
        port: LinkId,
        /// The bridge it heard from.
        neighbour: BridgeId,
    },
}

/// One of a bridge's STP timers (a port's by its place in the bridge's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StpTimer {
    /// The root's config BPDUs.
    Hello,
    /// Topology change notices until acknowledged.
    Tcn,
    /// The end of an announced topology change.
    TopologyChange,
    /// A port's heard information expires.
    MessageAge(usize),
    /// A port's next step towards forwarding.
    ForwardDelay(usize),
    /// A port may send a config BPDU again.
    Hold(usize),
}

/// br_make_port_id: the priority in the top six bits, the port number below.
pub fn port_id(priority: u16, port_no: u16) -> u16 {
    (priority << PORT_BITS) | (port_no & ((1 << PORT_BITS) - 1))
}

/// BPDU times are in 1/256 s (br_set_ticks): whole jiffies scaled down.
pub fn to_ticks(d: Duration) -> u16 {
    let j = d.as_nanos() / JIFFY.as_nanos();
    (j * 256 / 250).min(u16::MAX as u128) as u16
}

/// br_get_ticks: 1/256 s back to jiffies, rounded up.
pub fn from_ticks(t: u16) -> Duration {
    let j = (u64::from(t) * 250).div_ceil(256);
    JIFFY * j as u32
}

impl Bridge {
    /// Kernel STP runs on this bridge (stp_state 1).
    fn kernel_stp(&self) -> bool {
        self.stp
    }

    /// br_is_root_bridge.
    pub fn is_root_bridge(&self) -> bool {
        self.st.designated_root == self.st.bridge_id
    }

    fn idx(&self, port_no: u16) -> Option<usize> {
        if port_no == 0 {
            return None;
        }
        self.ports.iter().position(|p| p.port_no == port_no)
    }

    /// br_is_designated_port.
    pub fn is_designated_port(&self, i: usize) -> bool {
        let p = &self.ports[i];
        p.stp.designated_bridge == self.st.bridge_id && p.stp.designated_port == p.stp.port_id
    }

    fn transmit_config(&mut self, i: usize, cx: &mut Cx) {
        if self.ports[i].stp.hold_timer.is_some() {
            self.ports[i].stp.config_pending = true;
            return;
        }
        let message_age = if self.is_root_bridge() {
            Duration::ZERO
        } else {
            match self.idx(self.st.root_port) {
                Some(r) => cx.now.saturating_sub(self.ports[r].stp.designated_age) + JIFFY,
                None => Duration::ZERO,
            }
        };
        let st = &self.st;
        let p = &self.ports[i];
        let bpdu = ConfigBpdu {
            topology_change: st.topology_change,
            topology_change_ack: p.stp.topology_change_ack,
            root: st.designated_root,
            root_path_cost: st.root_path_cost,
            bridge_id: st.bridge_id,
            port_id: p.stp.port_id,
            message_age: to_ticks(message_age),
            max_age: to_ticks(st.max_age),
            hello_time: to_ticks(st.hello_time),
            forward_delay: to_ticks(st.forward_delay),
        };
        if message_age < st.max_age {
            // br_send_config_bpdu sends nothing unless kernel STP runs.
            if self.stp {
                cx.out.push((p.link, Bpdu::Config(bpdu)));
            }
            let hold = cx.at_round(HOLD_TIME);
            let p = &mut self.ports[i];
            p.stp.topology_change_ack = false;
            p.stp.config_pending = false;
            if self.stp {
                p.stp.hold_timer = hold;
                p.stp.seqs[2] = cx.seq;
            }
        }
    }

    /// br_config_bpdu_generation: a config BPDU out of every designated port.
    fn config_bpdu_generation(&mut self, cx: &mut Cx) {
        // As the kernel walks port_list: the newest port first.
        for i in (0..self.ports.len()).rev() {
            if self.ports[i].state != PortState::Disabled && self.is_designated_port(i) {
                self.transmit_config(i, cx);
            }
        }
    }

    fn transmit_tcn(&mut self, cx: &mut Cx) {
        if let Some(r) = self.idx(self.st.root_port) {
            cx.out.push((self.ports[r].link, Bpdu::Tcn));
        }
    }

    fn should_become_root_port(&self, i: usize, root_port: u16) -> bool {
        let p = &self.ports[i];
        if p.state == PortState::Disabled || self.is_designated_port(i) {
            return false;
        }
        if self.st.bridge_id <= p.stp.designated_root {
            return false;
        }
        let Some(r) = self.idx(root_port) else {
            return true;
        };
        let rp = &self.ports[r];
        let key = |p: &super::Port| {
            (
                p.stp.designated_root,
                p.stp.designated_cost + p.cost,
                p.stp.designated_bridge,
                p.stp.designated_port,
                p.stp.port_id,
            )
        };
        key(p) < key(rp)
    }

    fn root_selection(&mut self) {
        let mut root_port = 0;
        for i in 0..self.ports.len() {
            if self.should_become_root_port(i, root_port) {
                root_port = self.ports[i].port_no;
            }
        }
        self.st.root_port = root_port;
        match self.idx(root_port) {
            None => {
                self.st.designated_root = self.st.bridge_id;
                self.st.root_path_cost = 0;
            }
            Some(r) => {
                let p = &self.ports[r];
                self.st.designated_root = p.stp.designated_root;
                self.st.root_path_cost = p.stp.designated_cost + p.cost;
            }
        }
    }

    fn become_designated_port(&mut self, i: usize) {
        let st = &self.st;
        let p = &mut self.ports[i].stp;
        p.designated_root = st.designated_root;
        p.designated_cost = st.root_path_cost;
        p.designated_bridge = st.bridge_id;
        p.designated_port = p.port_id;
    }

    fn should_become_designated_port(&self, i: usize) -> bool {
        if self.is_designated_port(i) {
            return true;
        }
        let p = &self.ports[i].stp;
        if p.designated_root != self.st.designated_root {
            return true;
        }
        (self.st.root_path_cost, self.st.bridge_id, p.port_id)
            < (p.designated_cost, p.designated_bridge, p.designated_port)
    }

    fn designated_port_selection(&mut self) {
        // As the kernel walks port_list: the newest port first.
        for i in (0..self.ports.len()).rev() {
            if self.ports[i].state != PortState::Disabled && self.should_become_designated_port(i) {
                self.become_designated_port(i);
            }
        }
    }

    fn configuration_update(&mut self, cx: &mut Cx) {
        let old = self.st.root_port;
        self.root_selection();
        self.designated_port_selection();
        if self.st.root_port != old {
            if let Some(r) = self.idx(self.st.root_port) {
                cx.events.push(StpEvent::RootPort {
                    port: self.ports[r].link,
                    root: self.st.designated_root,
                    cost: self.st.root_path_cost,
                });
            }
        }
    }

    fn become_root_bridge(&mut self, cx: &mut Cx) {
        cx.events.push(StpEvent::BecomesRoot);
        self.st.max_age = self.st.bridge_max_age;
        self.st.hello_time = self.st.bridge_hello_time;
        self.st.forward_delay = self.st.bridge_forward_delay;
        self.topology_change_detection(cx);
        self.st.tcn_timer = None;
        if self.st.up {
            self.config_bpdu_generation(cx);
            self.st.hello_timer = cx.at(self.st.hello_time);
            self.st.seqs[0] = cx.seq;
        }
    }

    fn topology_change_detection(&mut self, cx: &mut Cx) {
        if !self.kernel_stp() {
            return;
        }
        let root = self.is_root_bridge();
        if root {
            self.set_topology_change(true);
            self.st.topology_change_timer =
                cx.at(self.st.bridge_forward_delay + self.st.bridge_max_age);
            self.st.seqs[2] = cx.seq;
        } else if !self.st.topology_change_detected {
            self.transmit_tcn(cx);
            self.st.tcn_timer = cx.at(self.st.bridge_hello_time);
            self.st.seqs[1] = cx.seq;
        }
        self.st.topology_change_detected = true;
    }

    /// __br_set_topology_change: while the topology changes, learned entries age faster.
    fn set_topology_change(&mut self, on: bool) {
        if self.kernel_stp() && self.st.topology_change != on {
            self.ageing_time = if on {
                self.st.forward_delay * 2
            } else {
                self.st.bridge_ageing_time
            };
        }
        self.st.topology_change = on;
    }

    /// How long a learned entry lives now (br_fdb.c's hold_time): forward_delay while the
    /// topology changes.
    pub fn hold_time(&self) -> Duration {
        if self.st.topology_change {
            self.st.forward_delay
        } else {
            self.ageing_time
        }
    }

    fn set_state(&mut self, i: usize, state: PortState) {
        self.ports[i].state = state;
    }

    /// br_ifinfo_notify(RTM_NEWLINK) for port `i`, with the state it has now.
    fn notify(&self, i: usize, cx: &mut Cx) {
        cx.notify.push((i, self.ports[i].state));
    }

    fn make_forwarding(&mut self, i: usize, cx: &mut Cx) {
        if self.ports[i].state != PortState::Blocking {
            return;
        }
        if !self.kernel_stp() || self.st.forward_delay.is_zero() {
            self.set_state(i, PortState::Forwarding);
            self.topology_change_detection(cx);
            self.ports[i].stp.forward_delay_timer = None;
        } else {
            self.set_state(i, PortState::Listening);
        }
        self.notify(i, cx);
        if !self.st.forward_delay.is_zero() {
            self.ports[i].stp.forward_delay_timer = cx.at(self.st.forward_delay);
            self.ports[i].stp.seqs[1] = cx.seq;
        }
    }

    fn make_blocking(&mut self, i: usize, cx: &mut Cx) {
        let s = self.ports[i].state;
        if s != PortState::Disabled && s != PortState::Blocking {
            if s == PortState::Forwarding || s == PortState::Learning {
                self.topology_change_detection(cx);
            }
            self.set_state(i, PortState::Blocking);
            self.notify(i, cx);
            cx.events.push(StpEvent::Blocks {
                port: self.ports[i].link,
                root: self.st.designated_root,
                designated: self.ports[i].stp.designated_bridge,
                root_port: self.idx(self.st.root_port).map(|r| self.ports[r].link),
            });
            self.ports[i].stp.forward_delay_timer = None;
        }
    }

    /// br_port_state_selection: root and designated ports go towards forwarding, the rest
    /// block.
    fn port_state_selection(&mut self, cx: &mut Cx) {
        // As the kernel walks port_list: the newest port first.
        for i in (0..self.ports.len()).rev() {
            if self.ports[i].state == PortState::Disabled {
                continue;
            }
            if self.ports[i].port_no == self.st.root_port {
                let p = &mut self.ports[i].stp;
                p.config_pending = false;
                p.topology_change_ack = false;
                self.make_forwarding(i, cx);
            } else if self.is_designated_port(i) {
                self.ports[i].stp.message_age_timer = None;
                self.make_forwarding(i, cx);
            } else {
                let p = &mut self.ports[i].stp;
                p.config_pending = false;
                p.topology_change_ack = false;
                self.make_blocking(i, cx);
            }
        }
    }

    /// br_init_port's identifiers for a port just added (new_nbp): its id, and itself as
    /// its segment's designated port.
    pub fn stp_init_port(&mut self, i: usize) {
        let p = &mut self.ports[i];
        p.stp.port_id = port_id(u16::from(p.priority), p.port_no);
        self.become_designated_port(i);
    }

    /// br_stp_enable_port: a port whose device came up joins as a designated, blocking port.
    pub fn stp_enable_port(&mut self, i: usize, cx: &mut Cx) {
        let p = &mut self.ports[i];
        p.stp.port_id = port_id(u16::from(p.priority), p.port_no);
        self.become_designated_port(i);
        self.set_state(i, PortState::Blocking);
        let p = &mut self.ports[i].stp;
        p.topology_change_ack = false;
        p.config_pending = false;
        self.port_state_selection(cx);
        self.notify(i, cx);
    }

    /// br_stp_disable_port: a port whose device went down.
    pub fn stp_disable_port(&mut self, i: usize, cx: &mut Cx) {
        let was_root = self.is_root_bridge();
        self.become_designated_port(i);
        self.set_state(i, PortState::Disabled);
        self.notify(i, cx);
        let link = self.ports[i].link;
        let p = &mut self.ports[i].stp;
        p.topology_change_ack = false;
        p.config_pending = false;
        p.message_age_timer = None;
        p.forward_delay_timer = None;
        p.hold_timer = None;
        self.fdb.flush_port(link, false);
        self.configuration_update(cx);
        self.port_state_selection(cx);
        if self.is_root_bridge() && !was_root {
            self.become_root_bridge(cx);
        }
    }

    /// br_stp_enable_bridge: the bridge device came up.
    pub fn stp_enable_bridge(&mut self, cx: &mut Cx) {
        self.st.up = true;
        if self.kernel_stp() {
            self.st.hello_timer = cx.at(self.st.hello_time);
            self.st.seqs[0] = cx.seq;
        }
        self.config_bpdu_generation(cx);
    }

    /// br_stp_disable_bridge: the bridge device went down (its ports are disabled by the
    /// caller, one by one, as their states follow).
    pub fn stp_disable_bridge(&mut self) {
        self.set_topology_change(false);
        self.st.topology_change_detected = false;
        self.st.hello_timer = None;
        self.st.topology_change_timer = None;
        self.st.tcn_timer = None;
        self.st.up = false;
    }

    /// br_stp_set_enabled: `stp_state 1` starts kernel STP, 0 stops it (ports keep their
    /// states until the next selection, as on the kernel).
    pub fn stp_set_enabled(&mut self, on: bool, cx: &mut Cx) {
        if on == self.stp {
            return;
        }
        self.stp = on;
        if on {
            let (lo, hi) = FORWARD_DELAY_RANGE;
            let fd = self.st.bridge_forward_delay.clamp(lo, hi);
            if fd != self.st.bridge_forward_delay {
                self.set_bridge_forward_delay(fd);
            }
            if self.st.up {
                self.st.hello_timer = cx.at(self.st.hello_time);
                self.st.seqs[0] = cx.seq;
            }
            self.port_state_selection(cx);
        }
    }

    fn set_bridge_forward_delay(&mut self, d: Duration) {
        self.st.bridge_forward_delay = d;
        if self.is_root_bridge() {
            self.st.forward_delay = d;
        }
    }

    /// br_set_forward_delay: out of range only matters while STP is on.
    pub fn stp_set_forward_delay(&mut self, d: Duration) -> bool {
        let (lo, hi) = FORWARD_DELAY_RANGE;
        if self.stp && (d < lo || d > hi) {
            return false;
        }
        self.set_bridge_forward_delay(d);
        true
    }

    /// br_set_hello_time.
    pub fn stp_set_hello_time(&mut self, d: Duration) -> bool {
        let (lo, hi) = HELLO_TIME_RANGE;
        if d < lo || d > hi {
            return false;
        }
        self.st.bridge_hello_time = d;
        if self.is_root_bridge() {
            self.st.hello_time = d;
        }
        true
    }

    /// br_set_max_age.
    pub fn stp_set_max_age(&mut self, d: Duration) -> bool {
        let (lo, hi) = MAX_AGE_RANGE;
        if d < lo || d > hi {
            return false;
        }
        self.st.bridge_max_age = d;
        if self.is_root_bridge() {
            self.st.max_age = d;
        }
        true
    }

    /// br_set_ageing_time: both the configured and the one in use (the end of a topology
    /// change restores the configured one).
    pub fn stp_set_ageing_time(&mut self, d: Duration) {
        self.st.bridge_ageing_time = d;
        self.ageing_time = d;
    }

    fn after_id_change(&mut self, was_root: bool, cx: &mut Cx) {
        self.configuration_update(cx);
        self.port_state_selection(cx);
        if self.is_root_bridge() && !was_root {
            self.become_root_bridge(cx);
        }
    }

    /// br_stp_change_bridge_id: the bridge's address changed.
    pub fn stp_change_bridge_addr(&mut self, addr: crate::MacAddr, cx: &mut Cx) {
        let old = self.st.bridge_id.addr;
        if old == addr {
            return;
        }
        let was_root = self.is_root_bridge();
        self.st.bridge_id.addr = addr;
        for p in &mut self.ports {
            if p.stp.designated_bridge.addr == old {
                p.stp.designated_bridge.addr = addr;
            }
            if p.stp.designated_root.addr == old {
                p.stp.designated_root.addr = addr;
            }
        }
        if self.st.designated_root.addr == old {
            self.st.designated_root.addr = addr;
        }
        self.after_id_change(was_root, cx);
    }

    /// br_stp_set_bridge_priority.
    pub fn stp_set_bridge_priority(&mut self, prio: u16, cx: &mut Cx) {
        let was_root = self.is_root_bridge();
        for i in 0..self.ports.len() {
            if self.ports[i].state != PortState::Disabled && self.is_designated_port(i) {
                self.ports[i].stp.designated_bridge.prio = prio;
            }
        }
        self.st.bridge_id.prio = prio;
        self.priority = prio;
        self.after_id_change(was_root, cx);
    }

    /// br_stp_set_port_priority (the caller checks the range).
    pub fn stp_set_port_priority(&mut self, i: usize, prio: u8, cx: &mut Cx) {
        let new_id = port_id(u16::from(prio), self.ports[i].port_no);
        if self.is_designated_port(i) {
            self.ports[i].stp.designated_port = new_id;
        }
        self.ports[i].stp.port_id = new_id;
        self.ports[i].priority = prio;
        let p = &self.ports[i].stp;
        if p.designated_bridge == self.st.bridge_id && p.port_id < p.designated_port {
            self.become_designated_port(i);
            self.port_state_selection(cx);
        }
    }

    /// br_stp_set_path_cost (the caller checks the range).
    pub fn stp_set_path_cost(&mut self, i: usize, cost: u32, cx: &mut Cx) {
        self.ports[i].cost = cost;
        self.configuration_update(cx);
        self.port_state_selection(cx);
    }

    /// br_stp_rcv: a BPDU came in on port `i` (addressed to the group address; the caller
    /// checked that kernel STP runs).
    pub fn stp_receive(&mut self, i: usize, bpdu: &Bpdu, cx: &mut Cx) {
        if !self.kernel_stp() || !self.st.up || self.ports[i].state == PortState::Disabled {
            return;
        }
        match bpdu {
            Bpdu::Tcn => self.received_tcn(i, cx),
            Bpdu::Config(c) => {
                if c.message_age > c.max_age {
                    return;
                }
                self.received_config(i, c, cx)
            }
        }
    }

    fn supersedes_port_info(&self, i: usize, b: &ConfigBpdu) -> bool {
        let p = &self.ports[i].stp;
        match (b.root, b.root_path_cost, b.bridge_id).cmp(&(
            p.designated_root,
            p.designated_cost,
            p.designated_bridge,
        )) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => {
                b.bridge_id != self.st.bridge_id || b.port_id <= p.designated_port
            }
        }
    }

    fn received_config(&mut self, i: usize, b: &ConfigBpdu, cx: &mut Cx) {
        let was_root = self.is_root_bridge();
        if self.supersedes_port_info(i, b) {
            let age = from_ticks(b.message_age);
            let max_age = from_ticks(b.max_age);
            let at = cx.at(max_age.saturating_sub(age));
            let p = &mut self.ports[i].stp;
            p.designated_root = b.root;
            p.designated_cost = b.root_path_cost;
            p.designated_bridge = b.bridge_id;
            p.designated_port = b.port_id;
            p.designated_age = cx.now.saturating_sub(age);
            p.message_age_timer = at;
            p.seqs[0] = cx.seq;
            self.configuration_update(cx);
            self.port_state_selection(cx);
            if !self.is_root_bridge() && was_root {
                cx.events.push(StpEvent::NotRoot {
                    root: self.st.designated_root,
                });
                self.st.hello_timer = None;
                if self.st.topology_change_detected {
                    self.st.topology_change_timer = None;
                    self.transmit_tcn(cx);
                    self.st.tcn_timer = cx.at(self.st.bridge_hello_time);
                    self.st.seqs[1] = cx.seq;
                }
            }
            if self.ports[i].port_no == self.st.root_port {
                self.st.max_age = max_age;
                self.st.hello_time = from_ticks(b.hello_time);
                self.st.forward_delay = from_ticks(b.forward_delay);
                self.set_topology_change(b.topology_change);
                self.config_bpdu_generation(cx);
                if b.topology_change_ack {
                    self.st.topology_change_detected = false;
                    self.st.tcn_timer = None;
                }
            }
        } else if self.is_designated_port(i) {
            self.transmit_config(i, cx);
        }
    }

    fn received_tcn(&mut self, i: usize, cx: &mut Cx) {
        if self.is_designated_port(i) {
            self.topology_change_detection(cx);
            self.ports[i].stp.topology_change_ack = true;
            self.transmit_config(i, cx);
        }
    }

    /// When the next STP timer of this bridge is due.
    pub fn stp_next_timer(&self) -> Option<Duration> {
        let st = &self.st;
        let mut t = [st.hello_timer, st.tcn_timer, st.topology_change_timer]
            .into_iter()
            .flatten()
            .min();
        for p in &self.ports {
            for x in [
                p.stp.message_age_timer,
                p.stp.forward_delay_timer,
                p.stp.hold_timer,
            ]
            .into_iter()
            .flatten()
            {
                t = Some(t.map_or(x, |t: Duration| t.min(x)));
            }
        }
        t
    }

    /// The STP timers due at `now`: when each fires, when it was armed, and which it is.
    /// The last field is left for the caller (the fabric files the bridge there).
    pub fn stp_due_timers(&self, now: Duration, out: &mut Vec<(Duration, u64, StpTimer, LinkId)>) {
        let st = &self.st;
        for (t, seq, which) in [
            (st.hello_timer, st.seqs[0], StpTimer::Hello),
            (st.tcn_timer, st.seqs[1], StpTimer::Tcn),
            (
                st.topology_change_timer,
                st.seqs[2],
                StpTimer::TopologyChange,
            ),
        ] {
            if let Some(t) = t.filter(|t| *t <= now) {
                out.push((t, seq, which, LinkId(0)));
            }
        }
        for (i, p) in self.ports.iter().enumerate() {
            let ps = &p.stp;
            for (t, seq, which) in [
                (ps.message_age_timer, ps.seqs[0], StpTimer::MessageAge(i)),
                (
                    ps.forward_delay_timer,
                    ps.seqs[1],
                    StpTimer::ForwardDelay(i),
                ),
                (ps.hold_timer, ps.seqs[2], StpTimer::Hold(i)),
            ] {
                if let Some(t) = t.filter(|t| *t <= now) {
                    out.push((t, seq, which, LinkId(0)));
                }
            }
        }
    }

    /// Runs one STP timer if it is still the one armed as `seq` and due (br_stp_timer.c).
    pub fn stp_run_timer(&mut self, which: StpTimer, seq: u64, cx: &mut Cx) {
        let now = cx.now;
        let due = |t: Option<Duration>, s: u64| s == seq && t.is_some_and(|t| t <= now);
        match which {
            StpTimer::Hello if due(self.st.hello_timer, self.st.seqs[0]) => {
                self.st.hello_timer = None;
                if self.st.up {
                    self.config_bpdu_generation(cx);
                    if self.kernel_stp() {
                        self.st.hello_timer = cx.at_round(self.st.hello_time);
                        self.st.seqs[0] = cx.seq;
                    }
                }
            }
            StpTimer::Tcn if due(self.st.tcn_timer, self.st.seqs[1]) => {
                self.st.tcn_timer = None;
                if !self.is_root_bridge() && self.st.up {
                    self.transmit_tcn(cx);
                    self.st.tcn_timer = cx.at(self.st.bridge_hello_time);
                    self.st.seqs[1] = cx.seq;
                }
            }
            StpTimer::TopologyChange if due(self.st.topology_change_timer, self.st.seqs[2]) => {
                self.st.topology_change_timer = None;
                self.st.topology_change_detected = false;
                self.set_topology_change(false);
            }
            StpTimer::MessageAge(i) => {
                if let Some(p) = self.ports.get(i).map(|p| &p.stp) {
                    if due(p.message_age_timer, p.seqs[0]) {
                        self.ports[i].stp.message_age_timer = None;
                        self.message_age_expired(i, cx);
                    }
                }
            }
            StpTimer::ForwardDelay(i) => {
                if let Some(p) = self.ports.get(i).map(|p| &p.stp) {
                    if due(p.forward_delay_timer, p.seqs[1]) {
                        self.ports[i].stp.forward_delay_timer = None;
                        self.forward_delay_expired(i, cx);
                    }
                }
            }
            StpTimer::Hold(i) => {
                if let Some(p) = self.ports.get(i).map(|p| &p.stp) {
                    if due(p.hold_timer, p.seqs[2]) {
                        self.ports[i].stp.hold_timer = None;
                        if self.ports[i].stp.config_pending {
                            self.transmit_config(i, cx);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn message_age_expired(&mut self, i: usize, cx: &mut Cx) {
        if self.ports[i].state == PortState::Disabled {
            return;
        }
        let id = self.ports[i].stp.designated_bridge;
        cx.events.push(StpEvent::NeighbourLost {
            port: self.ports[i].link,
            neighbour: id,
        });
        let was_root = self.is_root_bridge();
        self.become_designated_port(i);
        self.configuration_update(cx);
        self.port_state_selection(cx);
        if self.is_root_bridge() && !was_root {
            self.become_root_bridge(cx);
        }
    }

    fn forward_delay_expired(&mut self, i: usize, cx: &mut Cx) {
        match self.ports[i].state {
            PortState::Listening => {
                self.set_state(i, PortState::Learning);
                self.ports[i].stp.forward_delay_timer = cx.at(self.st.forward_delay);
                self.ports[i].stp.seqs[1] = cx.seq;
            }
            PortState::Learning => {
                self.set_state(i, PortState::Forwarding);
                let designated = (0..self.ports.len()).any(|j| self.is_designated_port(j));
                if designated {
                    self.topology_change_detection(cx);
                }
            }
            _ => {}
        }
        self.notify(i, cx);
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn ticks_round_trip_the_default_timers() {
        for d in [DEFAULT_HELLO_TIME, DEFAULT_MAX_AGE, DEFAULT_FORWARD_DELAY] {
            assert_eq!(from_ticks(to_ticks(d)), d);
        }
        assert_eq!(to_ticks(DEFAULT_HELLO_TIME), 512);
        assert_eq!(port_id(32, 1), 0x8001);
    }
}
