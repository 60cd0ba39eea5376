//! Ethernet MAC addresses, and the kernel's way of choosing random ones (eth_random_addr).

use std::fmt;
use std::str::FromStr;

use rand_core::RngCore;

/// A 48-bit Ethernet MAC address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// The broadcast address ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);
    /// The all-zero address, never valid as a source.
    pub const ZERO: MacAddr = MacAddr([0; 6]);

    /// A random unicast, locally administered address, as the kernel's `eth_random_addr`.
    pub fn random(rng: &mut impl RngCore) -> MacAddr {
        let mut b = [0u8; 6];
        rng.fill_bytes(&mut b);
        b[0] &= 0xfe; // unicast
        b[0] |= 0x02; // locally administered
        MacAddr(b)
    }

    /// True for broadcast and multicast addresses (the I/G bit).
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 1 == 1
    }

    /// True for ff:ff:ff:ff:ff:ff.
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }

    /// True for 00:00:00:00:00:00.
    pub fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }

    /// A valid station address: neither multicast nor zero (the kernel's `is_valid_ether_addr`).
    pub fn is_valid_unicast(&self) -> bool {
        !self.is_multicast() && !self.is_zero()
    }

    /// The IPv4 multicast MAC for a group address (01:00:5e + low 23 bits).
    pub fn ipv4_multicast(group: std::net::Ipv4Addr) -> MacAddr {
        let o = group.octets();
        MacAddr([0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]])
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a string is not a MAC address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid MAC address \"{0}\"")]
pub struct ParseMacError(pub String);

impl FromStr for MacAddr {
    type Err = ParseMacError;

    /// Parses `aa:bb:cc:dd:ee:ff` (also `-` separated, one or two hex digits a part).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseMacError(s.to_string());
        let mut out = [0u8; 6];
        let mut parts = s.split([':', '-']);
        for b in out.iter_mut() {
            let p = parts.next().ok_or_else(err)?;
            if p.is_empty() || p.len() > 2 {
                return Err(err());
            }
            *b = u8::from_str_radix(p, 16).map_err(|_| err())?;
        }
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(MacAddr(out))
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn random_is_local_unicast_and_seeded() {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..100 {
            let m = MacAddr::random(&mut a);
            assert!(m.is_valid_unicast());
            assert_eq!(m.0[0] & 2, 2);
            assert_eq!(m, MacAddr::random(&mut b));
        }
    }

    #[test]
    fn parse_and_print() {
        let m: MacAddr = "02:a:BB:0:ff:1".parse().unwrap();
        assert_eq!(m.to_string(), "02:0a:bb:00:ff:01");
        assert!("02:0a:bb:00:ff".parse::<MacAddr>().is_err());
        assert!("02:0a:bb:00:ff:01:02".parse::<MacAddr>().is_err());
        assert!("zz:0a:bb:00:ff:01".parse::<MacAddr>().is_err());
    }
}
