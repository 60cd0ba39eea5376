//! Netfilter's NAT, as iptables (nf_tables backend) sets it up and the kernel runs it: the
//! `nat` table's four chains of rules, connection tracking (net/netfilter/nf_conntrack_*.c)
//! and the address translation it drives (nf_nat_core.c, nf_nat_masquerade.c), hooked where
//! the kernel hooks: PREROUTING and OUTPUT rewrite destinations, INPUT and POSTROUTING
//! sources. The `filter` table is listed with its empty chains; its rules are not modelled.

pub mod conntrack;
pub(crate) mod hooks;

use std::net::Ipv4Addr;

pub use conntrack::Conntrack;

use crate::stack::addr::Ipv4Net;

/// A chain of the nat table, in the order iptables lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NatChain {
    /// Before routing: destination NAT of arriving packets.
    Prerouting,
    /// Delivered locally: source NAT of packets for this host.
    Input,
    /// Sent locally: destination NAT of this host's packets.
    Output,
    /// After routing: source NAT of leaving packets.
    Postrouting,
}

impl NatChain {
    /// Every chain, in listing order.
    pub const ALL: [NatChain; 4] = [
        NatChain::Prerouting,
        NatChain::Input,
        NatChain::Output,
        NatChain::Postrouting,
    ];

    /// The chain's name as iptables spells it.
    pub fn name(self) -> &'static str {
        match self {
            NatChain::Prerouting => "PREROUTING",
            NatChain::Input => "INPUT",
            NatChain::Output => "OUTPUT",
            NatChain::Postrouting => "POSTROUTING",
        }
    }

    /// The chain named `name` (exact, as iptables wants it).
    pub fn from_name(name: &str) -> Option<NatChain> {
        NatChain::ALL.into_iter().find(|c| c.name() == name)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Whether a chain rewrites destinations (PREROUTING, OUTPUT) rather than sources.
    pub fn is_dst_manip(self) -> bool {
        matches!(self, NatChain::Prerouting | NatChain::Output)
    }
}

/// `[!] -s NET` / `[!] -d NET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddrMatch {
    /// The network (host bits cleared, as iptables stores it).
    pub net: Ipv4Net,
    /// `!`: everything but the network.
    pub invert: bool,
}

impl AddrMatch {
    fn matches(&self, ip: Ipv4Addr) -> bool {
        self.net.contains(ip) != self.invert
    }
}

/// `[!] -i NAME` / `[!] -o NAME`; a name ending in `+` matches every name it begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfMatch {
    /// The name as given.
    pub name: String,
    /// `!`: every other interface.
    pub invert: bool,
}

impl IfMatch {
    fn matches(&self, dev: Option<&str>) -> bool {
        let Some(dev) = dev else {
            return self.invert;
        };
        let hit = match self.name.strip_suffix('+') {
            Some(prefix) => dev.starts_with(prefix),
            None => dev == self.name,
        };
        hit != self.invert
    }
}

/// `[!] -p PROTO`, as a protocol number (0 is every protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoMatch {
    /// IP protocol number.
    pub proto: u8,
    /// `!`: every other protocol.
    pub invert: bool,
}

/// What a nat rule does with a packet it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatTarget {
    /// No `-j`: the rule only counts.
    None,
    /// `-j ACCEPT`: stop, no translation.
    Accept,
    /// `-j RETURN`: back to the policy (in a built-in chain, the same as ACCEPT).
    Return,
    /// `-j MASQUERADE`: the source becomes the outgoing interface's address.
    Masquerade,
    /// `-j SNAT --to-source A`.
    Snat(Ipv4Addr),
    /// `-j DNAT --to-destination A`.
    Dnat(Ipv4Addr),
}

impl NatTarget {
    /// The target's name as iptables lists it (empty for no target).
    pub fn name(&self) -> &'static str {
        match self {
            NatTarget::None => "",
            NatTarget::Accept => "ACCEPT",
            NatTarget::Return => "RETURN",
            NatTarget::Masquerade => "MASQUERADE",
            NatTarget::Snat(_) => "SNAT",
            NatTarget::Dnat(_) => "DNAT",
        }
    }
}

/// A rule of the nat table, with its counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatRule {
    /// `-s`.
    pub src: Option<AddrMatch>,
    /// `-d`.
    pub dst: Option<AddrMatch>,
    /// `-i`.
    pub in_if: Option<IfMatch>,
    /// `-o`.
    pub out_if: Option<IfMatch>,
    /// `-p`.
    pub proto: Option<ProtoMatch>,
    /// `-j`.
    pub target: NatTarget,
    /// Packets that matched (the first of each new connection: nat chains see only those).
    pub pkts: u64,
    /// Their bytes.
    pub bytes: u64,
}

impl NatRule {
    /// A rule that matches everything and does nothing, to be filled in.
    pub fn new(target: NatTarget) -> NatRule {
        NatRule {
            src: None,
            dst: None,
            in_if: None,
            out_if: None,
            proto: None,
            target,
            pkts: 0,
            bytes: 0,
        }
    }

    /// Same rule, counters aside (what `iptables -D CHAIN RULE` looks for).
    pub fn same_as(&self, other: &NatRule) -> bool {
        self.src == other.src
            && self.dst == other.dst
            && self.in_if == other.in_if
            && self.out_if == other.out_if
            && self.proto == other.proto
            && self.target == other.target
    }

    fn matches(&self, p: &PacketInfo<'_>) -> bool {
        self.src.is_none_or(|m| m.matches(p.src))
            && self.dst.is_none_or(|m| m.matches(p.dst))
            && self.in_if.as_ref().is_none_or(|m| m.matches(p.in_dev))
            && self.out_if.as_ref().is_none_or(|m| m.matches(p.out_dev))
            && self
                .proto
                .is_none_or(|m| (m.proto == 0 || m.proto == p.proto) != m.invert)
    }
}

