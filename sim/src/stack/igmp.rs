//! IGMP as far as a bridge's own multicast snooping makes the kernel speak it: a bridge device
//! coming up joins the all-snoopers group 224.0.0.106 (br_multicast_join_snoopers) and
//! announces it with unsolicited IGMPv3 reports, robustness-variable times (2), the first at
//! once and the next within the unsolicited report interval (1 s) — net/ipv4/igmp.c:
//! igmp_ifc_event, igmp_ifc_start_timer, igmpv3_send_cr.

use std::net::Ipv4Addr;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::wire::{checksum, ethernet_frame, ETHERTYPE_IPV4};
use l2lab_fabric::{LinkId, MacAddr};

use crate::lab::{Lab, Timer};

/// The group a snooping bridge joins (INADDR_ALLSNOOPERS_GROUP).
pub const ALL_SNOOPERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 106);
/// Where IGMPv3 reports go (INADDR_ALLRTRS_IGMPV3_GROUP... 224.0.0.22).
pub const IGMPV3_ROUTERS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 22);
/// IGMP's robustness variable: how many unsolicited reports a change earns.
pub const ROBUSTNESS: u32 = 2;
/// IGMPv3's unsolicited report interval.
pub const REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// An IGMPv3 membership report with one CHANGE_TO_EXCLUDE record for `group`, as a frame
/// from `mac`/`src` (tos 0xc0, TTL 1, DF, the Router Alert option).
pub fn report_frame(mac: MacAddr, src: Ipv4Addr, group: Ipv4Addr) -> Bytes {
    let mut igmp = vec![0x22, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0];
    igmp.extend_from_slice(&group.octets());
    let ck = checksum(&igmp);
    igmp[2..4].copy_from_slice(&ck.to_be_bytes());
    let total = (24 + igmp.len()) as u16;
    let mut ip = vec![0x46, 0xc0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&[0, 0, 0x40, 0, 1, 2, 0, 0]);
    ip.extend_from_slice(&src.octets());
    ip.extend_from_slice(&IGMPV3_ROUTERS.octets());
    ip.extend_from_slice(&[0x94, 0x04, 0, 0]);
    let ck = checksum(&ip);
    ip[10..12].copy_from_slice(&ck.to_be_bytes());
    ip.extend_from_slice(&igmp);
    ethernet_frame(
        mac,
        MacAddr::ipv4_multicast(IGMPV3_ROUTERS),
        ETHERTYPE_IPV4,
        &ip,
    )
}

impl Lab {
    /// A bridge device came up: its reports are due shortly (two jiffies, as
    /// igmp_ifc_start_timer arms them).
    pub(crate) fn igmp_bridge_up(&mut self, bridge: LinkId) {
        self.arm_kernel_timer_jiffies(
            2,
            Timer::Igmp {
                link: bridge,
                left: ROBUSTNESS,
            },
        );
    }

    /// A report is due: send it, and plan the next one at a random moment of the interval.
    pub(crate) fn igmp_timer(&mut self, link: LinkId, left: u32) {
        let Some(l) = self.fabric.link(link) else {
            return;
        };
        if !l.admin_up || left == 0 {
            return;
        }
        let mac = l.mac;
        let src = self.primary_addr(link).unwrap_or(Ipv4Addr::UNSPECIFIED);
        self.stack_transmit(link, report_frame(mac, src, ALL_SNOOPERS));
        if left > 1 {
            let r = u64::from(self.random_u32()) % REPORT_INTERVAL.as_micros() as u64;
            let at = self.now() + Duration::from_micros(r) + 2 * self.jiffy();
            self.arm_kernel_timer(
                at,
                Timer::Igmp {
                    link,
                    left: left - 1,
                },
            );
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn report_is_54_bytes_with_good_checksums() {
        let mac: MacAddr = "c2:bf:d2:00:37:ca".parse().unwrap();
        let f = report_frame(mac, Ipv4Addr::new(10, 3, 0, 1), ALL_SNOOPERS);
        assert_eq!(f.len(), 54);
        assert_eq!(&f[0..6], &[0x01, 0x00, 0x5e, 0x00, 0x00, 0x16]);
        assert_eq!(checksum(&f[14..38]), 0);
        assert_eq!(checksum(&f[38..]), 0);
    }
}
