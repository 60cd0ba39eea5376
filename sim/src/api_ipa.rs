//! What `ip link` and `ip addr` change and read beyond the core API: the operational state
//! the kernel remembers from a device's last carrier change (net/core/link_watch.c:
//! default_operstate), address insertion with scope and label in the kernel's list order
//! (net/ipv4/devinet.c: __inet_insert_ifa), renaming as Linux 6.18 allows it (also while up),
//! and a veth's peer named `vethN` when none is given (drivers/net/veth.c).

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;

use l2lab_fabric::{LinkId, LinkKind};

use crate::error::{LabError, LabResult};
use crate::event::EventKind;
use crate::lab::{Lab, NsId};
use crate::stack::addr::{IfAddr, Ipv4Net, Scope};

/// Device state that only `ip link` shows.
#[derive(Debug, Default)]
pub(crate) struct IpaState {
    /// Each veth's operational state as of its last carrier change.
    oper_memo: HashMap<LinkId, OperMemo>,
    /// Devices set promiscuous by the user (IFF_PROMISC in gflags, not tcpdump's count).
    promisc: HashSet<LinkId>,
    /// Unicast addresses added to a device's own list (`bridge fdb add MAC dev X self`).
    pub(crate) uc: HashMap<LinkId, Vec<l2lab_fabric::MacAddr>>,
    /// Multicast addresses added the same way, after the ones the stacks join.
    pub(crate) mc: HashMap<LinkId, Vec<l2lab_fabric::MacAddr>>,
    /// Devices whose unicast list made them promiscuous at the last receive-mode update.
    pub(crate) uc_promisc: HashSet<LinkId>,
}

/// What the kernel computed for a veth end at its last carrier change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OperMemo {
    /// Carrier as last seen.
    carrier: bool,
    /// Without carrier, the state is LOWERLAYERDOWN (not DOWN).
    lower_layer_down: bool,
}

impl Lab {
    /// Does `link` have carrier as the kernel's netif_carrier_ok sees it? `lo` never loses it.
    fn carrier_ok(&self, link: LinkId) -> bool {
        self.fabric.link(link).is_some_and(|l| match l.kind {
            LinkKind::Loopback => true,
            _ => l.carrier,
        })
    }

    /// default_operstate without carrier: the device found at the peer's index in the
    /// device's own namespace decides (none, or one with carrier: DOWN); a peer whose index
    /// is the device's own (each end in a new namespace of its own) reads as no lower device
    /// at all (`iflink == dev->ifindex`: DOWN).
    fn lower_layer_down_now(&self, link: LinkId) -> bool {
        let Some(LinkKind::Veth { peer }) = self.fabric.link(link).map(|l| &l.kind) else {
            return false;
        };
        let (Some(me), Some(p)) = (self.iface(link), self.iface(*peer)) else {
            return false;
        };
        p.ifindex != me.ifindex
            && self
                .link_by_index(me.ns, p.ifindex)
                .is_some_and(|l| !self.carrier_ok(l))
    }

    /// Records the operational state of every veth whose carrier went off since the last
    /// call, as the kernel's link watch does after each change; call it after each command.
    pub fn sync_operstates(&mut self) {
        self.addrconf_sync();
        let ifaces = &self.ifaces;
        self.ipa
            .oper_memo
            .retain(|l, _| ifaces.get(l.0 as usize).is_some_and(|i| i.is_some()));
        self.ipa
            .promisc
            .retain(|l| ifaces.get(l.0 as usize).is_some_and(|i| i.is_some()));
        let veths: Vec<LinkId> = self
            .ifaces
            .iter()
            .enumerate()
            .filter(|(_, i)| i.is_some())
            .map(|(n, _)| LinkId(n as u32))
            .filter(|l| {
                self.fabric
                    .link(*l)
                    .is_some_and(|k| matches!(k.kind, LinkKind::Veth { .. }))
            })
            .collect();
        for l in veths {
            let c = self.carrier_ok(l);
            let memo = self.ipa.oper_memo.get(&l).copied();
            let lld = match memo {
                Some(m) if m.carrier == c || c => m.lower_layer_down,
                _ => self.lower_layer_down_now(l),
            };
            self.ipa.oper_memo.insert(
                l,
                OperMemo {
                    carrier: c,
                    lower_layer_down: lld,
                },
            );
        }
    }

