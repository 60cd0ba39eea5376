//! `ip link`: add, set, del and show interfaces (iproute2 6.1).

use l2lab_sim::Lab;

use super::Opts;
use crate::cmd::{Env, Output};

/// Runs `ip link ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let _ = (args, opts, env, lab);
    out.err("ip link: not implemented yet\n");
    1
}
