//! `l2lab replay`: ARP and ICMP captures re-injected into an emulated bridge, and what the
//! emulation answered compared with what the capture holds.
//!
//! Two streaming passes over the file: [`hosts`] infers who is on the wire, [`topology`]
//! builds the lab, [`engine`] injects the requests at their time offsets and matches the
//! replies, [`report`] prints the outcome. docs/replay.md explains the choices.

pub mod answers;
pub mod engine;
pub mod frame;
pub mod hosts;
pub mod read;
pub mod report;
pub mod topology;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context};
use l2lab_fabric::MacAddr;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

use engine::Engine;
use frame::Key;
use read::TraceReader;

/// The longest stretch of capture replayed. The lab runs every timer on the way to a frame (a
/// bridge's collector wakes at least once per ageing time), so a frame stamped centuries after
/// the first would keep the replay busy for hours.
const MAX_SPAN: Duration = Duration::from_secs(10 * 365 * 86_400);

/// `l2lab replay` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  l2lab replay bridge.pcap                    one host a port, report, exit 0 if all matched
  l2lab replay bridge.pcap -o emulated.pcap   also write what the emulation saw
  l2lab replay --topology lab.sh --explain trace.pcapng
Exit status: 0 every recorded reply matched, 1 a mismatch, 2 an unreadable capture or option.")]
pub struct ReplayArgs {
    /// The capture (pcap or pcapng).
    pub capture: PathBuf,
    /// Build the network from this script (ip netns/link/addr/route and sysctl lines) instead
    /// of one namespace per host on one bridge.
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    /// Put the host with this MAC on port number PORT of the bridge (hosts sharing a port share
    /// a segment).
    #[arg(long = "at-port", value_name = "MAC=PORT")]
    pub at_port: Vec<String>,
    /// The bridges' ageing time in seconds (default: the kernel's 300).
    #[arg(long, value_name = "SECONDS")]
    pub ageing: Option<f64>,
    /// Write what the emulated bridge saw as a pcap file.
    #[arg(short = 'o', value_name = "OUT.pcap")]
    pub output: Option<PathBuf>,
    /// Write one JSON line per capture frame: what replay did with it and what the bridge did.
    #[arg(long = "trace", value_name = "OUT.jsonl")]
    pub trace: Option<PathBuf>,
    /// Tell, frame by frame, what was injected, what answered and what the bridge did.
    #[arg(long)]
    pub explain: bool,
}

fn parse_at_port(specs: &[String]) -> anyhow::Result<BTreeMap<MacAddr, u32>> {
    let mut m = BTreeMap::new();
    for s in specs {
        let (mac, port) = s
            .split_once('=')
            .ok_or_else(|| anyhow!("--at-port {s}: expected MAC=PORT"))?;
        let mac: MacAddr = mac
            .parse()
            .map_err(|_| anyhow!("--at-port {s}: {mac} is not a MAC address"))?;
        let port: u32 = port
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| anyhow!("--at-port {s}: {port} is not a port number (1, 2, ...)"))?;
        m.insert(mac, port);
    }
    Ok(m)
}

/// Runs `l2lab replay`; exit status 0 when every reply matched, 1 when something did not,
/// 2 when the replay could not run (unreadable capture, bad option, bad topology).
pub fn main(args: &ReplayArgs) -> anyhow::Result<i32> {
    match run(args) {
        Ok(code) => Ok(code),
        Err(e) => {
            eprintln!("l2lab replay: {e:#}");
            Ok(2)
        }
    }
}

fn run(args: &ReplayArgs) -> anyhow::Result<i32> {
    run_to(args, &mut std::io::stdout().lock())
}

