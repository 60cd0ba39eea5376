//! `ovs-ofctl dump-flows BR`: the one flow a bridge has unless a controller adds others,
//! `priority=0 actions=NORMAL`, with its counters (the frames the bridge took in from its
//! ports and its internal port since it was made) and its age.

use l2lab_sim::Lab;

use crate::cmd::{Env, Output};

/// Runs `ovs-ofctl ARGS...`; returns the exit status.
pub fn main(argv: &[String], _env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let args: Vec<&str> = argv
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    match args.as_slice() {
        ["dump-flows", br, ..] => dump_flows(br, lab, out),
        [cmd, ..] => {
            out.err(format!(
                "ovs-ofctl: l2lab does not model ovs-ofctl {cmd} yet: nothing was changed\n"
            ));
            1
        }
        [] => {
            out.err("ovs-ofctl: missing command name; use --help for help\n");
            1
        }
    }
}

fn dump_flows(br: &str, lab: &mut Lab, out: &mut Output) -> i32 {
    if lab.ovs().bridge(br).is_none() {
        out.err(format!("ovs-ofctl: {br} is not a bridge or a socket\n"));
        return 1;
    }
    let Some(stats) = lab.ovs_normal_flow(br) else {
        // Secure mode without a controller: no flow at all.
        out.out("NXST_FLOW reply (xid=0x4):\n");
        return 0;
    };
    out.out(format!(
        "NXST_FLOW reply (xid=0x4):\n cookie=0x0, duration={:.3}s, table=0, n_packets={}, n_bytes={}, idle_age={}, priority=0 actions=NORMAL\n",
        stats.age.as_secs_f64(),
        stats.packets,
        stats.bytes,
        stats.idle.as_secs()
    ));
    0
}
