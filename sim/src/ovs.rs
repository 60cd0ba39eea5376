//! Open vSwitch in a lab: the configuration database `ovs-vsctl` edits (the Open_vSwitch,
//! Bridge, Port and Interface tables, as far as tutorials read them) and the bridges
//! ovs-vswitchd makes from it. A bridge forwards as OVS's NORMAL action does: MAC learning
//! (300 s ageing, `other_config:mac-aging-time`) and flooding of unknown and broadcast
//! destinations, over the same FDB and flood code as the Linux bridge; its internal port
//! `BR` is the bridge's device. Bridges live in the initial namespace, where ovs-vswitchd
//! runs, whichever namespace `ovs-vsctl` is run from. The kernel datapath's device
//! `ovs-system` appears with the first bridge, as on a host with the openvswitch module.

use std::collections::BTreeMap;
use std::time::Duration;

use l2lab_fabric::{LinkId, MacAddr};

use crate::error::{LabError, LabResult};
use crate::lab::{Lab, NsId};

/// OVS's default `mac-aging-time` (mac-learning.h: MAC_ENTRY_DEFAULT_IDLE_TIME).
pub const OVS_MAC_AGING: Duration = Duration::from_secs(300);

/// A row's UUID, as ovsdb prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Uuid(pub [u8; 16]);

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = &self.0;
        for (i, x) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{x:02x}")?;
        }
        Ok(())
    }
}

/// A port of an OVS bridge (a Port row with its one Interface).
#[derive(Debug, Clone)]
pub struct OvsPort {
    /// Its name (the interface's too).
    pub name: String,
    /// The Port row's UUID: `show` lists ports in this order.
    pub uuid: Uuid,
    /// Its Interface row's UUID.
    pub iface_uuid: Uuid,
    /// Its OpenFlow port number (`ofport`); none while ovs-vswitchd could not add it.
    pub ofport: Option<u16>,
    /// Why ovs-vswitchd could not add it (the Interface's `error` column).
    pub error: Option<String>,
    /// The Interface's `link_resets`: changes of the device's running state since
    /// ovs-vswitchd opened it.
    pub link_resets: u64,
    /// Its device's running state as ovs-vswitchd last saw it.
    running: Option<bool>,
}

/// A Bridge row and the bridge made from it.
#[derive(Debug, Clone)]
pub struct OvsBridge {
    /// Its name (its internal port's too).
    pub name: String,
    /// The row's UUID: `show` and `list-br` orders differ (UUID, name).
    pub uuid: Uuid,
    /// Its device, the internal port.
    pub link: LinkId,
    /// Ports other than the internal one, in the order they were added.
    pub ports: Vec<OvsPort>,
    /// The internal port's Port row UUID.
    pub local_uuid: Uuid,
    /// The internal port's Interface row UUID.
    pub local_iface_uuid: Uuid,
    /// The internal port's `link_resets`.
    pub local_link_resets: u64,
    local_running: Option<bool>,
    /// `fail_mode` (`standalone` or `secure`), when set.
    pub fail_mode: Option<String>,
    /// `other_config`.
    pub other_config: BTreeMap<String, String>,
    /// When it was made (its NORMAL flow's `duration`).
    pub created: Duration,
    next_ofport: u16,
}

/// The counters of a bridge's NORMAL flow.
#[derive(Debug, Clone, Copy)]
pub struct FlowStats {
    /// Since the bridge was made.
    pub age: Duration,
    /// Frames the bridge took in (from its ports and its internal port).
    pub packets: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Since a frame last came in (as far as the MAC table tells).
    pub idle: Duration,
}

/// The database and what ovs-vswitchd made of it.
#[derive(Debug, Default, Clone)]
pub struct OvsDb {
    /// The Open_vSwitch row's UUID (the first line of `ovs-vsctl show`).
    pub uuid: Option<Uuid>,
    /// Bridges, in the order they were added.
    pub bridges: Vec<OvsBridge>,
    /// The datapath's device, once a bridge exists.
    pub system: Option<LinkId>,
    /// `next_cfg` (and `cur_cfg`, ovs-vswitchd catching up at once): ovs-vsctl runs that
    /// changed the database.
    pub cfg: u64,
    /// A trial run on a copy ([`Lab::ovs_dry_run`]): the devices are left alone.
    dry: bool,
}

