//! `ip addr`: add, del, flush and show addresses (iproute2 6.1 ip/ipaddress.c: ipaddr_modify,
//! ipaddr_list_flush_or_save, print_addrinfo).

use std::net::Ipv4Addr;

use l2lab_fabric::LinkId;
use l2lab_sim::{IfAddr, Inet6Addr, Ipv4Net, Lab, LabError, Scope};

use super::common::{display_name, matches, operstate, Json};
use super::link::{
    brief_json, inet4, ipv6_addrs, link_json, link_text, parse_filter, select, Filter,
};
use super::Opts;
use crate::cmd::{Env, Output};

const USAGE: &str = "Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME [mngtmpaddr]
       ip address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ] ]
       ip address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
";

/// Runs `ip addr ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    lab.sync_operstates();
    let rc = dispatch(args, opts, env, lab, out);
    lab.sync_operstates();
    rc
}

fn dispatch(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(verb) = args.first().map(String::as_str) else {
        return show(&[], opts, env, lab, out);
    };
    let rest = &args[1..];
    if matches(verb, "add") {
        modify(rest, env, lab, out, false)
    } else if matches(verb, "delete") {
        modify(rest, env, lab, out, true)
    } else if matches(verb, "list") || matches(verb, "show") || matches(verb, "lst") {
        show(rest, opts, env, lab, out)
    } else if matches(verb, "flush") {
        flush(rest, opts, env, lab, out)
    } else if matches(verb, "help") {
        out.err(USAGE);
        255
    } else {
        out.err(format!(
            "Command \"{verb}\" is unknown, try \"ip address help\".\n"
        ));
        255
    }
}

/// get_addr_ipv4: one to four dotted parts, each read by strtoul in base 0 (so `010` is
/// octal), the missing ones zero.
fn parse_ipv4(s: &str) -> Option<Ipv4Addr> {
    super::route::parse_addr(s)
}

/// get_prefix for IPv4: `A`, `A/LEN` or `A/MASK`; the flag says whether a length was given.
fn parse_prefix(s: &str) -> Option<(Ipv4Net, bool)> {
    let (a, p) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr = parse_ipv4(a)?;
    let prefix = match p {
        None => return Some((Ipv4Net { addr, prefix: 32 }, false)),
        Some(p) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => {
            p.parse::<u8>().ok()?
        }
        Some(p) => {
            let m = u32::from(parse_ipv4(p)?);
            let len = m.leading_ones();
            if m.checked_shl(len).unwrap_or(0) != 0 {
                return None;
            }
            len as u8
        }
    };
    Ipv4Net::new(addr, prefix).map(|n| (n, true))
}

fn scope_of(s: &str) -> Option<Scope> {
    match s {
        "global" | "universe" | "0" => Some(Scope::Global),
        "link" | "253" => Some(Scope::Link),
        "host" | "254" => Some(Scope::Host),
        _ => None,
    }
}

/// What `ip addr add|del` was asked.
#[derive(Debug, Default, PartialEq)]
struct AddrReq {
    local: Option<(Ipv4Net, bool)>,
    /// `brd ADDR`, or `+` (-1) / `-` (-2) as ip encodes them.
    brd: Option<Result<Ipv4Addr, i8>>,
    scope: Option<Scope>,
    dev: Option<String>,
    label: Option<String>,
}

fn parse_modify(args: &[String]) -> Result<AddrReq, (String, i32)> {
    let mut r = AddrReq::default();
    let mut i = 0;
    let incomplete = || {
        (
            "Command line is not complete. Try option \"help\"\n".to_string(),
            255,
        )
    };
    while i < args.len() {
        let a = args[i].as_str();
        let mut next = || {
            i += 1;
            args.get(i).cloned().ok_or_else(incomplete)
        };
        if matches(a, "broadcast") || a == "brd" {
            let v = next()?;
            if r.brd.is_some() {
                return Err((
                    format!("Error: duplicate \"broadcast\": \"{v}\" is the second value.\n"),
                    255,
                ));
            }
            r.brd = Some(match v.as_str() {
                "+" => Err(-1),
                "-" => Err(-2),
                _ => Ok(parse_ipv4(&v).ok_or_else(|| {
                    (
                        format!("Error: inet address is expected rather than \"{v}\".\n"),
                        1,
                    )
                })?),
            });
        } else if a == "scope" {
            let v = next()?;
            r.scope = Some(scope_of(&v).ok_or_else(|| {
                (
                    format!("Error: argument \"{v}\" is wrong: invalid scope value.\n"),
                    255,
                )
            })?);
        } else if a == "dev" {
            r.dev = Some(next()?);
        } else if a == "label" {
            r.label = Some(next()?);
        } else if matches(a, "valid_lft") || matches(a, "preferred_lft") || matches(a, "metric") {
            next()?;
        } else if ["home", "nodad", "noprefixroute", "autojoin", "mngtmpaddr"].contains(&a) {
        } else {
            let v = if a == "local" { next()? } else { a.to_string() };
            if r.local.is_some() {
                return Err((
                    format!("Error: either \"local\" is duplicate, or \"{v}\" is a garbage.\n"),
                    255,
                ));
            }
            r.local = Some(parse_prefix(&v).ok_or_else(|| {
                (
                    format!("Error: any valid prefix is expected rather than \"{v}\".\n"),
                    1,
                )
            })?);
        }
        i += 1;
    }
    Ok(r)
}

