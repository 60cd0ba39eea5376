//! `arp` (net-tools 2.10): the ARP table as /proc/net/arp shows it (every entry but NOARP
//! ones, `C` for a valid entry, `M` for a permanent one), in the default table style or
//! BSD style (`-a`), and `-s`/`-d` through the SIOCSARP/SIOCDARP rules: without `-i` the
//! interface is the one an on-link route to the address leaves by.

use std::net::Ipv4Addr;

use l2lab_fabric::{LinkId, MacAddr};
use l2lab_sim::{Lab, NeighState, Neighbour, Scope};

use crate::cmd::{Env, Output, Started};

const USAGE: &str = "Usage:
  arp [-vn]  [<HW>] [-i <if>] [-a] [<hostname>]             <-Display ARP cache
  arp [-v]          [-i <if>] -d  <host> [pub]               <-Delete ARP entry
  arp [-vnD] [<HW>] [-i <if>] -f  [<filename>]            <-Add entry from file
  arp [-v]   [<HW>] [-i <if>] -s  <host> <hwaddr> [temp]            <-Add entry
  arp [-v]   [<HW>] [-i <if>] -Ds <host> <if> [netmask <nm>] pub          <-''-

        -a                       display (all) hosts in alternative (BSD) style
        -e                       display (all) hosts in default (Linux) style
        -s, --set                set a new ARP entry
        -d, --delete             delete a specified entry
        -v, --verbose            be verbose
        -n, --numeric            don't resolve names
        -i, --device             specify network interface (e.g. eth0)
        -D, --use-device         read <hwaddr> from given device
        -A, -p, --protocol       specify protocol family
        -f, --file               read new entries from file or from /etc/ethers

  <HW>=Use '-H <hw>' to specify hardware address type. Default: ether
  List of possible hardware types (which support ARP):
    ash (Ash) ether (Ethernet) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) arcnet (ARCnet) 
    dlci (Frame Relay DLCI) fddi (Fiber Distributed Data Interface) hippi (HIPPI) 
    irda (IrLAP) x25 (generic X.25) eui64 (Generic EUI-64) 
";

/// The command's options.
#[derive(Debug, Default, Clone)]
struct Opts {
    what: u8,
    numeric: bool,
    bsd: bool,
    verbose: bool,
    device: Option<String>,
}

/// ATF_COM and ATF_PERM of an entry, as arp_format_neigh_entry sets them.
fn flags(n: &Neighbour) -> (bool, bool) {
    (n.state.is_valid(), n.state == NeighState::Permanent)
}

/// /proc/net/arp: newest first, NOARP entries left out.
fn proc_arp(lab: &Lab, env: &Env) -> Vec<Neighbour> {
    let mut v: Vec<Neighbour> = lab
        .neighbours(env.ns)
        .into_iter()
        .filter(|n| n.state != NeighState::Noarp && n.ip.is_ipv4())
        .collect();
    v.sort_by_key(|n| std::cmp::Reverse(n.created));
    v
}

/// net-tools' INET input: a dotted quad (inet_aton also takes the short forms).
fn parse_host(s: &str) -> Option<Ipv4Addr> {
    crate::cmd::inet::inet_aton(s)
}

/// `arp`'s listing as net-tools reads /proc/net/arp: through stdio, one read of the whole
/// file, then, once the lines read are printed (and their addresses looked up), another read
/// from the same position, until one returns nothing. seq_file serves a read by position, so
/// when the table grew meanwhile (a lookup's query made the gateway's entry), the entries
/// move under that position: one is printed twice, the new one never.
struct Listing {
    host: Option<String>,
    ip: Option<Ipv4Addr>,
    o: Opts,
    env: Env,
    /// Entries read so far: the position of the next read.
    read: usize,
    showed: usize,
    title: bool,
}

impl Listing {
    /// The listing of `host` (an address, or every entry) with `o`; `Err` with the exit
    /// status when `host` is no address.
    fn new(host: Option<&str>, o: &Opts, env: &Env, out: &mut Output) -> Result<Listing, i32> {
        let ip = match host {
            Some(h) => match parse_host(h) {
                Some(ip) => Some(ip),
                None => {
                    out.err(format!("{h}: {}\n", crate::cmd::inet::lookup_failure(h)));
                    return Err(255);
                }
            },
            None => None,
        };
        Ok(Listing {
            host: host.map(str::to_string),
            ip,
            o: o.clone(),
            env: env.clone(),
            read: 0,
            showed: 0,
            title: false,
        })
    }

