//! `ovs-vsctl`: bridges and ports (`add-br`, `del-br`, `list-br`, `br-exists`, `add-port`,
//! `del-port`, `list-ports`, `port-to-br`, `list-ifaces`, `iface-to-br`), fail modes, `get`
//! and `set` of the columns tutorials use, and `show`. Several commands join with `--`.

use l2lab_sim::ovs::{OvsBridge, OvsError};
use l2lab_sim::Lab;

use super::db::{self, ColType, DataFmt, Layout, Style};
use super::ovsdb_string;
use crate::cmd::{Env, Output};

/// The version `ovs_version` holds, as `ovs-ctl start` records it.
pub const OVS_VERSION: &str = "3.1.0";

/// One command: its name, options before it and arguments.
struct Cmd {
    name: String,
    may_exist: bool,
    if_exists: bool,
    /// `--columns=A,B` of `list` and `find`.
    columns: Option<String>,
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
    ("find", 1, usize::MAX),
    ("set", 3, usize::MAX),
];

/// ovs-vsctl 3.1's other commands: l2lab says it does not model them rather than that they
/// do not exist.
const NOT_MODELLED: &[&str] = &[
    "emer-reset",
    "br-to-vlan",
    "br-to-parent",
    "br-set-external-id",
    "br-get-external-id",
    "add-bond",
    "add-bond-iface",
    "del-bond-iface",
    "add-aa-mapping",
    "del-aa-mapping",
    "get-aa-mapping",
    "get-controller",
    "del-controller",
    "set-controller",
    "get-manager",
    "del-manager",
    "set-manager",
    "get-ssl",
    "del-ssl",
    "set-ssl",
    "add-zone-tp",
    "del-zone-tp",
    "list-zone-tp",
    "list-dp-cap",
    "create",
    "destroy",
    "add",
    "remove",
    "clear",
    "wait-until",
    "comment",
];

/// Options of the whole run.
#[derive(Debug, Clone, Copy, Default)]
struct Global {
    /// `--oneline`: each command's output on one line, newlines written `\n`.
    oneline: bool,
    /// `--dry-run`: the commands run and print, nothing is committed.
    dry_run: bool,
}

/// Runs `ovs-vsctl ARGS...`; returns the exit status.
pub fn main(argv: &[String], _env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let (cmds, style, global) = match parse(argv) {
        Ok(c) => c,
        Err(msg) => {
            out.err(format!("ovs-vsctl: {msg}\n"));
            return 1;
        }
    };
    // The commands are one transaction: tried first, done only when all of them succeed. A
    // command that ends the run early (br-exists' status 2) ends it before the commit too.
    let trial = lab.ovs_dry_run(|lab| run_all(&cmds, style, global, lab, &mut false));
    match trial {
        Ok((0, text)) if global.dry_run => {
            out.out(text);
            return 0;
        }
        Ok((0, _)) => {}
        Ok((code, _)) => return code,
        Err(msg) => {
            out.err(format!("ovs-vsctl: {msg}\n"));
            return 1;
        }
    }
    let before = config_state(lab);
    let mut wrote = false;
    match run_all(&cmds, style, global, lab, &mut wrote) {
        Ok((code, text)) => {
            if wrote || config_state(lab) != before {
                lab.ovs_bump_cfg();
            }
            // Printed once every command succeeded, as after ovs-vsctl's commit.
            out.out(text);
            code
        }
        Err(msg) => {
            out.err(format!("ovs-vsctl: {msg}\n"));
            1
        }
    }
}

/// Runs every command; their output, or the status of the one that ended the run.
fn run_all(
    cmds: &[Cmd],
    style: Style,
    global: Global,
    lab: &mut Lab,
    wrote: &mut bool,
) -> Result<(i32, String), String> {
    let mut text = String::new();
    for c in cmds {
        let mut one = String::new();
        let code = run(c, style, lab, &mut one, wrote)?;
        if code != 0 {
            return Ok((code, String::new()));
        }
        // list and find print their tables as they are (vsctl's table output).
        if global.oneline && c.name != "list" && c.name != "find" {
            let body = one.strip_suffix('\n').unwrap_or(&one);
            text.push_str(&body.replace('\\', "\\\\").replace('\n', "\\n"));
            text.push('\n');
        } else {
            text.push_str(&one);
        }
    }
    Ok((0, text))
}

