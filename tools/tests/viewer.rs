//! The viewer end to end: a trace made through the Lab API, drawn by `l2lab viz`, opened from
//! disk in headless Chromium (deep links, `--dump-dom`), and checked for what a learner sees
//! at the flood: the MAC table and the highlighted ports. Also the diagrams, a malformed
//! trace, and a 10,000-event trace stepped through in the browser.
//!
//! The browser tests skip (with a message) where no Chromium is installed; on Debian:
//! `apt-get install -y chromium`. `L2LAB_CHROMIUM` names another browser binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use l2lab_sim::{trace, Lab, NsId, PingOptions};
use serde_json::Value;

const L2LAB: &str = env!("CARGO_BIN_EXE_l2lab");

/// The tutorial's steps for one host on `br0`: namespace, veth pair, port enslaved and up,
/// the veth's other end moved in, renamed `veth0`, addressed and up.
fn host(lab: &mut Lab, name: &str, port: &str, addr: &str) -> NsId {
    let root = lab.netns("").expect("initial namespace");
    let ns = lab.add_netns(name).expect("netns");
    let tmp = format!("{name}-v");
    lab.add_veth(root, &tmp, port, None).expect("veth");
    lab.set_master(root, port, Some("br0")).expect("master");
    lab.set_link_up(root, port, true).expect("port up");
    lab.move_link(root, &tmp, ns).expect("move");
    lab.rename_link(ns, &tmp, "veth0").expect("rename");
    lab.set_link_up(ns, "veth0", true).expect("up");
    lab.addr_add(ns, "veth0", addr.parse().expect("prefix"), None)
        .expect("addr");
    ns
}

fn ping(lab: &mut Lab, ns: NsId, dst: &str, count: u32) {
    let opts = PingOptions {
        count: Some(count),
        interval: Duration::from_millis(200),
        ..Default::default()
    };
    let id = lab
        .ping(ns, dst.parse::<std::net::IpAddr>().expect("address"), opts)
        .expect("ping");
    lab.run_ping(id, Duration::from_secs(3600))
        .expect("ping runs");
}

/// A lab recording from the start, with `br0` up in the initial namespace.
fn bridge_lab() -> Lab {
    let mut lab = Lab::new();
    lab.set_recording(true);
    let root = lab.netns("").expect("initial namespace");
    lab.add_bridge(root, "br0").expect("bridge");
    lab.set_link_up(root, "br0", true).expect("bridge up");
    lab
}

/// The trace so far as JSON lines (header first).
fn trace_text(lab: &mut Lab) -> String {
    let mut lines = vec![trace::header(lab).to_string()];
    for ev in lab.drain_events() {
        lines.push(trace::event(lab, &ev).to_string());
    }
    lines.join("\n") + "\n"
}

fn viz(dir: &Path, trace: &str, args: &[&str]) -> std::process::Output {
    let path = dir.join("trace.jsonl");
    std::fs::write(&path, trace).expect("write trace");
    Command::new(L2LAB)
        .arg("viz")
        .arg(&path)
        .args(args)
        .output()
        .expect("l2lab runs")
}

