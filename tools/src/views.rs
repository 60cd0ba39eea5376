//! The files tutorials read, as the lab shows them: `/proc/net/{arp,dev,route,if_inet6,igmp,
//! dev_mcast}`, `/sys/class/net/IF/...`, `/proc/sys/net/...`, `/proc/PID/ns/net` and the mount
//! tables. The preload library (tools/preload) asks for one path (tool `l2lab-view`, argv
//! `[OP, PATH]`); the lab writes what the kernel would show there into its own directory,
//! `LABDIR/views/nID/...`, laid out as procfs and sysfs are (`sys/class/net/IF` links to
//! `../../devices/virtual/net/IF`), and answers with the file to open instead. Writes to a
//! `/proc/sys/net` file land in a file of their own, applied as `sysctl -w` before the lab
//! does anything else. Formats follow net/ipv4/arp.c, net/core/net-procfs.c,
//! net/ipv4/fib_trie.c, net/ipv6/addrconf.c, net/ipv4/igmp.c, net/core/net-sysfs.c and
//! net/bridge/br_sysfs_br.c.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use l2lab_fabric::{LinkId, LinkKind};
use l2lab_sim::{Lab, NeighState, NsId, Scope};

/// The tool name the preload library sends its requests under.
pub const TOOL: &str = "l2lab-view";

/// One entry of a namespace's view.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Dir,
    File(String),
    Link(String),
    /// A file whose read fails with this errno (`carrier` of a down device: EINVAL).
    Unreadable(i32),
}

/// A namespace's view: paths relative to its root (`proc/net/arp`), parents included.
type Tree = BTreeMap<String, Node>;

/// A `/proc/sys/net` file opened for writing: what it held when the lab last looked.
#[derive(Debug)]
struct Written {
    file: PathBuf,
    ns: NsId,
    target: Target,
    seen: Vec<u8>,
}

/// What a written file sets.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A sysctl, by its slash key (`net/ipv4/ip_forward`).
    Sysctl(String),
    /// `/sys/class/net/IF/mtu`.
    Mtu(String),
    /// `/sys/class/net/BR/bridge/ageing_time`, in clock_t (centiseconds).
    Ageing(String),
    /// `/sys/class/net/BR/bridge/stp_state`.
    Stp(String),
}

impl Target {
    /// The target a view file stands for, if it can be written.
    fn of(key: &str) -> Option<Target> {
        if let Some(k) = key.strip_prefix("proc/sys/") {
            return Some(Target::Sysctl(k.to_string()));
        }
        let rest = key.strip_prefix("sys/devices/virtual/net/")?;
        let (dev, attr) = rest.split_once('/')?;
        match attr {
            "mtu" => Some(Target::Mtu(dev.to_string())),
            "bridge/ageing_time" => Some(Target::Ageing(dev.to_string())),
            "bridge/stp_state" => Some(Target::Stp(dev.to_string())),
            _ => None,
        }
    }

    /// Applies a written value; one the kernel would refuse changes nothing.
    fn apply(&self, lab: &mut Lab, ns: NsId, value: &str) {
        let Ok(v) = value.parse::<i64>() else {
            return;
        };
        let _ = match self {
            Target::Sysctl(k) => lab.sysctl_set(ns, k, if v != 0 { "1" } else { "0" }),
            Target::Mtu(dev) => match u32::try_from(v) {
                Ok(mtu) => lab.set_mtu(ns, dev, mtu),
                Err(_) => return,
            },
            Target::Ageing(br) => match u64::try_from(v) {
                Ok(c) => lab.set_ageing_time(ns, br, std::time::Duration::from_millis(c * 10)),
                Err(_) => return,
            },
            Target::Stp(br) => lab.set_stp(ns, br, v != 0),
        };
    }
}

/// The views' directory and the sysctl files open for writing.
#[derive(Debug)]
pub struct Views {
    root: PathBuf,
    written: Vec<Written>,
    tmp: u64,
}

impl Views {
    /// Views under `root` (created when first needed).
    pub fn new(root: PathBuf) -> Views {
        Views {
            root,
            written: Vec::new(),
            tmp: 0,
        }
    }

    /// Applies what programs wrote to `/proc/sys/net` files since the last look, as
    /// `sysctl -w` would: an integer sets the switch (non-zero: on); anything else is
    /// refused by the kernel's proc_dointvec, and here ignored.
    pub fn sync(&mut self, lab: &mut Lab) {
        self.written.retain(|w| lab.ns(w.ns).is_some());
        for w in &mut self.written {
            let Ok(now) = std::fs::read(&w.file) else {
                continue;
            };
            if now == w.seen {
                continue;
            }
            let text = String::from_utf8_lossy(&now);
            if let Some(v) = text.split_whitespace().next() {
                w.target.apply(lab, w.ns, v);
            }
            w.seen = now;
        }
    }

