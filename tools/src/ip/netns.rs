//! `ip netns add|del|list|exec|identify` (iproute2 ip/ipnetns.c). `exec` itself runs in the
//! client; here it only checks the namespace, with iproute2's messages.

use l2lab_sim::{Lab, LabError};

use super::common::matches;
use super::Opts;
use crate::cmd::{Env, Output};

const USAGE: &str = "Usage:\tip netns list
\tip netns add NAME
\tip netns attach NAME PID
\tip netns set NAME NETNSID
\tip [-all] netns delete [NAME]
\tip netns identify [PID]
\tip netns pids NAME
\tip [-all] netns exec [NAME] cmd ...
\tip netns monitor
\tip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT
";

/// Runs `ip netns ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(verb) = args.first().map(String::as_str) else {
        return list(opts, env, lab, out);
    };
    let name = args.get(1).map(String::as_str);
    if matches(verb, "list") || verb == "show" || verb == "ls" {
        list(opts, env, lab, out)
    } else if matches(verb, "add") {
        let Some(name) = name else {
            out.err("No netns name specified\n");
            return 1;
        };
        if let Some(code) = invalid(name, out) {
            return code;
        }
        match lab.add_netns(name) {
            Ok(_) => 0,
            Err(LabError::Exists(_)) => {
                out.err(format!(
                    "Cannot create namespace file \"/run/netns/{name}\": File exists\n"
                ));
                1
            }
            Err(_) => {
                out.err(format!("Invalid netns name \"{name}\"\n"));
                255
            }
        }
    } else if matches(verb, "delete") {
        if opts.all {
            // Every name under /run/netns, as iproute2's netns_foreach does.
            let mut code = 0;
            for n in lab.netns_names() {
                code |= delete(&n, lab, out);
            }
            return code;
        }
        let Some(name) = name else {
            out.err("No netns name specified\n");
            return 1;
        };
        if let Some(code) = invalid(name, out) {
            return code;
        }
        delete(name, lab, out)
    } else if verb == "exec-check" {
        // From the client's `ip netns exec NAME CMD`.
        let Some(name) = name else {
            out.err("No netns name specified\n");
            return 1;
        };
        if let Some(code) = invalid(name, out) {
            return code;
        }
        if args.len() < 3 {
            out.err("No command specified\n");
            return 1;
        }
        if lab.netns(name).is_err() {
            out.err(format!(
                "Cannot open network namespace \"{name}\": No such file or directory\n"
            ));
            return 255;
        }
        0
    } else if matches(verb, "identify") {
        // No name for the initial namespace: an empty line.
        out.out(format!("{}\n", env.ns_name));
        0
    } else if matches(verb, "help") {
        out.err(USAGE);
        0
    } else {
        out.err(format!(
            "Command \"{verb}\" is unknown, try \"ip netns help\".\n"
        ));
        255
    }
}

/// iproute2's is_valid_netns_name, with its message and status.
fn invalid(name: &str, out: &mut Output) -> Option<i32> {
    if l2lab_sim::lab::check_netns_name(name).is_ok() {
        return None;
    }
    out.err(format!("Invalid netns name \"{name}\"\n"));
    Some(255)
}

fn delete(name: &str, lab: &mut Lab, out: &mut Output) -> i32 {
    match lab.del_netns(name) {
        Ok(()) => 0,
        Err(_) => {
            out.err(format!(
                "Cannot remove namespace file \"/run/netns/{name}\": No such file or directory\n"
            ));
            1
        }
    }
}

/// `ip netns list`: newest first, as the kernel's tmpfs lists /var/run/netns; a namespace
/// that some other one has an id for shows `(id: N)`.
fn list(opts: &Opts, env: &Env, lab: &Lab, out: &mut Output) -> i32 {
    let mut names = lab.netns_names();
    names.reverse();
    if opts.json {
        let v: Vec<String> = names
            .iter()
            .map(|n| format!("{{\"name\":\"{n}\"}}"))
            .collect();
        out.out(format!("[{}]\n", v.join(",")));
        return 0;
    }
    for n in names {
        let id = lab.netns(&n).ok().and_then(|ns| lab.nsid_known(env.ns, ns));
        match id {
            Some(id) => out.out(format!("{n} (id: {id})\n")),
            None => out.out(format!("{n}\n")),
        }
    }
    0
}
