//! `ifconfig` (net-tools 2.10): shows interfaces in net-tools' name order (nstrcmp) with the
//! counters of the wire, and changes them through the ioctls' rules: an address gets its
//! classful prefix and broadcast (SIOCSIFADDR), replaces the device's first address and
//! brings the device up; `/LEN` becomes a netmask set at the end (SIOCSIFNETMASK).

use std::cmp::Ordering;
use std::net::Ipv4Addr;

use l2lab_fabric::{LinkId, LinkKind, MacAddr};
use l2lab_sim::api_ipr::IoctlError;
use l2lab_sim::{Lab, Scope};

use crate::cmd::{Env, Output};
use crate::ip::common::operstate;

const USAGE: &str = "Usage:
  ifconfig [-a] [-v] [-s] <interface> [[<AF>] <address>]
  [add <address>[/<prefixlen>]]
  [del <address>[/<prefixlen>]]
  [[-]broadcast [<address>]]  [[-]pointopoint [<address>]]
  [netmask <address>]  [dstaddr <address>]  [tunnel <address>]
  [outfill <NN>] [keepalive <NN>]
  [hw <HW> <address>]  [mtu <NN>]
  [[-]trailers]  [[-]arp]  [[-]allmulti]
  [multicast]  [[-]promisc]
  [mem_start <NN>]  [io_addr <NN>]  [irq <NN>]  [media <type>]
  [txqueuelen <NN>]
  [name <newname>]
  [[-]dynamic]
  [up|down] ...

  <HW>=Hardware Type.
  List of possible hardware types:
    loop (Local Loopback) slip (Serial Line IP) cslip (VJ Serial Line IP) 
    slip6 (6-bit Serial Line IP) cslip6 (VJ 6-bit Serial Line IP) adaptive (Adaptive Serial Line IP) 
    ash (Ash) ether (Ethernet) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) tunnel (IPIP Tunnel) 
    ppp (Point-to-Point Protocol) hdlc ((Cisco)-HDLC) lapb (LAPB) 
    arcnet (ARCnet) dlci (Frame Relay DLCI) frad (Frame Relay Access Device) 
    sit (IPv6-in-IPv4) fddi (Fiber Distributed Data Interface) hippi (HIPPI) 
    irda (IrLAP) ec (Econet) x25 (generic X.25) 
    eui64 (Generic EUI-64) 
  <AF>=Address family. Default: inet
  List of possible address families:
    unix (UNIX Domain) inet (DARPA Internet) inet6 (IPv6) 
    ax25 (AMPR AX.25) netrom (AMPR NET/ROM) rose (AMPR ROSE) 
    ipx (Novell IPX) ddp (Appletalk DDP) ec (Econet) 
    ash (Ash) x25 (CCITT X.25) 
";

const IFF_UP: u32 = 0x1;
const IFF_BROADCAST: u32 = 0x2;
const IFF_LOOPBACK: u32 = 0x8;
const IFF_RUNNING: u32 = 0x40;
const IFF_NOARP: u32 = 0x80;
const IFF_MULTICAST: u32 = 0x1000;

/// net-tools' nstrcmp: names compared as base + trailing number (`eth2` < `eth10`), so that
/// `veth1p` sorts after `veth2`.
pub fn nstrcmp(a: &str, b: &str) -> Ordering {
    let base = |s: &str| s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (ai, bi) = (base(a), base(b));
    let n = ai.min(bi);
    match a.as_bytes()[..n].cmp(&b.as_bytes()[..n]) {
        Ordering::Equal => {}
        o => return o,
    }
    match ai.cmp(&bi) {
        Ordering::Equal => {}
        o => return o,
    }
    let num = |s: &str| s.parse::<u64>().unwrap_or(0);
    num(&a[ai..]).cmp(&num(&b[bi..])).then_with(|| a.cmp(b))
}

/// The device flags as SIOCGIFFLAGS reports them (dev_get_flags).
fn if_flags(lab: &Lab, link: LinkId) -> u32 {
    let Some(l) = lab.fabric().link(link) else {
        return 0;
    };
    let mut f = match l.kind {
        LinkKind::Loopback => IFF_LOOPBACK,
        LinkKind::Dummy => IFF_BROADCAST | IFF_NOARP,
        _ => IFF_BROADCAST | IFF_MULTICAST,
    };
    if l.admin_up {
        f |= IFF_UP;
        if matches!(operstate(lab, link), "UP" | "UNKNOWN") {
            f |= IFF_RUNNING;
        }
    }
    f
}

