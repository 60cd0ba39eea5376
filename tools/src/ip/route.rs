//! `ip route`: show, add, change, replace, append, del, flush and get routes (iproute2 6.1,
//! ip/iproute.c). The main table holds the connected routes the lab derives from addresses and
//! the user's routes; the local table is derived from the addresses of interfaces that are up,
//! as the kernel's fib_add_ifaddr fills it.

use std::net::Ipv4Addr;

use l2lab_fabric::LinkId;
use l2lab_sim::api_ipr::{RouteAddMode, RouteMatch, RouteSpec};
use l2lab_sim::{Ipv4Net, Lab, LabError, Route, RouteProto, Scope};
use serde_json::{json, Map, Value};

use super::common::matches;
use super::Opts;
use crate::cmd::{Env, Output};

const USAGE: &str = "Usage: ip route { list | flush } SELECTOR
       ip route save SELECTOR
       ip route restore
       ip route showdump
       ip route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ] [ vrf NAME ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
             [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 | mpls | bridge | link ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn
ENCAPTYPE := [ mpls | ip | ip6 | seg6 | seg6local | rpl | ioam6 | xfrm ]
ENCAPHDR := [ MPLSLABEL | SEG6HDR | SEG6LOCAL | IOAM6HDR | XFRMINFO ]
SEG6HDR := [ mode SEGMODE ] segs ADDR1,ADDRi,ADDRn [hmac HMACKEYID] [cleanup]
SEGMODE := [ encap | encap.red | inline | l2encap | l2encap.red ]
SEG6LOCAL := action ACTION [ OPTIONS ] [ count ]
ACTION := { End | End.X | End.T | End.DX2 | End.DX6 | End.DX4 |
            End.DT6 | End.DT4 | End.DT46 | End.B6 | End.B6.Encaps |
            End.BM | End.S | End.AS | End.AM | End.BPF }
OPTIONS := OPTION [ OPTIONS ]
OPTION := { flavors FLAVORS | srh SEG6HDR | nh4 ADDR | nh6 ADDR | iif DEV | oif DEV |
            table TABLEID | vrftable TABLEID | endpoint PROGNAME }
FLAVORS := { FLAVOR[,FLAVOR] }
FLAVOR := { psp | usp | usd | next-csid }
IOAM6HDR := trace prealloc type IOAM6_TRACE_TYPE ns IOAM6_NAMESPACE size IOAM6_TRACE_SIZE
XFRMINFO := if_id IF_ID [ link_dev LINK ]
ROUTE_GET_FLAGS := [ fibmatch ]
";

const RT_TABLE_MAIN: u32 = 254;
const RT_TABLE_LOCAL: u32 = 255;
const SCOPE_GLOBAL: u8 = 0;
const SCOPE_LINK: u8 = 253;
const SCOPE_HOST: u8 = 254;
const PROTO_KERNEL: u8 = 2;
const PROTO_BOOT: u8 = 3;

/// A command-line failure: message for stderr and exit status.
pub(super) struct Fail(pub(super) String, pub(super) i32);

pub(super) type Res<T> = Result<T, Fail>;

pub(super) fn usage() -> Fail {
    Fail(USAGE.to_string(), 255)
}

pub(super) fn incomplete() -> Fail {
    Fail(
        "Command line is not complete. Try option \"help\"\n".to_string(),
        255,
    )
}

pub(super) fn invarg(msg: &str, arg: &str) -> Fail {
    Fail(format!("Error: argument \"{arg}\" is wrong: {msg}\n"), 255)
}

/// iproute2's get_addr_ipv4: one to four dot-separated numbers (C base rules), the rest zero.
pub fn parse_addr(s: &str) -> Option<Ipv4Addr> {
    let mut b = [0u8; 4];
    let mut rest = s;
    for (i, slot) in b.iter_mut().enumerate() {
        let (num, tail) = match rest.find('.') {
            Some(p) => (&rest[..p], Some(&rest[p + 1..])),
            None => (rest, None),
        };
        *slot = u8::try_from(parse_c_ulong(num)?).ok()?;
        match tail {
            None => return Some(Ipv4Addr::from(b)),
            Some(_) if i == 3 => return None,
            Some(t) => rest = t,
        }
    }
    None
}

/// strtoul(s, _, 0) that must consume everything: hex with 0x, octal with a leading 0.
pub(super) fn parse_c_ulong(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    }
}

/// iproute2's get_prefix for inet: `default`/`all`/`any`, or ADDR[/LEN|/MASK].
pub fn parse_prefix(s: &str) -> Option<Ipv4Net> {
    if s == "default" || s == "all" || s == "any" {
        return Some(Ipv4Net {
            addr: Ipv4Addr::UNSPECIFIED,
            prefix: 0,
        });
    }
    let (a, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr = parse_addr(a)?;
    let prefix = match len {
        None => 32,
        Some(l) => match parse_c_ulong(l) {
            Some(n) if n <= 32 => n as u8,
            Some(_) => return None,
            None => l2lab_sim::stack::addr::mask_to_prefix(parse_addr(l)?)?,
        },
    };
    Some(Ipv4Net { addr, prefix })
}

fn prefix_arg(s: &str) -> Res<Ipv4Net> {
    parse_prefix(s).ok_or_else(|| {
        Fail(
            format!("Error: any valid prefix is expected rather than \"{s}\".\n"),
            1,
        )
    })
}

fn table_id(s: &str) -> Option<u32> {
    match s {
        "main" => Some(RT_TABLE_MAIN),
        "local" => Some(RT_TABLE_LOCAL),
        "default" => Some(253),
        "unspec" => Some(0),
        _ => parse_c_ulong(s).and_then(|n| u32::try_from(n).ok()),
    }
}

fn table_name(t: u32) -> String {
    match t {
        RT_TABLE_MAIN => "main".into(),
        RT_TABLE_LOCAL => "local".into(),
        253 => "default".into(),
        n => n.to_string(),
    }
}

const PROTOS: &[(u8, &str)] = &[
    (0, "unspec"),
    (1, "redirect"),
    (2, "kernel"),
    (3, "boot"),
    (4, "static"),
    (8, "gated"),
    (9, "ra"),
    (10, "mrt"),
    (11, "zebra"),
    (12, "bird"),
    (13, "dnrouted"),
    (14, "xorp"),
    (15, "ntk"),
    (16, "dhcp"),
    (18, "keepalived"),
    (42, "babel"),
    (99, "openr"),
    (186, "bgp"),
    (187, "isis"),
    (188, "ospf"),
    (189, "rip"),
    (192, "eigrp"),
];

pub(super) fn proto_id(s: &str) -> Option<u8> {
    PROTOS
        .iter()
        .find(|(_, n)| *n == s)
        .map(|(i, _)| *i)
        .or_else(|| parse_c_ulong(s).and_then(|n| u8::try_from(n).ok()))
}

pub(super) fn proto_name(p: u8) -> String {
    PROTOS
        .iter()
        .find(|(i, _)| *i == p)
        .map_or_else(|| p.to_string(), |(_, n)| n.to_string())
}

pub(super) fn proto_num(p: RouteProto) -> u8 {
    match p {
        RouteProto::Kernel => PROTO_KERNEL,
        RouteProto::Boot => PROTO_BOOT,
        RouteProto::Static => 4,
        RouteProto::Other(n) => n,
    }
}

pub(super) fn proto_of(n: u8) -> RouteProto {
    match n {
        PROTO_KERNEL => RouteProto::Kernel,
        PROTO_BOOT => RouteProto::Boot,
        4 => RouteProto::Static,
        n => RouteProto::Other(n),
    }
}

fn scope_id(s: &str) -> Option<u8> {
    match s {
        "global" => Some(SCOPE_GLOBAL),
        "site" => Some(200),
        "link" => Some(SCOPE_LINK),
        "host" => Some(SCOPE_HOST),
        "nowhere" => Some(255),
        _ => parse_c_ulong(s).and_then(|n| u8::try_from(n).ok()),
    }
}

fn scope_name(s: u8) -> String {
    match s {
        SCOPE_GLOBAL => "global".into(),
        200 => "site".into(),
        SCOPE_LINK => "link".into(),
        SCOPE_HOST => "host".into(),
        255 => "nowhere".into(),
        n => n.to_string(),
    }
}

fn scope_num(s: Scope) -> u8 {
    match s {
        Scope::Global => SCOPE_GLOBAL,
        Scope::Link => SCOPE_LINK,
        Scope::Host => SCOPE_HOST,
    }
}

fn scope_of(n: u8) -> Option<Scope> {
    match n {
        SCOPE_GLOBAL => Some(Scope::Global),
        SCOPE_LINK => Some(Scope::Link),
        SCOPE_HOST => Some(Scope::Host),
        _ => None,
    }
}

const TYPES: &[&str] = &[
    "unspec",
    "unicast",
    "local",
    "broadcast",
    "anycast",
    "multicast",
    "blackhole",
    "unreachable",
    "prohibit",
    "throw",
    "nat",
    "xresolve",
];

fn is_type(s: &str) -> bool {
    TYPES.contains(&s)
}

/// A route as listed: either table.
#[derive(Debug, Clone)]
struct Shown {
    typ: &'static str,
    dst: Ipv4Net,
    gateway: Option<Ipv4Addr>,
    dev: LinkId,
    table: u32,
    proto: u8,
    scope: u8,
    src: Option<Ipv4Addr>,
    metric: u32,
    linkdown: bool,
}

impl Shown {
    fn from_main(r: &Route) -> Shown {
        Shown {
            typ: "unicast",
            dst: r.dst,
            gateway: r.gateway,
            dev: r.dev,
            table: RT_TABLE_MAIN,
            proto: proto_num(r.proto),
            scope: scope_num(r.scope),
            src: r.src,
            metric: r.metric,
            linkdown: r.linkdown,
        }
    }
}

/// The local table, as fib_add_ifaddr fills it for every address of an interface that is up:
/// `local` for the address (and the whole prefix on `lo`), `broadcast` for the broadcast
/// address and the prefix's own broadcast.
fn local_table(lab: &Lab, ns: l2lab_sim::NsId) -> Vec<Shown> {
    let mut v: Vec<Shown> = Vec::new();
    let push = |v: &mut Vec<Shown>, s: Shown| {
        if !v.iter().any(|x| x.typ == s.typ && x.dst == s.dst) {
            v.push(s);
        }
    };
    for l in lab.links(ns) {
        let Some(link) = lab.fabric().link(l) else {
            continue;
        };
        if !link.admin_up {
            continue;
        }
        let is_lo = matches!(link.kind, l2lab_fabric::LinkKind::Loopback);
        let Some(i) = lab.iface(l) else { continue };
        for a in &i.addrs {
            let prim = if a.secondary {
                i.addrs
                    .iter()
                    .find(|p| !p.secondary && p.net.trunc().contains(a.net.addr))
                    .map_or(a.net.addr, |p| p.net.addr)
            } else {
                a.net.addr
            };
            let mk = |typ: &'static str, dst: Ipv4Net, scope: u8| Shown {
                typ,
                dst,
                gateway: None,
                dev: l,
                table: RT_TABLE_LOCAL,
                proto: PROTO_KERNEL,
                scope,
                src: Some(prim),
                metric: 0,
                linkdown: false,
            };
            push(
                &mut v,
                mk(
                    "local",
                    Ipv4Net::new(a.net.addr, 32).unwrap_or(a.net),
                    SCOPE_HOST,
                ),
            );
            if let Some(b) = a.broadcast.filter(|b| *b != Ipv4Addr::BROADCAST) {
                push(
                    &mut v,
                    mk(
                        "broadcast",
                        Ipv4Net {
                            addr: b,
                            prefix: 32,
                        },
                        SCOPE_LINK,
                    ),
                );
            }
            let net = a.net.trunc();
            if !a.secondary
                && net.addr.octets()[0] != 0
                && (net.addr != a.net.addr || a.net.prefix < 32)
            {
                if is_lo {
                    push(&mut v, mk("local", net, SCOPE_HOST));
                }
                if a.net.prefix < 31 {
                    let b = Ipv4Net {
                        addr: a.net.broadcast(),
                        prefix: 32,
                    };
                    push(&mut v, mk("broadcast", b, SCOPE_LINK));
                }
            }
        }
    }
    v.sort_by(|a, b| {
        u32::from(a.dst.addr)
            .cmp(&u32::from(b.dst.addr))
            .then(b.dst.prefix.cmp(&a.dst.prefix))
    });
    v
}

/// The selector of `ip route show/flush`, and what it hides from the listing.
#[derive(Debug, Default)]
struct Filter {
    /// None: all tables.
    table: Option<u32>,
    proto: Option<u8>,
    scope: Option<u8>,
    typ: Option<String>,
    dev: Option<LinkId>,
    via: Option<Ipv4Net>,
    src: Option<Ipv4Net>,
    metric: Option<u32>,
    rdst: Option<Ipv4Net>,
    mdst: Option<Ipv4Net>,
}

fn bits_match(a: Ipv4Addr, b: Ipv4Addr, bits: u8) -> bool {
    let m = l2lab_sim::stack::addr::mask_bits(bits);
    u32::from(a) & m == u32::from(b) & m
}

impl Filter {
    fn accepts(&self, r: &Shown) -> bool {
        self.table.is_none_or(|t| t == r.table)
            && self.proto.is_none_or(|p| p == r.proto)
            && self.scope.is_none_or(|s| s == r.scope)
            && self.typ.as_deref().is_none_or(|t| t == r.typ)
            && self.dev.is_none_or(|d| d == r.dev)
            && self.metric.is_none_or(|m| m == r.metric)
            && self.rdst.is_none_or(|f| {
                f.prefix <= r.dst.prefix && bits_match(r.dst.addr, f.addr, f.prefix)
            })
            && self.mdst.is_none_or(|f| {
                f.prefix >= r.dst.prefix && bits_match(r.dst.addr, f.addr, r.dst.prefix)
            })
            && self.via.is_none_or(|f| {
                bits_match(r.gateway.unwrap_or(Ipv4Addr::UNSPECIFIED), f.addr, f.prefix)
            })
            && self.src.is_none_or(|f| {
                bits_match(r.src.unwrap_or(Ipv4Addr::UNSPECIFIED), f.addr, f.prefix)
            })
    }
}

fn dst_text(dst: Ipv4Net) -> String {
    if dst.prefix == 0 {
        "default".into()
    } else if dst.prefix == 32 {
        dst.addr.to_string()
    } else {
        dst.to_string()
    }
}

/// print_route: the text line and the JSON object of one route.
fn format_route(lab: &Lab, r: &Shown, f: &Filter, opts: &Opts) -> (String, Value) {
    let mut s = String::new();
    let mut j = Map::new();
    let details = opts.details;
    if r.typ != "unicast" || details {
        s += &format!("{} ", r.typ);
        j.insert("type".into(), json!(r.typ));
    }
    let dst = dst_text(r.dst);
    s += &format!("{dst} ");
    j.insert("dst".into(), json!(dst));
    if let Some(g) = r.gateway.filter(|_| f.via.is_none_or(|v| v.prefix != 32)) {
        s += &format!("via {g} ");
        j.insert("gateway".into(), json!(g.to_string()));
    }
    if f.dev.is_none() {
        let name = lab.iface(r.dev).map_or(String::new(), |i| i.name.clone());
        s += &format!("dev {name} ");
        j.insert("dev".into(), json!(name));
    }
    if (r.table != RT_TABLE_MAIN || details) && f.table.is_none() {
        s += &format!("table {} ", table_name(r.table));
        j.insert("table".into(), json!(table_name(r.table)));
    }
    if (r.proto != PROTO_BOOT || details) && f.proto.is_none() {
        s += &format!("proto {} ", proto_name(r.proto));
        j.insert("protocol".into(), json!(proto_name(r.proto)));
    }
    if (r.scope != SCOPE_GLOBAL || details) && f.scope.is_none() {
        s += &format!("scope {} ", scope_name(r.scope));
        j.insert("scope".into(), json!(scope_name(r.scope)));
    }
    if let Some(src) = r.src.filter(|_| f.src.is_none_or(|v| v.prefix != 32)) {
        s += &format!("src {src} ");
        j.insert("prefsrc".into(), json!(src.to_string()));
    }
    if r.metric != 0 && f.metric.is_none() {
        s += &format!("metric {} ", r.metric);
        j.insert("metric".into(), json!(r.metric));
    }
    let mut flags = Vec::new();
    if r.linkdown {
        s += "linkdown ";
        flags.push(json!("linkdown"));
    }
    j.insert("flags".into(), Value::Array(flags));
    s.push('\n');
    (s, Value::Object(j))
}

pub(super) fn next<'a>(args: &'a [String], i: &mut usize) -> Res<&'a str> {
    *i += 1;
    args.get(*i).map(String::as_str).ok_or_else(incomplete)
}