/// `ip addr add|del ADDR[/LEN] dev X [nodad]` for an IPv6 address (inet6_rtm_newaddr,
/// inet6_rtm_deladdr); `None` when the arguments are not that.
fn modify6(args: &[String], env: &Env, lab: &mut Lab, out: &mut Output, del: bool) -> Option<i32> {
    let (mut local, mut dev) = (None, None);
    let mut o = l2lab_sim::Addr6Opts::default();
    let (mut valid, mut preferred) = (None, None);
    let mut autojoin = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "dev" => dev = Some(it.next()?.clone()),
            "nodad" => o.nodad = true,
            "noprefixroute" => o.noprefixroute = true,
            "home" => o.home = true,
            "mngtmpaddr" => o.mngtmpaddr = true,
            // Without the optimistic_dad sysctl the kernel drops the flag: DAD as usual.
            "optimistic" => {}
            "autojoin" => autojoin = true,
            "valid_lft" | "preferred_lft" => {
                let v = it.next()?;
                // iproute2's set_lifetime: `forever` or a u32, where 0xffffffff is forever too.
                let n = if v == "forever" {
                    u32::MAX
                } else {
                    match v.parse::<u32>() {
                        Ok(n) => n,
                        Err(_) => {
                            out.err(format!("Error: argument \"{v}\" is wrong: {a} value\n"));
                            return Some(255);
                        }
                    }
                };
                if a == "valid_lft" {
                    valid = Some(n);
                } else {
                    preferred = Some(n);
                }
            }
            "local" => local = Some(it.next()?.clone()),
            s if s.contains(':') && local.is_none() => local = Some(s.to_string()),
            _ => return None,
        }
    }
    if !del && (valid.is_some() || preferred.is_some()) {
        let (v, p) = (valid.unwrap_or(u32::MAX), preferred.unwrap_or(u32::MAX));
        if v == 0 {
            out.err("valid_lft is zero\n");
            return Some(1);
        }
        if p > v {
            out.err("preferred_lft is greater than valid_lft\n");
            return Some(1);
        }
        o.valid_lft = (v != u32::MAX).then_some(v);
        o.preferred_lft = (p != u32::MAX).then_some(p);
    }
    let local = local?;
    let (a, p) = match local.split_once('/') {
        Some((a, p)) => (a, p.parse::<u8>().ok().filter(|p| *p <= 128)),
        None => (local.as_str(), Some(128)),
    };
    let (Ok(addr), Some(prefix)) = (a.parse::<std::net::Ipv6Addr>(), p) else {
        out.err(format!(
            "Error: inet6 prefix is expected rather than \"{local}\".\n"
        ));
        return Some(1);
    };
    // Joining a multicast group as an address (IFA_F_MCAUTOJOIN) is not modelled.
    if autojoin {
        if addr.is_multicast() {
            return None;
        }
        out.err("autojoin needs multicast address\n");
        return Some(1);
    }
    let Some(dev) = dev else {
        out.err("Not enough information: \"dev\" argument is required.\n");
        return Some(1);
    };
    let Ok(id) = lab.link_by_name(env.ns, &dev) else {
        out.err(format!("Cannot find device \"{dev}\"\n"));
        return Some(1);
    };
    let r = if del {
        lab.addr6_del(id, addr, prefix)
    } else {
        lab.addr6_add_with(id, addr, prefix, o)
    };
    Some(match r {
        Ok(()) => 0,
        Err(LabError::Exists(_)) => {
            out.err("Error: ipv6: address already assigned.\n");
            2
        }
        Err(LabError::NotFound(_)) => {
            out.err("Error: ipv6: address not found.\n");
            2
        }
        Err(_) => {
            out.err("RTNETLINK answers: Invalid argument\n");
            2
        }
    })
}

