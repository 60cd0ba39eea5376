//! `sysctl`, as the real tool prints it.

use l2lab_sim::Lab;

use crate::cmd::{Env, Output};

/// Runs `sysctl ARGS...` in `env`; returns the exit status.
pub fn main(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    let _ = (argv, env, lab);
    out.err("sysctl: not implemented yet\n");
    1
}
