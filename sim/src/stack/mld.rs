//! MLDv2 as a host speaks it by itself (net/ipv6/mcast.c): unsolicited reports when a
//! device joins groups (an address's solicited-node group, a bridge's ff02::6a) or comes
//! back with carrier — the first two jiffies later, one more at a random moment of the
//! unsolicited report interval (1 s; robustness 2) — and, when a device's first link-local
//! address passes DAD, an initial report of all its groups from that address, repeated the
//! same way. ff02::1 and interface-local groups are never reported (MAF_NOREPORT).

use std::net::Ipv6Addr;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::wire::{ethernet_frame, ETHERTYPE_IPV6};
use l2lab_fabric::{LinkId, MacAddr};
use rand_chacha::rand_core::RngCore;

use crate::lab::{Lab, Timer};
use crate::stack::addr::Scope;
use crate::stack::ndisc::{icmp6_checksum, multicast_mac};

/// Where MLDv2 reports go (all MLDv2-capable routers).
pub const ALL_MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
/// The robustness variable (mc_qrv): how many times a change is reported.
pub const ROBUSTNESS: u32 = 2;
/// `mldv2_unsolicited_report_interval`.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(1);
/// ICMPv6 type of an MLDv2 report.
pub const MLD2_REPORT: u8 = 143;
/// Record type CHANGE_TO_INCLUDE_MODE with no source: left.
pub const CHANGE_TO_INCLUDE: u8 = 3;
/// Record type CHANGE_TO_EXCLUDE_MODE: joined, any source.
pub const CHANGE_TO_EXCLUDE: u8 = 4;

/// Which report a timer sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MldWork {
    /// mld_ifc_work: the state changes still to report.
    Ifc,
    /// mld_dad_work: the initial report after DAD.
    Dad,
}

/// A device's MLD state (inet6_dev's mc_ifc_count, mc_dad_count and the groups' crcount).
#[derive(Debug, Clone, Default)]
pub(crate) struct MldState {
    /// Groups known to have been announced, to find the newly joined ones.
    pub(crate) groups: Vec<Ipv6Addr>,
    /// Groups with reports still due (crcount).
    pub(crate) pending: Vec<(Ipv6Addr, u32)>,
    /// Groups left with reports still due (the kernel's mc_tomb).
    pub(crate) tomb: Vec<(Ipv6Addr, u32)>,
    pub(crate) ifc_count: u32,
    pub(crate) dad_count: u32,
    pub(crate) ifc_gen: u64,
    pub(crate) dad_gen: u64,
    /// Carrier as last seen, to notice it coming back (NETDEV_CHANGE).
    pub(crate) carrier: bool,
    /// Admin state as last seen, to notice the device coming up (NETDEV_UP).
    pub(crate) up: bool,
    /// An address other than a link-local one was added: the next report carries every
    /// group again. The kernel does this (6.18, measured: `ip addr add 2001:db8::5/64`,
    /// with DAD or `nodad`, sends CHANGE_TO_EXCLUDE records for every group the device
    /// reports, the held ones too, twice; the path in the kernel's source that re-arms the
    /// groups the add does not join is not identified).
    pub(crate) rearm: bool,
}

/// An MLDv2 report from `src` with a record (type, group) for each of `records`, behind a
/// hop-by-hop header with the router alert option, hop limit 1.
pub fn report_frame(mac: MacAddr, src: Ipv6Addr, records: &[(u8, Ipv6Addr)]) -> Bytes {
    let mut icmp = vec![MLD2_REPORT, 0, 0, 0, 0, 0];
    icmp.extend_from_slice(&(records.len() as u16).to_be_bytes());
    for (t, g) in records {
        icmp.extend_from_slice(&[*t, 0, 0, 0]);
        icmp.extend_from_slice(&g.octets());
    }
    let ck = icmp6_checksum(src, ALL_MLDV2_ROUTERS, &icmp);
    icmp[2..4].copy_from_slice(&ck.to_be_bytes());
    let mut ip = vec![0x60, 0, 0, 0];
    ip.extend_from_slice(&((8 + icmp.len()) as u16).to_be_bytes());
    ip.extend_from_slice(&[0, 1]);
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&ALL_MLDV2_ROUTERS.octets());
    // Next header ICMPv6, length 0; router alert (MLD); PadN.
    ip.extend_from_slice(&[58, 0, 5, 2, 0, 0, 1, 0]);
    ip.extend_from_slice(&icmp);
    ethernet_frame(mac, multicast_mac(ALL_MLDV2_ROUTERS), ETHERTYPE_IPV6, &ip)
}

