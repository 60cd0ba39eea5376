//! `brctl` (bridge-utils 1.7.1): GNU getopt for `-V`/`-h`, then one command with a fixed
//! number of arguments; each speaks to the kernel as the real one does (ioctls and sysfs),
//! and its messages come from brctl/brctl_cmd.c.

use std::time::Duration;

use l2lab_fabric::bridge::fdb::has_expired;
use l2lab_fabric::{FdbKind, LinkId, LinkKind, MacAddr};
use l2lab_sim::{Lab, LabError, StpTimer};

use crate::cmd::{Env, Output};

/// The command table: name, number of arguments, help text (brctl_cmd.c `commands`).
const COMMANDS: &[(&str, usize, &str)] = &[
    ("addbr", 1, "<bridge>\t\tadd bridge"),
    ("delbr", 1, "<bridge>\t\tdelete bridge"),
    ("addif", 2, "<bridge> <device>\tadd interface to bridge"),
    (
        "delif",
        2,
        "<bridge> <device>\tdelete interface from bridge",
    ),
    (
        "hairpin",
        3,
        "<bridge> <port> {on|off}\tturn hairpin on/off",
    ),
    ("setageing", 2, "<bridge> <time>\t\tset ageing time"),
    ("setbridgeprio", 2, "<bridge> <prio>\t\tset bridge priority"),
    ("setfd", 2, "<bridge> <time>\t\tset bridge forward delay"),
    ("sethello", 2, "<bridge> <time>\t\tset hello time"),
    ("setmaxage", 2, "<bridge> <time>\t\tset max message age"),
    ("setpathcost", 3, "<bridge> <port> <cost>\tset path cost"),
    (
        "setportprio",
        3,
        "<bridge> <port> <prio>\tset port priority",
    ),
    ("show", 0, "[ <bridge> ]\t\tshow a list of bridges"),
    ("showmacs", 1, "<bridge>\t\tshow a list of mac addrs"),
    ("showstp", 1, "<bridge>\t\tshow bridge stp info"),
    ("stp", 2, "<bridge> {on|off}\tturn stp on/off"),
];

fn help(out: &mut Output) {
    out.out("Usage: brctl [commands]\ncommands:\n");
    for (name, _, h) in COMMANDS {
        out.out(format!("\t{name:<10}\t{h}\n"));
    }
}

/// Runs `brctl ARGS...` in `env`; returns the exit status.
pub fn main(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    // GNU getopt_long("Vh", --help, --version) permutes: options may follow operands.
    let mut operands: Vec<&str> = Vec::new();
    let mut only_operands = false;
    for a in argv {
        let a = a.as_str();
        if only_operands || a == "-" || !a.starts_with('-') {
            operands.push(a);
            continue;
        }
        if a == "--" {
            only_operands = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or("");
            if !name.is_empty() && "help".starts_with(name) {
                help(out);
                return 0;
            }
            if !name.is_empty() && "version".starts_with(name) {
                out.out("bridge-utils, 1.7\n");
                return 0;
            }
            out.err(format!("brctl: unrecognized option '{a}'\n"));
            out.err("Unknown option '?'\n");
            help(out);
            return 1;
        }
        // The first option decides: each one ends the command.
        match a[1..].chars().next() {
            Some('h') => {
                help(out);
                return 0;
            }
            Some('V') => {
                out.out("bridge-utils, 1.7\n");
                return 0;
            }
            c => {
                out.err(format!("brctl: invalid option -- '{}'\n", c.unwrap_or('?')));
                out.err("Unknown option '?'\n");
                help(out);
                return 1;
            }
        }
    }
    let Some(cmd) = operands.first().copied() else {
        help(out);
        return 1;
    };
    let Some(&(name, nargs, h)) = COMMANDS.iter().find(|c| c.0 == cmd) else {
        out.err(format!("never heard of command [{cmd}]\n"));
        help(out);
        return 1;
    };
    if operands.len() < nargs + 1 {
        out.out(format!(
            "Incorrect number of arguments for command\nUsage: brctl {name} {h}\n"
        ));
        return 1;
    }
    let a = &operands[1..];
    match name {
        "addbr" => addbr(a[0], env, lab, out),
        "delbr" => delbr(a[0], env, lab, out),
        "addif" => addif(a[0], &a[1..], env, lab, out),
        "delif" => delif(a[0], &a[1..], env, lab, out),
        "show" => show(a, env, lab, out),
        "showmacs" => showmacs(a[0], env, lab, out),
        "showstp" => showstp(a[0], env, lab, out),
        "setageing" => setageing(a[0], a[1], env, lab, out),
        "stp" => stp(a[0], a[1], env, lab, out),
        "hairpin" => hairpin(a[0], a[1], a[2], env, lab, out),
        "setpathcost" | "setportprio" => port_set(name, a[1], a[2], env, lab, out),
        "setbridgeprio" | "setfd" | "sethello" | "setmaxage" => {
            bridge_set(name, a[0], a[1], env, lab, out)
        }
        _ => {
            out.err(format!("brctl {name}: not supported by this lab\n"));
            1
        }
    }
}

