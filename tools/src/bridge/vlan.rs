//! `bridge vlan` (iproute2 6.1 bridge/vlan.c) for bridges without VLAN filtering, the only
//! kind the lab models: their ports hold no VLAN entries, so a listing is its header alone.

use l2lab_sim::Lab;

use super::{Opts, FAIL};
use crate::cmd::{Env, Output};
use crate::ip::common::matches;

const USAGE: &str =
    "Usage: bridge vlan { add | del } vid VLAN_ID dev DEV [ tunnel_info id TUNNEL_ID ]
                                                     [ pvid ] [ untagged ]
                                                     [ self ] [ master ]
       bridge vlan { set } vid VLAN_ID dev DEV [ state STP_STATE ]
                                               [ mcast_router MULTICAST_ROUTER ]
       bridge vlan { show } [ dev DEV ] [ vid VLAN_ID ]
       bridge vlan { tunnelshow } [ dev DEV ] [ vid VLAN_ID ]
       bridge vlan global { set } vid VLAN_ID dev DEV
                      [ mcast_snooping MULTICAST_SNOOPING ]
                      [ mcast_querier MULTICAST_QUERIER ]
                      [ mcast_igmp_version IGMP_VERSION ]
                      [ mcast_mld_version MLD_VERSION ]
                      [ mcast_last_member_count LAST_MEMBER_COUNT ]
                      [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]
                      [ mcast_startup_query_count STARTUP_QUERY_COUNT ]
                      [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]
                      [ mcast_membership_interval MEMBERSHIP_INTERVAL ]
                      [ mcast_querier_interval QUERIER_INTERVAL ]
                      [ mcast_query_interval QUERY_INTERVAL ]
                      [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]
       bridge vlan global { show } [ dev DEV ] [ vid VLAN_ID ]
";

/// Runs `bridge vlan ARGS...` (do_vlan).
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let Some(cmd) = args.first().map(String::as_str) else {
        return show(&[], opts, env, lab, out);
    };
    if matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list") {
        return show(&args[1..], opts, env, lab, out);
    }
    if matches(cmd, "help") {
        out.err(USAGE);
        return FAIL;
    }
    let known = ["add", "delete", "tunnelshow", "global", "set"];
    if known.iter().any(|k| matches(cmd, k)) {
        out.err(format!(
            "bridge vlan {cmd}: l2lab does not model VLAN filtering yet: nothing was changed\n"
        ));
        return FAIL;
    }
    out.err(format!(
        "Command \"{cmd}\" is unknown, try \"bridge vlan help\".\n"
    ));
    FAIL
}

/// vlan_show: `dev` and `vid` filter, other words are passed over as iproute2 does.
fn show(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let mut dev: Option<&str> = None;
    let mut vid = false;
    let mut i = 0;
    while i < args.len() {
        let key = args[i].as_str();
        if key == "dev" || key == "vid" {
            i += 1;
            let Some(v) = args.get(i) else {
                out.err("Command line is not complete. Try option \"help\"\n");
                return FAIL;
            };
            let seen = if key == "dev" {
                dev.replace(v).is_some()
            } else {
                std::mem::replace(&mut vid, true)
            };
            if seen {
                out.err(format!(
                    "Error: duplicate \"{key}\": \"{v}\" is the second value.\n"
                ));
                return FAIL;
            }
        }
        i += 1;
    }
    if let Some(d) = dev {
        if lab.link_by_name(env.ns, d).is_err() {
            out.err(format!("Cannot find device \"{d}\"\n"));
            return FAIL;
        }
    }
    if opts.json {
        out.out(if opts.pretty { "[ ]\n" } else { "[]\n" });
        return 0;
    }
    out.out(format!("{:<16}  {:<9}\n", "port", "vlan-id"));
    if opts.details > 0 {
        // -d asks for the per-VLAN dump (RTM_GETVLAN), which a bridge without VLAN
        // filtering refuses.
        out.err("RTNETLINK answers: Operation not supported\nDump terminated\n");
        return 1;
    }
    0
}
