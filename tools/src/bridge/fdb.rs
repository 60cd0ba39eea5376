//! `bridge fdb`: the forwarding database as the kernel dumps it — per device in index order,
//! a port's bridge entries (`master br0`) then the device's own address lists (`self`) —
//! and adding, replacing and deleting entries (iproute2 bridge/fdb.c; the kernel's
//! rtnl_fdb_dump/rtnl_fdb_add in net/core/rtnetlink.c and br_fdb_dump/br_fdb_add in
//! net/bridge/br_fdb.c).

use l2lab_fabric::bridge::fdb::has_expired;
use l2lab_fabric::{FdbKind, LinkId, LinkKind, MacAddr};
use l2lab_sim::{Lab, LabError};

use super::json::Json;
use super::{rtnl_error, Opts, FAIL};
use crate::cmd::{Env, Output};
use crate::ip::common::matches;

const USAGE: &str = "Usage: bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }
\t       [ via DEV ] [ src_vni VNI ]
       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]
              [ state STATE ] [ dynamic ] ]
       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV
              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]
       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]
              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]
              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]
              [ [no]offloaded ]
";

const INCOMPLETE: &str = "Command line is not complete. Try option \"help\"\n";

/// Neighbour states as the kernel reports FDB entries (include/uapi/linux/neighbour.h).
const NUD_REACHABLE: u32 = 0x02;
const NUD_STALE: u32 = 0x04;
const NUD_NOARP: u32 = 0x40;
const NUD_PERMANENT: u32 = 0x80;

/// Runs `bridge fdb ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(cmd) = args.first().map(String::as_str) else {
        return show(&[], opts, env, lab, out);
    };
    let rest = &args[1..];
    if matches(cmd, "add") {
        modify(Op::Add, rest, env, lab, out)
    } else if matches(cmd, "append") {
        modify(Op::Append, rest, env, lab, out)
    } else if matches(cmd, "replace") {
        modify(Op::Replace, rest, env, lab, out)
    } else if matches(cmd, "delete") {
        modify(Op::Del, rest, env, lab, out)
    } else if matches(cmd, "get") {
        out.err("bridge fdb get is not supported by this lab\n");
        FAIL
    } else if matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list") {
        show(rest, opts, env, lab, out)
    } else if cmd == "flush" {
        out.err("bridge fdb flush is not supported by this lab\n");
        FAIL
    } else if matches(cmd, "help") {
        out.err(USAGE);
        FAIL
    } else {
        out.err(format!(
            "Command \"{cmd}\" is unknown, try \"bridge fdb help\".\n"
        ));
        FAIL
    }
}

/// One entry of the dump, as the kernel sends it.
#[derive(Debug, Clone)]
struct Rec {
    mac: MacAddr,
    ifindex: u32,
    ifname: String,
    self_flag: bool,
    master: Option<String>,
    state: u32,
    /// Seconds since last used and since last updated (NDA_CACHEINFO).
    cache: Option<(u64, u64)>,
}

/// iproute2's show filters.
#[derive(Debug, Default)]
struct Filter {
    index: Option<u32>,
    state: u32,
    vlan: u32,
    dynamic: bool,
}

fn state_a2n(arg: &str) -> Option<u32> {
    if matches(arg, "permanent") {
        Some(NUD_PERMANENT)
    } else if matches(arg, "static") || matches(arg, "temp") {
        Some(NUD_NOARP)
    } else if matches(arg, "stale") {
        Some(NUD_STALE)
    } else if matches(arg, "reachable") || matches(arg, "dynamic") {
        Some(NUD_REACHABLE)
    } else if arg == "all" {
        Some(!0)
    } else {
        parse_c_unsigned(arg)
    }
}