/// The device of a bridge made in a trial run, which makes none.
const NO_LINK: LinkId = LinkId(u32::MAX);

impl OvsDb {
    /// The bridge named `name`.
    pub fn bridge(&self, name: &str) -> Option<&OvsBridge> {
        self.bridges.iter().find(|b| b.name == name)
    }

    /// The bridge that has port `port` (the internal port counts).
    pub fn port_to_br(&self, port: &str) -> Option<&OvsBridge> {
        self.bridges
            .iter()
            .find(|b| b.name == port || b.ports.iter().any(|p| p.name == port))
    }
}

/// Why ovs-vsctl refused, worded as it words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OvsError {
    /// `add-br` of a name taken by a bridge.
    BridgeExists(String),
    /// `add-br` of a name taken by a port.
    PortExistsAsBridge(String, String),
    /// `add-port` of a port that exists somewhere.
    PortExists(String, String),
    /// No bridge by that name.
    NoBridge(String),
    /// No port by that name.
    NoPort(String),
    /// `del-port BR P` with P on another bridge.
    NotOnBridge(String, String),
    /// The lab refused (the device is a Linux bridge's port, ...).
    Lab(LabError),
}

impl std::fmt::Display for OvsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OvsError::BridgeExists(b) => write!(
                f,
                "cannot create a bridge named {b} because a bridge named {b} already exists"
            ),
            OvsError::PortExistsAsBridge(b, on) => write!(
                f,
                "cannot create a bridge named {b} because a port named {b} already exists on bridge {on}"
            ),
            OvsError::PortExists(p, on) => write!(
                f,
                "cannot create a port named {p} because a port named {p} already exists on bridge {on}"
            ),
            OvsError::NoBridge(b) => write!(f, "no bridge named {b}"),
            OvsError::NoPort(p) => write!(f, "no port named {p}"),
            OvsError::NotOnBridge(b, p) => write!(f, "bridge {b} does not have a port {p}"),
            OvsError::Lab(e) => write!(f, "{e}"),
        }
    }
}

impl Lab {
    fn new_uuid(&mut self) -> Uuid {
        let mut b = [0u8; 16];
        for chunk in b.chunks_mut(4) {
            chunk.copy_from_slice(&self.random_u32().to_be_bytes());
        }
        // Version 4, RFC 4122 variant, as ovsdb's uuid_generate makes them.
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        Uuid(b)
    }

    /// The Interface row's UUID beside Port row `port`'s. Derived rather than drawn, so the
    /// lab's random sequence (ping identifiers, ports) is the same as without the row.
    fn iface_uuid(port: Uuid) -> Uuid {
        let mut b = port.0;
        for chunk in b.chunks_mut(8) {
            let mut x = u64::from_be_bytes(chunk.try_into().unwrap_or([0; 8]));
            // splitmix64's finaliser: a bijection that scatters the bits.
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^= x >> 31;
            chunk.copy_from_slice(&x.to_be_bytes());
        }
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        Uuid(b)
    }

    /// Whether `link` is running (IFF_RUNNING: up, with carrier).
    fn running(&self, link: LinkId) -> Option<bool> {
        self.fabric.link(link).map(|l| l.oper_up())
    }

    /// ovs-vswitchd hears of its devices' running state changing (netdev-linux counts them
    /// as `link_resets`).
    pub(crate) fn ovs_sync_links(&mut self) {
        // Called after every step of the wire: no allocation, a lookup a port.
        fn step(count: &mut u64, memo: &mut Option<bool>, now: Option<bool>) {
            if let (Some(was), Some(is)) = (*memo, now) {
                if was != is {
                    *count += 1;
                }
            }
            if now.is_some() {
                *memo = now;
            }
        }
        for bi in 0..self.ovs.bridges.len() {
            let local = self.running(self.ovs.bridges[bi].link);
            let b = &mut self.ovs.bridges[bi];
            step(&mut b.local_link_resets, &mut b.local_running, local);
            for pi in 0..self.ovs.bridges[bi].ports.len() {
                let p = &self.ovs.bridges[bi].ports[pi];
                let now = if p.error.is_some() {
                    None
                } else {
                    self.link_by_name(NsId::INIT, &p.name)
                        .ok()
                        .and_then(|l| self.running(l))
                };
                let p = &mut self.ovs.bridges[bi].ports[pi];
                step(&mut p.link_resets, &mut p.running, now);
            }
        }
    }