fn modify(args: &[String], env: &Env, lab: &mut Lab, out: &mut Output, del: bool) -> i32 {
    if let Some(rc) = modify6(args, env, lab, out, del) {
        return rc;
    }
    let r = match parse_modify(args) {
        Ok(r) => r,
        Err((m, rc)) => {
            out.err(m);
            return rc;
        }
    };
    let Some(dev) = r.dev.clone() else {
        out.err("Not enough information: \"dev\" argument is required.\n");
        return 1;
    };
    if let (true, Some((net, false))) = (del, r.local) {
        out.err(format!(
            "Warning: Executing wildcard deletion to stay compatible with old scripts.
         Explicitly specify the prefix length ({}/32) to avoid this warning.
         This special behaviour is likely to disappear in further releases,
         fix your scripts!\n",
            net.addr
        ));
    }
    let Ok(id) = lab.link_by_name(env.ns, &dev) else {
        out.err(format!("Cannot find device \"{dev}\"\n"));
        return 1;
    };
    let Some((net, given)) = r.local else {
        out.err("RTNETLINK answers: Operation not supported\n");
        return 2;
    };
    if del {
        return match lab.addr_del(env.ns, &dev, net, given) {
            Ok(()) => 0,
            Err(_) => {
                out.err("Error: ipv4: Address not found.\n");
                2
            }
        };
    }
    let brd = match r.brd {
        None => None,
        Some(Ok(b)) => Some(b),
        Some(Err(_)) if net.prefix > 30 => None,
        Some(Err(-1)) => Some(net.broadcast()),
        Some(Err(_)) => Some(net.network()),
    };
    match lab.addr_add_full(id, net, brd, r.scope, r.label.as_deref()) {
        Ok(()) => 0,
        Err(LabError::Exists(_)) => {
            out.err("Error: ipv4: Address already assigned.\n");
            2
        }
        Err(_) => {
            out.err("RTNETLINK answers: Invalid argument\n");
            2
        }
    }
}

/// Does an IPv4 address pass the listing filter?
fn addr_ok(a: &IfAddr, f: &Filter) -> bool {
    f.scope.is_none_or(|s| s == a.scope)
        && f.label.as_deref().is_none_or(|l| label_match(l, &a.label))
}

/// A label pattern with `*` wildcards (fnmatch as iproute2 uses it).
fn label_match(pat: &str, s: &str) -> bool {
    match pat.split_once('*') {
        None => pat == s,
        Some((head, tail)) => {
            s.starts_with(head) && {
                let rest = &s[head.len()..];
                (0..=rest.len()).any(|k| rest.is_char_boundary(k) && label_match(tail, &rest[k..]))
            }
        }
    }
}

/// The addresses of one device that the options and filter select.
struct Shown {
    v4: Vec<IfAddr>,
    v6: Vec<Inet6Addr>,
    /// The device has no address at all (kept in listings without a family).
    none: bool,
}

fn shown(lab: &Lab, l: LinkId, opts: &Opts, f: &Filter) -> Shown {
    let all4 = inet4(lab, l);
    let all6 = ipv6_addrs(lab, l);
    let none = all4.is_empty() && all6.is_empty();
    let v4 = if opts.inet6 {
        Vec::new()
    } else {
        all4.into_iter().filter(|a| addr_ok(a, f)).collect()
    };
    let v6 = if opts.inet4 || f.label.is_some() {
        Vec::new()
    } else {
        all6.into_iter()
            .filter(|a| f.scope.is_none_or(|x| x == a.scope))
            .collect()
    };
    Shown { v4, v6, none }
}

