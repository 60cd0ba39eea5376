//! `ovs-appctl` to ovs-vswitchd: `fdb/show BR` (the MAC table, ages in seconds) and
//! `fdb/flush [BR]`, with its answers for a bridge that is not there.

use l2lab_sim::Lab;

use crate::cmd::{Env, Output};

/// Runs `ovs-appctl ARGS...`; returns the exit status.
pub fn main(argv: &[String], _env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut args = argv.iter().map(String::as_str).peekable();
    // `-t ovs-vswitchd` names the daemon this lab answers for.
    while let Some(a) = args.peek() {
        match *a {
            "-t" | "--target" => {
                args.next();
                args.next();
            }
            s if s.starts_with("--target=") || s.starts_with("--timeout") => {
                args.next();
            }
            _ => break,
        }
    }
    let Some(cmd) = args.next() else {
        out.err("ovs-appctl: at least one non-option argument is required (use --help for help)\n");
        return 1;
    };
    let rest: Vec<&str> = args.collect();
    let fail = |out: &mut Output, msg: &str| {
        out.err(format!(
            "{msg}\novs-appctl: ovs-vswitchd: server returned an error\n"
        ));
        2
    };
    match cmd {
        "fdb/show" => {
            let [br] = rest.as_slice() else {
                return fail(out, "\"fdb/show\" command requires at least 1 arguments");
            };
            let Some(entries) = lab.ovs_fdb(br) else {
                return fail(out, "no such bridge");
            };
            let mut s = String::from(" port  VLAN  MAC                Age\n");
            for (port, mac, age) in entries {
                let port = port.map_or_else(|| "LOCAL".to_string(), |p| p.to_string());
                s.push_str(&format!("{port:>5}  {:>4}  {mac}  {age:>3}\n", 0));
            }
            out.out(s);
            0
        }
        "fdb/flush" => {
            if lab.ovs_fdb_flush(rest.first().copied()) {
                out.out("table successfully flushed\n");
                0
            } else {
                fail(out, "no such bridge")
            }
        }
        "version" => {
            out.out(format!(
                "ovs-vswitchd (Open vSwitch) {}\n",
                super::vsctl::OVS_VERSION
            ));
            0
        }
        other => fail(
            out,
            &format!(
                "\"{other}\" is not a valid command (use list-commands to see a list of valid commands)"
            ),
        ),
    }
}
