//! `route` (net-tools 2.10): the kernel's IPv4 routing table as /proc/net/route shows it, and
//! `route add|del` through SIOCADDRT/SIOCDELRT (which add a route before any other with the
//! same prefix, where `ip route add` refuses).

use std::net::Ipv4Addr;

use l2lab_sim::api_ipr::{RouteAddMode, RouteMatch, RouteSpec};
use l2lab_sim::{Ipv4Net, Lab, LabError, RouteProto};

use crate::cmd::{Env, Output, Started};

const USAGE: &str = "Usage: route [-nNvee] [-FC] [<AF>]           List kernel routing tables
       route [-v] [-FC] {add|del|flush} ...  Modify routing table for AF.

       route {-h|--help} [<AF>]              Detailed usage syntax for specified AF.
       route {-V|--version}                  Display version/author and exit.

        -v, --verbose            be verbose
        -n, --numeric            don't resolve names
        -e, --extend             display other/more information
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB

  <AF>=Use -4, -6, '-A <af>' or '--<af>'; default: inet
  List of possible address families (which support routing):
    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) 
    ddp (Appletalk DDP) x25 (CCITT X.25) 
";

const INET_USAGE: &str =
    "Usage: inet_route [-vF] del {-host|-net} Target[/prefix] [gw Gw] [metric M] [[dev] If]
       inet_route [-vF] add {-host|-net} Target[/prefix] [gw Gw] [metric M]
                              [netmask N] [mss Mss] [window W] [irtt I]
                              [mod] [dyn] [reinstate] [[dev] If]
       inet_route [-vF] add {-host|-net} Target[/prefix] [metric M] reject
       inet_route [-FC] flush      NOT supported
";

