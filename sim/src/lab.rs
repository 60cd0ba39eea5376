//! The lab: the whole world — namespaces with their stacks, the wire, the clock, captures and
//! the event log — behind one typed API that the tools and the tests drive.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::num::NonZeroUsize;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::{Fabric, FabricError, LinkId, LinkKind, MacAddr};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::capture::Capture;
use crate::clock::{Clock, Timers};
use crate::error::{LabError, LabResult};
use crate::event::{Event, EventKind};
use crate::ping::PingSession;
use crate::stack::addr::{IfAddr, Ipv4Net, Scope};
use crate::stack::neigh::{NeighState, NeighTable};
use crate::stack::route::{self, Route, RouteProto, RouteType};

/// Identifies a namespace; the initial one (the host) is [`NsId::INIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NsId(pub u32);

impl NsId {
    /// The lab's initial namespace, standing for the host.
    pub const INIT: NsId = NsId(0);
}

/// How a lab is set up.
#[derive(Debug, Clone)]
pub struct LabConfig {
    /// Seed of every random choice (MACs, ICMP ids, reachable-time jitter).
    pub seed: u64,
    /// Virtual (deterministic) or real time.
    pub virtual_time: bool,
    /// The initial namespace's `lo` starts up with 127.0.0.1/8, as on a running host.
    pub host_lo_up: bool,
    /// Wall-clock time of lab time zero, in microseconds since the Unix epoch (pcap stamps).
    pub epoch_us: u64,
    /// IPv6 on (the kernel's default); off sets `disable_ipv6` in every namespace, as a host
    /// with `net.ipv6.conf.{all,default}.disable_ipv6=1` inherited by new namespaces has.
    pub ipv6: bool,
    /// The kernel's tick rate (CONFIG_HZ): the timer wheel's granularity, which every kernel
    /// timer (neighbour, bridge collector, a socket's receive timeout) is rounded to.
    pub hz: u32,
}

impl Default for LabConfig {
    fn default() -> Self {
        LabConfig {
            seed: 1,
            virtual_time: true,
            host_lo_up: true,
            // 2026-01-01T00:00:00Z: a fixed epoch keeps virtual-time captures reproducible.
            epoch_us: 1_767_225_600_000_000,
            ipv6: true,
            hz: crate::clock::DEFAULT_HZ,
        }
    }
}

/// The sysctls of a namespace that the lab models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NsSysctls {
    /// net.ipv4.conf.all.forwarding (= net.ipv4.ip_forward). Like the kernel's, these
    /// switches hold any C int written to them (proc_dointvec); non-zero is on.
    pub forwarding_all: i32,
    /// net.ipv4.conf.default.forwarding (new interfaces start with it).
    pub forwarding_default: i32,
    /// net.ipv6.conf.all.forwarding: the one switch ip6_forward reads.
    pub forwarding6_all: i32,
    /// net.ipv6.conf.default.forwarding (new interfaces start with it).
    pub forwarding6_default: i32,
    /// net.ipv6.conf.all.disable_ipv6.
    pub disable_ipv6_all: i32,
    /// net.ipv6.conf.default.disable_ipv6.
    pub disable_ipv6_default: i32,
    /// net.ipv4.icmp_echo_ignore_broadcasts (1 by default: smurf protection).
    pub icmp_echo_ignore_broadcasts: bool,
    /// net.ipv4.icmp_echo_ignore_all.
    pub icmp_echo_ignore_all: bool,
    /// net.ipv4.ip_default_ttl: the TTL of the datagrams the namespace sends (64).
    pub ip_default_ttl: u8,
}

/// A namespace: an isolated IPv4 stack.
#[derive(Debug)]
pub struct Namespace {
    /// Its name (`ip netns` name; empty for the initial namespace).
    pub name: String,
    /// Its interfaces, in creation order.
    pub ifaces: Vec<LinkId>,
    pub(crate) next_ifindex: u32,
    /// Its `lo`.
    pub lo: LinkId,
    /// Routes added by the user (connected routes are derived from addresses).
    pub static_routes: Vec<Route>,
    /// IPv6 routes added by the user (prefix routes are derived from addresses).
    pub static_routes6: Vec<crate::stack::route6::Route6Entry>,
    /// Address prefix routes the user deleted: device, prefix, and the newest address's
    /// generation then (a newer address makes the route again).
    pub(crate) deleted_prefix_routes6: Vec<(LinkId, std::net::Ipv6Addr, u8, u64)>,
    /// IPv6 path MTUs learned from "packet too big".
    pub(crate) pmtu6: crate::stack::route6::Pmtu6,
    /// The ARP table.
    pub neigh: NeighTable,
    /// Sysctls.
    pub sysctl: NsSysctls,
    /// Creation order, for listings.
    pub created: u64,
    /// The key of its IPv4 id generator's hash (`net->ipv4.ip_id_key`).
    pub(crate) ip_id_key: u64,
    /// Fragments waiting for the rest of their datagram, and learned path MTUs.
    pub(crate) frags: crate::stack::frag::FragTable,
    /// IPv6 fragments waiting for the rest of their packet.
    pub(crate) frags6: crate::stack::frag6::Frag6Table,
    /// Ids this namespace gave other namespaces (`link-netnsid N`), in order of first need.
    pub(crate) nsids: Vec<NsId>,
    /// Deleted by name, its interfaces not yet gone.
    pub dying: bool,
    /// Whether the name is in force (a file in /run/netns names it); the name stays for the
    /// record when it is taken away.
    pub named: bool,
    /// Its nsfs inode: what `readlink /proc/PID/ns/net` shows as `net:[N]`.
    pub inode: u32,
    /// The lab's own (the uplink's router and Internet): no listing shows it, no process
    /// enters it, and it lives as long as the lab.
    pub hidden: bool,
    /// Netfilter: the nat table and connection tracking.
    pub nf: crate::netfilter::Netfilter,
}

/// An interface as its namespace sees it (the wire's view is the fabric's [`l2lab_fabric::Link`]).
#[derive(Debug, Clone)]
pub struct Iface {
    /// Name.
    pub name: String,
    /// Index in its namespace.
    pub ifindex: u32,
    /// The namespace it is in.
    pub ns: NsId,
    /// IPv4 addresses, primary ones first.
    pub addrs: Vec<IfAddr>,
    /// net.ipv4.conf.NAME.forwarding (non-zero: on).
    pub forwarding: i32,
    /// net.ipv6.conf.NAME.disable_ipv6 (non-zero: IPv6 off).
    pub disable_ipv6: i32,
    /// net.ipv6.conf.NAME.forwarding: the device acts as a router (the router flag in its
    /// advertisements, no router solicitations); forwarding itself follows `all`.
    pub forwarding6: i32,
    /// Has been up at least once (a qdisc is attached from then on: `noqueue`, not `noop`).
    pub ever_up: bool,
    /// IPv6 addresses, in the kernel's list order (net/ipv6/addrconf.c).
    pub inet6: Vec<crate::stack::addrconf::Inet6Addr>,
    /// IPv6 configured the device since it came up (IF_READY): its link-local is made.
    pub(crate) v6_ready: bool,
    /// Up with IPv6 enabled, as addrconf last saw it.
    pub(crate) v6_on: bool,
    /// Up with carrier, as the neighbour tables last saw it.
    pub(crate) neigh_carrier: bool,
    /// Router solicitations sent and planned.
    pub(crate) rs: crate::stack::addrconf::RsState,
    /// MLD reports sent and planned.
    pub(crate) mld: crate::stack::mld::MldState,
    /// The solicited-node groups its addresses hold (group, users, when joined on the
    /// lab's multicast clock), oldest first: idev->mc_list reversed.
    pub(crate) mc6: Vec<(std::net::Ipv6Addr, u32, u64)>,
    /// IFLA_INET6_ADDR_GEN_MODE: how its link-local is made (0 eui64, 1 none,
    /// 2 stable_secret, 3 random).
    pub addr_gen_mode: u8,
    /// When it last came up and last went down, on the multicast clock (0: never): the
    /// device's link-layer list is rebuilt in a new order when it comes back up.
    pub(crate) mc_up: u64,
    pub(crate) mc_down: u64,
    /// A bridge's carrier as linkwatch last reported it (NETDEV_CHANGE): IPv6 reacts to this.
    pub(crate) lw_carrier: bool,
    /// A carrier change waits for linkwatch (__LINK_STATE_LINKWATCH_PENDING).
    pub(crate) lw_pending: bool,
    /// Its qdisc is active: dev_activate ran with carrier (coming up, or linkwatch).
    pub(crate) lw_active: bool,
    /// linkwatch has seen it registered (linkwatch_init_dev).
    pub(crate) lw_seen: bool,
}

/// A timer of the stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    Neigh {
        ns: NsId,
        dev: LinkId,
        ip: std::net::IpAddr,
        gen: u64,
    },
    /// A ping's wait ends (its socket's receive timeout, or its poll()).
    Ping {
        ping: usize,
        gen: u64,
    },
    /// A ping's SIGALRM: its deadline (`-w`) or the end of its wait for the last replies.
    PingAlarm {
        ping: usize,
    },
    NetnsCleanup {
        ns: NsId,
    },
    Igmp {
        link: LinkId,
        left: u32,
    },
    Cable {
        slot: u64,
    },
    /// Duplicate address detection's next step (addrconf_dad_work).
    Dad {
        link: LinkId,
        addr: std::net::Ipv6Addr,
        gen: u64,
        probes: u32,
    },
    /// The next router solicitation (addrconf_rs_timer).
    Rs {
        link: LinkId,
        gen: u64,
    },
    /// An IPv6 address's valid lifetime ends (addrconf_verify).
    Addr6Expire {
        link: LinkId,
        addr: std::net::Ipv6Addr,
        gen: u64,
    },
    /// An MLD report is due.
    Mld {
        link: LinkId,
        work: crate::stack::mld::MldWork,
        gen: u64,
    },
    /// linkwatch's delayed run (linkwatch_event): the changes that could wait.
    Linkwatch,
}

/// init_net's nsfs inode (include/linux/proc_ns.h: PROC_NET_INIT_INO = 0xEFFFFFF9).
pub const PROC_NET_INIT_INO: u32 = 0xEFFF_FFF9;

/// Where the lab's other namespaces' inodes start: PROC_DYNAMIC_FIRST (0xF0000000) plus the
/// few hundred numbers a booted kernel's procfs entries already hold.
pub const NETNS_INODE_FIRST: u32 = 0xF000_0000 + 0x100;

