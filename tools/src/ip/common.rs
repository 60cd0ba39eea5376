//! What `ip link`, `ip addr` and `bridge link` print alike about an interface: its flags, its
//! operational state, its name with the `@peer` suffix, qdisc and the peer's namespace
//! (iproute2 ip/ipaddress.c: print_link_flags, print_linkinfo; the kernel's operstate rules
//! from net/core/link_watch.c: default_operstate).

use l2lab_fabric::{LinkId, LinkKind};
use l2lab_sim::{Lab, NsId};

/// IFLA_LINK of a veth: the peer's index, as seen from `ns`.
pub fn peer(lab: &Lab, link: LinkId) -> Option<LinkId> {
    match lab.fabric().link(link)?.kind {
        LinkKind::Veth { peer } => Some(peer),
        _ => None,
    }
}

/// The device in `ns` that has the peer's index, as iproute2 and the kernel look it up
/// (by index in the local namespace, which is another device when the peer lives elsewhere).
fn local_by_peer_index(lab: &Lab, ns: NsId, link: LinkId) -> Option<LinkId> {
    let p = peer(lab, link)?;
    let idx = lab.iface(p)?.ifindex;
    lab.link_by_index(ns, idx)
}

/// Is the veth peer of `link` in another namespace (the kernel then sends IFLA_LINK_NETNSID)?
fn peer_elsewhere(lab: &Lab, link: LinkId) -> bool {
    let (Some(i), Some(p)) = (lab.iface(link), peer(lab, link).and_then(|p| lab.iface(p))) else {
        return false;
    };
    i.ns != p.ns
}

/// `veth01@if9` when the peer lives in another namespace; `veth1@veth2` when it is local
/// (iproute2 names whatever device has the peer's index, or `ifN` if none has).
pub fn display_name(lab: &Lab, link: LinkId) -> String {
    let Some(i) = lab.iface(link) else {
        return String::new();
    };
    let Some(p) = peer(lab, link) else {
        return i.name.clone();
    };
    let idx = lab.iface(p).map_or(0, |x| x.ifindex);
    if peer_elsewhere(lab, link) {
        return format!("{}@if{idx}", i.name);
    }
    match local_by_peer_index(lab, i.ns, link).and_then(|l| lab.iface(l)) {
        Some(l) => format!("{}@{}", i.name, l.name),
        None => format!("{}@if{idx}", i.name),
    }
}

/// `<BROADCAST,MULTICAST,UP,LOWER_UP>` and friends, in iproute2's order.
pub fn flags(lab: &Lab, link: LinkId) -> String {
    let Some(l) = lab.fabric().link(link) else {
        return "<>".into();
    };
    let mut v: Vec<&str> = Vec::new();
    if l.admin_up && !l.carrier {
        v.push("NO-CARRIER");
    }
    match l.kind {
        LinkKind::Loopback => v.push("LOOPBACK"),
        _ => {
            v.push("BROADCAST");
            v.push("MULTICAST");
        }
    }
    if lab.user_promisc(link) {
        v.push("PROMISC");
    }
    if l.admin_up {
        v.push("UP");
    }
    if l.admin_up && l.carrier {
        v.push("LOWER_UP");
    }
    if m_down(lab, link) {
        v.push("M-DOWN");
    }
    format!("<{}>", v.join(","))
}

/// iproute2 prints M-DOWN when the device found at the peer's index locally is down; only
/// for a peer in the same namespace.
fn m_down(lab: &Lab, link: LinkId) -> bool {
    let Some(ns) = lab.iface(link).map(|i| i.ns) else {
        return false;
    };
    if peer_elsewhere(lab, link) {
        return false;
    }
    local_by_peer_index(lab, ns, link)
        .and_then(|l| lab.fabric().link(l))
        .is_some_and(|l| !l.admin_up)
}

/// The operational state (`state UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`).
pub fn operstate(lab: &Lab, link: LinkId) -> &'static str {
    let Some(l) = lab.fabric().link(link) else {
        return "UNKNOWN";
    };
    if !l.admin_up {
        return "DOWN";
    }
    match &l.kind {
        // A TAP device never reports its carrier to link watch (tun.c): UNKNOWN while up.
        LinkKind::Loopback | LinkKind::Dummy | LinkKind::Tap => "UNKNOWN",
        LinkKind::Bridge(b) if !b.had_ports => "UNKNOWN",
        _ if l.carrier => "UP",
        LinkKind::Veth { .. } => {
            // The kernel keeps what link watch computed at the last carrier change.
            let lld = lab.recorded_lower_layer_down(link).unwrap_or_else(|| {
                let ns = lab.iface(link).map(|i| i.ns);
                !peer_elsewhere(lab, link)
                    && ns
                        .and_then(|ns| local_by_peer_index(lab, ns, link))
                        .and_then(|p| lab.fabric().link(p))
                        .is_some_and(|p| !p.carrier)
            });
            if lld {
                "LOWERLAYERDOWN"
            } else {
                "DOWN"
            }
        }
        _ => "DOWN",
    }
}