/// What looking a name up as a bridge finds.
enum Found {
    Bridge(LinkId),
    NotBridge,
    Missing,
}

fn find(lab: &Lab, env: &Env, name: &str) -> Found {
    match lab.link_by_name(env.ns, name) {
        Ok(l) if lab.fabric().bridge(l).is_some_and(|b| !b.ovs) => Found::Bridge(l),
        Ok(_) => Found::NotBridge,
        Err(_) => Found::Missing,
    }
}

fn strerror(e: &LabError) -> &'static str {
    match e {
        LabError::Exists(_) => "File exists",
        LabError::NoSuchDevice(_) => "No such device",
        LabError::NotFound(_) => "No such file or directory",
        LabError::NotSupported(_) | LabError::NotABridge(_) | LabError::NotAPort(_) => {
            "Operation not supported"
        }
        LabError::InvalidArgument(m) if m == "ERANGE" => "Numerical result out of range",
        _ => "Invalid argument",
    }
}

fn addbr(name: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    // The kernel takes at most IFNAMSIZ - 1 bytes of the name.
    let mut end = name.len().min(15);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    match lab.add_bridge(env.ns, &name[..end]) {
        Ok(_) => 0,
        Err(LabError::Exists(_)) => {
            out.err(format!(
                "device {name} already exists; can't create bridge with the same name\n"
            ));
            1
        }
        Err(e) => {
            out.err(format!("add bridge failed: {}\n", strerror(&e)));
            1
        }
    }
}

fn delbr(name: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    match find(lab, env, name) {
        Found::Missing => {
            out.err(format!("bridge {name} doesn't exist; can't delete it\n"));
            1
        }
        Found::NotBridge => {
            out.err(format!(
                "can't delete bridge {name}: Operation not permitted\n"
            ));
            1
        }
        Found::Bridge(l) => {
            if lab.fabric().link(l).is_some_and(|x| x.admin_up) {
                out.err(format!("bridge {name} is still up; can't delete it\n"));
                return 1;
            }
            match lab.del_link(env.ns, name) {
                Ok(()) => 0,
                Err(e) => {
                    out.err(format!("can't delete bridge {name}: {}\n", strerror(&e)));
                    1
                }
            }
        }
    }
}