    /// One read: prints the entries it gets, notes the addresses to look up; false when it
    /// got none.
    fn read(&mut self, lab: &Lab, out: &mut Output, lookups: &mut Vec<Ipv4Addr>) -> bool {
        let table = proc_arp(lab, &self.env);
        let Some(new) = table.get(self.read..).filter(|t| !t.is_empty()) else {
            return false;
        };
        self.read += new.len();
        let o = &self.o;
        for n in new {
            let dev = lab.iface(n.dev).map_or(String::new(), |i| i.name.clone());
            if self.ip.is_some_and(|ip| ip != n.ip) || o.device.as_deref().is_some_and(|d| d != dev)
            {
                continue;
            }
            self.showed += 1;
            // Without -n each address shown is looked up (INET_rresolve, which keeps a cache).
            if let std::net::IpAddr::V4(a) = n.ip {
                if !o.numeric && !lookups.contains(&a) {
                    lookups.push(a);
                }
            }
            let (com, perm) = flags(n);
            let hwa = n.mac.unwrap_or(MacAddr([0; 6])).to_string();
            if o.bsd {
                let mut s = format!("? ({}) at ", n.ip);
                if com {
                    s += &format!("{hwa} [ether] ");
                } else {
                    s += "<incomplete> ";
                }
                if perm {
                    s += "PERM ";
                }
                s += &format!("on {dev}\n");
                out.out(s);
            } else {
                if !self.title {
                    out.out("Address                  HWtype  HWaddress           Flags Mask            Iface\n");
                    self.title = true;
                }
                let mut fl = String::new();
                if com {
                    fl.push('C');
                }
                if perm {
                    fl.push('M');
                }
                let (hwtype, hw) = if com {
                    ("ether", hwa.as_str())
                } else {
                    ("", "(incomplete)")
                };
                out.out(format!(
                    "{:<23.23}  {:<8.8}{:<20.20}{:<6.6}{:<15.15} {}\n",
                    n.ip.to_string(),
                    hwtype,
                    hw,
                    fl,
                    "",
                    dev
                ));
            }
        }
        true
    }

    /// What follows the last entry; the exit status.
    fn finish(&self, out: &mut Output) -> i32 {
        let total = self.read;
        if self.o.verbose {
            out.out(format!(
                "Entries: {}\tSkipped: {}\tFound: {}\n",
                total,
                total - self.showed,
                self.showed
            ));
        }
        if self.showed == 0 {
            match (&self.host, self.ip) {
                (Some(h), Some(ip)) if !self.o.bsd => out.out(format!("{h} ({ip}) -- no entry\n")),
                _ if self.ip.is_some() || self.o.device.is_some() => {
                    out.out(format!("arp: in {total} entries no match found.\n"))
                }
                _ => {}
            }
        }
        0
    }
}

impl crate::resolver::ReadOn for Listing {
    fn read_on(
        &mut self,
        lab: &mut Lab,
        out: &mut Output,
        lookups: &mut Vec<Ipv4Addr>,
    ) -> Option<i32> {
        if self.read(lab, out, lookups) {
            None
        } else {
            Some(self.finish(out))
        }
    }
}

/// The interface for `ip` when none is given: the one of an on-link route to it
/// (ip_route_output with RT_SCOPE_LINK, as arp_req_set/arp_req_delete do).
fn route_dev(lab: &Lab, env: &Env, ip: Ipv4Addr) -> Option<LinkId> {
    lab.routes(env.ns)
        .into_iter()
        .filter(|r| r.gateway.is_none() && r.scope != Scope::Global && r.dst.contains(ip))
        .max_by_key(|r| r.dst.prefix)
        .map(|r| r.dev)
}

fn target_dev(
    lab: &Lab,
    env: &Env,
    o: &Opts,
    ip: Ipv4Addr,
    call: &str,
    out: &mut Output,
) -> Option<(LinkId, String)> {
    let dev = match &o.device {
        Some(d) => match lab.link_by_name(env.ns, d) {
            Ok(l) => Some(l),
            Err(_) => {
                out.err(format!("{call}: No such device\n"));
                return None;
            }
        },
        None => route_dev(lab, env, ip),
    };
    let Some(dev) = dev else {
        out.err(format!("{call}: Network is unreachable\n"));
        return None;
    };
    let name = lab.iface(dev).map_or(String::new(), |i| i.name.clone());
    Some((dev, name))
}