fn show(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
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
    super::link::alloc_nsids(lab, &links);
    let family = opts.inet4 || opts.inet6;
    let list: Vec<(LinkId, Shown)> = links
        .into_iter()
        .map(|l| (l, shown(lab, l, opts, &f)))
        .filter(|(_, s)| !s.v4.is_empty() || !s.v6.is_empty() || (s.none && !family))
        .collect();
    // With `dev X`, ipaddr_list asks for that one device (RTM_GETLINK), whose answer has the
    // full link line; a dump with -6 goes to the kernel's inet6 link dump, which has less.
    let link_opts = if opts.inet6 && f.dev.is_some() {
        Opts {
            inet6: false,
            inet4: true,
            ..opts.clone()
        }
    } else {
        opts.clone()
    };
    if opts.json {
        let mut j = Json::new(opts.pretty);
        j.start_array();
        for (l, s) in &list {
            j.start_object();
            if opts.brief {
                brief_json(lab, *l, false, &mut j);
            } else {
                link_json(lab, *l, &link_opts, false, &mut j);
            }
            j.name("addr_info");
            j.start_array();
            for a in s.v4.iter().filter(|_| opts.brief) {
                j.start_object();
                j.str("local", &a.net.addr.to_string());
                j.int("prefixlen", a.net.prefix);
                j.end_object();
            }
            for a in s.v6.iter().filter(|_| opts.brief) {
                j.start_object();
                j.str("local", &a.addr.to_string());
                j.int("prefixlen", a.prefix);
                j.end_object();
            }
            for a in s.v4.iter().filter(|_| !opts.brief) {
                j.start_object();
                j.str("family", "inet");
                j.str("local", &a.net.addr.to_string());
                j.int("prefixlen", a.net.prefix);
                if let Some(b) = a.broadcast {
                    j.str("broadcast", &b.to_string());
                }
                j.str("scope", a.scope.as_str());
                if a.secondary {
                    j.int("secondary", "true");
                }
                j.str("label", &a.label);
                j.int("valid_life_time", 4294967295u32);
                j.int("preferred_life_time", 4294967295u32);
                j.end_object();
            }
            for a in s.v6.iter().filter(|_| !opts.brief) {
                let now = lab.now();
                j.start_object();
                j.str("family", "inet6");
                j.str("local", &a.addr.to_string());
                j.int("prefixlen", a.prefix);
                j.str("scope", a.scope.as_str());
                for f in flags6(a, now) {
                    j.int(f, "true");
                }
                j.int(
                    "valid_life_time",
                    a.life.valid_left(now).unwrap_or(u32::MAX),
                );
                j.int(
                    "preferred_life_time",
                    a.life.preferred_left(now).unwrap_or(u32::MAX),
                );
                j.end_object();
            }
            j.end_array();
            j.end_object();
        }
        j.end_array();
        out.out(format!("{}\n", j.out));
        return 0;
    }
    for (l, s) in list {
        if opts.brief {
            let mut line = format!("{:<16} {:<14} ", display_name(lab, l), operstate(lab, l));
            for a in &s.v4 {
                line.push_str(&format!("{} ", a.net));
            }
            for a in &s.v6 {
                line.push_str(&format!("{}/{} ", a.addr, a.prefix));
            }
            out.out(format!("{line}\n"));
            continue;
        }
        let (idx, name) = lab
            .iface(l)
            .map(|i| (i.ifindex, i.name.clone()))
            .unwrap_or_default();
        let lines = addr_lines(&s, opts.oneline, lab.now());
        if opts.oneline {
            for a in lines {
                out.out(format!("{idx}: {name}{a}\n"));
            }
        } else {
            out.out(link_text(lab, l, &link_opts, false));
            out.out("\n");
            for a in lines {
                out.out(format!("{a}\n"));
            }
        }
    }
    0
}

/// print_ifa_flags: an IPv6 address's flags in the order of iproute2's table, `dynamic`
/// standing for the absence of IFA_F_PERMANENT.
fn flags6(a: &Inet6Addr, now: std::time::Duration) -> Vec<&'static str> {
    let mut f = Vec::new();
    if a.nodad {
        f.push("nodad");
    }
    if a.dadfailed {
        f.push("dadfailed");
    }
    if a.life.home {
        f.push("home");
    }
    if a.life.deprecated(now) {
        f.push("deprecated");
    }
    if a.tentative {
        f.push("tentative");
    }
    if a.life.dynamic() {
        f.push("dynamic");
    }
    if a.life.mngtmpaddr {
        f.push("mngtmpaddr");
    }
    if a.life.noprefixroute {
        f.push("noprefixroute");
    }
    if a.life.stable_privacy {
        f.push("stable-privacy");
    }
    f
}