/// Runs `l2lab replay` with its report written to `so`.
#[doc(hidden)]
pub fn run_to(args: &ReplayArgs, so: &mut impl Write) -> anyhow::Result<i32> {
    let at_port = parse_at_port(&args.at_port)?;
    if !at_port.is_empty() && args.topology.is_some() {
        anyhow::bail!(
            "--at-port places hosts on the default bridge; it cannot be used with --topology"
        );
    }
    let ageing = match args.ageing {
        Some(s) if s.is_finite() && s >= 0.0 => Some(Duration::from_secs_f64(s)),
        Some(s) => anyhow::bail!("--ageing {s}: not a number of seconds"),
        None => None,
    };

    // Pass 1: the hosts.
    let mut reader = TraceReader::open(&args.capture)?;
    let mut inference = hosts::Inference::default();
    let mut first_ts: Option<Duration> = None;
    while let Some(f) = reader.next_frame()? {
        let first = *first_ts.get_or_insert(f.ts);
        let at = f.ts.saturating_sub(first);
        if at > MAX_SPAN {
            anyhow::bail!(
                "{}: frame {} is stamped {} s after the first frame: a replay covers at most {} s (10 years)",
                args.capture.display(),
                f.number,
                at.as_secs(),
                MAX_SPAN.as_secs()
            );
        }
        if let Ok(k) = Key::parse(&f.data) {
            inference.add(f.number, &k);
        }
    }
    let hosts = inference.hosts();
    let built = match &args.topology {
        Some(t) => topology::script_lab(t, &hosts, ageing)?,
        None => topology::default_lab(&hosts, &at_port, ageing)?,
    };
    let bridge = built.bridge.clone();
    let keep = args.trace.is_some() || args.explain;
    let mut engine = Engine::new(built.lab, &built.hosts, keep);
    let epoch = first_ts.unwrap_or_default();

    let mut out = match (&args.output, &bridge) {
        (Some(path), Some((ns, br))) => {
            engine.bridge_cap = Some(engine.lab.capture_start(*ns, br, true)?);
            let f = std::fs::File::create(path).with_context(|| path.display().to_string())?;
            let header = PcapHeader {
                snaplen: l2lab_sim::capture::SNAPLEN,
                datalink: DataLink::ETHERNET,
                ..Default::default()
            };
            Some(PcapWriter::with_header(std::io::BufWriter::new(f), header)?)
        }
        (Some(_), None) => anyhow::bail!("-o: the topology has no bridge to record"),
        _ => None,
    };

    // Pass 2: replay.
    let mut reader = TraceReader::open(&args.capture)?;
    let mut end = Duration::ZERO;
    while let Some(f) = reader.next_frame()? {
        let at = f.ts.saturating_sub(epoch);
        end = end.max(at);
        engine.frame(f.number, at, f.data);
        if let (Some(w), Some(c)) = (&mut out, engine.bridge_cap) {
            write_frames(w, &mut engine, c, epoch)?;
        }
    }
    engine.counts.skipped_link = reader.skipped_link;
    engine.finish(end);
    if let (Some(w), Some(c)) = (&mut out, engine.bridge_cap) {
        write_frames(w, &mut engine, c, epoch)?;
    }
    if let Some(w) = out {
        w.into_writer().flush()?;
    }

    if let Some(path) = &args.trace {
        let f = std::fs::File::create(path).with_context(|| path.display().to_string())?;
        let mut w = std::io::BufWriter::new(f);
        for o in engine.outcomes.iter().flatten() {
            writeln!(w, "{}", report::outcome_json(o))?;
        }
        w.flush()?;
    }
    if args.explain {
        for o in engine.outcomes.iter().flatten() {
            writeln!(so, "{}", report::outcome_line(o))?;
        }
        writeln!(so)?;
    }
    report::print(so, &args.capture, &built.hosts, &engine)?;
    Ok(if report::all_matched(&engine.counts) {
        0
    } else {
        1
    })
}

fn write_frames<W: Write>(
    w: &mut PcapWriter<W>,
    engine: &mut Engine,
    cap: l2lab_sim::CaptureId,
    epoch: Duration,
) -> anyhow::Result<()> {
    let origin = engine.origin();
    for f in engine.lab.capture_take(cap) {
        let ts = epoch + f.at.saturating_sub(origin);
        w.write_packet(&PcapPacket::new(ts, f.frame.len() as u32, &f.frame))?;
    }
    Ok(())
}
