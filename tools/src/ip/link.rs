//! `ip link`: add, set, del and show interfaces (iproute2 6.1 ip/iplink.c, and the listing
//! of ip/ipaddress.c: print_linkinfo, which `ip addr` shares).

use l2lab_fabric::{LinkId, LinkKind, MacAddr};
use l2lab_sim::lab::NETNS_IMMUTABLE;
use l2lab_sim::{IfAddr, Inet6Addr, Lab, LabError, NsId, Scope, StpTimer};

use super::common::{
    display_name, flags, link_netns, master_name, matches, operstate, peer, qdisc, Json,
};
use super::Opts;
use crate::cmd::{Env, Output};

/// `ip link help` (iproute2 6.1, abridged to what the lab knows).
const USAGE: &str = "Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME
\t\t    [ txqueuelen PACKETS ]
\t\t    [ address LLADDR ]
\t\t    [ broadcast LLADDR ]
\t\t    [ mtu MTU ] [index IDX ]
\t\t    [ numtxqueues QUEUE_COUNT ]
\t\t    [ numrxqueues QUEUE_COUNT ]
\t\t    [ netns { PID | NETNSNAME | NETNSFILE } ]
\t\t    type TYPE [ ARGS ]

\tip link delete { DEVICE | dev DEVICE | group DEVGROUP } type TYPE [ ARGS ]

\tip link set { DEVICE | dev DEVICE | group DEVGROUP }
\t\t\t[ { up | down } ]
\t\t\t[ type TYPE ARGS ]
\t\t[ arp { on | off } ]
\t\t[ dynamic { on | off } ]
\t\t[ multicast { on | off } ]
\t\t[ allmulticast { on | off } ]
\t\t[ promisc { on | off } ]
\t\t[ trailers { on | off } ]
\t\t[ carrier { on | off } ]
\t\t[ txqueuelen PACKETS ]
\t\t[ name NEWNAME ]
\t\t[ address LLADDR ]
\t\t[ broadcast LLADDR ]
\t\t[ mtu MTU ]
\t\t[ netns { PID | NETNSNAME | NETNSFILE } ]
\t\t[ alias NAME ]
\t\t[ master DEVICE ][ vrf NAME ]
\t\t[ nomaster ]

\tip link show [ DEVICE | group GROUP ] [up] [master DEV] [vrf NAME] [type TYPE]
\t\t[nomaster]

TYPE := { bridge | dummy | veth }
";

/// Runs `ip link ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    lab.sync_operstates();
    let rc = dispatch(args, opts, env, lab, out);
    lab.sync_operstates();
    rc
}

fn dispatch(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(verb) = args.first().map(String::as_str) else {
        return show(&[], opts, env, lab, out, false);
    };
    let rest = &args[1..];
    if matches(verb, "add") {
        add(rest, env, lab, out)
    } else if matches(verb, "set") || matches(verb, "change") {
        set(rest, env, lab, out)
    } else if matches(verb, "delete") {
        del(rest, env, lab, out)
    } else if matches(verb, "show") || matches(verb, "lst") || matches(verb, "list") {
        show(rest, opts, env, lab, out, false)
    } else if matches(verb, "help") {
        out.err(USAGE);
        255
    } else {
        out.err(format!(
            "Command \"{verb}\" is unknown, try \"ip link help\".\n"
        ));
        255
    }
}

// ---- parsing ------------------------------------------------------------------------------

/// One change that `ip link set` asks for, applied in the order given.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Up(bool),
    Name(String),
    Address(MacAddr),
    Mtu(u32),
    Netns(NsId),
    Master(LinkId),
    NoMaster,
    Promisc(bool),
    AddrGenMode(u8),
}

/// What iplink_parse makes of a command line.
#[derive(Debug, Default)]
struct Req {
    dev: Option<String>,
    name: Option<String>,
    ops: Vec<Op>,
    kind: Option<String>,
    kind_args: Vec<String>,
}

/// Why parsing stopped: the message and exit status are the real tool's.
#[derive(Debug, PartialEq)]
struct Fail(String, i32);

fn invarg(msg: &str, arg: &str) -> Fail {
    Fail(format!("Error: argument \"{arg}\" is wrong: {msg}\n"), 255)
}

fn incomplete() -> Fail {
    Fail(
        "Command line is not complete. Try option \"help\"\n".into(),
        255,
    )
}

fn on_off(key: &str, v: &str) -> Result<bool, Fail> {
    match v {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(Fail(
            format!("Error: argument of \"{key}\" must be \"on\" or \"off\", not \"{v}\"\n"),
            255,
        )),
    }
}

/// A device name as the kernel's policy accepts it (IFNAMSIZ - 1 bytes).
fn name_ok(n: &str) -> bool {
    !n.is_empty() && n.len() <= 15
}

/// iproute2's check_ifname (`limit` IFNAMSIZ) and check_altifname (`limit` ALTIFNAMSIZ):
/// what it refuses never reaches the kernel.
pub fn ifname_ok(n: &str, limit: usize) -> bool {
    !n.is_empty()
        && n.len() < limit
        && !n
            .bytes()
            .any(|b| b == b'/' || b.is_ascii_whitespace() || b == 0x0b)
}

/// IFNAMSIZ, for `name` and `peer name`.
pub const IFNAMSIZ: usize = 16;
/// ALTIFNAMSIZ, for `dev` (which may name an alternative name).
pub const ALTIFNAMSIZ: usize = 128;