    /// Runs `f` on a copy of the database that is thrown away afterwards, leaving the devices
    /// and the random sequence as they were: ovs-vsctl's commands run in one transaction, all
    /// or nothing, so a run is tried before it is done.
    pub fn ovs_dry_run<T>(&mut self, f: impl FnOnce(&mut Lab) -> T) -> T {
        self.ovs();
        let db = self.ovs.clone();
        let rng = self.rng.clone();
        self.ovs.dry = true;
        let r = f(self);
        self.ovs = db;
        self.rng = rng;
        r
    }

    /// One more ovs-vsctl run changed the database (`next_cfg`, `cur_cfg`).
    pub fn ovs_bump_cfg(&mut self) {
        self.ovs.cfg += 1;
    }

    /// The Open vSwitch database (made on first use, as `ovs-vsctl init` would).
    pub fn ovs(&mut self) -> &OvsDb {
        if self.ovs.uuid.is_none() {
            self.ovs.uuid = Some(self.new_uuid());
        }
        &self.ovs
    }

    /// Whether `link` is an Open vSwitch bridge's device or port.
    pub fn is_ovs_link(&self, link: LinkId) -> bool {
        let Some(l) = self.fabric.link(link) else {
            return false;
        };
        let of = |b: LinkId| self.fabric.bridge(b).is_some_and(|b| b.ovs);
        of(link) || l.master.is_some_and(of)
    }

    /// `ovs-vsctl [--may-exist] add-br BR`.
    pub fn ovs_add_br(&mut self, name: &str, may_exist: bool) -> Result<(), OvsError> {
        self.ovs();
        if self.ovs.bridge(name).is_some() {
            return if may_exist {
                Ok(())
            } else {
                Err(OvsError::BridgeExists(name.to_string()))
            };
        }
        if let Some(b) = self.ovs.port_to_br(name) {
            return Err(OvsError::PortExistsAsBridge(
                name.to_string(),
                b.name.clone(),
            ));
        }
        if self.ovs.dry {
            return self.ovs_push_bridge(name, NO_LINK);
        }
        if self.ovs.system.is_none() {
            let sys = self
                .add_dummy(NsId::INIT, "ovs-system")
                .map_err(OvsError::Lab)?;
            self.ovs.system = Some(sys);
        }
        let link = self.add_bridge(NsId::INIT, name).map_err(OvsError::Lab)?;
        if let Some(b) = self.fabric.bridge_mut(link) {
            b.ovs = true;
            b.mac_set_by_user = true;
            b.ageing_time = OVS_MAC_AGING;
        }
        self.ovs_push_bridge(name, link)
    }

    fn ovs_push_bridge(&mut self, name: &str, link: LinkId) -> Result<(), OvsError> {
        let (uuid, local_uuid) = (self.new_uuid(), self.new_uuid());
        self.ovs.bridges.push(OvsBridge {
            name: name.to_string(),
            uuid,
            link,
            ports: Vec::new(),
            local_uuid,
            local_iface_uuid: Self::iface_uuid(local_uuid),
            local_link_resets: 0,
            local_running: self.running(link),
            fail_mode: None,
            other_config: BTreeMap::new(),
            created: self.now(),
            next_ofport: 1,
        });
        Ok(())
    }

    /// `ovs-vsctl [--if-exists] del-br BR`: the bridge, its internal port and its ports go.
    pub fn ovs_del_br(&mut self, name: &str, if_exists: bool) -> Result<(), OvsError> {
        let Some(i) = self.ovs.bridges.iter().position(|b| b.name == name) else {
            return if if_exists {
                Ok(())
            } else {
                Err(OvsError::NoBridge(name.to_string()))
            };
        };
        let b = self.ovs.bridges.remove(i);
        if self.ovs.dry {
            return Ok(());
        }
        for p in &b.ports {
            let _ = self.set_master(NsId::INIT, &p.name, None);
        }
        if let Some(n) = self.iface(b.link).map(|i| i.name.clone()) {
            let _ = self.del_link(NsId::INIT, &n);
        }
        Ok(())
    }