impl Lab {
    /// The groups of `link` that MLD reports, in the list's order.
    fn mld_reported(&self, link: LinkId) -> Vec<Ipv6Addr> {
        self.igmp6_groups(link)
            .into_iter()
            .filter(|g| {
                let all_nodes = *g == Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
                !all_nodes && g.segments()[0] & 0x000f >= 2
            })
            .collect()
    }

    /// Compares `link`'s groups and carrier with what MLD last saw: new groups, or carrier
    /// back on a configured device (ipv6_mc_up), make a state change to report.
    pub(crate) fn mld_sync(&mut self, link: LinkId) {
        self.mc6_sync(link);
        let Some(l) = self.fabric.link(link) else {
            return;
        };
        let up = l.admin_up;
        let carrier = self.v6_carrier(link);
        let now_groups = self.mld_reported(link);
        let Some(i) = self.iface_mut(link) else {
            return;
        };
        // ipv6_mc_up (coming up, or carrier back on a configured device) reports every group.
        let back = up && (!i.mld.up || (carrier && !i.mld.carrier && i.v6_ready));
        i.mld.carrier = carrier;
        i.mld.up = up;
        let rearm = std::mem::take(&mut i.mld.rearm);
        let fresh: Vec<Ipv6Addr> = if back || rearm {
            now_groups.clone()
        } else {
            now_groups
                .iter()
                .filter(|g| !i.mld.groups.contains(g))
                .copied()
                .collect()
        };
        // A group left goes to the tomb, to be reported as left (mld_add_delrec); one
        // joined again leaves it (mld_del_delrec).
        let gone: Vec<Ipv6Addr> = i
            .mld
            .groups
            .iter()
            .filter(|g| !now_groups.contains(g))
            .copied()
            .collect();
        i.mld.tomb.retain(|t| !now_groups.contains(&t.0));
        for g in &gone {
            if !i.mld.tomb.iter().any(|t| t.0 == *g) {
                i.mld.tomb.push((*g, ROBUSTNESS));
            }
        }
        i.mld.groups = now_groups;
        if !up {
            i.mld.pending.clear();
            i.mld.ifc_count = 0;
            i.mld.dad_count = 0;
            return;
        }
        if fresh.is_empty() && gone.is_empty() {
            return;
        }
        for g in fresh {
            match i.mld.pending.iter_mut().find(|p| p.0 == g) {
                Some(p) => p.1 = ROBUSTNESS,
                None => i.mld.pending.push((g, ROBUSTNESS)),
            }
        }
        i.mld.ifc_count = ROBUSTNESS;
        i.mld.ifc_gen += 1;
        let gen = i.mld.ifc_gen;
        self.arm_kernel_timer_jiffies(
            2,
            Timer::Mld {
                link,
                work: MldWork::Ifc,
                gen,
            },
        );
    }

    /// ipv6_mc_dad_complete: the initial report at once, the next within the interval.
    pub(crate) fn mld_dad_complete(&mut self, link: LinkId) {
        let Some(i) = self.iface_mut(link) else {
            return;
        };
        i.mld.dad_count = ROBUSTNESS;
        i.mld.dad_gen += 1;
        let gen = i.mld.dad_gen;
        self.mld_timer(link, MldWork::Dad, gen);
    }