/// The kernel's extended ack for moving an interface that stays in its namespace (`lo`, a
/// bridge).
pub const NETNS_IMMUTABLE: &str = "The interface netns is immutable";

/// How long after `ip netns del` the namespace's interfaces are gone.
pub const NETNS_CLEANUP_DELAY: Duration = Duration::from_millis(20);

/// The whole emulated world.
#[derive(Debug)]
pub struct Lab {
    pub(crate) fabric: Fabric,
    pub(crate) clock: Clock,
    pub(crate) timers: Timers<Timer>,
    pub(crate) namespaces: Vec<Option<Namespace>>,
    pub(crate) ns_by_name: HashMap<String, NsId>,
    /// Counts changes of the namespace names, so watchers of the names need not compare them.
    names_changed: u64,
    /// The name each of those changes gave or took, in order, so that a watcher reads only
    /// what changed since it last looked instead of every name.
    names_log: Vec<String>,
    /// Namespaces by nsfs inode.
    ns_by_inode: HashMap<u32, NsId>,
    /// Inodes of namespaces gone, given again lowest first (an ida's rule).
    freed_inodes: std::collections::BTreeSet<u32>,
    /// Inodes handed out so far above [`NETNS_INODE_FIRST`].
    next_inode: u32,
    pub(crate) ifaces: Vec<Option<Iface>>,
    /// `ifaces` by name and by ifindex, per namespace.
    link_index: crate::lookup::LinkIndex,
    /// Interfaces that may have changed (`iface_mut`, made, removed) since addrconf last
    /// looked at them.
    pub(crate) v6_dirty: Vec<LinkId>,
    /// linkwatch_nextevent: before it, linkwatch runs only for urgent changes.
    pub(crate) lw_next: Duration,
    /// linkwatch's delayed run is armed.
    pub(crate) lw_armed: bool,
    /// Links whose carrier or state changed on the wire since the neighbour flush on
    /// carrier loss last looked at them.
    carrier_dirty: Vec<LinkId>,
    pub(crate) pings: Vec<PingSession>,
    pub(crate) captures: Vec<Option<Capture>>,
    /// The captures that see each interface, built when a frame is captured after the
    /// captures changed (`None` until then): a frame costs the captures that see it.
    pub(crate) capture_index: Option<HashMap<LinkId, Vec<crate::capture::CaptureId>>>,
    /// Captures given frames since [`Lab::capture_take_fresh`] last looked, each once.
    pub(crate) captures_fresh: Vec<crate::capture::CaptureId>,
    /// Whether each capture is in `captures_fresh`.
    pub(crate) capture_is_fresh: Vec<bool>,
    pub(crate) events: Vec<Event>,
    pub(crate) recording: bool,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) config: LabConfig,
    ns_created: u64,
    /// TAP ports and their devices (tap.rs).
    pub(crate) tap: crate::tap::TapState,
    /// The host's uplink, when it has one (uplink.rs).
    pub(crate) uplink: crate::uplink::Uplink,
    /// Open vSwitch's database and bridges (ovs.rs).
    pub(crate) ovs: crate::ovs::OvsDb,
    /// The kernel's jiffies at lab time zero: where its timer wheel's buckets fall.
    pub(crate) jiffies0: u64,
    /// What `ip link` keeps beyond the core model (api_ipa.rs).
    pub(crate) ipa: crate::api_ipa::IpaState,
    /// `bridge monitor fdb` watchers.
    pub(crate) fdb_watchers: crate::api_mon::Watchers<crate::api_mon::FdbEvent>,
    /// `ip monitor neigh` watchers.
    pub(crate) neigh_watchers: crate::api_mon::Watchers<crate::api_mon::NeighNote>,
    /// `bridge monitor link` watchers.
    pub(crate) link_watchers: crate::api_mon::Watchers<crate::api_mon::LinkEvent>,
    /// Pings whose process was woken (a wait ended, something arrived) and has yet to act.
    pub(crate) pings_woken: Vec<crate::ping::PingId>,
    /// A ping's process is acting: what wakes others waits until it is done.
    pub(crate) pings_running: bool,
    /// The kernel's IPv4 id generators (`ip_idents`, `ip_tstamps`): one counter and the
    /// jiffy of its last use per bucket, shared by every namespace as the kernel's are.
    pub(crate) ip_idents: HashMap<u32, (u32, u32)>,
    /// Draws of the id generators, apart from the lab's other random choices.
    pub(crate) ip_id_rng: ChaCha8Rng,
    /// IPv6's random choices (DAD delays and nonces, solicitation backoff), apart from the
    /// others so a lab without IPv6 draws the same as before.
    pub(crate) v6_rng: ChaCha8Rng,
    /// The order IPv6 routes were added in (ties in one fib6 node list oldest first).
    pub(crate) route6_seq: u64,
    /// Generation numbers of IPv6 timers.
    pub(crate) v6_gen: u64,
}

impl Lab {
    /// A lab with the default configuration: virtual time, seed 1.
    pub fn new() -> Lab {
        Lab::with_config(LabConfig::default())
    }

