//! `ip maddr`: a device's multicast addresses, link layer, IPv4 and IPv6 groups (iproute2 6.1,
//! ip/ipmaddr.c, which reads /proc/net/dev_mcast, /proc/net/igmp and /proc/net/igmp6), and
//! `ip maddr add|del` of link-layer addresses (SIOCADDMULTI / SIOCDELMULTI).

use l2lab_fabric::{LinkId, MacAddr};
use l2lab_sim::Lab;
use serde_json::{json, Value};

use super::common::matches;
use super::Opts;
use crate::cmd::{Env, Output};

const USAGE: &str = "Usage: ip maddr [ add | del ] MULTIADDR dev STRING
       ip maddr show [ dev STRING ]
";

/// Runs `ip maddr ARGS`; returns the exit status.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(cmd) = args.first().map(String::as_str) else {
        return show(&[], opts, env, lab, out);
    };
    let rest = &args[1..];
    if matches(cmd, "add") {
        modify(true, rest, env, lab, out)
    } else if matches(cmd, "delete") {
        modify(false, rest, env, lab, out)
    } else if matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst") {
        show(rest, opts, env, lab, out)
    } else if matches(cmd, "help") {
        out.err(USAGE);
        255
    } else {
        out.err(format!(
            "Command \"{cmd}\" is unknown, try \"ip maddr help\".\n"
        ));
        255
    }
}

/// ipmaddr's arguments: `dev NAME` and bare words (`help` ends it with the usage), or the
/// exit status to end with.
fn words<'a>(args: &'a [String], out: &mut Output) -> Result<(Option<&'a str>, Vec<&'a str>), i32> {
    let mut dev = None;
    let mut rest = Vec::new();
    let mut it = args.iter().map(String::as_str);
    while let Some(a) = it.next() {
        if a == "dev" {
            let Some(d) = it.next() else {
                out.err("Command line is not complete. Try option \"help\"\n");
                return Err(255);
            };
            dev = Some(d);
        } else if matches(a, "help") {
            out.err(USAGE);
            return Err(255);
        } else {
            rest.push(a);
        }
    }
    Ok((dev, rest))
}

fn show(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let (dev, rest) = match words(args, out) {
        Ok(w) => w,
        Err(code) => return code,
    };
    // ipmaddr takes a bare word as the device too.
    let dev = rest.last().copied().or(dev);
    let mut links: Vec<(u32, String, LinkId)> = lab
        .links(env.ns)
        .into_iter()
        .filter_map(|l| lab.iface(l).map(|i| (i.ifindex, i.name.clone(), l)))
        .collect();
    links.sort();
    // An unknown device lists nothing, and that is no error (the filter matches no line).
    let want_link = !opts.inet4 && !opts.inet6;
    let mut text = String::new();
    let mut all = Vec::new();
    for (ifindex, name, l) in links {
        if dev.is_some_and(|d| d != name) {
            continue;
        }
        let mut lines = Vec::new();
        let mut entries: Vec<Value> = Vec::new();
        if want_link {
            let statics = lab.mc_static(l);
            for mac in lab.mc_addrs(l) {
                let st = statics.contains(&mac);
                let users = lab.mc_users(l, mac);
                lines.push(format!(
                    "\tlink  {mac}{}{}\n",
                    if users > 1 {
                        format!(" users {users}")
                    } else {
                        String::new()
                    },
                    if st { " static" } else { "" }
                ));
                let mut e = json!({ "link": mac.to_string() });
                if users > 1 {
                    e["users"] = json!(users);
                }
                if st {
                    e["features"] = json!("static");
                }
                entries.push(e);
            }
        }
        if !opts.inet6 {
            for g in lab.igmp_groups(l) {
                lines.push(format!("\tinet  {g}\n"));
                entries.push(json!({ "family": "inet", "address": g.to_string() }));
            }
        }
        if !opts.inet4 {
            for (g, users) in lab.igmp6_users(l) {
                let mut e = json!({ "family": "inet6", "address": g.to_string() });
                if users > 1 {
                    lines.push(format!("\tinet6 {g} users {users}\n"));
                    e["users"] = json!(users);
                } else {
                    lines.push(format!("\tinet6 {g}\n"));
                }
                entries.push(e);
            }
        }
        if lines.is_empty() {
            continue;
        }
        text.push_str(&format!("{ifindex}:\t{name}\n"));
        text.extend(lines);
        all.push(json!({ "ifindex": ifindex, "ifname": name, "maddr": entries }));
    }
    if opts.json {
        let v = Value::Array(all);
        let s = if opts.pretty {
            serde_json::to_string_pretty(&v)
        } else {
            serde_json::to_string(&v)
        };
        out.out(format!("{}\n", s.unwrap_or_default()));
    } else {
        out.out(text);
    }
    0
}

fn modify(add: bool, args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let (dev, rest) = match words(args, out) {
        Ok(w) => w,
        Err(code) => return code,
    };
    // `address` may name the address that follows it.
    let addr = rest.into_iter().rfind(|a| *a != "address");
    let Some(d) = dev else {
        out.err("Not enough information: \"dev\" is required.\n");
        return 255;
    };
    let Some(a) = addr else {
        out.err("Not enough information: \"dev\" is required.\n");
        return 255;
    };
    let Some(mac) = parse_mac(a) else {
        out.err(format!("Invalid \"ipaddr\" value: \"{a}\"\n"));
        return 1;
    };
    let Ok(link) = lab.link_by_name(env.ns, d) else {
        out.err("ioctl: No such device\n");
        return 1;
    };
    let lo = lab
        .fabric()
        .link(link)
        .is_some_and(|l| matches!(l.kind, l2lab_fabric::LinkKind::Loopback));
    if lo {
        // lo keeps no link-layer multicast list.
        out.err("ioctl: Invalid argument\n");
        return 1;
    }
    let r = if add {
        lab.mc_add_static(link, mac)
    } else {
        lab.mc_del_static(link, mac)
    };
    match r {
        Ok(()) => 0,
        Err(_) => {
            out.err("ioctl: No such file or directory\n");
            1
        }
    }
}

/// ll_addr_a2n for Ethernet: six hexadecimal bytes separated by colons.
fn parse_mac(s: &str) -> Option<MacAddr> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6 {
        return None;
    }
    let mut m = [0u8; 6];
    for (b, p) in m.iter_mut().zip(&parts) {
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    Some(MacAddr(m))
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn macs_as_ll_addr_a2n_reads_them() {
        assert_eq!(
            parse_mac("01:00:5e:01:02:03"),
            Some(MacAddr([1, 0, 0x5e, 1, 2, 3]))
        );
        assert_eq!(
            parse_mac("1:0:5e:1:2:3"),
            Some(MacAddr([1, 0, 0x5e, 1, 2, 3]))
        );
        assert_eq!(parse_mac("01:00:5e:01:02"), None);
        assert_eq!(parse_mac("zz:00:5e:01:02:03"), None);
    }
}