    /// Serves one request: `argv` is `[OP, PATH]` with OP `path` (stat, readlink, opendir),
    /// `open` (to read) or `write`; answers with the file to use, or an errno.
    /// `ns` is the asking process's namespace, `pid` its pid as it knows it, `host_pid` as
    /// the lab sees it; `ns_of_pid` finds the namespace of another process by its pid.
    pub fn request(
        &mut self,
        lab: &mut Lab,
        argv: &[String],
        ns: NsId,
        (pid, host_pid): (u32, i32),
        ns_of_pid: &dyn Fn(&Lab, u32) -> Result<NsId, i32>,
    ) -> Result<String, i32> {
        self.sync(lab);
        let [op, path] = argv else {
            return Err(libc::EINVAL);
        };
        let comps = normalise(path);
        let (ns, comps) = match comps.as_slice() {
            // A namespace file: the link of the namespace bound to it, if one is.
            [r, n, name] if r == "run" && n == "netns" => (
                lab.netns(name).map_err(|_| libc::ENOENT)?,
                vec!["proc".into(), "self".into(), "ns".into(), "net".into()],
            ),
            [p, who, n, net] if p == "proc" && n == "ns" && net == "net" => {
                let ns = match who.parse::<u32>() {
                    Ok(other) if other != pid => ns_of_pid(lab, other)?,
                    _ => ns,
                };
                (
                    ns,
                    vec!["proc".into(), "self".into(), "ns".into(), "net".into()],
                )
            }
            [p, who, n, rest @ ..]
                if p == "proc" && n == "net" && who.bytes().all(|b| b.is_ascii_digit()) =>
            {
                let ns = match who.parse::<u32>() {
                    Ok(other) if other != pid => ns_of_pid(lab, other)?,
                    _ => ns,
                };
                let mut c = vec!["proc".to_string(), "net".to_string()];
                c.extend(rest.iter().cloned());
                (ns, c)
            }
            _ => (ns, comps),
        };
        let tree = build(lab, ns, host_pid, &comps);
        let dir = self.root.join(format!("n{}", ns.0));
        if op == "write" {
            return self.open_for_write(ns, &dir, &tree, &comps);
        }
        let rel = comps.join("/");
        self.materialise(&dir, &tree, &comps, op == "open")?;
        Ok(dir.join(rel).display().to_string())
    }