    /// A lab set up as `config` says.
    pub fn with_config(config: LabConfig) -> Lab {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x006c_326c_6162);
        let fabric_seed = rng.next_u64();
        let ip_id_rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x6970_6964);
        let v6_rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x6970_7636);
        let mut lab = Lab {
            fabric: Fabric::new(fabric_seed),
            clock: if config.virtual_time {
                Clock::virtual_time()
            } else {
                Clock::real_time()
            },
            timers: Timers::default(),
            namespaces: Vec::new(),
            ns_by_name: HashMap::new(),
            names_changed: 0,
            names_log: Vec::new(),
            ns_by_inode: HashMap::new(),
            freed_inodes: Default::default(),
            next_inode: 0,
            ifaces: Vec::new(),
            link_index: Default::default(),
            v6_dirty: Vec::new(),
            lw_next: Duration::ZERO,
            lw_armed: false,
            carrier_dirty: Vec::new(),
            pings: Vec::new(),
            captures: Vec::new(),
            capture_index: None,
            captures_fresh: Vec::new(),
            capture_is_fresh: Vec::new(),
            events: Vec::new(),
            recording: false,
            rng,
            config,
            ns_created: 0,
            tap: Default::default(),
            uplink: Default::default(),
            ovs: Default::default(),
            jiffies0: 0,
            ipa: Default::default(),
            fdb_watchers: Default::default(),
            neigh_watchers: Default::default(),
            link_watchers: Default::default(),
            pings_woken: Vec::new(),
            pings_running: false,
            ip_idents: HashMap::new(),
            ip_id_rng,
            v6_rng,
            route6_seq: 0,
            v6_gen: 0,
        };
        lab.jiffies0 = u64::from(lab.random_u32());
        let wheel = lab.wheel();
        lab.fabric.set_timer_wheel(wheel);
        let init = lab.create_ns(String::new());
        if lab.config.host_lo_up {
            let lo = lab.ns(init).map(|n| n.lo);
            if let Some(lo) = lo {
                let _ = lab.set_link_up_id(lo, true);
            }
        }
        lab
    }

    /// The lab's configuration.
    pub fn config(&self) -> &LabConfig {
        &self.config
    }

    /// Switches the event log (decision records included) on or off. Switching it on first
    /// records what already exists (namespaces, interfaces, their state), so a log read from
    /// its start describes the whole lab.
    pub fn set_recording(&mut self, on: bool) {
        let was = self.recording;
        self.recording = on;
        self.fabric.set_recording(on);
        if on && !was {
            self.record_snapshot();
        }
    }

    fn record_snapshot(&mut self) {
        let mut nss: Vec<(NsId, String)> = self
            .namespaces
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.as_ref().map(|n| (NsId(i as u32), n.name.clone())))
            .collect();
        nss.sort_by_key(|(id, _)| self.ns(*id).map_or(0, |n| n.created));
        for (id, name) in nss {
            if !name.is_empty() {
                self.event(EventKind::NetnsAdded { name });
            }
            for l in self.links(id) {
                self.link_added_event(id, l);
                if self.fabric.link(l).is_some_and(|k| k.admin_up) {
                    self.event(EventKind::LinkAdmin { link: l, up: true });
                }
                if let Some(m) = self.fabric.link(l).and_then(|k| k.master) {
                    self.event(EventKind::Master {
                        link: l,
                        bridge: Some(m),
                    });
                }
                let addrs = self.iface(l).map(|i| i.addrs.clone()).unwrap_or_default();
                for a in addrs {
                    self.event(EventKind::Address {
                        link: l,
                        addr: a.net.to_string(),
                        added: true,
                    });
                }
            }
        }
    }

    /// Events since the last call.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.collect_wire();
        std::mem::take(&mut self.events)
    }

    pub(crate) fn event(&mut self, kind: EventKind) {
        if let EventKind::Neigh {
            ns,
            dev,
            ip,
            mac,
            to: Some(to),
            ..
        } = kind
        {
            self.neigh_changed(ns, dev, ip, mac, to);
        }
        if self.recording {
            let at = self.now();
            self.events.push(Event { at, kind });
        }
    }

    /// Read access to the wire: links, bridges, FDBs, counters.
    pub fn fabric(&self) -> &Fabric {
        &self.fabric
    }

    /// The bound on learned FDB entries of every bridge.
    pub fn set_fdb_max_learned(&mut self, max: NonZeroUsize) {
        self.fabric.set_max_learned(max);
    }

    // ---- time ---------------------------------------------------------------------------

    /// The current lab time.
    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// When the next timer is due, on any layer.
    pub fn next_deadline(&self) -> Option<Duration> {
        match (self.timers.next_deadline(), self.fabric.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Virtual time: moves the clock forward by `d`, running every timer on the way in order.
    pub fn advance(&mut self, d: Duration) -> LabResult<()> {
        let target = self.now() + d;
        self.advance_to(target)
    }

    /// Virtual time: moves the clock to `target`, running every timer due on the way.
    pub fn advance_to(&mut self, target: Duration) -> LabResult<()> {
        if !self.clock.is_virtual() {
            return Err(LabError::WrongClock(
                "advance needs the virtual clock; on the real clock use run_due",
            ));
        }
        while let Some(t) = self.next_deadline() {
            if t > target {
                break;
            }
            self.clock.set(t);
            self.run_due();
        }
        self.clock.set(target);
        Ok(())
    }

    /// Virtual time: jumps to the next timer and runs it; `false` when none is left.
    pub fn step(&mut self) -> bool {
        match self.next_deadline() {
            Some(t) if self.clock.is_virtual() => {
                self.clock.set(t);
                self.run_due();
                true
            }
            _ => false,
        }
    }

    /// Runs every timer due at the current time (the real clock's driver calls this), as a
    /// kernel tick does: every timer due runs first (in [`Timers`]' order); the frames their
    /// callbacks sent wait in the receive backlog until the last one has run; the processes
    /// they woke act after that.
    pub fn run_due(&mut self) {
        let now = self.now();
        self.fabric.poll(now);
        while let Some((at, t)) = self.timers.pop_due(now) {
            match t {
                Timer::Neigh { ns, dev, ip, gen } => self.neigh_timer(ns, dev, ip, gen),
                Timer::Ping { ping, gen } => self.ping_timer(ping, gen, at),
                Timer::PingAlarm { ping } => self.ping_alarm(ping),
                Timer::NetnsCleanup { ns } => {
                    let _ = self.netns_cleanup(ns);
                }
                Timer::Igmp { link, left } => self.igmp_timer(link, left),
                Timer::Cable { slot } => self.cable_timer(slot),
                Timer::Dad {
                    link,
                    addr,
                    gen,
                    probes,
                } => self.dad_timer(link, addr, gen, probes),
                Timer::Rs { link, gen } => self.rs_timer(link, gen),
                Timer::Mld { link, work, gen } => self.mld_timer(link, work, gen),
                Timer::Linkwatch => self.linkwatch_run(),
                Timer::Addr6Expire { link, addr, gen } => self.addr6_expire(link, addr, gen),
            }
        }
        self.pump();
        self.collect_wire();
    }

    /// Real time: sleeps until the next timer (or `max`), then runs what is due.
    pub async fn run_realtime_once(&mut self, max: Duration) {
        let now = self.now();
        let until = self.next_deadline().map_or(now + max, |t| t.min(now + max));
        let clock = self.clock.clone();
        clock.sleep_until(until).await;
        self.run_due();
    }

    /// The kernel's timer wheel as this lab's HZ and jiffies place it.
    pub fn wheel(&self) -> crate::clock::Wheel {
        crate::clock::Wheel::new(self.config.hz, self.jiffies0)
    }

    /// One jiffy at this lab's HZ.
    pub(crate) fn jiffy(&self) -> Duration {
        let w = self.wheel();
        w.time_of(w.jiffies0 + 1)
    }

    /// Arms a kernel timer for `at`: the timer wheel rounds it up to its level's granularity
    /// (see [`crate::clock::Wheel::timer`]) and orders it among the timers of its tick.
    pub(crate) fn arm_kernel_timer(&mut self, at: Duration, t: Timer) {
        let (at, level) = self.wheel().timer(self.now(), at);
        self.timers.schedule_wheel(at, level, t);
    }

    /// Arms a kernel timer `delta` jiffies from now (`mod_timer(t, jiffies + delta)`).
    pub(crate) fn arm_kernel_timer_jiffies(&mut self, delta: u64, t: Timer) {
        let (at, level) = self.wheel().arm(self.now(), delta);
        self.timers.schedule_wheel(at, level, t);
    }

    pub(crate) fn schedule(&mut self, at: Duration, t: Timer) {
        self.timers.schedule(at, t);
    }

    pub(crate) fn random_u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    // ---- namespaces ---------------------------------------------------------------------

    fn create_ns(&mut self, name: String) -> NsId {
        let id = NsId(self.namespaces.len() as u32);
        let base = Duration::from_secs(30);
        // reachable_time is random in [base/2, 3·base/2] (neigh_rand_reach_time).
        let jitter = u64::from(self.random_u32()) % base.as_millis() as u64;
        let reach = base / 2 + Duration::from_millis(jitter);
        let lo = self.fabric.add_loopback();
        let inode = self.free_netns_inode(self.namespaces.is_empty());
        self.ns_by_inode.insert(inode, id);
        self.ns_created += 1;
        self.namespaces.push(Some(Namespace {
            name: name.clone(),
            ifaces: Vec::new(),
            next_ifindex: 1,
            lo,
            static_routes: Vec::new(),
            static_routes6: Vec::new(),
            deleted_prefix_routes6: Vec::new(),
            pmtu6: Default::default(),
            neigh: NeighTable::new(reach),
            sysctl: NsSysctls {
                forwarding_all: 0,
                forwarding_default: 0,
                forwarding6_all: 0,
                forwarding6_default: 0,
                disable_ipv6_all: i32::from(!self.config.ipv6),
                disable_ipv6_default: i32::from(!self.config.ipv6),
                icmp_echo_ignore_broadcasts: true,
                icmp_echo_ignore_all: false,
                ip_default_ttl: 64,
            },
            created: self.ns_created,
            ip_id_key: u64::from(self.rng.next_u32()),
            frags: Default::default(),
            frags6: Default::default(),
            nsids: Vec::new(),
            dying: false,
            named: !name.is_empty(),
            inode,
            hidden: false,
            nf: Default::default(),
        }));
        if !name.is_empty() {
            self.ns_by_name.insert(name.clone(), id);
            self.names_changed += 1;
            self.names_log.push(name.clone());
            self.event(EventKind::NetnsAdded { name });
        }
        self.attach_iface(id, lo, "lo".to_string(), None);
        self.link_added_event(id, lo);
        id
    }

    /// The inode a new namespace gets. init_net has the fixed PROC_NET_INIT_INO; the others
    /// take the lowest number free above the ones boot-time procfs entries hold, as
    /// proc_alloc_inum hands them out (an ida: a freed number is given again).
    fn free_netns_inode(&mut self, initial: bool) -> u32 {
        if initial {
            return PROC_NET_INIT_INO;
        }
        if let Some(i) = self.freed_inodes.pop_first() {
            return i;
        }
        self.next_inode += 1;
        NETNS_INODE_FIRST + self.next_inode - 1
    }

    /// The nsfs inode of namespace `ns` (`net:[N]` in /proc/PID/ns/net), stable for its life.
    pub fn netns_inode(&self, ns: NsId) -> Option<u32> {
        self.ns(ns).map(|n| n.inode)
    }

    /// Creates a named namespace with only `lo`, down (`ip netns add`); the name is a file
    /// name under /run/netns, so it must be one (see [`check_netns_name`]).
    pub fn add_netns(&mut self, name: &str) -> LabResult<NsId> {
        check_netns_name(name)?;
        if self.ns_by_name.contains_key(name) {
            return Err(LabError::Exists(name.to_string()));
        }
        Ok(self.create_ns(name.to_string()))
    }

    /// Deletes a namespace and every interface in it (a veth end takes its peer along).
    /// The name goes at once; the namespace itself, with its interfaces, goes a moment later,
    /// as the kernel's cleanup_net runs from a workqueue: a veth's far end still shows up
    /// right after `ip netns del`.
    pub fn del_netns(&mut self, name: &str) -> LabResult<()> {
        let id = self.unname_netns(name)?;
        self.drop_netns(id);
        Ok(())
    }

    /// Creates a namespace without a name (`unshare -n`): it lives while a process is in it
    /// or a name is given to it.
    pub fn add_anon_netns(&mut self) -> NsId {
        self.create_ns(String::new())
    }

    /// Gives namespace `id` the name `name` (`mount --bind /proc/PID/ns/net
    /// /run/netns/NAME`, `ip netns attach`). A namespace has one name in a lab.
    pub fn name_netns(&mut self, id: NsId, name: &str) -> LabResult<()> {
        if self.ns_by_name.contains_key(name) {
            return Err(LabError::Exists(name.to_string()));
        }
        if id == NsId::INIT {
            return Err(LabError::InvalidArgument(
                "the initial namespace takes no name in a lab".into(),
            ));
        }
        let Some(ns) = self.ns_mut(id) else {
            return Err(LabError::NoSuchNamespace(name.to_string()));
        };
        if ns.dying {
            return Err(LabError::NoSuchNamespace(name.to_string()));
        }
        if ns.named {
            return Err(LabError::InvalidArgument(format!(
                "the namespace already is \"{}\": a namespace has one name in a lab",
                ns.name
            )));
        }
        ns.name = name.to_string();
        ns.named = true;
        self.ns_by_name.insert(name.to_string(), id);
        self.names_changed += 1;
        self.names_log.push(name.to_string());
        self.event(EventKind::NetnsAdded {
            name: name.to_string(),
        });
        Ok(())
    }

    /// Takes a namespace's name away (`umount /run/netns/NAME`); the namespace stays while a
    /// process is in it. Returns the namespace.
    pub fn unname_netns(&mut self, name: &str) -> LabResult<NsId> {
        // The empty name is the initial namespace, which no one can delete.
        check_netns_name(name)?;
        let id = self.netns(name)?;
        self.ns_by_name.remove(name);
        self.names_changed += 1;
        self.names_log.push(name.to_string());
        if let Some(n) = self.ns_mut(id) {
            n.named = false;
        }
        self.event(EventKind::NetnsDeleted {
            name: name.to_string(),
        });
        Ok(id)
    }

    /// Ends a namespace that has no name and no process left: its pings stop, and its
    /// interfaces go a moment later (cleanup_net).
    pub fn drop_netns(&mut self, id: NsId) {
        if id == NsId::INIT {
            return;
        }
        match self.ns_mut(id) {
            Some(n) if !n.dying => n.dying = true,
            _ => return,
        }
        for p in self.pings.iter_mut().filter(|p| p.ns == id) {
            p.finish_now();
        }
        let at = self.now() + NETNS_CLEANUP_DELAY;
        self.schedule(at, Timer::NetnsCleanup { ns: id });
    }

    /// Namespaces without a name that still live.
    pub fn anon_netns(&self) -> Vec<NsId> {
        self.namespaces
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.as_ref().map(|n| (NsId(i as u32), n)))
            .filter(|(id, n)| *id != NsId::INIT && !n.named && !n.dying && !n.hidden)
            .map(|(id, _)| id)
            .collect()
    }

    /// The namespace with nsfs inode `ino`, if it lives.
    pub fn netns_by_inode(&self, ino: u32) -> Option<NsId> {
        self.ns_by_inode
            .get(&ino)
            .copied()
            .filter(|id| self.ns(*id).is_some_and(|n| !n.dying))
    }

    /// cleanup_net: the interfaces of a deleted namespace go (a veth takes its peer along).
    fn netns_cleanup(&mut self, id: NsId) -> LabResult<()> {
        if id == NsId::INIT {
            return Err(LabError::InvalidArgument(
                "the initial namespace cannot go".into(),
            ));
        }
        let links: Vec<LinkId> = self.ns(id).map(|n| n.ifaces.clone()).unwrap_or_default();
        // Bridges first release their ports, then everything goes.
        for l in links.iter().rev() {
            if self.iface(*l).is_some() {
                self.delete_link_id(*l)?;
            }
        }
        if let Some(n) = self.namespaces[id.0 as usize].take() {
            self.ns_by_inode.remove(&n.inode);
            self.freed_inodes.insert(n.inode);
        }
        Ok(())
    }

    /// The namespace called `name` (the empty name is the initial namespace).
    pub fn netns(&self, name: &str) -> LabResult<NsId> {
        if name.is_empty() {
            return Ok(NsId::INIT);
        }
        self.ns_by_name
            .get(name)
            .copied()
            .ok_or_else(|| LabError::NoSuchNamespace(name.to_string()))
    }

    /// A number that changes whenever a namespace name is added or removed.
    pub fn names_changed(&self) -> u64 {
        self.names_changed
    }

    /// The names given or taken since [`Lab::names_changed`] was `seen`, oldest first (a name
    /// may come more than once): what a watcher of the names looks at again.
    pub fn names_changed_since(&self, seen: u64) -> &[String] {
        let from =
            usize::try_from(seen).map_or(self.names_log.len(), |s| s.min(self.names_log.len()));
        &self.names_log[from..]
    }

    /// Whether `name` names a namespace now (one `ip netns list` shows).
    pub fn is_netns_name(&self, name: &str) -> bool {
        self.ns_by_name
            .get(name)
            .and_then(|id| self.ns(*id))
            .is_some_and(|n| n.named && !n.dying)
    }

    /// Named namespaces, oldest first.
    pub fn netns_names(&self) -> Vec<String> {
        let mut v: Vec<&Namespace> = self
            .namespaces
            .iter()
            .flatten()
            .filter(|n| n.named && !n.dying)
            .collect();
        v.sort_by_key(|n| n.created);
        v.into_iter().map(|n| n.name.clone()).collect()
    }

    /// A namespace.
    pub fn ns(&self, id: NsId) -> Option<&Namespace> {
        self.namespaces.get(id.0 as usize).and_then(|n| n.as_ref())
    }

    /// The id namespace `view` knows `other` by (`link-netnsid`), given on first use from 0 up.
    pub fn netnsid(&mut self, view: NsId, other: NsId) -> u32 {
        let Some(n) = self.ns_mut(view) else { return 0 };
        match n.nsids.iter().position(|x| *x == other) {
            Some(i) => i as u32,
            None => {
                n.nsids.push(other);
                (n.nsids.len() - 1) as u32
            }
        }
    }

    /// The id `view` has given `other`, if it has given one.
    pub fn nsid_known(&self, view: NsId, other: NsId) -> Option<u32> {
        self.ns(view)?
            .nsids
            .iter()
            .position(|x| *x == other)
            .map(|i| i as u32)
    }

    /// Two namespaces joined by a veth learn each other's ids, as the kernel's netlink
    /// notifications make them do (peernet2id_alloc).
    fn note_peer_netns(&mut self, link: LinkId) {
        let Some(LinkKind::Veth { peer }) = self.fabric.link(link).map(|l| &l.kind) else {
            return;
        };
        let peer = *peer;
        let (Some(a), Some(b)) = (
            self.iface(link).map(|i| i.ns),
            self.iface(peer).map(|i| i.ns),
        ) else {
            return;
        };
        if a != b {
            self.netnsid(a, b);
            self.netnsid(b, a);
        }
    }

    pub(crate) fn ns_mut(&mut self, id: NsId) -> Option<&mut Namespace> {
        self.namespaces
            .get_mut(id.0 as usize)
            .and_then(|n| n.as_mut())
    }

    // ---- interfaces ---------------------------------------------------------------------

    /// The namespace view of interface `link`.
    pub fn iface(&self, link: LinkId) -> Option<&Iface> {
        self.ifaces.get(link.0 as usize).and_then(|i| i.as_ref())
    }

    pub(crate) fn iface_mut(&mut self, link: LinkId) -> Option<&mut Iface> {
        // Whoever changes it may change its name or index: the index looks again.
        self.link_index.touch(link);
        self.v6_dirty.push(link);
        self.ifaces
            .get_mut(link.0 as usize)
            .and_then(|i| i.as_mut())
    }

    /// Whether an interface of `ns` carries `ip` (up or down): one probe of the index.
    pub(crate) fn has_local_addr(&self, ns: NsId, ip: Ipv4Addr) -> bool {
        self.link_index.has_addr(&self.ifaces, ns, ip)
    }

    /// The interface called `name` in `ns`.
    pub fn link_by_name(&self, ns: NsId, name: &str) -> LabResult<LinkId> {
        let found = self.link_index.by_name(&self.ifaces, ns, name);
        debug_assert_eq!(found, self.link_by_name_scan(ns, name));
        found.ok_or_else(|| LabError::NoSuchDevice(name.to_string()))
    }

    /// `link_by_name` the long way, which the index must agree with.
    fn link_by_name_scan(&self, ns: NsId, name: &str) -> Option<LinkId> {
        self.ns(ns).and_then(|n| {
            n.ifaces
                .iter()
                .copied()
                .find(|l| self.iface(*l).is_some_and(|i| i.name == name))
        })
    }

    /// The interface with index `ifindex` in `ns`.
    pub fn link_by_index(&self, ns: NsId, ifindex: u32) -> Option<LinkId> {
        let found = self.link_index.by_index(&self.ifaces, ns, ifindex);
        debug_assert_eq!(
            found,
            self.ns(ns).and_then(|n| n
                .ifaces
                .iter()
                .copied()
                .find(|l| self.iface(*l).is_some_and(|i| i.ifindex == ifindex)))
        );
        found
    }

    /// The interfaces of `ns`, by index.
    pub fn links(&self, ns: NsId) -> Vec<LinkId> {
        let mut v = self.ns(ns).map(|n| n.ifaces.clone()).unwrap_or_default();
        v.sort_by_key(|l| self.iface(*l).map_or(0, |i| i.ifindex));
        v
    }

    fn check_name(&self, ns: NsId, name: &str) -> LabResult<()> {
        if !dev_valid_name(name) {
            return Err(LabError::InvalidArgument(format!(
                "\"{name}\" is not a valid ifname"
            )));
        }
        if self.link_by_name(ns, name).is_ok() {
            return Err(LabError::Exists(name.to_string()));
        }
        Ok(())
    }

    /// Gives the namespace `ns` the wire's link `link` as interface `name`.
    pub(crate) fn attach_named(&mut self, ns: NsId, link: LinkId, name: &str) {
        self.attach_iface(ns, link, name.to_string(), None);
    }

    fn attach_iface(&mut self, ns: NsId, link: LinkId, name: String, want_index: Option<u32>) {
        let (forwarding, disable_ipv6, forwarding6) = self.ns(ns).map_or((0, 0, 0), |n| {
            (
                n.sysctl.forwarding_default,
                n.sysctl.disable_ipv6_default,
                n.sysctl.forwarding6_default,
            )
        });
        let taken = |lab: &Lab, idx: u32| lab.link_by_index(ns, idx).is_some();
        let ifindex = match want_index {
            Some(i) if !taken(self, i) => i,
            _ => {
                let mut i = self.ns(ns).map_or(1, |n| n.next_ifindex);
                while taken(self, i) {
                    i += 1;
                }
                i
            }
        };
        if let Some(n) = self.ns_mut(ns) {
            n.ifaces.push(link);
            n.next_ifindex = n.next_ifindex.max(ifindex + 1);
        }
        let idx = link.0 as usize;
        if self.ifaces.len() <= idx {
            self.ifaces.resize(idx + 1, None);
        }
        self.link_index.touch(link);
        self.v6_dirty.push(link);
        self.ifaces[idx] = Some(Iface {
            name,
            ifindex,
            ns,
            addrs: Vec::new(),
            forwarding,
            disable_ipv6,
            forwarding6,
            ever_up: false,
            inet6: Vec::new(),
            v6_ready: false,
            v6_on: false,
            neigh_carrier: false,
            rs: Default::default(),
            mld: Default::default(),
            mc6: Vec::new(),
            addr_gen_mode: 0,
            mc_up: 0,
            mc_down: 0,
            lw_carrier: true,
            lw_pending: false,
            lw_active: false,
            lw_seen: false,
        });
        self.captures_join(ns, link);
    }

    fn link_added_event(&mut self, ns: NsId, link: LinkId) {
        if !self.recording {
            return;
        }
        let name = self.iface(link).map(|i| i.name.clone()).unwrap_or_default();
        let (kind, peer) = match self.fabric.link(link).map(|l| &l.kind) {
            Some(LinkKind::Veth { peer }) => ("veth", Some(*peer)),
            Some(k) => (k.name(), None),
            None => ("unknown", None),
        };
        self.event(EventKind::LinkAdded {
            ns,
            link,
            name,
            kind,
            peer,
        });
    }

    /// Creates a veth pair `name` in `ns` and `peer` in `peer_ns` (default: `ns`), both down.
    /// The peer is created first, as the kernel does, so it has the lower index.
    pub fn add_veth(
        &mut self,
        ns: NsId,
        name: &str,
        peer: &str,
        peer_ns: Option<NsId>,
    ) -> LabResult<(LinkId, LinkId)> {
        let peer_ns = peer_ns.unwrap_or(ns);
        self.check_name(ns, name)?;
        self.check_name(peer_ns, peer)?;
        if ns == peer_ns && name == peer {
            return Err(LabError::Exists(name.to_string()));
        }
        let (a, b) = self.fabric.add_veth_pair();
        self.attach_iface(peer_ns, b, peer.to_string(), None);
        self.attach_iface(ns, a, name.to_string(), None);
        self.link_added_event(peer_ns, b);
        self.link_added_event(ns, a);
        self.note_peer_netns(a);
        Ok((a, b))
    }

    /// Creates a bridge `name` in `ns`, down, with no ports.
    pub fn add_bridge(&mut self, ns: NsId, name: &str) -> LabResult<LinkId> {
        self.check_name(ns, name)?;
        let id = self.fabric.add_bridge();
        self.attach_iface(ns, id, name.to_string(), None);
        self.link_added_event(ns, id);
        Ok(id)
    }

    /// Creates a dummy interface (frames sent go nowhere) `name` in `ns`.
    pub fn add_dummy(&mut self, ns: NsId, name: &str) -> LabResult<LinkId> {
        self.check_name(ns, name)?;
        let id = self.fabric.add_dummy();
        self.attach_iface(ns, id, name.to_string(), None);
        self.link_added_event(ns, id);
        Ok(id)
    }

    /// Deletes interface `name` of `ns` (`ip link del`).
    pub fn del_link(&mut self, ns: NsId, name: &str) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        if self
            .fabric
            .link(id)
            .is_some_and(|l| matches!(l.kind, LinkKind::Loopback))
        {
            return Err(LabError::NotSupported("cannot delete lo".into()));
        }
        self.delete_link_id(id)
    }

    fn delete_link_id(&mut self, id: LinkId) -> LabResult<()> {
        // Going down first drops routes, neighbours and port state like the kernel's
        // unregister path does.
        let peer = match self.fabric.link(id).map(|l| &l.kind) {
            Some(LinkKind::Veth { peer }) => Some(*peer),
            _ => None,
        };
        self.set_link_up_id(id, false)?;
        if let Some(p) = peer {
            self.set_link_up_id(p, false)?;
        }
        let now = self.now();
        let gone = self.fabric.remove(id, now).map_err(fabric_err)?;
        // The watchers name the entries' interfaces before they go.
        self.collect_fdb_changes();
        for g in gone {
            self.stop_captures_on(g);
            self.link_index.touch(g);
            self.v6_dirty.push(g);
            if let Some(iface) = self.ifaces.get_mut(g.0 as usize).and_then(|i| i.take()) {
                if let Some(n) = self.ns_mut(iface.ns) {
                    n.ifaces.retain(|l| *l != g);
                }
                let ns_name = self
                    .ns(iface.ns)
                    .map(|n| n.name.clone())
                    .unwrap_or_default();
                self.event(EventKind::LinkDeleted {
                    ns: iface.ns,
                    ns_name,
                    link: g,
                    name: iface.name,
                });
            }
        }
        self.collect_wire();
        Ok(())
    }

    /// Sets interface `name` of `ns` up or down.
    pub fn set_link_up(&mut self, ns: NsId, name: &str, up: bool) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        self.set_link_up_id(id, up)
    }

    /// Sets interface `id` up or down, with the kernel's consequences: `lo` gets 127.0.0.1/8
    /// when it comes up; going down drops the interface's routes and neighbours.
    pub fn set_link_up_id(&mut self, id: LinkId, up: bool) -> LabResult<()> {
        let now = self.now();
        let was = self.fabric.link(id).is_some_and(|l| l.admin_up);
        self.fabric.set_up(id, up, now).map_err(fabric_err)?;
        if was == up {
            return Ok(());
        }
        self.event(EventKind::LinkAdmin { link: id, up });
        self.v6_gen += 1;
        let stamp = self.v6_gen;
        if let Some(i) = self.iface_mut(id) {
            if up {
                i.ever_up = true;
                i.mc_up = stamp;
            } else {
                i.mc_down = stamp;
            }
        }
        let is_lo = self
            .fabric
            .link(id)
            .is_some_and(|l| matches!(l.kind, LinkKind::Loopback));
        if up && is_lo {
            let lo_net = Ipv4Net {
                addr: Ipv4Addr::LOCALHOST,
                prefix: 8,
            };
            if let Some(i) = self.iface_mut(id) {
                if !i.addrs.iter().any(|a| a.net == lo_net) {
                    let label = i.name.clone();
                    i.addrs.insert(
                        0,
                        IfAddr {
                            net: lo_net,
                            broadcast: None,
                            scope: Scope::Host,
                            label,
                            secondary: false,
                        },
                    );
                }
            }
        }
        if !up {
            self.link_went_down(id);
        } else if self.fabric.bridge(id).is_some_and(|b| !b.ovs) {
            // Multicast snooping's all-snoopers join: Linux bridges only, not an Open
            // vSwitch bridge's internal port.
            self.igmp_bridge_up(id);
        }
        self.collect_wire();
        Ok(())
    }

    fn link_went_down(&mut self, id: LinkId) {
        let Some(ns) = self.iface(id).map(|i| i.ns) else {
            return;
        };
        let now = self.now();
        let mut changed = Vec::new();
        if let Some(n) = self.ns_mut(ns) {
            n.static_routes.retain(|r| r.dev != id);
            // rt6_sync_down_dev: a device going down takes its IPv6 routes with it.
            n.static_routes6.retain(|r| r.dev != id);
            for e in n.neigh.flush_dev(id) {
                changed.push((e.ip, e.mac, e.state));
            }
        }
        for (ip, mac, st) in changed {
            self.neigh_removed(ns, id, ip, mac, st, false);
            self.event(EventKind::Neigh {
                ns,
                dev: id,
                ip,
                mac,
                from: Some(st),
                to: None,
            });
        }
        let _ = now;
    }

    /// neigh_carrier_down (ARP's and ND's NETDEV_CHANGE): a device that lost its carrier
    /// loses its neighbours but the permanent ones.
    fn neigh_carrier_sync(&mut self) {
        // Only a link's state changes it, and only that link's: frames alone never do.
        self.pull_state_changes();
        if self.carrier_dirty.is_empty() {
            return;
        }
        let mut todo: Vec<usize> = std::mem::take(&mut self.carrier_dirty)
            .into_iter()
            .map(|l| l.0 as usize)
            .filter(|&i| i < self.ifaces.len())
            .collect();
        todo.sort_unstable();
        todo.dedup();
        for idx in todo {
            let link = LinkId(idx as _);
            let Some(i) = self.ifaces[idx].as_ref() else {
                continue;
            };
            let (was, ns) = (i.neigh_carrier, i.ns);
            let now_on = self
                .fabric
                .link(link)
                .is_some_and(|l| l.admin_up && l.carrier);
            if was == now_on {
                continue;
            }
            if let Some(i) = self.ifaces[idx].as_mut() {
                i.neigh_carrier = now_on;
            }
            if now_on {
                continue;
            }
            let gone = self
                .ns_mut(ns)
                .map(|n| n.neigh.flush_dev_carrier(link))
                .unwrap_or_default();
            for e in gone {
                self.neigh_removed(ns, link, e.ip, e.mac, e.state, false);
                self.event(EventKind::Neigh {
                    ns,
                    dev: link,
                    ip: e.ip,
                    mac: e.mac,
                    from: Some(e.state),
                    to: None,
                });
            }
        }
    }

    /// Makes interface `name` a port of bridge `bridge` (`None`: leaves its bridge).
    pub fn set_master(&mut self, ns: NsId, name: &str, bridge: Option<&str>) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        let now = self.now();
        match bridge {
            Some(b) => {
                let br = self.link_by_name(ns, b)?;
                if self.fabric.bridge(br).is_none() {
                    return Err(LabError::NotABridge(b.to_string()));
                }
                self.fabric.enslave(id, br, now).map_err(|e| match e {
                    FabricError::CannotEnslave(_) => {
                        LabError::NotSupported(format!("cannot enslave {name}"))
                    }
                    e => fabric_err(e),
                })?;
                self.event(EventKind::Master {
                    link: id,
                    bridge: Some(br),
                });
            }
            None => {
                if self.fabric.link(id).is_some_and(|l| l.master.is_some()) {
                    self.fabric.release(id, now).map_err(fabric_err)?;
                    self.event(EventKind::Master {
                        link: id,
                        bridge: None,
                    });
                }
            }
        }
        self.collect_wire();
        Ok(())
    }

    /// Moves interface `name` from `ns` to `to` (`ip link set X netns NS`): it goes down,
    /// leaves its bridge, loses its addresses, routes and neighbours, and keeps its index if
    /// that is free there.
    pub fn move_link(&mut self, ns: NsId, name: &str, to: NsId) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        if self.ns(to).is_none() {
            return Err(LabError::NoSuchNamespace(String::new()));
        }
        // NETIF_F_NETNS_LOCAL, checked before anything else (__dev_change_net_namespace),
        // even for a move to the namespace it is in.
        if let Some(LinkKind::Loopback | LinkKind::Bridge(_)) =
            self.fabric.link(id).map(|l| &l.kind)
        {
            return Err(LabError::NotSupported(NETNS_IMMUTABLE.into()));
        }
        if ns == to {
            return Ok(());
        }
        if self.link_by_name(to, name).is_ok() {
            return Err(LabError::Exists(name.to_string()));
        }
        self.set_link_up_id(id, false)?;
        if self.fabric.link(id).is_some_and(|l| l.master.is_some()) {
            self.set_master(ns, name, None)?;
        }
        self.captures_leave(ns, id);
        self.link_index.touch(id);
        let old = self.ifaces[id.0 as usize].take();
        let Some(old) = old else {
            return Err(LabError::NoSuchDevice(name.to_string()));
        };
        for a in &old.addrs {
            self.event(EventKind::Address {
                link: id,
                addr: a.net.to_string(),
                added: false,
            });
        }
        if let Some(n) = self.ns_mut(ns) {
            n.ifaces.retain(|l| *l != id);
        }
        self.attach_iface(to, id, old.name, Some(old.ifindex));
        self.event(EventKind::LinkMoved {
            link: id,
            from: ns,
            to,
        });
        Ok(())
    }

    /// Renames interface `name` of `ns`; the kernel refuses while it is up (EBUSY).
    pub fn rename_link(&mut self, ns: NsId, name: &str, new: &str) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        if name == new {
            return Ok(());
        }
        if self.fabric.link(id).is_some_and(|l| l.admin_up) {
            return Err(LabError::NotSupported("Device or resource busy".into()));
        }
        self.check_name(ns, new)?;
        if let Some(i) = self.iface_mut(id) {
            i.name = new.to_string();
            for a in i.addrs.iter_mut() {
                if a.label == name {
                    a.label = new.to_string();
                }
            }
        }
        self.event(EventKind::LinkRenamed {
            link: id,
            name: new.to_string(),
        });
        Ok(())
    }

    /// Sets the MAC address of interface `name`.
    pub fn set_mac(&mut self, ns: NsId, name: &str, mac: MacAddr) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        let now = self.now();
        self.fabric.set_mac(id, mac, now).map_err(fabric_err)
    }

    /// Sets the MTU of interface `name`.
    pub fn set_mtu(&mut self, ns: NsId, name: &str, mtu: u32) -> LabResult<()> {
        let id = self.link_by_name(ns, name)?;
        self.fabric.set_mtu(id, mtu).map_err(fabric_err)
    }

    /// Sets a bridge's ageing time.
    pub fn set_ageing_time(&mut self, ns: NsId, bridge: &str, ageing: Duration) -> LabResult<()> {
        let id = self.link_by_name(ns, bridge)?;
        let now = self.now();
        self.fabric
            .set_ageing_time(id, ageing, now)
            .map_err(|_| LabError::NotABridge(bridge.to_string()))
    }

    /// Sets a bridge port's learning switch.
    pub fn set_port_learning(&mut self, ns: NsId, port: &str, on: bool) -> LabResult<()> {
        let id = self.link_by_name(ns, port)?;
        self.fabric
            .set_port_flags(id, |f| f.learning = on)
            .map_err(|_| LabError::NotAPort(port.to_string()))
    }

    /// Sets a bridge port's unknown-unicast flood switch.
    pub fn set_port_flood(&mut self, ns: NsId, port: &str, on: bool) -> LabResult<()> {
        let id = self.link_by_name(ns, port)?;
        self.fabric
            .set_port_flags(id, |f| f.flood = on)
            .map_err(|_| LabError::NotAPort(port.to_string()))
    }

    /// Changes any of a port's flags.
    pub fn set_port_flags(
        &mut self,
        ns: NsId,
        port: &str,
        f: impl FnOnce(&mut l2lab_fabric::PortFlags),
    ) -> LabResult<()> {
        let id = self.link_by_name(ns, port)?;
        self.fabric
            .set_port_flags(id, f)
            .map_err(|_| LabError::NotAPort(port.to_string()))
    }

    /// Adds a static FDB entry to the bridge that `port` belongs to.
    pub fn fdb_add(&mut self, ns: NsId, port: &str, mac: MacAddr) -> LabResult<()> {
        let id = self.link_by_name(ns, port)?;
        let br = self
            .fabric
            .link(id)
            .and_then(|l| l.master)
            .ok_or_else(|| LabError::NotAPort(port.to_string()))?;
        let now = self.now();
        let b = self
            .fabric_bridge_mut(br)
            .ok_or_else(|| LabError::NotABridge(String::new()))?;
        if b.fdb
            .get(&mac)
            .is_some_and(|e| e.kind != l2lab_fabric::FdbKind::Learned)
        {
            return Err(LabError::Exists(mac.to_string()));
        }
        b.fdb
            .insert_fixed(mac, id, l2lab_fabric::FdbKind::Static, now);
        Ok(())
    }

    /// Removes an FDB entry of the bridge that `port` belongs to.
    pub fn fdb_del(&mut self, ns: NsId, port: &str, mac: MacAddr) -> LabResult<()> {
        let id = self.link_by_name(ns, port)?;
        let br = self
            .fabric
            .link(id)
            .and_then(|l| l.master)
            .ok_or_else(|| LabError::NotAPort(port.to_string()))?;
        let b = self
            .fabric_bridge_mut(br)
            .ok_or_else(|| LabError::NotABridge(String::new()))?;
        match b.fdb.get(&mac) {
            Some(e) if e.port == id => {
                b.fdb.remove(&mac);
                Ok(())
            }
            _ => Err(LabError::NotFound("fdb entry")),
        }
    }

    fn fabric_bridge_mut(&mut self, br: LinkId) -> Option<&mut l2lab_fabric::Bridge> {
        self.fabric.bridge_mut(br)
    }

    /// Switches kernel STP on or off on a bridge (`stp_state`, `brctl stp`).
    pub fn set_stp(&mut self, ns: NsId, bridge: &str, on: bool) -> LabResult<()> {
        let id = self.link_by_name(ns, bridge)?;
        let now = self.now();
        self.fabric
            .set_stp(id, on, now)
            .map_err(|_| LabError::NotABridge(bridge.to_string()))?;
        self.pump();
        Ok(())
    }

    // ---- addresses ----------------------------------------------------------------------

    /// Adds an address to interface `dev` (`ip addr add`); a further address in a subnet the
    /// interface has already is secondary.
    pub fn addr_add(
        &mut self,
        ns: NsId,
        dev: &str,
        net: Ipv4Net,
        broadcast: Option<Ipv4Addr>,
    ) -> LabResult<()> {
        let id = self.link_by_name(ns, dev)?;
        let iface = self
            .iface_mut(id)
            .ok_or_else(|| LabError::NoSuchDevice(dev.to_string()))?;
        if iface
            .addrs
            .iter()
            .any(|a| a.net.addr == net.addr && a.net.prefix == net.prefix)
        {
            return Err(LabError::Exists(net.to_string()));
        }
        let secondary = iface
            .addrs
            .iter()
            .any(|a| !a.secondary && a.net.prefix == net.prefix && a.net.contains(net.addr));
        let label = iface.name.clone();
        let a = IfAddr {
            net,
            broadcast,
            scope: IfAddr::default_scope(net.addr),
            label,
            secondary,
        };
        if secondary {
            iface.addrs.push(a);
        } else {
            let pos = iface
                .addrs
                .iter()
                .position(|a| a.secondary)
                .unwrap_or(iface.addrs.len());
            iface.addrs.insert(pos, a);
        }
        self.event(EventKind::Address {
            link: id,
            addr: net.to_string(),
            added: true,
        });
        Ok(())
    }

    /// Removes an address (`ip addr del`); the prefix length must match when given.
    pub fn addr_del(
        &mut self,
        ns: NsId,
        dev: &str,
        net: Ipv4Net,
        prefix_given: bool,
    ) -> LabResult<()> {
        let id = self.link_by_name(ns, dev)?;
        let iface = self
            .iface_mut(id)
            .ok_or_else(|| LabError::NoSuchDevice(dev.to_string()))?;
        let pos = iface
            .addrs
            .iter()
            .position(|a| a.net.addr == net.addr && (!prefix_given || a.net.prefix == net.prefix))
            .ok_or(LabError::NotFound("address"))?;
        let gone = iface.addrs.remove(pos);
        if !gone.secondary {
            // Without promote_secondaries the kernel drops the primary's secondaries with it.
            iface.addrs.retain(|a| {
                !(a.secondary
                    && gone.net.trunc().contains(a.net.addr)
                    && a.net.prefix == gone.net.prefix)
            });
        }
        let gw_dev = id;
        if let Some(n) = self.ns_mut(ns) {
            // Routes via a gateway no longer reachable go with it.
            let _ = gw_dev;
            n.static_routes.retain(|r| r.src != Some(gone.net.addr));
        }
        self.prune_unreachable_routes(ns);
        self.event(EventKind::Address {
            link: id,
            addr: gone.net.to_string(),
            added: false,
        });
        Ok(())
    }

    /// Removes every address of `dev` (`ip addr flush dev X`).
    pub fn addr_flush(&mut self, ns: NsId, dev: &str) -> LabResult<()> {
        let id = self.link_by_name(ns, dev)?;
        let addrs = self.iface(id).map(|i| i.addrs.clone()).unwrap_or_default();
        if let Some(i) = self.iface_mut(id) {
            i.addrs.clear();
        }
        for a in addrs {
            self.event(EventKind::Address {
                link: id,
                addr: a.net.to_string(),
                added: false,
            });
        }
        self.prune_unreachable_routes(ns);
        Ok(())
    }

    fn prune_unreachable_routes(&mut self, ns: NsId) {
        let connected = self.connected_routes(ns);
        if let Some(n) = self.ns_mut(ns) {
            n.static_routes.retain(|r| match r.gateway {
                None => true,
                Some(gw) => connected
                    .iter()
                    .any(|c| c.dev == r.dev && c.dst.contains(gw)),
            });
        }
    }

    /// Every address of the namespace: (interface, address).
    pub fn addresses(&self, ns: NsId) -> Vec<(LinkId, IfAddr)> {
        self.links(ns)
            .into_iter()
            .flat_map(|l| {
                self.iface(l)
                    .map(|i| {
                        i.addrs
                            .iter()
                            .map(move |a| (l, a.clone()))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Is `ip` one of the namespace's addresses on an interface that is up?
    pub fn is_local_addr(&self, ns: NsId, ip: Ipv4Addr) -> bool {
        self.local_addr_dev(ns, ip).is_some()
    }

    pub(crate) fn local_addr_dev(&self, ns: NsId, ip: Ipv4Addr) -> Option<LinkId> {
        let n = self.ns(ns)?;
        n.ifaces.iter().copied().find(|l| {
            self.fabric.link(*l).is_some_and(|k| k.admin_up)
                && self
                    .iface(*l)
                    .is_some_and(|i| i.addrs.iter().any(|a| a.net.addr == ip))
        })
    }

    // ---- routes -------------------------------------------------------------------------

    /// The connected routes: one per primary address prefix of every interface that is up.
    pub fn connected_routes(&self, ns: NsId) -> Vec<Route> {
        let mut v = Vec::new();
        for l in self.links(ns) {
            let Some(link) = self.fabric.link(l) else {
                continue;
            };
            if !link.admin_up || matches!(link.kind, LinkKind::Loopback) {
                continue;
            }
            let Some(i) = self.iface(l) else { continue };
            for a in i.addrs.iter().filter(|a| !a.secondary) {
                if a.net.prefix == 32 {
                    continue;
                }
                let dst = a.net.trunc();
                if v.iter().any(|r: &Route| r.dst == dst && r.dev == l) {
                    continue;
                }
                v.push(Route {
                    dst,
                    gateway: None,
                    dev: l,
                    proto: RouteProto::Kernel,
                    scope: Scope::Link,
                    src: Some(a.net.addr),
                    metric: 0,
                    linkdown: !link.carrier,
                    kind: RouteType::Unicast,
                });
            }
        }
        v
    }

    /// The main table: connected routes and the user's, in the kernel's listing order.
    pub fn routes(&self, ns: NsId) -> Vec<Route> {
        let mut v = self.connected_routes(ns);
        if let Some(n) = self.ns(ns) {
            for r in &n.static_routes {
                let mut r = r.clone();
                r.linkdown = self.fabric.link(r.dev).is_some_and(|l| !l.carrier);
                v.push(r);
            }
        }
        route::sort_for_listing(&mut v);
        v
    }

    /// Adds a route (`ip route add DST [via GW] [dev DEV] [metric N]`). A gateway must be on a
    /// connected subnet (of `dev` when given), or the kernel refuses (ENETUNREACH).
    pub fn route_add(
        &mut self,
        ns: NsId,
        dst: Ipv4Net,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
        metric: u32,
        proto: RouteProto,
    ) -> LabResult<()> {
        let dev_id = match dev {
            Some(d) => Some(self.link_by_name(ns, d)?),
            None => None,
        };
        let connected = self.connected_routes(ns);
        let (out_dev, scope) = match via {
            Some(gw) => {
                let c = connected
                    .iter()
                    .filter(|c| dev_id.is_none_or(|d| d == c.dev))
                    .find(|c| c.dst.contains(gw))
                    .ok_or(LabError::NetworkUnreachable(gw))?;
                (c.dev, Scope::Global)
            }
            None => {
                let d = dev_id.ok_or_else(|| LabError::InvalidArgument("no device".into()))?;
                if !self.fabric.link(d).is_some_and(|l| l.admin_up) {
                    return Err(LabError::NotSupported("Nexthop device is not up".into()));
                }
                (d, Scope::Link)
            }
        };
        let dst = dst.trunc();
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        if n.static_routes
            .iter()
            .any(|r| r.dst == dst && r.metric == metric)
            || connected.iter().any(|r| r.dst == dst && metric == 0)
        {
            return Err(LabError::Exists(dst.to_string()));
        }
        n.static_routes.push(Route {
            dst,
            gateway: via,
            dev: out_dev,
            proto,
            scope,
            src: None,
            metric,
            linkdown: false,
            kind: RouteType::Unicast,
        });
        let text = match via {
            Some(g) => format!("{dst} via {g}"),
            None => dst.to_string(),
        };
        self.event(EventKind::Route {
            ns,
            route: text,
            added: true,
        });
        Ok(())
    }

    /// Deletes a route of the user's (`ip route del DST`), matching gateway and device when given.
    pub fn route_del(
        &mut self,
        ns: NsId,
        dst: Ipv4Net,
        via: Option<Ipv4Addr>,
        dev: Option<&str>,
    ) -> LabResult<()> {
        let dev_id = match dev {
            Some(d) => Some(self.link_by_name(ns, d)?),
            None => None,
        };
        let dst = dst.trunc();
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        let pos = n
            .static_routes
            .iter()
            .position(|r| {
                r.dst == dst
                    && via.is_none_or(|g| r.gateway == Some(g))
                    && dev_id.is_none_or(|d| r.dev == d)
            })
            .ok_or(LabError::NotFound("route"))?;
        n.static_routes.remove(pos);
        self.event(EventKind::Route {
            ns,
            route: dst.to_string(),
            added: false,
        });
        Ok(())
    }

    /// The route an output packet to `dst` takes. The namespace's own addresses (on any
    /// interface, up or not) and 127/8 once `lo` has its address go through `lo`, which drops
    /// them while it is down, as on the kernel; anything else takes the longest prefix match of
    /// the main table, whose connected routes exist only for interfaces that are up.
    pub fn route_output(&self, ns: NsId, dst: Ipv4Addr) -> LabResult<route::NextHop> {
        let n = self.ns(ns).ok_or(LabError::NetworkUnreachable(dst))?;
        let lo = n.lo;
        let own = n.ifaces.iter().any(|l| {
            self.iface(*l)
                .is_some_and(|i| i.addrs.iter().any(|a| a.net.addr == dst))
        });
        let lo_net = self
            .iface(lo)
            .is_some_and(|i| i.addrs.iter().any(|a| a.net.contains(dst)));
        if own || lo_net {
            return Ok(route::NextHop {
                dev: lo,
                via: dst,
                src: Some(if dst.is_loopback() {
                    Ipv4Addr::LOCALHOST
                } else {
                    dst
                }),
            });
        }
        let routes = self.routes(ns);
        let r = route::lookup(&routes, dst).ok_or(LabError::NetworkUnreachable(dst))?;
        match r.kind {
            RouteType::Unicast => {}
            RouteType::Blackhole => return Err(LabError::Blackhole(dst)),
            RouteType::Local => {
                return Ok(route::NextHop {
                    dev: lo,
                    via: dst,
                    src: Some(dst),
                })
            }
        }
        let src = r.src.or_else(|| self.primary_addr(r.dev)).or_else(|| {
            // inet_select_addr: any global address of the namespace.
            self.addresses(ns)
                .into_iter()
                .find(|(_, a)| a.scope == Scope::Global)
                .map(|(_, a)| a.net.addr)
        });
        Ok(route::NextHop {
            dev: r.dev,
            via: r.gateway.unwrap_or(dst),
            src,
        })
    }

    /// Whether a `local` route makes `ip` this namespace's (AnyIP), though no interface has it.
    pub(crate) fn is_anyip(&self, ns: NsId, ip: Ipv4Addr) -> bool {
        let Some(n) = self.ns(ns) else {
            return false;
        };
        if !n.static_routes.iter().any(|r| r.kind == RouteType::Local) {
            return false;
        }
        let routes = self.routes(ns);
        route::lookup(&routes, ip).is_some_and(|r| r.kind == RouteType::Local)
    }

    /// net.ipv4.ip_default_ttl of a namespace.
    pub(crate) fn default_ttl(&self, ns: NsId) -> u8 {
        self.ns(ns).map_or(64, |n| n.sysctl.ip_default_ttl)
    }

    /// The first primary address of an interface.
    pub fn primary_addr(&self, link: LinkId) -> Option<Ipv4Addr> {
        self.iface(link)?
            .addrs
            .iter()
            .find(|a| !a.secondary)
            .map(|a| a.net.addr)
    }

    // ---- neighbours ---------------------------------------------------------------------

    /// The ARP table of `ns`.
    pub fn neighbours(&self, ns: NsId) -> Vec<crate::stack::neigh::Neighbour> {
        self.ns(ns)
            .map(|n| n.neigh.list().into_iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Adds (`replace`: or replaces) a neighbour entry by hand (`ip neigh add ... nud STATE`).
    pub fn neigh_add(
        &mut self,
        ns: NsId,
        dev: &str,
        ip: impl Into<std::net::IpAddr>,
        mac: Option<MacAddr>,
        state: NeighState,
        replace: bool,
    ) -> LabResult<()> {
        let ip = ip.into();
        let id = self.link_by_name(ns, dev)?;
        let now = self.now();
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        let old = n.neigh.get(id, ip).map(|e| e.state);
        if old.is_some() && !replace {
            return Err(LabError::Exists(ip.to_string()));
        }
        let e = n.neigh.entry(id, ip, now, state);
        e.state = state;
        e.mac = mac;
        e.updated = now;
        e.probes = 0;
        e.timer_gen += 1;
        if state.is_connected() {
            e.confirmed = now;
        }
        let queued: Vec<_> = e.queue.drain(..).collect();
        self.event(EventKind::Neigh {
            ns,
            dev: id,
            ip,
            mac,
            from: old,
            to: Some(state),
        });
        if state == NeighState::Reachable {
            self.arm_neigh_timer(ns, id, ip, now + self.reachable_time(ns));
        }
        if let Some(mac) = mac {
            for q in queued {
                self.neigh_xmit(id, mac, ip, q.packet);
            }
            self.pump();
        }
        Ok(())
    }

    /// Sets or clears an entry's router flag (NTF_ROUTER: `ip -6 neigh add ... router`).
    pub fn neigh_set_router(
        &mut self,
        ns: NsId,
        dev: &str,
        ip: impl Into<std::net::IpAddr>,
        router: bool,
    ) -> LabResult<()> {
        let id = self.link_by_name(ns, dev)?;
        let e = self
            .ns_mut(ns)
            .and_then(|n| n.neigh.get_mut(id, ip.into()))
            .ok_or(LabError::NotFound("neighbour"))?;
        e.router = router;
        Ok(())
    }

    /// Deletes a neighbour entry (`ip neigh del`).
    pub fn neigh_del(
        &mut self,
        ns: NsId,
        dev: &str,
        ip: impl Into<std::net::IpAddr>,
    ) -> LabResult<()> {
        let ip = ip.into();
        let id = self.link_by_name(ns, dev)?;
        let n = self
            .ns_mut(ns)
            .ok_or(LabError::NoSuchNamespace(String::new()))?;
        let e = n
            .neigh
            .remove(id, ip)
            .ok_or(LabError::NotFound("neighbour"))?;
        self.neigh_removed(ns, id, ip, e.mac, e.state, true);
        self.event(EventKind::Neigh {
            ns,
            dev: id,
            ip,
            mac: e.mac,
            from: Some(e.state),
            to: None,
        });
        Ok(())
    }

    /// Flushes neighbour entries (`ip neigh flush`): all but permanent ones, of `dev` if given.
    pub fn neigh_flush(&mut self, ns: NsId, dev: Option<&str>) -> LabResult<usize> {
        let id = match dev {
            Some(d) => Some(self.link_by_name(ns, d)?),
            None => None,
        };
        let list = self.neighbours(ns);
        let mut n = 0;
        for e in list {
            if id.is_some_and(|d| d != e.dev)
                || matches!(e.state, NeighState::Permanent | NeighState::Noarp)
            {
                continue;
            }
            if let Some(t) = self.ns_mut(ns) {
                t.neigh.remove(e.dev, e.ip);
            }
            n += 1;
            self.neigh_removed(ns, e.dev, e.ip, e.mac, e.state, true);
            self.event(EventKind::Neigh {
                ns,
                dev: e.dev,
                ip: e.ip,
                mac: e.mac,
                from: Some(e.state),
                to: None,
            });
        }
        Ok(n)
    }

    pub(crate) fn reachable_time(&self, ns: NsId) -> Duration {
        self.ns(ns)
            .map_or(Duration::from_secs(30), |n| n.neigh.reachable_time)
    }

    // ---- sysctls ------------------------------------------------------------------------

    /// Reads a sysctl of `ns` by its dotted name; `None` for one the lab does not model.
    pub fn sysctl_get(&self, ns: NsId, key: &str) -> Option<String> {
        let n = self.ns(ns)?;
        let b = |v: bool| if v { "1" } else { "0" }.to_string();
        let int = |v: i32| v.to_string();
        let parts: Vec<&str> = key.split(['.', '/']).collect();
        match parts.as_slice() {
            ["net", "ipv4", "ip_forward"] => Some(int(n.sysctl.forwarding_all)),
            ["net", "ipv4", "icmp_echo_ignore_broadcasts"] => {
                Some(b(n.sysctl.icmp_echo_ignore_broadcasts))
            }
            ["net", "ipv4", "icmp_echo_ignore_all"] => Some(b(n.sysctl.icmp_echo_ignore_all)),
            ["net", "ipv4", "ip_default_ttl"] => Some(n.sysctl.ip_default_ttl.to_string()),
            ["net", "ipv4", "conf", "all", "forwarding"] => Some(int(n.sysctl.forwarding_all)),
            ["net", "ipv4", "conf", "default", "forwarding"] => {
                Some(int(n.sysctl.forwarding_default))
            }
            ["net", "ipv4", "conf", dev, "forwarding"] => {
                let l = self.link_by_name(ns, dev).ok()?;
                Some(int(self.iface(l)?.forwarding))
            }
            ["net", "ipv6", "conf", "all", "forwarding"] => Some(int(n.sysctl.forwarding6_all)),
            ["net", "ipv6", "conf", "default", "forwarding"] => {
                Some(int(n.sysctl.forwarding6_default))
            }
            ["net", "ipv6", "conf", dev, "forwarding"] => {
                let l = self.link_by_name(ns, dev).ok()?;
                Some(int(self.iface(l)?.forwarding6))
            }
            ["net", "ipv6", "conf", "all", "disable_ipv6"] => Some(int(n.sysctl.disable_ipv6_all)),
            ["net", "ipv6", "conf", "default", "disable_ipv6"] => {
                Some(int(n.sysctl.disable_ipv6_default))
            }
            ["net", "ipv6", "conf", dev, "disable_ipv6"] => {
                let l = self.link_by_name(ns, dev).ok()?;
                Some(int(self.iface(l)?.disable_ipv6))
            }
            _ => None,
        }
    }

    /// Writes a sysctl of `ns`. `ip_forward` and `conf.all.forwarding` are one switch that also
    /// sets every interface's and the default, as the kernel's devinet_sysctl_forward does;
    /// `conf.all.disable_ipv6` likewise sets every interface's and the default. The
    /// forwarding and disable_ipv6 switches take any C int, the icmp_echo ones 0 or 1
    /// (proc_dou8vec_minmax); anything else is EINVAL.
    pub fn sysctl_set(&mut self, ns: NsId, key: &str, value: &str) -> LabResult<()> {
        let v: i32 = value
            .trim()
            .parse()
            .map_err(|_| LabError::InvalidArgument(value.to_string()))?;
        let parts: Vec<String> = key.split(['.', '/']).map(str::to_string).collect();
        let p: Vec<&str> = parts.iter().map(String::as_str).collect();
        let links = self.links(ns);
        match p.as_slice() {
            ["net", "ipv4", "ip_forward"] | ["net", "ipv4", "conf", "all", "forwarding"] => {
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                n.sysctl.forwarding_all = v;
                n.sysctl.forwarding_default = v;
                for l in links {
                    if let Some(i) = self.iface_mut(l) {
                        i.forwarding = v;
                    }
                }
            }
            ["net", "ipv4", "conf", "default", "forwarding"] => {
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                n.sysctl.forwarding_default = v;
            }
            ["net", "ipv4", "ip_default_ttl"] => {
                // proc_dou8vec_minmax with the range 1..=255 (sysctl_ip_default_ttl).
                let ttl = u8::try_from(v)
                    .ok()
                    .filter(|t| *t >= 1)
                    .ok_or_else(|| LabError::InvalidArgument(value.to_string()))?;
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                n.sysctl.ip_default_ttl = ttl;
            }
            ["net", "ipv4", which @ ("icmp_echo_ignore_broadcasts" | "icmp_echo_ignore_all")] => {
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                let on = match v {
                    0 => false,
                    1 => true,
                    _ => return Err(LabError::InvalidArgument(value.to_string())),
                };
                if *which == "icmp_echo_ignore_all" {
                    n.sysctl.icmp_echo_ignore_all = on;
                } else {
                    n.sysctl.icmp_echo_ignore_broadcasts = on;
                }
            }
            ["net", "ipv4", "conf", dev, "forwarding"] => {
                let l = self.link_by_name(ns, dev)?;
                if let Some(i) = self.iface_mut(l) {
                    i.forwarding = v;
                }
            }
            ["net", "ipv6", "conf", "all", "forwarding"] => {
                // addrconf_fixup_forwarding: `all` sets the default and every device.
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                n.sysctl.forwarding6_all = v;
                n.sysctl.forwarding6_default = v;
                for l in links {
                    self.forwarding6_change(l, v);
                }
            }
            ["net", "ipv6", "conf", "default", "forwarding"] => {
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                n.sysctl.forwarding6_default = v;
            }
            ["net", "ipv6", "conf", dev, "forwarding"] => {
                let l = self.link_by_name(ns, dev)?;
                self.forwarding6_change(l, v);
            }
            ["net", "ipv6", "conf", "all", "disable_ipv6"] => {
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                n.sysctl.disable_ipv6_all = v;
                n.sysctl.disable_ipv6_default = v;
                for l in links {
                    if let Some(i) = self.iface_mut(l) {
                        i.disable_ipv6 = v;
                    }
                }
            }
            ["net", "ipv6", "conf", "default", "disable_ipv6"] => {
                let n = self
                    .ns_mut(ns)
                    .ok_or(LabError::NoSuchNamespace(String::new()))?;
                n.sysctl.disable_ipv6_default = v;
            }
            ["net", "ipv6", "conf", dev, "disable_ipv6"] => {
                let l = self.link_by_name(ns, dev)?;
                if let Some(i) = self.iface_mut(l) {
                    i.disable_ipv6 = v;
                }
            }
            _ => return Err(LabError::NotFound("sysctl")),
        }
        Ok(())
    }

    /// Does interface `link` act as an IPv6 router (its `net.ipv6.conf.X.forwarding`)?
    pub(crate) fn forwards6(&self, link: LinkId) -> bool {
        self.iface(link).is_some_and(|i| i.forwarding6 != 0)
    }

    /// Does namespace `ns` forward IPv6 (`net.ipv6.conf.all.forwarding`, which ip6_forward
    /// reads, whatever the devices' own say)?
    pub(crate) fn forwarding6_on(&self, ns: NsId) -> bool {
        self.ns(ns).is_some_and(|n| n.sysctl.forwarding6_all != 0)
    }

    /// Does interface `link` forward IPv4 (its `conf.X.forwarding`)?
    pub(crate) fn forwards(&self, link: LinkId) -> bool {
        self.iface(link).is_some_and(|i| i.forwarding != 0)
    }

    // ---- the wire -----------------------------------------------------------------------

    /// Puts a frame on interface `link` and carries it, and every frame it causes, to the end.
    pub fn inject(&mut self, link: LinkId, frame: Bytes) {
        let now = self.now();
        self.fabric.transmit(now, link, frame);
        self.pump();
    }

    /// Hands every delivered frame to its stack until the wire is quiet.
    pub(crate) fn pump(&mut self) {
        self.collect_wire();
        while let Some((link, frame)) = self.fabric.pop_delivery() {
            self.stack_input(link, frame);
            self.collect_wire();
        }
        // The processes that what arrived woke act once the backlog is empty.
        self.run_woken_pings();
    }

    /// The links the wire changed (made, gone, up, down, carrier, MAC), handed to the
    /// per-device work that follows such changes: addrconf and the neighbour flush.
    pub(crate) fn pull_state_changes(&mut self) {
        let changed = self.fabric.take_state_changes();
        self.v6_dirty.extend_from_slice(&changed);
        self.carrier_dirty.extend(changed);
    }

    /// Moves captured frames to their captures and records to the event log.
    pub(crate) fn collect_wire(&mut self) {
        self.addrconf_sync();
        self.neigh_carrier_sync();
        self.collect_uplink();
        let now = self.now();
        let captured: Vec<_> = self.fabric.drain_captured().collect();
        if !captured.is_empty() {
            self.deliver_captured(now, captured);
        }
        self.collect_fdb_changes();
        self.ovs_sync_links();
        if self.recording {
            let records: Vec<_> = self.fabric.drain_records().collect();
            for r in records {
                self.events.push(Event {
                    at: r.at,
                    kind: EventKind::Wire(r),
                });
            }
        }
    }

    /// Sends a frame out of interface `link` from its namespace's stack.
    pub(crate) fn stack_transmit(&mut self, link: LinkId, frame: Bytes) {
        let now = self.now();
        self.fabric.transmit(now, link, frame);
    }
}

impl Default for Lab {
    fn default() -> Self {
        Lab::new()
    }
}

pub(crate) fn fabric_err(e: FabricError) -> LabError {
    match e {
        FabricError::NoSuchLink(l) => LabError::NoSuchDevice(format!("{l:?}")),
        FabricError::NotABridge(_) => LabError::NotABridge(String::new()),
        FabricError::NotAPort(_) => LabError::NotAPort(String::new()),
        FabricError::CannotEnslave(_) => LabError::NotSupported("cannot enslave".into()),
        FabricError::InvalidArgument => LabError::InvalidArgument("value out of range".into()),
    }
}

/// NAME_MAX: the longest file name, and so the longest namespace name.
pub const NETNS_NAME_MAX: usize = 255;

/// A namespace name as iproute2 takes it: a file name under /run/netns, neither empty nor
/// `.` or `..`, without `/`, at most [`NETNS_NAME_MAX`] bytes.
pub fn check_netns_name(name: &str) -> LabResult<()> {
    if name.is_empty()
        || name.len() > NETNS_NAME_MAX
        || name.contains('/')
        || name == "."
        || name == ".."
    {
        return Err(LabError::InvalidArgument(format!(
            "invalid netns name \"{name}\""
        )));
    }
    Ok(())
}

/// The kernel's dev_valid_name: 1 to IFNAMSIZ - 1 bytes, not `.` or `..`, and no `/`, `:`
/// or white space (the name becomes a directory in sysfs and procfs).
pub fn dev_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && !name
            .bytes()
            .any(|b| b == b'/' || b == b':' || b.is_ascii_whitespace() || b == 0x0b)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn netns_inodes_are_stable_and_reused_like_the_ida() {
        let mut lab = Lab::new();
        assert_eq!(lab.netns_inode(NsId::INIT), Some(PROC_NET_INIT_INO));
        let a = lab.add_netns("a").unwrap();
        let b = lab.add_netns("b").unwrap();
        let (ia, ib) = (lab.netns_inode(a).unwrap(), lab.netns_inode(b).unwrap());
        assert_eq!((ia, ib), (NETNS_INODE_FIRST, NETNS_INODE_FIRST + 1));
        lab.del_netns("a").unwrap();
        lab.advance(NETNS_CLEANUP_DELAY * 2).unwrap();
        assert_eq!(lab.netns_inode(b), Some(ib));
        let c = lab.add_netns("c").unwrap();
        assert_eq!(lab.netns_inode(c), Some(ia));
    }
}
