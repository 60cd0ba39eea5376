//! `ip neigh`: add, change, replace, del, get, flush and show neighbours (iproute2 6.1,
//! ip/ipneigh.c), of ARP's table and of neighbour discovery's. The kernel dumps the ARP
//! table first, then ND's; in each, entries are listed newest first, as the kernel's neighbour
//! hash walk showed them in the recorded transcripts.

use std::net::{IpAddr, Ipv6Addr};

use l2lab_fabric::{LinkId, MacAddr};
use l2lab_sim::{Ipv4Net, Lab, NeighState, Neighbour};
use serde_json::{json, Map, Value};

use super::common::matches;
use super::route::{parse_addr, parse_prefix};
use super::Opts;
use crate::cmd::{Env, Output};

const USAGE: &str = "Usage: ip neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
                [ protocol PROTO ]

       ip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
                                 [ vrf NAME ] [ nomaster ]
       ip neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }
";

/// NUD_* bits, with iproute2's 0x100 standing for NUD_NONE in a filter.
const NUD_BITS: &[(u32, &str)] = &[
    (0x01, "incomplete"),
    (0x02, "reachable"),
    (0x04, "stale"),
    (0x08, "delay"),
    (0x10, "probe"),
    (0x20, "failed"),
    (0x40, "noarp"),
    (0x80, "permanent"),
];
const NUD_NOARP: u32 = 0x40;
const NUD_PERMANENT: u32 = 0x80;
const NUD_FAILED: u32 = 0x20;

struct Fail(String, i32);

type Res<T> = Result<T, Fail>;

fn bit(s: NeighState) -> u32 {
    match s {
        NeighState::Incomplete => 0x01,
        NeighState::Reachable => 0x02,
        NeighState::Stale => 0x04,
        NeighState::Delay => 0x08,
        NeighState::Probe => 0x10,
        NeighState::Failed => 0x20,
        NeighState::Noarp => 0x40,
        NeighState::Permanent => 0x80,
    }
}

/// nud_state_a2n: a state name or number (0 is NUD_NONE).
fn nud_a2n(s: &str) -> Option<u32> {
    if s == "none" {
        return Some(0);
    }
    NUD_BITS
        .iter()
        .find(|(_, n)| *n == s)
        .map(|(b, _)| *b)
        .or_else(|| s.parse::<u32>().ok().filter(|n| *n <= 0xff))
}

fn state_of(bits: u32) -> Option<NeighState> {
    Some(match bits {
        0x01 => NeighState::Incomplete,
        0x02 => NeighState::Reachable,
        0x04 => NeighState::Stale,
        0x08 => NeighState::Delay,
        0x10 => NeighState::Probe,
        0x20 => NeighState::Failed,
        0x40 => NeighState::Noarp,
        0x80 => NeighState::Permanent,
        _ => return None,
    })
}

fn next<'a>(args: &'a [String], i: &mut usize) -> Res<&'a str> {
    *i += 1;
    args.get(*i).map(String::as_str).ok_or_else(|| {
        Fail(
            "Command line is not complete. Try option \"help\"\n".into(),
            255,
        )
    })
}

fn invarg(msg: &str, arg: &str) -> Fail {
    Fail(format!("Error: argument \"{arg}\" is wrong: {msg}\n"), 255)
}

fn dev_arg(lab: &Lab, env: &Env, name: &str) -> Res<LinkId> {
    lab.link_by_name(env.ns, name)
        .map_err(|_| Fail(format!("Cannot find device \"{name}\"\n"), 1))
}

/// The tables, ARP's then ND's, each newest first.
fn entries(lab: &Lab, env: &Env) -> Vec<Neighbour> {
    let mut v = lab.neighbours(env.ns);
    v.sort_by_key(|n| (n.ip.is_ipv6(), std::cmp::Reverse(n.created)));
    v
}

/// An IPv4 address as inet_aton reads it, or an IPv6 one.
fn parse_any(s: &str) -> Option<IpAddr> {
    parse_addr(s)
        .map(IpAddr::V4)
        .or_else(|| s.parse::<Ipv6Addr>().ok().map(IpAddr::V6))
}

