//! Host inference: who is on the wire, from one streaming pass over the capture. A host is a
//! source MAC; its IPv4 addresses come from ARP (sender MAC ↔ sender IP, authoritative) and,
//! for addresses ARP never mentions, from the IP source of what that MAC sent (so a network
//! behind a router collapses into the router). A host that receives datagrams for addresses
//! not its own is a router (forwarding on); a host that sends to off-link addresses through
//! another host's MAC gets that host as its default gateway. IPv6 addresses (each /64) come
//! from neighbour discovery (a solicitation's source with its link-layer option, an
//! advertisement's target with its own; authoritative) and otherwise from the source of an
//! echo a MAC sent.

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, Ipv6Addr};

use l2lab_fabric::MacAddr;

use super::frame::{Key, Msg};

/// A host seen in the capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Its MAC.
    pub mac: MacAddr,
    /// Its addresses, in order of first sight.
    pub ips: Vec<Ipv4Addr>,
    /// Prefix length of its addresses.
    pub prefix: u8,
    /// Its IPv6 addresses (each /64), in address order.
    pub ips6: Vec<Ipv6Addr>,
    /// Its default gateway, if it sent off-link.
    pub gateway: Option<Ipv4Addr>,
    /// It received datagrams to forward.
    pub forwarding: bool,
    /// Number of the first frame it sent.
    pub first_frame: u64,
}

/// Collects hosts frame by frame; memory grows with hosts, never with frames.
#[derive(Debug, Default)]
pub struct Inference {
    order: Vec<MacAddr>,
    first: HashMap<MacAddr, u64>,
    arp_ips: BTreeMap<Ipv4Addr, MacAddr>,
    ip_src: BTreeMap<Ipv4Addr, MacAddr>,
    /// (sender, target) of ARP requests: both on one link.
    on_link: Vec<(Ipv4Addr, Ipv4Addr)>,
    /// (sender MAC, destination MAC, destination IP) of datagrams, deduplicated.
    sent_to: HashMap<(MacAddr, MacAddr, Ipv4Addr), ()>,
    /// IPv6 address ↔ MAC as neighbour discovery gave them.
    nd_ips: BTreeMap<Ipv6Addr, MacAddr>,
    /// IPv6 sources of what each MAC sent.
    ip6_src: BTreeMap<Ipv6Addr, MacAddr>,
}

impl Inference {
    /// Takes one frame into account.
    pub fn add(&mut self, number: u64, key: &Key) {
        if key.src.is_valid_unicast() && !self.first.contains_key(&key.src) {
            self.first.insert(key.src, number);
            self.order.push(key.src);
        }
        match key.msg {
            Msg::ArpRequest {
                sender_ip,
                target_ip,
            } => {
                self.arp_bind(sender_ip, key.src);
                if !sender_ip.is_unspecified()
                    && sender_ip != target_ip
                    && self.on_link.len() < 4096
                    && !self.on_link.contains(&(sender_ip, target_ip))
                {
                    self.on_link.push((sender_ip, target_ip));
                }
            }
            Msg::ArpReply {
                sender_ip,
                sender_mac,
                ..
            } => self.arp_bind(sender_ip, sender_mac),
            Msg::EchoRequest { src, dst, .. }
            | Msg::EchoReply { src, dst, .. }
            | Msg::IcmpError { src, dst, .. }
            | Msg::OtherIcmp { src, dst, .. } => {
                if key.src.is_valid_unicast() && usable(src) {
                    self.ip_src.entry(src).or_insert(key.src);
                }
                if key.dst.is_valid_unicast() && usable(dst) && self.sent_to.len() < 65536 {
                    self.sent_to.insert((key.src, key.dst, dst), ());
                }
            }
            Msg::Solicit6 { src, lladdr, .. } => {
                self.nd_bind(src, lladdr.unwrap_or(key.src));
            }
            Msg::Advert6 { target, lladdr, .. } => {
                self.nd_bind(target, lladdr.unwrap_or(key.src));
            }
            Msg::Echo6Request { src, .. }
            | Msg::Echo6Reply { src, .. }
            | Msg::Icmp6Error { src, .. } => {
                if key.src.is_valid_unicast() && usable6(src) {
                    self.ip6_src.entry(src).or_insert(key.src);
                }
            }
        }
    }

    /// Did the capture hold IPv6 that replay models?
    pub fn has_ipv6(&self) -> bool {
        !self.nd_ips.is_empty() || !self.ip6_src.is_empty()
    }

    fn nd_bind(&mut self, ip: Ipv6Addr, mac: MacAddr) {
        if usable6(ip) && mac.is_valid_unicast() {
            self.nd_ips.entry(ip).or_insert(mac);
        }
    }