    fn open_for_write(
        &mut self,
        ns: NsId,
        dir: &Path,
        tree: &Tree,
        comps: &[String],
    ) -> Result<String, i32> {
        let key = follow(tree, comps);
        let value = match key.as_deref().and_then(|k| tree.get(k)) {
            Some(Node::File(v)) => v.clone(),
            Some(Node::Dir) => return Err(libc::EISDIR),
            Some(_) => return Err(libc::EACCES),
            None if comps.first().is_some_and(|c| c == "proc") => return Err(libc::ENOENT),
            None => return Err(libc::EACCES),
        };
        let key = key.unwrap_or_default();
        let target = Target::of(&key).ok_or(libc::EACCES)?;
        let file = dir.join("w").join(&key);
        let seen = value.into_bytes();
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(io_errno)?;
        }
        std::fs::write(&file, &seen).map_err(io_errno)?;
        let answer = file.display().to_string();
        self.written.retain(|w| w.file != file);
        self.written.push(Written {
            file,
            ns,
            target,
            seen,
        });
        Ok(answer)
    }

    /// Writes the entry at `comps` (following links on the way, each written too) and,
    /// for a directory, everything in it.
    fn materialise(
        &mut self,
        dir: &Path,
        tree: &Tree,
        comps: &[String],
        open: bool,
    ) -> Result<(), i32> {
        let mut cur: Vec<String> = Vec::new();
        let mut todo: Vec<String> = comps.to_vec();
        todo.reverse();
        let mut hops = 0;
        while let Some(c) = todo.pop() {
            cur.push(c);
            let key = cur.join("/");
            let node = tree.get(&key).ok_or(libc::ENOENT)?;
            let last = todo.is_empty();
            match node {
                Node::Link(target) => {
                    self.write_entry(dir, &key, node)?;
                    if !tree.contains_key(&resolve(&cur, target).join("/")) {
                        // A link to nowhere in the view (`net:[N]`): readlink is all it is for.
                        if last {
                            return Ok(());
                        }
                        return Err(libc::ENOENT);
                    }
                    hops += 1;
                    if hops > 40 {
                        return Err(libc::ELOOP);
                    }
                    let resolved = resolve(&cur, target);
                    cur.clear();
                    for r in resolved.into_iter().rev() {
                        todo.push(r);
                    }
                }
                Node::Dir if last => return self.write_tree(dir, tree, &key),
                Node::Dir => {}
                Node::File(_) if last => return self.write_entry(dir, &key, node),
                Node::Unreadable(e) if last => {
                    if open {
                        return Err(*e);
                    }
                    return self.write_entry(dir, &key, node);
                }
                Node::File(_) | Node::Unreadable(_) => return Err(libc::ENOTDIR),
            }
        }
        // The view's root itself.
        self.write_tree(dir, tree, "")
    }

    fn tmp_name(&mut self, at: &Path) -> PathBuf {
        self.tmp += 1;
        let name = at
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        at.with_file_name(format!(".{name}.{}.tmp", self.tmp))
    }

    /// Writes one file or link in place, atomically (a reader sees the old one or the new).
    fn write_entry(&mut self, dir: &Path, key: &str, node: &Node) -> Result<(), i32> {
        let at = dir.join(key);
        if let Some(parent) = at.parent() {
            std::fs::create_dir_all(parent).map_err(io_errno)?;
        }
        let tmp = self.tmp_name(&at);
        put(&tmp, node).map_err(io_errno)?;
        if at.is_dir() && !at.is_symlink() {
            // What was a directory is a file now: rename cannot replace it.
            let _ = std::fs::remove_dir_all(&at);
        }
        std::fs::rename(&tmp, &at).map_err(io_errno)
    }

    /// Writes directory `key` and everything below it in place: each entry is replaced on its
    /// own and entries gone from the view are removed, so the directory stays the same one
    /// and a program that has it open (`find` reads it after further requests) still can.
    fn write_tree(&mut self, dir: &Path, tree: &Tree, key: &str) -> Result<(), i32> {
        let at = if key.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(key)
        };
        if !at.is_dir() {
            let _ = std::fs::remove_file(&at);
            std::fs::create_dir_all(&at).map_err(io_errno)?;
        }
        let prefix = if key.is_empty() {
            String::new()
        } else {
            format!("{key}/")
        };
        let mut children: Vec<(String, Node)> = Vec::new();
        for (k, node) in tree.range(prefix.clone()..) {
            let Some(rest) = k.strip_prefix(&prefix) else {
                break;
            };
            if !rest.is_empty() && !rest.contains('/') {
                children.push((k.clone(), node.clone()));
            }
        }
        if let Ok(entries) = std::fs::read_dir(&at) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                // Temporary names of other writes start with a dot; no view entry does.
                if name.starts_with('.')
                    || children
                        .iter()
                        .any(|(k, _)| k.ends_with(&format!("/{name}")) || *k == name)
                {
                    continue;
                }
                let p = e.path();
                let _ = if p.is_dir() && !p.is_symlink() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
            }
        }
        for (k, node) in children {
            match node {
                Node::Dir => self.write_tree(dir, tree, &k)?,
                other => self.write_entry(dir, &k, &other)?,
            }
        }
        Ok(())
    }
}

/// Writes one node at `at` (its parents exist: the tree lists directories first).
fn put(at: &Path, node: &Node) -> std::io::Result<()> {
    match node {
        Node::Dir => std::fs::create_dir(at),
        Node::File(s) => std::fs::write(at, s),
        Node::Unreadable(_) => std::fs::write(at, ""),
        Node::Link(t) => std::os::unix::fs::symlink(t, at),
    }
}

fn io_errno(e: std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// The key of the entry `comps` names, links followed; `None` if there is none.
fn follow(tree: &Tree, comps: &[String]) -> Option<String> {
    let mut cur: Vec<String> = Vec::new();
    let mut todo: Vec<String> = comps.iter().rev().cloned().collect();
    let mut hops = 0;
    while let Some(c) = todo.pop() {
        cur.push(c);
        if let Node::Link(target) = tree.get(&cur.join("/"))? {
            hops += 1;
            if hops > 40 {
                return None;
            }
            let resolved = resolve(&cur, target);
            cur.clear();
            todo.extend(resolved.into_iter().rev());
        }
    }
    Some(cur.join("/"))
}

/// The target of the link at `link` (components), as components from the view's root.
fn resolve(link: &[String], target: &str) -> Vec<String> {
    let mut out: Vec<String> = link[..link.len().saturating_sub(1)].to_vec();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p.to_string()),
        }
    }
    out
}

