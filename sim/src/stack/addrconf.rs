//! IPv6 addresses as net/ipv6/addrconf.c makes them: `::1` on lo, a link-local from the MAC
//! (EUI-64) when a device first has carrier after coming up, duplicate address detection
//! (one neighbour solicitation after a random delay, `tentative` until `retrans_time` later),
//! then router solicitations, ever further apart; addresses stay across carrier loss and MAC changes and go
//! when the device goes down (`keep_addr_on_down` 0) or IPv6 is disabled on it.

use std::net::Ipv6Addr;
use std::time::Duration;

use l2lab_fabric::{LinkId, LinkKind, MacAddr};
use rand_chacha::rand_core::RngCore;

use crate::lab::{Lab, Timer};
use crate::stack::addr::Scope;
use crate::stack::ndisc;

/// An IPv6 address on an interface (struct inet6_ifaddr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inet6Addr {
    /// The address.
    pub addr: Ipv6Addr,
    /// Prefix length.
    pub prefix: u8,
    /// Its scope, from the address (ipv6_addr_scope).
    pub scope: Scope,
    /// Duplicate address detection has not finished (IFA_F_TENTATIVE).
    pub tentative: bool,
    /// Added with `nodad` (IFA_F_NODAD).
    pub nodad: bool,
    /// DAD found the address in use elsewhere (IFA_F_DADFAILED); it stays tentative.
    pub dadfailed: bool,
    /// Counts DAD runs, so a timer of an earlier run finds itself stale.
    pub(crate) dad_gen: u64,
    /// `noprefixroute` and the lifetimes it was added with.
    pub life: Life,
}

/// What `ip -6 addr add` sets beside the address: IFA_F_NOPREFIXROUTE and the lifetimes
/// (struct ifa_cacheinfo), counted in whole seconds from `tstamp` as the kernel counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Life {
    /// No prefix route for it.
    pub noprefixroute: bool,
    /// `home` (IFA_F_HOMEADDRESS, Mobile IPv6): shown, nothing else.
    pub home: bool,
    /// `mngtmpaddr` (IFA_F_MANAGETEMPADDR): shown; temporary addresses need a router's
    /// prefix, which no lab router announces.
    pub mngtmpaddr: bool,
    /// Valid lifetime in seconds (None: forever); it is removed when it ends.
    pub valid: Option<u32>,
    /// Preferred lifetime in seconds (None: forever); it is `deprecated` when it ends.
    pub preferred: Option<u32>,
    /// When the lifetimes started, on the lab's clock.
    pub tstamp: Duration,
    /// A link-local made by addrgenmode random (IFA_F_STABLE_PRIVACY).
    pub stable_privacy: bool,
}

impl Life {
    /// Whole seconds since the lifetimes started (the kernel's `(jiffies - tstamp) / HZ`).
    fn elapsed(&self, now: Duration) -> u32 {
        u32::try_from(now.saturating_sub(self.tstamp).as_secs()).unwrap_or(u32::MAX)
    }

    /// The valid lifetime left at `now`, as `ip addr` shows it (None: forever).
    pub fn valid_left(&self, now: Duration) -> Option<u32> {
        self.valid.map(|v| v.saturating_sub(self.elapsed(now)))
    }

    /// The preferred lifetime left at `now` (None: forever).
    pub fn preferred_left(&self, now: Duration) -> Option<u32> {
        self.preferred.map(|p| p.saturating_sub(self.elapsed(now)))
    }

    /// Its preferred lifetime is over (IFA_F_DEPRECATED).
    pub fn deprecated(&self, now: Duration) -> bool {
        self.preferred
            .is_some_and(|p| now >= self.tstamp + Duration::from_secs(u64::from(p)))
    }

    /// Not permanent (no IFA_F_PERMANENT): its valid lifetime is finite; `ip` says `dynamic`.
    pub fn dynamic(&self) -> bool {
        self.valid.is_some()
    }
}

/// How `ip -6 addr add` adds an address: `nodad`, `noprefixroute`, `valid_lft`,
/// `preferred_lft`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Addr6Opts {
    /// No duplicate address detection.
    pub nodad: bool,
    /// No prefix route.
    pub noprefixroute: bool,
    /// IFA_F_HOMEADDRESS.
    pub home: bool,
    /// IFA_F_MANAGETEMPADDR.
    pub mngtmpaddr: bool,
    /// Valid lifetime in seconds (None: forever).
    pub valid_lft: Option<u32>,
    /// Preferred lifetime in seconds (None: forever).
    pub preferred_lft: Option<u32>,
}