fn flag_names(f: u32) -> String {
    const NAMES: &[(u32, &str)] = &[
        (IFF_UP, "UP"),
        (IFF_BROADCAST, "BROADCAST"),
        (0x4, "DEBUG"),
        (IFF_LOOPBACK, "LOOPBACK"),
        (0x10, "POINTOPOINT"),
        (0x20, "NOTRAILERS"),
        (IFF_RUNNING, "RUNNING"),
        (IFF_NOARP, "NOARP"),
        (0x100, "PROMISC"),
        (0x200, "ALLMULTI"),
        (0x800, "SLAVE"),
        (0x400, "MASTER"),
        (IFF_MULTICAST, "MULTICAST"),
    ];
    let v: Vec<&str> = NAMES
        .iter()
        .filter(|(b, _)| f & b != 0)
        .map(|(_, n)| *n)
        .collect();
    format!("flags={f}<{}>", v.join(","))
}

/// `54 (54.0 B)`, `2048 (2.0 KiB)`: net-tools' one-decimal binary units.
fn bytes(n: u64) -> String {
    let mut short = n.saturating_mul(10);
    let ext = if n > 1 << 60 {
        short = n / 115_292_150_460_684_697;
        "EiB"
    } else if n > 1 << 50 {
        short /= 1 << 50;
        "PiB"
    } else if n > 1 << 40 {
        short /= 1 << 40;
        "TiB"
    } else if n > 1 << 30 {
        short /= 1 << 30;
        "GiB"
    } else if n > 1 << 20 {
        short /= 1 << 20;
        "MiB"
    } else if n > 1024 {
        short /= 1024;
        "KiB"
    } else {
        "B"
    };
    format!("{n} ({}.{} {ext})", short / 10, short % 10)
}

/// ife_print_long.
fn print_long(lab: &Lab, link: LinkId, out: &mut Output) {
    let (Some(l), Some(i)) = (lab.fabric().link(link), lab.iface(link)) else {
        return;
    };
    let f = if_flags(lab, link);
    let mut s = format!("{}: {}  mtu {}\n", i.name, flag_names(f), l.mtu);
    if let Some(a) = i.addrs.iter().find(|a| a.label == i.name) {
        s += &format!("        inet {}  netmask {}", a.net.addr, a.net.mask());
        if f & IFF_BROADCAST != 0 {
            s += &format!(
                "  broadcast {}",
                a.broadcast.unwrap_or(Ipv4Addr::UNSPECIFIED)
            );
        }
        s.push('\n');
    }
    // if_print lists the addresses /proc/net/if_inet6 holds, in its order.
    for a in lab.addrs6(link) {
        let scope = match a.scope {
            Scope::Host => "0x10<host>",
            Scope::Link => "0x20<link>",
            Scope::Global => "0x0<global>",
        };
        s += &format!(
            "        inet6 {}  prefixlen {}  scopeid {scope}\n",
            a.addr, a.prefix
        );
    }
    match l.kind {
        LinkKind::Loopback => s += "        loop  txqueuelen 1000  (Local Loopback)\n",
        _ => s += &format!("        ether {}  txqueuelen 1000  (Ethernet)\n", l.mac),
    }
    let c = &l.counters;
    s += &format!(
        "        RX packets {}  bytes {}\n",
        c.rx_packets,
        bytes(c.rx_bytes)
    );
    s += &format!(
        "        RX errors 0  dropped {}  overruns 0  frame 0\n",
        c.rx_dropped
    );
    s += &format!(
        "        TX packets {}  bytes {}\n",
        c.tx_packets,
        bytes(c.tx_bytes)
    );
    s += &format!(
        "        TX errors 0  dropped {} overruns 0  carrier 0  collisions 0\n\n",
        c.tx_dropped
    );
    out.out(s);
}

