//! `ip -6 route`: show, add, change, replace, append, prepend, del and get IPv6 routes
//! (iproute2 6.1, ip/iproute.c with `do_ipv6`). The keywords and their errors are those of
//! `ip route`; what differs is the address family, the kernel's defaults (metric 1024, `pref
//! medium`) and the answers of net/ipv6/route.c.

use std::net::Ipv6Addr;

use l2lab_sim::api_ipr::RouteAddMode;
use l2lab_sim::{Lab, LabError, Route6Entry, Route6Match, Route6Spec, RouteProto};

use l2lab_fabric::LinkId;
use l2lab_sim::mask6;
use serde_json::{json, Map, Value};

use super::common::matches;
use super::route::{
    dev_arg, incomplete, invarg, next, parse_c_ulong, proto_id, proto_name, proto_num, proto_of,
    usage, Fail, Res,
};
use super::Opts;
use crate::cmd::{Env, Output};

/// iproute2's get_prefix for inet6: `default`/`all`/`any`, or ADDR[/LEN] with LEN ≤ 128.
fn parse_prefix6(s: &str) -> Option<(Ipv6Addr, u8)> {
    if matches!(s, "default" | "all" | "any") {
        return Some((Ipv6Addr::UNSPECIFIED, 0));
    }
    let (a, len) = match s.split_once('/') {
        Some((a, l)) => (
            a,
            parse_c_ulong(l)
                .and_then(|n| u8::try_from(n).ok())
                .filter(|n| *n <= 128)?,
        ),
        None => (s, 128),
    };
    Some((a.parse().ok()?, len))
}

fn prefix_arg6(s: &str) -> Res<(Ipv6Addr, u8)> {
    parse_prefix6(s).ok_or_else(|| {
        Fail(
            format!("Error: inet6 prefix is expected rather than \"{s}\".\n"),
            1,
        )
    })
}

fn addr_arg6(s: &str) -> Res<Ipv6Addr> {
    s.parse().map_err(|_| {
        Fail(
            format!("Error: inet6 address is expected rather than \"{s}\".\n"),
            1,
        )
    })
}

/// Does this `ip route` command line name an IPv6 destination or gateway, so that it is
/// IPv6 without `-6`, as iproute2 infers the family from the first address?
pub(super) fn names_inet6(args: &[String]) -> bool {
    let mut prev = "";
    for a in args {
        if !matches!(prev, "dev" | "oif" | "iif" | "table" | "proto" | "metric") && a.contains(':')
        {
            return parse_prefix6(a).is_some();
        }
        prev = a;
    }
    false
}

fn dst_text(dst: Ipv6Addr, prefix: u8) -> String {
    match prefix {
        0 => "default".into(),
        128 => dst.to_string(),
        p => format!("{dst}/{p}"),
    }
}

fn proto_text(p: RouteProto) -> String {
    match p {
        RouteProto::Boot => String::new(),
        p => format!("proto {} ", proto_name(proto_num(p))),
    }
}

/// The selectors of `ip -6 route show`; what a selector fixes is left out of each line.
#[derive(Default)]
struct Filter {
    dev: Option<LinkId>,
    proto: Option<RouteProto>,
    via: Option<Ipv6Addr>,
    /// Routes inside this prefix (`root`), exactly it (`exact`, or a bare prefix: both).
    root: Option<(Ipv6Addr, u8)>,
    /// Routes holding this prefix (`match`).
    within: Option<(Ipv6Addr, u8)>,
    /// A table other than main: nothing of the lab's is there.
    other_table: bool,
}

impl Filter {
    fn keeps(&self, r: &Route6Entry) -> bool {
        let inside = |(p, len): (Ipv6Addr, u8), (q, qlen): (Ipv6Addr, u8)| {
            qlen >= len && mask6(q, len) == mask6(p, len)
        };
        !self.other_table
            && self.dev.is_none_or(|d| d == r.dev)
            && self.proto.is_none_or(|p| p == r.proto)
            && self.via.is_none_or(|g| r.gateway == Some(g))
            && self.root.is_none_or(|p| inside(p, (r.dst, r.prefix)))
            && self.within.is_none_or(|p| inside((r.dst, r.prefix), p))
    }
}