/// get_addr / get_prefix: an address of the family `-4`/`-6` ask for (`Some(true)`: IPv6),
/// else iproute2's message naming the family (family_name_verbose).
fn parse_family(s: &str, v6: Option<bool>, what: &str) -> Res<IpAddr> {
    let name = match v6 {
        None => "any valid",
        Some(false) => "inet",
        Some(true) => "inet6",
    };
    parse_any(s)
        .filter(|a| v6.is_none_or(|v6| v6 == a.is_ipv6()))
        .ok_or_else(|| {
            Fail(
                format!("Error: {name} {what} is expected rather than \"{s}\".\n"),
                1,
            )
        })
}

/// An IPv6 prefix, `ADDR[/LEN]`.
fn parse_prefix6(s: &str) -> Option<(Ipv6Addr, u8)> {
    if s == "default" || s == "all" || s == "any" {
        return Some((Ipv6Addr::UNSPECIFIED, 0));
    }
    let (a, len) = match s.split_once('/') {
        Some((a, l)) => (a, l.parse::<u8>().ok().filter(|l| *l <= 128)?),
        None => (s, 128),
    };
    Some((a.parse().ok()?, len))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Modify {
    Add,
    Change,
    Replace,
    Delete,
}

fn modify(args: &[String], how: Modify, opts: &Opts, env: &Env, lab: &mut Lab) -> Res<i32> {
    let mut router = false;
    let mut lla: Option<&str> = None;
    let mut nud = NUD_PERMANENT;
    let mut dev = None;
    let mut dst: Option<&str> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches(a, "lladdr") {
            let v = next(args, &mut i)?;
            if lla.is_some() {
                return Err(Fail(
                    format!("Error: duplicate \"lladdr\": \"{v}\" is the second value.\n"),
                    255,
                ));
            }
            lla = Some(v);
        } else if a == "nud" {
            let v = next(args, &mut i)?;
            nud = nud_a2n(v).ok_or_else(|| invarg("nud state is bad", v))?;
        } else if a == "router" {
            router = true;
        } else if a == "use" || a == "managed" || matches(a, "extern_learn") {
        } else if a == "dev" {
            dev = Some(next(args, &mut i)?);
        } else if matches(a, "protocol") {
            next(args, &mut i)?;
        } else {
            let mut a = a;
            if a == "to" {
                a = next(args, &mut i)?;
            }
            if let Some(d) = dst {
                let _ = d;
                return Err(Fail(
                    format!("Error: either \"to\" is duplicate, or \"{a}\" is a garbage.\n"),
                    255,
                ));
            }
            dst = Some(a);
        }
        i += 1;
    }
    let (Some(dev), Some(dst)) = (dev, dst) else {
        return Err(Fail(
            "Device and destination are required arguments.\n".into(),
            255,
        ));
    };
    let ip = parse_family(dst, family(opts), "address")?;
    let mac = match lla.filter(|l| *l != "null") {
        Some(l) => Some(
            l.parse::<MacAddr>()
                .map_err(|_| Fail(format!("\"{l}\" is invalid lladdr.\n"), 1))?,
        ),
        None => None,
    };
    let link = dev_arg(lab, env, dev)?;
    let existing = lab
        .neighbours(env.ns)
        .into_iter()
        .find(|n| n.dev == link && n.ip == ip);
    if how == Modify::Delete {
        return match lab.neigh_del(env.ns, dev, ip) {
            Ok(()) => Ok(0),
            Err(_) => Err(Fail(
                "RTNETLINK answers: No such file or directory\n".into(),
                2,
            )),
        };
    }
    match (how, &existing) {
        (Modify::Add, Some(_)) => {
            return Err(Fail("RTNETLINK answers: File exists\n".into(), 2));
        }
        (Modify::Change, None) => {
            return Err(Fail(
                "RTNETLINK answers: No such file or directory\n".into(),
                2,
            ));
        }
        _ => {}
    }
    // An update without an address keeps the one the entry has (neigh_update).
    let mac = mac.or_else(|| existing.as_ref().and_then(|e| e.mac));
    let state = state_of(nud).unwrap_or(NeighState::Incomplete);
    if state.is_valid() && mac.is_none() {
        return Err(Fail("Error: No link layer address given.\n".into(), 2));
    }
    match lab.neigh_add(env.ns, dev, ip, mac, state, how != Modify::Add) {
        Ok(()) => {
            // NTF_ROUTER comes with the request (neigh_update's NEIGH_UPDATE_F_ISROUTER).
            let _ = lab.neigh_set_router(env.ns, dev, ip, router);
            Ok(0)
        }
        Err(_) => Err(Fail("RTNETLINK answers: File exists\n".into(), 2)),
    }
}