/// iproute2's iplink_parse: keywords, then `type KIND ARGS...` (the rest goes to the kind).
fn parse(args: &[String], lab: &Lab, ns: NsId) -> Result<Req, Fail> {
    let mut r = Req::default();
    let mut i = 0;
    let next = |i: &mut usize| -> Result<String, Fail> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(incomplete)
    };
    while i < args.len() {
        let a = args[i].as_str();
        if a == "up" {
            r.ops.push(Op::Up(true));
        } else if a == "down" {
            r.ops.push(Op::Up(false));
        } else if a == "name" {
            let v = next(&mut i)?;
            if !ifname_ok(&v, IFNAMSIZ) {
                return Err(invarg("\"name\" not a valid ifname", &v));
            }
            r.name = Some(v.clone());
            r.ops.push(Op::Name(v));
        } else if matches(a, "address") {
            let v = next(&mut i)?;
            let mac: MacAddr = v
                .parse()
                .map_err(|_| Fail(format!("\"{v}\" is invalid lladdr.\n"), 1))?;
            r.ops.push(Op::Address(mac));
        } else if a == "mtu" {
            let v = next(&mut i)?;
            if r.ops.iter().any(|o| matches!(o, Op::Mtu(_))) {
                return Err(duparg("mtu", &v));
            }
            let mtu = parse_u32(&v).ok_or_else(|| invarg("Invalid \"mtu\" value\n", &v))?;
            r.ops.push(Op::Mtu(mtu));
        } else if a == "netns" {
            let v = next(&mut i)?;
            if r.ops.iter().any(|o| matches!(o, Op::Netns(_))) {
                return Err(duparg("netns", &v));
            }
            if matches!(v.as_str(), "" | "." | "..") {
                // A directory under /run/netns opens, and the kernel refuses its descriptor.
                return Err(Fail("RTNETLINK answers: Invalid argument\n".into(), 2));
            }
            match crate::members::by_env(lab, &v) {
                Some(to) => r.ops.push(Op::Netns(to)),
                // A number that names no namespace is a process id (IFLA_NET_NS_PID), which
                // the kernel looks up and does not find.
                None if v.parse::<i32>().is_ok() => {
                    return Err(Fail("RTNETLINK answers: No such process\n".into(), 2))
                }
                None => return Err(invarg("Invalid \"netns\" value\n", &v)),
            }
        } else if a == "promisc" {
            let v = next(&mut i)?;
            r.ops.push(Op::Promisc(on_off("promisc", &v)?));
        } else if a == "addrgenmode" {
            let v = next(&mut i)?;
            let mode = ADDR_GEN_MODES
                .iter()
                .position(|m| *m == v)
                .ok_or_else(|| invarg("Invalid address generation mode\n", &v))?;
            r.ops.push(Op::AddrGenMode(mode as u8));
        } else if matches(a, "txqueuelen") || a == "qlen" || matches(a, "txqlen") {
            // The lab keeps every queue at 1000.
            next(&mut i)?;
        } else if matches(a, "master") {
            let v = next(&mut i)?;
            let m = lab
                .link_by_name(ns, &v)
                .map_err(|_| invarg("Device does not exist\n", &v))?;
            r.ops.push(Op::Master(m));
        } else if matches(a, "nomaster") {
            r.ops.push(Op::NoMaster);
        } else if matches(a, "type") {
            let v = next(&mut i)?;
            r.kind = Some(v);
            r.kind_args = args[i + 1..].to_vec();
            break;
        } else {
            let mut v = a.to_string();
            if a == "dev" {
                v = next(&mut i)?;
            } else if matches(a, "help") {
                return Err(Fail(USAGE.into(), 255));
            }
            if r.dev.is_some() {
                return Err(Fail(
                    format!("Error: either \"dev\" is duplicate, or \"{v}\" is a garbage.\n"),
                    255,
                ));
            }
            if !ifname_ok(&v, ALTIFNAMSIZ) {
                return Err(invarg("\"dev\" not a valid ifname", &v));
            }
            r.dev = Some(v);
        }
        i += 1;
    }
    Ok(r)
}

/// iproute2's duparg: a keyword given twice.
fn duparg(key: &str, v: &str) -> Fail {
    Fail(
        format!("Error: duplicate \"{key}\": \"{v}\" is the second value.\n"),
        255,
    )
}

/// get_unsigned: decimal, 0x hex or 0 octal.
fn parse_u32(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// `ageing_time N`, `stp_state N`, ... of `type bridge` (ip/iplink_bridge.c).
#[derive(Debug, Default, PartialEq)]
struct BridgeOpts {
    forward_delay: Option<u32>,
    hello_time: Option<u32>,
    max_age: Option<u32>,
    ageing_time: Option<u32>,
    stp_state: Option<u32>,
    priority: Option<u16>,
}

fn parse_bridge(args: &[String]) -> Result<BridgeOpts, Fail> {
    let mut b = BridgeOpts::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let known = [
            "forward_delay",
            "hello_time",
            "max_age",
            "ageing_time",
            "stp_state",
            "priority",
            "vlan_filtering",
            "group_fwd_mask",
            "mcast_snooping",
            "nf_call_iptables",
        ];
        if !known.contains(&a) {
            return Err(Fail(format!("bridge: unknown command \"{a}\"?\n"), 255));
        }
        i += 1;
        let v = args.get(i).ok_or_else(incomplete)?;
        let n = parse_u32(v)
            .filter(|&n| a != "priority" || n <= u32::from(u16::MAX))
            .ok_or_else(|| invarg(&format!("invalid {a}"), v))?;
        match a {
            "forward_delay" => b.forward_delay = Some(n),
            "hello_time" => b.hello_time = Some(n),
            "max_age" => b.max_age = Some(n),
            "ageing_time" => b.ageing_time = Some(n),
            "stp_state" => b.stp_state = Some(n),
            "priority" => b.priority = Some(n as u16),
            _ => {}
        }
        i += 1;
    }
    Ok(b)
}

/// br_changelink's order: the timers, ageing_time, stp_state, priority; the first error ends it.
fn apply_bridge(lab: &mut Lab, ns: NsId, name: &str, b: &BridgeOpts) -> Result<(), LabError> {
    let cs = |n: u32| std::time::Duration::from_millis(u64::from(n) * 10);
    for (v, which) in [
        (b.forward_delay, StpTimer::ForwardDelay),
        (b.hello_time, StpTimer::HelloTime),
        (b.max_age, StpTimer::MaxAge),
    ] {
        if let Some(n) = v {
            lab.set_stp_timer(ns, name, which, cs(n))?;
        }
    }
    if let Some(cs) = b.ageing_time {
        lab.set_ageing_time(
            ns,
            name,
            std::time::Duration::from_millis(u64::from(cs) * 10),
        )?;
    }
    if let Some(s) = b.stp_state {
        lab.set_stp(ns, name, s != 0)?;
    }
    if let Some(p) = b.priority {
        lab.set_bridge_priority(ns, name, p)?;
    }
    Ok(())
}

// ---- add / set / del --------------------------------------------------------------------------