/// A lab path as components of the view, aliases folded: `/proc/self/net` is `/proc/net`,
/// the mount tables are one file, `/proc/thread-self` is `/proc/self`.
fn normalise(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p.to_string()),
        }
    }
    let s: Vec<&str> = out.iter().map(String::as_str).collect();
    let folded: Option<Vec<&str>> = match s.as_slice() {
        ["proc", "self" | "thread-self", "net", rest @ ..] => {
            Some([&["proc", "net"][..], rest].concat())
        }
        ["proc", "self" | "thread-self", "mounts"] | ["etc", "mtab"] => {
            Some(vec!["proc", "mounts"])
        }
        ["proc", "thread-self", "mountinfo"] => Some(vec!["proc", "self", "mountinfo"]),
        ["proc", "thread-self", "ns", "net"] => Some(vec!["proc", "self", "ns", "net"]),
        ["var", "run", "netns", rest @ ..] => Some([&["run", "netns"][..], rest].concat()),
        _ => None,
    };
    match folded {
        Some(f) => f.into_iter().map(String::from).collect(),
        None => out,
    }
}

/// Adds `path` and its parent directories.
fn add(tree: &mut Tree, path: &str, node: Node) {
    let mut at = 0;
    while let Some(i) = path[at..].find('/') {
        tree.entry(path[..at + i].to_string()).or_insert(Node::Dir);
        at += i + 1;
    }
    tree.insert(path.to_string(), node);
}

/// What namespace `ns` shows in the part of the view that `comps` is in (`/proc/net`, the
/// mount tables and the namespace link, `/proc/sys`, sysfs); `pid` is the asking process.
fn build(lab: &Lab, ns: NsId, pid: i32, comps: &[String]) -> Tree {
    let mut t = Tree::new();
    let links = lab.links(ns);
    let part: Vec<&str> = comps.iter().take(2).map(String::as_str).collect();
    match part.as_slice() {
        ["proc", "net"] => {
            add(&mut t, "proc/net/arp", Node::File(proc_arp(lab, ns)));
            add(&mut t, "proc/net/dev", Node::File(proc_dev(lab, &links)));
            add(&mut t, "proc/net/route", Node::File(proc_route(lab, ns)));
            add(
                &mut t,
                "proc/net/if_inet6",
                Node::File(proc_if_inet6(lab, &links)),
            );
            add(&mut t, "proc/net/igmp", Node::File(proc_igmp(lab, &links)));
            add(
                &mut t,
                "proc/net/dev_mcast",
                Node::File(proc_dev_mcast(lab, &links)),
            );
        }
        ["proc", "mounts" | "self"] => {
            if let Some(ino) = lab.netns_inode(ns) {
                add(
                    &mut t,
                    "proc/self/ns/net",
                    Node::Link(format!("net:[{ino}]")),
                );
            }
            let (mounts, mountinfo) = mount_tables(lab, pid);
            add(&mut t, "proc/mounts", Node::File(mounts));
            add(&mut t, "proc/self/mountinfo", Node::File(mountinfo));
        }
        ["proc", "sys"] => sysctls(lab, ns, &links, &mut t),
        ["sys", ..] => {
            add(&mut t, "sys/class/net", Node::Dir);
            add(&mut t, "sys/devices/virtual/net", Node::Dir);
            for l in &links {
                sysfs_device(lab, *l, &mut t);
            }
        }
        _ => {}
    }
    t
}

/// /proc/net/arp (arp_seq_show): every ARP entry but NOARP ones (ND's are not there), newest
/// first as `arp` lists them.
fn proc_arp(lab: &Lab, ns: NsId) -> String {
    let mut s = String::from(
        "IP address       HW type     Flags       HW address            Mask     Device\n",
    );
    let mut v: Vec<_> = lab
        .neighbours(ns)
        .into_iter()
        .filter(|n| n.state != NeighState::Noarp && n.ip.is_ipv4())
        .collect();
    v.sort_by_key(|n| std::cmp::Reverse(n.created));
    for n in v {
        let flags = match n.state {
            NeighState::Permanent => 0x6,
            st if st.is_valid() => 0x2,
            _ => 0,
        };
        let mac = n
            .mac
            .filter(|_| flags != 0)
            .unwrap_or(l2lab_fabric::MacAddr([0; 6]));
        let dev = lab.iface(n.dev).map_or("", |i| i.name.as_str());
        let _ = writeln!(
            s,
            "{:<16} 0x{:<10x}0x{:<10x}{:<17}     *        {}",
            n.ip.to_string(),
            1,
            flags,
            mac.to_string(),
            dev
        );
    }
    s
}

