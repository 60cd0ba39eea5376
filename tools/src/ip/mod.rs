//! `ip` (iproute2 6.1): global options, then one object (`link`, `addr`, `route`, `neigh`,
//! `netns`) with its own grammar, each in its own file.

pub mod addr;
pub mod common;
pub mod link;
mod maddr;
mod monitor;
pub mod neigh;
pub mod netns;
pub mod route;
pub mod route6;

use l2lab_sim::Lab;

use crate::cmd::{Env, Output, Session, Started};
use common::matches;

/// ip's global options.
#[derive(Debug, Clone, Default)]
pub struct Opts {
    /// `-d`/`-details`.
    pub details: bool,
    /// `-br`/`-brief`.
    pub brief: bool,
    /// `-o`/`-oneline`.
    pub oneline: bool,
    /// `-j`/`-json`.
    pub json: bool,
    /// `-p`/`-pretty` (with -j).
    pub pretty: bool,
    /// `-s`/`-stats`, counted.
    pub stats: u32,
    /// `-4` (IPv4 only).
    pub inet4: bool,
    /// `-6` (IPv6 only).
    pub inet6: bool,
    /// `-a`/`-all`: `ip -all netns delete`.
    pub all: bool,
}

const USAGE: &str = "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
";

/// Runs `ip ARGS...` in `env`; returns the exit status.
/// Starts `ip ARGS...` in `env`: `ip monitor neigh` runs on, everything else is over at once.
pub fn start(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> Started {
    crate::cmd::with_session(|s| run_ip(argv, env, lab, out, s))
}

/// Runs `ip ARGS...` in `env`; returns the exit status (a monitor ends at once).
#[cfg(test)]
pub fn main(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    run_ip(argv, env, lab, out, &mut None)
}

fn run_ip(
    argv: &[String],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
    session: &mut Option<Box<dyn Session>>,
) -> i32 {
    let mut opts = Opts::default();
    let mut env = env.clone();
    let mut i = 0;
    while i < argv.len() && argv[i].starts_with('-') && argv[i].len() > 1 {
        let o = argv[i].trim_start_matches('-');
        if o == "n" || matches(o, "netns") {
            i += 1;
            let Some(name) = argv.get(i) else {
                out.err("Option \"-n\" requires an argument\n");
                return 255;
            };
            if matches!(name.as_str(), "" | "." | "..") {
                // /run/netns/NAME is a directory, which setns refuses.
                out.err(format!(
                    "setting the network namespace \"{name}\" failed: Invalid argument\n"
                ));
                return 255;
            }
            match lab.netns(name) {
                Ok(ns) => {
                    env.ns = ns;
                    env.ns_name = name.clone();
                }
                _ => {
                    out.err(format!(
                        "Cannot open network namespace \"{name}\": No such file or directory\n"
                    ));
                    return 255;
                }
            }
        } else if o == "d" || matches(o, "details") {
            opts.details = true;
        } else if o == "br" || matches(o, "brief") && o.len() >= 2 {
            opts.brief = true;
        } else if o == "o" || matches(o, "oneline") {
            opts.oneline = true;
        } else if o == "j" || matches(o, "json") {
            opts.json = true;
        } else if o == "p" || matches(o, "pretty") {
            opts.pretty = true;
        } else if o == "s" || matches(o, "statistics") || matches(o, "stats") {
            opts.stats += 1;
        } else if o == "a" || matches(o, "all") {
            opts.all = true;
        } else if o == "4" {
            opts.inet4 = true;
        } else if o == "6" {
            opts.inet6 = true;
        } else if o == "c" || matches(o, "color") || o.starts_with("color=") || o.starts_with("c=")
        {
            // Colour is for terminals; the lab's output is never a terminal's.
        } else if o == "V" || matches(o, "Version") {
            out.out("ip utility, iproute2-6.1.0, libbpf 1.1.0\n");
            return 0;
        } else if o == "h" || matches(o, "help") {
            out.err(USAGE);
            return 255;
        } else {
            out.err(format!(
                "Option \"{}\" is unknown, try \"ip -help\".\n",
                argv[i]
            ));
            return 255;
        }
        i += 1;
    }
    let rest = &argv[i..];
    let Some(obj) = rest.first() else {
        out.err(USAGE);
        return 255;
    };
    let args = &rest[1..];
    let o = obj.as_str();
    if matches(o, "netns") && o.len() >= 2 {
        netns::run(args, &opts, &env, lab, out)
    } else if matches(o, "help") {
        out.err(USAGE);
        255
    } else if matches(o, "link") {
        if let Some(code) = crate::tap::ip_link_add(args, &env, lab, out) {
            return code;
        }
        link::run(args, &opts, &env, lab, out)
    } else if matches(o, "address") {
        addr::run(args, &opts, &env, lab, out)
    } else if matches(o, "route") {
        route::run(args, &opts, &env, lab, out)
    } else if matches(o, "neighbour") || matches(o, "neighbor") {
        neigh::run(args, &opts, &env, lab, out)
    } else if matches(o, "maddress") {
        maddr::run(args, &opts, &env, lab, out)
    } else if matches(o, "monitor") {
        match monitor::start(args, &env, lab, out) {
            Ok(s) => {
                *session = Some(s);
                0
            }
            Err(code) => code,
        }
    } else {
        out.err(format!("Object \"{o}\" is unknown, try \"ip help\".\n"));
        1
    }
}