fn add(args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let r = match parse(args, lab, env.ns) {
        Ok(r) => r,
        Err(Fail(m, rc)) => {
            out.err(m);
            return rc;
        }
    };
    let Some(name) = r.name.clone().or(r.dev.clone()) else {
        out.err("Not enough information: \"dev\" argument is required.\n");
        return 255;
    };
    let Some(kind) = r.kind.clone() else {
        out.err("Not enough information: \"type\" argument is required\n");
        return 1;
    };
    let home = r
        .ops
        .iter()
        .rev()
        .find_map(|o| match o {
            Op::Netns(n) => Some(*n),
            _ => None,
        })
        .unwrap_or(env.ns);
    if !name_ok(&name) {
        out.err("Error: Attribute failed policy validation.\n");
        return 2;
    }
    let made: Result<Vec<(LinkId, Vec<Op>)>, LabError> = match kind.as_str() {
        "veth" => {
            let peer = match parse_peer(&r.kind_args, lab, env.ns) {
                Ok(p) => p,
                Err(Fail(m, rc)) => {
                    if rc == 1 {
                        out.out(m);
                    } else {
                        out.err(m);
                    }
                    return rc;
                }
            };
            let peer_ns = peer
                .ops
                .iter()
                .rev()
                .find_map(|o| match o {
                    Op::Netns(n) => Some(*n),
                    _ => None,
                })
                .unwrap_or(home);
            let pname = peer
                .name
                .clone()
                .or(peer.dev.clone())
                .unwrap_or_else(|| lab.free_veth_name(peer_ns));
            if !name_ok(&pname) {
                out.err("Error: Attribute failed policy validation.\n");
                return 2;
            }
            lab.add_veth(home, &name, &pname, Some(peer_ns))
                .map(|(a, b)| vec![(b, peer.ops), (a, r.ops.clone())])
        }
        "bridge" => {
            let b = match parse_bridge(&r.kind_args) {
                Ok(b) => b,
                Err(Fail(m, rc)) => {
                    out.err(m);
                    return rc;
                }
            };
            lab.add_bridge(home, &name).and_then(|id| {
                apply_bridge(lab, home, &name, &b)?;
                Ok(vec![(id, r.ops.clone())])
            })
        }
        "dummy" => lab
            .add_dummy(home, &name)
            .map(|id| vec![(id, r.ops.clone())]),
        _ => {
            out.err("Error: Unknown device type.\n");
            return 2;
        }
    };
    let made = match made {
        Ok(m) => m,
        Err(e) => return kernel_err(&e, out),
    };
    for (id, _) in &made {
        lab.forget_operstate(*id);
    }
    // Creation-time attributes: address and MTU; a new device is never up or enslaved here
    // unless asked, and then only after it exists.
    for (id, ops) in made {
        for op in ops {
            let (ns, n) = match lab.iface(id) {
                Some(i) => (i.ns, i.name.clone()),
                None => continue,
            };
            let res = match op {
                Op::Netns(_) | Op::Name(_) => Ok(()),
                op => apply(lab, ns, &n, id, op),
            };
            if let Err(e) = res {
                return kernel_err(&e, out);
            }
        }
    }
    0
}

/// The peer's own options after `peer` (veth_parse_opt: `peer [name] NAME [OPTIONS]`).
fn parse_peer(args: &[String], lab: &Lab, ns: NsId) -> Result<Req, Fail> {
    match args.first().map(String::as_str) {
        None => Ok(Req::default()),
        Some("peer") => parse(&args[1..], lab, ns),
        Some(_) => Err(Fail(
            "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n"
                .into(),
            1,
        )),
    }
}

fn set(args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let r = match parse(args, lab, env.ns) {
        Ok(r) => r,
        Err(Fail(m, rc)) => {
            out.err(m);
            return rc;
        }
    };
    let Some(dev) = r.dev.clone() else {
        out.err("Not enough information: \"dev\" argument is required.\n");
        return 255;
    };
    let Ok(id) = lab.link_by_name(env.ns, &dev) else {
        out.err(format!("Cannot find device \"{dev}\"\n"));
        return 1;
    };
    let bridge = match r.kind.as_deref() {
        None => None,
        Some("bridge") => match parse_bridge(&r.kind_args) {
            Ok(b) => Some(b),
            Err(Fail(m, rc)) => {
                out.err(m);
                return rc;
            }
        },
        Some(_) => {
            out.err("RTNETLINK answers: Operation not supported\n");
            return 2;
        }
    };
    let mut ns = env.ns;
    for op in r.ops {
        let Some(name) = lab.iface(id).map(|i| i.name.clone()) else {
            break;
        };
        let moving = matches!(op, Op::Netns(_));
        let to = match op {
            Op::Netns(to) => to,
            _ => ns,
        };
        if let Err(e) = apply(lab, ns, &name, id, op) {
            if moving && matches!(e, LabError::Exists(_)) {
                out.err("Error: An interface with the same name exists in the target netns.\n");
                return 2;
            }
            return kernel_err(&e, out);
        }
        ns = to;
    }
    if let Some(b) = bridge {
        let name = lab.iface(id).map(|i| i.name.clone()).unwrap_or_default();
        if lab.fabric().bridge(id).is_none() {
            out.err("RTNETLINK answers: Operation not supported\n");
            return 2;
        }
        if let Err(e) = apply_bridge(lab, ns, &name, &b) {
            return kernel_err(&e, out);
        }
    }
    0
}

/// One change, with the kernel's checks.
fn apply(lab: &mut Lab, ns: NsId, name: &str, id: LinkId, op: Op) -> Result<(), LabError> {
    match op {
        Op::Up(up) => lab.set_link_up(ns, name, up),
        Op::Name(new) => {
            if !name_ok(&new) {
                return Err(LabError::InvalidArgument(new));
            }
            lab.rename_link_live(ns, name, &new)
        }
        Op::Address(mac) => lab.set_mac(ns, name, mac),
        Op::Mtu(mtu) => {
            let (min, max) = mtu_range(lab, id);
            if mtu < min {
                return Err(LabError::InvalidArgument(
                    "mtu less than device minimum".into(),
                ));
            }
            if max > 0 && mtu > max {
                return Err(LabError::InvalidArgument(
                    "mtu greater than device maximum".into(),
                ));
            }
            lab.set_mtu(ns, name, mtu)
        }
        Op::Netns(to) => match lab.fabric().link(id).map(|l| &l.kind) {
            Some(LinkKind::Loopback) | Some(LinkKind::Bridge(_)) => {
                Err(LabError::NotSupported(NETNS_IMMUTABLE.into()))
            }
            _ => {
                lab.move_link(ns, name, to)?;
                // The notifications of a move give ids: the old namespace names the new one
                // (IFLA_NEW_NETNSID), and the new one and the peer's name each other.
                lab.netnsid(ns, to);
                let them = peer(lab, id).and_then(|p| lab.iface(p)).map(|i| i.ns);
                if let Some(them) = them.filter(|t| *t != to) {
                    lab.netnsid(to, them);
                    lab.netnsid(them, to);
                }
                Ok(())
            }
        },
        // do_set_master: an Open vSwitch port's upper device, ovs-system, has no
        // ndo_del_slave to let it go.
        Op::Master(_) | Op::NoMaster
            if lab.is_ovs_link(id) && lab.fabric().bridge(id).is_none() =>
        {
            Err(LabError::NotSupported("Operation not supported".into()))
        }
        Op::Master(m) => {
            let kind = lab.fabric().link(id).map(|l| &l.kind);
            if lab.fabric().bridge(m).is_none() {
                return Err(LabError::NotSupported("Operation not supported".into()));
            }
            match kind {
                Some(LinkKind::Bridge(_)) => Err(LabError::NotSupported(
                    "Can not enslave a bridge to a bridge".into(),
                )),
                Some(LinkKind::Loopback) => {
                    Err(LabError::InvalidArgument("Invalid argument".into()))
                }
                _ => {
                    let br = lab.iface(m).map(|i| i.name.clone()).unwrap_or_default();
                    lab.set_master(ns, name, Some(&br))
                }
            }
        }
        Op::NoMaster => lab.set_master(ns, name, None),
        Op::Promisc(on) => lab.set_user_promisc(id, on),
        Op::AddrGenMode(mode) => lab.set_addr_gen_mode(id, mode),
    }
}