/// The selector of `ip neigh show/flush`.
struct Filter {
    state: u32,
    dev: Option<LinkId>,
    pfx: Option<Ipv4Net>,
    /// `to PREFIX` of IPv6.
    pfx6: Option<(Ipv6Addr, u8)>,
    /// `-4`/`-6`: one family only (Some(true): IPv6).
    v6: Option<bool>,
}

impl Filter {
    fn accepts(&self, n: &Neighbour) -> bool {
        self.state & bit(n.state) != 0
            && self.dev.is_none_or(|d| d == n.dev)
            && self.v6.is_none_or(|v6| v6 == n.ip.is_ipv6())
            && self.pfx.is_none_or(|p| match n.ip {
                IpAddr::V4(a) => p.prefix == 0 || p.trunc().contains(a),
                IpAddr::V6(_) => false,
            })
            && self.pfx6.is_none_or(|(p, len)| match n.ip {
                IpAddr::V6(a) => {
                    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
                    u128::from(a) & mask == u128::from(p) & mask
                }
                IpAddr::V4(_) => false,
            })
    }
}

/// The family `-4`/`-6` ask for.
fn family(opts: &Opts) -> Option<bool> {
    if opts.inet6 {
        Some(true)
    } else if opts.inet4 {
        Some(false)
    } else {
        None
    }
}

fn parse_filter(args: &[String], flush: bool, opts: &Opts, env: &Env, lab: &Lab) -> Res<Filter> {
    let mut f = Filter {
        v6: family(opts),
        state: if flush {
            !(NUD_PERMANENT | NUD_NOARP)
        } else {
            0xff & !NUD_NOARP
        },
        dev: None,
        pfx: None,
        pfx6: None,
    };
    let mut state_given = false;
    let mut dev = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "dev" {
            let v = next(args, &mut i)?;
            if dev.is_some() {
                return Err(Fail(
                    format!("Error: duplicate \"dev\": \"{v}\" is the second value.\n"),
                    255,
                ));
            }
            dev = Some(v);
        } else if a == "master" || a == "vrf" {
            let v = next(args, &mut i)?;
            dev_arg(lab, env, v).map_err(|_| invarg("Device does not exist\n", v))?;
        } else if a == "nomaster" || a == "unused" || a == "proxy" {
        } else if a == "nud" {
            let v = next(args, &mut i)?;
            if !state_given {
                state_given = true;
                f.state = 0;
            }
            let mut st = match nud_a2n(v) {
                Some(s) => s,
                None if v == "all" => {
                    if flush {
                        !NUD_NOARP
                    } else {
                        !0
                    }
                }
                None => return Err(invarg("nud state is bad", v)),
            };
            if st == 0 {
                st = 0x100;
            }
            f.state |= st;
        } else if matches(a, "protocol") {
            next(args, &mut i)?;
        } else {
            let mut a = a;
            if a == "to" {
                a = next(args, &mut i)?;
            }
            if matches(a, "help") {
                return Err(Fail(USAGE.into(), 255));
            }
            match (f.v6, parse_prefix(a), parse_prefix6(a)) {
                // `all` and friends are every address of the family asked for, or of both.
                (None, Some(p), Some(_)) if p.prefix == 0 => {}
                (Some(true), _, Some(p)) | (None, None, Some(p)) => {
                    f.pfx6 = Some(p);
                    f.v6 = Some(true);
                }
                (Some(false) | None, Some(p), _) => {
                    f.pfx = Some(p);
                    f.v6 = Some(false);
                }
                (Some(v6), _, _) => {
                    let name = if v6 { "inet6" } else { "inet" };
                    return Err(Fail(
                        format!("Error: {name} prefix is expected rather than \"{a}\".\n"),
                        1,
                    ));
                }
                (None, None, None) => return Err(invarg("to value is invalid\n", a)),
            }
        }
        i += 1;
    }
    if let Some(d) = dev {
        f.dev = Some(dev_arg(lab, env, d)?);
    }
    Ok(f)
}

