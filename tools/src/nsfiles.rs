//! Namespaces as files, the lab's side: the requests of `unshare -n`, `nsenter`, `mount
//! --bind` and `umount` (the internal tool `__ns`), and the `ip netns` verbs that read
//! processes (`identify PID`, `pids`, `attach`), with iproute2's and util-linux's messages.
//! The kernel's lifetime rule holds: a namespace with no name and no process goes away with
//! its interfaces ([`reap`]).

use l2lab_sim::{Lab, LabError, NsId};

use crate::cmd::Output;
use crate::members::{by_env, env_value, Members};

/// The request's caller, as the lab knows it.
pub struct Caller<'a> {
    /// Its host pid.
    pub pid: i32,
    /// The namespace it is in.
    pub ns: NsId,
    /// The lab's /run/netns directory, to tell a plain file from a missing one.
    pub names_dir: Option<&'a std::path::Path>,
}

/// Runs the request when it is one of these; `None` leaves it to the tools.
pub fn handle(
    tool: &str,
    argv: &[String],
    caller: &Caller,
    members: &mut Members,
    lab: &mut Lab,
    out: &mut Output,
) -> Option<i32> {
    let a: Vec<&str> = argv.iter().map(String::as_str).collect();
    match tool {
        "__ns" => Some(internal(&a, caller, members, lab, out)),
        "lsns" => Some(crate::lsns::run(&a, caller.ns, members, lab, out)),
        "ip" => {
            let obj = *a.first()?;
            if obj.len() < 2 || !"netns".starts_with(obj) {
                return None;
            }
            let verb = a.get(1).copied().unwrap_or("list");
            if verb.is_empty() {
                return None;
            }
            if ("list".starts_with(verb) || verb == "show" || verb == "ls") && a.len() <= 2 {
                Some(list(caller, lab, out))
            } else if "identify".starts_with(verb) {
                Some(identify(a.get(2).copied(), caller, members, lab, out))
            } else if "pids".starts_with(verb) {
                Some(pids(a.get(2).copied(), members, lab, out))
            } else if "attach".starts_with(verb) && verb.len() >= 2 {
                Some(attach(&a[2..], members, lab, out))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What a spec of the commands' side names: `name:NAME`, `pid:PID`, `self`, `ns:ENV`.
enum Found {
    Ns(NsId),
    /// A file in /run/netns that names no namespace.
    NotNs,
    Missing,
}

fn find(spec: &str, caller: &Caller, members: &Members, lab: &Lab) -> Found {
    if spec == "self" {
        return Found::Ns(caller.ns);
    }
    if let Some(name) = spec.strip_prefix("name:") {
        return match lab.netns(name) {
            Ok(ns) => Found::Ns(ns),
            Err(_) if caller.names_dir.is_some_and(|d| d.join(name).exists()) => Found::NotNs,
            Err(_) => Found::Missing,
        };
    }
    if let Some(pid) = spec.strip_prefix("pid:") {
        let ns = pid
            .parse::<i32>()
            .ok()
            .and_then(|p| members.host_pid(p))
            .and_then(|h| members.ns_of(lab, h, None));
        return ns.map_or(Found::Missing, Found::Ns);
    }
    if let Some(env) = spec.strip_prefix("ns:") {
        return by_env(lab, env).map_or(Found::Missing, Found::Ns);
    }
    Found::Missing
}

fn internal(
    a: &[&str],
    caller: &Caller,
    members: &mut Members,
    lab: &mut Lab,
    out: &mut Output,
) -> i32 {
    match a {
        ["unshare"] => {
            let ns = lab.add_anon_netns();
            members.enter(caller.pid, ns);
            out.out(format!("{}\n", env_value(lab, ns)));
            0
        }
        ["enter", spec, path] => match find(spec, caller, members, lab) {
            Found::Ns(ns) => {
                members.enter(caller.pid, ns);
                out.out(format!("{}\n", env_value(lab, ns)));
                0
            }
            Found::NotNs => {
                out.err("nsenter: reassociate to namespace 'ns/net' failed: Invalid argument\n");
                1
            }
            Found::Missing => {
                out.err(format!(
                    "nsenter: cannot open {path}: No such file or directory\n"
                ));
                1
            }
        },
        ["mount", spec, name, dst] => {
            let ns = match find(spec, caller, members, lab) {
                Found::Ns(ns) => ns,
                _ => {
                    let src = spec
                        .strip_prefix("pid:")
                        .map_or_else(|| spec.to_string(), |p| format!("/proc/{p}/ns/net"));
                    out.err(format!(
                        "mount: {dst}: special device {src} does not exist.\n       dmesg(1) may have more information after failed mount system call.\n"
                    ));
                    return 32;
                }
            };
            match lab.name_netns(ns, name) {
                Ok(()) => 0,
                Err(e) => {
                    out.err(format!("mount: {dst}: {}\n", lab_words(&e)));
                    32
                }
            }
        }
        ["umount", name, given] => match lab.netns(name) {
            Ok(_) => {
                let _ = lab.unname_netns(name);
                reap(members, lab);
                0
            }
            Err(_) => {
                out.err(format!("umount: {given}: not mounted.\n"));
                32
            }
        },
        ["clock"] => {
            // The lab's wall-clock time: its epoch plus lab time.
            let us = lab.config().epoch_us + lab.now().as_micros() as u64;
            out.out(format!("{}.{:06}\n", us / 1_000_000, us % 1_000_000));
            0
        }
        ["names"] => {
            for n in lab.netns_names() {
                out.out(format!("{n}\n"));
            }
            0
        }
        _ => {
            out.err("l2lab: unknown namespace request\n");
            2
        }
    }
}

fn lab_words(e: &LabError) -> String {
    match e {
        LabError::InvalidArgument(s) => s.clone(),
        LabError::Exists(_) => "l2lab: a namespace is already mounted there".into(),
        other => other.to_string(),
    }
}

/// `ip netns list`: every file of /run/netns, newest first as tmpfs lists them; a file that
/// names no namespace (one `touch` made) is listed with the kernel's refusal to give it an id.
fn list(caller: &Caller, lab: &Lab, out: &mut Output) -> i32 {
    // Files born in the same clock tick of the file system (tmpfs stamps them at jiffy
    // granularity) are ordered as the lab made their namespaces, so a run does not depend on
    // how fast the host is.
    let made = |name: &str| {
        lab.netns(name)
            .ok()
            .and_then(|id| lab.ns(id))
            .map_or(u64::MAX, |n| n.created)
    };
    let mut entries: Vec<(std::time::SystemTime, u64, String)> = caller
        .names_dir
        .and_then(|d| std::fs::read_dir(d).ok())
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let m = e.metadata().ok()?;
                    let born = m.created().or_else(|_| m.modified()).ok()?;
                    let name = e.file_name().to_string_lossy().into_owned();
                    Some((born, made(&name), name))
                })
                .collect()
        })
        .unwrap_or_default();
    for n in lab.netns_names() {
        if !entries.iter().any(|(_, _, e)| *e == n) {
            entries.push((std::time::SystemTime::now(), made(&n), n));
        }
    }
    entries.sort();
    for (_, _, name) in entries.iter().rev() {
        match lab.netns(name) {
            Ok(ns) => match lab.nsid_known(caller.ns, ns) {
                Some(id) => out.out(format!("{name} (id: {id})\n")),
                None => out.out(format!("{name}\n")),
            },
            Err(_) => {
                out.out(format!("{name}\n"));
                out.err("Error: Peer netns reference is invalid.\nError: Peer netns reference is invalid.\n");
            }
        }
    }
    0
}