/// Draws `trace` as the HTML page `dir/name`, which must succeed; returns the page's path.
fn page_of(dir: &Path, trace: &str, name: &str) -> PathBuf {
    let page = dir.join(name);
    let out = viz(dir, trace, &["-o", page.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    page
}

/// The three-host scenario: h1 pings h2 once. Returns the trace and, per port name, its id.
fn three_hosts() -> (String, Vec<Value>) {
    let mut lab = bridge_lab();
    let h1 = host(&mut lab, "ns1", "p1", "10.1.0.1/24");
    host(&mut lab, "ns2", "p2", "10.1.0.2/24");
    host(&mut lab, "ns3", "p3", "10.1.0.3/24");
    ping(&mut lab, h1, "10.1.0.2", 1);
    let text = trace_text(&mut lab);
    let json = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    (text, json)
}

fn port_id(json: &[Value], name: &str) -> String {
    json.iter()
        .find(|v| v["type"] == "link_added" && v["name"] == name)
        .map(|v| v["link"].to_string())
        .unwrap_or_else(|| panic!("no link_added for {name}"))
}

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("L2LAB_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs headless Chromium on a page (`extra`: `--dump-dom` or `--screenshot=...`).
fn browse(chrome: &Path, page: &Path, hash: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}#{hash}", page.display());
    let out = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=2000",
            "--window-size=1280,800",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value of attribute `name` in the tag text `tag`.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(&tag[i..i + j])
}

/// Every opening tag of the DOM with its attributes (the text between `<` and `>`).
fn tags(dom: &str) -> impl Iterator<Item = &str> {
    dom.split('<')
        .filter(|t| !t.starts_with('/'))
        .filter_map(|t| t.split('>').next())
}

/// The ids of the interfaces drawn with class `hl`.
fn highlighted(dom: &str) -> BTreeSet<String> {
    tags(dom)
        .filter(|t| t.starts_with("g ") && attr(t, "id").is_some_and(|i| i.starts_with("if-")))
        .filter(|t| attr(t, "class").is_some_and(|c| c.split(' ').any(|c| c == "hl")))
        .filter_map(|t| attr(t, "data-link").map(str::to_string))
        .collect()
}

/// The MAC table shown: (port name, MAC) per row.
fn mac_rows(dom: &str) -> Vec<(String, String)> {
    let start = dom
        .find("id=\"mac-table\"")
        .expect("the page has #mac-table");
    let end = start + dom[start..].find("</table>").expect("table ends");
    tags(&dom[start..end])
        .filter(|t| t.starts_with("tr ") && attr(t, "data-mac").is_some())
        .map(|t| {
            (
                attr(t, "data-port").unwrap_or_default().to_string(),
                attr(t, "data-mac").unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The text content of the element with this id (no nested elements expected).
fn text_of(dom: &str, id: &str) -> String {
    let key = format!("id=\"{id}\"");
    let Some(i) = dom.find(&key) else {
        return String::new();
    };
    let rest = &dom[i..];
    let open = rest.find('>').map_or(0, |j| j + 1);
    let close = rest[open..].find('<').map_or(rest.len(), |j| open + j);
    rest[open..close].replace("&amp;", "&")
}

fn skip_without_chromium() -> Option<PathBuf> {
    let c = chromium();
    if c.is_none() {
        eprintln!(
            "skipping the browser test: no Chromium found (on Debian: apt-get install -y chromium; \
             or set L2LAB_CHROMIUM to a browser binary)"
        );
    }
    c
}

#[test]
fn the_flood_shows_the_table_and_the_two_other_ports() {
    let (text, json) = three_hosts();
    let dir = tempfile::tempdir().expect("tempdir");
    let page = page_of(dir.path(), &text, "lab.html");
    let html = std::fs::read_to_string(&page).expect("page written");
    assert!(html.contains("id=\"mac-table\"") && html.contains("id=\"say\""));

    let Some(chrome) = skip_without_chromium() else {
        return;
    };
    let dom = browse(&chrome, &page, "find=flooded", &["--dump-dom"]);
    let (p1, p2, p3) = (
        port_id(&json, "p1"),
        port_id(&json, "p2"),
        port_id(&json, "p3"),
    );
    assert_eq!(
        highlighted(&dom),
        BTreeSet::from([p2.clone(), p3.clone()]),
        "the flood leaves by the two other ports"
    );
    let learned = json
        .iter()
        .find(|v| v["type"] == "learned")
        .expect("a learned event");
    let h1_mac = learned["mac"].as_str().expect("mac").to_string();
    // At the flood the bridge knows one MAC: the sender's, behind p1.
    assert_eq!(mac_rows(&dom), [("p1".to_string(), h1_mac.clone())]);
    // Newest port first, as br_flood walks the list.
    assert_eq!(text_of(&dom, "say"), "br0: broadcast, flooded to p3 p2");
    // The port it came in on is marked as such, not as highlighted.
    assert!(dom.contains(&format!("id=\"if-{p1}\"")));
    assert!(!highlighted(&dom).contains(&p1));

    // At the last event both hosts of the ping are known, and nothing is flooded any more.
    let n = json.len() - 1;
    let dom = browse(&chrome, &page, &format!("step={n}"), &["--dump-dom"]);
    let rows = mac_rows(&dom);
    let ports: Vec<&str> = rows.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(ports, ["p1", "p2"]);
    assert!(rows.contains(&("p1".to_string(), h1_mac)));
    assert!(text_of(&dom, "step-no").starts_with(&format!("step {n} / {n}")));
    // Neighbour tables: ns1 learned ns2's address.
    assert!(dom.contains("data-ns=\"ns1\"") && dom.contains(">10.1.0.2<"));

    // The forwarded reply highlights p1 alone.
    let dom = browse(&chrome, &page, "find=forwarded", &["--dump-dom"]);
    assert_eq!(highlighted(&dom), BTreeSet::from([p1]));

    // A screenshot of the flood, as a learner sees it.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("viewer-flood.png");
    let _ = std::fs::remove_file(&shot);
    browse(
        &chrome,
        &page,
        "find=flooded",
        &[&format!("--screenshot={}", shot.display())],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    eprintln!("screenshot of the flood: {}", shot.display());
}

#[test]
fn dot_and_svg_draw_the_topology() {
    let (text, _) = three_hosts();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = viz(dir.path(), &text, &["--format", "dot"]);
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).expect("utf-8");
    assert!(dot.starts_with("graph l2lab {"));
    for ns in ["host", "ns1", "ns2", "ns3"] {
        assert!(dot.contains(&format!("label=\"{ns}\";")), "{ns} in {dot}");
    }
    assert_eq!(dot.matches("label=\"veth\"").count(), 3, "{dot}");

    let out = viz(dir.path(), &text, &["--format", "svg"]);
    assert!(out.status.success());
    let svg = String::from_utf8(out.stdout).expect("utf-8");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert_eq!(svg.matches("class=\"wire\"").count(), 3);
    assert_eq!(svg.matches("class=\"bridge\"").count(), 1);
    assert_eq!(svg.matches("<g class=\"iface\"").count(), 6);
}

#[test]
fn a_malformed_line_is_named() {
    let (text, _) = three_hosts();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[4] = "{\"t\":0.0,\"type\":\"learned\",";
    let dir = tempfile::tempdir().expect("tempdir");
    let out = viz(dir.path(), &lines.join("\n"), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("trace.jsonl: line 5: not JSON"), "{err}");
}

/// Six hosts pinging around, ports going down and up, ageing: 10,000 events or more.
fn busy_trace() -> String {
    let mut lab = bridge_lab();
    let root = lab.netns("").expect("initial namespace");
    let hosts: Vec<NsId> = (1..=6)
        .map(|i| {
            host(
                &mut lab,
                &format!("ns{i}"),
                &format!("p{i}"),
                &format!("10.1.0.{i}/24"),
            )
        })
        .collect();
    let mut text = String::new();
    let mut round = 0;
    while text.lines().count() < 10_500 {
        round += 1;
        for (i, h) in hosts.iter().enumerate() {
            let dst = format!("10.1.0.{}", (i + round) % 6 + 1);
            ping(&mut lab, *h, &dst, 5);
        }
        let port = format!("p{}", round % 6 + 1);
        lab.set_link_up(root, &port, false).expect("down");
        lab.set_link_up(root, &port, true).expect("up");
        lab.advance(Duration::from_secs(if round % 4 == 0 { 310 } else { 20 }))
            .expect("time passes");
        let more = trace_text(&mut lab);
        if text.is_empty() {
            text = more;
        } else {
            for l in more.lines().skip(1) {
                text.push_str(l);
                text.push('\n');
            }
        }
    }
    text
}

#[test]
fn ten_thousand_events_stay_usable() {
    let text = busy_trace();
    let events = text.lines().count() - 1;
    assert!(events >= 10_000, "{events} events");
    let dir = tempfile::tempdir().expect("tempdir");
    let t0 = Instant::now();
    let page = page_of(dir.path(), &text, "lab.html");
    eprintln!(
        "viz of {events} events: {:?}, {} bytes",
        t0.elapsed(),
        std::fs::metadata(&page).map_or(0, |m| m.len())
    );
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("viewer-10k.html");
    let _ = std::fs::copy(&page, &kept);
    let Some(chrome) = skip_without_chromium() else {
        return;
    };
    // `walk` steps through every event forward, then jumps around; the page records how long
    // the steps took. The 99th percentiles are asserted: a single slow step is more often the
    // machine's load or a garbage collection than the viewer.
    let dom = browse(&chrome, &page, "step=9000&walk", &["--dump-dom"]);
    assert!(
        text_of(&dom, "step-no").starts_with(&format!("step 9000 / {events}")),
        "{}",
        text_of(&dom, "step-no")
    );
    let body = tags(&dom)
        .find(|t| t.starts_with("body"))
        .expect("body")
        .to_string();
    let ms = |name: &str| -> f64 {
        attr(&body, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} on {body}"))
    };
    let (load, step, jump) = (
        ms("data-load-ms"),
        ms("data-step-p99-ms"),
        ms("data-jump-p99-ms"),
    );
    eprintln!("10k-event viewer timings: <{body}>");
    assert!(load < 3000.0, "loading takes {load} ms");
    assert!(step < 50.0, "99% of steps take under {step} ms");
    assert!(jump < 100.0, "99% of jumps take under {jump} ms");
    // Steps back undo events; the tables they reach are the ones a replay makes.
    assert!(ms("data-back-p99-ms") < 50.0, "{body}");
    assert_eq!(attr(&body, "data-undo-same"), Some("true"), "{body}");
}

/// A trace of one bridge learning `n` MACs, as bench/macs-trace.py writes it.
fn macs_trace(n: usize) -> String {
    let mut t = String::from("{\"type\":\"header\",\"schema\":\"l2lab-trace\",\"version\":1}\n");
    for i in 0..n {
        let p = 2 + i % 4;
        t.push_str(&format!(
            "{{\"t\":{:.6},\"type\":\"learned\",\"bridge\":{{\"id\":1,\"name\":\"br0\",\"ns\":\"\"}},\"mac\":\"02:00:00:00:{:02x}:{:02x}\",\"port\":{{\"id\":{p},\"name\":\"p{p}\",\"ns\":\"\"}}}}\n",
            i as f64 * 1e-4,
            i >> 8,
            i & 255
        ));
    }
    t
}

/// A table too long to list at every step shows the entries the latest events changed, and
/// says how many there are; a short one shows them all. The events come in chunks, of which
/// the page parses only those a step needs.
#[test]
fn a_long_mac_table_shows_the_latest_entries() {
    let n = 5000;
    let dir = tempfile::tempdir().expect("tempdir");
    let page = page_of(dir.path(), &macs_trace(n), "lab.html");
    let html = std::fs::read_to_string(&page).expect("page");
    // 5,000 events in chunks of 1,024.
    assert!(html.contains("id=\"ev-4\"") && !html.contains("id=\"ev-5\""));
    let Some(chrome) = skip_without_chromium() else {
        return;
    };
    let dom = browse(&chrome, &page, &format!("step={n}"), &["--dump-dom"]);
    let table = tags(&dom)
        .find(|t| t.starts_with("table id=\"mac-table\""))
        .expect("mac table")
        .to_string();
    assert_eq!(attr(&table, "data-entries"), Some("5000"), "{table}");
    let rows = mac_rows(&dom);
    assert_eq!(rows.len(), 200, "{rows:?}");
    // The last learned (4999 = 0x1387) is there, the first is not.
    assert!(
        rows.iter().any(|(_, mac)| mac == "02:00:00:00:13:87"),
        "{rows:?}"
    );
    assert!(
        !rows.iter().any(|(_, mac)| mac == "02:00:00:00:00:00"),
        "{rows:?}"
    );
    assert!(text_of(&dom, "mac-note").starts_with("5000 learned entries"));
    let dom = browse(&chrome, &page, "step=150", &["--dump-dom"]);
    assert_eq!(mac_rows(&dom).len(), 150);
}

/// What needs no browser: IGMP frames are named as tcpdump names them, the legend sits
/// beside the drawing rather than over it, and the frame marker stops at a bridge's lower
/// edge, below its name and address, rather than on them.
#[test]
fn igmp_is_named_and_nothing_is_drawn_over_a_bridge() {
    let mut lab = bridge_lab();
    let h1 = host(&mut lab, "ns1", "p1", "10.1.0.1/24");
    host(&mut lab, "ns2", "p2", "10.1.0.2/24");
    // The reports a host sends as its interface comes up go out within a second.
    lab.advance(Duration::from_secs(2)).expect("time passes");
    ping(&mut lab, h1, "10.1.0.2", 1);
    let text = trace_text(&mut lab);
    assert!(text.contains("igmp v3 report"), "{text}");
    let dir = tempfile::tempdir().expect("tempdir");
    let page = page_of(dir.path(), &text, "page.html");
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(html.contains("igmp v3 report, 1 group record(s)"));
    assert!(!html.contains(": proto 2"));
    let drawing = html.find("<div id=\"drawing\">").expect("drawing");
    let legend = html.find("<div id=\"legend\">").expect("legend");
    assert!(
        drawing < legend && html[drawing..legend].trim_end().ends_with("</svg></div>"),
        "the legend comes after the drawing closes"
    );
    // The bridge's box, as drawn, and where the marker rests on it.
    let g = html.find("<g class=\"bridge\"").expect("a bridge");
    let rect = tags(&html[g..])
        .find(|t| t.starts_with("rect "))
        .expect("its box");
    let num = |name: &str| -> f64 {
        attr(rect, name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} of {rect}"))
    };
    let bottom = num("y") + num("height");
    let b = html.find("\"b\":{").expect("bridge geometry");
    let point: Vec<f64> = html[b..]
        .split_once(":[")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(nums, _)| nums.split(',').filter_map(|n| n.parse().ok()).collect())
        .expect("a point");
    assert_eq!(point.get(1).copied(), Some(bottom), "{point:?} vs {rect}");
}

/// Two bridges joined twice (a0–b0, a1–b1) with STP on in both, run until the tree has
/// converged (twice forward_delay and more).
fn two_bridge_loop() -> String {
    let mut lab = Lab::new();
    lab.set_recording(true);
    let root = lab.netns("").expect("initial namespace");
    for br in ["br0", "br1"] {
        lab.add_bridge(root, br).expect("bridge");
        lab.set_stp(root, br, true).expect("stp on");
    }
    for (a, b) in [("a0", "b0"), ("a1", "b1")] {
        lab.add_veth(root, a, b, None).expect("veth");
        lab.set_master(root, a, Some("br0")).expect("master");
        lab.set_master(root, b, Some("br1")).expect("master");
    }
    for l in ["a0", "a1", "b0", "b1", "br0", "br1"] {
        lab.set_link_up(root, l, true).expect("up");
    }
    lab.advance(Duration::from_secs(40)).expect("time passes");
    trace_text(&mut lab)
}

/// The replay turns the loop's port_state events into one op per change: every port
/// listens first; three go on to learning and then forwarding, forward_delay (15 s) apart;
/// one port of the bridge that is not root ends blocking. BPDUs travel as frames named as
/// tcpdump names them. In the browser, each port and its stub take the colour of its state
/// at the step shown, and the legend names the states.
#[test]
fn port_states_colour_the_ports_of_a_loop() {
    use l2lab::viz::{parse, replay};
    let text = two_bridge_loop();
    let tr = parse::trace(&text).expect("the trace parses");
    let rp = replay::Replay::new(&tr.events);
    // Per port, the states the ops set, with the time of their event.
    let mut seq: std::collections::BTreeMap<u64, Vec<(String, f64)>> = Default::default();
    for (i, s) in rp.steps.iter().enumerate() {
        for op in &s.ops {
            if let replay::Op::PortState { port, state } = op {
                assert_eq!(
                    op.to_json(),
                    serde_json::json!(["p", port, state]),
                    "the viewer's form"
                );
                seq.entry(*port)
                    .or_default()
                    .push((state.clone(), tr.events[i].t));
            }
        }
    }
    assert_eq!(seq.len(), 4, "{seq:?}");
    let last: Vec<&str> = seq.values().map(|v| v[v.len() - 1].0.as_str()).collect();
    assert_eq!(last.iter().filter(|s| **s == "forwarding").count(), 3);
    assert_eq!(last.iter().filter(|s| **s == "blocking").count(), 1);
    let mut blocked = 0;
    for (port, v) in &seq {
        assert_eq!(v[0].0, "listening", "port {port}: {v:?}");
        // No op repeats the state the port is in.
        assert!(v.windows(2).all(|w| w[0].0 != w[1].0), "{v:?}");
        if v[v.len() - 1].0 == "blocking" {
            blocked = *port;
            continue;
        }
        let n = v.len();
        let states: Vec<&str> = v[n - 3..].iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(states, ["listening", "learning", "forwarding"], "{v:?}");
        let (l, f) = (v[n - 3].1, v[n - 1].1);
        // Twice forward_delay, as the kernel's timer wheel rounds 15 s up (to 1/2 s or so).
        assert!(
            (30.0..31.0).contains(&(f - l)),
            "forwarding 30 s after listening: {v:?}"
        );
    }
    // The tables at the end agree with the ops.
    assert_eq!(rp.last.port_states.len(), 4);
    assert_eq!(rp.last.port_states[&blocked], "blocking");
    // BPDUs are frames, named as tcpdump names them.
    assert!(
        tr.events
            .iter()
            .any(|e| e.ty == "sent" && text.contains("\"summary\":\"STP 802.1d, Config")),
        "BPDUs are sent as frames"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let page = page_of(dir.path(), &text, "loop.html");
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(html.contains("STP 802.1d, Config"));
    assert!(html.contains(": STP takes in the BPDU from port "));
    assert!(!html.contains("not known to this viewer"));
    assert!(html.contains("id=\"legend-stp\""));
    let Some(chrome) = skip_without_chromium() else {
        return;
    };
    // The state of each port drawn: data-stp on its group, and the class that colours it.
    let drawn = |dom: &str| -> std::collections::BTreeMap<u64, String> {
        tags(dom)
            .filter(|t| t.starts_with("g ") && attr(t, "id").is_some_and(|i| i.starts_with("if-")))
            .filter_map(|t| {
                let st = attr(t, "data-stp")?;
                assert!(
                    attr(t, "class")
                        .is_some_and(|c| c.split(' ').any(|c| c == format!("stp-{st}"))),
                    "{t}"
                );
                Some((attr(t, "data-link")?.parse().ok()?, st.to_string()))
            })
            .collect()
    };
    let dom = browse(
        &chrome,
        &page,
        &format!("step={}", rp.steps.len()),
        &["--dump-dom"],
    );
    let want: std::collections::BTreeMap<u64, String> = rp
        .last
        .port_states
        .iter()
        .map(|(p, s)| (*p, s.clone()))
        .collect();
    assert_eq!(drawn(&dom), want);
    let legend = tags(&dom)
        .find(|t| attr(t, "id") == Some("legend-stp"))
        .expect("the legend's port states");
    assert!(attr(legend, "hidden").is_none(), "{legend}");
    // Stepping back: after the first event every port that has a state listens.
    let first = rp
        .steps
        .iter()
        .position(|s| {
            s.ops
                .iter()
                .any(|o| matches!(o, replay::Op::PortState { .. }))
        })
        .expect("a port state");
    let dom = browse(
        &chrome,
        &page,
        &format!("step={}", first + 1),
        &["--dump-dom"],
    );
    let states = drawn(&dom);
    assert!(!states.is_empty());
    assert!(states.values().all(|s| s == "listening"), "{states:?}");
}
