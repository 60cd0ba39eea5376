//! `ovs-vsctl`: bridges and ports (`add-br`, `del-br`, `list-br`, `br-exists`, `add-port`,
//! `del-port`, `list-ports`, `port-to-br`, `list-ifaces`, `iface-to-br`), fail modes, `get`
//! and `set` of the columns tutorials use, and `show`. Several commands join with `--`.

use l2lab_sim::ovs::{OvsBridge, OvsError};
use l2lab_sim::Lab;

use super::ovsdb_string;
use crate::cmd::{Env, Output};

/// The version `ovs_version` holds, as `ovs-ctl start` records it.
pub const OVS_VERSION: &str = "3.1.0";

/// One command: its name, options before it and arguments.
struct Cmd {
    name: String,
    may_exist: bool,
    if_exists: bool,
    args: Vec<String>,
}

/// (name, least arguments, most arguments)
const COMMANDS: &[(&str, usize, usize)] = &[
    ("init", 0, 0),
    ("show", 0, 0),
    ("add-br", 1, 3),
    ("del-br", 1, 1),
    ("list-br", 0, 0),
    ("br-exists", 1, 1),
    ("add-port", 2, usize::MAX),
    ("del-port", 1, 2),
    ("list-ports", 1, 1),
    ("port-to-br", 1, 1),
    ("list-ifaces", 1, 1),
    ("iface-to-br", 1, 1),
    ("set-fail-mode", 2, 2),
    ("get-fail-mode", 1, 1),
    ("del-fail-mode", 1, 1),
    ("get", 2, usize::MAX),
    ("list", 1, usize::MAX),
    ("set", 3, usize::MAX),
];

/// Runs `ovs-vsctl ARGS...`; returns the exit status.
pub fn main(argv: &[String], _env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let cmds = match parse(argv) {
        Ok(c) => c,
        Err(msg) => {
            out.err(format!("ovs-vsctl: {msg}\n"));
            return 1;
        }
    };
    for c in cmds {
        match run(&c, lab, out) {
            Ok(0) => {}
            Ok(code) => return code,
            Err(msg) => {
                out.err(format!("ovs-vsctl: {msg}\n"));
                return 1;
            }
        }
    }
    0
}

fn parse(argv: &[String]) -> Result<Vec<Cmd>, String> {
    let mut cmds = Vec::new();
    let mut i = 0;
    // Global options come before the first command.
    while i < argv.len() && argv[i].starts_with('-') && argv[i] != "--" {
        let a = &argv[i];
        match a.as_str() {
            "--no-wait" | "--oneline" | "--dry-run" | "--no-syslog" | "-v" | "--verbose" => {}
            "--may-exist" | "--if-exists" => break,
            s if s.starts_with("--timeout=") || s.starts_with("--db=") || s.starts_with("-t") => {}
            "-h" | "--help" => {
                return Err("l2lab models add-br, del-br, list-br, br-exists, add-port, del-port, list-ports, port-to-br, list-ifaces, iface-to-br, set-fail-mode, get-fail-mode, del-fail-mode, get, set and show".into())
            }
            "-V" | "--version" => return Err(format!("(Open vSwitch) {OVS_VERSION}")),
            other => return Err(format!("unrecognized option '{other}'")),
        }
        i += 1;
    }
    let mut first = true;
    while i < argv.len() || first {
        first = false;
        if i < argv.len() && argv[i] == "--" {
            i += 1;
        }
        let mut may_exist = false;
        let mut if_exists = false;
        while i < argv.len() && argv[i].starts_with("--") && argv[i] != "--" {
            match argv[i].as_str() {
                "--may-exist" => may_exist = true,
                "--if-exists" => if_exists = true,
                "--fake-iface" | "--with-iface" | "--all" => {}
                other => return Err(format!("unrecognized option '{other}'")),
            }
            i += 1;
        }
        let Some(name) = argv.get(i).cloned() else {
            return Err("missing command name (use --help for help)".into());
        };
        i += 1;
        let mut args = Vec::new();
        while i < argv.len() && argv[i] != "--" {
            args.push(argv[i].clone());
            i += 1;
        }
        let Some((_, least, most)) = COMMANDS.iter().find(|(n, _, _)| *n == name) else {
            return Err(format!("unknown command '{name}'; use --help for help"));
        };
        if args.len() < *least {
            return Err(format!(
                "'{name}' command requires at least {least} arguments"
            ));
        }
        if args.len() > *most {
            return Err(format!("'{name}' command takes at most {most} arguments"));
        }
        cmds.push(Cmd {
            name,
            may_exist,
            if_exists,
            args,
        });
    }
    Ok(cmds)
}

fn ovs_err(e: OvsError) -> String {
    e.to_string()
}