/// /proc/net/dev (dev_seq_printf_stats).
fn proc_dev(lab: &Lab, links: &[LinkId]) -> String {
    let mut s = String::from(
        "Inter-|   Receive                                                |  Transmit\n \
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n",
    );
    for l in links {
        let (Some(i), Some(k)) = (lab.iface(*l), lab.fabric().link(*l)) else {
            continue;
        };
        let c = k.counters;
        let _ = writeln!(
            s,
            "{:>6}: {:>7} {:>7} {:>4} {:>4} {:>4} {:>5} {:>10} {:>9} {:>8} {:>7} {:>4} {:>4} {:>4} {:>5} {:>7} {:>10}",
            i.name, c.rx_bytes, c.rx_packets, 0, c.rx_dropped, 0, 0, 0, 0,
            c.tx_bytes, c.tx_packets, 0, c.tx_dropped, 0, 0, 0, 0
        );
    }
    s
}

/// An IPv4 address as the kernel prints a __be32 with %08X on a little-endian machine.
fn hex_be32(a: Ipv4Addr) -> String {
    format!("{:08X}", u32::from_ne_bytes(a.octets()))
}

/// /proc/net/route (fib_route_seq_show): the main table's routes, each line padded to 127.
fn proc_route(lab: &Lab, ns: NsId) -> String {
    let mut s = format!(
        "{:<127}\n",
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"
    );
    for r in lab.routes(ns) {
        let mut flags = 0x1; // RTF_UP
        if r.gateway.is_some() {
            flags |= 0x2; // RTF_GATEWAY
        }
        if r.dst.prefix == 32 {
            flags |= 0x4; // RTF_HOST
        }
        let dev = lab.iface(r.dev).map_or("*", |i| i.name.as_str());
        let line = format!(
            "{dev}\t{}\t{}\t{flags:04X}\t0\t0\t{}\t{}\t0\t0\t0",
            hex_be32(r.dst.network()),
            hex_be32(r.gateway.unwrap_or(Ipv4Addr::UNSPECIFIED)),
            r.metric,
            hex_be32(r.dst.mask()),
        );
        let _ = writeln!(s, "{line:<127}");
    }
    s
}

/// /proc/net/if_inet6 (if6_seq_show): the addresses `ip -6 addr` shows, with their flags.
fn proc_if_inet6(lab: &Lab, links: &[LinkId]) -> String {
    let mut s = String::new();
    for l in links {
        let Some(i) = lab.iface(*l) else { continue };
        for x in crate::ip::link::ipv6_addrs(lab, *l) {
            let (a, plen, scope) = (x.addr, x.prefix, x.scope);
            let hex: String = a.octets().iter().map(|b| format!("{b:02x}")).collect();
            let scope = match scope {
                Scope::Host => 0x10,
                Scope::Link => 0x20,
                _ => 0,
            };
            let flags = 0x80
                | if x.tentative { 0x40 } else { 0 }
                | if x.dadfailed { 0x08 } else { 0 }
                | if x.nodad { 0x02 } else { 0 };
            let _ = writeln!(
                s,
                "{hex} {:02x} {plen:02x} {scope:02x} {flags:02x} {:>8}",
                i.ifindex, i.name
            );
        }
    }
    s
}

/// /proc/net/igmp (igmp_mc_seq_show): devices with IPv4 groups.
fn proc_igmp(lab: &Lab, links: &[LinkId]) -> String {
    let mut s = String::from("Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n");
    for l in links {
        let Some(i) = lab.iface(*l) else { continue };
        let groups = lab.igmp_groups(*l);
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "{}\t{:<10}: {:>5} {:>7}",
            i.ifindex,
            i.name,
            groups.len(),
            "V3"
        );
        // The lab lists groups in the kernel's mc_list order (all-hosts, joined at NETDEV_UP,
        // before the bridge's 224.0.0.106). IGMPv3 reports come from the interface timer,
        // which never sets a group's reporter flag, and no group timer runs.
        for g in &groups {
            let _ = writeln!(s, "\t\t\t\t{} {:>5} 0:00000000\t\t0", hex_be32(*g), 1);
        }
    }
    s
}

