//! The replay report: the hosts, the counts, then each mismatch with its frame number and a
//! one-line reason; and the per-frame lines of `--explain` and `--trace`.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::engine::{Counts, Engine, FrameOutcome, MismatchKind};
use super::topology::Placed;

/// The unanswered requests the report lists; `--explain` and `--trace` tell of every frame.
const UNANSWERED_SHOWN: usize = 20;

/// Did everything match?
pub fn all_matched(c: &Counts) -> bool {
    c.missing_from_emulation == 0 && c.missing_from_trace == 0 && c.extra_requests == 0
}

fn secs(d: Duration) -> String {
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

/// Prints the report.
pub fn print(w: &mut impl Write, path: &Path, hosts: &[Placed], e: &Engine) -> std::io::Result<()> {
    let c = &e.counts;
    writeln!(w, "replay of {}", path.display())?;
    writeln!(w, "hosts: {}", hosts.len())?;
    for p in hosts {
        let h = &p.host;
        let mut ips: Vec<String> = h.ips.iter().map(|i| format!("{i}/{}", h.prefix)).collect();
        ips.extend(h.ips6.iter().map(|i| format!("{i}/64")));
        let mut extra = String::new();
        if let Some(g) = h.gateway {
            extra.push_str(&format!(" via {g}"));
        }
        if h.forwarding {
            extra.push_str(" forwarding");
        }
        let dev = e
            .lab
            .iface(p.link)
            .map(|i| {
                let ns = e.lab.ns(i.ns).map(|n| n.name.clone()).unwrap_or_default();
                if ns.is_empty() {
                    i.name.clone()
                } else {
                    format!("{ns}/{}", i.name)
                }
            })
            .unwrap_or_default();
        let ips = if ips.is_empty() {
            "no address".to_string()
        } else {
            ips.join(" ")
        };
        writeln!(w, "  {} {ips}{extra} at {dev}", h.mac)?;
    }
    let unmodelled: u64 = c.unmodelled.values().sum();
    let malformed: u64 = c.malformed.values().sum();
    let skipped = c.skipped_link + c.skipped_proto + c.skipped_source + unmodelled + malformed;
    let ipv6 = hosts.iter().any(|p| !p.host.ips6.is_empty());
    if unmodelled + malformed == 0 && !ipv6 {
        writeln!(
            w,
            "frames: {} read, {} skipped ({} not Ethernet, {} not ARP/ICMPv4, {} from no host)",
            c.frames, skipped, c.skipped_link, c.skipped_proto, c.skipped_source
        )?;
    } else {
        writeln!(
            w,
            "frames: {} read, {} skipped ({} not Ethernet, {} not ARP/ICMP, {} from no host, {} not modelled, {} malformed)",
            c.frames, skipped, c.skipped_link, c.skipped_proto, c.skipped_source, unmodelled, malformed
        )?;
    }
    for (what, m) in [("not modelled", &c.unmodelled), ("malformed", &c.malformed)] {
        if !m.is_empty() {
            let list: Vec<String> = m.iter().map(|(k, n)| format!("{k} ({n})")).collect();
            writeln!(w, "{what}: {}", list.join(", "))?;
        }
    }
    writeln!(
        w,
        "requests: {} recorded, {} injected, {} reproduced by the emulated stacks",
        c.requests, c.injected, c.reproduced
    )?;
    if c.fragments > 0 {
        writeln!(
            w,
            "fragments: {} later pieces of fragmented requests injected after their first",
            c.fragments
        )?;
    }
    writeln!(
        w,
        "replies: {} recorded, {} matched, {} missing from the emulation, {} emulated replies missing from the trace",
        c.replies, c.matched, c.missing_from_emulation, c.missing_from_trace
    )?;
    writeln!(
        w,
        "extra requests from the emulated stacks: {}",
        c.extra_requests
    )?;
    let a = &e.answers;
    if a.count > 0 {
        // Not a mismatch: the emulation is compared with the trace, which answered them
        // no more than it did (an ARP for an absent host).
        let plural = if a.count == 1 { "" } else { "s" };
        writeln!(w, "no answer in the trace: {} request{plural}", a.count)?;
        for r in a.unanswered.iter().take(UNANSWERED_SHOWN) {
            writeln!(w, "  frame {} at {}: {}", r.frame, secs(r.at), r.key)?;
        }
        let shown = a.unanswered.len().min(UNANSWERED_SHOWN) as u64;
        if shown < a.count {
            writeln!(w, "  ... and {} more", a.count - shown)?;
        }
    }
    writeln!(
        w,
        "bridge: {} flooded, {} forwarded, {} delivered to the bridge, {} dropped",
        c.flooded, c.forwarded, c.local, c.dropped
    )?;
    let total = c.missing_from_emulation + c.missing_from_trace + c.extra_requests;
    if total == 0 {
        writeln!(w, "result: every reply matched")?;
        return Ok(());
    }
    writeln!(w, "mismatches: {total}")?;
    for m in &e.mismatches {
        let why = match m.kind {
            MismatchKind::MissingFromEmulation => {
                format!("recorded {} missing from the emulation", m.key.kind())
            }
            MismatchKind::MissingFromTrace => {
                format!("emulated {} missing from the trace", m.key.kind())
            }
            MismatchKind::ExtraRequest => {
                let kind = m.key.kind();
                let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'I']) {
                    "an"
                } else {
                    "a"
                };
                format!("emulated stack sent {article} {kind} the trace does not hold")
            }
        };
        let what = match m.kind {
            MismatchKind::MissingFromEmulation => "frame",
            _ => "after frame",
        };
        writeln!(
            w,
            "  {what} {} at {}: {why}: {}",
            m.frame,
            secs(m.at),
            m.key
        )?;
    }
    let shown = e.mismatches.len() as u64;
    if shown < total {
        writeln!(w, "  ... and {} more", total - shown)?;
    }
    writeln!(w, "result: mismatch")
}

/// One `--explain` line.
pub fn outcome_line(o: &FrameOutcome) -> String {
    let mut s = format!(
        "frame {} at {}: {}: {}",
        o.frame,
        secs(o.at),
        o.key.kind(),
        o.action
    );
    if o.fate != super::engine::BridgeFate::None {
        s.push_str(&format!(", bridge {}", o.fate.as_str()));
    }
    if let Some(t) = o.matched_at {
        s.push_str(&format!(" (emulated at {})", secs(t)));
    }
    s.push_str(&format!(": {}", o.key));
    s
}

/// One `--trace` JSON line.
pub fn outcome_json(o: &FrameOutcome) -> String {
    let mut m = serde_json::Map::new();
    m.insert("frame".into(), o.frame.into());
    m.insert("at".into(), o.at.as_secs_f64().into());
    m.insert("kind".into(), o.key.kind().into());
    m.insert("action".into(), o.action.into());
    m.insert("bridge".into(), o.fate.as_str().into());
    if let Some(t) = o.matched_at {
        m.insert("emulated_at".into(), t.as_secs_f64().into());
    }
    m.insert("summary".into(), o.key.to_string().into());
    serde_json::Value::Object(m).to_string()
}