/// The address generation modes by number (IN6_ADDR_GEN_MODE_*), as `ip` names them.
const ADDR_GEN_MODES: [&str; 4] = ["eui64", "none", "stable_secret", "random"];

/// `addrgenmode X` of `ip -d link`.
fn addr_gen_mode(lab: &Lab, id: LinkId) -> &'static str {
    let m = lab.iface(id).map_or(0, |i| i.addr_gen_mode);
    ADDR_GEN_MODES
        .get(usize::from(m))
        .copied()
        .unwrap_or("eui64")
}

/// The device's MTU bounds (min_mtu, max_mtu; 0 = none), as `ip -d link` prints them.
fn mtu_range(lab: &Lab, id: LinkId) -> (u32, u32) {
    match lab.fabric().link(id).map(|l| &l.kind) {
        Some(LinkKind::Loopback) => (0, 0),
        Some(LinkKind::Dummy) => (0, 0),
        _ => (68, 65535),
    }
}

/// The kernel's answer to a failed request, as ip prints it (exit 2).
fn kernel_err(e: &LabError, out: &mut Output) -> i32 {
    let msg = match e {
        LabError::Exists(_) => "RTNETLINK answers: File exists".to_string(),
        LabError::NoSuchDevice(_) => "RTNETLINK answers: No such device".to_string(),
        LabError::NotABridge(_) | LabError::NotAPort(_) => {
            "RTNETLINK answers: Operation not supported".to_string()
        }
        LabError::NotSupported(m)
            if m == "Can not enslave a bridge to a bridge" || m == NETNS_IMMUTABLE =>
        {
            format!("Error: {m}.")
        }
        LabError::NotSupported(m) if m.starts_with("Device or resource busy") => {
            "RTNETLINK answers: Device or resource busy".to_string()
        }
        LabError::NotSupported(_) => "RTNETLINK answers: Operation not supported".to_string(),
        LabError::InvalidArgument(m) if m.starts_with("mtu ") => format!("Error: {m}."),
        LabError::InvalidArgument(m) if m == "ERANGE" => {
            "RTNETLINK answers: Numerical result out of range".to_string()
        }
        LabError::InvalidArgument(m) if m == "value out of range" => {
            "RTNETLINK answers: Cannot assign requested address".to_string()
        }
        LabError::InvalidArgument(_) => "RTNETLINK answers: Invalid argument".to_string(),
        other => format!("RTNETLINK answers: {other}"),
    };
    out.err(format!("{msg}\n"));
    2
}

fn del(args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut dev: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches(a, "type") {
            // The kind only has to be known; deleting goes by the device.
            break;
        }
        let v = if a == "dev" {
            i += 1;
            match args.get(i) {
                Some(v) => v.as_str(),
                None => {
                    out.err(incomplete().0);
                    return 255;
                }
            }
        } else {
            a
        };
        if dev.is_some() {
            out.err(format!(
                "Error: either \"dev\" is duplicate, or \"{v}\" is a garbage.\n"
            ));
            return 255;
        }
        if !ifname_ok(v, ALTIFNAMSIZ) {
            out.err(invarg("\"dev\" not a valid ifname", v).0);
            return 255;
        }
        dev = Some(v);
        i += 1;
    }
    let Some(dev) = dev else {
        out.err("Not enough information: \"dev\" argument is required.\n");
        return 255;
    };
    let Ok(id) = lab.link_by_name(env.ns, dev) else {
        out.err(format!("Cannot find device \"{dev}\"\n"));
        return 1;
    };
    if lab
        .fabric()
        .link(id)
        .is_some_and(|l| matches!(l.kind, LinkKind::Loopback))
    {
        out.err("RTNETLINK answers: Operation not supported\n");
        return 2;
    }
    match lab.del_link(env.ns, dev) {
        Ok(()) => 0,
        Err(e) => kernel_err(&e, out),
    }
}

// ---- show -------------------------------------------------------------------------------------

/// The listing filter of ipaddr_list_flush_or_save, shared by `ip link show` and `ip addr show`.
#[derive(Debug, Default)]
pub(super) struct Filter {
    /// `dev X` (or a bare name).
    pub dev: Option<String>,
    /// `up`: only devices that are up.
    pub up: bool,
    /// `master BR`.
    pub master: Option<LinkId>,
    /// `nomaster`.
    pub nomaster: bool,
    /// `type KIND` (`bridge_slave` selects ports).
    pub kind: Option<String>,
    /// `scope S` (addresses).
    pub scope: Option<Scope>,
    /// `label PATTERN` (addresses).
    pub label: Option<String>,
}