/// ife_print_short (`ifconfig -s`).
fn print_short(lab: &Lab, link: LinkId, out: &mut Output) {
    let (Some(l), Some(i)) = (lab.fabric().link(link), lab.iface(link)) else {
        return;
    };
    let c = &l.counters;
    let f = if_flags(lab, link);
    let mut s = format!(
        "{:<15.15} {:>5} {:>8} {:>6} {:>6} {:<6} {:>8} {:>6} {:>6} {:>6} ",
        i.name, l.mtu, c.rx_packets, 0, c.rx_dropped, 0, c.tx_packets, 0, c.tx_dropped, 0
    );
    for (b, ch) in [
        (0x200, 'A'),
        (IFF_BROADCAST, 'B'),
        (0x4, 'D'),
        (IFF_LOOPBACK, 'L'),
        (IFF_MULTICAST, 'M'),
        (0x100, 'P'),
        (0x20, 'N'),
        (IFF_NOARP, 'O'),
        (0x10, 'P'),
        (0x800, 's'),
        (0x400, 'm'),
        (IFF_RUNNING, 'R'),
        (IFF_UP, 'U'),
    ] {
        if f & b != 0 {
            s.push(ch);
        }
    }
    s.push('\n');
    out.out(s);
}

fn print_all(all: bool, short: bool, env: &Env, lab: &Lab, out: &mut Output) {
    let mut links = lab.links(env.ns);
    links.sort_by(|a, b| {
        let n = |l: &LinkId| lab.iface(*l).map_or(String::new(), |i| i.name.clone());
        nstrcmp(&n(a), &n(b))
    });
    if short {
        out.out("Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n");
    }
    for l in links {
        if all || if_flags(lab, l) & IFF_UP != 0 {
            if short {
                print_short(lab, l, out);
            } else {
                print_long(lab, l, out);
            }
        }
    }
}

/// strtoul(s, _, 0), as far as it goes; `None` when nothing is a digit or junk follows.
fn strtoul(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    u64::from_str_radix(digits, radix).ok()
}

/// A change to a device that may not exist: each ioctl reports ENODEV in its own words.
struct Change<'a> {
    name: &'a str,
    link: Option<LinkId>,
    goterr: i32,
}

impl Change<'_> {
    /// set_flag/clr_flag: SIOCGIFFLAGS first, which is where a missing device shows.
    fn flags(&mut self, out: &mut Output) -> Option<LinkId> {
        if self.link.is_none() {
            out.err(format!(
                "{}: ERROR while getting interface flags: No such device\n",
                self.name
            ));
            self.goterr |= -1;
        }
        self.link
    }

    fn ioctl(&mut self, call: &str, r: Result<(), IoctlError>, out: &mut Output) {
        if let Err(e) = r {
            out.err(format!("{call}: {}\n", e.strerror()));
            self.goterr |= 1;
        }
    }
}

fn parse_inet(s: &str) -> Option<Ipv4Addr> {
    if s == "default" {
        return Some(Ipv4Addr::UNSPECIFIED);
    }
    crate::cmd::inet::inet_aton(s)
}