fn parse(argv: &[String]) -> Result<(Vec<Cmd>, Style, Global), String> {
    let mut cmds = Vec::new();
    let mut style = Style::default();
    let mut global = Global::default();
    let mut i = 0;
    // Global options come before the first command.
    while i < argv.len() && argv[i].starts_with('-') && argv[i] != "--" {
        let a = &argv[i];
        let (opt, inline) = match a.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ if a.len() > 2
                && (a.starts_with("-f") || a.starts_with("-d"))
                && !a.starts_with("--") =>
            {
                (&a[..2], Some(a[2..].to_string()))
            }
            _ => (a.as_str(), None),
        };
        if matches!(opt, "--format" | "-f" | "--data" | "-d") {
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    argv.get(i)
                        .cloned()
                        .ok_or_else(|| format!("option '{opt}' requires an argument"))?
                }
            };
            if opt == "--format" || opt == "-f" {
                style.layout = match value.as_str() {
                    "list" => Layout::List,
                    "table" => Layout::Table,
                    "csv" => Layout::Csv,
                    "json" => Layout::Json,
                    "html" => Layout::Html,
                    _ => return Err(format!("unknown output format \"{value}\"")),
                };
            } else {
                style.data = match value.as_str() {
                    "string" => DataFmt::Str,
                    "bare" => DataFmt::Bare,
                    "json" => DataFmt::Json,
                    _ => return Err(format!("unknown data format \"{value}\"")),
                };
            }
            i += 1;
            continue;
        }
        match a.as_str() {
            "--bare" => {
                style.layout = Layout::List;
                style.data = DataFmt::Bare;
                style.headings = false;
            }
            "--no-headings" => style.headings = false,
            "--oneline" => global.oneline = true,
            "--dry-run" => global.dry_run = true,
            "--pretty" => {}
            s if s.starts_with("--columns") => break,
            "--no-wait" | "--no-syslog" | "-v" | "--verbose" => {}
            "--may-exist" | "--if-exists" => break,
            s if s.starts_with("--timeout=") || s.starts_with("--db=") || s.starts_with("-t") => {}
            "-h" | "--help" => {
                return Err("l2lab models add-br, del-br, list-br, br-exists, add-port, del-port, list-ports, port-to-br, list-ifaces, iface-to-br, set-fail-mode, get-fail-mode, del-fail-mode, list, find, get, set and show".into())
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
        let mut columns = None;
        while i < argv.len() && argv[i].starts_with("--") && argv[i] != "--" {
            match argv[i].as_str() {
                "--may-exist" => may_exist = true,
                "--if-exists" => if_exists = true,
                "--fake-iface" | "--with-iface" | "--all" => {}
                s if s.starts_with("--columns=") => {
                    columns = Some(s["--columns=".len()..].to_string());
                }
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
        if NOT_MODELLED.contains(&name.as_str()) {
            return Err(format!("l2lab does not model '{name}' yet"));
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
            columns,
            args,
        });
    }
    Ok((cmds, style, global))
}

fn ovs_err(e: OvsError) -> String {
    e.to_string()
}

fn bridge<'a>(lab: &'a mut Lab, name: &str) -> Result<&'a OvsBridge, String> {
    lab.ovs()
        .bridge(name)
        .ok_or_else(|| format!("no bridge named {name}"))
}

fn run(
    c: &Cmd,
    style: Style,
    lab: &mut Lab,
    out: &mut String,
    wrote: &mut bool,
) -> Result<i32, String> {
    let a = &c.args;
    match c.name.as_str() {
        "init" => {
            lab.ovs();
        }
        "show" => out.push_str(&show(lab)),
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
                out.push_str(&format!("{n}\n"));
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
                out.push_str(&format!("{n}\n"));
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
            out.push_str(&format!("{}\n", b.name));
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
                out.push_str(&format!("{m}\n"));
            }
        }
        "del-fail-mode" => {
            bridge(lab, &a[0])?;
            lab.ovs_set_fail_mode(&a[0], None).map_err(ovs_err)?;
        }
        "get" => out.push_str(&get(c, lab)?),
        "list" => out.push_str(&list(c, style, lab)?),
        "find" => out.push_str(&find(c, style, lab)?),
        "set" => set(c, lab, wrote)?,
        _ => {}
    }
    Ok(0)
}

