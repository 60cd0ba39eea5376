//! The lab a capture is replayed in: by default one namespace per inferred host, each on its
//! own port of one bridge (`br0`), or the network a `--topology` script builds (a subset of a
//! scenario script's commands, see docs/replay.md). Either way every host ends up with the
//! capture's MAC and addresses on the interface it sends from.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use l2lab_fabric::{LinkId, LinkKind, MacAddr};
use l2lab_sim::stack::addrconf::ADDR_GEN_MODE_NONE;
use l2lab_sim::{Ipv4Net, Lab, NsId, RouteProto};

use super::hosts::Host;

/// Virtual time between two IPv6 hosts coming up: one tick of the lab's 250 Hz clock.
const HOST_STEP: Duration = Duration::from_millis(4);

/// A host placed in the lab.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The host.
    pub host: Host,
    /// The interface it sends from (where its frames are injected).
    pub link: LinkId,
}

/// The lab, ready to replay into.
pub struct Built {
    /// The lab.
    pub lab: Lab,
    /// Every host of the capture, in order of first sight.
    pub hosts: Vec<Placed>,
    /// The bridge whose view `-o` records: its namespace and name.
    pub bridge: Option<(NsId, String)>,
}

/// Builds the default lab: bridge `br0`, host N in namespace `hN` behind port `pN`.
/// `at_port` puts a host on a numbered port; hosts sharing a port share a segment (a bridge
/// `sN` behind port `pN`).
pub fn default_lab(
    hosts: &[Host],
    at_port: &BTreeMap<MacAddr, u32>,
    ageing: Option<Duration>,
) -> anyhow::Result<Built> {
    let ipv6 = hosts.iter().any(|h| !h.ips6.is_empty());
    let mut lab = new_lab(ipv6)?;
    let init = NsId::INIT;
    lab.add_bridge(init, "br0")?;
    lab.set_link_up(init, "br0", true)?;
    if let Some(a) = ageing {
        lab.set_ageing_time(init, "br0", a)?;
    }
    // Port of each host: as asked, else the next free number.
    let mut ports: Vec<u32> = Vec::with_capacity(hosts.len());
    let mut next = 1u32;
    let taken: Vec<u32> = at_port.values().copied().collect();
    for h in hosts {
        let p = match at_port.get(&h.mac) {
            Some(p) => *p,
            None => {
                while taken.contains(&next) || ports.contains(&next) {
                    next += 1;
                }
                next
            }
        };
        ports.push(p);
    }
    let mut segments: BTreeMap<u32, usize> = BTreeMap::new();
    for p in &ports {
        *segments.entry(*p).or_default() += 1;
    }
    for (p, n) in &segments {
        let port = format!("p{p}");
        if *n > 1 {
            let seg = format!("s{p}");
            lab.add_bridge(init, &seg)?;
            lab.set_link_up(init, &seg, true)?;
            if let Some(a) = ageing {
                lab.set_ageing_time(init, &seg, a)?;
            }
            let up = format!("u{p}");
            lab.add_veth(init, &port, &up, None)?;
            lab.set_master(init, &up, Some(&seg))?;
            lab.set_link_up(init, &up, true)?;
        } else {
            lab.add_veth(init, &port, &format!("q{p}"), None)?;
        }
        lab.set_master(init, &port, Some("br0"))?;
        lab.set_link_up(init, &port, true)?;
    }
    let mut placed = Vec::with_capacity(hosts.len());
    for (i, (h, p)) in hosts.iter().zip(&ports).enumerate() {
        let name = format!("h{}", i + 1);
        let ns = lab.add_netns(&name)?;
        let (link, _) = if segments.get(p).copied().unwrap_or(0) > 1 {
            let side = format!("h{}s{p}", i + 1);
            let pair = lab.add_veth(ns, "eth0", &side, Some(init))?;
            lab.set_master(init, &side, Some(&format!("s{p}")))?;
            lab.set_link_up(init, &side, true)?;
            pair
        } else {
            // The host takes the far end of the port's pair.
            let far = format!("q{p}");
            lab.move_link(init, &far, ns)?;
            lab.rename_link(ns, &far, "eth0")?;
            let l = lab.link_by_name(ns, "eth0")?;
            (l, l)
        };
        lab.set_mac(ns, "eth0", h.mac)?;
        if ipv6 {
            host_ipv6(&mut lab, ns, "eth0")?;
        }
        lab.set_link_up(ns, "eth0", true)?;
        lab.set_link_up(ns, "lo", true)?;
        configure(&mut lab, ns, "eth0", h)?;
        if ipv6 {
            // A host up sends its MLD reports two ticks later, flooded to every port: hosts
            // brought up a tick apart send theirs apart, so the frames in flight at once
            // are a host's, not all hosts' (N, not N², of them).
            let _ = lab.advance(HOST_STEP);
        }
        placed.push(Placed {
            host: h.clone(),
            link,
        });
    }
    Ok(Built {
        lab,
        hosts: placed,
        bridge: Some((init, "br0".into())),
    })
}