/// print_neigh: one entry as text and as JSON.
fn format_neigh(lab: &Lab, n: &Neighbour, f: &Filter) -> (String, Value) {
    let mut s = format!("{} ", n.ip);
    let mut j = Map::new();
    j.insert("dst".into(), json!(n.ip.to_string()));
    if f.dev.is_none() {
        let name = lab.iface(n.dev).map_or(String::new(), |i| i.name.clone());
        s += &format!("dev {name} ");
        j.insert("dev".into(), json!(name));
    }
    // The kernel sends the link-layer address only while the entry is valid.
    if let Some(mac) = n.mac.filter(|_| n.state.is_valid()) {
        s += &format!("lladdr {mac} ");
        j.insert("lladdr".into(), json!(mac.to_string()));
    }
    if n.router {
        s += "router ";
        j.insert("router".into(), Value::Null);
    }
    s += &format!("{} \n", n.state.as_str());
    j.insert("state".into(), json!([n.state.as_str()]));
    (s, Value::Object(j))
}

fn show(args: &[String], opts: &Opts, env: &Env, lab: &Lab, out: &mut Output) -> Res<i32> {
    let f = parse_filter(args, false, opts, env, lab)?;
    let mut rows = Vec::new();
    for n in entries(lab, env).iter().filter(|n| f.accepts(n)) {
        let (text, j) = format_neigh(lab, n, &f);
        if opts.json {
            rows.push(j);
        } else {
            out.out(text);
        }
    }
    if opts.json {
        out.out(format!(
            "{}\n",
            super::common::json_text(&Value::Array(rows), opts.pretty)
        ));
    }
    Ok(0)
}

fn flush(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> Res<i32> {
    if args.is_empty() {
        return Err(Fail("Flush requires arguments.\n".into(), 1));
    }
    let mut f = parse_filter(args, true, opts, env, lab)?;
    let mut round = 0;
    loop {
        let victims: Vec<Neighbour> = entries(lab, env)
            .into_iter()
            .filter(|n| f.accepts(n))
            .collect();
        if victims.is_empty() {
            if opts.stats > 0 {
                if round == 0 {
                    out.out("Nothing to flush.\n");
                } else {
                    out.out(format!(
                        "*** Flush is complete after {round} round{} ***\n",
                        if round > 1 { "s" } else { "" }
                    ));
                }
            }
            return Ok(0);
        }
        for n in &victims {
            let name = lab.iface(n.dev).map_or(String::new(), |i| i.name.clone());
            let _ = lab.neigh_del(env.ns, &name, n.ip);
        }
        round += 1;
        if opts.stats > 0 {
            out.out(format!(
                "\n*** Round {round}, deleting {} entries ***\n",
                victims.len()
            ));
        }
        f.state &= !NUD_FAILED;
        if round >= 10 {
            out.out("*** Flush not complete bailing out after 10 rounds\n");
            return Ok(1);
        }
    }
}

fn get(args: &[String], opts: &Opts, env: &Env, lab: &Lab, out: &mut Output) -> Res<i32> {
    let mut dev = None;
    let mut dst: Option<IpAddr> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "dev" {
            dev = Some(next(args, &mut i)?);
        } else if a == "proxy" {
            next(args, &mut i)?;
        } else {
            let mut a = a;
            if a == "to" {
                a = next(args, &mut i)?;
            }
            dst = Some(parse_family(a, family(opts), "address")?);
        }
        i += 1;
    }
    let (Some(dev), Some(dst)) = (dev, dst) else {
        return Err(Fail(
            "Device and address are required arguments.\n".into(),
            255,
        ));
    };
    let link = dev_arg(lab, env, dev)?;
    let Some(n) = entries(lab, env)
        .into_iter()
        .find(|n| n.dev == link && n.ip == dst)
    else {
        return Err(Fail(
            "RTNETLINK answers: No such file or directory\n".into(),
            2,
        ));
    };
    let f = Filter {
        state: !0,
        dev: None,
        pfx: None,
        pfx6: None,
        v6: None,
    };
    let (text, j) = format_neigh(lab, &n, &f);
    if opts.json {
        out.out(format!(
            "{}\n",
            super::common::json_text(&Value::Array(vec![j]), opts.pretty)
        ));
    } else {
        out.out(text);
    }
    Ok(0)
}

