//! `l2lab`: the command. With no arguments it runs the built-in demo: the seed tutorial's
//! bridge with three namespaces, narrated decision by decision.

mod demo;

use clap::{Parser, Subcommand};

/// User-space emulator of Linux network namespaces, veth pairs and the learning bridge.
#[derive(Parser, Debug)]
#[command(name = "l2lab", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the built-in demo: three namespaces on a bridge, a ping, then ageing, narrated.
    Demo {
        /// Seed for MAC addresses and ids (the same seed gives the same run).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also capture on br01 (as `tcpdump -i br01 -w FILE` would) and write it as pcap.
        #[arg(long, value_name = "FILE")]
        pcap: Option<std::path::PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => demo::run(1, None, &mut std::io::stdout().lock()),
        Some(Command::Demo { seed, pcap }) => {
            demo::run(seed, pcap.as_deref(), &mut std::io::stdout().lock())
        }
    }
}
