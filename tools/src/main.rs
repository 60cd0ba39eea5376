//! `l2lab`: the command. Called as `ip`, `bridge`, `brctl`, `ifconfig`, `ping`, `tcpdump`,
//! `arp` or `sysctl` (through the links `l2lab run` puts first on PATH) it is that tutorial
//! command, acting on the lab. Otherwise: `l2lab run`, `l2lab shell`, `l2lab test`,
//! `l2lab demo`; with no arguments, the built-in demo.

use l2lab::{
    client, demo, envelope, nsenter, replay, run, sandbox, scenario, server, sudo, timeout, viz,
};
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
    /// Run a tutorial script with bash against a fresh lab: ip, bridge, brctl, ifconfig, route,
    /// ping, tcpdump, arp and sysctl act on the lab; everything else is the real thing.
    #[command(override_usage = "l2lab run [OPTIONS] <SCRIPT> [ARGS]...
       l2lab run --explain [OPTIONS]      (no script: the built-in demo, narrated)")]
    #[command(after_help = "Examples:
  l2lab run tutorial.sh                       run it in virtual time (waits take no time)
  l2lab run --explain tutorial.sh             and say, on stderr, what each bridge decided
  l2lab run --trace lab.jsonl tutorial.sh     then: l2lab viz lab.jsonl -o lab.html
  l2lab run --realtime --no-ipv6 demo.sh      on the wall clock, without IPv6
  l2lab run --uplink nat.sh                   with eth0, a router and an emulated Internet
  curl -s URL/tutorial.sh | l2lab run -       the script from stdin