/// Parses the listing filter; errors come out as the real ip's.
pub(super) fn parse_filter(
    args: &[String],
    lab: &Lab,
    ns: NsId,
    help: &str,
) -> Result<Filter, (String, i32)> {
    let mut f = Filter::default();
    let mut i = 0;
    let next = |i: &mut usize| -> Result<String, (String, i32)> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(|| {
            let Fail(m, rc) = incomplete();
            (m, rc)
        })
    };
    while i < args.len() {
        let a = args[i].as_str();
        if a == "up" {
            f.up = true;
        } else if a == "master" {
            let v = next(&mut i)?;
            let m = lab.link_by_name(ns, &v).map_err(|_| {
                let Fail(m, rc) = invarg("Device does not exist\n", &v);
                (m, rc)
            })?;
            f.master = Some(m);
        } else if a == "nomaster" {
            f.nomaster = true;
        } else if a == "type" {
            f.kind = Some(next(&mut i)?);
        } else if a == "scope" {
            let v = next(&mut i)?;
            f.scope = Some(match v.as_str() {
                "global" | "universe" => Scope::Global,
                "link" => Scope::Link,
                "host" => Scope::Host,
                _ => {
                    let Fail(m, rc) = invarg("invalid \"scope\"\n", &v);
                    return Err((m, rc));
                }
            });
        } else if a == "label" {
            f.label = Some(next(&mut i)?);
        } else if ["primary", "secondary", "permanent", "dynamic"].contains(&a) {
            // Every lab address is permanent; primary/secondary select by flag below.
            f.label = f.label.take();
            if a == "secondary" {
                f.scope = f.scope.take();
            }
        } else {
            let mut v = a.to_string();
            if a == "dev" {
                v = next(&mut i)?;
            } else if matches(a, "help") {
                return Err((help.to_string(), 255));
            }
            if f.dev.is_some() {
                return Err((
                    format!("Error: either \"dev\" is duplicate, or \"{v}\" is a garbage.\n"),
                    255,
                ));
            }
            f.dev = Some(v);
        }
        i += 1;
    }
    Ok(f)
}

/// The devices of `ns` the filter selects, by index.
pub(super) fn select(lab: &Lab, ns: NsId, f: &Filter) -> Result<Vec<LinkId>, (String, i32)> {
    let only = match &f.dev {
        Some(d) => Some(
            lab.link_by_name(ns, d)
                .map_err(|_| (format!("Device \"{d}\" does not exist.\n"), 1))?,
        ),
        None => None,
    };
    Ok(lab
        .links(ns)
        .into_iter()
        .filter(|l| only.is_none_or(|o| o == *l))
        .filter(|l| {
            let Some(k) = lab.fabric().link(*l) else {
                return false;
            };
            if f.up && !k.admin_up {
                return false;
            }
            if let Some(m) = f.master {
                if k.master != Some(m) {
                    return false;
                }
            }
            if f.nomaster && k.master.is_some() {
                return false;
            }
            match f.kind.as_deref() {
                None => true,
                Some(t) => match t.strip_suffix("_slave") {
                    Some(master_kind) => k
                        .master
                        .and_then(|m| lab.fabric().link(m))
                        .is_some_and(|m| m.kind.name() == master_kind),
                    None => !matches!(k.kind, LinkKind::Loopback) && k.kind.name() == t,
                },
            }
        })
        .collect())
}

fn show(
    args: &[String],
    opts: &Opts,
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
    _addr: bool,
) -> i32 {
    let f = match parse_filter(args, lab, env.ns, USAGE) {
        Ok(f) => f,
        Err((m, rc)) => {
            out.err(m);
            return rc;
        }
    };
    let links = match select(lab, env.ns, &f) {
        Ok(l) => l,
        Err((m, rc)) => {
            out.err(m);
            return rc;
        }
    };
    alloc_nsids(lab, &links);
    if opts.json {
        let mut j = Json::new(opts.pretty);
        j.start_array();
        for l in &links {
            j.start_object();
            if opts.brief {
                brief_json(lab, *l, true, &mut j);
            } else {
                link_json(lab, *l, opts, true, &mut j);
            }
            j.end_object();
        }
        j.end_array();
        out.out(format!("{}\n", j.out));
        return 0;
    }
    for l in links {
        if opts.brief {
            out.out(brief_link(lab, l));
        } else {
            out.out(link_text(lab, l, opts, true));
            out.out("\n");
        }
    }
    0
}

/// The namespace ids the listing will show, given on first need as the kernel does.
pub(super) fn alloc_nsids(lab: &mut Lab, links: &[LinkId]) {
    for l in links {
        let _ = link_netns(lab, *l);
    }
}

// ---- formatting -------------------------------------------------------------------------------

/// `link/ether` or `link/loopback`.
fn link_type(lab: &Lab, l: LinkId) -> &'static str {
    match lab.fabric().link(l).map(|k| &k.kind) {
        Some(LinkKind::Loopback) => "loopback",
        _ => "ether",
    }
}

/// The broadcast hardware address.
fn brd(lab: &Lab, l: LinkId) -> &'static str {
    match lab.fabric().link(l).map(|k| &k.kind) {
        Some(LinkKind::Loopback) => "00:00:00:00:00:00",
        _ => "ff:ff:ff:ff:ff:ff",
    }
}

/// `-br link`: name, state, MAC, flags.
pub(super) fn brief_link(lab: &Lab, l: LinkId) -> String {
    let mac = lab.fabric().link(l).map(|k| k.mac).unwrap_or(MacAddr::ZERO);
    format!(
        "{:<16} {:<14} {} {} \n",
        display_name(lab, l),
        operstate(lab, l),
        mac,
        flags(lab, l)
    )
}

/// The ` link-netns NAME` suffix (needs `&mut` because the id may be allocated now).
fn netns_suffix(lab: &Lab, l: LinkId) -> String {
    let p = peer(lab, l);
    let (Some(me), Some(them)) = (
        lab.iface(l).map(|i| i.ns),
        p.and_then(|p| lab.iface(p)).map(|i| i.ns),
    ) else {
        return String::new();
    };
    if me == them {
        return String::new();
    }
    match lab
        .ns(them)
        .map(|n| n.name.clone())
        .filter(|n| !n.is_empty())
    {
        Some(name) => format!(" link-netns {name}"),
        None => format!(" link-netnsid {}", lab.nsid_known(me, them).unwrap_or(0)),
    }
}

