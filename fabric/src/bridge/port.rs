//! A bridge port: its number, state, per-port flags and spanning tree variables
//! (net/bridge/br_if.c, br_private.h).

use std::time::Duration;

use crate::wire::BridgeId;
use crate::LinkId;

/// A port's state (BR_STATE_*). With STP off a port forwards while it and its bridge are up
/// and it has carrier, and is disabled otherwise; STP adds the other three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// Down, or without carrier, or its bridge is down: frames in and out are dropped.
    Disabled,
    /// STP: neither learns nor forwards, only BPDUs are read.
    Listening,
    /// STP: learns source addresses but forwards nothing.
    Learning,
    /// Learning and forwarding.
    Forwarding,
    /// STP: the port would close a loop; only BPDUs are read.
    Blocking,
}

impl PortState {
    /// The kernel's name for the state, as `bridge link` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            PortState::Disabled => "disabled",
            PortState::Listening => "listening",
            PortState::Learning => "learning",
            PortState::Forwarding => "forwarding",
            PortState::Blocking => "blocking",
        }
    }

    /// The kernel's number for the state (BR_STATE_DISABLED = 0 ... BR_STATE_BLOCKING = 4).
    pub fn number(self) -> u8 {
        match self {
            PortState::Disabled => 0,
            PortState::Listening => 1,
            PortState::Learning => 2,
            PortState::Forwarding => 3,
            PortState::Blocking => 4,
        }
    }
}

/// A port's spanning tree variables (struct net_bridge_port's STP half).
#[derive(Debug, Clone, Default)]
pub struct PortStp {
    /// Priority and number (br_make_port_id).
    pub port_id: u16,
    /// The root as the designated bridge of this port's segment sees it.
    pub designated_root: BridgeId,
    /// The designated bridge's cost to the root.
    pub designated_cost: u32,
    /// The bridge that forwards onto this port's segment.
    pub designated_bridge: BridgeId,
    /// The designated bridge's port on the segment.
    pub designated_port: u16,
    /// When the root's information, as last heard here, left the root.
    pub designated_age: Duration,
    /// Acknowledge a topology change in the next config BPDU.
    pub topology_change_ack: bool,
    /// A config BPDU waits for the hold timer.
    pub config_pending: bool,
    /// The information heard on this port expires then.
    pub message_age_timer: Option<Duration>,
    /// The next step listening → learning → forwarding then.
    pub forward_delay_timer: Option<Duration>,
    /// No config BPDU before then (one a second at most).
    pub hold_timer: Option<Duration>,
    /// When the message age, forward delay and hold timers were armed (see
    /// [`super::stp::Cx::seq`]).
    pub seqs: [u64; 3],
}

/// Per-port switches, as `bridge link set` changes them (BR_LEARNING, BR_FLOOD, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortFlags {
    /// Learn the source MACs of frames arriving on this port.
    pub learning: bool,
    /// Send unknown unicast out of this port.
    pub flood: bool,
    /// Send multicast out of this port.
    pub mcast_flood: bool,
    /// Send broadcast out of this port.
    pub bcast_flood: bool,
    /// Send frames back out of the port they came in on.
    pub hairpin: bool,
}

impl Default for PortFlags {
    fn default() -> Self {
        PortFlags {
            learning: true,
            flood: true,
            mcast_flood: true,
            bcast_flood: true,
            hairpin: false,
        }
    }
}

/// A port of a bridge.
#[derive(Debug, Clone)]
pub struct Port {
    /// The interface enslaved as this port.
    pub link: LinkId,
    /// Port number, the lowest free one from 1 (the kernel's `find_portno`).
    pub port_no: u16,
    /// Current state.
    pub state: PortState,
    /// Flags.
    pub flags: PortFlags,
    /// STP priority (32 unless changed).
    pub priority: u8,
    /// STP path cost (2 for a 10 Gbit/s veth).
    pub cost: u32,
    /// Spanning tree variables; boxed, so that a flood's walk over the ports stays on few
    /// cache lines.
    pub stp: Box<PortStp>,
}