fn set(args: &[&str], o: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(host) = args.first() else {
        out.err("arp: need host name\n");
        return 255;
    };
    let Some(ip) = parse_host(host) else {
        out.err(format!(
            "{host}: {}\n",
            crate::cmd::inet::lookup_failure(host)
        ));
        return 255;
    };
    let Some(hw) = args.get(1) else {
        out.err("arp: need hardware address\n");
        return 255;
    };
    let Ok(mac) = hw.parse::<MacAddr>() else {
        out.err("arp: invalid hardware address\n");
        return 255;
    };
    let mut perm = true;
    let mut rest = args[2..].iter();
    while let Some(a) = rest.next() {
        match *a {
            "temp" => perm = false,
            "pub" | "priv" | "trail" | "dontpub" | "auto" => {}
            "dev" | "netmask" => {
                if rest.next().is_none() {
                    out.err(USAGE);
                    return 255;
                }
            }
            _ => {
                out.err(USAGE);
                return 255;
            }
        }
    }
    let Some((_, name)) = target_dev(lab, env, o, ip, "SIOCSARP", out) else {
        return 255;
    };
    let state = if perm {
        NeighState::Permanent
    } else {
        NeighState::Reachable
    };
    match lab.neigh_add(env.ns, &name, ip, Some(mac), state, true) {
        Ok(()) => 0,
        Err(_) => {
            out.err("SIOCSARP: Invalid argument\n");
            255
        }
    }
}

fn del(args: &[&str], o: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(host) = args.first() else {
        out.err("arp: need host name\n");
        return 255;
    };
    let Some(ip) = parse_host(host) else {
        out.err(format!(
            "{host}: {}\n",
            crate::cmd::inet::lookup_failure(host)
        ));
        return 255;
    };
    let Some((dev, name)) = target_dev(lab, env, o, ip, "SIOCDARP(dontpub)", out) else {
        return 255;
    };
    let found = lab
        .neighbours(env.ns)
        .into_iter()
        .any(|n| n.dev == dev && n.ip == ip && n.state != NeighState::Noarp);
    if !found || lab.neigh_del(env.ns, &name, ip).is_err() {
        out.out(format!("No ARP entry for {host}\n"));
        return 255;
    }
    0
}

