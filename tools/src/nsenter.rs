//! Namespaces as files, the commands' side (util-linux 2.38): `unshare -n`, `nsenter`, and
//! `mount --bind` / `umount` of a namespace onto /run/netns. Each asks the lab to make, find
//! or name the namespace, then (for unshare and nsenter) execs its command inside it, as the
//! real ones do after setns(2). Paths are the command's own, read in its working directory.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use crate::proto::NETNS_ENV;

/// What a path names: a namespace file of /run/netns, a process's namespace, or neither.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// `/run/netns/NAME` (also through /var/run).
    Name(String),
    /// `/proc/PID/ns/net`: the process PID of the lab's PID namespace.
    Pid(i32),
    /// `/proc/self/ns/net`, `/proc/thread-self/ns/net`.
    Me,
    /// Anything else.
    Other,
}

/// The path made absolute in the working directory, with /var/run read as /run, as the
/// kernel resolves it.
fn absolute(p: &str) -> PathBuf {
    let p = Path::new(p);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    match out.strip_prefix("/var/run") {
        Ok(rest) => Path::new("/run").join(rest),
        Err(_) => out,
    }
}

fn target(p: &str) -> Target {
    let abs = absolute(p);
    if let Ok(name) = abs.strip_prefix("/run/netns") {
        let name = name.to_string_lossy();
        if !name.is_empty() && !name.contains('/') {
            return Target::Name(name.into_owned());
        }
    }
    let parts: Vec<String> = abs
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["/", "proc", "self" | "thread-self", "ns", "net"] => Target::Me,
        ["/", "proc", pid, "ns", "net"] => pid.parse().map_or(Target::Other, Target::Pid),
        _ => Target::Other,
    }
}

/// The spec the lab reads for a target: `name:NAME`, `pid:PID` or `self`.
fn spec(t: &Target) -> Option<String> {
    match t {
        Target::Name(n) => Some(format!("name:{n}")),
        Target::Pid(p) => Some(format!("pid:{p}")),
        Target::Me => Some("self".into()),
        Target::Other => None,
    }
}

/// Asks the lab `__ns ARGS`; on success, what it printed.
fn ask(tool: &str, args: &[&str]) -> Result<String, i32> {
    let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    match crate::client::ask("__ns", argv) {
        Ok((0, out)) => Ok(out.trim_end().to_string()),
        Ok((code, _)) => Err(code),
        Err(e) => {
            eprintln!("{tool}: lost the lab: {e}");
            Err(1)
        }
    }
}

/// Execs `cmd` (or the user's shell) inside the namespace the lab named `env`.
fn exec_in(tool: &str, env: &str, cmd: &[String]) -> i32 {
    let shell = std::env::var("SHELL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into());
    let (prog, args) = match cmd.split_first() {
        Some((p, a)) => (p.clone(), a.to_vec()),
        None => (shell, vec![]),
    };
    let err = std::process::Command::new(&prog)
        .args(&args)
        .env(NETNS_ENV, env)
        .exec();
    let text = crate::client::errno_text(&err);
    match tool {
        "unshare" => eprintln!("unshare: failed to execute {prog}: {text}"),
        _ => eprintln!("nsenter: failed to execute {prog}: {text}"),
    }
    if err.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    }
}

