//! `l2lab test`: runs scenario scripts under l2lab and compares them with the transcripts the
//! real kernel produced (`scenarios/NAME/kernel/`). Both sides are normalised the same way as
//! the project's reference, compare.py: MACs relabelled in order of first sight, times, RTTs,
//! ICMP ids, ifindexes, netns ids and bridge ids neutralised, tcpdump's chatter dropped, and
//! captures decoded (as `tcpdump -nn -e -r FILE 'arp or icmp'`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;

/// One scenario's outcome.
#[derive(Debug)]
pub struct Outcome {
    /// The unified diff, empty when it passed.
    pub diff: String,
    /// Kernel lines matched / kernel lines.
    pub matched: (usize, usize),
    /// How long l2lab took.
    pub wall: Duration,
}

/// How a transcript is normalised beyond compare.py's rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rules {
    /// IPv6's rules: link-local addresses named after their MACs, randomly timed frames
    /// compared as a multiset (see [`transcript`]).
    pub ipv6: bool,
    /// Captures keep their IPv6 frames (with `ipv6`).
    pub ipv6_captures: bool,
}

/// Expands arguments into scenario directories (a directory holding `script.sh`, or a
/// directory of such directories).
pub fn scenario_dirs(args: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    for a in args {
        if a.join("script.sh").is_file() {
            v.push(a.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(a)
            .with_context(|| format!("{}", a.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("script.sh").is_file())
            .collect();
        if found.is_empty() {
            anyhow::bail!(
                "{}: no script.sh here or in its subdirectories",
                a.display()
            );
        }
        found.sort();
        v.extend(found);
    }
    Ok(v)
}

/// /etc/resolv.conf as scenarios see it, here and in tools/record-kernel: one nameserver
/// that is not on the machine, with the default options.
pub const SCENARIO_RESOLV_CONF: &str = "nameserver 10.255.255.53\n";

/// The `l2lab run` options a scenario asks for, one per line of its file `options` (the same
/// file tools/record-kernel reads): `--uplink` for both; `--ovs` asks record-kernel to run
/// Open vSwitch, which a lab always has; `--ipv6` keeps IPv6 on, which the lab then gets
/// by leaving out the `--no-ipv6` every other scenario runs with. `--no-ipv6-captures` is for
/// `l2lab test` alone (record-kernel ignores it): the captures of an `--ipv6` scenario are
/// kept to ARP and ICMP, as compare.py keeps them, where the kernel's own runs differ in
/// their IPv6 frames.
pub fn options(dir: &Path) -> anyhow::Result<(Vec<String>, Rules)> {
    let text = match std::fs::read_to_string(dir.join("options")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(anyhow::anyhow!("{}/options: {e}", dir.display())),
    };
    let mut v = Vec::new();
    let mut ipv6 = false;
    let mut v6_captures = true;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line {
            "--uplink" => v.push(line.to_string()),
            "--ovs" => {}
            "--ipv6" => ipv6 = true,
            "--no-ipv6-captures" => v6_captures = false,
            other => anyhow::bail!("{}/options: unknown option {other:?}", dir.display()),
        }
    }
    if !ipv6 {
        v.insert(0, "--no-ipv6".to_string());
    }
    Ok((
        v,
        Rules {
            ipv6,
            ipv6_captures: ipv6 && v6_captures,
        },
    ))
}

/// Runs one scenario under `exe run` in a fresh directory and compares it with its kernel
/// transcript, or with its kernel runs when it keeps several ([`crate::envelope`]). `extra` are further arguments for `l2lab run` (e.g. `--seed`).
pub fn run_one(
    exe: &Path,
    dir: &Path,
    extra: &[String],
    keep: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let script = std::fs::canonicalize(dir.join("script.sh"))?;
    let work = tempfile::Builder::new().prefix("l2lab-test-").tempdir()?;
    let (lab_options, rules) = options(dir)?;
    let start = Instant::now();
    // The resolver configuration tools/record-kernel gives every scenario, whatever the
    // host's: the scenarios that look names up then ask the same nameserver on any machine.
    let mut resolv = tempfile::Builder::new()
        .prefix("l2lab-resolv-")
        .tempfile()?;
    std::io::Write::write_all(&mut resolv, SCENARIO_RESOLV_CONF.as_bytes())?;
    let out = std::process::Command::new(exe)
        .arg("run")
        .arg("--resolv-conf")
        .arg(resolv.path())
        .args(&lab_options)
        .args(extra)
        .arg(&script)
        .current_dir(work.path())
        // As tools/record-kernel runs them: the tools' messages in the C locale.
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", exe.display()))?;
    let wall = start.elapsed();
    std::fs::write(work.path().join("stdout"), &out.stdout)?;
    std::fs::write(work.path().join("stderr"), &out.stderr)?;
    let rc = out.status.code().unwrap_or(1);
    std::fs::write(work.path().join("rc"), format!("{rc}\n"))?;
    if let Some(k) = keep {
        let dst = k.join(dir.file_name().unwrap_or_default());
        std::fs::create_dir_all(&dst)?;
        for e in std::fs::read_dir(work.path())?.flatten() {
            std::fs::copy(e.path(), dst.join(e.file_name()))?;
        }
    }
    let kernels = crate::envelope::kernel_runs(dir);
    let (diff, matched) = if kernels.len() > 1 {
        crate::envelope::compare(&kernels, work.path(), rules)?
    } else {
        compare(&dir.join("kernel"), work.path(), rules)?
    };
    Ok(Outcome {
        diff,
        matched,
        wall,
    })
}

/// Compares two transcript directories as `l2lab test` does (with `rules`, see
/// [`transcript`]): the unified diff, empty when they match, and kernel lines matched / kernel
/// lines. Run on two kernel runs, it tells whether a scenario is deterministic enough.
pub fn compare(
    kernel: &Path,
    other: &Path,
    rules: Rules,
) -> anyhow::Result<(String, (usize, usize))> {
    let kernel = transcript(kernel, rules)?;
    let ours = transcript(other, rules)?;
    let (k, o): (Vec<&str>, Vec<&str>) = (
        kernel.iter().map(String::as_str).collect(),
        ours.iter().map(String::as_str).collect(),
    );
    let diff = similar::TextDiff::from_slices(&k, &o)
        .unified_diff()
        .context_radius(1)
        .header("kernel", "l2lab")
        .to_string();
    let same = kernel.iter().zip(&ours).filter(|(a, b)| a == b).count();
    Ok((diff, (same, kernel.len())))
}

/// The normalised lines of a transcript directory (stdout, stderr, rc, then each pcap).
///
/// With `rules.ipv6` (scenarios whose `options` keep IPv6 on), captures keep their IPv6
/// frames too (unless `rules.ipv6_captures` is off) and IPv6 gets three more rules, since the
/// kernel's own IPv6 traffic is randomly timed and its link-local addresses follow the random
/// MACs:
/// - an EUI-64 link-local address becomes `fe80::` and its MAC's label (`fe80::MAC2`), a
///   solicited-node group `ff02::1:ff` and the label of the MAC its last 24 bits come from,
///   and an IPv6 multicast MAC (`33:33:...`) is kept as it is (it follows from the group);
/// - the frames the kernel sends by itself after random delays (MLD reports, router
///   solicitations, DAD's solicitations from `::` and the advertisements to all nodes that
///   answer them) are compared as a multiset between the lines around them: each run of such
///   lines is sorted;
/// - labels are given in order of first sight on the other lines only, so that the order of
///   those frames cannot change them; a MAC seen only in such frames reads `MAC?`.
pub fn transcript(d: &Path, rules: Rules) -> anyhow::Result<Vec<String>> {
    Ok(marked_transcript(d, rules)?
        .into_iter()
        .map(|(l, _)| l)
        .collect())
}

/// [`transcript`]'s lines, each with whether it is one of the randomly timed IPv6 frames
/// (always false without `rules.ipv6`).
pub fn marked_transcript(d: &Path, rules: Rules) -> anyhow::Result<Vec<(String, bool)>> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for name in ["stdout", "stderr", "rc"] {
        let p = d.join(name);
        let text = match std::fs::read(&p) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => "<missing>\n".into(),
        };
        let text = if name == "stderr" {
            unchatter(&text)
        } else {
            text
        };
        sections.push((name.to_string(), text));
    }
    let mut pcaps: Vec<PathBuf> = std::fs::read_dir(d)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    pcaps.sort();
    for p in pcaps {
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        sections.push((name, decode(&p, rules.ipv6_captures)));
    }
    let mut macs = Macs::default();
    if !rules.ipv6 {
        let mut parts = Vec::new();
        for (name, text) in &sections {
            parts.push((format!("== {name}"), false));
            parts.extend(norm(text, &mut macs).into_iter().map(|l| (l, false)));
        }
        return Ok(parts);
    }
    // Labels from the deterministic lines first, in order; then the randomly timed ones.
    let lines: Vec<Vec<(&str, bool)>> = sections
        .iter()
        .map(|(_, t)| t.lines().map(|l| (l, is_autonomous_v6(l))).collect())
        .collect();
    // Each kept line, and whether it is one of the randomly timed frames.
    let mut done: Vec<Vec<Option<(String, bool)>>> = lines
        .iter()
        .map(|ls| {
            ls.iter()
                .map(|&(l, auto)| {
                    if auto {
                        None
                    } else {
                        norm_line(l, &mut macs, true, false).map(|x| (x, false))
                    }
                })
                .collect()
        })
        .collect();
    for (ls, out) in lines.iter().zip(done.iter_mut()) {
        for (&(l, auto), o) in ls.iter().zip(out.iter_mut()) {
            if auto {
                *o = norm_line(l, &mut macs, true, true).map(|x| (x, true));
            }
        }
    }
    let mut parts = Vec::new();
    for ((name, _), out) in sections.iter().zip(done) {
        parts.push((format!("== {name}"), false));
        let mut run: Vec<String> = Vec::new();
        for (l, auto) in out.into_iter().flatten() {
            if auto {
                run.push(l);
                continue;
            }
            run.sort();
            parts.extend(run.drain(..).map(|l| (l, true)));
            parts.push((l, false));
        }
        run.sort();
        parts.extend(run.drain(..).map(|l| (l, true)));
    }
    Ok(parts)
}

