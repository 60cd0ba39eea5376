//! `ip link add NAME type tap-host DEV`: the kernel's TAP device DEV becomes an interface NAME
//! of the lab, which can join an emulated bridge (`ip link set NAME master br0`). An l2lab
//! word, not iproute2's: the real `ip` has no such link type.

use l2lab_sim::{Lab, LabError};

use crate::cmd::{Env, Output};
use crate::ip::common::matches;

/// If `args` (after `ip link`) add a tap-host link, does it and returns the exit status.
pub fn ip_link_add(args: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> Option<i32> {
    let verb = args.first()?;
    if !matches(verb, "add") {
        return None;
    }
    let pos = args.iter().position(|a| a == "type")?;
    if args.get(pos + 1).map(String::as_str) != Some("tap-host") {
        return None;
    }
    let mut name = None;
    let mut i = 1;
    while i < pos {
        match args[i].as_str() {
            "name" | "dev" => {
                name = args.get(i + 1).cloned();
                i += 2;
            }
            other => {
                name = Some(other.to_string());
                i += 1;
            }
        }
    }
    let mut dev = None;
    let mut j = pos + 2;
    while j < args.len() {
        match args[j].as_str() {
            "dev" => {
                dev = args.get(j + 1).cloned();
                j += 2;
            }
            other => {
                dev = Some(other.to_string());
                j += 1;
            }
        }
    }
    let Some(name) = name else {
        out.err("Not enough information: \"dev\" argument is required.\n");
        return Some(255);
    };
    let dev = dev.unwrap_or_else(|| name.clone());
    Some(match lab.add_tap_port(env.ns, &name, &dev) {
        Ok(_) => 0,
        Err(LabError::Exists(_)) => {
            out.err("RTNETLINK answers: File exists\n");
            2
        }
        Err(e) => {
            out.err(format!("l2lab: {e}\n"));
            2
        }
    })
}
