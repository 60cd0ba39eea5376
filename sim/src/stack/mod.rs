//! A namespace's IPv4 and IPv6 stack: what it does with a frame it receives (ARP, IPv4 for itself,
//! forwarding) and how it sends (route lookup, neighbour resolution, Ethernet framing).

pub mod addr;
pub mod addrconf;
pub mod forward6;
pub mod frag;
pub mod frag6;
pub mod icmp;
pub mod icmp6;
pub mod igmp;
pub mod input;
pub mod ipv6;
pub mod mld;
pub mod ndisc;
pub mod neigh;
pub mod output;
pub mod route;
pub mod route6;
pub mod udp;
