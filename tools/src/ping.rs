//! `ping`, as the real tool behaves and prints: a session that lives until it is done or
//! signalled.

use l2lab_sim::Lab;

use crate::cmd::{Env, Output, Started};

/// Starts `ping ARGS...` in `env`.
pub fn start(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> Started {
    let _ = (argv, env, lab);
    out.err("ping: not implemented yet\n");
    Started::Done(1)
}