fn addif(br: &str, ifs: &[&str], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    for ifname in ifs {
        let Ok(dev) = lab.link_by_name(env.ns, ifname) else {
            out.err(format!("interface {ifname} does not exist!\n"));
            return 1;
        };
        let b = match find(lab, env, br) {
            Found::Missing => {
                out.err(format!("bridge {br} does not exist!\n"));
                return 1;
            }
            Found::NotBridge => {
                out.err(format!(
                    "can't add {ifname} to bridge {br}: Operation not supported\n"
                ));
                return 1;
            }
            Found::Bridge(b) => b,
        };
        let _ = b;
        let Some(l) = lab.fabric().link(dev) else {
            return 1;
        };
        // br_add_if's checks, in its order.
        if matches!(l.kind, LinkKind::Loopback) || !l.mac.is_valid_unicast() {
            out.err(format!(
                "can't add {ifname} to bridge {br}: Invalid argument\n"
            ));
            return 1;
        }
        if l.bridge().is_some() {
            out.err(format!(
                "device {ifname} is a bridge device itself; can't add a bridge device to a bridge device.\n"
            ));
            return 1;
        }
        if l.master.is_some() {
            out.err(format!(
                "device {ifname} is already a member of a bridge; can't add it to bridge {br}.\n"
            ));
            return 1;
        }
        if let Err(e) = lab.set_master(env.ns, ifname, Some(br)) {
            out.err(format!(
                "can't add {ifname} to bridge {br}: {}\n",
                strerror(&e)
            ));
            return 1;
        }
    }
    0
}

fn delif(br: &str, ifs: &[&str], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    for ifname in ifs {
        let Ok(dev) = lab.link_by_name(env.ns, ifname) else {
            out.err(format!("interface {ifname} does not exist!\n"));
            return 1;
        };
        let b = match find(lab, env, br) {
            Found::Missing => {
                out.err(format!("bridge {br} does not exist!\n"));
                return 1;
            }
            Found::NotBridge => {
                out.err(format!(
                    "can't delete {ifname} from {br}: Operation not supported\n"
                ));
                return 1;
            }
            Found::Bridge(b) => b,
        };
        if lab.fabric().link(dev).and_then(|l| l.master) != Some(b) {
            out.err(format!("device {ifname} is not a port of {br}\n"));
            return 1;
        }
        if let Err(e) = lab.set_master(env.ns, ifname, None) {
            out.err(format!(
                "can't delete {ifname} from {br}: {}\n",
                strerror(&e)
            ));
            return 1;
        }
    }
    0
}