/// `noqueue` once the device has been up, `noop` before; a TAP device has a queue
/// (tx_queue_len 1000), so it gets the default qdisc, pfifo_fast.
pub fn qdisc(lab: &Lab, link: LinkId) -> &'static str {
    if lab.iface(link).is_some_and(|i| i.ever_up) {
        if lab
            .fabric()
            .link(link)
            .is_some_and(|l| matches!(l.kind, LinkKind::Tap))
        {
            return "pfifo_fast";
        }
        "noqueue"
    } else {
        "noop"
    }
}

/// The name of the bridge a port belongs to.
pub fn master_name(lab: &Lab, link: LinkId) -> Option<String> {
    let m = lab.fabric().link(link)?.master?;
    // An Open vSwitch port's upper device is the kernel datapath's, not its bridge.
    if lab.fabric().bridge(m).is_some_and(|b| b.ovs) {
        return Some("ovs-system".to_string());
    }
    lab.iface(m).map(|i| i.name.clone())
}

/// ` link-netns ns01` / ` link-netnsid 0` when a veth's peer lives in another namespace.
pub fn link_netns(lab: &mut Lab, link: LinkId) -> Option<String> {
    let p = peer(lab, link)?;
    let (mine, theirs) = (lab.iface(link)?.ns, lab.iface(p)?.ns);
    if mine == theirs {
        return None;
    }
    let name = lab.ns(theirs).map(|n| n.name.clone()).unwrap_or_default();
    if name.is_empty() {
        Some(format!("link-netnsid {}", lab.netnsid(mine, theirs)))
    } else {
        Some(format!("link-netns {name}"))
    }
}

/// iproute2's `matches(arg, keyword)`: `arg` is a non-empty prefix of `keyword`.
pub fn matches(arg: &str, keyword: &str) -> bool {
    !arg.is_empty() && keyword.starts_with(arg)
}

/// iproute2's JSON writer (lib/json_writer.c): compact, or with `-p` its own pretty layout
/// (four spaces a level, arrays of values on one line, `},{` between objects).
#[derive(Debug, Default)]
pub struct Json {
    /// What has been written.
    pub out: String,
    pretty: bool,
    depth: usize,
    sep: bool,
}

impl Json {
    /// A writer, pretty or compact.
    pub fn new(pretty: bool) -> Json {
        Json {
            pretty,
            ..Json::default()
        }
    }

    fn eol(&mut self) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..self.depth {
                self.out.push_str("    ");
            }
        }
    }

    fn eor(&mut self) {
        if self.sep {
            self.out.push(',');
        }
        self.sep = true;
    }

    fn begin(&mut self, c: char) {
        self.eor();
        self.out.push(c);
        self.depth += 1;
        self.sep = false;
    }

    fn end(&mut self, c: char) {
        self.depth = self.depth.saturating_sub(1);
        if self.sep {
            self.eol();
        }
        self.out.push(c);
        self.sep = true;
    }

    /// `{`.
    pub fn start_object(&mut self) {
        self.begin('{');
    }

    /// `}`.
    pub fn end_object(&mut self) {
        self.end('}');
    }

    /// `[`.
    pub fn start_array(&mut self) {
        self.begin('[');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// `]`.
    pub fn end_array(&mut self) {
        if self.pretty && self.sep {
            self.out.push(' ');
        }
        self.sep = false;
        self.end(']');
    }

    /// A member's name.
    pub fn name(&mut self, name: &str) {
        self.eor();
        self.eol();
        self.sep = false;
        self.out.push_str(&quote(name));
        self.out.push(':');
        if self.pretty {
            self.out.push(' ');
        }
    }

    /// A raw value (number, `true`).
    pub fn raw(&mut self, v: impl std::fmt::Display) {
        self.eor();
        self.out.push_str(&v.to_string());
    }

    /// A string value.
    pub fn string(&mut self, v: &str) {
        self.eor();
        self.out.push_str(&quote(v));
    }

    /// `"name":number`.
    pub fn int(&mut self, name: &str, v: impl std::fmt::Display) {
        self.name(name);
        self.raw(v);
    }

    /// `"name":"value"`.
    pub fn str(&mut self, name: &str, v: &str) {
        self.name(name);
        self.string(v);
    }
}

/// Writes a whole JSON value through iproute2's writer, so a command that builds its output
/// as a `serde_json::Value` prints `-j` and `-j -p` in iproute2's layout.
pub fn json_text(v: &serde_json::Value, pretty: bool) -> String {
    fn walk(j: &mut Json, v: &serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                j.start_object();
                for (k, x) in m {
                    j.name(k);
                    walk(j, x);
                }
                j.end_object();
            }
            serde_json::Value::Array(a) => {
                j.start_array();
                for x in a {
                    walk(j, x);
                }
                j.end_array();
            }
            serde_json::Value::String(s) => j.string(s),
            other => j.raw(other),
        }
    }
    let mut j = Json::new(pretty);
    walk(&mut j, v);
    j.out
}

fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}
