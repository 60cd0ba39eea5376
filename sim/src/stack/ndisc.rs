//! Neighbour discovery's messages as net/ipv6/ndisc.c builds them: the neighbour
//! solicitation of duplicate address detection and the router solicitation.

use std::net::Ipv6Addr;

use bytes::Bytes;
use l2lab_fabric::wire::{checksum, ethernet_frame, ETHERTYPE_IPV6};
use l2lab_fabric::MacAddr;

use crate::stack::addrconf::solicited_node;

/// ICMPv6 type of a router solicitation.
pub const ROUTER_SOLICITATION: u8 = 133;
/// ICMPv6 type of a neighbour solicitation.
pub const NEIGHBOUR_SOLICITATION: u8 = 135;
/// ND option: source link-layer address.
const OPT_SOURCE_LL: u8 = 1;
/// ND option: nonce (RFC 7527, enhanced DAD).
const OPT_NONCE: u8 = 14;
/// All routers on the link.
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// The Ethernet multicast address of an IPv6 group (33:33 + its last four bytes).
pub fn multicast_mac(group: Ipv6Addr) -> MacAddr {
    let o = group.octets();
    MacAddr([0x33, 0x33, o[12], o[13], o[14], o[15]])
}

/// The ICMPv6 checksum over the pseudo-header (RFC 8200 8.1).
pub fn icmp6_checksum(src: Ipv6Addr, dst: Ipv6Addr, icmp: &[u8]) -> u16 {
    let mut buf = Vec::with_capacity(40 + icmp.len());
    buf.extend_from_slice(&src.octets());
    buf.extend_from_slice(&dst.octets());
    buf.extend_from_slice(&(icmp.len() as u32).to_be_bytes());
    buf.extend_from_slice(&[0, 0, 0, 58]);
    buf.extend_from_slice(icmp);
    checksum(&buf)
}

/// An IPv6 packet with an ICMPv6 message (hop limit 255, as ND sends), in a frame.
fn icmp6_frame(
    mac: MacAddr,
    dst_mac: MacAddr,
    src: Ipv6Addr,
    dst: Ipv6Addr,
    mut icmp: Vec<u8>,
) -> Bytes {
    let ck = icmp6_checksum(src, dst, &icmp);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
    let mut ip = vec![0x60, 0, 0, 0];
    ip.extend_from_slice(&(icmp.len() as u16).to_be_bytes());
    ip.extend_from_slice(&[58, 255]);
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&dst.octets());
    ip.extend_from_slice(&icmp);
    ethernet_frame(mac, dst_mac, ETHERTYPE_IPV6, &ip)
}

/// DAD's probe for `target`: from `::` to its solicited-node group, with a nonce option and
/// no source link-layer address (ndisc_send_ns from addrconf_dad_work).
pub fn dad_solicitation(mac: MacAddr, target: Ipv6Addr, nonce: [u8; 6]) -> Bytes {
    let dst = solicited_node(target);
    let mut icmp = vec![NEIGHBOUR_SOLICITATION, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&target.octets());
    icmp.extend_from_slice(&[OPT_NONCE, 1]);
    icmp.extend_from_slice(&nonce);
    icmp6_frame(mac, multicast_mac(dst), Ipv6Addr::UNSPECIFIED, dst, icmp)
}

/// A router solicitation from `src` to ff02::2 with the source link-layer address option
/// (ndisc_send_rs).
pub fn router_solicitation(mac: MacAddr, src: Ipv6Addr) -> Bytes {
    let mut icmp = vec![ROUTER_SOLICITATION, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&[OPT_SOURCE_LL, 1]);
    icmp.extend_from_slice(&mac.0);
    icmp6_frame(mac, multicast_mac(ALL_ROUTERS), src, ALL_ROUTERS, icmp)
}

#[cfg(test)]
mod test {
    use super::*;

    fn hexb(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn frames_are_the_kernels_byte_for_byte() {
        // `tcpdump -x` of Linux 6.18's own DAD probe and router solicitation.
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let ll: Ipv6Addr = "fe80::487a:cff:fee5:a246".parse().unwrap();
        let ns = dad_solicitation(mac, ll, [0xa4, 0x82, 0x5f, 0x9c, 0x1d, 0x0e]);
        assert_eq!(
            ns[14..],
            hexb(
                "6000 0000 0020 3aff 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000
                 0000 0001 ffe5 a246 8700 b31f 0000 0000 fe80 0000 0000 0000 487a 0cff fee5 a246
                 0e01 a482 5f9c 1d0e"
            )[..]
        );
        let rs = router_solicitation(mac, ll);
        assert_eq!(
            rs[14..],
            hexb(
                "6000 0000 0010 3aff fe80 0000 0000 0000 487a 0cff fee5 a246 ff02 0000 0000 0000
                 0000 0000 0000 0002 8500 8be2 0000 0000 0101 4a7a 0ce5 a246"
            )[..]
        );
    }

    #[test]
    fn dad_probe_is_86_bytes_and_checks() {
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let t: Ipv6Addr = "fe80::487a:cff:fee5:a246".parse().unwrap();
        let f = dad_solicitation(mac, t, [1, 2, 3, 4, 5, 6]);
        assert_eq!(f.len(), 86);
        assert_eq!(&f[0..6], &[0x33, 0x33, 0xff, 0xe5, 0xa2, 0x46]);
        let src: Ipv6Addr = Ipv6Addr::UNSPECIFIED;
        let dst = solicited_node(t);
        assert_eq!(icmp6_checksum(src, dst, &f[54..]), 0);
    }

    #[test]
    fn router_solicitation_is_70_bytes() {
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let src: Ipv6Addr = "fe80::487a:cff:fee5:a246".parse().unwrap();
        let f = router_solicitation(mac, src);
        assert_eq!(f.len(), 70);
        assert_eq!(icmp6_checksum(src, ALL_ROUTERS, &f[54..]), 0);
    }
}