impl Inet6Addr {
    /// Its place in the order addresses were made (their prefix routes are listed so).
    pub fn seq(&self) -> u64 {
        self.dad_gen
    }

    /// A settled address (DAD done) of the address's own scope.
    pub fn new(addr: Ipv6Addr, prefix: u8) -> Inet6Addr {
        Inet6Addr {
            addr,
            prefix,
            scope: scope_of(addr),
            tentative: false,
            nodad: false,
            dadfailed: false,
            dad_gen: 0,
            life: Life::default(),
        }
    }
}

/// IN6_ADDR_GEN_MODE_EUI64: the link-local from the MAC.
pub const ADDR_GEN_MODE_EUI64: u8 = 0;
/// IN6_ADDR_GEN_MODE_NONE: no link-local.
pub const ADDR_GEN_MODE_NONE: u8 = 1;
/// IN6_ADDR_GEN_MODE_STABLE_PRIVACY: RFC 7217 from `stable_secret`.
pub const ADDR_GEN_MODE_STABLE_PRIVACY: u8 = 2;
/// IN6_ADDR_GEN_MODE_RANDOM: a random interface id.
pub const ADDR_GEN_MODE_RANDOM: u8 = 3;

/// `rtr_solicit_delay`: DAD's first probe waits a random time below it (addrconf_dad_kick).
pub const RTR_SOLICIT_DELAY: Duration = Duration::from_secs(1);
/// `retrans_time` of ND: the wait after each DAD probe.
pub const RETRANS_TIME: Duration = Duration::from_secs(1);
/// `rtr_solicit_interval`: the first wait between router solicitations, before backoff.
pub const RTR_SOLICIT_INTERVAL: Duration = Duration::from_secs(4);
/// `rtr_solicit_max_interval`: the backoff's cap.
pub const RTR_SOLICIT_MAX_INTERVAL: Duration = Duration::from_secs(3600);
/// `router_solicitations`: how many router solicitations a device sends; `None` is the
/// kernel's default -1, no limit (RFC 7559: the interval doubles up to its cap instead).
pub const RTR_SOLICITS: Option<u32> = None;