pub(super) fn dev_arg(lab: &Lab, env: &Env, name: &str) -> Res<LinkId> {
    lab.link_by_name(env.ns, name)
        .map_err(|_| Fail(format!("Cannot find device \"{name}\"\n"), 1))
}

fn parse_filter(args: &[String], env: &Env, lab: &Lab) -> Res<Filter> {
    let mut f = Filter {
        table: Some(RT_TABLE_MAIN),
        ..Default::default()
    };
    let mut dev = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches(a, "table") {
            let v = next(args, &mut i)?;
            match table_id(v) {
                Some(t) => f.table = Some(t),
                None if v == "all" => f.table = None,
                None if v == "cache" => f.table = Some(u32::MAX),
                None if v == "help" => return Err(usage()),
                None => return Err(invarg("table id value is invalid\n", v)),
            }
        } else if matches(a, "cached") || matches(a, "cloned") {
            f.table = Some(u32::MAX);
        } else if a == "tos" || matches(a, "dsfield") || matches(a, "realms") || a == "mark" {
            next(args, &mut i)?;
        } else if matches(a, "protocol") {
            let v = next(args, &mut i)?;
            match proto_id(v) {
                Some(p) => f.proto = Some(p),
                None if v == "all" => f.proto = None,
                None => return Err(invarg("invalid \"protocol\"\n", v)),
            }
        } else if matches(a, "scope") {
            let v = next(args, &mut i)?;
            match scope_id(v) {
                Some(s) => f.scope = Some(s),
                None if v == "all" => f.scope = None,
                None => return Err(invarg("invalid \"scope\"\n", v)),
            }
        } else if matches(a, "type") {
            let v = next(args, &mut i)?;
            if !is_type(v) {
                return Err(invarg("node type value is invalid\n", v));
            }
            f.typ = Some(v.to_string());
        } else if a == "dev" || a == "oif" {
            dev = Some(next(args, &mut i)?.to_string());
        } else if a == "iif" {
            next(args, &mut i)?;
        } else if matches(a, "metric") || matches(a, "priority") || a == "preference" {
            let v = next(args, &mut i)?;
            let m = parse_c_ulong(v)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| invarg("\"metric\" value is invalid\n", v))?;
            f.metric = Some(m);
        } else if a == "via" {
            let mut v = next(args, &mut i)?;
            if v == "inet" {
                v = next(args, &mut i)?;
            }
            f.via = Some(prefix_arg(v)?);
        } else if a == "src" {
            f.src = Some(prefix_arg(next(args, &mut i)?)?);
        } else if matches(a, "from") {
            let v = next(args, &mut i)?;
            if matches(v, "root") || matches(v, "match") || matches(v, "exact") {
                next(args, &mut i)?;
            }
        } else {
            let mut a = a;
            if matches(a, "to") {
                a = next(args, &mut i)?;
            }
            if matches(a, "root") {
                f.rdst = Some(prefix_arg(next(args, &mut i)?)?);
            } else if matches(a, "match") {
                f.mdst = Some(prefix_arg(next(args, &mut i)?)?);
            } else {
                if matches(a, "exact") {
                    a = next(args, &mut i)?;
                }
                let p = prefix_arg(a)?;
                f.mdst = Some(p);
                f.rdst = Some(p);
            }
        }
        i += 1;
    }
    if let Some(d) = dev {
        f.dev = Some(dev_arg(lab, env, &d)?);
    }
    Ok(f)
}

