//! UDP output (net/ipv4/udp.c): datagrams programs send, such as a resolver's queries.
//! Nothing in the lab listens on a UDP port, so none is ever answered.

use std::net::Ipv4Addr;

use l2lab_fabric::wire::{self, Ipv4Params};

use crate::error::{LabError, LabResult};
use crate::lab::{Lab, NsId};

/// Where a UDP datagram went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdpSent {
    /// Out of an interface, toward its destination.
    Out,
    /// To an address of the namespace itself, where no socket listens: the sender's next
    /// receive fails at once (ECONNREFUSED).
    Refused,
}

impl Lab {
    /// A local port as `connect` on a UDP socket picks one (ip_local_port_range's default,
    /// 32768 to 60999), from the lab's seeded generator.
    pub fn udp_ephemeral_port(&mut self) -> u16 {
        32768 + (self.random_u32() % (60999 - 32768 + 1)) as u16
    }

    /// A number from the lab's seeded generator, for the ids programs choose (a DNS query's).
    pub fn random_u16(&mut self) -> u16 {
        (self.random_u32() >> 16) as u16
    }

    /// Sends `payload` from port `sport` of namespace `ns` to `dst:dport`, as `connect` and
    /// `send` on a UDP socket do: without a route there, nothing leaves and it fails with
    /// ENETUNREACH.
    pub fn udp_send(
        &mut self,
        ns: NsId,
        dst: Ipv4Addr,
        sport: u16,
        dport: u16,
        payload: &[u8],
    ) -> LabResult<UdpSent> {
        let nh = self.route_output(ns, dst)?;
        if nh.dev == self.ns(ns).ok_or(LabError::NetworkUnreachable(dst))?.lo {
            return Ok(UdpSent::Refused);
        }
        let src = nh.src.ok_or(LabError::NetworkUnreachable(dst))?;
        let id = self.ip_select_ident(ns, src, dst, 17);
        let ip = Ipv4Params {
            src,
            dst,
            ttl: self.default_ttl(ns),
            id,
            // A UDP socket's default path-MTU discovery (IP_PMTUDISC_WANT) sets DF.
            df: true,
            tos: 0,
        };
        let d = wire::udp_datagram(ip, sport, dport, payload)
            .ok_or_else(|| LabError::InvalidArgument("Message too long".into()))?;
        self.ip_output(ns, d);
        // The datagram, and the ARP it may need, cross the wire before the program goes on.
        self.pump();
        Ok(UdpSent::Out)
    }
}