/// The columns `--columns` names (all, `_uuid` first, without it).
fn selected(t: &str, columns: Option<&str>) -> Result<Vec<&'static str>, String> {
    let Some(list) = columns else {
        return Ok(std::iter::once("_uuid")
            .chain(db::columns(t).iter().map(|(n, _)| *n))
            .collect());
    };
    let cols = list
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| db::column(t, c))
        .collect::<Result<Vec<_>, _>>()?;
    if cols.is_empty() {
        return Err("must specify at least one column name".into());
    }
    Ok(cols)
}

/// `list TABLE [RECORD...]`: every row, or those named, in ovsdb's order.
fn list(c: &Cmd, style: Style, lab: &mut Lab) -> Result<String, String> {
    let t = db::table(&c.args[0])?;
    let cols = selected(t, c.columns.as_deref())?;
    let rows = db::rows(lab, t);
    let mut sel = Vec::new();
    if c.args.len() == 1 {
        sel.extend(rows.iter());
    }
    for rec in &c.args[1..] {
        match db::find_row(&rows, rec)? {
            Some(r) => sel.push(r),
            None if c.if_exists => {}
            None => return Err(format!("no row \"{rec}\" in table {t}")),
        }
    }
    Ok(db::print(t, &sel, &cols, style))
}

/// The operators `find` takes, longest first where one begins another.
const RELOPS: &[&str] = &[
    "=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}",
    "{not-in}",
];

/// `COLUMN[:KEY]` at the start of `arg`, and the rest.
fn column_key(arg: &str) -> (&str, Option<String>, &str) {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let end = arg.find(|c: char| !is_name(c)).unwrap_or(arg.len());
    let (col, rest) = arg.split_at(end);
    let Some(rest) = rest.strip_prefix(':') else {
        return (col, None, rest);
    };
    if let Some(q) = rest.strip_prefix('"') {
        if let Some(close) = q.find('"') {
            return (col, Some(q[..close].to_string()), &q[close + 1..]);
        }
    }
    let kend = rest.find(['=', '!', '<', '>', '{']).unwrap_or(rest.len());
    (col, Some(rest[..kend].to_string()), &rest[kend..])
}

fn missing_operator(arg: &str, ops: &[&str]) -> String {
    let q: Vec<String> = ops.iter().map(|o| format!("\"{o}\"")).collect();
    let list = match q.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
        [] => String::new(),
    };
    format!("{arg}: argument does not end in {list} followed by a value.")
}

/// One condition of `find`, or one assignment of `set`: column, key, operator, value.
fn parse_cond<'a>(
    t: &str,
    arg: &'a str,
    ops: &[&'a str],
) -> Result<(&'static str, Option<String>, &'a str, &'a str), String> {
    let (name, key, rest) = column_key(arg);
    if name.is_empty() {
        return Err(format!("{arg}: missing column name"));
    }
    let col = db::column(t, name)?;
    let op = ops
        .iter()
        .filter(|o| rest.starts_with(**o) && rest.len() > o.len())
        .max_by_key(|o| o.len())
        .ok_or_else(|| missing_operator(arg, ops))?;
    Ok((col, key, op, &rest[op.len()..]))
}

/// The type a condition's value has: the column's (the set operators too), or the map's
/// value type when a key is given.
fn value_type(t: &str, col: &str, key: Option<&String>) -> Result<ColType, String> {
    let mut ty = db::col_type(t, col);
    if key.is_some() {
        let Some(v) = ty.value else {
            return Err(format!(
                "cannot specify key to check for non-map column {col}"
            ));
        };
        ty = ColType {
            key: v,
            value: None,
            min: 0,
            max: 1,
            range: None,
            choices: &[],
        };
    }
    Ok(ty)
}

