//! `bridge monitor fdb`: one line per change of the bridges' forwarding databases, as
//! iproute2's bridge/monitor.c prints the kernel's notifications — the `bridge fdb show`
//! line of the entry, after `Deleted ` when it went. Link, mdb, vlan and vni events are not
//! modelled, so `bridge monitor` asks for `fdb` by name.

use l2lab_fabric::FdbKind;
use l2lab_sim::api_mon::FdbEvent;
use l2lab_sim::Lab;

use super::FAIL;
use crate::cmd::{Env, Output, Session, Watch};
use crate::ip::common::matches;

const USAGE: &str = "Usage: bridge monitor [file | link | fdb | mdb | vlan | vni | all]\n";

/// Starts the monitor, or says why not (the exit status).
pub fn start(
    args: &[String],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> Result<Box<dyn Session>, i32> {
    let mut fdb = false;
    let mut other = None;
    for a in args {
        let a = a.as_str();
        if matches(a, "fdb") {
            fdb = true;
        } else if matches(a, "help") {
            out.err(USAGE);
            return Err(FAIL);
        } else if matches(a, "link")
            || matches(a, "mdb")
            || matches(a, "vlan")
            || matches(a, "vni")
            || matches(a, "all")
            || matches(a, "file")
        {
            other = Some(a.to_string());
        } else {
            out.err(format!(
                "Argument \"{a}\" is unknown, try \"bridge monitor help\".\n"
            ));
            return Err(FAIL);
        }
    }
    if !fdb || other.is_some() {
        out.err(format!(
            "bridge monitor: only FDB events are modelled by this lab (\"bridge monitor fdb\"); not {}\n",
            other.unwrap_or_else(|| "all".into())
        ));
        return Err(FAIL);
    }
    let id = lab.fdb_monitor_start(env.ns);
    Ok(Box::new(Watch {
        take: Box::new(move |lab| lab.fdb_monitor_take(id).iter().map(line).collect()),
        stop: Box::new(move |lab| lab.fdb_monitor_stop(id)),
    }))
}

/// A change as the monitor prints it: the entry's `bridge fdb show` line.
fn line(e: &FdbEvent) -> String {
    let state = match e.kind {
        FdbKind::Local => "permanent",
        FdbKind::Static => "static",
        FdbKind::Learned if e.stale => "stale",
        FdbKind::Learned => "",
    };
    format!(
        "{}{} dev {} master {} {state}\n",
        if e.deleted { "Deleted " } else { "" },
        e.mac,
        e.dev,
        e.bridge
    )
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_fabric::MacAddr;

    #[test]
    fn lines_as_the_kernel_printed_them() {
        let e = |kind, stale, deleted, dev: &str| FdbEvent {
            mac: MacAddr([0x26, 0x3a, 0xc5, 0xce, 0x7c, 0xaf]),
            dev: dev.into(),
            bridge: "br0".into(),
            kind,
            stale,
            deleted,
        };
        assert_eq!(
            line(&e(FdbKind::Learned, false, false, "v1")),
            "26:3a:c5:ce:7c:af dev v1 master br0 \n"
        );
        assert_eq!(
            line(&e(FdbKind::Learned, true, true, "v2")),
            "Deleted 26:3a:c5:ce:7c:af dev v2 master br0 stale\n"
        );
        assert_eq!(
            line(&e(FdbKind::Local, false, true, "br0")),
            "Deleted 26:3a:c5:ce:7c:af dev br0 master br0 permanent\n"
        );
    }
}