/// A lab with IPv6 on when the capture holds IPv6 to replay. The initial namespace's devices
/// (the bridges and their ports) then have it off, as a bridge that took part in the traffic
/// would be a host of the capture.
fn new_lab(ipv6: bool) -> anyhow::Result<Lab> {
    let mut lab = Lab::with_config(l2lab_sim::LabConfig {
        ipv6,
        ..Default::default()
    });
    if ipv6 {
        lab.sysctl_set(NsId::INIT, "net.ipv6.conf.all.disable_ipv6", "1")?;
        lab.sysctl_set(NsId::INIT, "net.ipv6.conf.default.disable_ipv6", "1")?;
    }
    Ok(lab)
}

/// IPv6 on for a host's interface (made in the initial namespace, it had it off), with no
/// link-local of its own making: the capture's addresses are the ones it gets.
fn host_ipv6(lab: &mut Lab, ns: NsId, dev: &str) -> anyhow::Result<()> {
    lab.sysctl_set(ns, &format!("net.ipv6.conf.{dev}.disable_ipv6"), "0")?;
    let link = lab.link_by_name(ns, dev)?;
    lab.set_addr_gen_mode(link, ADDR_GEN_MODE_NONE)?;
    Ok(())
}

/// The host's IPv6 addresses on `link`, those it lacks.
fn add_ipv6(lab: &mut Lab, link: LinkId, h: &Host) -> anyhow::Result<()> {
    for ip in &h.ips6 {
        // Without DAD: the capture shows the address in use already.
        match lab.addr6_add(link, *ip, 64, true) {
            Ok(()) | Err(l2lab_sim::LabError::Exists(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Addresses, gateway and forwarding of a host on interface `dev` of `ns`.
fn configure(lab: &mut Lab, ns: NsId, dev: &str, h: &Host) -> anyhow::Result<()> {
    let link = lab.link_by_name(ns, dev)?;
    add_ipv6(lab, link, h)?;
    for ip in &h.ips {
        let have = lab.addresses(ns).iter().any(|(_, a)| a.net.addr == *ip);
        if !have {
            lab.addr_add(
                ns,
                dev,
                Ipv4Net {
                    addr: *ip,
                    prefix: h.prefix,
                },
                None,
            )?;
        }
    }
    if let Some(gw) = h.gateway {
        let default = Ipv4Net {
            addr: Ipv4Addr::UNSPECIFIED,
            prefix: 0,
        };
        if lab.route_output(ns, Ipv4Addr::new(203, 0, 113, 1)).is_err() {
            lab.route_add(ns, default, Some(gw), None, 0, RouteProto::Boot)?;
        }
    }
    if h.forwarding {
        lab.sysctl_set(ns, "net.ipv4.conf.all.forwarding", "1")?;
    }
    Ok(())
}

/// Builds the lab a topology script describes, then finds each host's interface by its
/// address (hosts whose addresses the script does not have get a namespace of their own on
/// the script's first bridge) and gives it the capture's MAC.
pub fn script_lab(path: &Path, hosts: &[Host], ageing: Option<Duration>) -> anyhow::Result<Built> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let ipv6 = hosts.iter().any(|h| !h.ips6.is_empty());
    let mut lab = Lab::with_config(l2lab_sim::LabConfig {
        ipv6,
        ..Default::default()
    });
    let mut first_bridge: Option<(NsId, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        run_line(&mut lab, NsId::INIT, &words, &mut first_bridge)
            .with_context(|| format!("{}:{}: {line}", path.display(), n + 1))?;
    }
    if let (Some(a), Some((ns, _))) = (ageing, &first_bridge) {
        for l in lab.links(*ns) {
            if matches!(
                lab.fabric().link(l).map(|k| &k.kind),
                Some(LinkKind::Bridge(_))
            ) {
                let name = lab.iface(l).map(|i| i.name.clone()).unwrap_or_default();
                lab.set_ageing_time(*ns, &name, a)?;
            }
        }
    }
    let mut placed = Vec::with_capacity(hosts.len());
    let mut extra = 0;
    for h in hosts {
        let found = h
            .ips
            .iter()
            .map(|ip| IpAddr::V4(*ip))
            .chain(h.ips6.iter().map(|ip| IpAddr::V6(*ip)))
            .find_map(|ip| find_addr(&lab, ip));
        let link =
            match found {
                Some((ns, link)) => {
                    let dev = lab.iface(link).map(|i| i.name.clone()).unwrap_or_default();
                    lab.set_mac(ns, &dev, h.mac)?;
                    // The link-local the interface made came from the script's MAC, not
                    // the capture's: the capture's addresses join it.
                    add_ipv6(&mut lab, link, h)?;
                    link
                }
                None => {
                    let Some((bns, br)) = first_bridge.clone() else {
                        bail!(
                        "{}: no interface has {} of host {} and there is no bridge to add it to",
                        path.display(),
                        h.ips.first().map_or("an address".to_string(), |i| i.to_string()),
                        h.mac
                    );
                    };
                    extra += 1;
                    let ns = lab.add_netns(&format!("rpx{extra}"))?;
                    let port = format!("rpx{extra}p");
                    let (l, _) = lab.add_veth(ns, "eth0", &port, Some(bns))?;
                    lab.set_master(bns, &port, Some(&br))?;
                    lab.set_link_up(bns, &port, true)?;
                    lab.set_mac(ns, "eth0", h.mac)?;
                    if ipv6 {
                        host_ipv6(&mut lab, ns, "eth0")?;
                    }
                    lab.set_link_up(ns, "eth0", true)?;
                    configure(&mut lab, ns, "eth0", h)?;
                    l
                }
            };
        placed.push(Placed {
            host: h.clone(),
            link,
        });
    }
    Ok(Built {
        lab,
        hosts: placed,
        bridge: first_bridge,
    })
}

fn find_addr(lab: &Lab, ip: IpAddr) -> Option<(NsId, LinkId)> {
    let mut names = vec![String::new()];
    names.extend(lab.netns_names());
    for name in names {
        let ns = if name.is_empty() {
            NsId::INIT
        } else {
            lab.netns(&name).ok()?
        };
        let found = match ip {
            IpAddr::V4(ip) => lab
                .addresses(ns)
                .into_iter()
                .find(|(_, a)| a.net.addr == ip)
                .map(|(l, _)| l),
            IpAddr::V6(ip) => lab
                .links(ns)
                .into_iter()
                .find(|l| lab.addrs6(*l).iter().any(|a| a.addr == ip)),
        };
        if let Some(l) = found {
            return Some((ns, l));
        }
    }
    None
}

/// Runs one script line in namespace `ns`: the supported subset, or an error.
fn run_line(
    lab: &mut Lab,
    ns: NsId,
    w: &[&str],
    first_bridge: &mut Option<(NsId, String)>,
) -> anyhow::Result<()> {
    if w.iter().any(|x| x.contains('$') || x.contains('`')) && w.first() == Some(&"ip") {
        bail!("shell variables and substitutions are not supported in a topology");
    }
    match w {
        ["ip", "netns", "exec", target, rest @ ..] => {
            let t = lab.netns(target)?;
            run_line(lab, t, rest, first_bridge)
        }
        ["ip", "netns", "add", name] => {
            lab.add_netns(name)?;
            Ok(())
        }
        ["ip", "netns", "del" | "delete", name] => {
            lab.del_netns(name)?;
            Ok(())
        }
        ["ip", "link", "add", name, "type", "bridge"] => {
            lab.add_bridge(ns, name)?;
            if first_bridge.is_none() {
                *first_bridge = Some((ns, (*name).to_string()));
            }
            Ok(())
        }
        ["ip", "link", "add", name, "type", "veth", "peer", "name", peer] => {
            lab.add_veth(ns, name, peer, None)?;
            Ok(())
        }
        ["ip", "link", "del" | "delete", name] | ["ip", "link", "del" | "delete", "dev", name] => {
            lab.del_link(ns, name)?;
            Ok(())
        }
        ["ip", "link", "set", rest @ ..] => link_set(lab, ns, rest),
        ["ip", "addr" | "address" | "a", "add", net, "dev", dev, rest @ ..]
            if net.contains(':') =>
        {
            let (a, len) = net.split_once('/').unwrap_or((net, "128"));
            let (Ok(a), Some(len)) = (
                a.parse::<Ipv6Addr>(),
                len.parse::<u8>().ok().filter(|l| *l <= 128),
            ) else {
                bail!("bad address {net}");
            };
            // A capture without IPv6 is replayed with IPv6 off: its addresses play no part.
            if lab.config().ipv6 {
                let link = lab.link_by_name(ns, dev)?;
                lab.addr6_add(link, a, len, rest.contains(&"nodad"))?;
            }
            Ok(())
        }
        ["ip", "addr" | "address" | "a", "add", net, "dev", dev, ..] => {
            let net: Ipv4Net = net.parse().map_err(|_| anyhow!("bad address {net}"))?;
            lab.addr_add(ns, dev, net, None)?;
            Ok(())
        }
        ["ip", "route" | "r", "add", dst, "via", gw, ..] => {
            let dst: Ipv4Net = if *dst == "default" {
                Ipv4Net {
                    addr: Ipv4Addr::UNSPECIFIED,
                    prefix: 0,
                }
            } else {
                dst.parse().map_err(|_| anyhow!("bad prefix {dst}"))?
            };
            let gw: Ipv4Addr = gw.parse().map_err(|_| anyhow!("bad gateway {gw}"))?;
            lab.route_add(ns, dst, Some(gw), None, 0, RouteProto::Boot)?;
            Ok(())
        }
        ["sysctl", rest @ ..] => {
            for kv in rest.iter().filter(|a| !a.starts_with('-')) {
                if let Some((k, v)) = kv.split_once('=') {
                    lab.sysctl_set(ns, k, v)?;
                }
            }
            Ok(())
        }
        ["ip", _, "show" | "list" | "ls", ..] | ["ip", "netns"] | ["ip", _] => Ok(()),
        ["ip", opt, ..] if opt.starts_with('-') => Ok(()),
        ["ip", ..] => bail!("not in the topology subset (see docs/replay.md)"),
        // Everything else (echo, sleep, ping, tcpdump, bridge/brctl show...) is not topology.
        _ => Ok(()),
    }
}

/// `ip link set [dev] NAME up|down|master BR|nomaster|netns NS|name NEW|address MAC ...`
fn link_set(lab: &mut Lab, ns: NsId, w: &[&str]) -> anyhow::Result<()> {
    let (mut name, mut rest) = match w {
        ["dev", name, rest @ ..] => ((*name).to_string(), rest),
        [name, rest @ ..] => ((*name).to_string(), rest),
        [] => bail!("ip link set: no device"),
    };
    let mut ns = ns;
    while let Some((k, tail)) = rest.split_first() {
        rest = tail;
        match *k {
            "up" => lab.set_link_up(ns, &name, true)?,
            "down" => lab.set_link_up(ns, &name, false)?,
            "nomaster" => lab.set_master(ns, &name, None)?,
            "master" | "netns" | "name" | "address" | "addr" => {
                let Some((v, tail)) = rest.split_first() else {
                    bail!("{k} needs a value");
                };
                rest = tail;
                match *k {
                    "master" => lab.set_master(ns, &name, Some(v))?,
                    "netns" => {
                        let to = lab.netns(v)?;
                        lab.move_link(ns, &name, to)?;
                        ns = to;
                    }
                    "name" => {
                        lab.rename_link(ns, &name, v)?;
                        name = (*v).to_string();
                    }
                    _ => {
                        let mac: MacAddr = v.parse().map_err(|_| anyhow!("bad MAC {v}"))?;
                        lab.set_mac(ns, &name, mac)?;
                    }
                }
            }
            other => bail!("ip link set: {other} is not in the topology subset"),
        }
    }
    Ok(())
}