/// strtoul with base 0, whole string.
fn parse_c_unsigned(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

fn state_n2a(s: u32) -> String {
    if s & NUD_PERMANENT != 0 {
        "permanent".into()
    } else if s & NUD_NOARP != 0 {
        "static".into()
    } else if s & NUD_STALE != 0 {
        "stale".into()
    } else if s & NUD_REACHABLE != 0 {
        String::new()
    } else {
        format!("state={s:#x}")
    }
}

fn show(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut dev: Option<&str> = None;
    let mut br: Option<&str> = None;
    let mut f = Filter::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let next = |i: &mut usize, out: &mut Output| -> Option<String> {
            *i += 1;
            let v = args.get(*i).cloned();
            if v.is_none() {
                out.err(INCOMPLETE);
            }
            v
        };
        match a {
            "brport" | "dev" => match next(&mut i, out) {
                Some(_) => dev = Some(args[i].as_str()),
                None => return FAIL,
            },
            "br" => match next(&mut i, out) {
                Some(_) => br = Some(args[i].as_str()),
                None => return FAIL,
            },
            "vlan" => match next(&mut i, out) {
                Some(v) => {
                    if f.vlan != 0 {
                        out.err(format!(
                            "Error: duplicate \"vlan\": \"{v}\" is the second value.\n"
                        ));
                        return FAIL;
                    }
                    f.vlan = super::atoi(&v) as u32;
                }
                None => return FAIL,
            },
            "state" => match next(&mut i, out) {
                Some(v) => match state_a2n(&v) {
                    Some(s) => f.state |= s,
                    None => {
                        out.err(format!("Error: argument \"{v}\" is wrong: invalid state\n"));
                        return FAIL;
                    }
                },
                None => return FAIL,
            },
            "dynamic" => f.dynamic = true,
            a if matches(a, "help") => {
                out.err(USAGE);
                return FAIL;
            }
            _ => {}
        }
        i += 1;
    }
    let br_link = match br {
        Some(b) => match lab.link_by_name(env.ns, b) {
            Ok(l) => Some(l),
            Err(_) => {
                out.err(format!("Cannot find bridge device \"{b}\"\n"));
                return FAIL;
            }
        },
        None => None,
    };
    let dev_link = match dev {
        Some(d) => match lab.link_by_name(env.ns, d) {
            Ok(l) => Some(l),
            Err(_) => {
                out.err(format!("Cannot find device \"{d}\"\n"));
                return FAIL;
            }
        },
        None => None,
    };
    f.index = dev_link.and_then(|l| lab.iface(l)).map(|i| i.ifindex);
    let recs = dump(lab, env, br_link, dev_link);
    let recs: Vec<Rec> = recs.into_iter().filter(|r| keep(r, &f)).collect();
    if opts.json {
        let mut j = Json::new(opts.pretty);
        for r in &recs {
            json_rec(r, &f, opts, &mut j);
        }
        out.out(j.finish());
    } else {
        for r in &recs {
            out.out(text_rec(r, &f, opts));
        }
    }
    0
}

/// print_fdb's filters, applied to what the kernel sent.
fn keep(r: &Rec, f: &Filter) -> bool {
    if f.index.is_some_and(|i| i != r.ifindex) {
        return false;
    }
    if f.state != 0 && r.state & f.state == 0 {
        return false;
    }
    // No entry carries a VLAN: a VLAN filter leaves nothing.
    if f.vlan != 0 {
        return false;
    }
    !(f.dynamic && r.state & NUD_PERMANENT != 0)
}

/// rtnl_fdb_dump: devices in index order, filtered by bridge (`br`) and port (`dev`).
fn dump(lab: &Lab, env: &Env, br: Option<LinkId>, port: Option<LinkId>) -> Vec<Rec> {
    let mut v = Vec::new();
    for d in lab.links(env.ns) {
        let Some(l) = lab.fabric().link(d) else {
            continue;
        };
        if port.is_some_and(|p| p != d) {
            continue;
        }
        let is_bridge = l.bridge().is_some();
        let master = l.master;
        if let Some(b) = br {
            if d != b && master.is_none() {
                continue;
            }
            if master != Some(b) && !is_bridge {
                continue;
            }
        }
        if let Some(m) = master {
            bridge_entries(lab, m, d, &mut v);
        }
        if matches!(l.kind, LinkKind::Loopback) {
            continue;
        }
        self_entries(lab, d, &mut v);
        if is_bridge {
            bridge_entries(lab, d, d, &mut v);
        }
    }
    v
}