/// Whether a line prints a frame the kernel's IPv6 sends by itself after a random delay: an
/// MLD report, a router solicitation, duplicate address detection's solicitation (from the
/// unspecified address), or an advertisement to all nodes (the answer to such a probe, or
/// one sent unasked), which follows the probe's random timing.
fn is_autonomous_v6(l: &str) -> bool {
    l.contains("multicast listener report")
        || l.contains("router solicitation")
        || (l.contains("neighbor solicitation") && (l.contains(" :: > ") || l.starts_with(":: > ")))
        || (l.contains("neighbor advertisement") && l.contains(" > ff02::1: "))
}

/// A capture as `tcpdump -nn -e -r FILE 'arp or icmp'` prints it (`'arp or icmp or ip6'` with
/// `ipv6`), through l2lab's own tcpdump (timestamps left out: the normalisation drops them
/// anyway).
fn decode(path: &Path, ipv6: bool) -> String {
    use crate::tcpdump::{file, filter, print};
    let shown = path.display().to_string();
    let mut cap = match file::Reader::open(&shown) {
        Ok(c) => c,
        Err(e) => return format!("UNREADABLE by tcpdump: {e}\n"),
    };
    let mut words: Vec<String> = vec!["arp".into(), "or".into(), "icmp".into()];
    if ipv6 {
        words.extend(["or".into(), "ip6".into()]);
    }
    let Ok(f) = filter::compile(&words) else {
        return "UNREADABLE: filter\n".into();
    };
    let opts = print::PrintOpts {
        numeric: 2,
        eflag: true,
        tflag: 1,
        ..Default::default()
    };
    let mut out = String::new();
    // A file cut inside a record shows what came before the cut, as tcpdump prints it.
    let records = std::iter::from_fn(|| cap.next_record().ok().flatten());
    for p in records.filter(|p| f.matches(&p.data, p.len)) {
        out.push_str(&print::packet(&p.data, p.len, &opts));
        out.push('\n');
    }
    out
}