    /// `ovs-vsctl [--may-exist] add-port BR PORT`: the device joins the bridge (when it
    /// exists in the initial namespace; ovs-vswitchd opens it when it does).
    pub fn ovs_add_port(&mut self, br: &str, port: &str, may_exist: bool) -> Result<(), OvsError> {
        self.ovs();
        if let Some(on) = self.ovs.port_to_br(port) {
            if may_exist && on.name == br {
                return Ok(());
            }
            return Err(OvsError::PortExists(port.to_string(), on.name.clone()));
        }
        if self.ovs.bridge(br).is_none() {
            return Err(OvsError::NoBridge(br.to_string()));
        }
        let error = match self.link_by_name(NsId::INIT, port) {
            Err(_) => Some(format!(
                "could not open network device {port} (No such device)"
            )),
            Ok(l) => {
                let theirs = self
                    .fabric
                    .link(l)
                    .and_then(|k| k.master)
                    .is_some_and(|m| self.fabric.bridge(m).is_some_and(|b| !b.ovs));
                if theirs {
                    // netdev_rx_handler_register: a Linux bridge port has its handler.
                    Some(format!(
                        "could not add network device {port} to ofproto (Device or resource busy)"
                    ))
                } else {
                    if !self.ovs.dry {
                        self.set_master(NsId::INIT, port, Some(br))
                            .map_err(OvsError::Lab)?;
                    }
                    None
                }
            }
        };
        let uuid = self.new_uuid();
        let running = if error.is_none() {
            self.link_by_name(NsId::INIT, port)
                .ok()
                .and_then(|l| self.running(l))
        } else {
            None
        };
        let Some(b) = self.ovs.bridges.iter_mut().find(|b| b.name == br) else {
            return Err(OvsError::NoBridge(br.to_string()));
        };
        let ofport = if error.is_none() {
            let n = b.next_ofport;
            b.next_ofport = b.next_ofport.saturating_add(1);
            Some(n)
        } else {
            None
        };
        b.ports.push(OvsPort {
            name: port.to_string(),
            uuid,
            iface_uuid: Self::iface_uuid(uuid),
            link_resets: 0,
            running,
            ofport,
            error,
        });
        Ok(())
    }

    /// `ovs-vsctl [--if-exists] del-port [BR] PORT`.
    pub fn ovs_del_port(
        &mut self,
        br: Option<&str>,
        port: &str,
        if_exists: bool,
    ) -> Result<(), OvsError> {
        if let Some(br) = br {
            if self.ovs.bridge(br).is_none() {
                return Err(OvsError::NoBridge(br.to_string()));
            }
        }
        let Some(on) = self.ovs.port_to_br(port).map(|b| b.name.clone()) else {
            return if if_exists {
                Ok(())
            } else {
                Err(OvsError::NoPort(port.to_string()))
            };
        };
        if let Some(br) = br {
            if br != on {
                return Err(OvsError::NotOnBridge(br.to_string(), port.to_string()));
            }
        }
        if let Some(b) = self.ovs.bridges.iter_mut().find(|b| b.name == on) {
            b.ports.retain(|p| p.name != port);
        }
        if !self.ovs.dry && self.link_by_name(NsId::INIT, port).is_ok() {
            let _ = self.set_master(NsId::INIT, port, None);
        }
        Ok(())
    }

    /// `set-fail-mode BR standalone|secure` (None: `del-fail-mode`).
    pub fn ovs_set_fail_mode(&mut self, br: &str, mode: Option<&str>) -> Result<(), OvsError> {
        let b = self
            .ovs
            .bridges
            .iter_mut()
            .find(|b| b.name == br)
            .ok_or_else(|| OvsError::NoBridge(br.to_string()))?;
        b.fail_mode = mode.map(str::to_string);
        // With no controller, secure mode leaves the flow table empty: nothing forwards.
        let secure = mode == Some("secure");
        let link = b.link;
        if self.ovs.dry {
            return Ok(());
        }
        if let Some(fb) = self.fabric.bridge_mut(link) {
            fb.no_flows = secure;
        }
        Ok(())
    }

