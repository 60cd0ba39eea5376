//! `l2lab replay` against captures recorded on the real kernel (scenarios/replay-*), edited
//! copies of them made here (never committed), pcapng conversions, its own output, and
//! malformed files.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::process::Command;

use pcap_file::pcap::{PcapPacket, PcapReader, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn kernel_pcap(name: &str) -> PathBuf {
    root().join("scenarios").join(name).join("kernel/br0.pcap")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn replay(args: &[&std::ffi::OsStr]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_l2lab"))
        .arg("replay")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("l2lab: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn replay_file(p: &Path) -> Run {
    replay(&[p.as_os_str()])
}

fn packets(p: &Path) -> Vec<PcapPacket<'static>> {
    let f = std::fs::File::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut r = PcapReader::new(f).unwrap_or_else(|e| panic!("{e}"));
    let mut v = Vec::new();
    while let Some(pkt) = r.next_packet() {
        v.push(pkt.unwrap_or_else(|e| panic!("{e}")).into_owned());
    }
    v
}

fn write_pcap(p: &Path, pkts: &[PcapPacket<'_>]) {
    let f = std::fs::File::create(p).unwrap_or_else(|e| panic!("{e}"));
    let mut w = PcapWriter::new(f).unwrap_or_else(|e| panic!("{e}"));
    for pkt in pkts {
        w.write_packet(pkt).unwrap_or_else(|e| panic!("{e}"));
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn kernel_captures_replay_with_every_reply_matched() {
    for name in [
        "replay-two-hosts",
        "replay-three-hosts",
        "replay-absent-host",
        "replay-gateway",
        "replay-moved-host",
    ] {
        let r = replay_file(&kernel_pcap(name));
        assert_eq!(r.code, 0, "{name}:\n{}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("result: every reply matched"), "{name}");
        assert!(r.stdout.contains(" 0 missing from the emulation"), "{name}");
    }
}

/// Pings larger than the MTU, captured on the kernel (scenarios/mtu-fragments): each request's
/// later pieces follow its first, the emulated host puts them together and answers, and the
/// answers match; without the later pieces there would be no answer.
#[test]
fn fragmented_requests_replay_whole() {
    let p = root().join("scenarios/mtu-fragments/kernel/big.pcap");
    let r = replay_file(&p);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("fragments: 3 later pieces"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("replies: 5 recorded, 5 matched"),
        "{}",
        r.stdout
    );
    // The same capture with the later pieces cut out: the big requests go unanswered.
    let firsts: Vec<_> = packets(&p)
        .into_iter()
        .filter(|pkt| {
            !(pkt.data.len() > 20
                && pkt.data[12..14] == [8, 0]
                && ((pkt.data[20] & 0x1f) | pkt.data[21]) != 0)
        })
        .collect();
    let d = tmp();
    let cut = d.path().join("firsts.pcap");
    write_pcap(&cut, &firsts);
    let r = replay_file(&cut);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("recorded echo reply missing from the emulation"),
        "{}",
        r.stdout
    );
}

#[test]
fn absent_host_retries_come_from_the_emulated_stack() {
    let r = replay_file(&kernel_pcap("replay-absent-host"));
    // The kernel's two ARP retries for 192.168.88.99 are the emulated stack's own.
    assert!(
        r.stdout
            .contains("requests: 5 recorded, 3 injected, 2 reproduced by the emulated stacks"),
        "{}",
        r.stdout
    );
}

#[test]
fn gateway_host_is_inferred_as_a_router() {
    let r = replay_file(&kernel_pcap("replay-gateway"));
    assert!(
        r.stdout.contains("192.168.88.1/24 forwarding"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("192.168.88.12/24 via 192.168.88.1"),
        "{}",
        r.stdout
    );
}

#[test]
fn topology_script_gives_the_same_result() {
    let dir = root().join("scenarios/replay-gateway");
    let r = replay(&[
        dir.join("kernel/br0.pcap").as_os_str(),
        "--topology".as_ref(),
        dir.join("script.sh").as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("at br0"), "{}", r.stdout);
}

#[test]
fn a_reply_that_could_not_have_happened_is_reported() {
    let d = tmp();
    let mut pkts = packets(&kernel_pcap("replay-two-hosts"));
    // Frame 4 is the echo reply to seq 1; a copy with seq 9 answers a request never sent.
    let mut forged = pkts[3].data.to_vec();
    forged[14 + 20 + 7] = 9;
    let p = PcapPacket::new(pkts[3].timestamp, pkts[3].orig_len, &forged).into_owned();
    pkts.insert(4, p);
    let path = d.path().join("forged.pcap");
    write_pcap(&path, &pkts);
    let r = replay_file(&path);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "  frame 5 at 0.000419: recorded echo reply missing from the emulation: \
             16:40:09:65:af:01 > d6:21:c9:0a:a7:de: 192.168.88.12 > 192.168.88.11: echo reply id 32 seq 9"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("mismatches: 1\n"), "{}", r.stdout);
}

#[test]
fn a_removed_request_leaves_its_reply_unexplained() {
    let d = tmp();
    let mut pkts = packets(&kernel_pcap("replay-two-hosts"));
    // Frame 5 is the echo request seq 2; its reply (frame 6, now 5) stays.
    pkts.remove(4);
    let path = d.path().join("cut.pcap");
    write_pcap(&path, &pkts);
    let r = replay_file(&path);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "  frame 5 at 0.202646: recorded echo reply missing from the emulation: \
             16:40:09:65:af:01 > d6:21:c9:0a:a7:de: 192.168.88.12 > 192.168.88.11: echo reply id 32 seq 2"
        ),
        "{}",
        r.stdout
    );
}

fn to_pcapng(src: &Path, dst: &Path) {
    let f = std::fs::File::create(dst).unwrap_or_else(|e| panic!("{e}"));
    let mut w = PcapNgWriter::new(f).unwrap_or_else(|e| panic!("{e}"));
    let idb = InterfaceDescriptionBlock::new(DataLink::ETHERNET, 262_144);
    w.write_pcapng_block(idb).unwrap_or_else(|e| panic!("{e}"));
    for p in packets(src) {
        // Default if_tsresol: microseconds; pcap-file writes the raw count as given.
        let ticks = std::time::Duration::from_nanos(p.timestamp.as_micros() as u64);
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: ticks,
            original_len: p.orig_len,
            data: Cow::Owned(p.data.to_vec()),
            options: vec![],
        };
        w.write_pcapng_block(epb).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn pcapng_replays_like_pcap() {
    let d = tmp();
    let ng = d.path().join("two.pcapng");
    to_pcapng(&kernel_pcap("replay-two-hosts"), &ng);
    let a = replay_file(&kernel_pcap("replay-two-hosts"));
    let b = replay_file(&ng);
    assert_eq!(b.code, 0, "{}{}", b.stdout, b.stderr);
    let body = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&a.stdout), body(&b.stdout));
}

#[test]
fn its_own_output_replays_as_a_regression() {
    let d = tmp();
    let out = d.path().join("emulated.pcap");
    let r = replay(&[
        kernel_pcap("replay-three-hosts").as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(packets(&out).len(), 20);
    let again = replay_file(&out);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("replies: 10 recorded, 10 matched"));
}

#[test]
fn trace_and_explain() {
    let d = tmp();
    let jsonl = d.path().join("t.jsonl");
    let r = replay(&[
        kernel_pcap("replay-two-hosts").as_os_str(),
        "--explain".as_ref(),
        "--trace".as_ref(),
        jsonl.as_os_str(),
    ]);
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .contains("frame 1 at 0.000000: ARP request: request injected, bridge flooded"));
    let text = std::fs::read_to_string(&jsonl).unwrap_or_default();
    assert_eq!(text.lines().count(), 12);
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}"));
        assert!(v.get("frame").is_some());
    }
}

fn expect_error(path: &Path, offset: u64) {
    let r = replay_file(path);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let want = format!("{}: at byte {offset}: ", path.display());
    assert!(r.stderr.contains(&want), "want {want:?} in {:?}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn truncated_and_malformed_files_name_the_byte_offset() {
    let d = tmp();
    let good = std::fs::read(kernel_pcap("replay-two-hosts")).unwrap_or_default();
    // Cut in the middle of frame 2 (record header at 24 + 16 + 42 = 82).
    let p = d.path().join("cut.pcap");
    std::fs::write(&p, &good[..100]).unwrap_or_else(|e| panic!("{e}"));
    expect_error(&p, 82);
    // Frame 2's captured length made larger than its original length.
    let mut bad = good.clone();
    bad[82 + 8..82 + 12].copy_from_slice(&5000u32.to_le_bytes());
    let p = d.path().join("bad.pcap");
    std::fs::write(&p, &bad).unwrap_or_else(|e| panic!("{e}"));
    expect_error(&p, 82);
    // Not a capture at all.
    let p = d.path().join("junk.pcap");
    std::fs::write(&p, b"this is not a capture file at all").unwrap_or_else(|e| panic!("{e}"));
    expect_error(&p, 0);
    // A header cut short.
    let p = d.path().join("short.pcap");
    std::fs::write(&p, &good[..10]).unwrap_or_else(|e| panic!("{e}"));
    expect_error(&p, 0);
    // pcapng cut inside its second packet block.
    let ng = d.path().join("two.pcapng");
    to_pcapng(&kernel_pcap("replay-two-hosts"), &ng);
    let bytes = std::fs::read(&ng).unwrap_or_default();
    // Section header 28 bytes, interface block 20, then 32 + 44 (42 padded) per packet.
    let second = 28 + 20 + 76;
    let p = d.path().join("cut.pcapng");
    std::fs::write(&p, &bytes[..second + 30]).unwrap_or_else(|e| panic!("{e}"));
    expect_error(&p, second as u64);
}

#[test]
fn no_corruption_panics() {
    let d = tmp();
    let ng = d.path().join("two.pcapng");
    to_pcapng(&kernel_pcap("replay-two-hosts"), &ng);
    for src in [kernel_pcap("replay-two-hosts"), ng] {
        let good = std::fs::read(&src).unwrap_or_default();
        // Every byte of the first 200 set to 0xff in turn, and every length cut.
        for i in (0..good.len().min(200)).step_by(7) {
            let mut bad = good.clone();
            bad[i] = 0xff;
            let p = d.path().join("flip");
            std::fs::write(&p, &bad).unwrap_or_else(|e| panic!("{e}"));
            let r = replay_file(&p);
            assert!(matches!(r.code, 0..=2), "{i}: {}", r.stderr);
            assert!(!r.stderr.contains("panicked"), "{i}: {}", r.stderr);
        }
        for cut in (0..good.len()).step_by(37) {
            let p = d.path().join("cut");
            std::fs::write(&p, &good[..cut]).unwrap_or_else(|e| panic!("{e}"));
            let r = replay_file(&p);
            assert!(matches!(r.code, 0..=2), "{cut}: {}", r.stderr);
            assert!(!r.stderr.contains("panicked"), "{cut}: {}", r.stderr);
        }
    }
}

/// A frame stamped decades after the first is refused at once (before, the lab ran its
/// bridge's collector through every ageing period on the way: seconds for a pcap's 70 years,
/// hours for a pcapng's 580,000).
#[test]
fn a_frame_stamped_decades_later_is_refused() {
    let d = tmp();
    let mut pkts = packets(&kernel_pcap("replay-two-hosts"));
    pkts[1].timestamp += std::time::Duration::from_secs(70 * 365 * 86_400);
    let p = d.path().join("late.pcap");
    write_pcap(&p, &pkts);
    let ng = d.path().join("late.pcapng");
    let f = std::fs::File::create(&ng).unwrap_or_else(|e| panic!("{e}"));
    let mut w = PcapNgWriter::new(f).unwrap_or_else(|e| panic!("{e}"));
    let idb = InterfaceDescriptionBlock::new(DataLink::ETHERNET, 262_144);
    w.write_pcapng_block(idb).unwrap_or_else(|e| panic!("{e}"));
    for (n, p) in packets(&kernel_pcap("replay-two-hosts")).iter().enumerate() {
        // Microsecond ticks as the raw count: the last frame at the largest stamp there is.
        let ticks = if n == 2 {
            u64::MAX
        } else {
            p.timestamp.as_micros() as u64
        };
        let epb = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: std::time::Duration::from_nanos(ticks),
            original_len: p.orig_len,
            data: Cow::Owned(p.data.to_vec()),
            options: vec![],
        };
        w.write_pcapng_block(epb).unwrap_or_else(|e| panic!("{e}"));
    }
    drop(w);
    for (path, frame) in [(&p, 2), (&ng, 3)] {
        let r = replay_file(path);
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        let want = format!("{}: frame {frame} is stamped ", path.display());
        assert!(r.stderr.contains(&want), "want {want:?} in {:?}", r.stderr);
        assert!(
            r.stderr
                .contains("a replay covers at most 315360000 s (10 years)"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_file_that_will_not_open_or_read_is_said_so_without_an_offset() {
    let d = tmp();
    let missing = d.path().join("nosuch.pcap");
    let r = replay_file(&missing);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "l2lab replay: {}: No such file or directory\n",
            missing.display()
        )
    );
    let r = replay_file(d.path());
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stderr,
        format!("l2lab replay: {}: Is a directory\n", d.path().display())
    );
}

#[test]
fn the_summary_names_requests_the_trace_never_answered() {
    let r = replay_file(&kernel_pcap("replay-absent-host"));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("no answer in the trace: 3 requests\n"),
        "{}",
        r.stdout
    );
    let asked: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| {
            l.starts_with("  frame ") && l.ends_with("ARP who-has 192.168.88.99 tell 192.168.88.11")
        })
        .collect();
    assert_eq!(asked.len(), 3, "{}", r.stdout);
    // The answered ping to 192.168.88.12 is not among them.
    assert!(!r.stdout.contains("who-has 192.168.88.12"), "{}", r.stdout);
    // Everything answered: no such line.
    let r = replay_file(&kernel_pcap("replay-two-hosts"));
    assert!(!r.stdout.contains("no answer in the trace"), "{}", r.stdout);
}