/// `ip netns identify [PID]`: the names of the namespace PID is in (iproute2 prints an
/// empty line when it has none).
fn identify(
    pid: Option<&str>,
    caller: &Caller,
    members: &Members,
    lab: &Lab,
    out: &mut Output,
) -> i32 {
    let ns = match pid {
        None => Some(caller.ns),
        Some(p) => {
            let Ok(p) = p.parse::<i32>() else {
                out.err(format!("Specified string '{p}' is not a pid\n"));
                return 1;
            };
            match members.host_pid(p) {
                Some(h) => members.ns_of(lab, h, None),
                None => {
                    out.err("Cannot open network namespace: No such file or directory\n");
                    return 1;
                }
            }
        }
    };
    let name = ns
        .and_then(|ns| lab.ns(ns))
        .filter(|n| n.named && !n.dying)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    out.out(format!("{name}\n"));
    0
}

/// `ip netns pids NAME`: the processes in the namespace, by their pid.
fn pids(name: Option<&str>, members: &Members, lab: &Lab, out: &mut Output) -> i32 {
    let Some(name) = name else {
        out.err("No netns name specified\n");
        return 255;
    };
    let Ok(ns) = lab.netns(name) else {
        out.err("Cannot open network namespace: No such file or directory\n");
        return 1;
    };
    for (host, inner) in members.script_pids() {
        if members.ns_of(lab, host, None) == Some(ns) {
            out.out(format!("{inner}\n"));
        }
    }
    0
}