fn selected(lab: &Lab, env: &Env, f: &Filter) -> Vec<Shown> {
    let mut v: Vec<Shown> = lab.routes(env.ns).iter().map(Shown::from_main).collect();
    v.extend(local_table(lab, env.ns));
    v.into_iter().filter(|r| f.accepts(r)).collect()
}

fn list(args: &[String], opts: &Opts, env: &Env, lab: &Lab, out: &mut Output) -> Res<i32> {
    let f = parse_filter(args, env, lab)?;
    let mut rows = Vec::new();
    for r in selected(lab, env, &f) {
        let (text, j) = format_route(lab, &r, &f, opts);
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

fn flush(args: &[String], env: &Env, lab: &mut Lab) -> Res<i32> {
    if args.is_empty() {
        return Err(Fail("\"ip route flush\" requires arguments.\n".into(), 1));
    }
    let f = parse_filter(args, env, lab)?;
    for r in selected(lab, env, &f) {
        if r.table != RT_TABLE_MAIN || r.proto == PROTO_KERNEL {
            // Routes the lab derives from addresses stay as long as their address does.
            continue;
        }
        let m = RouteMatch {
            dst: Some(r.dst),
            gateway: r.gateway,
            dev: Some(r.dev),
            proto: Some(proto_of(r.proto)),
            scope: None,
            src: None,
            metric: Some(r.metric),
        };
        let _ = lab.route_del_match(env.ns, &m);
    }
    Ok(0)
}

/// `ip route add|change|replace|prepend|append|test|del ROUTE`.
fn modify(args: &[String], mode: Option<RouteAddMode>, env: &Env, lab: &mut Lab) -> Res<i32> {
    let mut dst: Option<Ipv4Net> = None;
    let mut gateway = None;
    let mut src = None;
    let mut metric = None;
    let mut scope = None;
    let mut proto = None;
    let mut typ = None;
    let mut dev = None;
    let mut onlink = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let family = if dst.is_some() { "inet" } else { "any valid" };
        if a == "src" {
            let v = next(args, &mut i)?;
            src = Some(parse_addr(v).ok_or_else(|| {
                Fail(
                    format!("Error: {family} address is expected rather than \"{v}\".\n"),
                    1,
                )
            })?);
        } else if a == "via" {
            let mut v = next(args, &mut i)?;
            if v == "inet" {
                v = next(args, &mut i)?;
            }
            gateway = Some(parse_addr(v).ok_or_else(|| {
                Fail(
                    format!("Error: {family} address is expected rather than \"{v}\".\n"),
                    1,
                )
            })?);
        } else if matches(a, "metric") || matches(a, "priority") || a == "preference" {
            let v = next(args, &mut i)?;
            metric = Some(
                parse_c_ulong(v)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| invarg("\"metric\" value is invalid\n", v))?,
            );
        } else if a == "scope" {
            let v = next(args, &mut i)?;
            let s = scope_id(v).ok_or_else(|| invarg("invalid \"scope\" value\n", v))?;
            scope = Some(scope_of(s).ok_or_else(|| invarg("invalid \"scope\" value\n", v))?);
        } else if a == "onlink" {
            onlink = true;
        } else if a == "pervasive" {
        } else if matches(a, "protocol") {
            let v = next(args, &mut i)?;
            proto = Some(proto_id(v).ok_or_else(|| invarg("\"protocol\" value is invalid\n", v))?);
        } else if matches(a, "table") {
            let v = next(args, &mut i)?;
            table_id(v).ok_or_else(|| invarg("\"table\" value is invalid\n", v))?;
        } else if a == "dev" || a == "oif" {
            dev = Some(next(args, &mut i)?.to_string());
        } else if [
            "tos",
            "expires",
            "mtu",
            "hoplimit",
            "advmss",
            "reordering",
            "rtt",
            "rttvar",
            "window",
            "cwnd",
            "initcwnd",
            "initrwnd",
            "ssthresh",
            "features",
            "quickack",
            "congctl",
            "rto_min",
            "as",
            "from",
            "realms",
            "pref",
            "weight",
        ]
        .contains(&a)
            || matches(a, "dsfield")
        {
            next(args, &mut i)?;
        } else {
            let mut a = a;
            if a == "to" {
                a = next(args, &mut i)?;
            }
            if !a.starts_with(|c: char| c.is_ascii_digit()) && is_type(a) {
                typ = Some(a.to_string());
                a = next(args, &mut i)?;
            }
            if matches(a, "help") {
                return Err(usage());
            }
            if dst.is_some() {
                return Err(Fail(
                    format!("Error: either \"to\" is duplicate, or \"{a}\" is a garbage.\n"),
                    255,
                ));
            }
            dst = Some(prefix_arg(a)?);
        }
        i += 1;
    }
    let Some(dst) = dst else {
        return Err(usage());
    };
    let dev = match dev {
        Some(d) => Some(dev_arg(lab, env, &d)?),
        None => None,
    };
    if typ.as_deref().is_some_and(|t| t != "unicast") {
        return Err(Fail(
            "RTNETLINK answers: Operation not supported\n".into(),
            2,
        ));
    }
    let Some(mode) = mode else {
        let m = RouteMatch {
            dst: Some(dst),
            gateway,
            dev,
            proto: proto.map(proto_of),
            scope,
            src,
            metric,
        };
        return match lab.route_del_match(env.ns, &m) {
            Ok(_) => Ok(0),
            Err(_) => Err(Fail("RTNETLINK answers: No such process\n".into(), 2)),
        };
    };
    let spec = RouteSpec {
        dst,
        gateway,
        dev,
        proto: proto_of(proto.unwrap_or(PROTO_BOOT)),
        scope,
        src,
        metric: metric.unwrap_or(0),
        onlink,
    };
    match lab.route_add_spec(env.ns, spec, mode) {
        Ok(()) => Ok(0),
        Err(e) => Err(Fail(
            match e {
                LabError::InvalidArgument(m) => format!("Error: {m}\n"),
                LabError::Exists(_) => "RTNETLINK answers: File exists\n".into(),
                LabError::NotFound(_) => "RTNETLINK answers: No such file or directory\n".into(),
                _ => "RTNETLINK answers: No such device\n".into(),
            },
            2,
        )),
    }
}