/// scenarios/replay-v6: two hosts with IPv6 and IPv4 on a bridge, recorded on the kernel.
fn v6_pcap() -> PathBuf {
    kernel_pcap("replay-v6")
}

fn count(out: &str, needle: &str) -> usize {
    out.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn ipv6_kernel_capture_replays_with_every_echo_and_advertisement_matched() {
    let r = replay(&[v6_pcap().as_os_str(), "--explain".as_ref()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let o = &r.stdout;
    // Link-local and global addresses from the solicitations and advertisements, beside
    // the IPv4 ones ARP gave.
    for h in [
        "  02:00:00:00:00:01 192.168.88.11/24 2001:db8::1/64 fe80::ff:fe00:1/64 at h1/eth0\n",
        "  02:00:00:00:00:02 192.168.88.12/24 2001:db8::2/64 fe80::ff:fe00:2/64 at h2/eth0\n",
    ] {
        assert!(o.contains(h), "{h:?} in\n{o}");
    }
    // What the kernel's capture holds: five ICMPv6 echoes (two link-local, three global)
    // each answered, two resolutions each answered, one IPv4 ping with its ARP; the two
    // solicitations for the absent 2001:db8::99 unanswered, the second of them the
    // emulated stack's own retry.
    assert_eq!(count(o, "ICMPv6 echo reply: reply matched"), 5, "{o}");
    assert_eq!(
        count(o, "ICMPv6 echo reply: reply matched")
            - count(
                o,
                "ICMPv6 echo reply: reply matched, bridge forwarded (emulated at"
            ),
        0,
        "{o}"
    );
    assert_eq!(
        count(o, "fe80::ff:fe00:2 > fe80::ff:fe00:1: ICMP6 echo reply"),
        2
    );
    assert_eq!(count(o, "neighbour advertisement: reply matched"), 2, "{o}");
    assert_eq!(count(o, "ARP reply: reply matched"), 1, "{o}");
    assert_eq!(count(o, ": echo reply: reply matched"), 1, "{o}");
    assert!(
        o.contains("requests: 11 recorded, 10 injected, 1 reproduced by the emulated stacks\n"),
        "{o}"
    );
    assert!(o.contains("replies: 9 recorded, 9 matched, 0 missing from the emulation, 0 emulated replies missing from the trace\n"), "{o}");
    assert!(
        o.contains("frame 28 at 6.079952: neighbour solicitation: request reproduced by the emulated stack"),
        "{o}"
    );
    assert!(o.contains("no answer in the trace: 2 requests\n"), "{o}");
    let unanswered: Vec<&str> = o
        .lines()
        .filter(|l| {
            l.starts_with("  frame ") && l.ends_with("neighbour solicitation, who has 2001:db8::99")
        })
        .collect();
    assert_eq!(unanswered.len(), 2, "{o}");
    assert!(unanswered[0].starts_with("  frame 23 at 5.068598: "), "{o}");
    // What replay does not model is counted by kind, not an error.
    assert!(
        o.contains("frames: 28 read, 8 skipped (0 not Ethernet, 0 not ARP/ICMP, 0 from no host, 8 not modelled, 0 malformed)\n"),
        "{o}"
    );
    assert!(
        o.contains("not modelled: DAD neighbour solicitation (2), MLDv2 report (4), router solicitation (2)\n"),
        "{o}"
    );
    assert!(o.ends_with("result: every reply matched\n"), "{o}");
}

/// Sets the ICMPv6 checksum of an Ethernet frame right again after an edit.
fn fix_icmp6_checksum(data: &mut [u8]) {
    let (Ok(src), Ok(dst)) = (
        <[u8; 16]>::try_from(&data[22..38]),
        <[u8; 16]>::try_from(&data[38..54]),
    ) else {
        panic!("short frame");
    };
    data[56] = 0;
    data[57] = 0;
    let ck = l2lab_sim::stack::ndisc::icmp6_checksum(src.into(), dst.into(), &data[54..]);
    data[56..58].copy_from_slice(&ck.to_be_bytes());
}

#[test]
fn an_ipv6_reply_that_could_not_have_happened_is_reported() {
    let d = tmp();
    let pkts = packets(&v6_pcap());
    // Frame 10, the advertisement answering the link-local solicitation, left out: the
    // emulated one has no counterpart. Frame 12, the first link-local echo reply, given
    // another id: the recorded one has none either.
    let mut edited: Vec<PcapPacket<'static>> = Vec::new();
    for (i, p) in pkts.iter().enumerate() {
        match i + 1 {
            10 => continue,
            12 => {
                let mut data = p.data.to_vec();
                data[58] ^= 0x55;
                fix_icmp6_checksum(&mut data);
                let mut q = p.clone();
                q.data = Cow::Owned(data);
                edited.push(q);
            }
            _ => edited.push(p.clone()),
        }
    }
    let p = d.path().join("edited.pcap");
    write_pcap(&p, &edited);
    let r = replay_file(&p);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let o = &r.stdout;
    assert!(o.contains("mismatches: 3\n"), "{o}");
    assert_eq!(count(o, "emulated neighbour advertisement missing from the trace: 02:00:00:00:00:02 > 02:00:00:00:00:01: fe80::ff:fe00:2 > fe80::ff:fe00:1: neighbour advertisement, tgt is fe80::ff:fe00:2 at 02:00:00:00:00:02 S O"), 1, "{o}");
    assert_eq!(
        count(o, "recorded ICMPv6 echo reply missing from the emulation"),
        1,
        "{o}"
    );
    assert_eq!(
        count(o, "emulated ICMPv6 echo reply missing from the trace"),
        1,
        "{o}"
    );
    // The solicitation lost its answer in the trace too.
    assert!(o.contains("who has fe80::ff:fe00:2\n"), "{o}");
}

#[test]
fn malformed_ipv6_frames_are_counted_not_replayed() {
    let d = tmp();
    let mut pkts = packets(&v6_pcap());
    // Frame 11 (a link-local echo request) with a wrong checksum: its reply, frame 12, is
    // then one the emulation never gives. Frame 13 (another request) cut inside its header.
    let mut data = pkts[10].data.to_vec();
    data[60] ^= 1;
    pkts[10].data = Cow::Owned(data);
    let cut = pkts[12].data[..40].to_vec();
    pkts[12].data = Cow::Owned(cut);
    let p = d.path().join("bad.pcap");
    write_pcap(&p, &pkts);
    let r = replay_file(&p);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let o = &r.stdout;
    assert!(
        o.contains("malformed: bad ICMPv6 checksum (1), truncated IPv6 packet (1)\n"),
        "{o}"
    );
    assert!(o.contains("10 skipped ("), "{o}");
    assert_eq!(
        count(o, "recorded ICMPv6 echo reply missing from the emulation"),
        2,
        "{o}"
    );
}

#[test]
fn ipv6_topology_script_gives_the_same_result() {
    let d = tmp();
    let mut script = String::from("ip link add br0 type bridge\nip link set br0 up\n");
    for i in 1..=2 {
        script.push_str(&format!(
            "ip netns add ns{i}
ip link add veth{i} type veth peer name br-veth{i}
ip link set veth{i} netns ns{i}
ip link set br-veth{i} master br0
ip link set br-veth{i} up
ip netns exec ns{i} ip link set veth{i} up
ip netns exec ns{i} ip addr add 192.168.88.1{i}/24 dev veth{i}
ip netns exec ns{i} ip addr add 2001:db8::{i}/64 dev veth{i}
"
        ));
    }
    let t = d.path().join("lab.sh");
    std::fs::write(&t, script).unwrap_or_else(|e| panic!("{e}"));
    let r = replay(&[v6_pcap().as_os_str(), "--topology".as_ref(), t.as_os_str()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains(" at ns1/veth1\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("replies: 9 recorded, 9 matched,"),
        "{}",
        r.stdout
    );
    // A bad IPv6 address is an error naming the line.
    std::fs::write(&t, "ip addr add 2001:db8::zz/64 dev x\n").unwrap_or_else(|e| panic!("{e}"));
    let r = replay(&[v6_pcap().as_os_str(), "--topology".as_ref(), t.as_os_str()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("lab.sh:1: ip addr add 2001:db8::zz/64 dev x: bad address 2001:db8::zz/64"),
        "{}",
        r.stderr
    );
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    /// The report's frame accounting: read = requests + replies + skipped.
    fn accounted(report: &str) -> Option<(u64, u64)> {
        let num = |prefix: &str, after: &str| -> Option<u64> {
            let l = report.lines().find(|l| l.starts_with(prefix))?;
            let rest = l.strip_prefix(prefix)?;
            let n = rest.split(after).next()?;
            n.trim().parse().ok()
        };
        let read = num("frames: ", " read")?;
        let skipped = report
            .lines()
            .find(|l| l.starts_with("frames: "))?
            .split(", ")
            .nth(1)?
            .split(' ')
            .next()?
            .parse::<u64>()
            .ok()?;
        let req = num("requests: ", " recorded")?;
        let rep = num("replies: ", " recorded")?;
        Some((read, skipped + req + rep))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// IPv6 frames of a kernel capture with bytes changed or cut: each is replayed,
        /// skipped as not modelled, or counted as malformed; never a panic, and every
        /// frame is accounted for.
        #[test]
        fn damaged_ipv6_frames_never_panic(
            edits in proptest::collection::vec((0usize..28, 14usize..120, any::<u8>()), 1..6),
            cut in proptest::option::of((0usize..28, 0usize..120)),
        ) {
            let mut pkts = packets(&v6_pcap());
            // Only the IPv6 frames are damaged (indices into them).
            let v6: Vec<usize> = (0..pkts.len())
                .filter(|&i| pkts[i].data.get(12..14) == Some(&[0x86, 0xdd][..]))
                .collect();
            for (i, at, b) in edits {
                let i = v6[i % v6.len()];
                let mut data = pkts[i].data.to_vec();
                if at < data.len() {
                    data[at] = b;
                }
                pkts[i].data = Cow::Owned(data);
            }
            if let Some((i, len)) = cut {
                let i = v6[i % v6.len()];
                let data = pkts[i].data[..len.min(pkts[i].data.len())].to_vec();
                pkts[i].data = Cow::Owned(data);
            }
            let d = tmp();
            let p = d.path().join("damaged.pcap");
            write_pcap(&p, &pkts);
            let args = l2lab::replay::ReplayArgs {
                capture: p,
                topology: None,
                at_port: Vec::new(),
                ageing: None,
                output: None,
                trace: None,
                explain: false,
            };
            let mut out = Vec::new();
            let code = l2lab::replay::run_to(&args, &mut out);
            let report = String::from_utf8_lossy(&out).into_owned();
            prop_assert!(matches!(code, Ok(0 | 1)), "{code:?}\n{report}");
            prop_assert_eq!(accounted(&report), Some((28, 28)), "{}", report);
        }
    }
}