/// Starts `route ARGS...` in `env`: without `-n` the listing waits for the name lookups,
/// which the resolver configured in `files` makes.
pub fn start(
    argv: &[String],
    files: &[crate::proto::FileText],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> Started {
    let mut lookups = Vec::new();
    let mut pending = Output::default();
    let code = run(argv, env, lab, &mut pending, &mut lookups);
    let conf = crate::resolver::ResolvConf::from_files(files);
    crate::resolver::after_lookups(lookups, conf, env.ns, lab, pending, code, None, out)
}

fn run(
    argv: &[String],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
    lookups: &mut Vec<Ipv4Addr>,
) -> i32 {
    let mut numeric = false;
    let mut rest = Vec::new();
    for a in argv {
        match a.as_str() {
            "-n" | "--numeric" => numeric = true,
            "-N" | "-v" | "--verbose" | "-e" | "--extend" | "-F" | "--fib" | "-4" | "--inet" => {}
            "-A" => {}
            "-h" | "--help" => {
                out.err(USAGE);
                return 0;
            }
            "-V" | "--version" => {
                out.out("net-tools 2.10\nroute 2.10\n+NEW_ADDRT +RTF_IRTT +RTF_REJECT +I18N +SELINUX\nAF: (inet) +UNIX +INET +INET6 +IPX +AX25 +NETROM +X25 +ATALK +ECONET +ROSE -BLUETOOTH\n");
                return 0;
            }
            s if s.starts_with('-')
                && rest.is_empty()
                && s.len() > 1
                && !s.starts_with("-net")
                && !s.starts_with("-host") =>
            {
                // Combined short options such as -nv.
                if s[1..].chars().all(|c| "nNveF4".contains(c)) {
                    numeric |= s.contains('n');
                } else {
                    out.err(USAGE);
                    return 3;
                }
            }
            _ => rest.push(a.clone()),
        }
    }
    match rest.first().map(String::as_str) {
        None => {
            list(numeric, env, lab, out, lookups);
            0
        }
        Some("add") => modify(&rest[1..], true, env, lab, out),
        Some("del") | Some("delete") => modify(&rest[1..], false, env, lab, out),
        Some("flush") => {
            out.err(INET_USAGE);
            0
        }
        Some(_) => {
            out.err(USAGE);
            3
        }
    }
}

fn list(numeric: bool, env: &Env, lab: &Lab, out: &mut Output, lookups: &mut Vec<Ipv4Addr>) {
    out.out("Kernel IP routing table\n");
    out.out("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n");
    for r in lab.routes(env.ns) {
        let dst = if !numeric && r.dst.prefix == 0 {
            "default".to_string()
        } else {
            r.dst.network().to_string()
        };
        let gw = r.gateway.unwrap_or(Ipv4Addr::UNSPECIFIED).to_string();
        // Without -n the destination of a host route, then the gateway, are looked up as
        // hosts (INET_rresolve, with its cache); other destinations are networks, which only
        // /etc/networks names.
        let host = (r.dst.prefix == 32).then_some(r.dst.addr);
        for a in host.into_iter().chain(r.gateway) {
            if !numeric && !lookups.contains(&a) {
                lookups.push(a);
            }
        }
        let mut flags = String::from("U");
        if r.gateway.is_some() {
            flags.push('G');
        }
        if r.dst.prefix == 32 {
            flags.push('H');
        }
        let iface = lab.iface(r.dev).map_or("", |i| i.name.as_str());
        out.out(format!(
            "{:<15} {:<15} {:<15} {:<6}{:<6} {:<2} {:>7} {}\n",
            dst,
            gw,
            r.dst.mask(),
            flags,
            r.metric,
            0,
            0,
            iface
        ));
    }
}

/// INET_resolve: inet_aton's forms; anything else would be a name to look up.
fn addr(s: &str) -> Option<Ipv4Addr> {
    crate::cmd::inet::inet_aton(s)
}

/// What route says when `name` is no address, and its status (E_LOOKUP).
fn unknown(name: &str, out: &mut Output) -> i32 {
    out.err(format!(
        "{name}: {}\n",
        crate::cmd::inet::lookup_failure(name)
    ));
    6
}

fn modify(args: &[String], add: bool, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    // E_OPTERR.
    let usage = |out: &mut Output| {
        out.err(INET_USAGE);
        3
    };
    let mut host = false;
    let mut i = 0;
    if let Some(k) = args.first() {
        match k.as_str() {
            "-net" => i = 1,
            "-host" => {
                host = true;
                i = 1
            }
            _ => {}
        }
    }
    let Some(target) = args.get(i) else {
        return usage(out);
    };
    i += 1;
    let (mut ip, mut prefix) = if target == "default" {
        (Ipv4Addr::UNSPECIFIED, Some(0))
    } else {
        match target.split_once('/') {
            Some((a, p)) => match (addr(a), p.parse::<u8>().ok().filter(|p| *p <= 32)) {
                (Some(a), Some(p)) => (a, Some(p)),
                _ => return unknown(target, out),
            },
            None => match addr(target) {
                Some(a) => (a, None),
                None => return unknown(target, out),
            },
        }
    };
    let mut gw = None;
    let mut netmask = false;
    let mut metric = 0u32;
    let mut dev = None;
    while i < args.len() {
        let k = args[i].as_str();
        let v = args.get(i + 1).map(String::as_str);
        match (k, v) {
            ("gw" | "gateway", Some(v)) => {
                let Some(g) = addr(v) else {
                    return unknown(v, out);
                };
                gw = Some(g);
                i += 2;
            }
            ("netmask", Some(v)) => {
                let Some(m) = addr(v).and_then(l2lab_sim::stack::addr::mask_to_prefix) else {
                    out.err(format!("route: bogus netmask {v}\n"));
                    return usage(out);
                };
                prefix = Some(m);
                netmask = true;
                i += 2;
            }
            ("metric", Some(v)) => {
                let Ok(m) = v.parse::<u32>() else {
                    return usage(out);
                };
                metric = m;
                i += 2;
            }
            ("dev", Some(v)) => {
                dev = Some(v.to_string());
                i += 2;
            }
            ("mss" | "window" | "irtt", Some(_)) => i += 2,
            ("mod" | "dyn" | "reinstate" | "reject", _) => i += 1,
            // `[[dev] If]` may only come last.
            (d, None) if !d.is_empty() => {
                dev = Some(d.to_string());
                i += 1;
            }
            _ => return usage(out),
        }
    }
    let prefix = prefix.unwrap_or(if host {
        32
    } else if ip.is_unspecified() {
        0
    } else {
        32
    });
    if prefix < 32 {
        let net = Ipv4Net { addr: ip, prefix }.network();
        if net != ip && netmask {
            out.err("route: netmask doesn't match route address\n");
            return usage(out);
        }
        ip = net;
    }
    let dst = Ipv4Net { addr: ip, prefix };
    let dev_id = match &dev {
        Some(d) => match lab.link_by_name(env.ns, d) {
            Ok(l) => Some(l),
            Err(_) => {
                out.err(format!(
                    "SIOC{}RT: No such device\n",
                    if add { "ADD" } else { "DEL" }
                ));
                return 7;
            }
        },
        None => None,
    };
    let verb = if add { "SIOCADDRT" } else { "SIOCDELRT" };
    let r = if add {
        let spec = RouteSpec {
            dst,
            gateway: gw,
            dev: dev_id,
            proto: RouteProto::Boot,
            scope: None,
            src: None,
            metric,
            onlink: false,
        };
        if gw.is_none() && dev_id.is_none() {
            Err(LabError::NoSuchDevice(String::new()))
        } else {
            lab.route_add_spec(env.ns, spec, RouteAddMode::Prepend)
        }
    } else {
        let m = RouteMatch {
            dst: Some(dst),
            gateway: gw,
            dev: dev_id,
            metric: (metric != 0).then_some(metric),
            ..Default::default()
        };
        lab.route_del_match(env.ns, &m).map(|_| ())
    };
    match r {
        Ok(()) => 0,
        Err(e) => {
            let why = match e {
                LabError::Exists(_) => "File exists",
                LabError::NotFound(_) => "No such process",
                LabError::NoSuchDevice(_) => "No such device",
                LabError::InvalidArgument(ref s) if s.contains("gateway") => {
                    "Network is unreachable"
                }
                LabError::NetworkUnreachable(_) => "Network is unreachable",
                _ => "Invalid argument",
            };
            out.err(format!("{verb}: {why}\n"));
            7
        }
    }
}
