//! The learning bridge, modelled on the Linux bridge (net/bridge/): ports, the FDB with
//! ageing and a bound, flooding, and the bridge's own address (br_device.c, br_if.c).

pub mod fdb;
pub mod forward;
pub mod input;
pub mod port;

use std::num::NonZeroUsize;
use std::time::Duration;

pub use fdb::{Fdb, FdbEntry, FdbKind, LearnOutcome};
pub use input::{FloodKind, Verdict};
pub use port::{Port, PortFlags, PortState};

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
    /// STP priority of the bridge (the `8000` in `8000.aabbccddeeff`).
    pub priority: u16,
    /// STP on or off (only off is modelled; `brctl stp br0 on` is recorded and shown).
    pub stp: bool,
    /// When the collector runs next, while the bridge is up.
    pub gc_next: Option<Duration>,
    /// How many ports are forwarding; the bridge has carrier while this is not zero.
    pub forwarding_ports: usize,
}

impl Bridge {
    /// A bridge with no ports and the kernel's defaults.
    pub fn new(max_learned: NonZeroUsize) -> Bridge {
        Bridge {
            ports: Vec::new(),
            fdb: Fdb::new(max_learned),
            ageing_time: DEFAULT_AGEING_TIME,
            mac_set_by_user: false,
            priority: 0x8000,
            stp: false,
            gc_next: None,
            forwarding_ports: 0,
        }
    }

    /// The port whose interface is `link`.
    pub fn port(&self, link: LinkId) -> Option<&Port> {
        self.ports.iter().find(|p| p.link == link)
    }

    /// The port whose interface is `link`, to change it.
    pub fn port_mut(&mut self, link: LinkId) -> Option<&mut Port> {
        self.ports.iter_mut().find(|p| p.link == link)
    }

    /// The lowest port number not in use (find_portno).
    pub fn free_port_no(&self) -> u16 {
        let mut n = 1u16;
        while self.ports.iter().any(|p| p.port_no == n) {
            n += 1;
        }
        n
    }

    /// The MAC the bridge takes from its ports when the user has not set one: the lowest
    /// (br_stp_recalculate_bridge_id). `None` when it has no ports: it keeps what it had.
    pub fn mac_from_ports(&self, port_mac: impl Fn(LinkId) -> MacAddr) -> Option<MacAddr> {
        self.ports.iter().map(|p| port_mac(p.link)).min()
    }
}