/// ovsdb_datum_compare_3way: the shorter first, then element by element.
fn compare(a: &db::Datum, b: &db::Datum) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn holds(a: &db::Datum, op: &str, b: &db::Datum) -> bool {
    use std::cmp::Ordering::*;
    let sub = |x: &db::Datum, y: &db::Datum| x.iter().all(|e| y.contains(e));
    match op {
        "=" | "{=}" => compare(a, b) == Equal,
        "!=" | "{!=}" => compare(a, b) != Equal,
        "<" => compare(a, b) == Less,
        ">" => compare(a, b) == Greater,
        "<=" => compare(a, b) != Greater,
        ">=" => compare(a, b) != Less,
        "{<}" => sub(a, b) && a.len() < b.len(),
        "{>}" => sub(b, a) && b.len() < a.len(),
        "{<=}" | "{in}" => sub(a, b),
        "{>=}" => sub(b, a),
        _ => !a.iter().any(|e| b.contains(e)),
    }
}

/// `find TABLE [COLUMN[:KEY]OP VALUE...]`: the rows that meet every condition.
fn find(c: &Cmd, style: Style, lab: &mut Lab) -> Result<String, String> {
    let t = db::table(&c.args[0])?;
    let cols = selected(t, c.columns.as_deref())?;
    let mut conds = Vec::new();
    for arg in &c.args[1..] {
        let (col, key, op, value) = parse_cond(t, arg, RELOPS)?;
        let ty = value_type(t, col, key.as_ref())?;
        conds.push((col, key, op, db::parse_datum(value, &ty)?));
    }
    let rows = db::rows(lab, t);
    let sel: Vec<&db::Row> = rows
        .iter()
        .filter(|r| {
            conds.iter().all(|(col, key, op, want)| {
                let have = r.get(col);
                let have = match key {
                    None => have,
                    Some(k) => have
                        .into_iter()
                        .filter(|(hk, _)| *hk == db::Atom::Str(k.clone()))
                        .filter_map(|(_, v)| v.map(|v| (v, None)))
                        .collect(),
                };
                holds(&have, op, want)
            })
        })
        .collect();
    Ok(db::print(t, &sel, &cols, style))
}

