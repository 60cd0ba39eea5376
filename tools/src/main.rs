//! `l2lab`: the command. Called as `ip`, `bridge`, `brctl`, `ifconfig`, `ping`, `tcpdump`,
//! `arp` or `sysctl` (through the links `l2lab run` puts first on PATH) it is that tutorial
//! command, acting on the lab. Otherwise: `l2lab run`, `l2lab shell`, `l2lab test`,
//! `l2lab demo`; with no arguments, the built-in demo.

mod arp;
mod brctl;
mod bridge;
#[allow(dead_code)]
mod client;
mod cmd;
mod demo;
mod ifconfig;
mod ip;
mod ping;
mod proto;
mod run;
mod server;
mod sysctl;
mod tcpdump;

use std::path::PathBuf;

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
    /// Run a tutorial script with bash against a fresh lab: ip, bridge, brctl, ifconfig, ping,
    /// tcpdump, arp and sysctl act on the lab; everything else is the real thing.
    Run {
        /// Turn IPv6 off in every namespace (as net.ipv6.conf.*.disable_ipv6=1 would).
        #[arg(long)]
        no_ipv6: bool,
        /// Seed for MAC addresses, ICMP ids and timer jitter.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The script.
        script: PathBuf,
        /// Its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// An interactive bash on a fresh lab; `ip netns exec NS bash` opens a shell inside NS.
    Shell {
        /// Turn IPv6 off in every namespace.
        #[arg(long)]
        no_ipv6: bool,
        /// Seed for MAC addresses, ICMP ids and timer jitter.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run the built-in demo: three namespaces on a bridge, a ping, then ageing, narrated.
    Demo {
        /// Seed for MAC addresses and ids (the same seed gives the same run).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also capture on br01 (as `tcpdump -i br01 -w FILE` would) and write it as pcap.
        #[arg(long, value_name = "FILE")]
        pcap: Option<PathBuf>,
    },
}

fn main() {
    let mut args = std::env::args();
    let argv0 = args.next().unwrap_or_default();
    let name = std::path::Path::new(&argv0)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("l2lab")
        .to_string();
    if client::TOOLS.contains(&name.as_str()) {
        std::process::exit(client::run(&name, args.collect()));
    }
    let code = match cli() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("l2lab: {e:#}");
            1
        }
    };
    std::process::exit(code);
}

fn cli() -> anyhow::Result<i32> {
    let cli = Cli::parse();
    match cli.command {
        None => demo::run(1, None, &mut std::io::stdout().lock()).map(|_| 0),
        Some(Command::Demo { seed, pcap }) => {
            demo::run(seed, pcap.as_deref(), &mut std::io::stdout().lock()).map(|_| 0)
        }
        Some(Command::Run {
            no_ipv6,
            seed,
            script,
            args,
        }) => run::run(
            run::Program::Script { path: script, args },
            &run::LabOptions {
                ipv6: !no_ipv6,
                seed,
            },
        ),
        Some(Command::Shell { no_ipv6, seed }) => run::run(
            run::Program::Shell,
            &run::LabOptions {
                ipv6: !no_ipv6,
                seed,
            },
        ),
    }
}