/// The bridge `br`'s entries behind `dev` (its own when `dev` is the bridge), newest first.
fn bridge_entries(lab: &Lab, br: LinkId, dev: LinkId, v: &mut Vec<Rec>) {
    let Some(b) = lab.fabric().bridge(br) else {
        return;
    };
    let (Some(di), Some(bi)) = (lab.iface(dev), lab.iface(br)) else {
        return;
    };
    let now = lab.now();
    for (mac, e) in b.fdb.entries() {
        if e.port != dev {
            continue;
        }
        let state = match e.kind {
            FdbKind::Local => NUD_PERMANENT,
            FdbKind::Static => NUD_NOARP,
            FdbKind::Learned if has_expired(&e, now, b.ageing_time) => NUD_STALE,
            FdbKind::Learned => NUD_REACHABLE,
        };
        v.push(Rec {
            mac,
            ifindex: di.ifindex,
            ifname: di.name.clone(),
            self_flag: false,
            master: Some(bi.name.clone()),
            state,
            cache: Some((
                now.saturating_sub(e.used).as_secs(),
                now.saturating_sub(e.updated).as_secs(),
            )),
        });
    }
}

/// The device's own address lists (ndo_dflt_fdb_dump), unicast then multicast,
/// `self permanent`.
fn self_entries(lab: &Lab, dev: LinkId, v: &mut Vec<Rec>) {
    let Some(i) = lab.iface(dev) else {
        return;
    };
    for mac in lab.uc_addrs(dev).into_iter().chain(lab.mc_addrs(dev)) {
        v.push(Rec {
            mac,
            ifindex: i.ifindex,
            ifname: i.name.clone(),
            self_flag: true,
            master: None,
            state: NUD_PERMANENT,
            cache: None,
        });
    }
}

fn text_rec(r: &Rec, f: &Filter, opts: &Opts) -> String {
    let mut s = format!("{} ", r.mac);
    if f.index.is_none() {
        s.push_str(&format!("dev {} ", r.ifname));
    }
    if opts.stats > 0 {
        if let Some((used, updated)) = r.cache {
            s.push_str(&format!("used {used}/{updated} "));
        }
    }
    if r.self_flag {
        s.push_str("self ");
    }
    if let Some(m) = &r.master {
        s.push_str(&format!("master {m} "));
    }
    s.push_str(&state_n2a(r.state));
    s.push('\n');
    s
}

fn json_rec(r: &Rec, f: &Filter, opts: &Opts, j: &mut Json) {
    j.start_object();
    j.kv_str("mac", &r.mac.to_string());
    if f.index.is_none() {
        j.kv_str("ifname", &r.ifname);
    }
    if opts.stats > 0 {
        if let Some((used, updated)) = r.cache {
            j.kv_raw("used", used);
            j.kv_raw("updated", updated);
        }
    }
    let flags: &[&str] = if r.self_flag { &["self"] } else { &[] };
    j.kv_strs("flags", flags);
    if let Some(m) = &r.master {
        j.kv_str("master", m);
    }
    let st = if r.state & (NUD_PERMANENT | NUD_NOARP | NUD_STALE | NUD_REACHABLE) == 0 {
        format!("{:#x}", r.state)
    } else {
        state_n2a(r.state)
    };
    j.kv_str("state", &st);
    j.end_object();
}

/// Which change `bridge fdb` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Append,
    Replace,
    Del,
}

/// C's `sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx")` succeeding on all six.
fn scan_mac(s: &str) -> Option<MacAddr> {
    let mut out = [0u8; 6];
    let mut rest = s;
    for (k, b) in out.iter_mut().enumerate() {
        let t = rest.trim_start();
        let t = t
            .strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .filter(|x| x.starts_with(|c: char| c.is_ascii_hexdigit()))
            .unwrap_or(t);
        let n = t.bytes().take_while(u8::is_ascii_hexdigit).count();
        if n == 0 {
            return None;
        }
        let mut v: u64 = 0;
        for c in t[..n].chars() {
            v = v.wrapping_mul(16).wrapping_add(c.to_digit(16)? as u64);
        }
        *b = v as u8;
        rest = &t[n..];
        if k < 5 {
            rest = rest.strip_prefix(':')?;
        }
    }
    Some(MacAddr(out))
}

