//! The wire as a whole: every interface, and the journey of a frame through veths and bridges.
//!
//! A frame put on an interface runs to completion: it crosses veths, enters bridges, is
//! learned from, forwarded or flooded, until every copy has reached a stack (a *delivery*,
//! which the caller hands to the owning namespace) or was dropped. Work items are handled in
//! FIFO order, as the kernel's backlog does, so the order is the kernel's: breadth first. The
//! FIFO is a plain vector read from a cursor and emptied when the journey ends. Two shortcuts
//! skip it where that cannot change any outcome: an item made last by a handler while nothing
//! else waits runs at once (it would be next anyway), and a frame crossing a veth to an end
//! that is no bridge port is delivered at once while no other delivery waits ahead of it, no
//! capture or record would see the difference and the storm guard is far (see `tx`).
//! With records off, the common start of a journey, a frame sent out of a veth into a bridge
//! port, runs as one function that checks first and then does what those steps would do
//! (see `tx_into_bridge`); `tests/fast_path.rs` holds both ways to the same outcomes.
//! Nothing here allocates per frame once the queues have grown to their working size, unless
//! decision records are switched on; a flood clones the frame's handle for all ports but the
//! last, which takes the frame itself.

use std::num::NonZeroUsize;
use std::time::Duration;

use bytes::Bytes;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::bridge::fdb::DEFAULT_MAX_LEARNED;
use crate::bridge::forward::{floods_to, should_deliver};
use crate::bridge::input::handle_frame;
use crate::bridge::stp::Cx;
use crate::bridge::{
    Bridge, FdbKind, FloodKind, LearnOutcome, Port, PortFlags, PortMin, PortState, Verdict,
    GC_FIRST_RUN,
};
use crate::decision::{Decision, DropReason, Record};
use crate::link::{Link, LinkId, LinkKind, ETH_DATA_LEN, LOOPBACK_MTU};
use crate::wire::ETH_HLEN;
use crate::MacAddr;

/// The most bridges one frame's journey may cross: past this it is a loop (no STP here).
pub const MAX_BRIDGE_HOPS: u16 = 64;
/// The most copies one frame's journey may make before the storm guard stops it.
pub const MAX_JOURNEY_COPIES: u32 = 65536;

/// The most ports `Fabric::flood_now` finds in one pass before it serves them.
const FLOOD_GATHER: usize = 16;

/// Errors of control operations on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FabricError {
    /// No interface with this id.
    #[error("no such link {0:?}")]
    NoSuchLink(LinkId),
    /// The operation needs a bridge.
    #[error("link {0:?} is not a bridge")]
    NotABridge(LinkId),
    /// The operation needs a bridge port.
    #[error("link {0:?} is not a bridge port")]
    NotAPort(LinkId),
    /// A bridge cannot be a port of a bridge, nor can lo.
    #[error("link {0:?} cannot be enslaved")]
    CannotEnslave(LinkId),
    /// Value out of range (MTU too small or large, ageing time, ...).
    #[error("invalid argument")]
    InvalidArgument,
}

/// Where the BPDUs a spanning tree step makes go.
#[derive(Debug, Clone, Copy)]
enum StpSend {
    /// Each on a journey of its own, now (a control operation).
    Now,
    /// Behind the work of this journey (a BPDU received made them).
    InJourney(u64),
    /// Back to the caller (timers: sent after the tick's timers have all run).
    Later,
}

/// Which way a captured frame went through its interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Received on the interface.
    In,
    /// Sent out of the interface.
    Out,
}

/// A frame seen on an interface that has a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The interface.
    pub link: LinkId,
    /// In or out.
    pub direction: Direction,
    /// The frame.
    pub frame: Bytes,
}

/// A frame waiting to be sent out of (`rx == false`) or received on an interface.
#[derive(Debug)]
struct Work {
    link: LinkId,
    hops: u16,
    rx: bool,
    frame: Bytes,
}

impl Work {
    #[inline(always)]
    fn tx(link: LinkId, frame: Bytes, hops: u16) -> Work {
        Work {
            link,
            hops,
            rx: false,
            frame,
        }
    }

    #[inline(always)]
    fn rx(link: LinkId, frame: Bytes, hops: u16) -> Work {
        Work {
            link,
            hops,
            rx: true,
            frame,
        }
    }
}

/// A bridge port's RTM_NEWLINK notification (br_ifinfo_notify), with the port as it was
/// when the bridge sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortNote {
    /// The bridge.
    pub bridge: LinkId,
    /// The port's device.
    pub port: LinkId,
    /// The STP state the notification carries.
    pub state: PortState,
    /// The device administratively up.
    pub admin_up: bool,
    /// The device's carrier (LOWER_UP).
    pub carrier: bool,
    /// The device operational (IFF_RUNNING; NO-CARRIER when up without it).
    pub running: bool,
    /// The device's MTU.
    pub mtu: u32,
    /// The port's priority.
    pub priority: u8,
    /// The port's path cost.
    pub cost: u32,
}

/// Every interface on the wire, and the machinery that carries frames between them.
#[derive(Debug)]
pub struct Fabric {
    links: Vec<Option<Link>>,
    free: Vec<u32>,
    bridges: Vec<LinkId>,
    /// Whether the bridges log their FDB changes (someone runs `bridge monitor fdb`).
    fdb_logging: bool,
    /// Whether the bridges' port notifications are kept (someone runs `bridge monitor link`).
    port_logging: bool,
    /// The port notifications kept, oldest first.
    port_notes: Vec<PortNote>,
    rng: ChaCha8Rng,
    /// The journey's work items, in FIFO order; those before `next` are done.
    queue: Vec<Work>,
    /// The next work item to handle.
    next: usize,
    /// How many `Rx` items wait in `queue` (from `next` on).
    pending_rx: usize,
    /// Work items handled in this journey, for the storm guard.
    copies: u32,
    /// The storm guard stopped this journey.
    storm: bool,
    /// Ports a flood running at once has yet to serve (see `flood_now`).
    flood_left: usize,
    /// Bumped whenever a link's MTU or MAC may have changed, so that the bridges' cached
    /// smallest port MTU and MAC are known to be stale (see `port_min`).
    port_gen: u64,
    /// Bumped whenever a link appears, goes, or changes its administrative state, carrier or
    /// MAC, so that the stacks' per-device work (addrconf, neighbour flushes on carrier loss)
    /// runs only after such a change, not after every frame.
    state_gen: u64,
    /// The links of those changes since [`Fabric::take_state_changes`] last took them.
    state_changed: Vec<LinkId>,
    /// Frames that reached a stack: those in `delivered..ends` wait to be handed on. Slots past
    /// `ends` hold empty frames and are written over in place, which keeps a delivery to a
    /// few stores (a push would move the frame's handle through memory once more).
    /// Frames waiting for their stack: (interface, frame, whether a capture on the interface
    /// sees it when the stack takes it).
    deliveries: Vec<(LinkId, Bytes, bool)>,
    delivered: usize,
    ends: usize,
    captured: Vec<Captured>,
    records: Vec<Record>,
    recording: bool,
    journey: u64,
    now: Duration,
    max_learned: NonZeroUsize,
    pub(crate) tap_out: Vec<(LinkId, Bytes)>,
    /// The kernel's timer wheel, for the collector's timer (see [`crate::timer`]).
    wheel: crate::timer::Wheel,
    /// STP timers armed so far, for the order of those due in one tick.
    stp_seq: u64,
}

const DEFAULT_MAX: NonZeroUsize = match NonZeroUsize::new(DEFAULT_MAX_LEARNED) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