    fn arp_bind(&mut self, ip: Ipv4Addr, mac: MacAddr) {
        if usable(ip) && mac.is_valid_unicast() {
            self.arp_ips.entry(ip).or_insert(mac);
        }
    }

    /// The hosts, in order of their first frame.
    pub fn hosts(&self) -> Vec<Host> {
        let mut owner: BTreeMap<Ipv4Addr, MacAddr> = self.arp_ips.clone();
        for (ip, mac) in &self.ip_src {
            owner.entry(*ip).or_insert(*mac);
        }
        let mut hosts: Vec<Host> = self
            .order
            .iter()
            .map(|mac| Host {
                mac: *mac,
                ips: Vec::new(),
                prefix: 24,
                ips6: Vec::new(),
                gateway: None,
                forwarding: false,
                first_frame: self.first.get(mac).copied().unwrap_or(0),
            })
            .collect();
        let index: HashMap<MacAddr, usize> =
            hosts.iter().enumerate().map(|(i, h)| (h.mac, i)).collect();
        for (ip, mac) in &owner {
            if let Some(&i) = index.get(mac) {
                hosts[i].ips.push(*ip);
            }
        }
        let mut owner6 = self.nd_ips.clone();
        for (ip, mac) in &self.ip6_src {
            owner6.entry(*ip).or_insert(*mac);
        }
        for (ip, mac) in &owner6 {
            if let Some(&i) = index.get(mac) {
                hosts[i].ips6.push(*ip);
            }
        }
        // The prefix: /24 unless two addresses that ARP each other need a shorter one.
        let mut prefix = 24u8;
        for (a, b) in &self.on_link {
            while prefix > 8 && !same_net(*a, *b, prefix) {
                prefix -= 1;
            }
        }
        for h in &mut hosts {
            h.prefix = prefix;
        }
        for (src, dst_mac, dst_ip) in self.sent_to.keys() {
            let Some(&d) = index.get(dst_mac) else {
                continue;
            };
            if owner.get(dst_ip) == Some(dst_mac) {
                continue;
            }
            // Sent to `dst_mac` for an address it does not own: it routes.
            hosts[d].forwarding = true;
            let gw = hosts[d].ips.first().copied();
            if let Some(&s) = index.get(src) {
                let off_link = hosts[s]
                    .ips
                    .first()
                    .is_some_and(|mine| !same_net(*mine, *dst_ip, prefix));
                if off_link && hosts[s].gateway.is_none() {
                    hosts[s].gateway = gw;
                }
            }
        }
        hosts
    }
}

fn usable(ip: Ipv4Addr) -> bool {
    !(ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() || ip.is_loopback())
}

fn usable6(ip: Ipv6Addr) -> bool {
    !(ip.is_unspecified() || ip.is_multicast() || ip.is_loopback())
}

/// Are `a` and `b` in one /`prefix`?
pub fn same_net(a: Ipv4Addr, b: Ipv4Addr, prefix: u8) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    };
    u32::from(a) & mask == u32::from(b) & mask
}

#[cfg(test)]
mod test {
    use super::*;

    fn mac(n: u8) -> MacAddr {
        MacAddr([2, 0, 0, 0, 0, n])
    }

    #[test]
    fn arp_binds_and_router_is_found() {
        let mut inf = Inference::default();
        let a = Ipv4Addr::new(192, 168, 88, 11);
        let g = Ipv4Addr::new(192, 168, 88, 1);
        let far = Ipv4Addr::new(10, 9, 9, 9);
        inf.add(
            1,
            &Key {
                src: mac(1),
                dst: MacAddr::BROADCAST,
                msg: Msg::ArpRequest {
                    sender_ip: a,
                    target_ip: g,
                },
            },
        );
        inf.add(
            2,
            &Key {
                src: mac(9),
                dst: mac(1),
                msg: Msg::ArpReply {
                    sender_ip: g,
                    sender_mac: mac(9),
                    target_ip: a,
                },
            },
        );
        inf.add(
            3,
            &Key {
                src: mac(1),
                dst: mac(9),
                msg: Msg::EchoRequest {
                    src: a,
                    dst: far,
                    id: 1,
                    seq: 1,
                },
            },
        );
        let hosts = inf.hosts();
        assert_eq!(hosts.len(), 2);
        assert_eq!(hosts[0].ips, vec![a]);
        assert_eq!(hosts[0].gateway, Some(g));
        assert!(hosts[1].forwarding);
        assert_eq!(hosts[1].first_frame, 2);
    }

    #[test]
    fn nets() {
        assert!(same_net(
            Ipv4Addr::new(10, 0, 1, 0),
            Ipv4Addr::new(10, 0, 1, 2),
            24
        ));
        assert!(!same_net(
            Ipv4Addr::new(10, 0, 1, 0),
            Ipv4Addr::new(10, 0, 2, 2),
            24
        ));
    }
}
