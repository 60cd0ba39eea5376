//! The wire of l2lab: frames, veth pairs with carrier, and the learning bridge.
//!
//! This layer has no clock: every call that needs time takes `now`, the lab's time since it
//! started. Every frame's journey yields [`Decision`] records when recording is on.

pub mod bridge;
pub mod decision;
pub mod fabric;
pub mod link;
pub mod mac;
#[cfg(feature = "tap")]
pub mod tap;
mod tap_port;
pub mod timer;
pub mod wire;

pub use bridge::{Bridge, Fdb, FdbChange, FdbEntry, FdbKind, Port, PortFlags, PortState};
pub use decision::{Decision, DropReason, Record};
pub use fabric::{Captured, Direction, Fabric, FabricError, PortNote};
pub use link::{Counters, Link, LinkId, LinkKind};
pub use mac::MacAddr;