/// A device as print_linkinfo prints it, without the final newline; the lines are joined by
/// `\n`, or by `\` with `-o`. `do_link` is `ip link` (mode, statistics) as opposed to `ip addr`.
pub(super) fn link_text(lab: &Lab, l: LinkId, opts: &Opts, do_link: bool) -> String {
    let nl = if opts.oneline { "\\" } else { "\n" };
    let Some(k) = lab.fabric().link(l) else {
        return String::new();
    };
    let idx = lab.iface(l).map_or(0, |i| i.ifindex);
    let mut s = format!(
        "{idx}: {}: {} mtu {} ",
        display_name(lab, l),
        flags(lab, l),
        k.mtu
    );
    if opts.inet6 && !do_link {
        s.push_str(&format!("state {} qlen 1000", operstate(lab, l)));
        return s;
    }
    s.push_str(&format!("qdisc {} ", qdisc(lab, l)));
    if let Some(m) = master_name(lab, l) {
        s.push_str(&format!("master {m} "));
    }
    s.push_str(&format!("state {} ", operstate(lab, l)));
    if do_link {
        s.push_str("mode DEFAULT ");
    }
    s.push_str("group default qlen 1000");
    let family = opts.inet4 || opts.inet6;
    if !family || opts.details {
        s.push_str(nl);
        s.push_str(&format!(
            "    link/{} {} brd {}",
            link_type(lab, l),
            k.mac,
            brd(lab, l)
        ));
    }
    s.push_str(&netns_suffix(lab, l));
    if opts.details {
        s.push_str(&details(lab, l, nl));
    }
    if do_link && opts.stats > 0 {
        s.push_str(nl);
        s.push_str(&stats_text(lab, l, opts.stats, nl));
    }
    s
}

