//! The world of l2lab: namespaces as isolated IPv4 stacks on the wire of `l2lab-fabric`, the
//! clock (virtual or real) that drives every timer, captures, and the event log.
//!
//! Start with [`Lab`]: create namespaces, veth pairs and bridges, set addresses and routes,
//! send pings, advance time, read tables and captures.

mod api_brg;
mod api_ipa;
pub mod api_ipr;
pub mod api_mon;
mod api_rpl;
pub mod capture;
pub mod clock;
pub mod error;
pub mod event;
pub mod lab;
mod lookup;
pub mod narrate;
pub mod netfilter;
pub mod ovs;
pub mod ping;
pub mod stack;
pub mod tap;
pub mod trace;
pub mod uplink;

pub use api_brg::StpTimer;
pub use capture::{Capture, CaptureId, CapturedFrame};
pub use clock::Clock;
pub use error::{LabError, LabResult};
pub use event::{Event, EventKind};
pub use lab::{Iface, Lab, LabConfig, Namespace, NsId};
pub use ping::{PingError, PingEvent, PingId, PingOptions, PingSession, Pmtudisc};
pub use stack::addr::{IfAddr, Ipv4Net, Scope};
pub use stack::addrconf::{Addr6Opts, Inet6Addr, Life};
pub use stack::neigh::{NeighState, Neighbour};
pub use stack::route::{Route, RouteProto, RouteType};
pub use stack::route6::{mask6, Route6Entry, Route6Match, Route6Spec};
pub use stack::udp::UdpSent;