    /// `set bridge BR other_config:KEY=VALUE`; `mac-aging-time` changes the ageing.
    pub fn ovs_set_other_config(
        &mut self,
        br: &str,
        key: &str,
        value: &str,
    ) -> Result<(), OvsError> {
        let mut map = self
            .ovs
            .bridge(br)
            .ok_or_else(|| OvsError::NoBridge(br.to_string()))?
            .other_config
            .clone();
        map.insert(key.to_string(), value.to_string());
        self.ovs_replace_other_config(br, map)
    }

    /// `set bridge BR other_config={...}`: the whole map.
    pub fn ovs_replace_other_config(
        &mut self,
        br: &str,
        map: BTreeMap<String, String>,
    ) -> Result<(), OvsError> {
        let b = self
            .ovs
            .bridges
            .iter_mut()
            .find(|b| b.name == br)
            .ok_or_else(|| OvsError::NoBridge(br.to_string()))?;
        // bridge_configure_mac_table: a number of seconds, else the default.
        let secs = map
            .get("mac-aging-time")
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|s| *s > 0);
        b.other_config = map;
        let link = b.link;
        if self.ovs.dry {
            return Ok(());
        }
        if let Some(b) = self.fabric.bridge_mut(link) {
            b.ageing_time = secs.map_or(OVS_MAC_AGING, Duration::from_secs);
        }
        Ok(())
    }

    /// `ovs-appctl fdb/show BR`: (OpenFlow port, MAC, seconds since last seen) of what the
    /// bridge learned, None for the port being LOCAL.
    pub fn ovs_fdb(&self, br: &str) -> Option<Vec<(Option<u16>, MacAddr, u64)>> {
        let b = self.ovs.bridge(br)?;
        let fb = self.fabric.bridge(b.link)?;
        let now = self.now();
        let mut v = Vec::new();
        for (mac, e) in fb.fdb.entries() {
            if e.kind != l2lab_fabric::bridge::FdbKind::Learned {
                continue;
            }
            let ofport = if e.port == b.link {
                None
            } else {
                let name = self.iface(e.port).map(|i| i.name.clone());
                match b.ports.iter().find(|p| Some(&p.name) == name.as_ref()) {
                    Some(p) => p.ofport,
                    None => continue,
                }
            };
            v.push((ofport, mac, now.saturating_sub(e.updated).as_secs()));
        }
        Some(v)
    }

    /// `ovs-appctl fdb/flush [BR]`: false when there is no such bridge.
    pub fn ovs_fdb_flush(&mut self, br: Option<&str>) -> bool {
        let links: Vec<LinkId> = match br {
            Some(name) => match self.ovs.bridge(name) {
                Some(b) => vec![b.link],
                None => return false,
            },
            None => self.ovs.bridges.iter().map(|b| b.link).collect(),
        };
        for l in links {
            if let Some(b) = self.fabric.bridge_mut(l) {
                b.fdb.flush_learned();
            }
        }
        true
    }

    /// The NORMAL flow's counters of bridge `br` (None also when secure mode removed it).
    pub fn ovs_normal_flow(&self, br: &str) -> Option<FlowStats> {
        let b = self.ovs.bridge(br)?;
        if b.fail_mode.as_deref() == Some("secure") {
            return None;
        }
        let now = self.now();
        let (mut packets, mut bytes) = (0, 0);
        if let Some(l) = self.fabric.link(b.link) {
            packets += l.counters.tx_packets;
            bytes += l.counters.tx_bytes;
        }
        for p in &b.ports {
            let Ok(id) = self.link_by_name(NsId::INIT, &p.name) else {
                continue;
            };
            if let Some(l) = self.fabric.link(id) {
                packets += l.counters.rx_packets;
                bytes += l.counters.rx_bytes;
            }
        }
        let last = self
            .fabric
            .bridge(b.link)
            .and_then(|fb| fb.fdb.entries().iter().map(|(_, e)| e.updated).max());
        let age = now.saturating_sub(b.created);
        Some(FlowStats {
            age,
            packets,
            bytes,
            idle: last.map_or(age, |t| now.saturating_sub(t.max(b.created))),
        })
    }

    /// The database, read-only, as it is.
    pub fn ovs_db(&self) -> &OvsDb {
        &self.ovs
    }

    /// `ovs-vsctl init`-time UUID, made if it is not yet there.
    pub fn ovs_init(&mut self) -> LabResult<()> {
        self.ovs();
        Ok(())
    }
}