fn modify(op: Op, args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut dev: Option<&str> = None;
    let mut addr: Option<&str> = None;
    let (mut self_flag, mut master_flag) = (false, false);
    let mut state = NUD_NOARP;
    let mut vid: i32 = -1;
    let mut dst_seen = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let with_value = ["dev", "dst", "nhid", "port", "vni", "src_vni", "via"].contains(&a)
            || matches(a, "vlan");
        let v = if with_value {
            i += 1;
            match args.get(i) {
                Some(v) => v.as_str(),
                None => {
                    out.err(INCOMPLETE);
                    return FAIL;
                }
            }
        } else {
            ""
        };
        match a {
            "dev" => dev = Some(v),
            "dst" => {
                if dst_seen {
                    out.err(format!(
                        "Error: either \"dst\" is duplicate, or \"{v}\" is a garbage.\n"
                    ));
                    return FAIL;
                }
                dst_seen = true;
            }
            "nhid" | "port" | "vni" | "src_vni" => {}
            "via" => {
                if lab.link_by_name(env.ns, v).is_err() {
                    out.err(format!("Cannot find device \"{v}\"\n"));
                    return FAIL;
                }
            }
            "self" => self_flag = true,
            a if matches(a, "master") => master_flag = true,
            a if matches(a, "router") => {}
            a if matches(a, "local") || matches(a, "permanent") => state |= NUD_PERMANENT,
            a if matches(a, "temp") || matches(a, "static") => state |= NUD_REACHABLE,
            a if matches(a, "dynamic") => {
                state |= NUD_REACHABLE;
                state &= !NUD_NOARP;
            }
            a if matches(a, "vlan") => {
                if vid >= 0 {
                    out.err(format!(
                        "Error: either \"vlan\" is duplicate, or \"{v}\" is a garbage.\n"
                    ));
                    return FAIL;
                }
                vid = super::atoi(v) as i32;
            }
            a if matches(a, "use") || matches(a, "extern_learn") || matches(a, "sticky") => {}
            _ => {
                let mut a = a;
                if a == "to" {
                    i += 1;
                    match args.get(i) {
                        Some(x) => a = x.as_str(),
                        None => {
                            out.err(INCOMPLETE);
                            return FAIL;
                        }
                    }
                }
                if matches(a, "help") {
                    out.err(USAGE);
                    return FAIL;
                }
                if addr.is_some() {
                    out.err(format!(
                        "Error: either \"to\" is duplicate, or \"{a}\" is a garbage.\n"
                    ));
                    return FAIL;
                }
                addr = Some(a);
            }
        }
        i += 1;
    }
    let (Some(d), Some(a)) = (dev, addr) else {
        out.err("Device and address are required arguments.\n");
        return FAIL;
    };
    if !self_flag && !master_flag {
        self_flag = true;
    }
    if state & (NUD_PERMANENT | NUD_REACHABLE) == 0 {
        state |= NUD_PERMANENT;
    }
    let Some(mac) = scan_mac(a) else {
        out.err(format!("Invalid mac address {a}\n"));
        return FAIL;
    };
    let Ok(link) = lab.link_by_name(env.ns, d) else {
        out.err(format!("Cannot find device \"{d}\"\n"));
        return FAIL;
    };
    match apply(op, lab, link, mac, state, vid, self_flag, master_flag) {
        Ok(()) => 0,
        Err(msg) => {
            out.err(msg);
            FAIL
        }
    }
}