/// `8000.aabbccddeeff`, as br_dump_bridge_id prints the sysfs bridge_id.
fn bridge_id(lab: &Lab, br: LinkId) -> String {
    let (prio, mac) = lab.bridge_id(br).unwrap_or((0x8000, MacAddr::ZERO));
    let m = mac.0;
    format!(
        "{prio:04x}.{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// The bridge's ports by name, as scandir(brif, alphasort) lists them.
fn port_names(lab: &Lab, br: LinkId) -> Vec<(String, LinkId)> {
    let mut v: Vec<(String, LinkId)> = lab
        .fabric()
        .bridge(br)
        .map(|b| {
            b.ports
                .iter()
                .filter_map(|p| Some((lab.iface(p.link)?.name.clone(), p.link)))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn show(names: &[&str], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let list: Vec<String> = if names.is_empty() {
        let mut v: Vec<String> = lab
            .links(env.ns)
            .into_iter()
            // Open vSwitch bridges are not the kernel's bridges: brctl does not see them.
            .filter(|l| lab.fabric().bridge(*l).is_some_and(|b| !b.ovs))
            .filter_map(|l| lab.iface(l).map(|i| i.name.clone()))
            .collect();
        v.sort();
        v
    } else {
        names.iter().map(|s| s.to_string()).collect()
    };
    let mut header = true;
    let mut errs = 0;
    for name in &list {
        let br = match find(lab, env, name) {
            Found::Bridge(b) => b,
            Found::Missing => {
                out.err(format!("bridge {name} does not exist!\n"));
                errs += 1;
                continue;
            }
            Found::NotBridge => {
                out.err(format!("device {name} is not a bridge!\n"));
                errs += 1;
                continue;
            }
        };
        if header {
            out.out("bridge name\tbridge id\t\tSTP enabled\tinterfaces\n");
            header = false;
        }
        let stp = lab.fabric().bridge(br).is_some_and(|b| b.stp);
        let ports: Vec<String> = port_names(lab, br).into_iter().map(|p| p.0).collect();
        out.out(format!(
            "{name}\t\t{}\t{}\t\t{}\n",
            bridge_id(lab, br),
            if stp { "yes" } else { "no" },
            ports.join("\n\t\t\t\t\t\t\t")
        ));
    }
    i32::from(errs > 0)
}

/// `%4i.%.2i` of a time in centiseconds (br_show_timer).
fn timer(cs: u64) -> String {
    format!("{:4}.{:02}", cs / 100, cs % 100)
}

fn centis(d: Duration) -> u64 {
    (d.as_millis() / 10) as u64
}

fn showmacs(br: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let b = match find(lab, env, br) {
        Found::Bridge(b) => b,
        Found::Missing => {
            out.err("read of forward table failed: No such device\n");
            return 1;
        }
        Found::NotBridge => {
            out.err("read of forward table failed: Operation not supported\n");
            return 1;
        }
    };
    let now = lab.now();
    let Some(bridge) = lab.fabric().bridge(b) else {
        return 1;
    };
    // br_fdb_fillbuf: no expired entries, none of the bridge's own.
    let mut rows: Vec<(MacAddr, u16, bool, u64)> = bridge
        .fdb
        .entries()
        .into_iter()
        .filter(|(_, e)| e.port != b && !has_expired(e, now, bridge.ageing_time))
        .filter_map(|(m, e)| {
            let port_no = bridge.port(e.port)?.port_no;
            let local = e.kind == FdbKind::Local;
            let age = if local {
                0
            } else {
                centis(now.saturating_sub(e.updated))
            };
            Some((m, port_no, local, age))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    out.out("port no\tmac addr\t\tis local?\tageing timer\n");
    for (m, port_no, local, age) in rows {
        out.out(format!(
            "{port_no:3}\t{m}\t{}\t\t{}\n",
            if local { "yes" } else { "no" },
            timer(age)
        ));
    }
    0
}

/// An STP id as showstp prints it: priority and address in hex, unpadded by dots.
fn stp_id(id: l2lab_fabric::wire::BridgeId) -> String {
    let m = id.addr.0;
    format!(
        "{:04x}.{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        id.prio, m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

fn showstp(br: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let b = match find(lab, env, br) {
        Found::Bridge(b) => b,
        Found::Missing => {
            out.err(format!("bridge {br} does not exist!\n"));
            return 1;
        }
        Found::NotBridge => {
            out.err(format!("device {br} is not a bridge!\n"));
            return 1;
        }
    };
    let id = bridge_id(lab, b);
    let gc = centis(lab.bridge_gc_timer(b));
    let now = lab.now();
    let left = |t: Option<Duration>| timer(t.map_or(0, |t| centis(t.saturating_sub(now))));
    let Some(bridge) = lab.fabric().bridge(b) else {
        return 1;
    };
    let st = &bridge.st;
    let mut s = format!(
        "{br}\n bridge id\t\t{id}\n designated root\t{}\n",
        stp_id(st.designated_root)
    );
    s += &format!(
        " root port\t\t{:4}\t\t\tpath cost\t\t{:4}\n",
        st.root_port, st.root_path_cost
    );
    s += &format!(
        " max age\t\t{}\t\t\tbridge max age\t\t{}\n",
        timer(centis(st.max_age)),
        timer(centis(st.bridge_max_age))
    );
    s += &format!(
        " hello time\t\t{}\t\t\tbridge hello time\t{}\n",
        timer(centis(st.hello_time)),
        timer(centis(st.bridge_hello_time))
    );
    s += &format!(
        " forward delay\t\t{}\t\t\tbridge forward delay\t{}\n",
        timer(centis(st.forward_delay)),
        timer(centis(st.bridge_forward_delay))
    );
    s += &format!(" ageing time\t\t{}\n", timer(centis(bridge.ageing_time)));
    s += &format!(
        " hello timer\t\t{}\t\t\ttcn timer\t\t{}\n",
        left(st.hello_timer),
        left(st.tcn_timer)
    );
    s += &format!(
        " topology change timer\t{}\t\t\tgc timer\t\t{}\n",
        left(st.topology_change_timer),
        timer(gc)
    );
    s += " flags\t\t\t";
    if st.topology_change {
        s += "TOPOLOGY_CHANGE ";
    }
    if st.topology_change_detected {
        s += "TOPOLOGY_CHANGE_DETECTED ";
    }
    s += "\n\n\n";
    for (name, l) in port_names(lab, b) {
        let Some(p) = bridge.port(l) else { continue };
        let ps = &p.stp;
        s += &format!("{name} ({})\n", p.port_no);
        s += &format!(
            " port id\t\t{:04x}\t\t\tstate\t\t{:>15}\n",
            ps.port_id,
            p.state.as_str()
        );
        s += &format!(
            " designated root\t{}\tpath cost\t\t{:4}\n",
            stp_id(ps.designated_root),
            p.cost
        );
        s += &format!(
            " designated bridge\t{}\tmessage age timer\t{}\n",
            stp_id(ps.designated_bridge),
            left(ps.message_age_timer)
        );
        s += &format!(
            " designated port\t{:04x}\t\t\tforward delay timer\t{}\n",
            ps.designated_port,
            left(ps.forward_delay_timer)
        );
        s += &format!(
            " designated cost\t{:4}\t\t\thold timer\t\t{}\n",
            ps.designated_cost,
            left(ps.hold_timer)
        );
        s += " flags\t\t\t";
        if ps.config_pending {
            s += "CONFIG_PENDING ";
        }
        if ps.topology_change_ack {
            s += "TOPOLOGY_CHANGE_ACK ";
        }
        if p.flags.hairpin {
            s += &format!("\n hairpin mode\t\t{:4}", 1);
        }
        s += "\n\n";
    }
    out.out(s);
    0
}

/// `brctl setbridgeprio/setfd/sethello/setmaxage BRIDGE VALUE` through the bridge's sysfs
/// files: the value read as sscanf does, the kernel's errors as strerror words them.
fn bridge_set(cmd: &str, br: &str, v: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let (bad, failed) = match cmd {
        "setbridgeprio" => ("bad priority", "set bridge priority failed"),
        "setfd" => ("bad forward delay value", "set forward delay failed"),
        "sethello" => ("bad hello timer value", "set hello timer failed"),
        _ => ("bad max age value", "set max age failed"),
    };
    let parsed = if cmd == "setbridgeprio" {
        parse_c_int(v).map(|n| n as u64)
    } else {
        centiseconds(v)
    };
    let Some(n) = parsed else {
        out.err(format!("{bad}\n"));
        return 1;
    };
    let cs = Duration::from_millis(n.saturating_mul(10));
    let r = match find(lab, env, br) {
        Found::Missing => Err("No such device"),
        Found::NotBridge => Err("Operation not supported"),
        Found::Bridge(_) => match cmd {
            // The sysfs file keeps the low 16 bits, as the kernel's u16 does.
            "setbridgeprio" => lab.set_bridge_priority(env.ns, br, n as u16),
            "setfd" => lab.set_stp_timer(env.ns, br, StpTimer::ForwardDelay, cs),
            "sethello" => lab.set_stp_timer(env.ns, br, StpTimer::HelloTime, cs),
            _ => lab.set_stp_timer(env.ns, br, StpTimer::MaxAge, cs),
        }
        .map_err(|e| strerror(&e)),
    };
    match r {
        Ok(()) => 0,
        Err(m) => {
            out.err(format!("{failed}: {m}\n"));
            1
        }
    }
}

/// strtotimeval: sscanf("%lf") then seconds and microseconds, truncated as C does.
fn centiseconds(arg: &str) -> Option<u64> {
    let t = arg.trim_start();
    let mut end = 0;
    let b = t.as_bytes();
    if end < b.len() && (b[end] == b'+' || b[end] == b'-') {
        end += 1;
    }
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    let secs: f64 = t[..end].parse().ok()?;
    let sec = secs.trunc();
    let usec = (1_000_000.0 * (secs - sec)).trunc();
    let us = 1_000_000.0 * sec + usec;
    Some(if us <= 0.0 { 0 } else { (us as u64) / 10_000 })
}

fn setageing(br: &str, t: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(cs) = centiseconds(t) else {
        out.err("bad ageing time value\n");
        return 1;
    };
    let r = match find(lab, env, br) {
        Found::Missing => Err("No such device"),
        Found::NotBridge => Err("Operation not supported"),
        Found::Bridge(_) => lab
            .set_ageing_time(env.ns, br, Duration::from_millis(cs * 10))
            .map_err(|e| strerror(&e)),
    };
    match r {
        Ok(()) => 0,
        Err(m) => {
            out.err(format!("set ageing time failed: {m}\n"));
            1
        }
    }
}

fn on_off(v: &str) -> Option<bool> {
    match v {
        "on" | "yes" | "1" => Some(true),
        "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn stp(br: &str, v: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(on) = on_off(v) else {
        out.err("expect on/off for argument\n");
        return 1;
    };
    let r = match find(lab, env, br) {
        Found::Missing => Err("No such device"),
        Found::NotBridge => Err("Operation not supported"),
        Found::Bridge(_) => lab.set_stp(env.ns, br, on).map_err(|e| strerror(&e)),
    };
    match r {
        Ok(()) => 0,
        Err(m) => {
            out.err(format!("set stp status failed: {m}\n"));
            1
        }
    }
}

fn hairpin(br: &str, port: &str, v: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(on) = on_off(v) else {
        out.err("expect on/off for argument\n");
        return 1;
    };
    if lab.link_by_name(env.ns, port).is_err() {
        out.err(format!("interface {port} does not exist!\n"));
        return 1;
    }
    if lab.link_by_name(env.ns, br).is_err() {
        out.err(format!("bridge {br} does not exist!\n"));
        return 1;
    }
    match lab.set_port_flags(env.ns, port, |f| f.hairpin = on) {
        Ok(()) => 0,
        Err(e) => {
            out.err(format!(
                "can't set {port} to hairpin on bridge {br}: {}\n",
                strerror(&e)
            ));
            1
        }
    }
}

/// Port settings go through the port's sysfs directory: the bridge named does not matter.
fn port_set(cmd: &str, port: &str, v: &str, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let (bad, failed) = if cmd == "setpathcost" {
        ("bad path cost value", "set path cost failed")
    } else {
        ("bad path priority value", "set port priority failed")
    };
    let Some(n) = parse_c_int(v) else {
        out.err(format!("{bad}\n"));
        return 1;
    };
    let r = lab
        .link_by_name(env.ns, port)
        .and_then(|l| {
            if cmd == "setpathcost" {
                lab.set_port_stp(l, Some(n as u32), None)
            } else {
                lab.set_port_stp(l, None, Some(n as u16))
            }
        })
        .map_err(|e| strerror(&e));
    match r {
        Ok(()) => 0,
        Err(m) => {
            out.err(format!("{failed}: {m}\n"));
            1
        }
    }
}

/// sscanf("%i"): decimal, 0x hex or 0 octal prefix of the string.
fn parse_c_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let n = digits.chars().take_while(|c| c.is_digit(radix)).count();
    if n == 0 {
        return None;
    }
    let v = i64::from_str_radix(&digits[..n], radix).ok()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_sim::{LabConfig, NsId};

    fn env() -> Env {
        Env {
            ns: NsId::INIT,
            ns_name: String::new(),
            pid: 1,
            tty: false,
        }
    }

    fn run(lab: &mut Lab, args: &str) -> (i32, String, String) {
        let argv: Vec<String> = args.split_whitespace().map(String::from).collect();
        let mut out = Output::default();
        let rc = main(&argv, &env(), lab, &mut out);
        (rc, out.stdout, out.stderr)
    }

    fn lab() -> Lab {
        Lab::with_config(LabConfig {
            ipv6: false,
            ..LabConfig::default()
        })
    }

    #[test]
    fn errors_as_measured_on_debian_12() {
        let mut lab = lab();
        lab.add_veth(NsId::INIT, "veth0", "veth1", None).unwrap();
        lab.add_veth(NsId::INIT, "veth2", "veth3", None).unwrap();
        assert_eq!(run(&mut lab, "show"), (0, String::new(), String::new()));
        assert_eq!(run(&mut lab, "addbr br0").0, 0);
        let e = |s: &str| (1, String::new(), format!("{s}\n"));
        assert_eq!(
            run(&mut lab, "addbr br0"),
            e("device br0 already exists; can't create bridge with the same name")
        );
        assert_eq!(
            run(&mut lab, "delbr nosuch"),
            e("bridge nosuch doesn't exist; can't delete it")
        );
        assert_eq!(
            run(&mut lab, "addif br0 nosuch"),
            e("interface nosuch does not exist!")
        );
        assert_eq!(
            run(&mut lab, "addif nosuch veth0"),
            e("bridge nosuch does not exist!")
        );
        assert_eq!(run(&mut lab, "addif br0 veth0").0, 0);
        assert_eq!(
            run(&mut lab, "addif br0 veth0"),
            e("device veth0 is already a member of a bridge; can't add it to bridge br0.")
        );
        assert_eq!(run(&mut lab, "addbr br1").0, 0);
        assert_eq!(
            run(&mut lab, "delif br0 veth2"),
            e("device veth2 is not a port of br0")
        );
        assert_eq!(
            run(&mut lab, "delif veth2 veth0"),
            e("can't delete veth0 from veth2: Operation not supported")
        );
        assert_eq!(
            run(&mut lab, "addif br0 br1"),
            e("device br1 is a bridge device itself; can't add a bridge device to a bridge device.")
        );
        assert_eq!(
            run(&mut lab, "addif br0 lo"),
            e("can't add lo to bridge br0: Invalid argument")
        );
        assert_eq!(
            run(&mut lab, "show veth2"),
            e("device veth2 is not a bridge!")
        );
        assert_eq!(
            run(&mut lab, "showmacs nosuch"),
            e("read of forward table failed: No such device")
        );
        assert_eq!(
            run(&mut lab, "setageing br1 abc"),
            e("bad ageing time value")
        );
        assert_eq!(
            run(&mut lab, "stp br1 maybe"),
            e("expect on/off for argument")
        );
        lab.set_link_up(NsId::INIT, "br0", true).unwrap();
        assert_eq!(
            run(&mut lab, "delbr br0"),
            e("bridge br0 is still up; can't delete it")
        );
        assert_eq!(
            run(&mut lab, "delbr veth2"),
            e("can't delete bridge veth2: Operation not permitted")
        );
        let (rc, o, _) = run(&mut lab, "addbr");
        assert_eq!(
            (rc, o.as_str()),
            (
                1,
                "Incorrect number of arguments for command\nUsage: brctl addbr <bridge>\t\tadd bridge\n"
            )
        );
    }

    #[test]
    fn show_lists_bridges_and_ports_by_name() {
        let mut lab = lab();
        run(&mut lab, "addbr br1");
        run(&mut lab, "addbr br0");
        lab.add_veth(NsId::INIT, "vb", "vbp", None).unwrap();
        lab.add_veth(NsId::INIT, "va", "vap", None).unwrap();
        run(&mut lab, "addif br0 vb va");
        let id = bridge_id(&lab, lab.link_by_name(NsId::INIT, "br0").unwrap());
        let (rc, o, _) = run(&mut lab, "show");
        assert_eq!(rc, 0);
        assert_eq!(
            o,
            format!(
                "bridge name\tbridge id\t\tSTP enabled\tinterfaces\nbr0\t\t{id}\tno\t\tva\n\t\t\t\t\t\t\tvb\nbr1\t\t8000.000000000000\tno\t\t\n"
            )
        );
    }

    #[test]
    fn time_values_as_strtotimeval() {
        assert_eq!(centiseconds("10.5"), Some(1050));
        assert_eq!(centiseconds("300"), Some(30000));
        assert_eq!(centiseconds("abc"), None);
        assert_eq!(timer(1050), "  10.50");
        assert_eq!(timer(0), "   0.00");
    }
}