/// Runs `ip neigh ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let r = match args.first().map(String::as_str) {
        None => show(&[], opts, env, lab, out),
        Some(c) => {
            let rest = &args[1..];
            if matches(c, "add") {
                modify(rest, Modify::Add, opts, env, lab)
            } else if matches(c, "change") || c == "chg" {
                modify(rest, Modify::Change, opts, env, lab)
            } else if matches(c, "replace") {
                modify(rest, Modify::Replace, opts, env, lab)
            } else if matches(c, "delete") {
                modify(rest, Modify::Delete, opts, env, lab)
            } else if matches(c, "get") {
                get(rest, opts, env, lab, out)
            } else if matches(c, "show") || matches(c, "lst") || matches(c, "list") {
                show(rest, opts, env, lab, out)
            } else if matches(c, "flush") {
                flush(rest, opts, env, lab, out)
            } else if matches(c, "help") {
                Err(Fail(USAGE.into(), 255))
            } else {
                Err(Fail(
                    format!("Command \"{c}\" is unknown, try \"ip neigh help\".\n"),
                    255,
                ))
            }
        }
    };
    match r {
        Ok(rc) => rc,
        Err(Fail(msg, rc)) => {
            out.err(msg);
            rc
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_sim::NsId;

    fn ip(lab: &mut Lab, args: &[&str]) -> (String, String, i32) {
        let env = Env {
            ns: NsId::INIT,
            ns_name: String::new(),
            pid: 1,
            tty: false,
        };
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        let rc = super::super::main(&argv, &env, lab, &mut out);
        (out.stdout, out.stderr, rc)
    }

    /// Outputs captured from iproute2 6.1 on Linux (irv0 10.1.1.1/24, up).
    #[test]
    fn add_show_flush() {
        let mut lab = Lab::new();
        lab.add_veth(NsId::INIT, "irv0", "irv1", None).unwrap();
        lab.set_link_up(NsId::INIT, "irv0", true).unwrap();
        let ok = (String::new(), String::new(), 0);
        let add = "neigh add 10.1.1.50 lladdr 02:00:00:00:00:50 dev irv0";
        assert_eq!(ip(&mut lab, &add.split(' ').collect::<Vec<_>>()), ok);
        assert_eq!(
            ip(&mut lab, &add.split(' ').collect::<Vec<_>>()),
            (String::new(), "RTNETLINK answers: File exists\n".into(), 2)
        );
        let noarp = "neigh add 10.1.1.52 lladdr 02:00:00:00:00:52 dev irv0 nud noarp";
        assert_eq!(ip(&mut lab, &noarp.split(' ').collect::<Vec<_>>()), ok);
        assert_eq!(
            ip(
                &mut lab,
                &["neigh", "add", "10.1.1.54", "lladdr", "zz", "dev", "irv0"]
            ),
            (String::new(), "\"zz\" is invalid lladdr.\n".into(), 1)
        );
        assert_eq!(
            ip(
                &mut lab,
                &["neigh", "add", "10.1.1.55", "lladdr", "02:00:00:00:00:55"]
            )
            .1,
            "Device and destination are required arguments.\n"
        );
        assert_eq!(
            ip(
                &mut lab,
                &[
                    "neigh",
                    "change",
                    "10.1.1.57",
                    "lladdr",
                    "02:00:00:00:00:57",
                    "dev",
                    "irv0"
                ]
            )
            .1,
            "RTNETLINK answers: No such file or directory\n"
        );
        assert_eq!(
            ip(&mut lab, &["neigh"]).0,
            "10.1.1.50 dev irv0 lladdr 02:00:00:00:00:50 PERMANENT \n"
        );
        assert_eq!(
            ip(
                &mut lab,
                &["-j", "neigh", "show", "dev", "irv0", "nud", "noarp"]
            )
            .0,
            "[{\"dst\":\"10.1.1.52\",\"lladdr\":\"02:00:00:00:00:52\",\"state\":[\"NOARP\"]}]\n"
        );
        assert_eq!(ip(&mut lab, &["neigh", "flush", "all"]), ok);
        assert_eq!(
            ip(&mut lab, &["neigh", "show", "nud", "all"])
                .0
                .lines()
                .count(),
            2
        );
        assert_eq!(
            ip(&mut lab, &["neigh", "flush"]),
            (String::new(), "Flush requires arguments.\n".into(), 1)
        );
    }
}