/// /proc/net/dev_mcast (dev_mc_seq_show).
fn proc_dev_mcast(lab: &Lab, links: &[LinkId]) -> String {
    let mut s = String::new();
    for l in links {
        let Some(i) = lab.iface(*l) else { continue };
        for m in lab.mc_addrs(*l) {
            let hex: String = m.0.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(s, "{:<4} {:<15} {:<5} {:<5} {hex}", i.ifindex, i.name, 1, 0);
        }
    }
    s
}

/// The sysctls the lab models, under proc/sys.
fn sysctls(lab: &Lab, ns: NsId, links: &[LinkId], t: &mut Tree) {
    let mut keys: Vec<String> = vec![
        "net/ipv4/ip_forward".into(),
        "net/ipv4/icmp_echo_ignore_all".into(),
        "net/ipv4/icmp_echo_ignore_broadcasts".into(),
    ];
    let names = ["all", "default"].into_iter().map(String::from).chain(
        links
            .iter()
            .filter_map(|l| lab.iface(*l).map(|i| i.name.clone())),
    );
    for n in names {
        keys.push(format!("net/ipv4/conf/{n}/forwarding"));
        keys.push(format!("net/ipv6/conf/{n}/disable_ipv6"));
        keys.push(format!("net/ipv6/conf/{n}/forwarding"));
    }
    for k in keys {
        if let Some(v) = lab.sysctl_get(ns, &k) {
            add(t, &format!("proc/sys/{k}"), Node::File(format!("{v}\n")));
        }
    }
}

