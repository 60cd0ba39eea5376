//! `l2lab viz`: a trace (docs/trace.md) drawn for learners: a self-contained HTML viewer, or
//! the topology alone as Graphviz dot or SVG.

use std::path::PathBuf;

/// `l2lab viz` arguments.
#[derive(clap::Args, Debug)]
pub struct VizArgs {
    /// The trace, as written by `l2lab run --trace FILE.jsonl`.
    pub trace: PathBuf,
    /// Where to write the result (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `l2lab viz`.
pub fn main(args: &VizArgs) -> anyhow::Result<i32> {
    anyhow::bail!("viz of {} is not implemented yet", args.trace.display())
}
