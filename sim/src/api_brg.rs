//! What `bridge` and `brctl` read and change beyond the core API: a device's multicast
//! address list as the kernel keeps it (net/core/dev_addr_lists.c, filled by
//! net/ipv4/igmp.c, net/ipv6/mcast.c and the bridge's multicast code), the STP bridge id
//! (net/bridge/br_stp_if.c) and FDB edits with the kernel's rules (br_fdb.c: br_fdb_add,
//! br_fdb_delete).

use std::time::Duration;

use l2lab_fabric::bridge::stp;
use l2lab_fabric::{FdbKind, LinkId, LinkKind, MacAddr};

use crate::error::{LabError, LabResult};
use crate::lab::{fabric_err, Lab};
use crate::NsId;

/// One of a bridge's STP timers, as `ip link set ... type bridge` and brctl set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StpTimer {
    /// hello_time.
    HelloTime,
    /// max_age.
    MaxAge,
    /// forward_delay.
    ForwardDelay,
}

/// ff02::1, which every IPv6-capable device joins when it is registered (ipv6_add_dev), even
/// with IPv6 disabled.
const ALL_NODES6: MacAddr = MacAddr([0x33, 0x33, 0, 0, 0, 1]);
/// 224.0.0.1, joined when the device comes up (ip_mc_up).
const ALL_HOSTS4: MacAddr = MacAddr([0x01, 0x00, 0x5e, 0, 0, 1]);
/// 224.0.0.106 and ff02::6a (multicast router discovery), joined by an up bridge
/// (br_multicast_open) before IPv4 joins 224.0.0.1.
const MRD4: MacAddr = MacAddr([0x01, 0x00, 0x5e, 0, 0, 0x6a]);
const MRD6: MacAddr = MacAddr([0x33, 0x33, 0, 0, 0, 0x6a]);

/// Multicast addresses go to the multicast list, but for the link-local group
/// 01:80:c2:00:00:0X, which the kernel keeps with the unicast ones (is_link_local_ether_addr).
fn goes_to_mc_list(mac: MacAddr) -> bool {
    let m = mac.0;
    let link_local = m[..5] == [0x01, 0x80, 0xc2, 0, 0] && m[5] & 0xf0 == 0;
    mac.is_multicast() && !link_local
}

/// A Linux bridge device, whose multicast snooping joins the router discovery groups. An
/// Open vSwitch bridge's device is its internal port, an ordinary device for the stack.
fn snooping_bridge(l: &l2lab_fabric::Link) -> bool {
    matches!(&l.kind, LinkKind::Bridge(b) if !b.ovs)
}

