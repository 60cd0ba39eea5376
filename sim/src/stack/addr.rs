//! IPv4 interface addresses (net/ipv4/devinet.c): prefix, broadcast, scope, primary/secondary.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 prefix such as 10.0.0.0/24 (or an address with its prefix length, 10.0.0.1/24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Net {
    /// The address as written (not masked).
    pub addr: Ipv4Addr,
    /// Prefix length, 0 to 32.
    pub prefix: u8,
}

impl Ipv4Net {
    /// A prefix; `None` when the length is over 32.
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Option<Ipv4Net> {
        (prefix <= 32).then_some(Ipv4Net { addr, prefix })
    }

    /// The netmask as an address.
    pub fn mask(&self) -> Ipv4Addr {
        Ipv4Addr::from(mask_bits(self.prefix))
    }

    /// The network address (host bits cleared).
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) & mask_bits(self.prefix))
    }

    /// The directed broadcast address.
    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !mask_bits(self.prefix))
    }

    /// Does the prefix hold `ip`?
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & mask_bits(self.prefix) == u32::from(self.network())
    }

    /// The same prefix with host bits cleared.
    pub fn trunc(&self) -> Ipv4Net {
        Ipv4Net {
            addr: self.network(),
            prefix: self.prefix,
        }
    }
}

/// The mask of a prefix length as a number.
pub fn mask_bits(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
}

/// The prefix length of a netmask, if it is contiguous.
pub fn mask_to_prefix(mask: Ipv4Addr) -> Option<u8> {
    let m = u32::from(mask);
    let p = m.leading_ones();
    (mask_bits(p as u8) == m).then_some(p as u8)
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Why a string is not an IPv4 prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid prefix \"{0}\"")]
pub struct ParseNetError(pub String);

impl FromStr for Ipv4Net {
    type Err = ParseNetError;

    /// `10.0.0.1/24`, or a bare address meaning /32.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseNetError(s.to_string());
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, p.parse::<u8>().map_err(|_| err())?),
            None => (s, 32),
        };
        let addr: Ipv4Addr = a.parse().map_err(|_| err())?;
        Ipv4Net::new(addr, p).ok_or_else(err)
    }
}

/// Address scope, as `ip addr` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Valid everywhere.
    Global,
    /// Valid on this link only.
    Link,
    /// Valid inside this host only (127.0.0.0/8).
    Host,
}

impl Scope {
    /// iproute2's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Link => "link",
            Scope::Host => "host",
        }
    }
}

/// An address on an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfAddr {
    /// Address and prefix length.
    pub net: Ipv4Net,
    /// Broadcast address, if one was given (`brd`, or ifconfig's default).
    pub broadcast: Option<Ipv4Addr>,
    /// Scope.
    pub scope: Scope,
    /// Label (the interface name, or `eth0:1`).
    pub label: String,
    /// A further address in a subnet the interface already has.
    pub secondary: bool,
}

impl IfAddr {
    /// The kernel's default scope for an address: host for 127/8, global otherwise.
    pub fn default_scope(ip: Ipv4Addr) -> Scope {
        if ip.is_loopback() {
            Scope::Host
        } else {
            Scope::Global
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn prefixes() {
        let n: Ipv4Net = "192.168.88.11/24".parse().unwrap();
        assert_eq!(n.network(), Ipv4Addr::new(192, 168, 88, 0));
        assert_eq!(n.broadcast(), Ipv4Addr::new(192, 168, 88, 255));
        assert_eq!(n.mask(), Ipv4Addr::new(255, 255, 255, 0));
        assert!(n.contains(Ipv4Addr::new(192, 168, 88, 1)));
        assert!(!n.contains(Ipv4Addr::new(192, 168, 89, 1)));
        assert!("10.0.0.1/33".parse::<Ipv4Net>().is_err());
        assert_eq!(mask_to_prefix(Ipv4Addr::new(255, 255, 0, 0)), Some(16));
        assert_eq!(mask_to_prefix(Ipv4Addr::new(255, 0, 255, 0)), None);
        assert_eq!(
            "0.0.0.0/0".parse::<Ipv4Net>().unwrap().mask(),
            Ipv4Addr::UNSPECIFIED
        );
    }
}