/// rtnl_fdb_add / rtnl_fdb_del: the bridge acts for its ports (`master`), a device for
/// itself (`self`).
#[allow(clippy::too_many_arguments)]
fn apply(
    op: Op,
    lab: &mut Lab,
    link: LinkId,
    mac: MacAddr,
    state: u32,
    vid: i32,
    self_flag: bool,
    master_flag: bool,
) -> Result<(), String> {
    let (is_port, is_bridge, forwarding) = {
        let l = lab.fabric().link(link);
        let master = l.and_then(|l| l.master);
        let fwd = master
            .and_then(|m| lab.fabric().bridge(m))
            .and_then(|b| b.port(link))
            .is_some_and(|p| p.state == l2lab_fabric::PortState::Forwarding);
        (
            master.is_some(),
            l.is_some_and(|l| l.bridge().is_some()),
            fwd,
        )
    };
    let err = |e: LabError| rtnl_error(&e);
    let einval = || "RTNETLINK answers: Invalid argument\n".to_string();
    // rtnl_fdb_add / rtnl_fdb_del refuse anything but Ethernet before looking further.
    if lab
        .fabric()
        .link(link)
        .is_some_and(|l| matches!(l.kind, l2lab_fabric::LinkKind::Loopback))
    {
        let what = if op == Op::Del { "delete" } else { "add" };
        return Err(format!(
            "Error: FDB {what} only supported for Ethernet devices.\n"
        ));
    }
    // br_fdb_add refuses the all-zero address (no frame can come from it), but takes
    // multicast and broadcast ones.
    if op != Op::Del && mac.0 == [0; 6] {
        return Err(einval());
    }
    let mut done = false;
    if master_flag && is_port {
        if op == Op::Del {
            lab.fdb_unset(link, mac).map_err(err)?;
        } else {
            if vid > 0 {
                return Err(einval());
            }
            let kind = if state & NUD_PERMANENT != 0 {
                FdbKind::Local
            } else if state & NUD_NOARP != 0 {
                FdbKind::Static
            } else if forwarding {
                FdbKind::Learned
            } else {
                return Err("RTNETLINK answers: Operation not permitted\n".into());
            };
            lab.fdb_set(link, mac, kind, op != Op::Add).map_err(err)?;
        }
        done = true;
    }
    if self_flag {
        if is_bridge {
            if op == Op::Del {
                lab.fdb_unset(link, mac).map_err(err)?;
            } else {
                if state & NUD_PERMANENT == 0 || vid > 0 {
                    return Err(einval());
                }
                lab.fdb_set(link, mac, FdbKind::Local, op != Op::Add)
                    .map_err(err)?;
            }
        } else if op == Op::Del {
            // ndo_dflt_fdb_del: only permanent entries.
            if state & NUD_PERMANENT == 0 {
                return Err(einval());
            }
            lab.dev_addr_del(link, mac).map_err(err)?;
        } else {
            // ndo_dflt_fdb_add: local addresses only, no VLANs; a duplicate is an error only
            // for `add` (NLM_F_EXCL).
            if state & NUD_PERMANENT == 0 || vid >= 0 {
                return Err(einval());
            }
            lab.dev_addr_add(link, mac, op == Op::Add).map_err(err)?;
        }
        done = true;
    }
    if done {
        Ok(())
    } else {
        Err("RTNETLINK answers: Operation not supported\n".into())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn macs_as_sscanf_reads_them() {
        assert_eq!(
            scan_mac("02:00:00:00:00:01"),
            Some(MacAddr([2, 0, 0, 0, 0, 1]))
        );
        assert_eq!(scan_mac("2:0:0:0:0:1x"), Some(MacAddr([2, 0, 0, 0, 0, 1])));
        assert_eq!(scan_mac("zz:00:00:00:00:04"), None);
        assert_eq!(scan_mac("02:00:00:00:00"), None);
    }

    #[test]
    fn states_as_iproute2_names_them() {
        assert_eq!(state_n2a(NUD_PERMANENT), "permanent");
        assert_eq!(state_n2a(NUD_NOARP), "static");
        assert_eq!(state_n2a(NUD_REACHABLE), "");
        assert_eq!(state_n2a(NUD_STALE), "stale");
        assert_eq!(state_a2n("temp"), Some(NUD_NOARP));
        assert_eq!(state_a2n("bogus"), None);
    }
}