/// One route as `ip -6 route` prints it, in text and JSON (print_route's order).
fn format_route(lab: &Lab, r: &Route6Entry, f: &Filter) -> (String, Value) {
    let dst = dst_text(r.dst, r.prefix);
    let mut s = format!("{dst} ");
    let mut j = Map::new();
    j.insert("dst".into(), json!(dst));
    if let Some(g) = r.gateway.filter(|_| f.via.is_none()) {
        s += &format!("via {g} ");
        j.insert("gateway".into(), json!(g.to_string()));
    }
    if f.dev.is_none() {
        let name = lab.iface(r.dev).map_or(String::new(), |i| i.name.clone());
        s += &format!("dev {name} ");
        j.insert("dev".into(), json!(name));
    }
    if f.proto.is_none() && r.proto != RouteProto::Boot {
        let p = proto_name(proto_num(r.proto));
        s += &format!("proto {p} ");
        j.insert("protocol".into(), json!(p));
    }
    s += &format!("metric {} ", r.metric);
    j.insert("metric".into(), json!(r.metric));
    let mut flags = Vec::new();
    if r.linkdown {
        s += "linkdown ";
        flags.push(json!("linkdown"));
    }
    j.insert("flags".into(), Value::Array(flags));
    if let Some(e) = r.expires {
        s += &format!("expires {}sec ", e.as_secs());
        j.insert("expires".into(), json!(e.as_secs()));
    }
    s += "pref medium\n";
    j.insert("pref".into(), json!("medium"));
    (s, Value::Object(j))
}

/// `ip -6 route [show] [dev X] [proto P] [via GW] [table T] [root|match|exact] PREFIX`: the
/// main table in the fib6 tree's order. `None` for a selector it does not know.
pub(super) fn list(
    args: &[String],
    opts: &Opts,
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> Option<Res<i32>> {
    let mut f = Filter::default();
    let mut dev = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i).map(String::as_str).ok_or_else(incomplete)
        };
        let r: Res<()> = (|| {
            if a == "dev" || a == "oif" {
                dev = Some(value()?.to_string());
            } else if matches(a, "protocol") {
                let v = value()?;
                let p = proto_id(v).ok_or_else(|| invarg("invalid \"protocol\"\n", v))?;
                f.proto = Some(proto_of(p));
            } else if a == "via" {
                f.via = Some(addr_arg6(value()?)?);
            } else if matches(a, "table") {
                let v = value()?;
                f.other_table = !matches!(v, "main" | "all" | "254");
            } else if a == "root" {
                f.root = Some(prefix_arg6(value()?)?);
            } else if matches(a, "match") {
                f.within = Some(prefix_arg6(value()?)?);
            } else {
                let v = if matches(a, "exact") || a == "to" {
                    value()?
                } else {
                    a
                };
                let p = prefix_arg6(v)?;
                f.root = Some(p);
                f.within = Some(p);
            }
            Ok(())
        })();
        if let Err(e) = r {
            return Some(Err(e));
        }
        i += 1;
    }
    lab.sync_operstates();
    if let Some(name) = dev {
        match dev_arg(lab, env, &name) {
            Ok(l) => f.dev = Some(l),
            Err(e) => return Some(Err(e)),
        }
    }
    let mut rows = Vec::new();
    for r in lab.routes6(env.ns).into_iter().filter(|r| f.keeps(r)) {
        let (text, j) = format_route(lab, &r, &f);
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
    Some(Ok(0))
}

