//! `lsns -t net` (util-linux 2.38): the network namespaces the script's processes are in, with
//! how many processes each holds, the lowest of them and its command, the namespace's id as the
//! caller's namespace knows it, and the file naming it. Other namespace types are not the lab's.

use l2lab_sim::{Lab, NsId};

use crate::cmd::Output;
use crate::members::{command_line, Members};

/// The columns lsns knows for network namespaces, in its default order.
const COLUMNS: &[&str] = &[
    "NS", "TYPE", "NPROCS", "PID", "USER", "NETNSID", "NSFS", "COMMAND",
];

/// One namespace's row.
struct Row {
    ns: u32,
    nprocs: usize,
    pid: i32,
    netnsid: Option<u32>,
    nsfs: String,
    command: String,
}

impl Row {
    fn cell(&self, col: &str) -> String {
        match col {
            "NS" => self.ns.to_string(),
            "TYPE" => "net".into(),
            "NPROCS" => self.nprocs.to_string(),
            "PID" => self.pid.to_string(),
            "USER" => "root".into(),
            "NETNSID" => self
                .netnsid
                .map_or_else(|| "unassigned".into(), |i| i.to_string()),
            "NSFS" => self.nsfs.clone(),
            _ => self.command.clone(),
        }
    }
}

/// Right-aligned columns, as libsmartcols aligns numbers.
fn right(col: &str) -> bool {
    matches!(col, "NS" | "NPROCS" | "PID" | "NETNSID")
}