    /// Forgets what was recorded for `link` (a new device that may reuse an old id).
    pub fn forget_operstate(&mut self, link: LinkId) {
        self.ipa.oper_memo.remove(&link);
        self.ipa.promisc.remove(&link);
        self.ipa.uc.remove(&link);
        self.ipa.mc.remove(&link);
        self.ipa.uc_promisc.remove(&link);
    }

    /// `ip link set X promisc on|off`: the user's promiscuous flag, which also counts in
    /// the device's promiscuity (dev_change_flags -> __dev_set_promiscuity).
    pub fn set_user_promisc(&mut self, link: LinkId, on: bool) -> LabResult<()> {
        let was = self.ipa.promisc.contains(&link);
        if was == on {
            return Ok(());
        }
        self.fabric
            .set_promisc(link, on)
            .map_err(|_| LabError::NoSuchDevice(String::new()))?;
        if on {
            self.ipa.promisc.insert(link);
        } else {
            self.ipa.promisc.remove(&link);
        }
        Ok(())
    }

    /// Has the user set `link` promiscuous (PROMISC in its flags)?
    pub fn user_promisc(&self, link: LinkId) -> bool {
        self.ipa.promisc.contains(&link)
    }

    /// The recorded no-carrier state of a veth end: `true` for LOWERLAYERDOWN.
    pub fn recorded_lower_layer_down(&self, link: LinkId) -> Option<bool> {
        self.ipa.oper_memo.get(&link).map(|m| m.lower_layer_down)
    }

    /// The first free `vethN` name in `ns` (the name a veth peer gets when none is given).
    pub fn free_veth_name(&self, ns: NsId) -> String {
        (0..)
            .map(|n| format!("veth{n}"))
            .find(|n| self.link_by_name(ns, n).is_err())
            .unwrap_or_default()
    }

    /// Renames interface `name` of `ns`; Linux 6.18 renames devices that are up too.
    pub fn rename_link_live(&mut self, ns: NsId, name: &str, new: &str) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        if name == new {
            return Ok(());
        }
        if new.is_empty() || new.len() > 15 || new.contains(['/', ' ', ':']) {
            return Err(LabError::InvalidArgument(format!(
                "\"{new}\" is not a valid ifname"
            )));
        }
        if self.link_by_name(ns, new).is_ok() {
            return Err(LabError::Exists(new.to_string()));
        }
        if let Some(i) = self.iface_mut(id) {
            i.name = new.to_string();
            for a in i.addrs.iter_mut() {
                if a.label == name {
                    a.label = new.to_string();
                } else if let Some(rest) = a.label.strip_prefix(name) {
                    if rest.starts_with(':') {
                        a.label = format!("{new}{rest}");
                    }
                }
            }
        }
        self.event(EventKind::LinkRenamed {
            link: id,
            name: new.to_string(),
        });
        Ok(())
    }

    /// Adds an IPv4 address with its scope and label where the kernel puts it: a primary
    /// after the last primary of the same or a wider scope, a secondary (a further address in
    /// a subnet the device has) at the end. EEXIST for the same address and prefix length.
    pub fn addr_add_full(
        &mut self,
        link: LinkId,
        net: Ipv4Net,
        broadcast: Option<Ipv4Addr>,
        scope: Option<Scope>,
        label: Option<&str>,
    ) -> LabResult<()> {
        let scope = scope.unwrap_or_else(|| IfAddr::default_scope(net.addr));
        let rank = |s: Scope| match s {
            Scope::Global => 0u8,
            Scope::Link => 253,
            Scope::Host => 254,
        };
        let iface = self
            .iface_mut(link)
            .ok_or_else(|| LabError::NoSuchDevice(String::new()))?;
        let mut last_primary = 0;
        let mut secondary = false;
        for (n, a) in iface.addrs.iter().enumerate() {
            if !a.secondary && rank(scope) <= rank(a.scope) {
                last_primary = n + 1;
            }
            if a.net.prefix == net.prefix && a.net.trunc().contains(net.addr) {
                if a.net.addr == net.addr {
                    return Err(LabError::Exists(net.to_string()));
                }
                if a.scope != scope {
                    return Err(LabError::InvalidArgument("scope".into()));
                }
                secondary = true;
            }
        }
        let a = IfAddr {
            net,
            broadcast,
            scope,
            label: label.map_or_else(|| iface.name.clone(), str::to_string),
            secondary,
        };
        if secondary {
            iface.addrs.push(a);
        } else {
            iface.addrs.insert(last_primary, a);
        }
        self.event(EventKind::Address {
            link,
            addr: net.to_string(),
            added: true,
        });
        Ok(())
    }
}