/// The modified EUI-64 link-local address of a MAC (addrconf_ifid_eui48).
pub fn eui64_link_local(m: MacAddr) -> Ipv6Addr {
    let b = m.0;
    Ipv6Addr::new(
        0xfe80,
        0,
        0,
        0,
        u16::from_be_bytes([b[0] ^ 0x02, b[1]]),
        u16::from_be_bytes([b[2], 0xff]),
        u16::from_be_bytes([0xfe, b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
    )
}

/// The solicited-node multicast group of an address (addrconf_addr_solict_mult).
pub fn solicited_node(a: Ipv6Addr) -> Ipv6Addr {
    let o = a.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

/// ipv6_addr_scope as `ip addr` names it.
pub fn scope_of(a: Ipv6Addr) -> Scope {
    if a.is_loopback() {
        Scope::Host
    } else if a.segments()[0] & 0xffc0 == 0xfe80 {
        Scope::Link
    } else {
        Scope::Global
    }
}

/// ipv6_addr_src_scope's order: smaller is narrower.
fn src_scope(s: Scope) -> u8 {
    match s {
        Scope::Host => 1,
        Scope::Link => 2,
        Scope::Global => 0xe,
    }
}

/// ipv6_link_dev_addr: an address goes before the first one of the same or a narrower
/// scope, so the newest global comes first and link-locals follow.
pub(crate) fn insert_addr(list: &mut Vec<Inet6Addr>, a: Inet6Addr) {
    let s = src_scope(a.scope);
    let at = list
        .iter()
        .position(|x| s >= src_scope(x.scope))
        .unwrap_or(list.len());
    list.insert(at, a);
}

/// Router solicitation state of a device (inet6_dev's rs_probes, rs_interval).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RsState {
    pub(crate) probes: u32,
    pub(crate) interval: Duration,
    pub(crate) gen: u64,
}

/// rfc3315_s14_backoff_init: the interval times a random 0.9 .. 1.1.
fn backoff_init(lab: &mut Lab, irt: Duration) -> Duration {
    let r = 900_000 + u64::from(lab.v6_rng.next_u32()) % 200_001;
    Duration::from_micros(irt.as_micros() as u64 * r / 1_000_000)
}

/// rfc3315_s14_backoff_update: the interval times a random 1.9 .. 2.1, capped.
fn backoff_update(lab: &mut Lab, rt: Duration, mrt: Duration) -> Duration {
    let r = 1_900_000 + u64::from(lab.v6_rng.next_u32()) % 200_001;
    let t = Duration::from_micros(rt.as_micros() as u64 * r / 1_000_000);
    if t > mrt {
        backoff_init(lab, mrt)
    } else {
        t
    }
}

impl Lab {
    /// Brings every interface's IPv6 addresses in line with its state, as addrconf_notify
    /// does on NETDEV_UP, NETDEV_CHANGE and NETDEV_DOWN.
    pub(crate) fn addrconf_sync(&mut self) {
        // Only a change of a device gives this pass work, on that device: made, gone, up,
        // down, carrier or MAC on the wire, or anything through `iface_mut` (sysctl,
        // address, MLD state). So a frame does not cost a walk of every device in the lab.
        self.pull_state_changes();
        if self.v6_dirty.is_empty() {
            return;
        }
        let n = self.ifaces.len();
        let mut todo: Vec<usize> = std::mem::take(&mut self.v6_dirty)
            .into_iter()
            .map(|l| l.0 as usize)
            .filter(|&i| i < n)
            .collect();
        todo.sort_unstable();
        todo.dedup();
        for idx in self.linkwatch(&todo) {
            todo.push(idx);
        }
        todo.sort_unstable();
        todo.dedup();
        // A device coming up is configured at once (NETDEV_UP); one whose carrier changed
        // with it, a veth's peer, later, when linkwatch reports it (NETDEV_CHANGE).
        let coming_up: Vec<usize> = todo
            .iter()
            .copied()
            .filter(|&idx| {
                self.ifaces[idx].as_ref().is_some_and(|i| {
                    !i.v6_on
                        && i.disable_ipv6 == 0
                        && self
                            .fabric
                            .link(LinkId(idx as _))
                            .is_some_and(|l| l.admin_up)
                })
            })
            .collect();
        for idx in coming_up.into_iter().chain(todo) {
            let link = LinkId(idx as _);
            self.addrconf_sync_link(idx, link);
            if self.iface(link).is_some_and(|i| i.disable_ipv6 == 0) {
                self.mld_sync(link);
            }
        }
        // What this pass changed itself is in step already; what it changed on the wire
        // is looked at next time.
        self.v6_dirty.clear();
    }

    /// One device's part of [`Lab::addrconf_sync`].
    /// linkwatch (net/core/link_watch.c) for the devices in `todo` whose carrier changed: IPv6
    /// hears of a carrier change by NETDEV_CHANGE, which linkwatch sends. A veth's change is
    /// urgent (its iflink is its peer's) and goes at once; a bridge's waits for linkwatch's
    /// next full run, at most once a second (linkwatch_nextevent). So a bridge that lost its
    /// carrier when its ports were added announces itself, once its first port's link comes
    /// up, when that second is over: measured on 6.18, its first MLD report came 0.06 to 0.94
    /// s after its first port's carrier, where one whose carrier change was the first in a
    /// second reported at once. An urgent run after linkwatch_nextevent is a full one, and
    /// takes every change waiting. Returns the bridges it reported.
    fn linkwatch(&mut self, todo: &[usize]) -> Vec<usize> {
        let now = self.now();
        let mut urgent_run = false;
        let mut reported = Vec::new();
        for &idx in todo {
            let link = LinkId(idx as _);
            let Some(l) = self.fabric.link(link) else {
                continue;
            };
            let (carrier, up, bridge) =
                (l.carrier, l.admin_up, matches!(l.kind, LinkKind::Bridge(_)));
            let Some(i) = self.ifaces[idx].as_mut() else {
                continue;
            };
            if !bridge {
                // A veth registered without carrier (linkwatch_init_dev), or one whose
                // carrier changed: an urgent event.
                urgent_run |= (!i.lw_seen && !carrier) || (up && carrier != i.mld.carrier);
                i.lw_seen = true;
                continue;
            }
            i.lw_seen = true;
            if !up || !i.v6_on {
                // NETDEV_UP is not linkwatch's: a device coming up is configured at once,
                // and dev_open activates its qdisc only if it has carrier.
                i.lw_carrier = carrier;
                i.lw_active = up && carrier;
                i.lw_pending = false;
                continue;
            }
            if carrier == i.lw_carrier && !i.lw_pending {
                continue;
            }
            if carrier && !i.lw_active {
                // qdisc_tx_changing: carrier back on a device whose qdisc is not active.
                i.lw_carrier = true;
                i.lw_active = true;
                i.lw_pending = false;
                if i.v6_ready {
                    i.mld.carrier = false;
                }
                urgent_run = true;
                reported.push(idx);
                continue;
            }
            i.lw_pending = true;
        }
        if urgent_run && now >= self.lw_next {
            reported.extend(self.linkwatch_take_all());
        }
        let waiting = self.ifaces.iter().flatten().any(|i| i.lw_pending);
        if waiting && !self.lw_armed {
            self.lw_armed = true;
            let delay = self.lw_next.saturating_sub(now);
            let j = self.wheel().to_jiffies(delay);
            self.arm_kernel_timer_jiffies(j, Timer::Linkwatch);
        }
        reported
    }

    /// A full linkwatch run: every waiting change is reported; the next waits a second.
    fn linkwatch_take_all(&mut self) -> Vec<usize> {
        let carriers: Vec<(usize, bool)> = self
            .ifaces
            .iter()
            .enumerate()
            .filter(|(_, i)| i.as_ref().is_some_and(|i| i.lw_pending))
            .map(|(idx, _)| {
                let c = self
                    .fabric
                    .link(LinkId(idx as _))
                    .is_some_and(|l| l.carrier);
                (idx, c)
            })
            .collect();
        let mut reported = Vec::new();
        for (idx, carrier) in carriers {
            if let Some(i) = self.ifaces[idx].as_mut() {
                i.lw_pending = false;
                i.lw_carrier = carrier;
                i.lw_active = carrier;
                if carrier {
                    // NETDEV_CHANGE with carrier: ipv6_mc_up reports every group, even
                    // when the carrier only flickered while the change waited.
                    i.mld.carrier = false;
                }
                reported.push(idx);
            }
        }
        // linkwatch_nextevent = jiffies + HZ.
        self.lw_next = self.now() + Duration::from_secs(1);
        reported
    }

    /// linkwatch's delayed run is due.
    pub(crate) fn linkwatch_run(&mut self) {
        self.lw_armed = false;
        let reported = self.linkwatch_take_all();
        for idx in reported {
            self.v6_dirty.push(LinkId(idx as _));
        }
        self.addrconf_sync();
    }

    /// The carrier IPv6 acts on: a bridge's as linkwatch reported it, another device's as
    /// it is.
    pub(crate) fn v6_carrier(&self, link: LinkId) -> bool {
        let Some(l) = self.fabric.link(link) else {
            return false;
        };
        if matches!(l.kind, LinkKind::Bridge(_)) {
            self.iface(link).map_or(l.carrier, |i| i.lw_carrier)
        } else {
            l.carrier
        }
    }

    fn addrconf_sync_link(&mut self, idx: usize, link: LinkId) {
        let Some(i) = self.ifaces[idx].as_ref() else {
            return;
        };
        let Some(l) = self.fabric.link(link) else {
            return;
        };
        let on = i.disable_ipv6 == 0 && l.admin_up;
        let was_on = i.v6_on;
        let leftover = i.disable_ipv6 != 0 && (i.v6_ready || !i.inet6.is_empty());
        if let Some(i) = self.ifaces[idx].as_mut() {
            i.v6_on = on;
        }
        if !on {
            // Going down takes every address; one added while down stays (keep_addr_on_down 0).
            if was_on || leftover {
                self.addrconf_ifdown(link);
            }
            return;
        }
        if !was_on {
            // addrconf_dad_run: addresses added while down start DAD now.
            let waiting: Vec<(Ipv6Addr, u64)> = self
                .addrs6(link)
                .iter()
                .filter(|a| a.tentative)
                .map(|a| (a.addr, a.dad_gen))
                .collect();
            for (addr, gen) in waiting {
                self.addrconf_dad_kick(link, addr, gen);
            }
        }
        let Some(i) = self.ifaces[idx].as_ref() else {
            return;
        };
        let Some(l) = self.fabric.link(link) else {
            return;
        };
        if i.v6_ready {
            return;
        }
        let lo = matches!(l.kind, LinkKind::Loopback);
        if lo {
            let a = Inet6Addr {
                addr: Ipv6Addr::LOCALHOST,
                prefix: 128,
                scope: Scope::Host,
                tentative: false,
                nodad: false,
                dadfailed: false,
                dad_gen: 0,
                life: Life::default(),
            };
            if let Some(i) = self.ifaces[idx].as_mut() {
                i.v6_ready = true;
                insert_addr(&mut i.inet6, a);
            }
            return;
        }
        let carrier = if matches!(l.kind, LinkKind::Bridge(_)) {
            i.lw_carrier
        } else {
            l.carrier
        };
        if !carrier {
            return;
        }
        let (mode, mac) = (i.addr_gen_mode, l.mac);
        if let Some(i) = self.ifaces[idx].as_mut() {
            i.v6_ready = true;
        }
        // addrconf_addr_gen: none makes no link-local; random takes a random interface id
        // (ipv6_gen_rnd_iid, the universal/local bit cleared) and marks it stable-privacy.
        match mode {
            ADDR_GEN_MODE_NONE => {}
            ADDR_GEN_MODE_RANDOM => {
                let mut iid = [0u8; 8];
                self.v6_rng.fill_bytes(&mut iid);
                iid[0] &= !0x02;
                let mut b = [0u8; 16];
                b[..2].copy_from_slice(&[0xfe, 0x80]);
                b[8..].copy_from_slice(&iid);
                let addr = Ipv6Addr::from(b);
                self.addr6_insert(link, addr, 64, Addr6Opts::default(), true);
                if let Some(a) = self
                    .iface_mut(link)
                    .and_then(|i| i.inet6.iter_mut().find(|a| a.addr == addr))
                {
                    a.life.stable_privacy = true;
                }
            }
            _ => self.addr6_add_internal(link, eui64_link_local(mac), 64, false),
        }
    }

    /// `ip link set X addrgenmode MODE`: how the device's next link-local is made (the
    /// one it has stays). stable_secret needs `net.ipv6.conf.X.stable_secret`, which the
    /// lab does not keep, so the kernel's refusal is all it gets.
    pub fn set_addr_gen_mode(&mut self, link: LinkId, mode: u8) -> crate::LabResult<()> {
        if mode > ADDR_GEN_MODE_RANDOM || mode == ADDR_GEN_MODE_STABLE_PRIVACY {
            return Err(crate::LabError::InvalidArgument("Invalid argument".into()));
        }
        let i = self
            .iface_mut(link)
            .ok_or(crate::LabError::NoSuchDevice(String::new()))?;
        i.addr_gen_mode = mode;
        Ok(())
    }

    /// addrconf_ifdown: every address goes, and with them DAD and router solicitation.
    fn addrconf_ifdown(&mut self, link: LinkId) {
        if let Some(i) = self.iface_mut(link) {
            i.inet6.clear();
            i.v6_ready = false;
            i.rs.gen += 1;
            i.rs.probes = 0;
        }
        self.mc6_sync(link);
    }

    /// Brings `link`'s groups in line with its addresses: a group is joined (stamped now) by
    /// its first user and left with its last; the users between keep its place
    /// (ipv6_dev_mc_inc / __ipv6_dev_mc_dec). lo joins none.
    pub(crate) fn mc6_sync(&mut self, link: LinkId) {
        let lo = self
            .fabric
            .link(link)
            .is_some_and(|l| matches!(l.kind, LinkKind::Loopback));
        let Some(i) = self.iface(link) else {
            return;
        };
        // Called for every device after every frame: nothing to allocate when in line.
        let held = |g: Ipv6Addr| group_users(i, lo).filter(|u| *u == g).count() as u32;
        let in_line = i.mc6.iter().all(|m| held(m.0) == m.1)
            && group_users(i, lo).all(|g| i.mc6.iter().any(|m| m.0 == g));
        if in_line {
            return;
        }
        let mut want: Vec<(Ipv6Addr, u32)> = Vec::new();
        for g in group_users(i, lo) {
            match want.iter_mut().find(|w| w.0 == g) {
                Some(w) => w.1 += 1,
                None => want.push((g, 1)),
            }
        }
        let fresh = want
            .iter()
            .filter(|w| !i.mc6.iter().any(|m| m.0 == w.0))
            .count() as u64;
        let base = self.v6_gen;
        self.v6_gen += fresh;
        let Some(i) = self.iface_mut(link) else {
            return;
        };
        i.mc6.retain(|m| want.iter().any(|w| w.0 == m.0));
        let mut stamp = base;
        for (g, n) in want {
            match i.mc6.iter_mut().find(|m| m.0 == g) {
                Some(m) => m.1 = n,
                None => {
                    stamp += 1;
                    i.mc6.push((g, n, stamp));
                }
            }
        }
    }

    /// Adds an address and starts its DAD unless `nodad` (or on a loopback device).
    pub(crate) fn addr6_add_internal(
        &mut self,
        link: LinkId,
        addr: Ipv6Addr,
        prefix: u8,
        nodad: bool,
    ) {
        let o = Addr6Opts {
            nodad,
            ..Addr6Opts::default()
        };
        self.addr6_insert(link, addr, prefix, o, true);
    }

    /// Puts the address in the list, joins its solicited-node group, plans the end of its
    /// valid lifetime, and on an up device (`run`) starts DAD unless `nodad`.
    fn addr6_insert(&mut self, link: LinkId, addr: Ipv6Addr, prefix: u8, o: Addr6Opts, run: bool) {
        let gen = self.v6_next_gen();
        let now = self.now();
        let life = Life {
            noprefixroute: o.noprefixroute,
            home: o.home,
            mngtmpaddr: o.mngtmpaddr,
            valid: o.valid_lft,
            preferred: o.preferred_lft,
            tstamp: now,
            stable_privacy: false,
        };
        let a = Inet6Addr {
            addr,
            prefix,
            scope: scope_of(addr),
            tentative: !o.nodad,
            nodad: o.nodad,
            dadfailed: false,
            dad_gen: gen,
            life,
        };
        let Some(i) = self.iface_mut(link) else {
            return;
        };
        insert_addr(&mut i.inet6, a);
        self.mc6_sync(link);
        if let Some(v) = o.valid_lft {
            self.schedule(
                now + Duration::from_secs(u64::from(v)),
                Timer::Addr6Expire { link, addr, gen },
            );
        }
        if run && !o.nodad {
            self.addrconf_dad_kick(link, addr, gen);
        }
    }

    /// `ip -6 addr add`: `Exists` when the device has the address; DAD starts at once on
    /// an up device (unless `nodad`), or when it comes up.
    pub fn addr6_add(
        &mut self,
        link: LinkId,
        addr: Ipv6Addr,
        prefix: u8,
        nodad: bool,
    ) -> crate::LabResult<()> {
        let o = Addr6Opts {
            nodad,
            ..Addr6Opts::default()
        };
        self.addr6_add_with(link, addr, prefix, o)
    }

    /// [`Lab::addr6_add`] with the flags and lifetimes of `o`.
    pub fn addr6_add_with(
        &mut self,
        link: LinkId,
        addr: Ipv6Addr,
        prefix: u8,
        o: Addr6Opts,
    ) -> crate::LabResult<()> {
        let i = self
            .iface(link)
            .ok_or(crate::LabError::NoSuchDevice(String::new()))?;
        if i.inet6.iter().any(|a| a.addr == addr) {
            return Err(crate::LabError::Exists(addr.to_string()));
        }
        let run = i.v6_on;
        self.addr6_insert(link, addr, prefix, o, run);
        if run && scope_of(addr) != Scope::Link {
            if let Some(i) = self.iface_mut(link) {
                i.mld.rearm = true;
            }
        }
        self.collect_wire();
        Ok(())
    }

    /// addrconf_verify: an address whose valid lifetime has ended is removed.
    pub(crate) fn addr6_expire(&mut self, link: LinkId, addr: Ipv6Addr, gen: u64) {
        let Some(a) = self
            .iface(link)
            .and_then(|i| i.inet6.iter().find(|a| a.addr == addr && a.dad_gen == gen))
        else {
            return;
        };
        let prefix = a.prefix;
        let _ = self.addr6_del(link, addr, prefix);
    }

    /// `ip -6 addr del`: `NotFound` unless the device has the address with that length.
    pub fn addr6_del(&mut self, link: LinkId, addr: Ipv6Addr, prefix: u8) -> crate::LabResult<()> {
        let i = self
            .iface_mut(link)
            .ok_or(crate::LabError::NoSuchDevice(String::new()))?;
        let at = i
            .inet6
            .iter()
            .position(|a| a.addr == addr && a.prefix == prefix)
            .ok_or(crate::LabError::NotFound("address"))?;
        i.inet6.remove(at);
        self.mc6_sync(link);
        self.collect_wire();
        Ok(())
    }

    fn v6_next_gen(&mut self) -> u64 {
        self.v6_gen += 1;
        self.v6_gen
    }

    /// addrconf_dad_kick: the first probe after a random number of jiffies below
    /// `rtr_solicit_delay`.
    fn addrconf_dad_kick(&mut self, link: LinkId, addr: Ipv6Addr, gen: u64) {
        let hz = u64::from(self.config.hz);
        let below = (RTR_SOLICIT_DELAY.as_millis() as u64 * hz / 1000).max(1);
        let delay = u64::from(self.v6_rng.next_u32()) % below;
        self.arm_kernel_timer_jiffies(
            delay,
            Timer::Dad {
                link,
                addr,
                gen,
                probes: 1,
            },
        );
    }

    /// addrconf_dad_work: send a probe while any is left, else DAD is complete.
    pub(crate) fn dad_timer(&mut self, link: LinkId, addr: Ipv6Addr, gen: u64, probes: u32) {
        let Some(a) = self
            .iface(link)
            .and_then(|i| i.inet6.iter().find(|a| a.addr == addr && a.dad_gen == gen))
        else {
            return;
        };
        if !a.tentative || a.dadfailed {
            return;
        }
        if probes == 0 {
            self.addrconf_dad_completed(link, addr);
            return;
        }
        let jiffies = (RETRANS_TIME.as_millis() as u64 * u64::from(self.config.hz) / 1000).max(1);
        self.arm_kernel_timer_jiffies(
            jiffies,
            Timer::Dad {
                link,
                addr,
                gen,
                probes: probes - 1,
            },
        );
        if let Some(mac) = self.fabric.link(link).map(|l| l.mac) {
            let mut nonce = [0u8; 6];
            self.v6_rng.fill_bytes(&mut nonce);
            self.ndisc_mcast_entry(link, solicited_node(addr));
            self.stack_transmit(link, ndisc::dad_solicitation(mac, addr, nonce));
        }
    }

    /// addrconf_dad_failure: another node has the address. It stays, tentative and
    /// `dadfailed`, and DAD stops (addrconf_dad_stop keeps a permanent address).
    pub(crate) fn addrconf_dad_failure(&mut self, link: LinkId, addr: Ipv6Addr) {
        if let Some(a) = self
            .iface_mut(link)
            .and_then(|i| i.inet6.iter_mut().find(|a| a.addr == addr))
        {
            a.dadfailed = true;
            a.tentative = true;
        }
    }

    /// addrconf_dad_completed: the address is usable; a device's first link-local sends a
    /// router solicitation at once and plans the next ones.
    fn addrconf_dad_completed(&mut self, link: LinkId, addr: Ipv6Addr) {
        let Some(i) = self.iface_mut(link) else {
            return;
        };
        if let Some(a) = i.inet6.iter_mut().find(|a| a.addr == addr) {
            a.tentative = false;
        }
        let link_local = scope_of(addr) == Scope::Link;
        let lonely = link_local
            && i.inet6
                .iter()
                .filter(|a| a.scope == Scope::Link && !a.tentative)
                .count()
                == 1;
        let first_ll = link_local && i.rs.probes == 0;
        if lonely {
            self.mld_dad_complete(link);
        }
        // ipv6_accept_ra: a device that forwards takes no advertisements, so asks for none.
        if !first_ll || self.forwards6(link) {
            return;
        }
        self.send_rs(link, addr);
        let interval = backoff_init(self, RTR_SOLICIT_INTERVAL);
        let gen = self.v6_next_gen();
        if let Some(i) = self.iface_mut(link) {
            i.rs = RsState {
                probes: 1,
                interval,
                gen,
            };
        }
        let at = self.now() + interval;
        self.arm_kernel_timer(at, Timer::Rs { link, gen });
    }

    fn send_rs(&mut self, link: LinkId, src: Ipv6Addr) {
        if let Some(mac) = self.fabric.link(link).map(|l| l.mac) {
            self.ndisc_mcast_entry(link, ndisc::ALL_ROUTERS);
            self.stack_transmit(link, ndisc::router_solicitation(mac, src));
        }
    }

    /// addrconf_rs_timer: the next solicitation, from a link-local that passed DAD, while
    /// `router_solicitations` allows one more.
    pub(crate) fn rs_timer(&mut self, link: LinkId, gen: u64) {
        let Some(i) = self.iface(link) else {
            return;
        };
        if i.rs.gen != gen || RTR_SOLICITS.is_some_and(|n| i.rs.probes >= n) || i.forwarding6 != 0 {
            return;
        }
        let Some(src) = i
            .inet6
            .iter()
            .find(|a| a.scope == Scope::Link && !a.tentative)
            .map(|a| a.addr)
        else {
            return;
        };
        let interval = i.rs.interval;
        self.send_rs(link, src);
        let next = backoff_update(self, interval, RTR_SOLICIT_MAX_INTERVAL);
        if let Some(i) = self.iface_mut(link) {
            i.rs.probes += 1;
            i.rs.interval = next;
        }
        if self
            .iface(link)
            .is_some_and(|i| RTR_SOLICITS.is_none_or(|n| i.rs.probes < n))
        {
            let at = self.now() + next;
            self.arm_kernel_timer(at, Timer::Rs { link, gen });
        }
    }

    /// The IPv6 addresses of `link`, in the kernel's list order.
    pub fn addrs6(&self, link: LinkId) -> &[Inet6Addr] {
        self.iface(link).map_or(&[], |i| i.inet6.as_slice())
    }
}

/// What holds a device's groups, one item per user: each address's solicited-node group;
/// with forwarding on, the all-routers groups (dev_forward_change: link-, interface- and
/// site-local) and the solicited-node group of each settled address's subnet-router anycast
/// (addrconf_join_anycast). lo holds none.
fn group_users(i: &crate::lab::Iface, lo: bool) -> impl Iterator<Item = Ipv6Addr> + '_ {
    let router = !lo && i.forwarding6 != 0;
    let solicited = i
        .inet6
        .iter()
        .filter(move |_| !lo)
        .map(|a| solicited_node(a.addr));
    let all_routers = [
        Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2),
        Ipv6Addr::new(0xff01, 0, 0, 0, 0, 0, 0, 2),
        Ipv6Addr::new(0xff05, 0, 0, 0, 0, 0, 0, 2),
    ]
    .into_iter()
    .filter(move |_| router);
    let anycast = i
        .inet6
        .iter()
        .filter(move |a| router && !a.tentative && a.prefix < 127)
        .map(|a| crate::stack::route6::mask6(a.addr, a.prefix))
        .filter(|base| !base.is_unspecified())
        .map(solicited_node);
    solicited.chain(all_routers).chain(anycast)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn lifetimes_count_down_in_whole_seconds() {
        let s = |x: f64| Duration::from_secs_f64(x);
        let l = Life {
            valid: Some(6),
            preferred: Some(3),
            tstamp: s(10.0),
            ..Life::default()
        };
        assert_eq!(
            (l.valid_left(s(10.0)), l.preferred_left(s(10.0))),
            (Some(6), Some(3))
        );
        assert_eq!(
            (l.valid_left(s(11.9)), l.preferred_left(s(11.9))),
            (Some(5), Some(2))
        );
        assert!(!l.deprecated(s(12.999)) && l.deprecated(s(13.0)));
        assert_eq!(l.preferred_left(s(20.0)), Some(0));
        assert!(l.dynamic() && !Life::default().dynamic() && !Life::default().deprecated(s(1e6)));
        let now_deprecated = Life {
            preferred: Some(0),
            ..Life::default()
        };
        assert!(now_deprecated.deprecated(Duration::ZERO));
    }

    #[test]
    fn link_local_from_mac() {
        // `ip addr` on Linux 6.18: c2:36:27:13:ac:aa -> fe80::c036:27ff:fe13:acaa/64.
        let m: MacAddr = "c2:36:27:13:ac:aa".parse().unwrap();
        assert_eq!(eui64_link_local(m).to_string(), "fe80::c036:27ff:fe13:acaa");
        assert_eq!(
            solicited_node(eui64_link_local(m)).to_string(),
            "ff02::1:ff13:acaa"
        );
    }

    #[test]
    fn newest_global_first_link_local_after() {
        let mk = |s: &str| Inet6Addr {
            life: Life::default(),
            addr: s.parse().unwrap(),
            prefix: 64,
            scope: scope_of(s.parse().unwrap()),
            tentative: false,
            nodad: false,
            dadfailed: false,
            dad_gen: 0,
        };
        let mut v = vec![mk("fe80::1")];
        insert_addr(&mut v, mk("2001:db8::1"));
        insert_addr(&mut v, mk("2001:db8:1::1"));
        let order: Vec<String> = v.iter().map(|a| a.addr.to_string()).collect();
        assert_eq!(order, ["2001:db8:1::1", "2001:db8::1", "fe80::1"]);
    }
}