/// Runs `lsns ARGS` for a caller in namespace `me`.
pub fn run(args: &[&str], me: NsId, members: &Members, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut cols: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let (mut heading, mut raw, mut json) = (true, false, false);
    let mut only_pid: Option<i32> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let (opt, inline) = match a.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ => (a, None),
        };
        let value = |i: &mut usize| -> Option<String> {
            inline.clone().or_else(|| {
                *i += 1;
                args.get(*i).map(|s| s.to_string())
            })
        };
        match opt {
            "-t" | "--type" => {
                let Some(t) = value(&mut i) else {
                    out.err("lsns: option requires an argument -- 't'\n");
                    return 1;
                };
                if t != "net" {
                    let known = ["mnt", "uts", "ipc", "user", "pid", "cgroup", "time"];
                    if known.contains(&t.as_str()) {
                        out.err(format!(
                            "lsns: l2lab models network namespaces only (-t net), not {t}\n"
                        ));
                    } else {
                        out.err(format!("lsns: unknown namespace type: {t}\n"));
                    }
                    return 1;
                }
            }
            "-o" | "--output" => {
                let Some(list) = value(&mut i) else {
                    out.err("lsns: option requires an argument -- 'o'\n");
                    return 1;
                };
                cols = Vec::new();
                for c in list.split(',') {
                    let up = c.to_ascii_uppercase();
                    if !COLUMNS.contains(&up.as_str()) {
                        out.err(format!("lsns: unknown column: {c}\n"));
                        return 1;
                    }
                    cols.push(up);
                }
            }
            "-p" | "--task" => {
                let Some(p) = value(&mut i).and_then(|p| p.parse().ok()) else {
                    out.err("lsns: invalid PID argument\n");
                    return 1;
                };
                only_pid = Some(p);
            }
            "-n" | "--noheadings" => heading = false,
            "-r" | "--raw" => raw = true,
            "-J" | "--json" => json = true,
            "-l" | "--list" | "-u" | "--notruncate" | "-W" | "--nowrap" => {}
            _ => {
                out.err(format!(
                    "lsns: l2lab models `lsns -t net` with -o, -p, -n, -r, -l, -J only: {a}\n"
                ));
                return 1;
            }
        }
        i += 1;
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut want: Option<NsId> = None;
    let pids = members.script_pids();
    let mut by_ns: Vec<(NsId, Vec<(i32, i32)>)> = Vec::new();
    for (host, inner) in pids {
        let Some(ns) = members.ns_of(lab, host, None) else {
            continue;
        };
        if only_pid == Some(inner) {
            want = Some(ns);
        }
        match by_ns.iter_mut().find(|(n, _)| *n == ns) {
            Some((_, v)) => v.push((host, inner)),
            None => by_ns.push((ns, vec![(host, inner)])),
        }
    }
    if let (Some(p), None) = (only_pid, want) {
        out.err(format!(
            "lsns: cannot open /proc/{p}/ns/net: No such file or directory\n"
        ));
        return 1;
    }
    for (ns, procs) in by_ns {
        if want.is_some_and(|w| w != ns) {
            continue;
        }
        let Some(&(host, inner)) = procs.iter().min_by_key(|(_, i)| *i) else {
            continue;
        };
        let nsfs = lab
            .ns(ns)
            .filter(|n| n.named && !n.dying)
            .map(|n| format!("/run/netns/{}", n.name))
            .unwrap_or_default();
        rows.push(Row {
            ns: lab.netns_inode(ns).unwrap_or(0),
            nprocs: procs.len(),
            pid: inner,
            netnsid: lab.nsid_known(me, ns),
            nsfs,
            command: command_line(host),
        });
    }
    rows.sort_by_key(|r| r.ns);
    if json {
        print_json(&cols, &rows, out);
    } else if raw {
        if heading {
            out.out(format!("{}\n", cols.join(" ")));
        }
        for r in &rows {
            let cells: Vec<String> = cols
                .iter()
                .map(|c| r.cell(c).replace('\\', "\\x5c").replace(' ', "\\x20"))
                .collect();
            out.out(format!("{}\n", cells.join(" ")));
        }
    } else {
        let widths: Vec<usize> = cols
            .iter()
            .map(|c| {
                rows.iter()
                    .map(|r| r.cell(c).len())
                    .fold(c.len(), usize::max)
            })
            .collect();
        let line = |cells: Vec<String>| -> String {
            let last = cells.len().saturating_sub(1);
            let mut s = String::new();
            for (k, (cell, col)) in cells.iter().zip(&cols).enumerate() {
                if k > 0 {
                    s.push(' ');
                }
                if k == last {
                    if right(col) {
                        s.push_str(&format!("{cell:>w$}", w = widths[k]));
                    } else {
                        s.push_str(cell);
                    }
                } else if right(col) {
                    s.push_str(&format!("{cell:>w$}", w = widths[k]));
                } else {
                    s.push_str(&format!("{cell:<w$}", w = widths[k]));
                }
            }
            s.push('\n');
            s
        };
        if heading {
            out.out(line(cols.clone()));
        }
        for r in &rows {
            out.out(line(cols.iter().map(|c| r.cell(c)).collect()));
        }
    }
    0
}

/// `lsns -J`: util-linux's JSON, three spaces of indent, numbers as numbers and an empty file
/// name as null.
fn print_json(cols: &[String], rows: &[Row], out: &mut Output) {
    out.out("{\n   \"namespaces\": [\n");
    for (n, r) in rows.iter().enumerate() {
        out.out(if n == 0 { "      {\n" } else { "},{\n" });
        for (k, c) in cols.iter().enumerate() {
            let v = r.cell(c);
            let value = match c.as_str() {
                "NS" | "NPROCS" | "PID" => v,
                "NETNSID" if r.netnsid.is_some() => v,
                "NSFS" if v.is_empty() => "null".into(),
                _ => serde_json::Value::String(v).to_string(),
            };
            let comma = if k + 1 < cols.len() { "," } else { "" };
            out.out(format!(
                "         \"{}\": {value}{comma}\n",
                c.to_ascii_lowercase()
            ));
        }
        out.out("      ");
    }
    if !rows.is_empty() {
        out.out("}\n");
    }
    out.out("   ]\n}\n");
}