impl Lab {
    /// The multicast addresses of `link` (the kernel's `dev->mc`), in list order, as
    /// `bridge fdb show` prints them with `self permanent`.
    ///
    /// Measured on Linux 6.18: every Ethernet device holds 33:33:00:00:00:01 from creation;
    /// coming up adds 01:00:5e:00:00:01 (a bridge first adds 01:00:5e:00:00:6a and
    /// 33:33:00:00:00:6a) and going down removes them. With IPv6 on, going down also drops
    /// 33:33:00:00:00:01; each solicited-node group its addresses hold adds 33:33:ff + the
    /// group's last three bytes, also while the device is down (ipv6-maddr shows the order).
    pub fn mc_addrs(&self, link: LinkId) -> Vec<MacAddr> {
        let (Some(l), Some(i)) = (self.fabric.link(link), self.iface(link)) else {
            return Vec::new();
        };
        if matches!(l.kind, LinkKind::Loopback) {
            return Vec::new();
        }
        // Each entry's place: when it went into the list. A device going down drops its
        // IPv6 groups' entries (ipv6_mc_down); coming up, IPv4's go in first, then the
        // IPv6 groups still held, newest first (ipv6_mc_up walks idev->mc_list); a group
        // joined since the last down went in when it was joined.
        let ipv6 = i.disable_ipv6 == 0;
        let (up_at, down_at) = (i.mc_up, i.mc_down);
        let mut v: Vec<((u64, u64), MacAddr)> = Vec::new();
        // Interface-local groups (ff01::/16) stay off the link (igmp6_group_added).
        let mut v6: Vec<(MacAddr, u64)> = i
            .mc6
            .iter()
            .rev()
            .filter(|m| m.0.segments()[0] & 0x000f >= 2)
            .map(|m| (crate::stack::ndisc::multicast_mac(m.0), m.2))
            .collect();
        if !ipv6 || l.admin_up || !i.ever_up {
            v6.push((ALL_NODES6, 0));
        }
        for (rank, (mac, joined)) in v6.into_iter().enumerate() {
            if down_at == 0 || joined > down_at {
                v.push(((joined, 0), mac));
            } else if l.admin_up || (mac == ALL_NODES6 && !ipv6) {
                v.push(((up_at, 10 + rank as u64), mac));
            }
        }
        if l.admin_up {
            if snooping_bridge(l) {
                v.push(((up_at, 0), MRD4));
                v.push(((up_at, 1), MRD6));
            }
            v.push(((up_at, 2), ALL_HOSTS4));
        }
        v.sort_by_key(|e| e.0);
        let mut out: Vec<MacAddr> = Vec::new();
        for (_, m) in v {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out.extend(self.ipa.mc.get(&link).into_iter().flatten());
        out
    }

    /// How many of `link`'s IPv6 groups hold the multicast address `mac` (ff02::2 and ff05::2
    /// share 33:33:00:00:00:02), at least one; `ip maddr` shows `users N` above one.
    pub fn mc_users(&self, link: LinkId, mac: MacAddr) -> u32 {
        let n = self.iface(link).map_or(0, |i| {
            i.mc6
                .iter()
                .filter(|m| m.0.segments()[0] & 0x000f >= 2)
                .filter(|m| crate::stack::ndisc::multicast_mac(m.0) == mac)
                .count() as u32
        });
        n.max(1)
    }

    /// The multicast addresses the user added to `link` (`ip maddr add`, `bridge fdb add`),
    /// which `ip maddr` marks `static`.
    pub fn mc_static(&self, link: LinkId) -> Vec<MacAddr> {
        self.ipa.mc.get(&link).cloned().unwrap_or_default()
    }

    /// SIOCADDMULTI (`ip maddr add`): any address goes to the multicast list; adding one
    /// that is there already changes nothing.
    pub fn mc_add_static(&mut self, link: LinkId, mac: MacAddr) -> LabResult<()> {
        if self.fabric.link(link).is_none() {
            return Err(LabError::NoSuchDevice(String::new()));
        }
        let list = self.ipa.mc.entry(link).or_default();
        if !list.contains(&mac) {
            list.push(mac);
        }
        Ok(())
    }

    /// SIOCDELMULTI (`ip maddr del`): `NotFound` when the user had not added it.
    pub fn mc_del_static(&mut self, link: LinkId, mac: MacAddr) -> LabResult<()> {
        let list = self
            .ipa
            .mc
            .get_mut(&link)
            .ok_or(LabError::NotFound("address"))?;
        let at = list
            .iter()
            .position(|m| *m == mac)
            .ok_or(LabError::NotFound("address"))?;
        list.remove(at);
        Ok(())
    }

    /// The IPv4 groups `link` belongs to (/proc/net/igmp): 224.0.0.1 while up (ip_mc_up),
    /// and an up bridge's 224.0.0.106 (multicast router discovery).
    pub fn igmp_groups(&self, link: LinkId) -> Vec<std::net::Ipv4Addr> {
        let Some(l) = self.fabric.link(link) else {
            return Vec::new();
        };
        let mut v = Vec::new();
        if l.admin_up {
            v.push(std::net::Ipv4Addr::new(224, 0, 0, 1));
            if snooping_bridge(l) {
                v.push(std::net::Ipv4Addr::new(224, 0, 0, 106));
            }
        }
        v
    }

    /// The IPv6 groups of `link` (/proc/net/igmp6), newest first as the kernel lists them:
    /// the solicited-node groups of its addresses in the order they were joined (not on
    /// lo), an up bridge's ff02::6a, and ff02::1 and ff01::1, which every
    /// device joins when it is registered, also with IPv6 disabled (measured on Linux 6.18).
    pub fn igmp6_groups(&self, link: LinkId) -> Vec<std::net::Ipv6Addr> {
        self.igmp6_users(link).into_iter().map(|g| g.0).collect()
    }

    /// [`Lab::igmp6_groups`] with each group's count of users (the addresses holding a
    /// solicited-node group), which `ip maddr` shows when above one.
    pub fn igmp6_users(&self, link: LinkId) -> Vec<(std::net::Ipv6Addr, u32)> {
        let (Some(l), Some(i)) = (self.fabric.link(link), self.iface(link)) else {
            return Vec::new();
        };
        let mut v: Vec<(std::net::Ipv6Addr, u32)> =
            i.mc6.iter().rev().map(|m| (m.0, m.1)).collect();
        if l.admin_up && snooping_bridge(l) {
            v.push((std::net::Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x6a), 1));
        }
        v.push((std::net::Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1), 1));
        v.push((std::net::Ipv6Addr::new(0xff01, 0, 0, 0, 0, 0, 0, 1), 1));
        v
    }

    /// The unicast addresses added to `link`'s own list, in the order they were added, as
    /// `bridge fdb show` prints them (`self permanent`) before the multicast ones.
    pub fn uc_addrs(&self, link: LinkId) -> Vec<MacAddr> {
        self.ipa.uc.get(&link).cloned().unwrap_or_default()
    }

    /// ndo_dflt_fdb_add: `bridge fdb add MAC dev X [self]` on a device that is not a bridge
    /// puts MAC in the device's own unicast (or multicast) list. `Exists` when it is there
    /// and `exclusive` (NLM_F_EXCL: `add`, not `replace`). A device without unicast filtering
    /// (veth) turns promiscuous while its list is not empty (__dev_set_rx_mode).
    pub fn dev_addr_add(&mut self, link: LinkId, mac: MacAddr, exclusive: bool) -> LabResult<()> {
        if self.fabric.link(link).is_none() {
            return Err(LabError::NoSuchDevice(String::new()));
        }
        let list = if goes_to_mc_list(mac) {
            self.ipa.mc.entry(link).or_default()
        } else {
            self.ipa.uc.entry(link).or_default()
        };
        if list.contains(&mac) {
            return if exclusive {
                Err(LabError::Exists(mac.to_string()))
            } else {
                Ok(())
            };
        }
        list.push(mac);
        self.sync_rx_mode(link);
        Ok(())
    }

    /// ndo_dflt_fdb_del: removes MAC from the device's own list; `NotFound` when absent.
    pub fn dev_addr_del(&mut self, link: LinkId, mac: MacAddr) -> LabResult<()> {
        let list = if goes_to_mc_list(mac) {
            self.ipa.mc.get_mut(&link)
        } else {
            self.ipa.uc.get_mut(&link)
        };
        let Some(list) = list else {
            return Err(LabError::NotFound("address"));
        };
        let Some(at) = list.iter().position(|m| *m == mac) else {
            return Err(LabError::NotFound("address"));
        };
        list.remove(at);
        self.sync_rx_mode(link);
        Ok(())
    }

    /// What the unicast list adds to `link`'s promiscuity: the state of the last
    /// receive-mode update, which runs when the device opens and on each change while up.
    pub fn uc_promiscuity(&self, link: LinkId) -> u32 {
        let up = self.fabric.link(link).is_some_and(|l| l.admin_up);
        let on = if up {
            self.ipa.uc.get(&link).is_some_and(|l| !l.is_empty())
        } else {
            self.ipa.uc_promisc.contains(&link)
        };
        u32::from(on)
    }

    /// __dev_set_rx_mode, which does nothing while the device is down.
    fn sync_rx_mode(&mut self, link: LinkId) {
        if !self.fabric.link(link).is_some_and(|l| l.admin_up) {
            return;
        }
        if self.ipa.uc.get(&link).is_some_and(|l| !l.is_empty()) {
            self.ipa.uc_promisc.insert(link);
        } else {
            self.ipa.uc_promisc.remove(&link);
        }
    }

    /// The bridge id of bridge `br` (priority, address). The address stays zero until the
    /// bridge first takes a port's MAC or the user sets one (br_stp_change_bridge_id).
    pub fn bridge_id(&self, br: LinkId) -> Option<(u16, MacAddr)> {
        let l = self.fabric.link(br)?;
        let b = l.bridge()?;
        let mac = if b.ports.is_empty() && !b.mac_set_by_user {
            MacAddr::ZERO
        } else {
            l.mac
        };
        Some((b.priority, mac))
    }

    /// Adds (or with `replace`, changes) the FDB entry for `mac` on `dev`: a port puts it
    /// behind itself, the bridge device keeps it as one of its own (`kind` must then be
    /// `Local`). `Learned` entries age like learned ones (`bridge fdb add ... dynamic`).
    /// Errors: NotAPort (EOPNOTSUPP) off a bridge, Exists (EEXIST) without `replace`,
    /// InvalidArgument (EINVAL) for a non-local entry on the bridge itself.
    pub fn fdb_set(
        &mut self,
        dev: LinkId,
        mac: MacAddr,
        kind: FdbKind,
        replace: bool,
    ) -> LabResult<()> {
        let now = self.now();
        let br = self.fdb_owner(dev)?;
        if br == dev && kind != FdbKind::Local {
            return Err(LabError::InvalidArgument("without NUD_PERMANENT".into()));
        }
        let b = self
            .fabric
            .bridge_mut(br)
            .ok_or_else(|| LabError::NotABridge(String::new()))?;
        if b.fdb.get(&mac).is_some() {
            if !replace {
                return Err(LabError::Exists(mac.to_string()));
            }
            b.fdb.remove(&mac);
        }
        match kind {
            FdbKind::Learned => {
                b.fdb.learn(mac, dev, now);
            }
            k => b.fdb.insert_fixed(mac, dev, k, now),
        }
        Ok(())
    }

    /// Deletes the FDB entry for `mac` behind `dev` (a port, or the bridge for its own
    /// entries). NotFound (ENOENT) when it is not there or behind another port.
    pub fn fdb_unset(&mut self, dev: LinkId, mac: MacAddr) -> LabResult<()> {
        let br = self.fdb_owner(dev)?;
        let b = self
            .fabric
            .bridge_mut(br)
            .ok_or_else(|| LabError::NotABridge(String::new()))?;
        match b.fdb.get(&mac) {
            Some(e) if e.port == dev => {
                b.fdb.remove(&mac);
                Ok(())
            }
            _ => Err(LabError::NotFound("fdb entry")),
        }
    }

    /// Sets a port's STP cost and priority (`bridge link set dev X cost C priority P`): the
    /// kernel refuses a cost outside 1..=65535 and a priority above 63 with ERANGE (the cost
    /// is set before the priority is checked, as br_setport does).
    pub fn set_port_stp(
        &mut self,
        port: LinkId,
        cost: Option<u32>,
        priority: Option<u16>,
    ) -> LabResult<()> {
        let now = self.now();
        let erange = || LabError::InvalidArgument("ERANGE".into());
        self.fabric
            .link(port)
            .and_then(|l| l.master)
            .ok_or_else(|| LabError::NotAPort(String::new()))?;
        if let Some(c) = cost {
            if !(1..=65535).contains(&c) {
                return Err(erange());
            }
            self.fabric
                .set_port_stp(port, Some(c), None, now)
                .map_err(fabric_err)?;
        }
        if let Some(p) = priority {
            if p > stp::MAX_PORT_PRIORITY {
                return Err(erange());
            }
            self.fabric
                .set_port_stp(port, None, Some(p as u8), now)
                .map_err(fabric_err)?;
        }
        self.pump();
        Ok(())
    }

    /// Sets a bridge's STP priority (`priority`, `brctl setbridgeprio`).
    pub fn set_bridge_priority(&mut self, ns: NsId, bridge: &str, prio: u16) -> LabResult<()> {
        let id = self.link_by_name(ns, bridge)?;
        let now = self.now();
        self.fabric
            .set_bridge_priority(id, prio, now)
            .map_err(|_| LabError::NotABridge(bridge.to_string()))?;
        self.pump();
        Ok(())
    }

    /// Sets one of a bridge's STP timers; out of the kernel's range it is ERANGE
    /// (forward_delay only while STP is on).
    pub fn set_stp_timer(
        &mut self,
        ns: NsId,
        bridge: &str,
        which: StpTimer,
        d: Duration,
    ) -> LabResult<()> {
        let id = self.link_by_name(ns, bridge)?;
        let b = self
            .fabric
            .bridge_mut(id)
            .ok_or_else(|| LabError::NotABridge(bridge.to_string()))?;
        let ok = match which {
            StpTimer::HelloTime => b.stp_set_hello_time(d),
            StpTimer::MaxAge => b.stp_set_max_age(d),
            StpTimer::ForwardDelay => b.stp_set_forward_delay(d),
        };
        if ok {
            Ok(())
        } else {
            Err(LabError::InvalidArgument("ERANGE".into()))
        }
    }

    /// How long until bridge `br`'s collector runs next (`gc_timer`), zero while it is down.
    pub fn bridge_gc_timer(&self, br: LinkId) -> Duration {
        let now = self.now();
        self.fabric
            .bridge(br)
            .and_then(|b| b.gc_next)
            .map_or(Duration::ZERO, |t| t.saturating_sub(now))
    }

    /// The bridge whose FDB holds `dev`'s entries: its master, or itself for a bridge.
    fn fdb_owner(&self, dev: LinkId) -> LabResult<LinkId> {
        let l = self
            .fabric
            .link(dev)
            .ok_or_else(|| LabError::NoSuchDevice(String::new()))?;
        if l.bridge().is_some() {
            return Ok(dev);
        }
        l.master.ok_or_else(|| LabError::NotAPort(String::new()))
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::lab::LabConfig;
    use crate::NsId;

    fn lab(ipv6: bool) -> Lab {
        Lab::with_config(LabConfig {
            ipv6,
            ..LabConfig::default()
        })
    }

    /// `bridge fdb add MAC dev v1` on a veth (measured on Linux 6.18): unicast to the
    /// device's own list, multicast after the stack's groups, a duplicate refused only for
    /// `add`, and promiscuity 1 while the unicast list is not empty and the device is up.
    #[test]
    fn own_address_lists_and_promiscuity() {
        let mut lab = lab(false);
        let (a, _) = lab.add_veth(NsId::INIT, "v1", "v2", None).unwrap();
        let uc = MacAddr([2, 0, 0, 0, 0, 0x99]);
        let mc = MacAddr([1, 0, 0x5e, 1, 2, 3]);
        let stp = MacAddr([1, 0x80, 0xc2, 0, 0, 0]);
        lab.dev_addr_add(a, uc, true).unwrap();
        assert!(matches!(
            lab.dev_addr_add(a, uc, true),
            Err(LabError::Exists(_))
        ));
        lab.dev_addr_add(a, uc, false).unwrap();
        lab.dev_addr_add(a, mc, true).unwrap();
        lab.dev_addr_add(a, stp, true).unwrap();
        assert_eq!(lab.uc_addrs(a), vec![uc, stp]);
        assert_eq!(lab.mc_addrs(a), vec![ALL_NODES6, mc]);
        // Down: the receive mode is not updated.
        assert_eq!(lab.uc_promiscuity(a), 0);
        lab.set_link_up_id(a, true).unwrap();
        assert_eq!(lab.uc_promiscuity(a), 1);
        lab.dev_addr_del(a, uc).unwrap();
        lab.dev_addr_del(a, stp).unwrap();
        assert_eq!(lab.uc_promiscuity(a), 0);
        assert!(matches!(
            lab.dev_addr_del(a, uc),
            Err(LabError::NotFound(_))
        ));
    }

    #[test]
    fn mc_list_follows_admin_state_with_ipv6_off() {
        let mut lab = lab(false);
        let br = lab.add_bridge(NsId::INIT, "br0").unwrap();
        assert_eq!(lab.mc_addrs(br), vec![ALL_NODES6]);
        lab.set_link_up_id(br, true).unwrap();
        assert_eq!(lab.mc_addrs(br), vec![ALL_NODES6, MRD4, MRD6, ALL_HOSTS4]);
        lab.set_link_up_id(br, false).unwrap();
        assert_eq!(lab.mc_addrs(br), vec![ALL_NODES6]);
        let (a, _) = lab.add_veth(NsId::INIT, "v1", "v1p", None).unwrap();
        lab.set_link_up_id(a, true).unwrap();
        assert_eq!(lab.mc_addrs(a), vec![ALL_NODES6, ALL_HOSTS4]);
    }

    #[test]
    fn bridge_id_is_zero_until_a_port() {
        let mut lab = lab(false);
        let br = lab.add_bridge(NsId::INIT, "br0").unwrap();
        assert_eq!(lab.bridge_id(br), Some((0x8000, MacAddr::ZERO)));
        let (a, _) = lab.add_veth(NsId::INIT, "v1", "v1p", None).unwrap();
        lab.set_master(NsId::INIT, "v1", Some("br0")).unwrap();
        let mac = lab.fabric().link(a).unwrap().mac;
        assert_eq!(lab.bridge_id(br), Some((0x8000, mac)));
    }

    #[test]
    fn fdb_add_refuses_duplicates_unless_replacing() {
        let mut lab = lab(false);
        lab.add_bridge(NsId::INIT, "br0").unwrap();
        let (a, b) = lab.add_veth(NsId::INIT, "v1", "v1p", None).unwrap();
        lab.set_master(NsId::INIT, "v1", Some("br0")).unwrap();
        let m = MacAddr([2, 0, 0, 0, 0, 1]);
        lab.fdb_set(a, m, FdbKind::Static, false).unwrap();
        assert!(matches!(
            lab.fdb_set(a, m, FdbKind::Static, false),
            Err(LabError::Exists(_))
        ));
        assert!(matches!(
            lab.fdb_set(b, m, FdbKind::Static, false),
            Err(LabError::NotAPort(_))
        ));
        lab.fdb_set(a, m, FdbKind::Local, true).unwrap();
        assert!(lab.fdb_unset(a, m).is_ok());
        assert!(matches!(lab.fdb_unset(a, m), Err(LabError::NotFound(_))));
    }
}
