//! `ip neigh`: add, replace, del, flush and show neighbours (iproute2 6.1).

use l2lab_sim::Lab;

use super::Opts;
use crate::cmd::{Env, Output};

/// Runs `ip neigh ARGS...`.
pub fn run(args: &[String], opts: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let _ = (args, opts, env, lab);
    out.err("ip neigh: not implemented yet\n");
    1
}