/// What a chain looks at in a packet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PacketInfo<'a> {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub proto: u8,
    pub len: usize,
    pub in_dev: Option<&'a str>,
    pub out_dev: Option<&'a str>,
}

/// Why a change to the rules was refused (iptables words each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    /// `-D` of a rule that is not there.
    NoSuchRule,
    /// `-D CHAIN N` past the end.
    DeleteIndexTooBig,
    /// `-I CHAIN N` past the end + 1.
    InsertIndexTooBig,
    /// The target cannot be used in that chain (the kernel refuses the rule).
    BadChainForTarget,
}

/// A namespace's netfilter state: the nat table (once something made it) and conntrack.
#[derive(Debug, Default)]
pub struct Netfilter {
    nat: Option<[Vec<NatRule>; 4]>,
    /// Whether `iptables` has touched the filter table (it exists, with empty chains).
    pub filter_exists: bool,
    /// Connections being tracked.
    pub conntrack: Conntrack,
}

impl Netfilter {
    /// Whether the nat table exists: the first `iptables -t nat` command makes it, and from
    /// then on connections are tracked.
    pub fn nat_exists(&self) -> bool {
        self.nat.is_some()
    }

    /// Makes the nat table if it is not there (iptables-nft does on every nat command).
    pub fn nat_make(&mut self) {
        if self.nat.is_none() {
            self.nat = Some(Default::default());
        }
    }

    /// A chain's rules (empty when the table does not exist).
    pub fn nat_rules(&self, chain: NatChain) -> &[NatRule] {
        self.nat.as_ref().map_or(&[], |t| &t[chain.index()])
    }

    fn chain_mut(&mut self, chain: NatChain) -> &mut Vec<NatRule> {
        let t = self.nat.get_or_insert_with(Default::default);
        &mut t[chain.index()]
    }

    /// `-A` (at = None) or `-I CHAIN N` (at = Some(N), 1-based).
    pub fn nat_insert(
        &mut self,
        chain: NatChain,
        at: Option<usize>,
        rule: NatRule,
    ) -> Result<(), RuleError> {
        let ok = match rule.target {
            NatTarget::Masquerade => chain == NatChain::Postrouting,
            NatTarget::Snat(_) => !chain.is_dst_manip(),
            NatTarget::Dnat(_) => chain.is_dst_manip(),
            _ => true,
        };
        if !ok {
            return Err(RuleError::BadChainForTarget);
        }
        let rules = self.chain_mut(chain);
        match at {
            None => rules.push(rule),
            Some(n) if n >= 1 && n <= rules.len() + 1 => rules.insert(n - 1, rule),
            Some(_) => return Err(RuleError::InsertIndexTooBig),
        }
        Ok(())
    }

    /// `-D CHAIN RULE`: the first rule that is the same.
    pub fn nat_delete(&mut self, chain: NatChain, rule: &NatRule) -> Result<(), RuleError> {
        let t = self.nat.as_mut().ok_or(RuleError::NoSuchRule)?;
        let rules = &mut t[chain.index()];
        let i = rules
            .iter()
            .position(|r| r.same_as(rule))
            .ok_or(RuleError::NoSuchRule)?;
        rules.remove(i);
        Ok(())
    }

    /// `-D CHAIN N` (1-based).
    pub fn nat_delete_nth(&mut self, chain: NatChain, n: usize) -> Result<(), RuleError> {
        let t = self.nat.as_mut().ok_or(RuleError::DeleteIndexTooBig)?;
        let rules = &mut t[chain.index()];
        if n == 0 || n > rules.len() {
            return Err(RuleError::DeleteIndexTooBig);
        }
        rules.remove(n - 1);
        Ok(())
    }

    /// `-F [CHAIN]`.
    pub fn nat_flush(&mut self, chain: Option<NatChain>) {
        for c in NatChain::ALL {
            if chain.is_none_or(|x| x == c) {
                self.chain_mut(c).clear();
            }
        }
    }

    /// `-Z [CHAIN]`: counters back to zero.
    pub fn nat_zero(&mut self, chain: Option<NatChain>) {
        for c in NatChain::ALL {
            if chain.is_none_or(|x| x == c) {
                for r in self.chain_mut(c) {
                    r.pkts = 0;
                    r.bytes = 0;
                }
            }
        }
    }

    /// Runs a chain for the first packet of a connection: the first rule that matches
    /// decides (and counts it); none means the policy, ACCEPT, which nf_tables does not count.
    pub(crate) fn nat_verdict(&mut self, chain: NatChain, p: &PacketInfo<'_>) -> NatTarget {
        let Some(t) = self.nat.as_mut() else {
            return NatTarget::Accept;
        };
        for r in t[chain.index()].iter_mut() {
            if r.matches(p) {
                r.pkts += 1;
                r.bytes += p.len as u64;
                if r.target != NatTarget::None {
                    return r.target;
                }
            }
        }
        NatTarget::Accept
    }
}

impl crate::lab::Lab {
    /// A namespace's netfilter state.
    pub fn netfilter(&self, ns: crate::lab::NsId) -> Option<&Netfilter> {
        self.ns(ns).map(|n| &n.nf)
    }

    /// A namespace's netfilter state, to change its rules (`iptables`).
    pub fn netfilter_mut(&mut self, ns: crate::lab::NsId) -> Option<&mut Netfilter> {
        self.ns_mut(ns).map(|n| &mut n.nf)
    }
}