/// Starts `arp ARGS...` in `env`: without `-n` its output waits for the name lookups, which
/// the resolver configured in `files` makes.
pub fn start(
    argv: &[String],
    files: &[crate::proto::FileText],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> Started {
    let mut lookups = Vec::new();
    let mut pending = Output::default();
    let mut listing = None;
    let code = run(argv, env, lab, &mut pending, &mut lookups, &mut listing);
    let conf = crate::resolver::ResolvConf::from_files(files);
    let then = listing.map(|l| Box::new(l) as Box<dyn crate::resolver::ReadOn>);
    crate::resolver::after_lookups(lookups, conf, env.ns, lab, pending, code, then, out)
}

/// Runs `arp ARGS...` in `env` without waiting for its lookups; returns the exit status.
#[cfg(test)]
pub fn main(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    use crate::resolver::ReadOn;
    let mut listing = None;
    let code = run(argv, env, lab, out, &mut Vec::new(), &mut listing);
    match listing {
        Some(mut l) => loop {
            if let Some(code) = l.read_on(lab, out, &mut Vec::new()) {
                break code;
            }
        },
        None => code,
    }
}

fn run(
    argv: &[String],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
    lookups: &mut Vec<Ipv4Addr>,
    listing: &mut Option<Listing>,
) -> i32 {
    let mut o = Opts::default();
    let mut operands: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        if a == "--" {
            operands.extend(argv[i..].iter().map(String::as_str));
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "all" => {
                    o.what = 1;
                    o.bsd = true;
                }
                "delete" => o.what = 3,
                "set" => o.what = 4,
                "numeric" => o.numeric = true,
                "use-device" => {}
                "verbose" => o.verbose = true,
                "device" => {
                    let v = val.or_else(|| {
                        let v = argv.get(i).cloned();
                        i += 1;
                        v
                    });
                    // An empty name is no name: net-tools tests device[0].
                    o.device = v.filter(|v| !v.is_empty());
                }
                "help" => {
                    out.out(USAGE);
                    return 0;
                }
                _ => {
                    out.err(format!("arp: unrecognized option '{a}'\n"));
                    out.err(USAGE);
                    return 255;
                }
            }
            continue;
        }
        let Some(shorts) = a.strip_prefix('-').filter(|s| !s.is_empty()) else {
            operands.push(a);
            continue;
        };
        for (j, c) in shorts.char_indices() {
            match c {
                'a' => {
                    o.what = 1;
                    o.bsd = true;
                }
                'f' => o.what = 2,
                'd' => o.what = 3,
                's' => o.what = 4,
                'e' => o.bsd = false,
                'n' => o.numeric = true,
                'D' => {}
                'v' => o.verbose = true,
                'N' => out.err("arp: -N not yet supported.\n"),
                'i' | 'H' | 't' | 'A' | 'p' => {
                    let rest = &shorts[j + c.len_utf8()..];
                    let v = if !rest.is_empty() {
                        Some(rest.to_string())
                    } else {
                        let v = argv.get(i).cloned();
                        i += 1;
                        v
                    };
                    let Some(v) = v else {
                        out.err(format!("arp: option requires an argument -- '{c}'\n"));
                        out.err(USAGE);
                        return 255;
                    };
                    match c {
                        'i' => o.device = Some(v).filter(|v| !v.is_empty()),
                        'H' | 't' if v != "ether" => {
                            out.err(format!("arp: {v}: unknown hardware type.\n"));
                            return 255;
                        }
                        'A' | 'p' if v != "inet" => {
                            out.err(format!("arp: {v}: unknown address family.\n"));
                            return 255;
                        }
                        _ => {}
                    }
                    break;
                }
                'V' => {
                    out.out("net-tools 2.10\n");
                    return 0;
                }
                'h' => {
                    out.out(USAGE);
                    return 0;
                }
                _ => {
                    out.err(format!("arp: invalid option -- '{c}'\n"));
                    out.err(USAGE);
                    return 255;
                }
            }
        }
    }
    match o.what {
        0 | 1 => match Listing::new(operands.first().copied(), &o, env, out) {
            Ok(mut l) => {
                l.read(lab, out, lookups);
                *listing = Some(l);
                0
            }
            Err(code) => code,
        },
        3 => del(&operands, &o, env, lab, out),
        4 => set(&operands, &o, env, lab, out),
        _ => {
            out.err("arp: cannot open etherfile /etc/ethers !\n");
            255
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_sim::NsId;

    fn arp(lab: &mut Lab, args: &[&str]) -> (String, String, i32) {
        let env = Env {
            ns: NsId::INIT,
            ns_name: String::new(),
            pid: 1,
            tty: false,
        };
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        let rc = main(&argv, &env, lab, &mut out);
        (out.stdout, out.stderr, rc)
    }

    /// Outputs captured from net-tools 2.10 on Linux (irv0 10.1.1.1/24, up).
    #[test]
    fn table_and_bsd_style() {
        let mut lab = Lab::new();
        lab.add_veth(NsId::INIT, "irv0", "irv1", None).unwrap();
        lab.addr_add(NsId::INIT, "irv0", "10.1.1.1/24".parse().unwrap(), None)
            .unwrap();
        lab.set_link_up(NsId::INIT, "irv0", true).unwrap();
        assert_eq!(
            arp(&mut lab, &["-s", "10.1.1.60", "02:00:00:00:00:60"]),
            (String::new(), String::new(), 0)
        );
        assert_eq!(
            arp(&mut lab, &["-n"]).0,
            "Address                  HWtype  HWaddress           Flags Mask            Iface\n\
             10.1.1.60                ether   02:00:00:00:00:60   CM                    irv0\n"
        );
        assert_eq!(
            arp(&mut lab, &["-an"]).0,
            "? (10.1.1.60) at 02:00:00:00:00:60 [ether] PERM on irv0\n"
        );
        assert_eq!(
            arp(&mut lab, &["-n", "10.1.1.77"]).0,
            "10.1.1.77 (10.1.1.77) -- no entry\n"
        );
        assert_eq!(
            arp(&mut lab, &["-i", "nosuch", "-n"]).0,
            "arp: in 1 entries no match found.\n"
        );
        assert_eq!(
            arp(&mut lab, &["-s", "10.99.1.61", "02:00:00:00:00:61"]),
            (
                String::new(),
                "SIOCSARP: Network is unreachable\n".into(),
                255
            )
        );
        assert_eq!(
            arp(&mut lab, &["-s", "10.1.1.63", "zz"]).1,
            "arp: invalid hardware address\n"
        );
        assert_eq!(
            arp(&mut lab, &["-d", "10.1.1.99"]),
            ("No ARP entry for 10.1.1.99\n".into(), String::new(), 255)
        );
        assert_eq!(arp(&mut lab, &["-d", "10.1.1.60"]).2, 0);
    }
}
