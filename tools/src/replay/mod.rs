//! `l2lab replay`: ARP and ICMP captures re-injected into an emulated bridge, and what the
//! emulation answered compared with what the capture holds.

use std::path::PathBuf;

/// `l2lab replay` arguments.
#[derive(clap::Args, Debug)]
pub struct ReplayArgs {
    /// The capture (pcap or pcapng).
    pub capture: PathBuf,
}

/// Runs `l2lab replay`.
pub fn main(args: &ReplayArgs) -> anyhow::Result<i32> {
    anyhow::bail!(
        "replay of {} is not implemented yet",
        args.capture.display()
    )
}
