//! ICMP in a stack (net/ipv4/icmp.c): echo replies, and echo replies and errors handed to the
//! ping sessions they belong to.

use bytes::Bytes;
use l2lab_fabric::wire::{self, IcmpRepr, Ipv4Params, Ipv4Repr, ICMP_FRAG_NEEDED, IPPROTO_ICMP};
use l2lab_fabric::LinkId;

use crate::lab::{Lab, NsId};
use crate::ping::PingError;

impl Lab {
    /// An ICMP message addressed to this namespace (or to a broadcast it hears).
    pub(crate) fn icmp_input(
        &mut self,
        ns: NsId,
        dev: LinkId,
        ip: &Ipv4Repr,
        icmp: IcmpRepr,
        broadcast: bool,
    ) {
        match icmp {
            IcmpRepr::EchoRequest { id, seq, data } => {
                let (ignore_bcast, ignore_all) = self.ns(ns).map_or((true, false), |n| {
                    (
                        n.sysctl.icmp_echo_ignore_broadcasts,
                        n.sysctl.icmp_echo_ignore_all,
                    )
                });
                if ignore_all || (broadcast && ignore_bcast) {
                    return;
                }
                let reply = IcmpRepr::EchoReply { id, seq, data };
                // fib_compute_spec_dst: a request to a broadcast or multicast address is
                // answered from the address the route back to its sender prefers, else from
                // the receiving interface's own.
                let src = if broadcast || ip.dst.is_multicast() {
                    let back = self.route_output(ns, ip.src).ok().and_then(|h| h.src);
                    match back.or_else(|| self.primary_addr(dev)) {
                        Some(a) => a,
                        None => return,
                    }
                } else {
                    ip.dst
                };
                let ip_id = self.ip_select_ident(ns, src, ip.src, wire::IPPROTO_ICMP);
                let d = wire::icmp_datagram(
                    Ipv4Params {
                        src,
                        dst: ip.src,
                        ttl: self.default_ttl(ns),
                        id: ip_id,
                        df: false,
                        // icmp_reply answers with the request's TOS.
                        tos: ip.tos,
                    },
                    &reply,
                );
                self.ip_output(ns, d);
            }
            IcmpRepr::EchoReply { id, seq, data } => {
                self.ping_reply(ns, ip.src.into(), id, seq, ip.ttl, data.len() + 8);
            }
            IcmpRepr::DestUnreachable {
                code,
                mtu,
                original,
            } => {
                let err = if code == ICMP_FRAG_NEEDED {
                    // ipv4_update_pmtu: the route to the quoted destination learns the MTU.
                    if let Ok((oip, _)) = Ipv4Repr::parse_header(&original) {
                        let now = self.now();
                        if let Some(n) = self.ns_mut(ns) {
                            n.frags.learn_pmtu(oip.dst, u32::from(mtu), now);
                        }
                    }
                    PingError::FragNeeded(u32::from(mtu))
                } else {
                    PingError::from_icmp(3, code)
                };
                self.icmp_error_input(ns, ip, err, &original)
            }
            IcmpRepr::TimeExceeded { code, original } => {
                self.icmp_error_input(ns, ip, PingError::from_icmp(11, code), &original)
            }
            IcmpRepr::Other { .. } => {}
        }
    }

    /// An ICMP error quoting one of our echo requests goes to the ping that sent it.
    fn icmp_error_input(&mut self, ns: NsId, ip: &Ipv4Repr, err: PingError, original: &Bytes) {
        let Ok((oip, rest)) = Ipv4Repr::parse_header(original) else {
            return;
        };
        if oip.protocol != IPPROTO_ICMP || rest.len() < 8 || rest[0] != 8 {
            return;
        }
        let id = u16::from_be_bytes([rest[4], rest[5]]);
        let seq = u16::from_be_bytes([rest[6], rest[7]]);
        self.ping_error(ns, ip.src.into(), id, seq, err);
    }
}