#[derive(Default)]
struct Macs(HashMap<String, String>);

impl Macs {
    /// The label of `mac`, a new one at its first sight; with `frozen`, `MAC?` for a MAC
    /// not seen before.
    fn label_as(&mut self, mac: &str, frozen: bool) -> String {
        let full: Vec<String> = mac.split(':').map(|p| format!("{p:0>2}")).collect();
        let full = full.join(":");
        if full == "ff:ff:ff:ff:ff:ff" || full == "00:00:00:00:00:00" {
            return full;
        }
        if frozen {
            return self.0.get(&full).cloned().unwrap_or_else(|| "MAC?".into());
        }
        let n = self.0.len() + 1;
        self.0
            .entry(full)
            .or_insert_with(|| format!("MAC{n}"))
            .clone()
    }

    /// The label of the MAC whose last three bytes are `low` (as a solicited-node group
    /// and its multicast MAC carry them), `MAC?` when no MAC seen so far has them.
    fn label_low24(&self, low: [u8; 3]) -> String {
        let want = format!("{:02x}:{:02x}:{:02x}", low[0], low[1], low[2]);
        let mut hits: Vec<&String> = self
            .0
            .iter()
            .filter(|(m, _)| m.ends_with(&want) && !m.starts_with("33:33:"))
            .map(|(_, l)| l)
            .collect();
        hits.sort();
        hits.first().map_or_else(|| "MAC?".into(), |l| (*l).clone())
    }
}