impl Fabric {
    /// An empty wire whose random choices (MACs) follow `seed`.
    pub fn new(seed: u64) -> Fabric {
        Fabric {
            links: Vec::new(),
            free: Vec::new(),
            bridges: Vec::new(),
            fdb_logging: false,
            port_logging: false,
            port_notes: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed),
            queue: Vec::new(),
            next: 0,
            pending_rx: 0,
            copies: 0,
            storm: false,
            flood_left: 0,
            port_gen: 0,
            state_gen: 0,
            state_changed: Vec::new(),
            deliveries: Vec::new(),
            delivered: 0,
            ends: 0,
            captured: Vec::new(),
            records: Vec::new(),
            recording: false,
            journey: 0,
            now: Duration::ZERO,
            max_learned: DEFAULT_MAX,
            tap_out: Vec::new(),
            wheel: crate::timer::Wheel::default(),
            stp_seq: 0,
        }
    }

    /// The kernel's timer wheel (its HZ, and where its jiffies stood at lab time zero): the
    /// collector's timer is a kernel timer, which the wheel rounds up (see [`crate::timer`]).
    pub fn set_timer_wheel(&mut self, wheel: crate::timer::Wheel) {
        self.wheel = wheel;
    }

    /// Switches decision records on or off (off costs nothing per frame).
    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
    }

    /// Whether decision records are kept.
    pub fn recording(&self) -> bool {
        self.recording
    }

    /// The bound on learned FDB entries for bridges created from now on, and existing ones.
    pub fn set_max_learned(&mut self, max: NonZeroUsize) {
        self.max_learned = max;
        for id in self.bridges.clone() {
            if let Some(b) = self.bridge_mut(id) {
                b.fdb.set_max_learned(max);
            }
        }
    }

    /// A random MAC as the kernel picks one, from the fabric's seeded generator.
    pub fn random_mac(&mut self) -> MacAddr {
        MacAddr::random(&mut self.rng)
    }

    /// The interface `id`.
    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(id.0 as usize).and_then(|l| l.as_ref())
    }

    /// The interface `id`, to change it directly (counters, ...).
    pub fn link_mut(&mut self, id: LinkId) -> Option<&mut Link> {
        // The caller may change a port's MTU or MAC: the bridges' cached minima are stale.
        self.port_gen += 1;
        self.state_changed(id);
        self.lm(id)
    }

    /// `link_mut` for the fabric itself, which bumps `port_gen` where it changes a port's
    /// MTU or MAC.
    fn lm(&mut self, id: LinkId) -> Option<&mut Link> {
        self.links.get_mut(id.0 as usize).and_then(|l| l.as_mut())
    }

    fn get(&self, id: LinkId) -> Result<&Link, FabricError> {
        self.link(id).ok_or(FabricError::NoSuchLink(id))
    }

    fn get_mut(&mut self, id: LinkId) -> Result<&mut Link, FabricError> {
        self.lm(id).ok_or(FabricError::NoSuchLink(id))
    }

    /// A count that changes whenever a link appears, goes, or changes its administrative
    /// state, carrier or MAC.
    pub fn state_gen(&self) -> u64 {
        self.state_gen
    }

    /// The bridge state of `id`.
    pub fn bridge(&self, id: LinkId) -> Option<&Bridge> {
        self.link(id).and_then(Link::bridge)
    }

    /// The bridge state of `id`, to change it.
    pub fn bridge_mut(&mut self, id: LinkId) -> Option<&mut Bridge> {
        self.lm(id).and_then(Link::bridge_mut)
    }

    /// Every bridge on the wire.
    pub fn bridges(&self) -> &[LinkId] {
        &self.bridges
    }

    pub(crate) fn insert_link(&mut self, link: Link) -> LinkId {
        self.insert(link)
    }

    fn insert(&mut self, link: Link) -> LinkId {
        let id = match self.free.pop() {
            Some(i) => {
                self.links[i as usize] = Some(link);
                LinkId(i)
            }
            None => {
                self.links.push(Some(link));
                LinkId((self.links.len() - 1) as u32)
            }
        };
        self.state_changed(id);
        id
    }

    fn state_changed(&mut self, id: LinkId) {
        self.state_gen += 1;
        self.state_changed.push(id);
    }

    /// The links that appeared, went, or changed their administrative state, carrier or MAC
    /// since the last call (a link may be named more than once).
    pub fn take_state_changes(&mut self) -> Vec<LinkId> {
        std::mem::take(&mut self.state_changed)
    }

    /// A loopback interface, down.
    pub fn add_loopback(&mut self) -> LinkId {
        self.insert(Link::new(LinkKind::Loopback, MacAddr::ZERO, LOOPBACK_MTU))
    }

    /// An interface that only sends and receives from its stack (no far side).
    pub fn add_dummy(&mut self) -> LinkId {
        let mac = self.random_mac();
        self.insert(Link::new(LinkKind::Dummy, mac, ETH_DATA_LEN))
    }

    /// A veth pair, both ends down, each with a random MAC.
    pub fn add_veth_pair(&mut self) -> (LinkId, LinkId) {
        let (ma, mb) = (self.random_mac(), self.random_mac());
        let a = self.insert(Link::new(LinkKind::Dummy, ma, ETH_DATA_LEN));
        let b = self.insert(Link::new(LinkKind::Veth { peer: a }, mb, ETH_DATA_LEN));
        if let Some(l) = self.lm(a) {
            l.kind = LinkKind::Veth { peer: b };
        }
        for x in [a, b] {
            if let Some(l) = self.lm(x) {
                l.carrier_bit = false;
                l.counters.carrier_changes = 1;
            }
        }
        (a, b)
    }

    /// A bridge with no ports, down, with a random MAC until it takes its ports'.
    pub fn add_bridge(&mut self) -> LinkId {
        let mac = self.random_mac();
        let br = Bridge::new(self.max_learned);
        let id = self.insert(Link::new(LinkKind::Bridge(Box::new(br)), mac, ETH_DATA_LEN));
        let logging = self.fdb_logging;
        if let Some(b) = self.bridge_mut(id) {
            b.fdb.set_logging(logging);
            b.fdb.insert_fixed(mac, id, FdbKind::Local, Duration::ZERO);
        }
        self.bridges.push(id);
        id
    }

    /// Deletes an interface: a veth end takes its peer along, a bridge releases its ports,
    /// a port leaves its bridge. Returns every interface that is gone.
    pub fn remove(&mut self, id: LinkId, now: Duration) -> Result<Vec<LinkId>, FabricError> {
        self.now = now;
        let mut gone = vec![id];
        match &self.get(id)?.kind {
            LinkKind::Veth { peer } => gone.push(*peer),
            LinkKind::Bridge(b) => {
                let ports: Vec<LinkId> = b.ports.iter().map(|p| p.link).collect();
                for p in ports {
                    self.release(p, now)?;
                }
                self.bridges.retain(|b| *b != id);
            }
            _ => {}
        }
        for &g in &gone {
            if self.get(g)?.master.is_some() {
                self.release(g, now)?;
            }
        }
        for &g in &gone {
            self.state_changed(g);
            // A peer losing its other end loses carrier first, as it would going down.
            self.links[g.0 as usize] = None;
            self.free.push(g.0);
        }
        Ok(gone)
    }

    /// Sets an interface administratively up or down, and everything that follows from it
    /// (carrier of veth peers, port states, the bridge's carrier and collector).
    pub fn set_up(&mut self, id: LinkId, up: bool, now: Duration) -> Result<(), FabricError> {
        self.now = now;
        let wheel = self.wheel;
        self.state_changed(id);
        let l = self.get_mut(id)?;
        if l.admin_up == up {
            return Ok(());
        }
        l.admin_up = up;
        let is_bridge = if let Some(b) = l.bridge_mut() {
            b.gc_next = if up {
                Some(wheel.timer(now, now + GC_FIRST_RUN).0)
            } else {
                None
            };
            true
        } else {
            false
        };
        if is_bridge && up {
            // br_dev_open: br_stp_enable_bridge, whose ports then come up one by one.
            self.stp_step(id, StpSend::Now, |b, cx| b.stp_enable_bridge(cx));
        }
        self.refresh(id, now, true);
        if is_bridge && !up {
            self.stp_step(id, StpSend::Now, |b, _| b.stp_disable_bridge());
        }
        Ok(())
    }

    /// Sets an interface's MAC (the bridge's own then stops following its ports).
    pub fn set_mac(&mut self, id: LinkId, mac: MacAddr, now: Duration) -> Result<(), FabricError> {
        if !mac.is_valid_unicast() {
            return Err(FabricError::InvalidArgument);
        }
        self.now = now;
        self.port_gen += 1;
        self.state_changed(id);
        let l = self.get_mut(id)?;
        let old = l.mac;
        l.mac = mac;
        let master = l.master;
        if let Some(b) = l.bridge_mut() {
            b.mac_set_by_user = true;
            b.fdb.remove_local(&old, id);
            if b.fdb.get(&mac).is_none() {
                b.fdb.insert_fixed(mac, id, FdbKind::Local, now);
            }
            self.stp_step(id, StpSend::Now, |b, cx| b.stp_change_bridge_addr(mac, cx));
        }
        if let Some(br) = master {
            if let Some(b) = self.bridge_mut(br) {
                b.fdb.remove_local(&old, id);
                b.fdb.insert_fixed(mac, id, FdbKind::Local, now);
            }
            self.recalculate_bridge_mac(br, now);
        }
        Ok(())
    }

    /// Sets an interface's MTU (68 to 65535, as for a veth or bridge).
    pub fn set_mtu(&mut self, id: LinkId, mtu: u32) -> Result<(), FabricError> {
        if !(68..=65535).contains(&mtu) && !matches!(self.get(id)?.kind, LinkKind::Loopback) {
            return Err(FabricError::InvalidArgument);
        }
        self.port_gen += 1;
        let l = self.get_mut(id)?;
        l.mtu = mtu;
        let master = l.master;
        if let Some(b) = self.bridge_mut(id) {
            // br_change_mtu: from now on the bridge keeps the MTU it was given.
            b.mtu_set_by_user = true;
        }
        // NETDEV_CHANGEMTU on a port: its bridge follows (br_device_event).
        if let Some(br) = master {
            self.mtu_auto_adjust(br);
        }
        Ok(())
    }

    /// br_mtu_auto_adjust: unless the user set it, a bridge's MTU is its smallest port's,
    /// ETH_DATA_LEN without ports.
    fn mtu_auto_adjust(&mut self, bridge: LinkId) {
        if self.bridge(bridge).is_none_or(|b| b.mtu_set_by_user) {
            return;
        }
        let mtu = self.min_port_mtu(bridge).unwrap_or(ETH_DATA_LEN);
        if let Some(l) = self.lm(bridge) {
            l.mtu = mtu;
        }
    }

    /// Changes the promiscuity count (tcpdump raises it on start, lowers it on exit).
    pub fn set_promisc(&mut self, id: LinkId, on: bool) -> Result<(), FabricError> {
        let l = self.get_mut(id)?;
        l.promisc = if on {
            l.promisc + 1
        } else {
            l.promisc.saturating_sub(1)
        };
        Ok(())
    }

    /// Starts (`true`) or ends a capture on an interface.
    pub fn set_capture(&mut self, id: LinkId, on: bool) -> Result<(), FabricError> {
        let l = self.get_mut(id)?;
        l.captures = if on {
            l.captures + 1
        } else {
            l.captures.saturating_sub(1)
        };
        Ok(())
    }

    /// Makes `port` a port of `bridge` (br_add_if). A port of another bridge moves.
    pub fn enslave(
        &mut self,
        port: LinkId,
        bridge: LinkId,
        now: Duration,
    ) -> Result<(), FabricError> {
        self.now = now;
        let pl = self.get(port)?;
        if matches!(pl.kind, LinkKind::Bridge(_) | LinkKind::Loopback) || port == bridge {
            return Err(FabricError::CannotEnslave(port));
        }
        if self.bridge(bridge).is_none() {
            return Err(FabricError::NotABridge(bridge));
        }
        match pl.master {
            Some(m) if m == bridge => return Ok(()),
            Some(_) => self.release(port, now)?,
            None => {}
        }
        let mac = self.get(port)?.mac;
        let b = self
            .bridge_mut(bridge)
            .ok_or(FabricError::NotABridge(bridge))?;
        let port_no = b.free_port_no();
        b.push_port(Port {
            link: port,
            port_no,
            state: PortState::Disabled,
            flags: PortFlags::default(),
            priority: 32,
            cost: 2,
            stp: Box::default(),
        });
        b.stp_init_port(b.ports.len() - 1);
        if !b.ovs && b.fdb.get(&mac).is_none_or(|e| e.port != bridge) {
            b.fdb.insert_fixed(mac, port, FdbKind::Local, now);
        }
        b.had_ports = true;
        self.port_min_add(bridge, port);
        if let Some(l) = self.lm(port) {
            l.master = Some(bridge);
            l.promisc += 1;
        }
        self.mtu_auto_adjust(bridge);
        self.recalculate_bridge_mac(bridge, now);
        self.refresh(port, now, false);
        self.update_bridge_carrier(bridge);
        // br_add_if tells of the new port last, once it has joined the tree.
        self.port_note(port);
        Ok(())
    }

    fn min_port_mtu(&mut self, bridge: LinkId) -> Option<u32> {
        self.port_min(bridge).0
    }

    /// The smallest MTU and the lowest MAC of `bridge`'s ports (`None` without ports), which
    /// enslaving (MTU) and the bridge's own address (MAC) follow. Kept per bridge while no
    /// MTU or MAC changed and no port left, so adding the Nth port costs O(1), not O(N).
    fn port_min(&mut self, bridge: LinkId) -> (Option<u32>, Option<MacAddr>) {
        let gen = self.port_gen;
        let Some(b) = self.bridge(bridge) else {
            return (None, None);
        };
        if let Some(c) = b.port_min {
            if c.gen == gen && c.ports == b.ports.len() {
                return (c.mtu, c.mac);
            }
        }
        let mtu = b
            .ports
            .iter()
            .filter_map(|p| self.link(p.link).map(|l| l.mtu))
            .min();
        let mac = b.mac_from_ports(|l| self.link(l).map_or(MacAddr::BROADCAST, |l| l.mac));
        let ports = b.ports.len();
        if let Some(b) = self.bridge_mut(bridge) {
            b.port_min = Some(PortMin {
                gen,
                ports,
                mtu,
                mac,
            });
        }
        (mtu, mac)
    }

    /// A port was just added at the end of `bridge`'s list: if the cached minima were right
    /// for the others, they take it in.
    fn port_min_add(&mut self, bridge: LinkId, port: LinkId) {
        let gen = self.port_gen;
        let (mtu, mac) = self
            .link(port)
            .map_or((None, MacAddr::BROADCAST), |l| (Some(l.mtu), l.mac));
        let Some(b) = self.bridge_mut(bridge) else {
            return;
        };
        let n = b.ports.len();
        b.port_min = match b.port_min {
            Some(c) if c.gen == gen && c.ports + 1 == n => Some(PortMin {
                gen,
                ports: n,
                mtu: match (c.mtu, mtu) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
                mac: Some(c.mac.map_or(mac, |m| m.min(mac))),
            }),
            _ => None,
        };
    }

    /// Starts or stops the bridges' logs of FDB changes (`bridge monitor fdb`), for the
    /// bridges there are and those made later.
    pub fn set_fdb_logging(&mut self, on: bool) {
        self.fdb_logging = on;
        for br in self.bridges.clone() {
            if let Some(b) = self.bridge_mut(br) {
                b.fdb.set_logging(on);
            }
        }
    }

    /// Starts or stops keeping the bridges' port notifications (`bridge monitor link`).
    pub fn set_port_logging(&mut self, on: bool) {
        self.port_logging = on;
        if !on {
            self.port_notes.clear();
        }
    }

    /// Takes the port notifications kept so far, oldest first.
    pub fn take_port_notes(&mut self) -> Vec<PortNote> {
        std::mem::take(&mut self.port_notes)
    }

    /// Keeps a notification for `port` of its bridge, in the state it has now.
    fn port_note(&mut self, port: LinkId) {
        let running = self.link(port).is_some_and(|l| l.oper_up());
        self.port_note_running(port, running);
    }

    /// Keeps a notification for `port`, operational or not as `running` says.
    fn port_note_running(&mut self, port: LinkId, running: bool) {
        if !self.port_logging {
            return;
        }
        let Some(l) = self.link(port) else { return };
        let Some(bridge) = l.master else { return };
        let (admin_up, carrier, mtu) = (l.admin_up, l.carrier, l.mtu);
        let Some(p) = self.bridge(bridge).and_then(|b| b.port(port)) else {
            return;
        };
        let note = PortNote {
            bridge,
            port,
            state: p.state,
            admin_up,
            carrier,
            running,
            mtu,
            priority: p.priority,
            cost: p.cost,
        };
        self.port_notes.push(note);
    }

    /// Takes every bridge's logged FDB changes, bridge by bridge, oldest first.
    pub fn take_fdb_changes(&mut self) -> Vec<(LinkId, crate::FdbChange)> {
        let mut out = Vec::new();
        for br in self.bridges.clone() {
            if let Some(b) = self.bridge_mut(br) {
                out.extend(b.fdb.take_log().into_iter().map(|c| (br, c)));
            }
        }
        out
    }

    /// Takes `port` out of its bridge (br_del_if): its FDB entries go with it.
    pub fn release(&mut self, port: LinkId, now: Duration) -> Result<(), FabricError> {
        self.now = now;
        let bridge = self.get(port)?.master.ok_or(FabricError::NotAPort(port))?;
        // del_nbp: the port leaves the spanning tree first.
        if let Some(i) = self.bridge(bridge).and_then(|b| {
            b.ports
                .iter()
                .position(|p| p.link == port && p.state != PortState::Disabled)
        }) {
            self.stp_step(bridge, StpSend::Now, |b, cx| b.stp_disable_port(i, cx));
        } else {
            // br_stp_disable_port runs on a disabled port too, and says so.
            self.port_note(port);
        }
        let port_mac = self.link(port).map(|l| l.mac);
        let bridge_mac = self.link(bridge).map_or(MacAddr::ZERO, |l| l.mac);
        let was_forwarding;
        {
            let b = self
                .bridge_mut(bridge)
                .ok_or(FabricError::NotABridge(bridge))?;
            was_forwarding = b
                .port(port)
                .is_some_and(|p| p.state == PortState::Forwarding);
            b.remove_port(port);
            // fdb_delete_local: the port's own address stays, as the bridge's, when the
            // bridge has it too (until the bridge's address changes).
            if let Some(m) = port_mac.filter(|m| *m == bridge_mac) {
                b.fdb.repoint_local(&m, port, bridge);
            }
            b.fdb.flush_port(port, true);
            if was_forwarding {
                b.forwarding_ports -= 1;
            }
        }
        if let Some(l) = self.lm(port) {
            l.master = None;
            l.promisc = l.promisc.saturating_sub(1);
        }
        if was_forwarding {
            self.record(0, || Decision::PortState {
                bridge,
                port,
                state: PortState::Disabled,
            });
        }
        self.recalculate_bridge_mac(bridge, now);
        self.mtu_auto_adjust(bridge);
        self.update_bridge_carrier(bridge);
        Ok(())
    }

    /// Changes a port's flags (`bridge link set dev X learning off`, ...).
    pub fn set_port_flags(
        &mut self,
        port: LinkId,
        f: impl FnOnce(&mut PortFlags),
    ) -> Result<(), FabricError> {
        let bridge = self.get(port)?.master.ok_or(FabricError::NotAPort(port))?;
        let b = self
            .bridge_mut(bridge)
            .ok_or(FabricError::NotABridge(bridge))?;
        let p = b.port_mut(port).ok_or(FabricError::NotAPort(port))?;
        f(&mut p.flags);
        Ok(())
    }

    /// Sets a bridge's `ageing_time`; the collector re-plans at once, as the kernel's does.
    pub fn set_ageing_time(
        &mut self,
        bridge: LinkId,
        ageing: Duration,
        now: Duration,
    ) -> Result<(), FabricError> {
        let up = self.get(bridge)?.admin_up;
        let b = self
            .bridge_mut(bridge)
            .ok_or(FabricError::NotABridge(bridge))?;
        b.stp_set_ageing_time(ageing);
        if up {
            b.gc_next = Some(now);
        }
        Ok(())
    }

    /// The bridge takes the lowest MAC of its ports unless the user set one.
    fn recalculate_bridge_mac(&mut self, bridge: LinkId, now: Duration) {
        let Some(b) = self.bridge(bridge) else { return };
        if b.mac_set_by_user {
            return;
        }
        // With its last port gone the bridge is left with the zero address, as the kernel's is.
        let new = self.port_min(bridge).1.unwrap_or(MacAddr::ZERO);
        let Some(l) = self.lm(bridge) else {
            return;
        };
        let old = l.mac;
        if old == new {
            return;
        }
        l.mac = new;
        if let Some(b) = l.bridge_mut() {
            b.fdb.remove_local(&old, bridge);
            if !new.is_zero() && b.fdb.get(&new).is_none() {
                b.fdb.insert_fixed(new, bridge, FdbKind::Local, now);
            }
        }
        self.stp_step(bridge, StpSend::Now, |b, cx| {
            b.stp_change_bridge_addr(new, cx)
        });
    }

    fn compute_carrier(&self, l: &Link) -> bool {
        match &l.kind {
            LinkKind::Loopback | LinkKind::Dummy | LinkKind::Tap => l.admin_up,
            LinkKind::Veth { peer } => l.admin_up && self.link(*peer).is_some_and(|p| p.admin_up),
            // An up bridge that never had a port has carrier (state UNKNOWN); once it has had
            // one, only while a port forwards, even with none left (br_port_state_selection).
            // An Open vSwitch internal port has carrier whenever it is up (internal_dev_open).
            LinkKind::Bridge(b) if b.ovs => l.admin_up,
            LinkKind::Bridge(b) => l.admin_up && (!b.had_ports || b.forwarding_ports > 0),
        }
    }

    /// Recomputes carrier and port states around `id` after a change of admin state
    /// (`admin`: `id` went up or down), and sends the port notifications of the device
    /// events that follow (br_device_event).
    fn refresh(&mut self, id: LinkId, now: Duration, admin: bool) {
        let mut todo = vec![id];
        if let Some(LinkKind::Veth { peer }) = self.link(id).map(|l| &l.kind) {
            todo.push(*peer);
        }
        for x in todo {
            let Some((carrier, admin_up, port)) = self
                .link(x)
                .map(|l| (l.carrier, l.admin_up, l.master.is_some()))
            else {
                continue;
            };
            let own = admin && x == id && port;
            self.update_carrier(x);
            if own && admin_up {
                // NETDEV_UP comes before linkwatch has made the new carrier operational
                // (LOWER_UP without RUNNING): the port stays as it was, and the bridge says
                // so.
                self.port_note_running(x, false);
            }
            let changed = self.link(x).is_some_and(|l| l.carrier != carrier);
            let acted = self.update_port_state(x, now);
            // NETDEV_DOWN, and NETDEV_CHANGE (a carrier change of an up device): the bridge
            // says so unless enabling or disabling the port already did.
            let down = own && !admin_up;
            let change = port && admin_up && changed;
            if (down || change) && !acted {
                self.port_note(x);
            }
        }
        if let Some(b) = self.bridge(id) {
            // The kernel's port_list has the newest port first.
            let ports: Vec<LinkId> = b.ports.iter().rev().map(|p| p.link).collect();
            for p in ports {
                self.update_port_state(p, now);
            }
            self.update_bridge_carrier(id);
        }
    }

    fn update_carrier(&mut self, id: LinkId) {
        let Some(l) = self.link(id) else { return };
        // The kernel's bit: a veth's follows both ends being up (veth_open/veth_close), a
        // bridge's its ports once it has had one (br_port_state_selection); lo's and a
        // dummy's never change.
        let bit = match &l.kind {
            LinkKind::Veth { .. } => self.compute_carrier(l),
            LinkKind::Bridge(b) if !b.ovs && b.had_ports => self.compute_carrier(l),
            _ => l.carrier_bit,
        };
        if bit != l.carrier_bit {
            self.state_changed(id);
            if let Some(l) = self.lm(id) {
                l.carrier_bit = bit;
                l.counters.carrier_changes += 1;
            }
        }
        let Some(l) = self.link(id) else { return };
        let c = self.compute_carrier(l);
        if c != l.carrier {
            self.state_changed(id);
            if let Some(l) = self.lm(id) {
                l.carrier = c;
            }
            self.record(0, || Decision::Carrier { link: id, up: c });
        }
    }

    fn update_bridge_carrier(&mut self, bridge: LinkId) {
        self.update_carrier(bridge);
    }

    /// A port's device or its bridge changed: the port joins the spanning tree when both are
    /// up and it has carrier (br_stp_enable_port), and leaves it otherwise
    /// (br_stp_disable_port). With STP off it then forwards at once.
    /// True when the port joined or left the tree.
    fn update_port_state(&mut self, port: LinkId, _now: Duration) -> bool {
        let Some(l) = self.link(port) else {
            return false;
        };
        let Some(bridge) = l.master else {
            return false;
        };
        let port_ok = l.admin_up && l.carrier;
        // An Open vSwitch bridge forwards with its internal port down.
        let br_up = self
            .link(bridge)
            .is_some_and(|b| b.admin_up || b.bridge().is_some_and(|b| b.ovs));
        let Some(b) = self.bridge(bridge) else {
            return false;
        };
        let Some(i) = b.ports.iter().position(|p| p.link == port) else {
            return false;
        };
        let disabled = b.ports[i].state == PortState::Disabled;
        let up = port_ok && br_up;
        if up && disabled {
            self.stp_step(bridge, StpSend::Now, |b, cx| b.stp_enable_port(i, cx));
            true
        } else if !up && !disabled {
            self.stp_step(bridge, StpSend::Now, |b, cx| b.stp_disable_port(i, cx));
            true
        } else {
            false
        }
    }

    /// Runs one spanning tree operation on `bridge` and carries out what follows from it:
    /// the forwarding count and the bridge's carrier (br_port_state_selection's end), a
    /// record per port whose state changed, and the BPDUs it sends, queued behind the
    /// current journey's work when `journey` is given, else each on a journey of its own.
    fn stp_step(
        &mut self,
        bridge: LinkId,
        send: StpSend,
        f: impl FnOnce(&mut Bridge, &mut Cx),
    ) -> Vec<(LinkId, Bytes)> {
        let mut later = Vec::new();
        let mut cx = Cx::new(self.now, self.wheel.jiffies0);
        cx.seq = self.stp_seq;
        let Some(b) = self.bridge_mut(bridge) else {
            return later;
        };
        let before: Vec<(LinkId, PortState)> = b.ports.iter().map(|p| (p.link, p.state)).collect();
        f(b, &mut cx);
        let seq = cx.seq;
        b.forwarding_ports = b
            .ports
            .iter()
            .filter(|p| p.state == PortState::Forwarding)
            .count();
        // A step keeps the ports where they were, so a port is compared with its own slot;
        // a search of the whole list per port made a port's coming up cost the square of the
        // ports (8,000 ports: minutes).
        let was = |i: usize, link: LinkId, state: PortState| match before.get(i) {
            Some(&(l, s)) if l == link => s == state,
            _ => before.contains(&(link, state)),
        };
        let changed: Vec<(LinkId, PortState)> = b
            .ports
            .iter()
            .enumerate()
            .filter(|(i, p)| !was(*i, p.link, p.state))
            .map(|(_, p)| (p.link, p.state))
            .collect();
        let notes: Vec<LinkId> = cx
            .notify
            .iter()
            .filter_map(|(i, _)| b.ports.get(*i).map(|p| p.link))
            .collect();
        let states: Vec<PortState> = cx.notify.iter().map(|(_, s)| *s).collect();
        self.stp_seq = seq;
        for (port, state) in notes.into_iter().zip(states) {
            self.port_note(port);
            // The step may have moved the port on since this notification.
            if let Some(n) = self.port_notes.last_mut().filter(|n| n.port == port) {
                n.state = state;
            }
        }
        let j = match send {
            StpSend::InJourney(j) => j,
            _ => 0,
        };
        for event in cx.events.drain(..) {
            self.record(j, || Decision::Stp { bridge, event });
        }
        for (port, state) in changed {
            self.record(j, || Decision::PortState {
                bridge,
                port,
                state,
            });
        }
        self.update_bridge_carrier(bridge);
        for (port, bpdu) in cx.out {
            let Some(mac) = self.link(port).map(|l| l.mac) else {
                continue;
            };
            let frame = bpdu.to_frame(mac);
            match send {
                StpSend::InJourney(_) => self.push(Work::tx(port, frame, 0)),
                StpSend::Later => later.push((port, frame)),
                StpSend::Now => {
                    let now = self.now;
                    self.start_journey(now, port, frame, true);
                }
            }
        }
        later
    }

    /// Switches kernel STP on or off on `bridge` (`stp_state`, `brctl stp`).
    pub fn set_stp(&mut self, bridge: LinkId, on: bool, now: Duration) -> Result<(), FabricError> {
        self.now = now;
        self.bridge(bridge).ok_or(FabricError::NotABridge(bridge))?;
        self.stp_step(bridge, StpSend::Now, |b, cx| b.stp_set_enabled(on, cx));
        Ok(())
    }

    /// Sets the bridge's priority (`priority`, `brctl setbridgeprio`).
    pub fn set_bridge_priority(
        &mut self,
        bridge: LinkId,
        prio: u16,
        now: Duration,
    ) -> Result<(), FabricError> {
        self.now = now;
        self.bridge(bridge).ok_or(FabricError::NotABridge(bridge))?;
        self.stp_step(bridge, StpSend::Now, |b, cx| {
            b.stp_set_bridge_priority(prio, cx)
        });
        Ok(())
    }

    /// Sets a port's STP cost and/or priority (`bridge link set`, `brctl setpathcost`,
    /// `brctl setportprio`); ranges are the caller's to check.
    pub fn set_port_stp(
        &mut self,
        port: LinkId,
        cost: Option<u32>,
        priority: Option<u8>,
        now: Duration,
    ) -> Result<(), FabricError> {
        self.now = now;
        let bridge = self.get(port)?.master.ok_or(FabricError::NotAPort(port))?;
        let i = self
            .bridge(bridge)
            .and_then(|b| b.ports.iter().position(|p| p.link == port))
            .ok_or(FabricError::NotAPort(port))?;
        self.stp_step(bridge, StpSend::Now, |b, cx| {
            if let Some(c) = cost {
                b.stp_set_path_cost(i, c, cx);
            }
            if let Some(p) = priority {
                b.stp_set_port_priority(i, p, cx);
            }
        });
        Ok(())
    }

    /// Keeps a decision record when records are on; the decision is only built then.
    #[inline(always)]
    fn record(&mut self, journey: u64, decision: impl FnOnce() -> Decision) {
        if self.recording {
            self.records.push(Record {
                journey,
                at: self.now,
                decision: decision(),
            });
        }
    }

    /// When the next timer of the wire (a bridge's collector) is due.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.bridges
            .iter()
            .filter_map(|b| self.bridge(*b))
            .flat_map(|b| [b.gc_next, b.stp_next_timer()])
            .flatten()
            .min()
    }

    /// Runs the timers due at `now`: each bridge's spanning tree timers, whose BPDUs are
    /// sent once every bridge's have run, then each bridge's collector ages out entries.
    /// The STP timers run earliest first and, among those of one tick, newest armed first,
    /// as the kernel's timer wheel runs a bucket.
    pub fn poll(&mut self, now: Duration) {
        self.now = now;
        let wheel = self.wheel;
        let mut sends = Vec::new();
        let mut due = Vec::new();
        loop {
            due.clear();
            for &id in &self.bridges {
                let Some(b) = self.bridge(id) else { continue };
                let from = due.len();
                b.stp_due_timers(now, &mut due);
                for d in &mut due[from..] {
                    d.3 = id;
                }
            }
            if due.is_empty() {
                break;
            }
            due.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            for &(_, seq, which, id) in &due {
                sends.extend(
                    self.stp_step(id, StpSend::Later, |b, cx| b.stp_run_timer(which, seq, cx)),
                );
            }
        }
        for (port, frame) in sends {
            self.start_journey(now, port, frame, true);
        }
        let mut removed = Vec::new();
        for i in 0..self.bridges.len() {
            let id = self.bridges[i];
            let Some(b) = self.bridge_mut(id) else {
                continue;
            };
            match b.gc_next {
                Some(t) if t <= now => {
                    let ageing = b.hold_time();
                    let next = b.fdb.collect(now, ageing, &mut removed);
                    b.gc_next = Some(wheel.timer(now, next).0);
                }
                _ => continue,
            }
            for (mac, port, age) in removed.drain(..) {
                self.record(0, || Decision::AgedOut {
                    bridge: id,
                    mac,
                    port,
                    age,
                });
            }
        }
    }

    /// Puts a frame on interface `id` from its stack, and carries it as far as it goes.
    /// Returns the journey's number (used in decision records).
    pub fn transmit(&mut self, now: Duration, id: LinkId, frame: Bytes) -> u64 {
        self.start_journey(now, id, frame, true)
    }

    /// Starts a journey on `id`: sent out of it (`tx`) or received on it from outside.
    pub(crate) fn start_journey(
        &mut self,
        now: Duration,
        id: LinkId,
        frame: Bytes,
        tx: bool,
    ) -> u64 {
        self.now = now;
        self.journey += 1;
        let journey = self.journey;
        if self.recording {
            self.record(journey, || Decision::Sent {
                link: id,
                frame: frame.clone(),
            });
        }
        let first = if tx {
            Work::tx(id, frame, 0)
        } else {
            Work::rx(id, frame, 0)
        };
        self.copies = 0;
        self.storm = false;
        if first.rx || self.recording {
            self.run_journey(journey, Some(first));
        } else {
            match self.tx_into_bridge(journey, first.link, first.frame) {
                // With the queue empty its cursors are as they were left: nothing to run or reset.
                Ok(()) if self.queue.is_empty() => {}
                Ok(()) => self.run_journey(journey, None),
                Err(frame) => self.run_journey(journey, Some(Work::tx(id, frame, 0))),
            }
        }
        journey
    }

    /// The general path of a journey: `first`, then the queue until it is empty or the storm
    /// guard ends the journey; the queue is left empty. Out of line, so that the fast path
    /// in `start_journey` does not carry its registers and stack.
    #[inline(never)]
    fn run_journey(&mut self, journey: u64, first: Option<Work>) {
        if let Some(w) = first {
            self.step(journey, w);
        }
        while !self.storm {
            let Some(w) = self.queue.get_mut(self.next) else {
                break;
            };
            // The fields one by one: the slot keeps an empty frame until the journey ends.
            let (link, hops, rx) = (w.link, w.hops, w.rx);
            let frame = std::mem::take(&mut w.frame);
            self.next += 1;
            if rx {
                self.pending_rx -= 1;
            }
            self.step_parts(journey, rx, link, frame, hops);
        }
        self.queue.clear();
        self.next = 0;
        self.pending_rx = 0;
    }

    /// The start of most journeys in one go: a frame sent out of a veth whose far end is a
    /// bridge port crosses, enters the bridge and is learned from, as `tx`, `rx` and
    /// `bridge_input` would (records are off, nothing waits and the storm guard is far, as at
    /// the start of a journey). A frame forwarded to one port goes on through `send_to_leaf`,
    /// a flood that does not go up to the bridge through `flood_now`, as `apply_verdict`
    /// would send them, and every other verdict through `apply_verdict`. Checks everything
    /// before it changes anything, and hands the frame back when any of it does not hold.
    /// What it queues is left to the caller.
    #[inline(always)]
    fn tx_into_bridge(&mut self, journey: u64, id: LinkId, frame: Bytes) -> Result<(), Bytes> {
        let len = frame.len();
        let peer = match self.link(id) {
            Some(l)
                if l.admin_up
                    && l.carrier
                    && l.captures == 0
                    && len >= ETH_HLEN
                    && len - ETH_HLEN <= l.mtu as usize =>
            {
                match l.kind {
                    LinkKind::Veth { peer } => peer,
                    _ => return Err(frame),
                }
            }
            _ => return Err(frame),
        };
        let br = match self.link(peer) {
            // A bridge would count the frame without its header: the general path sees to it.
            Some(p)
                if p.captures == 0
                    && !matches!(p.kind, LinkKind::Bridge(_))
                    && fits_veth_peer(p.mtu, len) =>
            {
                match p.master {
                    Some(br) => br,
                    None => return Err(frame),
                }
            }
            _ => return Err(frame),
        };
        // The addresses alone, read in place: `len >= ETH_HLEN` holds, so no error to build.
        let Some(h) = frame.first_chunk::<12>() else {
            return Err(frame);
        };
        let (dst, src) = (MacAddr(split6(h, 0)), MacAddr(split6(h, 6)));
        if !matches!(self.link(br).map(|b| &b.kind), Some(LinkKind::Bridge(_))) {
            return Err(frame);
        }
        if let Some(l) = self.lm(id) {
            l.counters.tx_packets += 1;
            l.counters.tx_bytes += len as u64;
        }
        if let Some(p) = self.lm(peer) {
            p.counters.rx_packets += 1;
            p.counters.rx_bytes += len as u64;
        }
        self.copies += 2;
        let now = self.now;
        let Some(bl) = self.lm(br) else {
            return Ok(());
        };
        let promisc = bl.promisc > 0;
        let LinkKind::Bridge(b) = &mut bl.kind else {
            return Ok(());
        };
        let (_, verdict) = handle_frame(b, peer, dst, src, promisc, now);
        match verdict {
            Verdict::Forward { port, local: false }
                if b.port(port).is_some_and(|p| should_deliver(p, Some(peer))) =>
            {
                // What `tx_to_leaf` checks of the journey holds: records are off, nothing
                // waits and two copies are far from the storm guard.
                match self.send_to_leaf(port, frame) {
                    Ok(()) => {}
                    Err(f) => self.step_parts(journey, false, port, f, 1),
                }
            }
            Verdict::Flood { kind, local: false } => {
                self.flood_now(journey, br, kind, Some(peer), frame, 1);
            }
            _ => self.apply_verdict(journey, br, Some(peer), dst, frame, verdict, 1),
        }
        Ok(())
    }

    /// Handles one work item, unless it is one too many for the storm guard, which then
    /// ends the journey.
    #[inline]
    fn step(&mut self, journey: u64, w: Work) {
        self.step_parts(journey, w.rx, w.link, w.frame, w.hops)
    }

    #[inline]
    fn step_parts(&mut self, journey: u64, rx: bool, link: LinkId, frame: Bytes, hops: u16) {
        self.copies += 1;
        if self.copies > MAX_JOURNEY_COPIES {
            self.record(journey, || Decision::Dropped {
                link,
                reason: DropReason::StormGuard,
            });
            self.storm = true;
            return;
        }
        if rx {
            self.rx(journey, link, frame, hops)
        } else {
            self.tx(journey, link, frame, hops)
        }
    }

    /// Queues a work item behind those waiting.
    #[inline]
    fn push(&mut self, w: Work) {
        if w.rx {
            self.pending_rx += 1;
        }
        self.queue.push(w);
    }

    /// The last thing a handler does with a work item it made: with nothing waiting, the
    /// item would be the next one taken from the queue, so it runs now instead.
    #[inline]
    fn then(&mut self, journey: u64, w: Work) {
        if self.nothing_waits() {
            self.step(journey, w);
        } else {
            self.push(w);
        }
    }

    /// No work item waits: neither in the queue nor among the ports a flood has yet to serve.
    #[inline(always)]
    fn nothing_waits(&self) -> bool {
        self.next == self.queue.len() && self.flood_left == 0
    }

    /// A flood when nothing else waits and no copy goes up to the bridge: its copies would be
    /// the next items out of the queue, in port order, so each runs as it is made. While one
    /// runs, `flood_left` counts the ports after it that may still take a copy, so that
    /// nothing runs ahead of them. The last port takes the frame itself.
    ///
    /// The ports are found first, in one pass over the bridge, and served after: ports and
    /// their states and flags change only by control operations, never while a journey runs,
    /// so they are the ports `flood_walk` would find one by one. A bridge with more ports
    /// to serve than the pass keeps takes the walk.
    fn flood_now(
        &mut self,
        journey: u64,
        br: LinkId,
        kind: FloodKind,
        ingress: Option<LinkId>,
        frame: Bytes,
        hops: u16,
    ) {
        // Each port to serve, with its place in the bridge's list: `link << 32 | place`, in
        // one word so that the array is cleared in a few stores.
        let mut to = [0u64; FLOOD_GATHER];
        let mut n = 0usize;
        let Some(b) = self.bridge(br) else { return };
        // Newest first (`Bridge::flood_order`), each with its place in the list.
        for (i, p) in b.ports.iter().enumerate().rev() {
            if floods_to(p, kind, ingress) {
                let Some(slot) = to.get_mut(n) else {
                    return self.flood_walk(journey, br, kind, ingress, frame, hops);
                };
                *slot = u64::from(p.link.0) << 32 | i as u64;
                n += 1;
            }
        }
        let Some((&last, rest)) = to[..n].split_last() else {
            return;
        };
        let last = LinkId((last >> 32) as u32);
        for (k, &t) in rest.iter().enumerate() {
            let port = LinkId((t >> 32) as u32);
            // The ports from the next one to serve on, as `flood_walk` counts them: newest
            // first, those at its place and before.
            self.flood_left = to.get(k + 1).map_or(0, |&t| (t as u32 as usize) + 1);
            if let Err(f) = self.tx_to_leaf(port, frame.clone()) {
                self.step_parts(journey, false, port, f, hops);
            }
            self.flood_left = 0;
            if self.storm {
                return;
            }
        }
        if let Err(f) = self.tx_to_leaf(last, frame) {
            self.step_parts(journey, false, last, f, hops);
        }
    }

    /// `flood_now` port by port, finding each next port after the copy before it is served.
    #[inline(never)]
    fn flood_walk(
        &mut self,
        journey: u64,
        br: LinkId,
        kind: FloodKind,
        ingress: Option<LinkId>,
        frame: Bytes,
        hops: u16,
    ) {
        let mut i = 0usize;
        let mut prev: Option<LinkId> = None;
        while let Some(b) = self.bridge(br) {
            let mut found = None;
            // Newest first: the `i`th port from the end of the list.
            while let Some(p) = b
                .ports
                .len()
                .checked_sub(i + 1)
                .and_then(|j| b.ports.get(j))
            {
                i += 1;
                if floods_to(p, kind, ingress) {
                    found = Some(p.link);
                    break;
                }
            }
            let left = b.ports.len() - i;
            let Some(port) = prev else {
                match found {
                    Some(_) => {
                        prev = found;
                        continue;
                    }
                    None => break,
                }
            };
            match found {
                Some(_) => {
                    self.flood_left = left + 1;
                    if let Err(f) = self.tx_to_leaf(port, frame.clone()) {
                        self.step_parts(journey, false, port, f, hops);
                    }
                    self.flood_left = 0;
                    if self.storm {
                        return;
                    }
                    prev = found;
                }
                None => {
                    if let Err(f) = self.tx_to_leaf(port, frame) {
                        self.step_parts(journey, false, port, f, hops);
                    }
                    return;
                }
            }
        }
    }

    fn drop_at(&mut self, journey: u64, link: LinkId, reason: DropReason, tx: bool) {
        if let Some(l) = self.lm(link) {
            if tx {
                l.counters.tx_dropped += 1;
            } else {
                l.counters.rx_dropped += 1;
            }
        }
        self.record(journey, || Decision::Dropped { link, reason });
    }

    fn tx(&mut self, journey: u64, id: LinkId, frame: Bytes, hops: u16) {
        // Every MTU is at least 68 (set_mtu), so only a frame beyond that needs the peer's.
        let peer_fits = frame.len() <= ETH_HLEN + 4 + 68
            || match self.link(id).map(|l| &l.kind) {
                Some(LinkKind::Veth { peer }) => self
                    .link(*peer)
                    .is_none_or(|p| fits_veth_peer(p.mtu, frame.len())),
                _ => true,
            };
        let Some(l) = self.links.get_mut(id.0 as usize).and_then(|l| l.as_mut()) else {
            return;
        };
        if !l.admin_up {
            return self.drop_at(journey, id, DropReason::LinkDown, true);
        }
        // A bridge without carrier still sends: br_dev_xmit counts the frame and floods it to
        // no port, since none forwards (a bridge has carrier when one of its ports does).
        if !l.carrier && !matches!(l.kind, LinkKind::Bridge(_)) {
            return self.drop_at(journey, id, DropReason::NoCarrier, true);
        }
        if frame.len() < ETH_HLEN {
            return self.drop_at(journey, id, DropReason::Runt, true);
        }
        if frame.len() - ETH_HLEN > l.mtu as usize {
            return self.drop_at(journey, id, DropReason::TooBig, true);
        }
        if l.captures > 0 {
            self.captured.push(Captured {
                link: id,
                direction: Direction::Out,
                frame: frame.clone(),
            });
        }
        if !peer_fits {
            // veth_xmit: taps saw the frame, then the peer refused it (is_skb_forwardable)
            // and the sender counts a drop instead of a packet.
            return self.drop_at(journey, id, DropReason::TooBig, true);
        }
        l.counters.tx_packets += 1;
        l.counters.tx_bytes += frame.len() as u64;
        match &l.kind {
            LinkKind::Veth { peer } => {
                let peer = *peer;
                self.record(journey, || Decision::Crossed { from: id, to: peer });
                let frame = match self.deliver_at_once(peer, frame) {
                    Ok(()) => return,
                    Err(frame) => frame,
                };
                self.then(journey, Work::rx(peer, frame, hops));
            }
            LinkKind::Loopback => self.then(journey, Work::rx(id, frame, hops)),
            LinkKind::Bridge(_) => self.bridge_xmit(journey, id, frame, hops),
            LinkKind::Dummy => {}
            LinkKind::Tap => self.tap_out.push((id, frame)),
        }
    }

    /// `tx` then `deliver_at_once` in one go, for the common copy of a flood: out of a port
    /// that is up, has no capture and is a veth whose far end is no port. Checks everything
    /// before it changes anything, and hands the frame back when any of it does not hold.
    #[inline(always)]
    fn tx_to_leaf(&mut self, id: LinkId, frame: Bytes) -> Result<(), Bytes> {
        let waiting = self.queue.len() - self.next + self.flood_left;
        if self.recording
            || self.pending_rx != 0
            || self.copies as usize + 1 + waiting >= MAX_JOURNEY_COPIES as usize
        {
            return Err(frame);
        }
        self.send_to_leaf(id, frame)
    }

    /// The links' half of `tx_to_leaf`, for a caller that knows the journey's half holds.
    #[inline(always)]
    fn send_to_leaf(&mut self, id: LinkId, frame: Bytes) -> Result<(), Bytes> {
        let len = frame.len();
        let peer = match self.link(id) {
            Some(l)
                if l.admin_up
                    && l.carrier
                    && l.captures == 0
                    && len >= ETH_HLEN
                    && len - ETH_HLEN <= l.mtu as usize =>
            {
                match l.kind {
                    LinkKind::Veth { peer } => peer,
                    _ => return Err(frame),
                }
            }
            _ => return Err(frame),
        };
        if !self
            .link(peer)
            .is_some_and(|p| p.master.is_none() && p.captures == 0 && fits_veth_peer(p.mtu, len))
        {
            return Err(frame);
        }
        self.copies += 2;
        if let Some(l) = self.lm(id) {
            l.counters.tx_packets += 1;
            l.counters.tx_bytes += len as u64;
        }
        if let Some(p) = self.lm(peer) {
            p.counters.rx_packets += 1;
            p.counters.rx_bytes += len as u64;
        }
        self.deliver(peer, frame);
        Ok(())
    }

    /// The veth shortcut: a frame crossing to `peer` is delivered now, as `rx` would when its
    /// turn came, if that changes nothing anyone can see. It does not when `peer` is no bridge
    /// port (its `rx` only counts and delivers) and has no capture, records are off, no
    /// delivering item waits in the queue (deliveries keep their FIFO order), and the item's
    /// place in the FIFO is within the storm guard's count (the same items run either way).
    /// Otherwise the frame is handed back.
    #[inline]
    fn deliver_at_once(&mut self, peer: LinkId, frame: Bytes) -> Result<(), Bytes> {
        let waiting = self.queue.len() - self.next + self.flood_left;
        if self.recording
            || self.pending_rx != 0
            || self.copies as usize + waiting >= MAX_JOURNEY_COPIES as usize
        {
            return Err(frame);
        }
        match self.links.get_mut(peer.0 as usize).and_then(|l| l.as_mut()) {
            Some(l) if l.master.is_none() && l.captures == 0 => {
                self.copies += 1;
                l.counters.rx_packets += 1;
                l.counters.rx_bytes += frame.len() as u64;
                self.deliver(peer, frame);
                Ok(())
            }
            _ => Err(frame),
        }
    }

    fn rx(&mut self, journey: u64, id: LinkId, frame: Bytes, hops: u16) {
        let Some(l) = self.links.get_mut(id.0 as usize).and_then(|l| l.as_mut()) else {
            return;
        };
        l.counters.rx_packets += 1;
        // A bridge counts what it passes up after the Ethernet header is pulled
        // (br_pass_frame_up), every other device the whole frame.
        let hdr = if matches!(l.kind, LinkKind::Bridge(_)) {
            ETH_HLEN
        } else {
            0
        };
        l.counters.rx_bytes += frame.len().saturating_sub(hdr) as u64;
        // The bridge counts the multicast it passes up to itself (br_handle_frame_finish).
        if hdr != 0
            && frame.first().is_some_and(|b| b & 1 == 1)
            && frame.get(..6) != Some(&[0xff; 6][..])
        {
            l.counters.rx_multicast += 1;
        }
        let capture = l.captures > 0;
        match l.master {
            Some(br) => {
                if capture {
                    self.captured.push(Captured {
                        link: id,
                        direction: Direction::In,
                        frame: frame.clone(),
                    });
                }
                self.bridge_input(journey, br, id, frame, hops)
            }
            None => {
                self.record(journey, || Decision::Received { link: id });
                // A frame for a stack waits in the receive backlog, where a capture sees
                // it when its turn comes (netif_receive_skb), after the frames before it.
                self.deliver_captured(id, frame, capture);
            }
        }
    }

    /// A frame entering bridge `br` through `port` (br_handle_frame).
    fn bridge_input(&mut self, journey: u64, br: LinkId, port: LinkId, frame: Bytes, hops: u16) {
        if hops >= MAX_BRIDGE_HOPS {
            return self.drop_at(journey, port, DropReason::StormGuard, false);
        }
        let Ok(eth) = crate::wire::EthHeader::parse(&frame) else {
            return self.drop_at(journey, port, DropReason::Runt, false);
        };
        self.record(journey, || Decision::Entered { bridge: br, port });
        let Some(bl) = self.links.get_mut(br.0 as usize).and_then(|l| l.as_mut()) else {
            return;
        };
        let promisc = bl.promisc > 0;
        let LinkKind::Bridge(b) = &mut bl.kind else {
            return;
        };
        let (learned, verdict) = handle_frame(b, port, eth.dst, eth.src, promisc, self.now);
        if self.recording {
            let d = match learned {
                Some(LearnOutcome::Learned) => Some(Decision::Learned {
                    bridge: br,
                    mac: eth.src,
                    port,
                }),
                Some(LearnOutcome::Refreshed) => Some(Decision::Refreshed {
                    bridge: br,
                    mac: eth.src,
                    port,
                }),
                Some(LearnOutcome::Moved { from }) => Some(Decision::Moved {
                    bridge: br,
                    mac: eth.src,
                    from,
                    to: port,
                }),
                Some(LearnOutcome::Evicted { mac, port: old }) => {
                    self.record(journey, || Decision::Evicted {
                        bridge: br,
                        mac,
                        port: old,
                    });
                    Some(Decision::Learned {
                        bridge: br,
                        mac: eth.src,
                        port,
                    })
                }
                _ => None,
            };
            if let Some(d) = d {
                self.record(journey, || d);
            }
        }
        self.apply_verdict(journey, br, Some(port), eth.dst, frame, verdict, hops + 1);
    }

    /// The bridge device itself sends (its stack answers ARP or ping): br_dev_xmit.
    fn bridge_xmit(&mut self, journey: u64, br: LinkId, frame: Bytes, hops: u16) {
        let Ok(eth) = crate::wire::EthHeader::parse(&frame) else {
            return self.drop_at(journey, br, DropReason::Runt, true);
        };
        let Some(b) = self.bridge(br) else { return };
        if b.no_flows {
            return self.drop_at(journey, br, DropReason::NoFlow, true);
        }
        let verdict = if eth.dst.is_multicast() {
            let kind = if eth.dst.is_broadcast() {
                crate::bridge::FloodKind::Broadcast
            } else {
                crate::bridge::FloodKind::Multicast
            };
            Verdict::Flood { kind, local: false }
        } else {
            match b.fdb.lookup(&eth.dst) {
                Some(e) if e.kind == FdbKind::Local => Verdict::Local,
                Some(e) => Verdict::Forward {
                    port: e.port,
                    local: false,
                },
                None => Verdict::Flood {
                    kind: crate::bridge::FloodKind::Unknown,
                    local: false,
                },
            }
        };
        self.apply_verdict(journey, br, None, eth.dst, frame, verdict, hops + 1);
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_verdict(
        &mut self,
        journey: u64,
        br: LinkId,
        ingress: Option<LinkId>,
        dst: MacAddr,
        frame: Bytes,
        verdict: Verdict,
        hops: u16,
    ) {
        let local = match verdict {
            Verdict::Drop(DropReason::PortDisabled) if ingress.is_some() => {
                return self.not_forwarding(journey, br, ingress, frame, hops);
            }
            Verdict::Drop(reason) => {
                return self.drop_at(journey, ingress.unwrap_or(br), reason, false);
            }
            Verdict::Local => true,
            Verdict::Bpdu => {
                let Some(port) = ingress else { return };
                return self.stp_input(journey, br, port, &frame);
            }
            Verdict::Forward { port, local } => {
                let ok = self
                    .bridge(br)
                    .and_then(|b| b.port(port))
                    .is_some_and(|p| should_deliver(p, ingress));
                if ok {
                    self.record(journey, || Decision::Forwarded {
                        bridge: br,
                        mac: dst,
                        port,
                    });
                    if !(local && ingress.is_some()) {
                        // The only copy: the frame itself goes.
                        return self.then(journey, Work::tx(port, frame, hops));
                    }
                    self.push(Work::tx(port, frame.clone(), hops));
                } else if !local {
                    return self.drop_at(journey, br, DropReason::PortDisabled, false);
                }
                local
            }
            Verdict::Flood { kind, local } => {
                if !(self.recording || local && ingress.is_some()) && self.nothing_waits() {
                    return self.flood_now(journey, br, kind, ingress, frame, hops);
                }
                let Fabric {
                    links,
                    queue,
                    records,
                    recording,
                    now,
                    ..
                } = self;
                let Some(LinkKind::Bridge(b)) = links
                    .get(br.0 as usize)
                    .and_then(|l| l.as_ref())
                    .map(|l| &l.kind)
                else {
                    return;
                };
                let mut sent: Vec<LinkId> = Vec::new();
                let mut n = 0usize;
                // Each port but the last gets a clone of the handle; the last is sent below.
                let mut last: Option<LinkId> = None;
                for p in b.flood_order().filter(|p| floods_to(p, kind, ingress)) {
                    if let Some(prev) = last {
                        queue.push(Work::tx(prev, frame.clone(), hops));
                    }
                    last = Some(p.link);
                    n += 1;
                    if *recording {
                        sent.push(p.link);
                    }
                }
                if *recording {
                    if n > 0 {
                        records.push(Record {
                            journey,
                            at: *now,
                            decision: Decision::Flooded {
                                bridge: br,
                                mac: dst,
                                ports: sent,
                            },
                        });
                    } else if !local {
                        records.push(Record {
                            journey,
                            at: *now,
                            decision: Decision::Dropped {
                                link: br,
                                reason: DropReason::NoPorts,
                            },
                        });
                    }
                }
                let keep = local && ingress.is_some();
                if let Some(prev) = last {
                    if !keep {
                        return self.then(journey, Work::tx(prev, frame, hops));
                    }
                    queue.push(Work::tx(prev, frame.clone(), hops));
                }
                local
            }
        };
        // An Open vSwitch bridge's internal port takes nothing while it is down.
        let local = local
            && self
                .link(br)
                .is_some_and(|l| l.admin_up || l.bridge().is_none_or(|b| !b.ovs));
        if local && ingress.is_some() {
            let promisc = self.recording
                && !dst.is_multicast()
                && self
                    .bridge(br)
                    .and_then(|b| b.fdb.get(&dst))
                    .is_none_or(|e| e.kind != FdbKind::Local);
            self.record(journey, || Decision::DeliveredLocal {
                bridge: br,
                promisc,
            });
            self.then(journey, Work::rx(br, frame, hops));
        }
    }

    /// A frame came in on a port of `br` that does not forward: STP may still take it in,
    /// a learning port learns from it; anything else is dropped.
    #[cold]
    #[inline(never)]
    fn not_forwarding(
        &mut self,
        journey: u64,
        br: LinkId,
        ingress: Option<LinkId>,
        frame: Bytes,
        hops: u16,
    ) {
        let Some(port) = ingress else { return };
        let Ok(eth) = crate::wire::EthHeader::parse(&frame) else {
            return self.drop_at(journey, port, DropReason::Runt, false);
        };
        let now = self.now;
        let Some(b) = self.bridge_mut(br) else { return };
        let (learned, verdict) =
            crate::bridge::input::not_forwarding(b, port, eth.dst, eth.src, now);
        if matches!(learned, Some(LearnOutcome::Learned)) {
            self.record(journey, || Decision::Learned {
                bridge: br,
                mac: eth.src,
                port,
            });
        }
        match verdict {
            Verdict::Drop(reason) => self.drop_at(journey, port, reason, false),
            v => self.apply_verdict(journey, br, ingress, eth.dst, frame, v, hops),
        }
    }

    /// A BPDU reached bridge `br` on `port` (br_stp_rcv); what it makes the bridge send
    /// joins this journey.
    #[cold]
    #[inline(never)]
    fn stp_input(&mut self, journey: u64, br: LinkId, port: LinkId, frame: &[u8]) {
        let Ok(bpdu) = crate::wire::Bpdu::parse(frame) else {
            return self.drop_at(journey, port, DropReason::Runt, false);
        };
        let Some(i) = self
            .bridge(br)
            .and_then(|b| b.ports.iter().position(|p| p.link == port))
        else {
            return;
        };
        self.record(journey, || Decision::BpduReceived { bridge: br, port });
        self.stp_step(br, StpSend::InJourney(journey), |b, cx| {
            b.stp_receive(i, &bpdu, cx)
        });
    }

    /// A frame reached the stack of `link`.
    #[inline(always)]
    fn deliver(&mut self, link: LinkId, frame: Bytes) {
        self.deliver_captured(link, frame, false);
    }

    /// A frame reached the stack of `link`; `capture`: the link's captures see it when the
    /// stack takes it.
    #[inline(always)]
    fn deliver_captured(&mut self, link: LinkId, frame: Bytes, capture: bool) {
        match self.deliveries.get_mut(self.ends) {
            Some(slot) => {
                slot.0 = link;
                slot.2 = capture;
                // The slot holds an empty frame (`pop_delivery` and `clear_deliveries` leave
                // nothing else behind), whose drop does nothing but cost an indirect call.
                let empty = std::mem::replace(&mut slot.1, frame);
                debug_assert!(empty.is_empty());
                std::mem::forget(empty);
            }
            None => self.deliveries.push((link, frame, capture)),
        }
        self.ends += 1;
    }

    /// The next frame that reached a stack: (interface, frame).
    pub fn pop_delivery(&mut self) -> Option<(LinkId, Bytes)> {
        if self.delivered == self.ends {
            return None;
        }
        let d = self.deliveries.get_mut(self.delivered)?;
        let (d, capture) = ((d.0, std::mem::take(&mut d.1)), d.2);
        self.delivered += 1;
        if capture && self.link(d.0).is_some_and(|l| l.captures > 0) {
            self.captured.push(Captured {
                link: d.0,
                direction: Direction::In,
                frame: d.1.clone(),
            });
        }
        if self.delivered == self.ends {
            self.delivered = 0;
            self.ends = 0;
        }
        Some(d)
    }

    /// Frames seen on captured interfaces since the last call.
    pub fn drain_captured(&mut self) -> std::vec::Drain<'_, Captured> {
        self.captured.drain(..)
    }

    /// Decision records since the last call.
    pub fn drain_records(&mut self) -> std::vec::Drain<'_, Record> {
        self.records.drain(..)
    }

    /// Drops pending deliveries without handing them on (a benchmark's sink).
    pub fn clear_deliveries(&mut self) -> usize {
        let n = self.ends - self.delivered;
        for d in &mut self.deliveries[self.delivered..self.ends] {
            d.1 = Bytes::new();
        }
        self.delivered = 0;
        self.ends = 0;
        n
    }
}

/// Six bytes of `h` from `at`, as a MAC's array.
#[inline(always)]
fn split6(h: &[u8; 12], at: usize) -> [u8; 6] {
    let mut m = [0u8; 6];
    m.copy_from_slice(&h[at..at + 6]);
    m
}

/// is_skb_forwardable: a veth hands a frame to its peer only if it fits the peer's MTU, its
/// Ethernet header and a VLAN tag.
#[inline(always)]
fn fits_veth_peer(peer_mtu: u32, frame_len: usize) -> bool {
    frame_len <= peer_mtu as usize + ETH_HLEN + 4
}