fn configure(name: &str, args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut c = Change {
        name,
        link: lab.link_by_name(env.ns, name).ok(),
        goterr: 0,
    };
    let nodev = |l: Option<LinkId>| l.ok_or(IoctlError::NoDevice);
    let mut i = 0;
    if args.first().is_some_and(|a| a == "inet") {
        i += 1;
    }
    let mut neednetmask: Option<Ipv4Addr> = None;
    let mut didnetmask = false;
    while i < args.len() {
        let a = args[i].as_str();
        let arg = args.get(i + 1).map(String::as_str);
        match a {
            "up" => {
                if let Some(l) = c.flags(out) {
                    let _ = lab.set_link_up_id(l, true);
                }
            }
            "down" => {
                if let Some(l) = c.flags(out) {
                    let _ = lab.set_link_up_id(l, false);
                }
            }
            "arp" | "-arp" | "trailers" | "-trailers" | "promisc" | "-promisc" | "multicast"
            | "-multicast" | "allmulti" | "-allmulti" | "dynamic" | "-dynamic" | "-broadcast"
            | "-pointopoint" | "-pointtopoint" => {
                c.flags(out);
            }
            "mtu" | "txqueuelen" | "keepalive" | "outfill" | "mem_start" | "io_addr" | "irq"
            | "media" | "port" | "dstaddr" | "name" | "add" | "del" | "tunnel" | "netmask" => {
                let Some(v) = arg else {
                    out.err(USAGE);
                    return 3;
                };
                i += 1;
                match a {
                    "mtu" => {
                        let mtu = v.parse::<i64>().unwrap_or(0);
                        let r = nodev(c.link).and_then(|l| {
                            let name = lab.iface(l).map_or(String::new(), |x| x.name.clone());
                            u32::try_from(mtu)
                                .ok()
                                .and_then(|m| lab.set_mtu(env.ns, &name, m).ok())
                                .ok_or(IoctlError::Invalid)
                        });
                        c.ioctl("SIOCSIFMTU", r, out);
                    }
                    "name" => {
                        let r = nodev(c.link).and_then(|_| {
                            lab.rename_link(env.ns, name, v)
                                .map_err(|_| IoctlError::Exists)
                        });
                        c.ioctl("SIOCSIFNAME", r, out);
                    }
                    "netmask" => {
                        if didnetmask {
                            out.err(USAGE);
                            return 3;
                        }
                        let Some(m) = parse_inet(v) else {
                            out.err(format!("{v}: {}\n", crate::cmd::inet::lookup_failure(v)));
                            c.goterr = 1;
                            i += 1;
                            continue;
                        };
                        didnetmask = true;
                        let r = nodev(c.link).and_then(|l| lab.ioctl_set_netmask(l, m));
                        c.ioctl("SIOCSIFNETMASK", r, out);
                    }
                    _ => {}
                }
            }
            "broadcast" => {
                if let Some(v) = arg {
                    i += 1;
                    match parse_inet(v) {
                        Some(b) => {
                            let r = nodev(c.link).and_then(|l| lab.ioctl_set_broadcast(l, b));
                            c.ioctl("SIOCSIFBRDADDR", r, out);
                        }
                        None => {
                            out.err(format!("{v}: {}\n", crate::cmd::inet::lookup_failure(v)));
                            c.goterr = 1;
                            i += 1;
                            continue;
                        }
                    }
                }
                c.flags(out);
            }
            "pointopoint" | "pointtopoint" => {
                if arg.is_some() {
                    i += 1;
                }
                c.flags(out);
            }
            "hw" => {
                let (Some(kind), Some(v)) = (arg, args.get(i + 2)) else {
                    out.err(USAGE);
                    return 3;
                };
                if kind != "ether" {
                    out.err(USAGE);
                    return 3;
                }
                i += 2;
                match v.parse::<MacAddr>() {
                    Ok(mac) => {
                        let r = nodev(c.link).and_then(|_| {
                            lab.set_mac(env.ns, name, mac)
                                .map_err(|_| IoctlError::Invalid)
                        });
                        c.ioctl("SIOCSIFHWADDR", r, out);
                    }
                    Err(_) => {
                        out.err(format!("{v}: invalid ether address.\n"));
                        c.goterr = 1;
                    }
                }
            }
            _ => {
                // An address, with an optional /LEN that becomes a netmask at the end.
                let (host, len) = match a.split_once('/') {
                    Some((h, l)) => (h, Some(l)),
                    None => (a, None),
                };
                if let Some(l) = len {
                    let Some(p) = strtoul(l) else {
                        out.err(USAGE);
                        return 3;
                    };
                    if didnetmask {
                        out.err(USAGE);
                        return 3;
                    }
                    // The C shift takes its count modulo 32: /33 is /1.
                    let m = !(u32::MAX.wrapping_shr((p & 0xffff_ffff) as u32));
                    neednetmask = Some(Ipv4Addr::from(m));
                }
                let Some(ip) = parse_inet(host) else {
                    out.err(format!(
                        "{host}: {}\nifconfig: `--help' gives usage information.\n",
                        crate::cmd::inet::lookup_failure(host)
                    ));
                    return 1;
                };
                let r = nodev(c.link).and_then(|l| lab.ioctl_set_addr(l, ip));
                c.ioctl("SIOCSIFADDR", r, out);
                if let Some(l) = c.flags(out) {
                    let _ = lab.set_link_up_id(l, true);
                }
            }
        }
        i += 1;
    }
    if let Some(m) = neednetmask {
        let r = nodev(c.link).and_then(|l| lab.ioctl_set_netmask(l, m));
        c.ioctl("SIOCSIFNETMASK", r, out);
    }
    c.goterr & 0xff
}

