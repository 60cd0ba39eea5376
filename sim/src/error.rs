//! Errors of the lab's control operations, shaped like the kernel's errno answers so each tool
//! can print its real message for them.

use std::net::{Ipv4Addr, Ipv6Addr};

/// What went wrong with a lab operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabError {
    /// EEXIST: the namespace, interface, address, route or neighbour is already there.
    #[error("{0} exists")]
    Exists(String),
    /// ENODEV: no interface by that name in that namespace.
    #[error("cannot find device \"{0}\"")]
    NoSuchDevice(String),
    /// No namespace by that name.
    #[error("no such network namespace \"{0}\"")]
    NoSuchNamespace(String),
    /// ESRCH/ENOENT: no such address, route or neighbour to delete.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// EINVAL.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// ENETUNREACH: no route to the destination (or the gateway is not on a connected subnet).
    #[error("network is unreachable: {0}")]
    NetworkUnreachable(Ipv4Addr),
    /// ENETUNREACH for IPv6: no route to the destination, or a link-local one without an
    /// interface.
    #[error("network is unreachable: {0}")]
    NetworkUnreachable6(Ipv6Addr),
    /// EHOSTUNREACH: an IPv6 gateway no route without a gateway reaches.
    #[error("no route to host: {0}")]
    NoRouteToHost(Ipv6Addr),
    /// EINVAL from a `blackhole` route: the packet is dropped without a word.
    #[error("blackhole route to {0}")]
    Blackhole(Ipv4Addr),
    /// EBUSY / ELOOP / EOPNOTSUPP from enslaving or moving.
    #[error("operation not supported: {0}")]
    NotSupported(String),
    /// The operation needs a bridge.
    #[error("\"{0}\" is not a bridge")]
    NotABridge(String),
    /// The operation needs a bridge port.
    #[error("\"{0}\" is not a bridge port")]
    NotAPort(String),
    /// Virtual-time operation asked of a lab on the real clock, or the other way round.
    #[error("{0}")]
    WrongClock(&'static str),
    /// Writing a capture failed.
    #[error("{0}")]
    Io(String),
}

/// Shorthand for lab results.
pub type LabResult<T> = Result<T, LabError>;