/// `ip netns attach NAME PID`: names the namespace PID is in.
fn attach(a: &[&str], members: &Members, lab: &mut Lab, out: &mut Output) -> i32 {
    let [name, pid, ..] = a[..] else {
        out.err("No netns name and pid specified\n");
        return 255;
    };
    let host = pid.parse::<i32>().ok().and_then(|p| members.host_pid(p));
    let ns = host.and_then(|h| members.ns_of(lab, h, None));
    if lab.netns(name).is_ok() {
        out.err(format!(
            "Cannot create namespace file \"/run/netns/{name}\": File exists\n"
        ));
        return 1;
    }
    let Some(ns) = ns else {
        out.err(format!(
            "Bind /proc/{pid}/ns/net -> /run/netns/{name} failed: No such file or directory\n"
        ));
        return 1;
    };
    match lab.name_netns(ns, name) {
        Ok(()) => 0,
        Err(e) => {
            out.err(format!(
                "Bind /proc/{pid}/ns/net -> /run/netns/{name} failed: {}\n",
                lab_words(&e)
            ));
            1
        }
    }
}

/// Ends the namespaces that have neither a name nor a process any more.
pub fn reap(members: &mut Members, lab: &mut Lab) {
    let anon = lab.anon_netns();
    if anon.is_empty() {
        return;
    }
    members.prune();
    for ns in anon {
        if !members.any_in(lab, ns) {
            lab.drop_netns(ns);
        }
    }
}

/// `ip link ... netns PID|FILE`: iproute2 takes a number for a process's namespace and a path
/// for a namespace file; both become the namespace's own token for the tools.
pub fn resolve_netns_args(argv: &mut [String], caller: &Caller, members: &Members, lab: &Lab) {
    if argv
        .first()
        .is_some_and(|o| o.len() >= 2 && "netns".starts_with(o.as_str()))
    {
        return;
    }
    for i in 1..argv.len() {
        if argv[i - 1] != "netns" {
            continue;
        }
        let v = argv[i].as_str();
        let spec = if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() {
            format!("pid:{v}")
        } else if let Some(name) = v
            .strip_prefix("/run/netns/")
            .or_else(|| v.strip_prefix("/var/run/netns/"))
        {
            format!("name:{name}")
        } else if matches!(v, "/proc/self/ns/net" | "/proc/thread-self/ns/net") {
            "self".into()
        } else if let Some(pid) = v
            .strip_prefix("/proc/")
            .and_then(|r| r.strip_suffix("/ns/net"))
        {
            format!("pid:{pid}")
        } else {
            continue;
        };
        if let Found::Ns(ns) = find(&spec, caller, members, lab) {
            let v = env_value(lab, ns);
            argv[i] = if v.is_empty() {
                format!("#{}", lab.netns_inode(ns).unwrap_or(0))
            } else {
                v
            };
        }
    }
}
