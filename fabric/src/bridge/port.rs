//! A bridge port: its number, STP-less state and per-port flags (net/bridge/br_if.c).

use crate::LinkId;

/// A port's state. With STP off the kernel only uses these two: a port forwards while it and
/// its bridge are up and it has carrier, and is disabled otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortState {
    /// Down, or without carrier, or its bridge is down: frames in and out are dropped.
    Disabled,
    /// Learning and forwarding.
    Forwarding,
}

impl PortState {
    /// The kernel's name for the state, as `bridge link` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            PortState::Disabled => "disabled",
            PortState::Forwarding => "forwarding",
        }
    }
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
}