The script's stdout, stderr and exit status are its own; files it writes (tcpdump -w)
land in the current directory; the lab and everything it started go when it ends.")]
    Run {
        /// Turn IPv6 off in every namespace (as net.ipv6.conf.*.disable_ipv6=1 would).
        #[arg(long)]
        no_ipv6: bool,
        /// Give the host an eth0 (10.0.2.15/24, default via 10.0.2.2) to an upstream router
        /// and an emulated Internet that answers pings to public addresses (docs/uplink.md).
        #[arg(long)]
        uplink: bool,
        /// Show FILE to the script as /etc/resolv.conf (the nameservers `arp` and `route`
        /// ask without -n) instead of the host's.
        #[arg(long, value_name = "FILE")]
        resolv_conf: Option<PathBuf>,
        /// Virtual time (the default): sleeps, ping intervals and the lab's timers take no wall
        /// time, and the same seed gives the same output.
        #[arg(long, conflicts_with = "realtime")]
        fast: bool,
        /// Real time: for live demos and TAP ports into the real kernel.
        #[arg(long)]
        realtime: bool,
        /// Seed for MAC addresses, ICMP ids and timer jitter.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The kernel's tick rate the lab's timers round to (CONFIG_HZ: 100, 250, 300 or 1000).
        #[arg(long, default_value_t = 250, value_parser = parse_hz)]
        hz: u32,
        /// In virtual time, how long each command takes on the lab's clock, in milliseconds:
        /// `MS`, or `LEAST-MOST` for a time drawn from the seed per command (`0`: none).
        /// The kernel acts while a command runs (docs/time.md).
        #[arg(long, value_name = "MS", default_value = "1.5-3", value_parser = server::CommandTime::parse)]
        command_time: server::CommandTime,
        /// Write every event (topology, frames, bridge decisions, neighbours, pings) to FILE as
        /// JSON lines (schema: docs/trace.md).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// Narrate each bridge decision and neighbour change on stderr; without a script, run
        /// the built-in demo.
        #[arg(long)]
        explain: bool,
        /// The script to run (required, except with --explain alone); `-` reads it from stdin.
        #[arg(required_unless_present = "explain", value_name = "SCRIPT")]
        script: Option<PathBuf>,
        /// Its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// An interactive bash on a fresh lab; `ip netns exec NS bash` opens a shell inside NS.
    Shell {
        /// Turn IPv6 off in every namespace.
        #[arg(long)]
        no_ipv6: bool,
        /// Give the host an eth0 to an upstream router and an emulated Internet.
        #[arg(long)]
        uplink: bool,
        /// Write every event to FILE as JSON lines (schema: docs/trace.md).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// Narrate each bridge decision and neighbour change on stderr.
        #[arg(long)]
        explain: bool,
        /// Seed for MAC addresses, ICMP ids and timer jitter.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run scenarios under l2lab and compare them with their real-kernel transcripts
    /// (SCENARIO/kernel/): a unified diff per mismatch, then the pass count.
    Test {
        /// Scenario directories, or directories of them.
        #[arg(default_value = "scenarios")]
        dirs: Vec<PathBuf>,
        /// How many scenarios run at once.
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Keep each run's stdout, stderr, rc and captures under DIR/NAME.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// Seed for the lab's random choices.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Run the scenarios on the real clock instead of virtual time.
        #[arg(long)]
        realtime: bool,
        /// How long each command takes on the lab's clock (`l2lab run --command-time`).
        #[arg(long, value_name = "MS", value_parser = server::CommandTime::parse)]
        command_time: Option<server::CommandTime>,
    },
    /// Compare two transcript directories (stdout, stderr, rc, captures) as `test` does, e.g.
    /// two kernel runs of one scenario: the unified diff, exit status 1 when they differ.
    /// Given several reference directories (a scenario's kernel/, kernel.2/, ...), tell
    /// whether the last directory lies within what they show, as `test` does for a scenario
    /// that keeps several kernel runs.
    Compare {
        /// The reference directories (a scenario's kernel/, and kernel.2/ ... if it has them).
        #[arg(required = true, num_args = 1..)]
        kernel: Vec<PathBuf>,
        /// The directory compared with them.
        other: PathBuf,
        /// With IPv6's rules, as for scenarios whose options hold `--ipv6`.
        #[arg(long)]
        ipv6: bool,
        /// With --ipv6: captures kept to ARP and ICMP, as for `--no-ipv6-captures` in options.
        #[arg(long, requires = "ipv6")]
        no_ipv6_captures: bool,
    },
    /// Draw a trace: a self-contained HTML viewer to step through, or the topology as dot/SVG.
    Viz(viz::VizArgs),
    /// Replay an ARP/ICMP capture against an emulated bridge and compare the answers.
    Replay(replay::ReplayArgs),
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

/// CONFIG_HZ's choices.
fn parse_hz(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(hz @ (100 | 250 | 300 | 1000)) => Ok(hz),
        _ => Err(format!("{s}: HZ is 100, 250, 300 or 1000")),
    }
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
    match name.as_str() {
        "unshare" => std::process::exit(nsenter::unshare(&args.collect::<Vec<_>>())),
        "nsenter" => std::process::exit(nsenter::nsenter(&args.collect::<Vec<_>>())),
        "mount" => std::process::exit(nsenter::mount(&args.collect::<Vec<_>>())),
        "umount" => std::process::exit(nsenter::umount(&args.collect::<Vec<_>>())),
        "timeout" => std::process::exit(timeout::run(&args.collect::<Vec<_>>())),
        "date" => std::process::exit(timeout::date(&args.collect::<Vec<_>>())),
        _ => {}
    }
    if name == "sudo" {
        std::process::exit(sudo::run(&args.collect::<Vec<_>>()));
    }
    if sandbox::UNMODELLED.contains(&name.as_str()) {
        std::process::exit(sudo::unmodelled(&name));
    }
    if !name.starts_with("l2lab") {
        // The lab put this binary over a host program of another name (through a link to
        // one it covers): it is not the host's program, and must not act like it.
        std::process::exit(sudo::unmodelled(&name));
    }
    let rest: Vec<String> = args.collect();
    if rest.first().map(String::as_str) == Some("__sandbox") {
        std::process::exit(sandbox::main(&rest[1..]));
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

/// For the commands that only print (the demo, `test`, `viz`, `replay`): a reader that goes
/// away (`l2lab | head`) ends the process quietly by SIGPIPE, as it ends other tools. Not for
/// a lab, whose clients may hang up at any time.
fn die_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default has no preconditions; no handler
    // of this process is replaced.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn cli() -> anyhow::Result<i32> {
    let cli = Cli::parse();
    let prints_only = match &cli.command {
        None
        | Some(Command::Demo { .. })
        | Some(Command::Test { .. })
        | Some(Command::Compare { .. })
        | Some(Command::Viz(_))
        | Some(Command::Replay(_)) => true,
        Some(Command::Run { script, .. }) => script.is_none(),
        Some(Command::Shell { .. }) => false,
    };
    if prints_only {
        die_on_closed_pipe();
    }
    match cli.command {
        None => demo::run(1, None, &mut std::io::stdout().lock()).map(|_| 0),
        Some(Command::Demo { seed, pcap }) => {
            demo::run(seed, pcap.as_deref(), &mut std::io::stdout().lock()).map(|_| 0)
        }
        Some(Command::Run {
            no_ipv6,
            uplink,
            resolv_conf,
            hz,
            command_time,
            // Virtual time is the default; the flag stays for scripts that say so.
            fast: _,
            realtime,
            seed,
            trace,
            explain,
            script,
            args,
        }) => match script {
            Some(path) => run::run(
                run::Program::Script { path, args },
                &run::LabOptions {
                    ipv6: !no_ipv6,
                    uplink,
                    resolv_conf,
                    hz,
                    seed,
                    fast: !realtime,
                    trace,
                    explain,
                    command_time,
                },
            ),
            None => demo::run(seed, None, &mut std::io::stdout().lock()).map(|_| 0),
        },
        Some(Command::Test {
            dirs,
            jobs,
            keep,
            seed,
            realtime,
            command_time,
        }) => test(&dirs, jobs, keep.as_deref(), seed, realtime, command_time),
        Some(Command::Compare {
            kernel,
            other,
            ipv6,
            no_ipv6_captures,
        }) => {
            let rules = scenario::Rules {
                ipv6,
                ipv6_captures: ipv6 && !no_ipv6_captures,
            };
            let (diff, (same, all)) = if kernel.len() > 1 {
                envelope::compare(&kernel, &other, rules)?
            } else {
                scenario::compare(&kernel[0], &other, rules)?
            };
            print!("{diff}");
            println!("{same}/{all} kernel lines matched");
            Ok(i32::from(!diff.is_empty()))
        }
        Some(Command::Viz(args)) => viz::main(&args),
        Some(Command::Replay(args)) => replay::main(&args),
        Some(Command::Shell {
            no_ipv6,
            uplink,
            trace,
            explain,
            seed,
        }) => run::run(
            run::Program::Shell,
            &run::LabOptions {
                ipv6: !no_ipv6,
                uplink,
                resolv_conf: None,
                hz: l2lab_sim::clock::DEFAULT_HZ,
                seed,
                fast: false,
                trace,
                explain,
                command_time: server::CommandTime::default(),
            },
        ),
    }
}

fn test(
    dirs: &[PathBuf],
    jobs: Option<usize>,
    keep: Option<&std::path::Path>,
    seed: u64,
    realtime: bool,
    command_time: Option<server::CommandTime>,
) -> anyhow::Result<i32> {
    let exe = std::env::current_exe()?;
    let all = scenario::scenario_dirs(dirs)?;
    let jobs = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let queue = std::sync::Mutex::new(
        all.iter()
            .cloned()
            .collect::<std::collections::VecDeque<_>>(),
    );
    let results = std::sync::Mutex::new(Vec::new());
    let mut extra = vec!["--seed".to_string(), seed.to_string()];
    extra.push(if realtime { "--realtime" } else { "--fast" }.to_string());
    if let Some(t) = command_time {
        extra.push(format!("--command-time={t}"));
    }
    std::thread::scope(|s| {
        for _ in 0..jobs.min(all.len().max(1)) {
            s.spawn(|| loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                let Some(dir) = next else { break };
                let r = scenario::run_one(&exe, &dir, &extra, keep);
                if let Ok(mut v) = results.lock() {
                    v.push((dir, r));
                }
            });
        }
    });
    let mut results = results
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a test thread panicked"))?;
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let (mut pass, mut fail) = (0, 0);
    for (dir, r) in results {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        match r {
            Ok(o) if o.diff.is_empty() => {
                pass += 1;
                println!("ok   {name} ({:.1} s)", o.wall.as_secs_f64());
            }
            Ok(o) => {
                fail += 1;
                println!(
                    "FAIL {name} ({}/{} kernel lines matched, {:.1} s)",
                    o.matched.0,
                    o.matched.1,
                    o.wall.as_secs_f64()
                );
                print!("{}", o.diff);
            }
            Err(e) => {
                fail += 1;
                println!("FAIL {name}: {e:#}");
            }
        }
    }
    println!("{pass} passed, {fail} failed");
    Ok(if fail == 0 { 0 } else { 1 })
}