fn bridge<'a>(lab: &'a mut Lab, name: &str) -> Result<&'a OvsBridge, String> {
    lab.ovs()
        .bridge(name)
        .ok_or_else(|| format!("no bridge named {name}"))
}

fn run(c: &Cmd, lab: &mut Lab, out: &mut Output) -> Result<i32, String> {
    let a = &c.args;
    match c.name.as_str() {
        "init" => {
            lab.ovs();
        }
        "show" => out.out(show(lab)),
        "add-br" => {
            if a.len() > 1 {
                return Err("l2lab does not model fake bridges (add-br BR PARENT VLAN) yet".into());
            }
            lab.ovs_add_br(&a[0], c.may_exist).map_err(ovs_err)?;
        }
        "del-br" => lab.ovs_del_br(&a[0], c.if_exists).map_err(ovs_err)?,
        "list-br" => {
            let mut names: Vec<String> = lab.ovs().bridges.iter().map(|b| b.name.clone()).collect();
            names.sort();
            for n in names {
                out.out(format!("{n}\n"));
            }
        }
        "br-exists" if lab.ovs().bridge(&a[0]).is_none() => return Ok(2),
        "br-exists" => {}
        "add-port" => {
            if a.len() > 2 {
                return Err("l2lab does not model column settings in add-port yet".into());
            }
            lab.ovs_add_port(&a[0], &a[1], c.may_exist)
                .map_err(ovs_err)?;
        }
        "del-port" => {
            let (br, port) = match a.as_slice() {
                [p] => (None, p),
                [b, p] => (Some(b.as_str()), p),
                _ => return Err("'del-port' command takes at most 2 arguments".into()),
            };
            lab.ovs_del_port(br, port, c.if_exists).map_err(ovs_err)?;
        }
        "list-ports" | "list-ifaces" => {
            let b = bridge(lab, &a[0])?;
            let mut names: Vec<String> = b.ports.iter().map(|p| p.name.clone()).collect();
            names.sort();
            for n in names {
                out.out(format!("{n}\n"));
            }
        }
        "port-to-br" | "iface-to-br" => {
            let what = if c.name == "port-to-br" {
                "port"
            } else {
                "interface"
            };
            let db = lab.ovs();
            let b = db
                .bridges
                .iter()
                .find(|b| b.ports.iter().any(|p| p.name == a[0]))
                .ok_or_else(|| format!("no {what} named {}", a[0]))?;
            out.out(format!("{}\n", b.name));
        }
        "set-fail-mode" => {
            bridge(lab, &a[0])?;
            if a[1] != "standalone" && a[1] != "secure" {
                return Err("fail-mode must be \"standalone\" or \"secure\"".into());
            }
            lab.ovs_set_fail_mode(&a[0], Some(&a[1])).map_err(ovs_err)?;
        }
        "get-fail-mode" => {
            let b = bridge(lab, &a[0])?;
            if let Some(m) = &b.fail_mode {
                out.out(format!("{m}\n"));
            }
        }
        "del-fail-mode" => {
            bridge(lab, &a[0])?;
            lab.ovs_set_fail_mode(&a[0], None).map_err(ovs_err)?;
        }
        "get" => get(a, lab, out)?,
        "list" => {
            return Err(
                "l2lab does not model list yet: `get TABLE RECORD COLUMN...` reads the columns tutorials use"
                    .into(),
            )
        }
        "set" => set(a, lab)?,
        _ => {}
    }
    Ok(0)
}

/// The table a `get`/`set` names (ovs-vsctl takes any unique prefix, in any case).
fn table(name: &str) -> Result<&'static str, String> {
    let lower = name.to_ascii_lowercase();
    let all = ["Open_vSwitch", "Bridge", "Port", "Interface"];
    let hits: Vec<&str> = all
        .iter()
        .copied()
        .filter(|t| t.to_ascii_lowercase().starts_with(&lower))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("unknown table \"{name}\"")),
        _ => Err(format!("multiple table names match \"{name}\"")),
    }
}