/// Rewrites a line's EUI-64 link-local addresses as `fe80::` and their MAC's label, then its
/// solicited-node groups as `ff02::1:ff` and the label of the MAC they come from.
fn norm_v6_addrs(line: &str, macs: &mut Macs, frozen: bool) -> String {
    let pass = |line: &str, macs: &mut Macs, solicited: bool| -> String {
        let b = line.as_bytes();
        let tok = |c: u8| c.is_ascii_digit() || (b'a'..=b'f').contains(&c) || c == b':';
        let mut out = String::with_capacity(line.len());
        let mut i = 0;
        while i < b.len() {
            let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            if boundary && tok(b[i]) {
                let mut j = i;
                while j < b.len() && tok(b[j]) {
                    j += 1;
                }
                let mut t = &line[i..j];
                let word_after = j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'.');
                while t.ends_with(':') && !t.ends_with("::") {
                    t = &t[..t.len() - 1];
                }
                let rewritten = match t.parse::<std::net::Ipv6Addr>() {
                    Ok(a) if !word_after => v6_label(a, macs, frozen, solicited),
                    _ => None,
                };
                match rewritten {
                    Some(r) => {
                        out.push_str(&r);
                        out.push_str(&line[i + t.len()..j]);
                    }
                    None => out.push_str(&line[i..j]),
                }
                i = j;
                continue;
            }
            let ch = line[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    };
    let l = pass(line, macs, false);
    pass(&l, macs, true)
}

/// The normalised form of one IPv6 address: an EUI-64 link-local (first pass) or a
/// solicited-node group (second pass, `solicited`); None leaves it as printed.
fn v6_label(
    a: std::net::Ipv6Addr,
    macs: &mut Macs,
    frozen: bool,
    solicited: bool,
) -> Option<String> {
    let o = a.octets();
    let seg = a.segments();
    if !solicited && seg[0] == 0xfe80 && seg[1..4] == [0, 0, 0] && o[11] == 0xff && o[12] == 0xfe {
        let mac = format!(
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            o[8] ^ 2,
            o[9],
            o[10],
            o[13],
            o[14],
            o[15]
        );
        return Some(format!("fe80::{}", macs.label_as(&mac, frozen)));
    }
    if solicited && seg[..6] == [0xff02, 0, 0, 0, 0, 1] && o[12] == 0xff {
        return Some(format!(
            "ff02::1:ff{}",
            macs.label_low24([o[13], o[14], o[15]])
        ));
    }
    None
}

/// One line normalised as compare.py does, or None when it is tcpdump's chatter; with `v6`
/// also IPv6's rules (see [`transcript`]), labelling new MACs unless `frozen`.
fn norm_line(line: &str, macs: &mut Macs, v6: bool, frozen: bool) -> Option<String> {
    let line = if v6 {
        norm_v6_addrs(line, macs, frozen)
    } else {
        line.to_string()
    };
    // Bridge ids: 8000.<12 hex digits>.
    let mut l = String::new();
    let mut rest = line.as_str();
    while let Some(p) = rest.find("8000.") {
        let after = &rest[p + 5..];
        let hex = after.chars().take_while(|c| c.is_ascii_hexdigit()).count();
        let boundary_before = p == 0 || !rest.as_bytes()[p - 1].is_ascii_alphanumeric();
        if hex == 12
            && boundary_before
            && !after[12..].starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            l.push_str(&rest[..p]);
            l.push_str("8000.BRID");
            rest = &after[12..];
        } else {
            l.push_str(&rest[..p + 5]);
            rest = after;
        }
    }
    l.push_str(rest);
    let mut l = relabel_macs(&l, &mut |mac: &str| {
        if v6 {
            let full: Vec<String> = mac.split(':').map(|p| format!("{p:0>2}")).collect();
            if full[0] == "33" && full[1] == "33" {
                if full[2] == "ff" {
                    let byte = |s: &str| u8::from_str_radix(s, 16).unwrap_or(0);
                    return format!(
                        "33:33:ff({})",
                        macs.label_low24([byte(&full[3]), byte(&full[4]), byte(&full[5])])
                    );
                }
                return full.join(":");
            }
        }
        macs.label_as(mac, frozen)
    });
    l = norm_time_eq(&l);
    l = replace_between(&l, "time ", |c| c.is_ascii_digit(), "T");
    if let Some(p) = l.find("rtt min/avg/max/mdev = ") {
        l.truncate(p);
        l.push_str("rtt RTT");
    }
    l = norm_icmp_id(&l);
    l = norm_ifindex_prefix(&l);
    l = norm_at_if(&l);
    l = norm_link_netns(&l);
    l = strip_timestamp(&l);
    let l = l.trim_end_matches([' ', '\t']).to_string();
    (!is_noise(&l)).then_some(l)
}