/// sys/class/net/IF and sys/devices/virtual/net/IF (net-sysfs.c, br_sysfs_br.c).
fn sysfs_device(lab: &Lab, l: LinkId, t: &mut Tree) {
    let (Some(i), Some(k)) = (lab.iface(l), lab.fabric().link(l)) else {
        return;
    };
    let name = &i.name;
    add(
        t,
        &format!("sys/class/net/{name}"),
        Node::Link(format!("../../devices/virtual/net/{name}")),
    );
    let d = format!("sys/devices/virtual/net/{name}");
    let lo = matches!(k.kind, LinkKind::Loopback);
    let file = |t: &mut Tree, f: &str, v: String| add(t, &format!("{d}/{f}"), Node::File(v + "\n"));
    file(t, "address", k.mac.to_string());
    file(
        t,
        "broadcast",
        if lo {
            "00:00:00:00:00:00"
        } else {
            "ff:ff:ff:ff:ff:ff"
        }
        .into(),
    );
    file(t, "addr_len", "6".into());
    file(t, "ifindex", i.ifindex.to_string());
    file(t, "iflink", i.ifindex.to_string());
    file(t, "mtu", k.mtu.to_string());
    file(t, "type", if lo { "772" } else { "1" }.into());
    file(t, "tx_queue_len", "1000".into());
    file(
        t,
        "operstate",
        crate::ip::common::operstate(lab, l).to_ascii_lowercase(),
    );
    // carrier_show: a device that is not up has no carrier to report.
    if k.admin_up {
        file(t, "carrier", u8::from(k.carrier).to_string());
    } else {
        add(t, &format!("{d}/carrier"), Node::Unreadable(libc::EINVAL));
    }
    let c = k.counters;
    for (f, v) in [
        ("collisions", 0),
        ("multicast", 0),
        ("rx_bytes", c.rx_bytes),
        ("rx_compressed", 0),
        ("rx_crc_errors", 0),
        ("rx_dropped", c.rx_dropped),
        ("rx_errors", 0),
        ("rx_fifo_errors", 0),
        ("rx_frame_errors", 0),
        ("rx_length_errors", 0),
        ("rx_missed_errors", 0),
        ("rx_nohandler", 0),
        ("rx_over_errors", 0),
        ("rx_packets", c.rx_packets),
        ("tx_aborted_errors", 0),
        ("tx_bytes", c.tx_bytes),
        ("tx_carrier_errors", 0),
        ("tx_compressed", 0),
        ("tx_dropped", c.tx_dropped),
        ("tx_errors", 0),
        ("tx_fifo_errors", 0),
        ("tx_heartbeat_errors", 0),
        ("tx_packets", c.tx_packets),
        ("tx_window_errors", 0),
    ] {
        file(t, &format!("statistics/{f}"), v.to_string());
    }
    if let Some(m) = k.master.and_then(|m| lab.iface(m)) {
        add(
            t,
            &format!("{d}/master"),
            Node::Link(format!("../{}", m.name)),
        );
    }
    if let Some(p) = k
        .master
        .and_then(|m| lab.fabric().bridge(m))
        .and_then(|b| b.port(l))
    {
        // br_sysfs_if.c: the port's STP variables, timers in clock_t.
        let id = |b: l2lab_fabric::wire::BridgeId| {
            let m: String = b.addr.0.iter().map(|x| format!("{x:02x}")).collect();
            format!("{:04x}.{m}", b.prio)
        };
        let now = lab.now();
        let left = |t: Option<std::time::Duration>| {
            t.map_or(0, |t| t.saturating_sub(now).as_millis() / 10)
                .to_string()
        };
        let ps = &p.stp;
        for (f, v) in [
            ("state", p.state.number().to_string()),
            ("port_id", format!("{:#x}", ps.port_id)),
            ("port_no", format!("{:#x}", p.port_no)),
            ("priority", p.priority.to_string()),
            ("path_cost", p.cost.to_string()),
            ("designated_root", id(ps.designated_root)),
            ("designated_bridge", id(ps.designated_bridge)),
            ("designated_port", ps.designated_port.to_string()),
            ("designated_cost", ps.designated_cost.to_string()),
            ("hold_timer", left(ps.hold_timer)),
            ("message_age_timer", left(ps.message_age_timer)),
            ("forward_delay_timer", left(ps.forward_delay_timer)),
            ("config_pending", u8::from(ps.config_pending).to_string()),
            ("change_ack", u8::from(ps.topology_change_ack).to_string()),
        ] {
            file(t, &format!("brport/{f}"), v);
        }
    }
    if let Some(b) = k.bridge() {
        add(t, &format!("{d}/brif"), Node::Dir);
        for p in &b.ports {
            if let Some(pi) = lab.iface(p.link) {
                add(
                    t,
                    &format!("{d}/brif/{}", pi.name),
                    Node::Link(format!("../../{}/brport", pi.name)),
                );
            }
        }
        let id = lab
            .bridge_id(l)
            .map(|(prio, mac)| {
                let m: String = mac.0.iter().map(|b| format!("{b:02x}")).collect();
                format!("{prio:04x}.{m}")
            })
            .unwrap_or_default();
        // Times in clock_t (USER_HZ = 100), as br_sysfs_br.c shows them.
        let centis = |d: std::time::Duration| (d.as_millis() / 10).to_string();
        let now = lab.now();
        let left = |t: Option<std::time::Duration>| {
            centis(t.map_or(std::time::Duration::ZERO, |t| t.saturating_sub(now)))
        };
        for (f, v) in [
            ("ageing_time", centis(b.ageing_time)),
            ("stp_state", u8::from(b.stp).to_string()),
            ("priority", b.priority.to_string()),
            ("bridge_id", id),
            ("root_id", {
                let r = b.st.designated_root;
                let m: String = r.addr.0.iter().map(|b| format!("{b:02x}")).collect();
                format!("{:04x}.{m}", r.prio)
            }),
            ("root_port", b.st.root_port.to_string()),
            ("root_path_cost", b.st.root_path_cost.to_string()),
            (
                "topology_change",
                u8::from(b.st.topology_change).to_string(),
            ),
            (
                "topology_change_detected",
                u8::from(b.st.topology_change_detected).to_string(),
            ),
            ("hello_timer", left(b.st.hello_timer)),
            ("tcn_timer", left(b.st.tcn_timer)),
            ("topology_change_timer", left(b.st.topology_change_timer)),
            ("forward_delay", centis(b.st.forward_delay)),
            ("hello_time", centis(b.st.hello_time)),
            ("max_age", centis(b.st.max_age)),
            ("group_addr", "01:80:c2:00:00:00".into()),
        ] {
            file(t, &format!("bridge/{f}"), v);
        }
    }
}