fn get(a: &[String], lab: &mut Lab, out: &mut Output) -> Result<(), String> {
    let t = table(&a[0])?;
    let rec = &a[1];
    let found = match t {
        "Bridge" => lab.ovs().bridge(rec).is_some(),
        "Port" | "Interface" => lab.ovs().port_to_br(rec).is_some(),
        _ => rec == ".",
    };
    if !found {
        return Err(format!("no row \"{rec}\" in table {t}"));
    }
    for col in &a[2..] {
        let (col, key) = match col.split_once(':') {
            Some((c, k)) => (c, Some(k)),
            None => (col.as_str(), None),
        };
        let value = match (t, col) {
            (_, "name") if t != "Open_vSwitch" => rec.clone(),
            ("Bridge", "other_config") => {
                let b = bridge(lab, rec)?;
                match key {
                    Some(k) => match b.other_config.get(k) {
                        Some(v) => ovsdb_string(v),
                        None => {
                            return Err(format!(
                                "no key \"{k}\" in Bridge record \"{rec}\" column other_config"
                            ))
                        }
                    },
                    None => {
                        let items: Vec<String> = b
                            .other_config
                            .iter()
                            .map(|(k, v)| format!("{}={}", ovsdb_string(k), ovsdb_string(v)))
                            .collect();
                        format!("{{{}}}", items.join(", "))
                    }
                }
            }
            ("Bridge", "fail_mode") => {
                let b = bridge(lab, rec)?;
                match &b.fail_mode {
                    Some(m) => m.clone(),
                    None => "[]".to_string(),
                }
            }
            ("Bridge", "ports") => {
                let b = bridge(lab, rec)?;
                let mut u: Vec<String> = b.ports.iter().map(|p| p.uuid.to_string()).collect();
                u.push(b.local_uuid.to_string());
                u.sort();
                format!("[{}]", u.join(", "))
            }
            ("Interface", "ofport") => {
                let db = lab.ovs();
                let b = db.port_to_br(rec).ok_or("no such row")?;
                if b.name == *rec {
                    "65534".to_string()
                } else {
                    match b
                        .ports
                        .iter()
                        .find(|p| p.name == *rec)
                        .and_then(|p| p.ofport)
                    {
                        Some(n) => n.to_string(),
                        None => "-1".to_string(),
                    }
                }
            }
            ("Interface", "type") => {
                let db = lab.ovs();
                if db.bridge(rec).is_some() {
                    "internal".to_string()
                } else {
                    "\"\"".to_string()
                }
            }
            ("Open_vSwitch", "ovs_version") => ovsdb_string(OVS_VERSION),
            _ => {
                return Err(format!(
                    "l2lab does not model the {t} table's column {col} yet"
                ))
            }
        };
        out.out(format!("{value}\n"));
    }
    Ok(())
}

fn set(a: &[String], lab: &mut Lab) -> Result<(), String> {
    let t = table(&a[0])?;
    let rec = &a[1];
    if t == "Bridge" && lab.ovs().bridge(rec).is_none() {
        return Err(format!("no row \"{rec}\" in table {t}"));
    }
    for item in &a[2..] {
        let Some((lhs, value)) = item.split_once('=') else {
            return Err(format!(
                "{item}: argument does not end in \"=\" followed by a value."
            ));
        };
        let value = value.trim_matches('"');
        match (t, lhs.split_once(':')) {
            ("Bridge", Some(("other_config", key))) => {
                lab.ovs_set_other_config(rec, key, value).map_err(ovs_err)?;
            }
            ("Bridge", None) if lhs == "fail_mode" => {
                if value != "standalone" && value != "secure" {
                    return Err(format!(
                        "constraint violation: {value} is not one of the allowed values ([secure, standalone])"
                    ));
                }
                lab.ovs_set_fail_mode(rec, Some(value)).map_err(ovs_err)?;
            }
            _ => {
                return Err(format!(
                    "l2lab does not model setting {lhs} in the {t} table yet"
                ))
            }
        }
    }
    Ok(())
}

/// `ovs-vsctl show`: the database as a tree, bridges and ports in the order of their UUIDs.
fn show(lab: &mut Lab) -> String {
    let db = lab.ovs();
    let mut s = format!("{}\n", db.uuid.map(|u| u.to_string()).unwrap_or_default());
    let mut bridges: Vec<&OvsBridge> = db.bridges.iter().collect();
    bridges.sort_by_key(|b| b.uuid);
    for b in bridges {
        s.push_str(&format!("    Bridge {}\n", ovsdb_string(&b.name)));
        if let Some(m) = &b.fail_mode {
            s.push_str(&format!("        fail_mode: {m}\n"));
        }
        // (uuid, port name, is internal, error)
        let mut ports: Vec<(l2lab_sim::ovs::Uuid, &str, bool, Option<&String>)> = b
            .ports
            .iter()
            .map(|p| (p.uuid, p.name.as_str(), false, p.error.as_ref()))
            .collect();
        ports.push((b.local_uuid, b.name.as_str(), true, None));
        ports.sort_by_key(|p| p.0);
        for (_, name, internal, error) in ports {
            let n = ovsdb_string(name);
            s.push_str(&format!("        Port {n}\n            Interface {n}\n"));
            if internal {
                s.push_str("                type: internal\n");
            }
            if let Some(e) = error {
                s.push_str(&format!("                error: {}\n", ovsdb_string(e)));
            }
        }
    }
    s.push_str(&format!("    ovs_version: {}\n", ovsdb_string(OVS_VERSION)));
    s
}