const CHATTER: &[&str] = &[
    "tcpdump: ",
    "listening on",
    "link-type",
    "snapshot length",
    "packets captured",
    "packet captured",
    "received by filter",
    "dropped by kernel",
];

/// Two tcpdumps at once interleave their chatter anywhere: where there is any, drop every
/// line holding a piece of it, and blank lines.
fn unchatter(text: &str) -> String {
    if !CHATTER.iter().any(|c| text.contains(c)) {
        return text.to_string();
    }
    text.lines()
        .filter(|l| !l.trim().is_empty() && !CHATTER.iter().any(|c| l.contains(c)))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn is_hex(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 2
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Replaces every MAC-shaped token (six groups of 1-2 hex digits, at word boundaries).
fn relabel_macs(line: &str, label: &mut dyn FnMut(&str) -> String) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < bytes.len() {
        if (i == 0 || !word(bytes[i - 1])) && bytes[i].is_ascii_hexdigit() {
            // Try to read six groups.
            let mut j = i;
            let mut groups = 0;
            let mut ok = true;
            while groups < 6 {
                let s = j;
                while j < bytes.len() && j - s < 3 && bytes[j].is_ascii_hexdigit() {
                    j += 1;
                }
                if !is_hex(&line[s..j]) {
                    ok = false;
                    break;
                }
                groups += 1;
                if groups < 6 {
                    if j < bytes.len() && bytes[j] == b':' {
                        j += 1;
                    } else {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && (j == bytes.len() || !word(bytes[j])) {
                out.push_str(&label(&line[i..j]));
                i = j;
                continue;
            }
        }
        let ch = line[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn replace_between(s: &str, start: &str, end_pred: impl Fn(char) -> bool, with: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find(start) {
        let after = &rest[p + start.len()..];
        let n = after.find(|c: char| !end_pred(c)).unwrap_or(after.len());
        if n == 0 {
            out.push_str(&rest[..p + start.len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..p]);
        out.push_str(with);
        rest = &after[n..];
    }
    out.push_str(rest);
    out
}

/// compare.py's normalisation of one text.
fn norm(text: &str, macs: &mut Macs) -> Vec<String> {
    text.lines()
        .filter_map(|l| norm_line(l, macs, false, false))
        .collect()
}

/// `time=0.271 ms` → `time=T ms`.
fn norm_time_eq(l: &str) -> String {
    let mut out = String::new();
    let mut rest = l;
    while let Some(p) = rest.find("time=") {
        let after = &rest[p + 5..];
        let n = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        if n > 0 && after[n..].starts_with(" ms") {
            out.push_str(&rest[..p]);
            out.push_str("time=T");
            rest = &after[n..];
        } else {
            out.push_str(&rest[..p + 5]);
            rest = after;
        }
    }
    out.push_str(rest);
    // `time 2041ms`
    let mut o2 = String::new();
    let mut rest = out.as_str();
    while let Some(p) = rest.find("time ") {
        let after = &rest[p + 5..];
        let n = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if n > 0 && after[n..].starts_with("ms") {
            o2.push_str(&rest[..p]);
            o2.push_str("time T");
            rest = &after[n..];
        } else {
            o2.push_str(&rest[..p + 5]);
            rest = after;
        }
    }
    o2.push_str(rest);
    o2
}

/// `id 3372, seq` → `id ID, seq`.
fn norm_icmp_id(l: &str) -> String {
    let mut out = String::new();
    let mut rest = l;
    while let Some(p) = rest.find("id ") {
        let boundary = p == 0 || !rest.as_bytes()[p - 1].is_ascii_alphanumeric();
        let after = &rest[p + 3..];
        let n = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if boundary && n > 0 && after[n..].starts_with(", seq") {
            out.push_str(&rest[..p]);
            out.push_str("id ID");
            rest = &after[n..];
        } else {
            out.push_str(&rest[..p + 3]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A leading `7: ` → `N: `.
fn norm_ifindex_prefix(l: &str) -> String {
    let n = l.find(|c: char| !c.is_ascii_digit()).unwrap_or(l.len());
    if n > 0 && l[n..].starts_with(": ") {
        format!("N: {}", &l[n + 2..])
    } else {
        l.to_string()
    }
}

/// `@if9` → `@ifN`; when followed by 2+ spaces (the `-br` column), the padding is fixed.
fn norm_at_if(l: &str) -> String {
    let mut out = String::new();
    let mut rest = l;
    while let Some(p) = rest.find("@if") {
        let after = &rest[p + 3..];
        let n = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if n == 0 {
            out.push_str(&rest[..p + 3]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..p]);
        let tail = &after[n..];
        let spaces = tail.len() - tail.trim_start_matches(' ').len();
        if spaces >= 2 {
            out.push_str("@ifN  ");
            rest = &tail[spaces..];
        } else {
            out.push_str("@ifN");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// `link-netns ns01` / `link-netnsid 0` → `link-netns X`.
fn norm_link_netns(l: &str) -> String {
    let mut out = String::new();
    let mut rest = l;
    while let Some(p) = rest.find("link-netns") {
        out.push_str(&rest[..p]);
        let mut after = &rest[p + 10..];
        if let Some(a) = after.strip_prefix("id") {
            after = a;
        }
        if let Some(a) = after.strip_prefix(' ') {
            let n = a.find(char::is_whitespace).unwrap_or(a.len());
            if n > 0 {
                out.push_str("link-netns X");
                rest = &a[n..];
                continue;
            }
        }
        out.push_str("link-netns");
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A leading `12:34:56.789012 ` capture timestamp is dropped.
fn strip_timestamp(l: &str) -> String {
    let b = l.as_bytes();
    let ok = b.len() > 9
        && b[0..2].iter().all(u8::is_ascii_digit)
        && b[2] == b':'
        && b[3..5].iter().all(u8::is_ascii_digit)
        && b[5] == b':'
        && b[6..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'.';
    if ok {
        let rest = &l[9..];
        let n = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if n > 0 && rest[n..].starts_with(' ') {
            return rest[n + 1..].to_string();
        }
    }
    l.to_string()
}

fn is_noise(l: &str) -> bool {
    l.starts_with("tcpdump: listening on ")
        || l.starts_with("tcpdump: pcap_loop: ")
        || l.starts_with("reading from file ")
        || [
            "packets captured",
            "packet captured",
            "packets received by filter",
            "packet received by filter",
            "packets dropped by kernel",
            "packet dropped by kernel",
        ]
        .iter()
        .any(|s| {
            l.ends_with(s)
                && l[..l.len() - s.len()]
                    .trim_end()
                    .chars()
                    .all(|c| c.is_ascii_digit())
                && !l[..l.len() - s.len()].trim().is_empty()
        })
}

#[cfg(test)]
mod test {
    use super::*;

    fn n(s: &str) -> Vec<String> {
        norm(s, &mut Macs::default())
    }

    #[test]
    fn normalises_like_compare_py() {
        assert_eq!(
            n("9: veth01@if8: <BROADCAST> mtu 1500 link-netnsid 0\n"),
            vec!["N: veth01@ifN: <BROADCAST> mtu 1500 link-netns X"]
        );
        assert_eq!(
            n("64 bytes from 192.168.88.12: icmp_seq=1 ttl=64 time=1.89 ms\n"),
            vec!["64 bytes from 192.168.88.12: icmp_seq=1 ttl=64 time=T ms"]
        );
        assert_eq!(
            n("1 packets transmitted, 1 received, 0% packet loss, time 2041ms\n"),
            vec!["1 packets transmitted, 1 received, 0% packet loss, time Tms"]
        );
        assert_eq!(
            n("rtt min/avg/max/mdev = 1.894/1.894/1.894/0.000 ms\n"),
            vec!["rtt RTT"]
        );
        assert_eq!(
            n("11:08:18.069334 IP 1.1.1.1 > 2.2.2.2: ICMP echo request, id 3372, seq 1, length 64\n"),
            vec!["IP 1.1.1.1 > 2.2.2.2: ICMP echo request, id ID, seq 1, length 64"]
        );
        assert_eq!(
            n("br01\t\t8000.ae077b71997f\tno\t\tbr-veth01\n"),
            vec!["br01\t\t8000.BRID\tno\t\tbr-veth01"]
        );
        assert_eq!(
            n("12:6a:50:c7:6b:aa > ff:ff:ff:ff:ff:ff, ae:7:7b:71:99:7f 12:6a:50:c7:6b:aa\n"),
            vec!["MAC1 > ff:ff:ff:ff:ff:ff, MAC2 MAC1"]
        );
        assert_eq!(
            n("br-veth01@if4    UP             ee:96:5c:2a:f3:32 <UP> \n"),
            vec!["br-veth01@ifN  UP             MAC1 <UP>"]
        );
        assert!(n("3 packets captured\n").is_empty());
        assert_eq!(unchatter("a\ntcpdump: listening on x\n\nb\n"), "a\nb\n");
    }

    const HOST_A: [u8; 6] = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
    const HOST_B: [u8; 6] = [0x0a, 0x66, 0x77, 0x88, 0x99, 0xaa];

    fn eui64(mac: [u8; 6]) -> [u8; 16] {
        let mut a = [0u8; 16];
        a[0] = 0xfe;
        a[1] = 0x80;
        a[8..11].copy_from_slice(&[mac[0] ^ 2, mac[1], mac[2]]);
        a[11] = 0xff;
        a[12] = 0xfe;
        a[13..].copy_from_slice(&mac[3..]);
        a
    }

    /// A router solicitation from `mac`'s link-local address, as the kernel sends it.
    fn rs(mac: [u8; 6]) -> Vec<u8> {
        let mut f = vec![0x33, 0x33, 0, 0, 0, 2];
        f.extend(mac);
        f.extend([0x86, 0xdd, 0x60, 0, 0, 0, 0, 16, 58, 255]);
        f.extend(eui64(mac));
        f.extend([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        f.extend([133, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
        f.extend(mac);
        f
    }

    /// An ARP request from `mac`.
    fn arp(mac: [u8; 6]) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend(mac);
        f.extend([0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]);
        f.extend(mac);
        f.extend([10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        f
    }

    /// A transcript directory whose stdout shows both hosts' MACs and link-local addresses
    /// and whose capture holds `frames`.
    fn dir(frames: &[Vec<u8>]) -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("temporary directory");
        let mut out = String::new();
        for m in [HOST_A, HOST_B] {
            let mac: Vec<String> = m.iter().map(|b| format!("{b:02x}")).collect();
            out.push_str(&format!("    link/ether {}\n", mac.join(":")));
            let ll = std::net::Ipv6Addr::from(eui64(m));
            out.push_str(&format!("    inet6 {ll}/64 scope link\n"));
        }
        std::fs::write(d.path().join("stdout"), out).expect("stdout");
        std::fs::write(d.path().join("stderr"), "").expect("stderr");
        std::fs::write(d.path().join("rc"), "0\n").expect("rc");
        let mut pcap = crate::tcpdump::file::header(262144, 1);
        for (i, f) in frames.iter().enumerate() {
            crate::tcpdump::file::record(&mut pcap, Duration::from_millis(i as u64), f, f.len());
        }
        std::fs::write(d.path().join("c.pcap"), pcap).expect("pcap");
        d
    }

    fn same(a: &[Vec<u8>], b: &[Vec<u8>], ipv6: bool) -> bool {
        let (a, b) = (dir(a), dir(b));
        let rules = Rules {
            ipv6,
            ipv6_captures: ipv6,
        };
        let (diff, _) = compare(a.path(), b.path(), rules).expect("compare");
        diff.is_empty()
    }

    #[test]
    fn ipv6_frames_of_captures_are_compared() {
        let base = [arp(HOST_A), rs(HOST_A), rs(HOST_B), arp(HOST_B)];
        assert!(same(&base, &base, true));
        // The kernel's randomly timed frames may swap between the same two other frames...
        let swapped = [arp(HOST_A), rs(HOST_B), rs(HOST_A), arp(HOST_B)];
        assert!(same(&base, &swapped, true));
        // ...but none may be missing, extra, or cross another frame.
        let missing = [arp(HOST_A), rs(HOST_A), arp(HOST_B)];
        assert!(!same(&base, &missing, true));
        let extra = [arp(HOST_A), rs(HOST_A), rs(HOST_B), rs(HOST_B), arp(HOST_B)];
        assert!(!same(&base, &extra, true));
        let moved = [arp(HOST_A), rs(HOST_A), arp(HOST_B), rs(HOST_B)];
        assert!(!same(&base, &moved, true));
        let other_host = [arp(HOST_A), rs(HOST_A), rs(HOST_A), arp(HOST_B)];
        assert!(!same(&base, &other_host, true));
        // Without --ipv6 the captures are kept to ARP and ICMP, as compare.py keeps them, and
        // so they are with --no-ipv6-captures.
        assert!(same(&base, &missing, false));
        let (a, b) = (dir(&base), dir(&missing));
        let rules = Rules {
            ipv6: true,
            ipv6_captures: false,
        };
        let (diff, _) = compare(a.path(), b.path(), rules).expect("compare");
        assert!(diff.is_empty());
    }

    #[test]
    fn link_local_addresses_follow_their_mac_labels() {
        let d = dir(&[rs(HOST_B)]);
        let rules = Rules {
            ipv6: true,
            ipv6_captures: true,
        };
        let t = transcript(d.path(), rules).expect("transcript");
        assert_eq!(t[1], "    link/ether MAC1");
        assert_eq!(t[2], "    inet6 fe80::MAC1/64 scope link");
        assert_eq!(t[4], "    inet6 fe80::MAC2/64 scope link");
        assert_eq!(
            t.last().map(String::as_str),
            Some(
                "MAC2 > 33:33:00:00:00:02, ethertype IPv6 (0x86dd), length 70: \
                 fe80::MAC2 > ff02::2: ICMP6, router solicitation, length 16"
            )
        );
        let mut macs = Macs::default();
        assert_eq!(
            norm_line(
                "d2:da:0a:ae:d1:b1 > 33:33:ff:ae:d1:b1, ethertype IPv6 (0x86dd), length 86: \
                 :: > ff02::1:ffae:d1b1: ICMP6, neighbor solicitation, who has \
                 fe80::d0da:aff:feae:d1b1, length 32",
                &mut macs,
                true,
                false
            )
            .as_deref(),
            Some(
                "MAC1 > 33:33:ff(MAC1), ethertype IPv6 (0x86dd), length 86: :: > \
                 ff02::1:ffMAC1: ICMP6, neighbor solicitation, who has fe80::MAC1, length 32"
            )
        );
        // In a randomly timed frame, a MAC seen nowhere else gets no label of its own.
        assert_eq!(
            norm_line(
                "fe80::1 > ff02::2: ICMP6, router solicitation, fe80::ff:fe00:1",
                &mut macs,
                true,
                true
            )
            .as_deref(),
            Some("fe80::1 > ff02::2: ICMP6, router solicitation, fe80::MAC?")
        );
    }
}