/// `get TABLE RECORD COLUMN[:KEY]...`.
fn get(c: &Cmd, lab: &mut Lab) -> Result<String, String> {
    let a = &c.args;
    let t = db::table(&a[0])?;
    let mut wanted = Vec::new();
    for arg in &a[2..] {
        let (name, key, rest) = column_key(arg);
        if name.is_empty() {
            return Err(format!("{arg}: missing column name"));
        }
        let col = db::column(t, name)?;
        if !rest.is_empty() {
            return Err(format!("{arg}: trailing garbage \"{rest}\" in argument"));
        }
        wanted.push((col, key));
    }
    let rows = db::rows(lab, t);
    let rec = &a[1];
    let Some(row) = db::find_row(&rows, rec)? else {
        if c.if_exists {
            return Ok(String::new());
        }
        return Err(format!("no row \"{rec}\" in table {t}"));
    };
    let mut out = String::new();
    for (col, key) in wanted {
        let ty = db::col_type(t, col);
        let d = row.get(col);
        match key {
            None => out.push_str(&db::datum_str(&d, &ty, DataFmt::Str)),
            Some(k) => {
                let Some(vt) = ty.value else {
                    return Err(format!(
                        "cannot specify key to get for non-map column {col}"
                    ));
                };
                let key = db::parse_atom(&k, ty.key, None)?;
                match d
                    .into_iter()
                    .find(|(dk, _)| *dk == key)
                    .and_then(|(_, v)| v)
                {
                    Some(v) => {
                        let one = ColType {
                            key: vt,
                            value: None,
                            min: 1,
                            max: 1,
                            range: None,
                            choices: &[],
                        };
                        out.push_str(&db::datum_str(&vec![(v, None)], &one, DataFmt::Str));
                    }
                    None if c.if_exists => {}
                    None => {
                        return Err(format!(
                            "no key \"{k}\" in {t} record \"{rec}\" column {col}"
                        ))
                    }
                }
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// Columns ovs-vswitchd writes from what it sees: a `set` of them is accepted and the next
/// reconfiguration writes them over.
const DAEMON_WRITES: &[(&str, &str)] = &[
    ("Bridge", "datapath_id"),
    ("Bridge", "rstp_status"),
    ("Bridge", "status"),
    ("Port", "rstp_statistics"),
    ("Port", "rstp_status"),
    ("Port", "statistics"),
    ("Port", "status"),
    ("Interface", "admin_state"),
    ("Interface", "bfd_status"),
    ("Interface", "cfm_fault"),
    ("Interface", "cfm_fault_status"),
    ("Interface", "cfm_health"),
    ("Interface", "cfm_remote_mpids"),
    ("Interface", "cfm_remote_opstate"),
    ("Interface", "duplex"),
    ("Interface", "ifindex"),
    ("Interface", "lacp_current"),
    ("Interface", "link_resets"),
    ("Interface", "link_speed"),
    ("Interface", "link_state"),
    ("Interface", "mac_in_use"),
    ("Interface", "mtu"),
    ("Interface", "ofport"),
    ("Interface", "statistics"),
    ("Interface", "status"),
    ("Open_vSwitch", "statistics"),
];

/// `set TABLE RECORD COLUMN[:KEY]=VALUE...`; `wrote` tells whether it changed a column
/// the configuration does not depend on (that also counts as a change).
fn set(c: &Cmd, lab: &mut Lab, wrote: &mut bool) -> Result<(), String> {
    let a = &c.args;
    let t = db::table(&a[0])?;
    for arg in &a[2..] {
        let (name, _, _) = column_key(arg);
        if !name.is_empty() {
            db::column(t, name)?;
        }
    }
    let rows = db::rows(lab, t);
    let rec = &a[1];
    let Some(row) = db::find_row(&rows, rec)? else {
        if c.if_exists {
            return Ok(());
        }
        return Err(format!("no row \"{rec}\" in table {t}"));
    };
    let name = row.name.clone().unwrap_or_default();
    for arg in &a[2..] {
        let (col, key, _, value) = parse_cond(t, arg, &["="])?;
        if col == "name" || col == "_uuid" {
            return Err(format!("cannot modify read-only column {col} in table {t}"));
        }
        let ty = db::col_type(t, col);
        let new = match &key {
            Some(k) => {
                let Some(vt) = ty.value else {
                    return Err(format!(
                        "cannot specify key to set for non-map column {col}"
                    ));
                };
                db::parse_atom(k, ty.key, None)?;
                vec![(db::parse_atom(value, vt, None)?, None)]
            }
            None => db::parse_datum(value, &ty)?,
        };
        let text = |d: &db::Datum| match d.first() {
            Some((db::Atom::Str(s), _)) => Some(s.clone()),
            _ => None,
        };
        match (t, col, key) {
            ("Bridge", "other_config", Some(k)) => {
                let v = text(&new).unwrap_or_default();
                lab.ovs_set_other_config(&name, &k, &v).map_err(ovs_err)?;
            }
            ("Bridge", "other_config", None) => {
                let map = new
                    .iter()
                    .filter_map(|(k, v)| match (k, v) {
                        (db::Atom::Str(k), Some(db::Atom::Str(v))) => Some((k.clone(), v.clone())),
                        _ => None,
                    })
                    .collect();
                lab.ovs_replace_other_config(&name, map).map_err(ovs_err)?;
            }
            ("Bridge", "fail_mode", None) => {
                lab.ovs_set_fail_mode(&name, text(&new).as_deref())
                    .map_err(ovs_err)?;
            }
            (_, _, key) if DAEMON_WRITES.contains(&(t, col)) => {
                let old = row.get(col);
                let same = match key {
                    None => old == new,
                    Some(k) => old.iter().any(|(ok, ov)| {
                        *ok == db::Atom::Str(k.clone()) && ov.as_ref() == new.first().map(|n| &n.0)
                    }),
                };
                *wrote |= !same;
            }
            _ => {
                return Err(format!(
                    "l2lab does not model setting {col} in the {t} table yet"
                ))
            }
        }
    }
    Ok(())
}

/// What the configuration depends on: a run that changes it moves `next_cfg` on.
fn config_state(lab: &mut Lab) -> String {
    lab.ovs();
    let db = lab.ovs_db();
    let mut s = String::new();
    for b in &db.bridges {
        s.push_str(&format!(
            "{} {:?} {:?} {:?};",
            b.uuid,
            b.fail_mode,
            b.other_config,
            b.ports.iter().map(|p| p.uuid).collect::<Vec<_>>()
        ));
    }
    s
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
