//! `ovs-ofctl show BR`: the bridge's OpenFlow features and ports; `ovs-ofctl dump-flows BR`:
//! the one flow a bridge has unless a controller adds others, `priority=0 actions=NORMAL`,
//! with its counters (the frames the bridge took in from its ports and its internal port
//! since it was made) and its age.

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
        ["show", br, ..] => show(br, lab, out),
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

/// One port of `show`: its number, name, address, config and state, and a veth's speed.
fn port_lines(lab: &Lab, no: &str, name: &str) -> String {
    let link = lab
        .link_by_name(l2lab_sim::NsId::INIT, name)
        .ok()
        .and_then(|l| lab.fabric().link(l));
    let (mac, admin, carrier) = link.map_or((String::new(), false, false), |l| {
        (l.mac.to_string(), l.admin_up, l.admin_up && l.carrier)
    });
    format!(
        " {no}({name}): addr:{mac}\n     config:     {}\n     state:      {}\n     current:    10GB-FD COPPER\n     speed: 10000 Mbps now, 0 Mbps max\n",
        if admin { "0" } else { "PORT_DOWN" },
        if carrier { "0" } else { "LINK_DOWN" }
    )
}

fn show(br: &str, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(b) = lab.ovs().bridge(br).cloned() else {
        out.err(format!("ovs-ofctl: {br} is not a bridge or a socket\n"));
        return 1;
    };
    // The datapath id is the bridge's address, in 64 bits.
    let mac = lab
        .fabric()
        .link(b.link)
        .map(|l| l.mac.to_string().replace(':', ""))
        .unwrap_or_default();
    let mut s = format!(
        "OFPT_FEATURES_REPLY (xid=0x2): dpid:0000{mac}\nn_tables:254, n_buffers:0\ncapabilities: FLOW_STATS TABLE_STATS PORT_STATS QUEUE_STATS ARP_MATCH_IP\nactions: output enqueue set_vlan_vid set_vlan_pcp strip_vlan mod_dl_src mod_dl_dst mod_nw_src mod_nw_dst mod_nw_tos mod_tp_src mod_tp_dst\n"
    );
    let mut ports: Vec<(u16, &str)> = b
        .ports
        .iter()
        .filter_map(|p| p.ofport.map(|n| (n, p.name.as_str())))
        .collect();
    ports.sort();
    for (n, name) in ports {
        s.push_str(&port_lines(lab, &n.to_string(), name));
    }
    s.push_str(&port_lines(lab, "LOCAL", &b.name));
    s.push_str("OFPT_GET_CONFIG_REPLY (xid=0x4): frags=normal miss_send_len=0\n");
    out.out(s);
    0
}