/// `ip -6 route add|change|replace|prepend|append|del ROUTE`.
pub(super) fn modify(
    args: &[String],
    mode: Option<RouteAddMode>,
    env: &Env,
    lab: &mut Lab,
) -> Res<i32> {
    let mut dst = None;
    let mut gateway = None;
    let mut metric = None;
    let mut proto = None;
    let mut dev = None;
    let mut unsupported = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "via" {
            let mut v = next(args, &mut i)?;
            if v == "inet6" {
                v = next(args, &mut i)?;
            }
            gateway = Some(addr_arg6(v)?);
        } else if matches(a, "metric") || matches(a, "priority") || a == "preference" {
            let v = next(args, &mut i)?;
            metric = Some(
                parse_c_ulong(v)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| invarg("\"metric\" value is invalid\n", v))?,
            );
        } else if matches(a, "protocol") {
            let v = next(args, &mut i)?;
            proto = Some(proto_id(v).ok_or_else(|| invarg("\"protocol\" value is invalid\n", v))?);
        } else if a == "dev" || a == "oif" {
            dev = Some(next(args, &mut i)?.to_string());
        } else if matches(a, "table") {
            let v = next(args, &mut i)?;
            unsupported |= !matches!(v, "main" | "254");
        } else if a == "pref" {
            unsupported |= next(args, &mut i)? != "medium";
        } else if [
            "src",
            "mtu",
            "advmss",
            "hoplimit",
            "expires",
            "from",
            "tos",
            "realms",
            "nhid",
            "encap",
            "weight",
            "rtt",
            "rttvar",
            "window",
            "cwnd",
            "initcwnd",
            "initrwnd",
            "ssthresh",
            "reordering",
            "features",
            "quickack",
            "congctl",
            "rto_min",
            "scope",
        ]
        .contains(&a)
        {
            // Kept by the kernel but not by the lab: refused rather than dropped unseen.
            next(args, &mut i)?;
            unsupported = true;
        } else if a == "onlink" || a == "nexthop" {
            unsupported = true;
        } else {
            let mut a = a;
            if a == "to" {
                a = next(args, &mut i)?;
            }
            if a == "unicast" {
                a = next(args, &mut i)?;
            } else if [
                "local",
                "broadcast",
                "multicast",
                "throw",
                "unreachable",
                "prohibit",
                "blackhole",
                "nat",
                "anycast",
            ]
            .contains(&a)
            {
                unsupported = true;
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
            dst = Some(prefix_arg6(a)?);
        }
        i += 1;
    }
    let Some((dst, prefix)) = dst else {
        return Err(usage());
    };
    let dev = match dev {
        Some(d) => Some(dev_arg(lab, env, &d)?),
        None => None,
    };
    if unsupported {
        return Err(Fail(
            "RTNETLINK answers: Operation not supported\n".into(),
            2,
        ));
    }
    let Some(mode) = mode else {
        let m = Route6Match {
            dst: Some((mask6(dst, prefix), prefix)),
            gateway,
            dev,
            proto: proto.map(proto_of),
            metric,
        };
        return match lab.route6_del(env.ns, &m) {
            Ok(_) => Ok(0),
            Err(_) => Err(Fail("RTNETLINK answers: No such process\n".into(), 2)),
        };
    };
    let spec = Route6Spec {
        dst,
        prefix,
        gateway,
        dev,
        proto: proto_of(proto.unwrap_or(3)),
        metric,
    };
    lab.route6_add(env.ns, spec, mode).map(|()| 0).map_err(|e| {
        Fail(
            match e {
                LabError::InvalidArgument(m) => format!("Error: {m}\n"),
                LabError::Exists(_) => "RTNETLINK answers: File exists\n".into(),
                LabError::NotFound(_) => "RTNETLINK answers: No such file or directory\n".into(),
                LabError::NoRouteToHost(_) => "RTNETLINK answers: No route to host\n".into(),
                LabError::NotSupported(_) => "RTNETLINK answers: Operation not supported\n".into(),
                _ => "RTNETLINK answers: No such device\n".into(),
            },
            2,
        )
    })
}