/// The real mount tables of process `pid`, with one nsfs line per named lab namespace at
/// /run/netns/NAME, as `ip netns add` bind-mounts them.
fn mount_tables(lab: &Lab, pid: i32) -> (String, String) {
    // The host's own namespaces are not the lab's: their nsfs mounts are left out.
    let host_ns = |l: &&str| !l.contains(" nsfs ");
    let read = |f: &str| -> String {
        let text = std::fs::read_to_string(format!("/proc/{pid}/{f}")).unwrap_or_default();
        text.lines()
            .filter(host_ns)
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let mut mounts = read("mounts");
    let mut info = read("mountinfo");
    // The parent of the new mounts: /run/netns if it is a mount point, else /run, else /.
    let mut ids: Vec<(u64, String)> = info
        .lines()
        .filter_map(|l| {
            let mut f = l.split(' ');
            let id = f.next()?.parse().ok()?;
            Some((id, f.nth(3)?.to_string()))
        })
        .collect();
    ids.sort();
    let parent = ["/run/netns", "/run", "/"]
        .iter()
        .find_map(|m| ids.iter().rev().find(|(_, p)| p == m).map(|(id, _)| *id))
        .unwrap_or(1);
    let mut next = ids.last().map_or(1, |(id, _)| id + 1);
    // nsfs's device number, as the kernel's own nsfs files carry it.
    let dev = std::fs::metadata("/proc/self/ns/net")
        .map(|m| {
            use std::os::unix::fs::MetadataExt;
            let d = m.dev();
            format!("{}:{}", libc::major(d), libc::minor(d))
        })
        .unwrap_or_else(|_| "0:4".into());
    for name in lab.netns_names() {
        let Ok(ns) = lab.netns(&name) else { continue };
        let ino = lab.netns_inode(ns).unwrap_or_default();
        let _ = writeln!(mounts, "nsfs /run/netns/{name} nsfs rw 0 0");
        let _ = writeln!(
            info,
            "{next} {parent} {dev} net:[{ino}] /run/netns/{name} rw shared:{next} - nsfs nsfs rw"
        );
        next += 1;
    }
    (mounts, info)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn aliases_fold_and_dots_resolve() {
        let n = |p: &str| normalise(p).join("/");
        assert_eq!(n("/proc/self/net/arp"), "proc/net/arp");
        assert_eq!(n("/proc/thread-self/net/"), "proc/net");
        assert_eq!(n("/etc/mtab"), "proc/mounts");
        assert_eq!(
            n("/sys/class/net/./eth0/../lo//mtu"),
            "sys/class/net/lo/mtu"
        );
        assert_eq!(
            resolve(
                &["sys".into(), "class".into(), "net".into(), "lo".into()],
                "../../devices/virtual/net/lo"
            )
            .join("/"),
            "sys/devices/virtual/net/lo"
        );
    }

    #[test]
    fn kernel_formats() {
        let mut lab = Lab::new();
        let ns = lab.add_netns("a").unwrap();
        lab.add_veth(ns, "v0", "v1", None).unwrap();
        lab.addr_add(ns, "v0", "10.9.0.1/24".parse().unwrap(), None)
            .unwrap();
        lab.set_link_up(ns, "v0", true).unwrap();
        let route = proc_route(&lab, ns);
        // Captured on Linux 6.1 for 10.9.0.0/24 on pv1.
        assert!(route.starts_with(
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT "
        ));
        assert!(route.contains(
            "\nv0\t0000090A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                      "
        ));
        assert!(route.lines().all(|l| l.len() == 127));
        let dev = proc_dev(&lab, &lab.links(ns));
        assert!(dev.contains("\n    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n"));
        // Linux 6.1, lo up with IPv6 on; a veth's groups as ip maddr lists them.
        lab.set_link_up(ns, "lo", true).unwrap();
        let lo = lab.link_by_name(ns, "lo").unwrap();
        assert_eq!(
            proc_if_inet6(&lab, &[lo]),
            "00000000000000000000000000000001 01 80 10 80       lo\n"
        );
        let v0 = lab.link_by_name(ns, "v0").unwrap();
        let mcast = proc_dev_mcast(&lab, &[v0]);
        let ifindex = lab.iface(v0).unwrap().ifindex;
        assert!(
            mcast.contains(&format!(
                "{ifindex:<4} v0              1     0     01005e000001\n"
            )),
            "{mcast}"
        );
        // Linux 6.1: an up bridge without ports.
        let br = lab.add_bridge(ns, "br0").unwrap();
        lab.set_link_up(ns, "br0", true).unwrap();
        let ifindex = lab.iface(br).unwrap().ifindex;
        assert_eq!(
            proc_igmp(&lab, &[br]),
            format!("Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n{ifindex}\tbr0       :     2      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n\t\t\t\t6A0000E0     1 0:00000000\t\t0\n")
        );
        assert!(proc_igmp(&lab, &[lo])
            .ends_with("1\tlo        :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n"));
        let arp = proc_arp(&lab, ns);
        assert_eq!(
            arp,
            "IP address       HW type     Flags       HW address            Mask     Device\n"
        );
    }
}
