//! `ip monitor neigh`: one line per neighbour notification, as iproute2's ip/ipmonitor.c
//! prints the kernel's — the entry's `ip neigh` line, after `Deleted ` when it went. Link,
//! address and route events are not modelled, so `ip monitor` asks for `neigh` by name.

use l2lab_sim::api_mon::NeighNote;
use l2lab_sim::Lab;

use super::common::matches;
use crate::cmd::{Env, Output, Session, Watch};

const USAGE: &str = "Usage: ip monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]
                  [ dev DEVICE ]
OBJECTS :=  address | link | mroute | neigh | netconf |
            nexthop | nsid | prefix | route | rule | stats
FILE := file FILENAME
";

/// Starts the monitor, or says why not (the exit status).
pub fn start(
    args: &[String],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> Result<Box<dyn Session>, i32> {
    let mut neigh = false;
    let mut dev: Option<String> = None;
    let mut other = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if matches(a, "neigh") {
            neigh = true;
        } else if a == "dev" {
            i += 1;
            let Some(d) = args.get(i) else {
                out.err("Command line is not complete. Try option \"help\"\n");
                return Err(255);
            };
            dev = Some(d.clone());
        } else if matches(a, "help") {
            out.err(USAGE);
            return Err(255);
        } else if [
            "all", "address", "link", "mroute", "netconf", "nexthop", "nsid", "prefix", "route",
            "rule", "stats", "label", "all-nsid", "file",
        ]
        .iter()
        .any(|k| matches(a, k))
        {
            other = Some(a.to_string());
        } else {
            out.err(format!(
                "Argument \"{a}\" is unknown, try \"ip monitor help\".\n"
            ));
            return Err(255);
        }
        i += 1;
    }
    if !neigh || other.is_some() {
        out.err(format!(
            "ip monitor: only neighbour events are modelled by this lab (\"ip monitor neigh\"); not {}\n",
            other.unwrap_or_else(|| "all".into())
        ));
        return Err(255);
    }
    let id = lab.neigh_monitor_start(env.ns);
    Ok(Box::new(Watch {
        take: Box::new(move |lab| {
            lab.neigh_monitor_take(id)
                .iter()
                .filter(|n| dev.as_ref().is_none_or(|d| *d == n.dev))
                .map(line)
                .collect()
        }),
        stop: Box::new(move |lab| lab.neigh_monitor_stop(id)),
    }))
}

/// A notification as the monitor prints it.
fn line(n: &NeighNote) -> String {
    let mut s = String::new();
    if n.deleted {
        s.push_str("Deleted ");
    }
    s.push_str(&format!("{} dev {} ", n.ip, n.dev));
    if let Some(m) = n.mac {
        s.push_str(&format!("lladdr {m} "));
    }
    s.push_str(&format!("{} \n", n.state.as_str()));
    s
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_fabric::MacAddr;
    use l2lab_sim::NeighState;

    #[test]
    fn lines_as_the_kernel_printed_them() {
        let n = |mac, state, deleted| NeighNote {
            ip: "10.7.0.2".parse().unwrap(),
            dev: "va".into(),
            mac,
            state,
            deleted,
        };
        let m = Some(MacAddr([0x4e, 0x35, 0xf8, 0xfc, 0x89, 0xd6]));
        assert_eq!(
            line(&n(m, NeighState::Reachable, false)),
            "10.7.0.2 dev va lladdr 4e:35:f8:fc:89:d6 REACHABLE \n"
        );
        assert_eq!(
            line(&n(None, NeighState::Failed, true)),
            "Deleted 10.7.0.2 dev va FAILED \n"
        );
    }
}
