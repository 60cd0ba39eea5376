//! Interfaces as the wire sees them: kind, MAC, MTU, admin state, carrier, counters.

use crate::bridge::Bridge;
use crate::MacAddr;

/// Identifies an interface of any kind in the fabric; stable for its lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkId(pub u32);

/// What kind of interface a link is.
#[derive(Debug)]
pub enum LinkKind {
    /// `lo`: frames sent come straight back.
    Loopback,
    /// One end of a veth pair.
    Veth {
        /// The other end.
        peer: LinkId,
    },
    /// A bridge device, with its ports and FDB.
    Bridge(Box<Bridge>),
    /// A frame sink with no far side (a dummy interface).
    Dummy,
    /// A port into the real kernel through a TAP device: frames sent out of it wait in
    /// [`crate::Fabric::drain_tap_out`] for the device, frames the kernel sends come in
    /// through [`crate::Fabric::receive`].
    Tap,
}

impl LinkKind {
    /// iproute2's name for the kind (`ip -d link` prints it).
    pub fn name(&self) -> &'static str {
        match self {
            LinkKind::Loopback => "loopback",
            LinkKind::Veth { .. } => "veth",
            LinkKind::Bridge(_) => "bridge",
            LinkKind::Dummy => "dummy",
            LinkKind::Tap => "tap",
        }
    }
}

/// Per-interface counters, as `ip -s link` shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Frames received.
    pub rx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Frames received and dropped.
    pub rx_dropped: u64,
    /// Frames sent.
    pub tx_packets: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Frames that could not be sent (no carrier, down).
    pub tx_dropped: u64,
    /// Multicast frames (not broadcast) a bridge passed up to itself (`mcast`).
    pub rx_multicast: u64,
    /// Times the device's carrier bit flipped (IFLA_CARRIER_CHANGES, `transns`).
    pub carrier_changes: u64,
}

/// Default MTU of Ethernet-like interfaces.
pub const ETH_DATA_LEN: u32 = 1500;
/// MTU of `lo`.
pub const LOOPBACK_MTU: u32 = 65536;

/// An interface on the wire.
#[derive(Debug)]
pub struct Link {
    /// Its kind and kind-specific state.
    pub kind: LinkKind,
    /// Its MAC address.
    pub mac: MacAddr,
    /// Its MTU.
    pub mtu: u32,
    /// Administratively up (IFF_UP).
    pub admin_up: bool,
    /// Has carrier (IFF_LOWER_UP), derived from the kind's rule.
    pub carrier: bool,
    /// The kernel's own carrier bit (not __LINK_STATE_NOCARRIER), which unlike
    /// `carrier` does not follow the admin state: what `carrier_changes` counts flips of.
    pub carrier_bit: bool,
    /// Promiscuity count (tcpdump raises it while it runs).
    pub promisc: u32,
    /// The bridge this interface is a port of.
    pub master: Option<LinkId>,
    /// Counters.
    pub counters: Counters,
    /// Number of captures on this interface; frames are copied out while it is not zero.
    pub captures: u32,
}

impl Link {
    /// A new link of `kind`, down.
    pub fn new(kind: LinkKind, mac: MacAddr, mtu: u32) -> Link {
        Link {
            kind,
            mac,
            mtu,
            admin_up: false,
            carrier: false,
            // Every device registers with carrier; a veth drops it at once (veth_newlink).
            carrier_bit: true,
            promisc: 0,
            master: None,
            counters: Counters::default(),
            captures: 0,
        }
    }

    /// The bridge state, if this is a bridge.
    pub fn bridge(&self) -> Option<&Bridge> {
        match &self.kind {
            LinkKind::Bridge(b) => Some(b),
            _ => None,
        }
    }

    /// The bridge state, if this is a bridge, to change it.
    pub fn bridge_mut(&mut self) -> Option<&mut Bridge> {
        match &mut self.kind {
            LinkKind::Bridge(b) => Some(b),
            _ => None,
        }
    }

    /// Operationally up: admin up with carrier.
    pub fn oper_up(&self) -> bool {
        self.admin_up && self.carrier
    }
}