/// Hex digits of a MAC without zero padding, as iproute2 prints STP ids.
fn stp_mac(m: MacAddr) -> String {
    m.0.iter()
        .map(|b| format!("{b:x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The STP bridge id: zero until the bridge has had a port or an address of its own.
fn bridge_id(lab: &Lab, br: LinkId) -> String {
    let (Some(k), Some(b)) = (lab.fabric().link(br), lab.fabric().bridge(br)) else {
        return String::new();
    };
    let mac = if b.ports.is_empty() && !b.mac_set_by_user {
        MacAddr::ZERO
    } else {
        k.mac
    };
    format!("{:04x}.{}", b.priority, stp_mac(mac))
}

fn timer(d: std::time::Duration) -> String {
    format!("{:7.2}", d.as_secs_f64())
}

/// An STP id as iproute2 prints it: priority in hex, the address unpadded.
fn stp_id(id: l2lab_fabric::wire::BridgeId) -> String {
    format!("{:04x}.{}", id.prio, stp_mac(id.addr))
}

/// What is left of a running kernel timer, zero when it is not running (br_timer_value).
fn left(lab: &Lab, t: Option<std::time::Duration>) -> String {
    timer(t.map_or(std::time::Duration::ZERO, |t| t.saturating_sub(lab.now())))
}

/// A duration in clock_t (centiseconds), as netlink carries the bridge's times.
fn centis(d: std::time::Duration) -> u128 {
    d.as_millis() / 10
}

/// The `-d` part: promiscuity, MTU bounds, kind and port lines, queues.
fn details(lab: &Lab, l: LinkId, nl: &str) -> String {
    let Some(k) = lab.fabric().link(l) else {
        return String::new();
    };
    let (min, max) = mtu_range(lab, l);
    let allmulti = u32::from(k.master.is_some());
    let mut s = format!(
        " promiscuity {}  allmulti {allmulti} minmtu {min} maxmtu {max} ",
        k.promisc + lab.uc_promiscuity(l)
    );
    let (txq, tso) = match &k.kind {
        LinkKind::Veth { .. } => {
            s.push_str(nl);
            s.push_str("    veth ");
            (2, 524280)
        }
        LinkKind::Dummy => {
            s.push_str(nl);
            s.push_str("    dummy ");
            (1, 524280)
        }
        // The kernel datapath's internal port: `openvswitch`, with no bridge attributes.
        LinkKind::Bridge(b) if b.ovs => {
            s.push_str(nl);
            s.push_str("    openvswitch ");
            (1, 65536)
        }
        LinkKind::Bridge(b) => {
            let id = bridge_id(lab, l);
            let gc = match b.gc_next {
                Some(t) if k.admin_up => t.saturating_sub(lab.now()),
                _ => std::time::Duration::ZERO,
            };
            s.push_str(nl);
            s.push_str(&format!(
                "    bridge forward_delay {} hello_time {} max_age {} ageing_time {} stp_state {} priority {} vlan_filtering 0 bridge_id {id} designated_root {} root_port {} root_path_cost {} topology_change {} topology_change_detected {} hello_timer {} tcn_timer {} topology_change_timer {} gc_timer {} group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 ",
                centis(b.st.forward_delay),
                centis(b.st.hello_time),
                centis(b.st.max_age),
                centis(b.ageing_time),
                u8::from(b.stp),
                b.priority,
                // iproute2 6.1 prints designated_root from IFLA_BR_BRIDGE_ID, not
                // IFLA_BR_ROOT_ID: it shows the bridge's own id.
                id,
                b.st.root_port,
                b.st.root_path_cost,
                u8::from(b.st.topology_change),
                u8::from(b.st.topology_change_detected),
                left(lab, b.st.hello_timer),
                left(lab, b.st.tcn_timer),
                left(lab, b.st.topology_change_timer),
                timer(gc),
            ));
            (1, if b.had_ports { 524280 } else { 65536 })
        }
        _ => (1, 524280),
    };
    if k.master.is_some() && lab.is_ovs_link(l) {
        s.push_str(nl);
        s.push_str("    openvswitch_slave ");
    } else if let Some(m) = k.master {
        if let Some(p) = lab.fabric().bridge(m).and_then(|b| b.port(l)) {
            let onoff = |b: bool| if b { "on" } else { "off" };
            let port_id = p.stp.port_id;
            s.push_str(nl);
            s.push_str(&format!(
                "    bridge_slave state {} priority {} cost {} hairpin {} guard off root_block off fastleave off learning {} flood {} port_id 0x{port_id:04x} port_no 0x{:x} designated_port {} designated_cost {} designated_bridge {} designated_root {} hold_timer {} message_age_timer {} forward_delay_timer {} topology_change_ack {} config_pending {} proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood {} bcast_flood {} mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off ",
                p.state.as_str(),
                p.priority,
                p.cost,
                onoff(p.flags.hairpin),
                onoff(p.flags.learning),
                onoff(p.flags.flood),
                p.port_no,
                p.stp.designated_port,
                p.stp.designated_cost,
                stp_id(p.stp.designated_bridge),
                stp_id(p.stp.designated_root),
                left(lab, p.stp.hold_timer),
                left(lab, p.stp.message_age_timer),
                left(lab, p.stp.forward_delay_timer),
                u8::from(p.stp.topology_change_ack),
                u8::from(p.stp.config_pending),
                onoff(p.flags.mcast_flood),
                onoff(p.flags.bcast_flood),
            ));
        }
    }
    let agm = addr_gen_mode(lab, l);
    s.push_str(&format!(
        "addrgenmode {agm} numtxqueues {txq} numrxqueues {txq} gso_max_size 65536 gso_max_segs 65535 tso_max_size {tso} tso_max_segs 65535 gro_max_size 65536 "
    ));
    s
}

/// Widens columns to fit the numbers (size_columns).
fn widen(cols: &mut [usize], vals: &[u64]) {
    for (c, v) in cols.iter_mut().zip(vals) {
        *c = (*c).max(v.to_string().len());
    }
}

/// `-s`: the RX and TX tables (print_link_stats64).
fn stats_text(lab: &Lab, l: LinkId, level: u32, nl: &str) -> String {
    let c = lab.fabric().link(l).map(|k| k.counters).unwrap_or_default();
    let rx = [c.rx_bytes, c.rx_packets, 0, c.rx_dropped, 0, c.rx_multicast];
    let tx = [c.tx_bytes, c.tx_packets, 0, c.tx_dropped, 0, 0];
    // The error rows' values sit under columns 1 to 5; only carrier changes are counted.
    let rx_err = [0u64; 6];
    let tx_err = [0, 0, 0, 0, 0, c.carrier_changes];
    let mut cols = [10usize, 7, 6, 7, 7, 7, 10];
    widen(&mut cols, &rx);
    widen(&mut cols, &tx);
    if level > 1 {
        widen(&mut cols, &rx_err);
        widen(&mut cols, &tx_err);
    }
    let row = |vals: &[u64], cols: &[usize]| {
        let mut s = String::from("    ");
        for (v, w) in vals.iter().zip(cols) {
            s.push_str(&format!("{v:>w$} "));
        }
        s
    };
    let head = |dir: &str, names: [&str; 6], cols: &[usize]| {
        format!(
            "    {dir}: {:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
            names[0],
            names[1],
            names[2],
            names[3],
            names[4],
            names[5],
            "",
            w0 = cols[0] - 4,
            w1 = cols[1],
            w2 = cols[2],
            w3 = cols[3],
            w4 = cols[4],
            w5 = cols[5],
            w6 = cols[6],
        )
    };
    // One table per direction: the counters, then with -s -s the error breakdown.
    let block = |dir: &str, names: [&str; 6], vals: &[u64], errs: [&str; 5], ev: &[u64; 6]| {
        let mut s = head(dir, names, &cols);
        s.push_str(nl);
        s.push_str(&row(vals, &cols));
        if level > 1 {
            s.push_str(nl);
            s.push_str(&format!(
                "    {dir} errors: {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}",
                errs[0],
                errs[1],
                errs[2],
                errs[3],
                errs[4],
                w1 = cols[1],
                w2 = cols[2],
                w3 = cols[3],
                w4 = cols[4],
                w5 = cols[5],
            ));
            s.push_str(nl);
            s.push_str(&err_row(&cols, ev));
        }
        s
    };
    let mut s = block(
        "RX",
        ["bytes", "packets", "errors", "dropped", "missed", "mcast"],
        &rx,
        ["length", "crc", "frame", "fifo", "overrun"],
        &rx_err,
    );
    s.push_str(nl);
    s.push_str(&block(
        "TX",
        [
            "bytes", "packets", "errors", "dropped", "carrier", "collsns",
        ],
        &tx,
        ["aborted", "fifo", "window", "heartbt", "transns"],
        &tx_err,
    ));
    s
}

/// The values under `RX errors:` / `TX errors:` (columns 1 to 5 of `v`): zeros but the
/// carrier changes, as the lab has no such errors.
fn err_row(cols: &[usize], v: &[u64; 6]) -> String {
    format!(
        "    {:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} ",
        "",
        v[1],
        v[2],
        v[3],
        v[4],
        v[5],
        w0 = cols[0],
        w1 = cols[1],
        w2 = cols[2],
        w3 = cols[3],
        w4 = cols[4],
        w5 = cols[5],
    )
}

/// The members of a device's JSON object (without the braces).
/// The `flags` array of a JSON listing, `M-DOWN` included as in the text.
fn flags_json(lab: &Lab, l: LinkId, j: &mut Json) {
    j.name("flags");
    j.start_array();
    let fl = flags(lab, l);
    for f in fl.trim_start_matches('<').trim_end_matches('>').split(',') {
        if !f.is_empty() {
            j.string(f);
        }
    }
    j.end_array();
}

/// `-j -br` (print_linkinfo_brief): a veth's peer (by name in the same namespace, else by
/// index), the name, the state, and for `ip link` the MAC and flags; `ip addr` adds its
/// `addr_info` after.
pub(super) fn brief_json(lab: &Lab, l: LinkId, with_link: bool, j: &mut Json) {
    let Some(i) = lab.iface(l) else { return };
    if let Some(p) = peer(lab, l).and_then(|p| lab.iface(p)) {
        match lab
            .link_by_index(i.ns, p.ifindex)
            .and_then(|x| lab.iface(x))
        {
            Some(local) if netns_suffix(lab, l).is_empty() => j.str("link", &local.name),
            _ => j.int("link_index", p.ifindex),
        }
    }
    j.str("ifname", &i.name);
    j.str("operstate", operstate(lab, l));
    if with_link {
        let mac = lab.fabric().link(l).map_or(MacAddr::ZERO, |k| k.mac);
        j.str("address", &mac.to_string());
        flags_json(lab, l, j);
    }
}

pub(super) fn link_json(lab: &Lab, l: LinkId, opts: &Opts, do_link: bool, j: &mut Json) {
    let Some(k) = lab.fabric().link(l) else {
        return;
    };
    let Some(i) = lab.iface(l) else { return };
    j.int("ifindex", i.ifindex);
    let p = peer(lab, l);
    let elsewhere = netns_suffix(lab, l);
    if let Some(p) = p.and_then(|p| lab.iface(p)) {
        if !elsewhere.is_empty() {
            j.int("link_index", p.ifindex);
        } else if let Some(local) = lab
            .link_by_index(i.ns, p.ifindex)
            .and_then(|x| lab.iface(x))
        {
            j.str("link", &local.name);
        }
    }
    j.str("ifname", &i.name);
    flags_json(lab, l, j);
    j.int("mtu", k.mtu);
    // As in link_text: the kernel's inet6 link dump (`ip -6 addr` without a device) has
    // no qdisc or group, and an address listing for one family no link layer.
    let v6_dump = opts.inet6 && !do_link;
    let family = (opts.inet4 || opts.inet6) && !do_link;
    if !v6_dump {
        j.str("qdisc", qdisc(lab, l));
    }
    if let Some(m) = master_name(lab, l) {
        j.str("master", &m);
    }
    j.str("operstate", operstate(lab, l));
    if do_link {
        j.str("linkmode", "DEFAULT");
    }
    if !v6_dump {
        j.str("group", "default");
    }
    j.int("txqlen", 1000);
    if !family || opts.details {
        j.str("link_type", link_type(lab, l));
        j.str("address", &k.mac.to_string());
        j.str("broadcast", brd(lab, l));
    }
    if !elsewhere.is_empty() {
        let them = p.and_then(|p| lab.iface(p)).map(|x| x.ns);
        let id = them.and_then(|t| lab.nsid_known(i.ns, t)).unwrap_or(0);
        j.int("link_netnsid", id);
    }
    if opts.details {
        let (min, max) = mtu_range(lab, l);
        j.int("promiscuity", k.promisc + lab.uc_promiscuity(l));
        j.int("allmulti", u32::from(k.master.is_some()));
        j.int("min_mtu", min);
        j.int("max_mtu", max);
        let kind = match k.kind {
            LinkKind::Loopback => None,
            ref other => Some(other.name()),
        };
        if kind.is_some() || k.master.is_some() {
            j.name("linkinfo");
            j.start_object();
            if let Some(kind) = kind {
                j.str("info_kind", kind);
            }
            if k.master.is_some() {
                j.str("info_slave_kind", "bridge");
            }
            j.end_object();
        }
        j.str("inet6_addr_gen_mode", addr_gen_mode(lab, l));
        let q = if matches!(k.kind, LinkKind::Veth { .. }) {
            2
        } else {
            1
        };
        j.int("num_tx_queues", q);
        j.int("num_rx_queues", q);
        j.int("gso_max_size", 65536);
        j.int("gso_max_segs", 65535);
        j.int("tso_max_size", 524280);
        j.int("tso_max_segs", 65535);
        j.int("gro_max_size", 65536);
    }
    if do_link && opts.stats > 0 {
        let c = k.counters;
        j.name("stats64");
        j.start_object();
        j.name("rx");
        j.start_object();
        for (n, v) in [
            ("bytes", c.rx_bytes),
            ("packets", c.rx_packets),
            ("errors", 0),
            ("dropped", c.rx_dropped),
            ("over_errors", 0),
            ("multicast", c.rx_multicast),
        ] {
            j.int(n, v);
        }
        if opts.stats > 1 {
            for n in [
                "length_errors",
                "crc_errors",
                "frame_errors",
                "fifo_errors",
                "missed_errors",
            ] {
                j.int(n, 0);
            }
        }
        j.end_object();
        j.name("tx");
        j.start_object();
        for (n, v) in [
            ("bytes", c.tx_bytes),
            ("packets", c.tx_packets),
            ("errors", 0),
            ("dropped", c.tx_dropped),
            ("carrier_errors", 0),
            ("collisions", 0),
        ] {
            j.int(n, v);
        }
        if opts.stats > 1 {
            for (n, v) in [
                ("aborted_errors", 0),
                ("fifo_errors", 0),
                ("window_errors", 0),
                ("heartbeat_errors", 0),
                ("carrier_changes", c.carrier_changes),
            ] {
                j.int(n, v);
            }
        }
        j.end_object();
        j.end_object();
    }
}

/// The IPv6 addresses of `l` in the kernel's list order.
pub(crate) fn ipv6_addrs(lab: &Lab, l: LinkId) -> Vec<Inet6Addr> {
    lab.addrs6(l).to_vec()
}

/// Addresses shown for `l` under the family options: IPv4 (with the lab's flags) first.
pub(super) fn inet4(lab: &Lab, l: LinkId) -> Vec<IfAddr> {
    lab.iface(l).map(|i| i.addrs.clone()).unwrap_or_default()
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn stp_ids_are_unpadded() {
        let m: MacAddr = "ae:07:7b:71:99:7f".parse().unwrap();
        assert_eq!(stp_mac(m), "ae:7:7b:71:99:7f");
        assert_eq!(stp_mac(MacAddr::ZERO), "0:0:0:0:0:0");
    }

    #[test]
    fn set_keywords_in_order() {
        let lab = Lab::new();
        let args: Vec<String> = ["dev", "x", "mtu", "1400", "up", "promisc", "on"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let r = parse(&args, &lab, NsId::INIT).unwrap();
        assert_eq!(r.dev.as_deref(), Some("x"));
        assert_eq!(r.ops, vec![Op::Mtu(1400), Op::Up(true), Op::Promisc(true)]);
    }

    #[test]
    fn parse_errors_are_ip_s() {
        let lab = Lab::new();
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Measured: `ip link set X mtu abc`, `ip link set X netns nosuch`, `ip link show dev`.
        assert_eq!(
            parse(&v(&["x", "mtu", "abc"]), &lab, NsId::INIT).unwrap_err(),
            Fail(
                "Error: argument \"abc\" is wrong: Invalid \"mtu\" value\n\n".into(),
                255
            )
        );
        assert_eq!(
            parse(&v(&["x", "netns", "nosuch"]), &lab, NsId::INIT).unwrap_err(),
            Fail(
                "Error: argument \"nosuch\" is wrong: Invalid \"netns\" value\n\n".into(),
                255
            )
        );
        assert_eq!(
            parse(&v(&["x", "foo"]), &lab, NsId::INIT).unwrap_err(),
            Fail(
                "Error: either \"dev\" is duplicate, or \"foo\" is a garbage.\n".into(),
                255
            )
        );
        assert_eq!(
            parse(&v(&["x", "address", "zz"]), &lab, NsId::INIT).unwrap_err(),
            Fail("\"zz\" is invalid lladdr.\n".into(), 1)
        );
    }

    #[test]
    fn json_pretty_layout() {
        // `ip -j -p link show` on iproute2 6.1.
        let mut j = Json::new(true);
        j.start_array();
        j.start_object();
        j.int("ifindex", 3);
        j.name("flags");
        j.start_array();
        j.string("BROADCAST");
        j.string("MULTICAST");
        j.end_array();
        j.name("addr_info");
        j.start_array();
        j.start_object();
        j.str("family", "inet");
        j.end_object();
        j.start_object();
        j.end_object();
        j.end_array();
        j.end_object();
        j.end_array();
        assert_eq!(
            j.out,
            "[ {\n        \"ifindex\": 3,\n        \"flags\": [ \"BROADCAST\",\"MULTICAST\" ],\n        \"addr_info\": [ {\n                \"family\": \"inet\"\n            },{} ]\n    } ]"
        );
    }
}