/// `ip route get ADDR`: the route an output packet takes.
fn get(args: &[String], opts: &Opts, env: &Env, lab: &Lab, out: &mut Output) -> Res<i32> {
    let mut dst = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "tos"
            || matches(a, "dsfield")
            || matches(a, "from")
            || matches(a, "iif")
            || matches(a, "mark")
            || matches(a, "oif")
            || a == "dev"
            || matches(a, "vrf")
            || matches(a, "uid")
            || a == "as"
            || matches(a, "sport")
            || matches(a, "dport")
            || matches(a, "ipproto")
        {
            next(args, &mut i)?;
        } else if matches(a, "notify") || matches(a, "connected") || matches(a, "fibmatch") {
        } else {
            let mut a = a;
            if a == "to" {
                a = next(args, &mut i)?;
            }
            if matches(a, "help") {
                return Err(usage());
            }
            dst = Some(prefix_arg(a)?.addr);
        }
        i += 1;
    }
    let Some(dst) = dst else {
        return Err(Fail("need at least a destination address\n".into(), 1));
    };
    let nh = lab
        .route_output(env.ns, dst)
        .map_err(|_| Fail("RTNETLINK answers: Network is unreachable\n".into(), 2))?;
    let local = lab.ns(env.ns).is_some_and(|n| n.lo == nh.dev);
    let mut s = String::new();
    let mut j = Map::new();
    if local {
        s += "local ";
        j.insert("type".into(), json!("local"));
    }
    s += &format!("{dst} ");
    j.insert("dst".into(), json!(dst.to_string()));
    if nh.via != dst {
        s += &format!("via {} ", nh.via);
        j.insert("gateway".into(), json!(nh.via.to_string()));
    }
    let name = lab.iface(nh.dev).map_or(String::new(), |i| i.name.clone());
    s += &format!("dev {name} ");
    j.insert("dev".into(), json!(name));
    if let Some(src) = nh.src {
        s += &format!("src {src} ");
        j.insert("prefsrc".into(), json!(src.to_string()));
    }
    j.insert("flags".into(), json!([]));
    s += "uid 0 ";
    j.insert("uid".into(), json!(0));
    let sep = if opts.oneline { "\\" } else { "\n" };
    if local {
        s += &format!("{sep}    cache <local> \n");
        j.insert("cache".into(), json!(["local"]));
    } else if let Some((mtu, left)) = lab.pmtu_exception(env.ns, dst) {
        // A path MTU learned from "fragmentation needed" (rt_cacheinfo and the metrics).
        s += &format!("{sep}    cache expires {}sec mtu {mtu} \n", left.as_secs());
        j.insert("cache".into(), json!([]));
        j.insert("expires".into(), json!(left.as_secs()));
        j.insert("metrics".into(), json!([{ "mtu": mtu }]));
    } else {
        s += &format!("{sep}    cache \n");
        j.insert("cache".into(), json!([]));
    }
    if opts.json {
        out.out(format!(
            "{}\n",
            super::common::json_text(&Value::Array(vec![Value::Object(j)]), opts.pretty)
        ));
    } else {
        out.out(s);
    }
    Ok(0)
}

