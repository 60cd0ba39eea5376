//! `ip addr`: add, del, flush and show addresses (iproute2 6.1).

use l2lab_sim::Lab;

use super::Opts;
use crate::cmd::{Env, Output};

/// Runs `ip addr ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let _ = (args, opts, env, lab);
    out.err("ip addr: not implemented yet\n");
    1
}