/// print_addrinfo's lines for a device's addresses (lifetimes as left at `now`), each
/// without its final newline.
fn addr_lines(s: &Shown, oneline: bool, now: std::time::Duration) -> Vec<String> {
    let nl = if oneline { "\\" } else { "\n" };
    let life = "       valid_lft forever preferred_lft forever";
    let mut v = Vec::new();
    for a in &s.v4 {
        let mut t = format!("    inet {} ", a.net);
        if let Some(b) = a.broadcast {
            t.push_str(&format!("brd {b} "));
        }
        t.push_str(&format!("scope {} ", a.scope.as_str()));
        if a.secondary {
            t.push_str("secondary ");
        }
        t.push_str(&a.label);
        v.push(format!("{t}{nl}{life}"));
    }
    for a in &s.v6 {
        let mut flags = String::new();
        for f in flags6(a, now) {
            flags.push_str(f);
            flags.push(' ');
        }
        let secs = |x: Option<u32>| x.map_or("forever".to_string(), |n| format!("{n}sec"));
        v.push(format!(
            "    inet6 {}/{} scope {} {flags}{nl}       valid_lft {} preferred_lft {}",
            a.addr,
            a.prefix,
            a.scope.as_str(),
            secs(a.life.valid_left(now)),
            secs(a.life.preferred_left(now)),
        ));
    }
    v
}

fn flush(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    if args.is_empty() {
        out.err("Flush requires arguments.\n");
        return 1;
    }
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
    if opts.inet6 {
        return 0;
    }
    for l in links {
        let Some(name) = lab.iface(l).map(|i| i.name.clone()) else {
            continue;
        };
        for a in inet4(lab, l).into_iter().filter(|a| addr_ok(a, &f)) {
            // A primary takes its secondaries along; those are gone when their turn comes.
            let _ = lab.addr_del(env.ns, &name, a.net, true);
        }
    }
    0
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn prefixes_as_ip_reads_them() {
        let p = |s: &str| parse_prefix(s).map(|(n, g)| (n.to_string(), g));
        assert_eq!(p("10.0.1.1/24"), Some(("10.0.1.1/24".into(), true)));
        assert_eq!(p("10.0.1.9"), Some(("10.0.1.9/32".into(), false)));
        assert_eq!(
            p("10.0.1.1/255.255.0.0"),
            Some(("10.0.1.1/16".into(), true))
        );
        assert_eq!(p("10.0.0.1/33"), None);
        assert_eq!(p("10.0.300.1/24"), None);
        assert_eq!(p("10.0.9.9/x"), None);
    }

    #[test]
    fn modify_errors() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Measured on iproute2 6.1.
        assert_eq!(
            parse_modify(&v(&["10.0.0.1/33", "dev", "x"])).unwrap_err(),
            (
                "Error: any valid prefix is expected rather than \"10.0.0.1/33\".\n".into(),
                1
            )
        );
        assert_eq!(
            parse_modify(&v(&["10.0.5.1/24", "dev", "x", "scope", "foo"])).unwrap_err(),
            (
                "Error: argument \"foo\" is wrong: invalid scope value.\n".into(),
                255
            )
        );
        assert_eq!(
            parse_modify(&v(&["10.0.9.9/24", "dev", "x", "foo"])).unwrap_err(),
            (
                "Error: either \"local\" is duplicate, or \"foo\" is a garbage.\n".into(),
                255
            )
        );
    }

    #[test]
    fn address_lines() {
        // `ip addr` and `ip -o addr` on Linux 6.18 / iproute2 6.1.
        let s = Shown {
            v4: vec![IfAddr {
                net: "10.0.1.5/24".parse().unwrap(),
                broadcast: None,
                scope: Scope::Global,
                label: "iav1".into(),
                secondary: true,
            }],
            v6: vec![Inet6Addr::new(
                "fe80::b853:47ff:fe6a:c5c0".parse().unwrap(),
                64,
            )],
            none: false,
        };
        assert_eq!(
            addr_lines(&s, false, std::time::Duration::ZERO),
            vec![
                "    inet 10.0.1.5/24 scope global secondary iav1\n       valid_lft forever preferred_lft forever",
                "    inet6 fe80::b853:47ff:fe6a:c5c0/64 scope link \n       valid_lft forever preferred_lft forever",
            ]
        );
        assert_eq!(
            addr_lines(&s, true, std::time::Duration::ZERO)[0],
            "    inet 10.0.1.5/24 scope global secondary iav1\\       valid_lft forever preferred_lft forever"
        );
    }
}