/// Runs `ifconfig ARGS...` in `env`; returns the exit status.
pub fn main(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut all = false;
    let mut short = false;
    let mut i = 0;
    while let Some(a) = argv.get(i).filter(|a| a.starts_with('-')) {
        match a.as_str() {
            "-a" => all = true,
            "-s" => short = true,
            "-v" => {}
            "-V" | "-version" | "--version" => {
                out.out("net-tools 2.10\n");
                return 0;
            }
            "-?" | "-h" | "-help" | "--help" => {
                out.out(USAGE);
                return 0;
            }
            _ => {
                out.err(format!(
                    "ifconfig: option `{a}' not recognised.\nifconfig: `--help' gives usage information.\n"
                ));
                return 1;
            }
        }
        i += 1;
    }
    let rest = &argv[i..];
    let Some(name) = rest.first() else {
        print_all(all, short, env, lab, out);
        return 0;
    };
    if rest.len() == 1 {
        return match lab.link_by_name(env.ns, name) {
            Ok(l) => {
                if short {
                    out.out("Iface      MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg\n");
                    print_short(lab, l, out);
                } else {
                    print_long(lab, l, out);
                }
                0
            }
            Err(_) => {
                out.err(format!(
                    "{name}: error fetching interface information: Device not found\n"
                ));
                1
            }
        };
    }
    let name: String = name.chars().take(15).collect();
    configure(&name, &rest[1..], env, lab, out)
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_sim::NsId;

    fn ifconfig(lab: &mut Lab, args: &[&str]) -> (String, String, i32) {
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

    #[test]
    fn name_order() {
        let mut v = vec![
            "lo", "kfv2p", "kfv1", "kfbr1", "kfv2", "kfv1p", "kfbr0", "kfvy", "kfvx",
        ];
        v.sort_by(|a, b| nstrcmp(a, b));
        // The order `ifconfig -a` printed on Linux.
        assert_eq!(
            v,
            ["kfbr0", "kfbr1", "kfv1", "kfv2", "kfv1p", "kfv2p", "kfvx", "kfvy", "lo"]
        );
        assert_eq!(bytes(54), "54 (54.0 B)");
        assert_eq!(bytes(2048), "2048 (2.0 KiB)");
    }

    /// Outputs and errors captured from net-tools 2.10 on Linux.
    #[test]
    fn errors_and_addresses() {
        let mut lab = Lab::with_config(l2lab_sim::LabConfig {
            ipv6: false,
            ..Default::default()
        });
        lab.add_veth(NsId::INIT, "veth2", "veth3", None).unwrap();
        assert_eq!(
            ifconfig(&mut lab, &["nosuch"]),
            (
                String::new(),
                "nosuch: error fetching interface information: Device not found\n".into(),
                1
            )
        );
        assert_eq!(
            ifconfig(&mut lab, &["nosuch", "10.0.0.1/24", "up"]),
            (
                String::new(),
                "SIOCSIFADDR: No such device\n\
                 nosuch: ERROR while getting interface flags: No such device\n\
                 nosuch: ERROR while getting interface flags: No such device\n\
                 SIOCSIFNETMASK: No such device\n"
                    .into(),
                255
            )
        );
        assert_eq!(ifconfig(&mut lab, &["veth2", "10.0.0.1/33"]).2, 0);
        assert_eq!(
            ifconfig(&mut lab, &["veth2", "10.0.0.1", "netmask", "255.0.255.0"]),
            (
                String::new(),
                "SIOCSIFNETMASK: Invalid argument\n".into(),
                1
            )
        );
        assert_eq!(ifconfig(&mut lab, &["veth2", "10.0.0.1/24", "up"]).2, 0);
        let mac = lab
            .fabric()
            .link(lab.link_by_name(NsId::INIT, "veth2").unwrap())
            .unwrap()
            .mac;
        assert_eq!(
            ifconfig(&mut lab, &["veth2"]).0,
            format!(
                "veth2: flags=4099<UP,BROADCAST,MULTICAST>  mtu 1500\n        \
                 inet 10.0.0.1  netmask 255.255.255.0  broadcast 10.0.0.255\n        \
                 ether {mac}  txqueuelen 1000  (Ethernet)\n        \
                 RX packets 0  bytes 0 (0.0 B)\n        \
                 RX errors 0  dropped 0  overruns 0  frame 0\n        \
                 TX packets 0  bytes 0 (0.0 B)\n        \
                 TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n"
            )
        );
        ifconfig(&mut lab, &["veth2", "172.16.5.1"]);
        let a = &lab
            .iface(lab.link_by_name(NsId::INIT, "veth2").unwrap())
            .unwrap()
            .addrs;
        assert_eq!(a[0].net.to_string(), "172.16.5.1/16");
        assert_eq!(a[0].broadcast, Some(Ipv4Addr::new(172, 16, 255, 255)));
    }
}