/// `ip -6 route get ADDR [oif|dev X]`: the route an output packet takes, as rtnetlink
/// answers it (`from ::`, the route's proto and metric, a learned path MTU).
pub(super) fn get(args: &[String], env: &Env, lab: &Lab, out: &mut Output) -> Res<i32> {
    let mut dst = None;
    let mut oif = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches(a, "oif") || a == "dev" {
            let v = next(args, &mut i)?;
            oif = Some(dev_arg(lab, env, v)?);
        } else if a == "tos"
            || matches(a, "dsfield")
            || matches(a, "from")
            || matches(a, "iif")
            || matches(a, "mark")
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
            dst = Some(prefix_arg6(a)?.0);
        }
        i += 1;
    }
    let Some(dst) = dst else {
        return Err(Fail("need at least a destination address\n".into(), 1));
    };
    let unreachable = || Fail("RTNETLINK answers: Network is unreachable\n".into(), 2);
    let r = lab
        .route6_output(env.ns, dst, oif)
        .map_err(|_| unreachable())?;
    let name = lab.iface(r.dev).map_or(String::new(), |i| i.name.clone());
    let src = r.src.map_or(String::new(), |s| format!("src {s} "));
    if lab.ns(env.ns).is_some_and(|n| n.lo == r.dev) {
        out.out(format!(
            "local {dst} from :: dev {name} table local proto kernel {src}metric 0 pref medium\n"
        ));
        return Ok(0);
    }
    let route = r
        .route
        .clone()
        .or_else(|| lab.route6_lookup(env.ns, dst, Some(r.dev)))
        .ok_or_else(unreachable)?;
    let mut s = format!("{dst} from :: ");
    if let Some(g) = route.gateway {
        s += &format!("via {g} ");
    }
    s += &format!("dev {name} ");
    s += &proto_text(route.proto);
    s += &format!("{src}metric {} ", route.metric);
    if let Some((mtu, left)) = lab.pmtu6_exception(env.ns, dst) {
        s += &format!("expires {}sec mtu {mtu} ", left.as_secs());
    }
    s += "pref medium\n";
    out.out(s);
    Ok(0)
}

#[cfg(test)]
mod test {
    use super::*;

    fn ip(lab: &mut Lab, args: &str) -> (String, String, i32) {
        let argv: Vec<String> = args.split(' ').map(str::to_string).collect();
        let env = Env {
            ns: l2lab_sim::NsId::INIT,
            ns_name: String::new(),
            pid: 1,
            tty: false,
        };
        let mut out = Output::default();
        let rc = super::super::main(&argv, &env, lab, &mut out);
        (out.stdout, out.stderr, rc)
    }

    /// What the lab does not keep of a route is refused, and nothing is added.
    #[test]
    fn unmodelled_options_are_refused() {
        let mut lab = Lab::new();
        lab.add_veth(l2lab_sim::NsId::INIT, "v1", "v2", None)
            .unwrap();
        ip(&mut lab, "-6 addr add 2001:db8::1/64 dev v1 nodad");
        ip(&mut lab, "link set v1 up");
        for cmd in [
            "-6 route add 2001:db8:5::/64 dev v1 mtu 1400",
            "-6 route add unreachable 2001:db8:6::/64",
            "-6 route add 2001:db8:7::/64 dev v1 table 100",
        ] {
            assert_eq!(
                ip(&mut lab, cmd),
                (
                    String::new(),
                    "RTNETLINK answers: Operation not supported\n".into(),
                    2
                ),
                "{cmd}"
            );
        }
        assert_eq!(
            ip(&mut lab, "-6 route add 2001:db8:7::/64 dev v1 pref medium").2,
            0
        );
        assert_eq!(
            ip(&mut lab, "-6 route show 2001:db8:7::/64").0,
            "2001:db8:7::/64 dev v1 metric 1024 linkdown pref medium\n"
        );
        assert_eq!(ip(&mut lab, "-6 route show root 2001:db8:5::/48").0, "");
    }

    #[test]
    fn prefixes() {
        assert_eq!(parse_prefix6("default"), Some((Ipv6Addr::UNSPECIFIED, 0)));
        assert_eq!(
            parse_prefix6("2001:db8::1"),
            Some(("2001:db8::1".parse().unwrap(), 128))
        );
        assert_eq!(parse_prefix6("2001:db8::/129"), None);
        assert_eq!(parse_prefix6("10.0.0.0/8"), None);
        assert!(names_inet6(&["get".into(), "2001:db8::1".into()]));
        assert!(!names_inet6(&["get".into(), "10.0.0.1".into()]));
    }
}