    /// A report is due (mld_ifc_work, mld_dad_work).
    pub(crate) fn mld_timer(&mut self, link: LinkId, work: MldWork, gen: u64) {
        let Some(l) = self.fabric.link(link) else {
            return;
        };
        if !l.admin_up {
            return;
        }
        let mac = l.mac;
        let src = self
            .addrs6(link)
            .iter()
            .find(|a| a.scope == Scope::Link && !a.tentative)
            .map_or(Ipv6Addr::UNSPECIFIED, |a| a.addr);
        let all = self.mld_reported(link);
        let Some(i) = self.iface_mut(link) else {
            return;
        };
        let (groups, left) = match work {
            MldWork::Ifc => {
                if i.mld.ifc_gen != gen || i.mld.ifc_count == 0 {
                    return;
                }
                // mld_send_cr: the groups left first, then those joined.
                let mut groups = Vec::new();
                for t in i.mld.tomb.iter_mut() {
                    t.1 -= 1;
                    groups.push((CHANGE_TO_INCLUDE, t.0));
                }
                i.mld.tomb.retain(|t| t.1 > 0);
                for g in &all {
                    if let Some(p) = i.mld.pending.iter_mut().find(|p| p.0 == *g && p.1 > 0) {
                        p.1 -= 1;
                        groups.push((CHANGE_TO_EXCLUDE, *g));
                    }
                }
                i.mld.pending.retain(|p| p.1 > 0);
                i.mld.ifc_count -= 1;
                (groups, i.mld.ifc_count)
            }
            MldWork::Dad => {
                if i.mld.dad_gen != gen || i.mld.dad_count == 0 {
                    return;
                }
                i.mld.dad_count -= 1;
                let records = all.iter().map(|g| (CHANGE_TO_EXCLUDE, *g)).collect();
                (records, i.mld.dad_count)
            }
        };
        if !groups.is_empty() {
            self.ndisc_mcast_entry(link, ALL_MLDV2_ROUTERS);
            self.stack_transmit(link, report_frame(mac, src, &groups));
        }
        if left > 0 {
            let r = u64::from(self.v6_rng.next_u32()) % REPORT_INTERVAL.as_micros() as u64;
            let at = self.now() + Duration::from_micros(r) + 2 * self.jiffy();
            self.arm_kernel_timer(at, Timer::Mld { link, work, gen });
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn report_is_the_kernels_byte_for_byte() {
        // `tcpdump -x` of a bridge's report on Linux 6.18, from :: for two groups.
        let mac: MacAddr = "ca:6c:ed:6e:e0:f6".parse().unwrap();
        let recs = [
            (CHANGE_TO_EXCLUDE, "ff02::1:ff6e:e0f6".parse().unwrap()),
            (CHANGE_TO_EXCLUDE, "ff02::6a".parse().unwrap()),
        ];
        let f = report_frame(mac, Ipv6Addr::UNSPECIFIED, &recs);
        let want = "6000 0000 0038 0001 0000 0000 0000 0000 0000 0000 0000 0000 ff02 0000 0000 0000
                    0000 0000 0000 0016 3a00 0502 0000 0100 8f00 8aa3 0000 0002 0400 0000 ff02 0000
                    0000 0000 0000 0001 ff6e e0f6 0400 0000 ff02 0000 0000 0000 0000 0000 0000 006a";
        let s: String = want.split_whitespace().collect();
        let want: Vec<u8> = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(f[14..], want[..]);
        assert_eq!(&f[0..6], &[0x33, 0x33, 0, 0, 0, 0x16]);
    }

    #[test]
    fn report_sizes_as_captured() {
        let mac: MacAddr = "4a:7a:0c:e5:a2:46".parse().unwrap();
        let g: Ipv6Addr = "ff02::1:ffe5:a246".parse().unwrap();
        let f = report_frame(mac, Ipv6Addr::UNSPECIFIED, &[(CHANGE_TO_EXCLUDE, g)]);
        assert_eq!(f.len(), 90);
        let six_a: Ipv6Addr = "ff02::6a".parse().unwrap();
        let recs = [(CHANGE_TO_EXCLUDE, g), (CHANGE_TO_EXCLUDE, six_a)];
        let f = report_frame(mac, Ipv6Addr::UNSPECIFIED, &recs);
        assert_eq!(f.len(), 110);
        assert_eq!(
            icmp6_checksum(Ipv6Addr::UNSPECIFIED, ALL_MLDV2_ROUTERS, &f[62..]),
            0
        );
    }
}