/// `unshare [OPTIONS] [PROGRAM [ARGS]]`: with -n, PROGRAM runs in a new network namespace of
/// the lab; the other namespaces are not the lab's business and change nothing.
pub fn unshare(args: &[String]) -> i32 {
    let mut net = false;
    let mut persist = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        if let Some(f) = a.strip_prefix("--net=") {
            net = true;
            persist = Some(f.to_string());
        } else if a == "--net" {
            net = true;
        } else if let Some(rest) = a.strip_prefix("--") {
            // Options with a separate value.
            if matches!(
                rest,
                "propagation"
                    | "setgroups"
                    | "root"
                    | "wd"
                    | "setuid"
                    | "setgid"
                    | "monotonic"
                    | "boottime"
            ) {
                i += 1;
            }
        } else {
            let flags = &a[1..];
            for (k, c) in flags.char_indices() {
                match c {
                    'n' => {
                        net = true;
                        // -nFILE.
                        let rest = &flags[k + 1..];
                        if !rest.is_empty() {
                            persist = Some(rest.to_string());
                            break;
                        }
                    }
                    'R' | 'w' | 'S' | 'G' => {
                        if flags.len() == k + 1 {
                            i += 1;
                        }
                        break;
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    let cmd = &args[i.min(args.len())..];
    if !net {
        let cur = std::env::var(NETNS_ENV).unwrap_or_default();
        return exec_in("unshare", &cur, cmd);
    }
    let env = match ask("unshare", &["unshare"]) {
        Ok(env) => env,
        Err(code) => return code,
    };
    if let Some(file) = persist {
        if let Err(code) = bind("unshare", &format!("ns:{env}"), &file, &file) {
            return code;
        }
    }
    exec_in("unshare", &env, cmd)
}

/// `nsenter [OPTIONS] [PROGRAM [ARGS]]`: -t PID with -n, or --net=FILE / -nFILE.
pub fn nsenter(args: &[String]) -> i32 {
    let mut pid: Option<String> = None;
    let mut net: Option<Option<String>> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        if let Some(v) = a.strip_prefix("--target=") {
            pid = Some(v.to_string());
        } else if a == "--target" || a == "-t" {
            pid = args.get(i + 1).cloned();
            i += 1;
        } else if let Some(v) = a.strip_prefix("-t") {
            pid = Some(v.to_string());
        } else if let Some(f) = a.strip_prefix("--net=") {
            net = Some(Some(f.to_string()));
        } else if a == "--net" {
            net = Some(None);
        } else if let Some(f) = a.strip_prefix("-n") {
            net = Some((!f.is_empty()).then(|| f.to_string()));
        } else if a.starts_with("--") {
            if matches!(a, "--root" | "--wd" | "--setuid" | "--setgid" | "-S" | "-G") {
                i += 1;
            }
        } else if a.contains('a') {
            net = Some(None);
        } else if matches!(a, "-S" | "-G" | "-r" | "-w") {
            i += 1;
        }
        i += 1;
    }
    let cmd = &args[i.min(args.len())..];
    let path = match (&net, &pid) {
        (Some(Some(file)), _) => file.clone(),
        (Some(None), Some(p)) => format!("/proc/{p}/ns/net"),
        (Some(None), None) => {
            eprintln!("nsenter: neither filename nor target pid supplied for ns/net");
            return 1;
        }
        (None, _) => {
            let cur = std::env::var(NETNS_ENV).unwrap_or_default();
            return exec_in("nsenter", &cur, cmd);
        }
    };
    let t = target(&path);
    let Some(spec) = spec(&t) else {
        if Path::new(&path).exists() {
            eprintln!("nsenter: reassociate to namespace 'ns/net' failed: Invalid argument");
        } else {
            eprintln!("nsenter: cannot open {path}: No such file or directory");
        }
        return 1;
    };
    match ask("nsenter", &["enter", &spec, &path]) {
        Ok(env) => exec_in("nsenter", &env, cmd),
        Err(code) => code,
    }
}

/// Names the namespace `src` (a spec) at `dst`, as `mount --bind` does.
fn bind(tool: &str, src: &str, dst_given: &str, dst: &str) -> Result<(), i32> {
    match target(dst) {
        Target::Name(name) => ask(tool, &["mount", src, &name, dst_given]).map(|_| ()),
        _ => {
            eprintln!(
                "{tool}: l2lab models bind mounts of network namespaces onto /run/netns/NAME only; {dst_given} was left alone"
            );
            Err(32)
        }
    }
}

/// `mount`: without arguments, the mount table; `mount --bind|-B|-o bind SRC DST` with a
/// network namespace as SRC names it. Other forms are not the lab's.
pub fn mount(args: &[String]) -> i32 {
    let mut bind_mode = false;
    let mut paths = vec![];
    let mut types: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--bind" | "-B" | "--rbind" | "-R" => bind_mode = true,
            "-o" | "--options" => {
                if let Some(o) = args.get(i + 1) {
                    bind_mode |= o.split(',').any(|x| x == "bind" || x == "rbind");
                }
                i += 1;
            }
            "-t" | "--types" => {
                types = args.get(i + 1).cloned();
                i += 1;
            }
            _ if a.starts_with('-') => {}
            _ => paths.push(a.to_string()),
        }
        i += 1;
    }
    if paths.is_empty() && !bind_mode {
        return list_mounts(types.as_deref());
    }
    let [src, dst] = &paths[..] else {
        eprintln!("mount: l2lab models `mount --bind /proc/PID/ns/net /run/netns/NAME` and the listing only");
        return 1;
    };
    if !bind_mode {
        eprintln!("mount: l2lab models `mount --bind /proc/PID/ns/net /run/netns/NAME` and the listing only");
        return 1;
    }
    let abs_dst = absolute(dst);
    if !abs_dst.exists() {
        eprintln!(
            "mount: {dst}: mount point does not exist.\n       dmesg(1) may have more information after failed mount system call."
        );
        return 32;
    }
    let t = target(src);
    let Some(spec) = spec(&t) else {
        eprintln!(
            "mount: l2lab models bind mounts of network namespaces only; {src} was left alone"
        );
        return 32;
    };
    match bind("mount", &spec, &abs_dst.display().to_string(), dst) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// The mount table as `mount` prints it: the sandbox's own, with the lab's namespace files.
fn list_mounts(types: Option<&str>) -> i32 {
    let table = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    for line in table.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [src, dst, fstype, opts, ..] = f[..] else {
            continue;
        };
        if types.is_some_and(|t| t != fstype) {
            continue;
        }
        // The host's namespace files, and the lab's own walls, are not the lab's to show.
        let covered = crate::sandbox::BIN_DIRS
            .iter()
            .any(|d| Path::new(dst).parent() == Some(Path::new(d)));
        if fstype == "nsfs"
            || covered
            || dst == "/run/netns"
            || dst.starts_with(crate::sandbox::LAB_DIR_INSIDE)
        {
            continue;
        }
        println!("{src} on {dst} type {fstype} ({opts})");
    }
    if types.is_none_or(|t| t == "nsfs") {
        if let Ok((0, names)) = crate::client::ask("__ns", vec!["names".into()]) {
            for n in names.lines().filter(|n| !n.is_empty()) {
                println!("nsfs on /run/netns/{n} type nsfs (rw)");
            }
        }
    }
    0
}

/// `umount PATH`: a namespace file of /run/netns loses its name; the file stays.
pub fn umount(args: &[String]) -> i32 {
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let [path] = paths[..] else {
        eprintln!("umount: l2lab models `umount /run/netns/NAME` only");
        return 1;
    };
    match target(path) {
        Target::Name(name) => match ask("umount", &["umount", &name, path]) {
            Ok(_) => 0,
            Err(code) => code,
        },
        _ => {
            eprintln!("umount: l2lab models `umount /run/netns/NAME` only; {path} was left alone");
            32
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn paths_name_namespaces() {
        assert_eq!(target("/var/run/netns/a"), Target::Name("a".into()));
        assert_eq!(target("/run/netns/../netns/b"), Target::Name("b".into()));
        assert_eq!(target("/proc/42/ns/net"), Target::Pid(42));
        assert_eq!(target("/proc/self/ns/net"), Target::Me);
        assert_eq!(target("/proc/42/ns/mnt"), Target::Other);
        assert_eq!(target("/run/netns"), Target::Other);
    }
}