/// Runs `ip route ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let listing = args
        .first()
        .is_none_or(|c| matches(c, "list") || matches(c, "show") || matches(c, "lst"));
    if opts.inet6 || (!opts.inet4 && super::route6::names_inet6(args)) {
        let rest = args.get(1..).unwrap_or(&[]);
        let c = args.first().map_or("", String::as_str);
        let mode = if matches(c, "add") || matches(c, "test") {
            Some(Some(RouteAddMode::Add))
        } else if matches(c, "change") || c == "chg" {
            Some(Some(RouteAddMode::Change))
        } else if matches(c, "replace") {
            Some(Some(RouteAddMode::Replace))
        } else if matches(c, "prepend") {
            Some(Some(RouteAddMode::Prepend))
        } else if matches(c, "append") {
            Some(Some(RouteAddMode::Append))
        } else if matches(c, "delete") {
            Some(None)
        } else {
            None
        };
        let r = if listing {
            super::route6::list(rest, opts, env, lab, out)
        } else if let Some(mode) = mode {
            Some(super::route6::modify(rest, mode, env, lab))
        } else if matches(c, "get") {
            Some(super::route6::get(rest, env, lab, out))
        } else {
            None
        };
        match r {
            Some(Ok(rc)) => return rc,
            Some(Err(Fail(msg, rc))) => {
                out.err(msg);
                return rc;
            }
            None => {}
        }
    }
    let r = match args.first().map(String::as_str) {
        None => list(&[], opts, env, lab, out),
        Some(c) => {
            let rest = &args[1..];
            if matches(c, "add") {
                modify(rest, Some(RouteAddMode::Add), env, lab)
            } else if matches(c, "change") || c == "chg" {
                modify(rest, Some(RouteAddMode::Change), env, lab)
            } else if matches(c, "replace") {
                modify(rest, Some(RouteAddMode::Replace), env, lab)
            } else if matches(c, "prepend") {
                modify(rest, Some(RouteAddMode::Prepend), env, lab)
            } else if matches(c, "append") {
                modify(rest, Some(RouteAddMode::Append), env, lab)
            } else if matches(c, "test") {
                modify(rest, Some(RouteAddMode::Add), env, lab)
            } else if matches(c, "delete") {
                modify(rest, None, env, lab)
            } else if matches(c, "list") || matches(c, "show") || matches(c, "lst") {
                list(rest, opts, env, lab, out)
            } else if matches(c, "get") {
                get(rest, opts, env, lab, out)
            } else if matches(c, "flush") {
                flush(rest, env, lab)
            } else if matches(c, "help") {
                Err(usage())
            } else {
                Err(Fail(
                    format!("Command \"{c}\" is unknown, try \"ip route help\".\n"),
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

    fn env() -> Env {
        Env {
            ns: NsId::INIT,
            ns_name: String::new(),
            pid: 1,
            tty: false,
        }
    }

    fn ip(lab: &mut Lab, args: &[&str]) -> (String, String, i32) {
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        let rc = super::super::main(&argv, &env(), lab, &mut out);
        (out.stdout, out.stderr, rc)
    }

    #[test]
    fn addresses_and_prefixes() {
        assert_eq!(parse_addr("10"), Some(Ipv4Addr::new(10, 0, 0, 0)));
        assert_eq!(parse_addr("10.1.1.300"), None);
        assert_eq!(parse_prefix("default").map(|p| p.prefix), Some(0));
        assert_eq!(
            parse_prefix("10.1.0.0/255.255.0.0"),
            "10.1.0.0/16".parse().ok()
        );
        assert_eq!(parse_prefix("10.0.0.0/33"), None);
    }

    /// Outputs captured from iproute2 6.1 on Linux (namespace ir1: irv0 10.1.1.1/24, up).
    #[test]
    fn add_show_del() {
        let mut lab = Lab::new();
        lab.add_veth(NsId::INIT, "irv0", "irv1", None).unwrap();
        lab.addr_add(NsId::INIT, "irv0", "10.1.1.1/24".parse().unwrap(), None)
            .unwrap();
        lab.set_link_up(NsId::INIT, "irv0", true).unwrap();
        lab.set_link_up(NsId::INIT, "irv1", true).unwrap();
        for cmd in [
            "route add default via 10.1.1.2",
            "route add 10.3.0.0/16 via 10.1.1.2 dev irv0 metric 10",
            "route add 10.2.0.0/16 dev irv0 proto static scope host src 10.1.1.1",
            "route add 10.5.0.0/16 dev irv0 proto dhcp",
            "route add 10.6.0.0/16 dev irv0 proto 77",
        ] {
            let args: Vec<&str> = cmd.split(' ').collect();
            assert_eq!(
                ip(&mut lab, &args),
                (String::new(), String::new(), 0),
                "{cmd}"
            );
        }
        assert_eq!(
            ip(&mut lab, &["route"]).0,
            "default via 10.1.1.2 dev irv0 \n\
             10.1.1.0/24 dev irv0 proto kernel scope link src 10.1.1.1 \n\
             10.2.0.0/16 dev irv0 proto static scope host src 10.1.1.1 \n\
             10.3.0.0/16 via 10.1.1.2 dev irv0 metric 10 \n\
             10.5.0.0/16 dev irv0 proto dhcp scope link \n\
             10.6.0.0/16 dev irv0 proto 77 scope link \n"
        );
        assert_eq!(
            ip(&mut lab, &["-j", "route", "show", "10.3.0.0/16"]).0,
            "[{\"dst\":\"10.3.0.0/16\",\"gateway\":\"10.1.1.2\",\"dev\":\"irv0\",\"metric\":10,\"flags\":[]}]\n"
        );
        assert_eq!(
            ip(&mut lab, &["route", "show", "via", "10.1.1.2"]).0,
            "default dev irv0 \n10.3.0.0/16 dev irv0 metric 10 \n"
        );
        assert_eq!(
            ip(&mut lab, &["route", "show", "scope", "link"]).0,
            "10.1.1.0/24 dev irv0 proto kernel src 10.1.1.1 \n\
             10.5.0.0/16 dev irv0 proto dhcp \n\
             10.6.0.0/16 dev irv0 proto 77 \n"
        );
        assert_eq!(
            ip(&mut lab, &["route", "get", "10.3.0.1"]).0,
            "10.3.0.1 via 10.1.1.2 dev irv0 src 10.1.1.1 uid 0 \n    cache \n"
        );
        assert_eq!(
            ip(
                &mut lab,
                &["route", "add", "10.9.0.0/24", "via", "10.7.7.7"]
            ),
            (
                String::new(),
                "Error: Nexthop has invalid gateway.\n".into(),
                2
            )
        );
        assert_eq!(
            ip(&mut lab, &["route", "add", "10.9.1.3/24", "dev", "irv0"]).1,
            "Error: Invalid prefix for given prefix length.\n"
        );
        assert_eq!(
            ip(
                &mut lab,
                &["route", "add", "10.9.3.0/24", "dev", "irv0", "bogus"]
            ),
            (
                String::new(),
                "Error: either \"to\" is duplicate, or \"bogus\" is a garbage.\n".into(),
                255
            )
        );
        assert_eq!(
            ip(
                &mut lab,
                &["route", "del", "10.2.0.0/16", "proto", "kernel"]
            )
            .2,
            2
        );
        assert_eq!(
            ip(
                &mut lab,
                &["route", "del", "10.2.0.0/16", "proto", "static"]
            )
            .2,
            0
        );
        assert_eq!(
            ip(&mut lab, &["route", "show", "table", "local"]).0,
            "local 10.1.1.1 dev irv0 proto kernel scope host src 10.1.1.1 \n\
             broadcast 10.1.1.255 dev irv0 proto kernel scope link src 10.1.1.1 \n\
             local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 \n\
             local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 \n\
             broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 \n"
        );
    }
}
