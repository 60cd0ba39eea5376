//! Captures written as pcap read back: by the pcap-file reader here, and by the real tcpdump
//! when it is installed (`.ci/run` installs it).

use std::process::Command;

use l2lab_tests::{bridge, host_on_bridge, ping};
use pcap_file::pcap::PcapReader;
use pcap_file::DataLink;

#[test]
fn capture_is_a_pcap_that_tcpdump_reads() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br01");
    let h1 = host_on_bridge(
        &mut lab,
        host,
        "br01",
        "ns01",
        "br-veth01",
        "192.168.88.11/24",
    );
    let _h2 = host_on_bridge(
        &mut lab,
        host,
        "br01",
        "ns02",
        "br-veth02",
        "192.168.88.12/24",
    );
    let cap = lab.capture_start(host, "br01", true).unwrap();
    ping(&mut lab, h1.ns, "192.168.88.12", 2);

    let dir = std::env::temp_dir().join(format!("l2lab-pcap-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("br01.pcap");
    lab.capture_write_pcap(cap, &path).unwrap();

    let mut r = PcapReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(r.header().datalink, DataLink::ETHERNET);
    assert_eq!(r.header().snaplen, 262_144);
    let mut n = 0;
    while let Some(p) = r.next_packet() {
        let p = p.unwrap();
        assert_eq!(p.data.len() as u32, p.orig_len);
        n += 1;
    }
    assert_eq!(n, lab.capture(cap).unwrap().frames.len());
    assert_eq!(n, 6, "ARP request and reply, two echo requests and replies");

    match Command::new("tcpdump")
        .arg("-nn")
        .arg("-r")
        .arg(&path)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "tcpdump: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("ARP, Request who-has 192.168.88.12 tell 192.168.88.11, length 28"),
                "{text}"
            );
            assert!(text.contains("ICMP echo reply"), "{text}");
        }
        Err(e) => eprintln!("tcpdump not installed ({e}): checked with the pcap reader only"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn any_capture_sees_every_interface_and_writes_linux_sll2() {
    let mut lab = l2lab_tests::lab_ipv4();
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br01");
    let h1 = host_on_bridge(&mut lab, host, "br01", "ns01", "veth01", "10.5.0.1/24");
    let cap = lab.capture_start_any(host).unwrap();
    // A host that arrives after the capture started is seen too, as by a packet socket
    // bound to no device.
    let _h2 = host_on_bridge(&mut lab, host, "br01", "ns02", "veth02", "10.5.0.2/24");
    ping(&mut lab, h1.ns, "10.5.0.2", 1);
    let c = lab.capture(cap).unwrap();
    let seen = |name: &str| {
        let l = lab.link_by_name(host, name).unwrap();
        let ifindex = lab.iface(l).unwrap().ifindex;
        c.frames.iter().filter(|f| f.ifindex == ifindex).count()
    };
    // Request and reply of ARP and ICMP, each in on one port and out of the other.
    assert_eq!((seen("veth01"), seen("veth02")), (4, 4));
    // Only the flooded ARP request reaches the bridge device: `any` is not promiscuous.
    assert_eq!(seen("br01"), 1);
    assert!(
        !lab.fabric()
            .link(lab.link_by_name(host, "br01").unwrap())
            .unwrap()
            .promisc
            > 0
    );

    let dir = std::env::temp_dir().join(format!("l2lab-any-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("any.pcap");
    lab.capture_write_pcap(cap, &path).unwrap();
    let mut r = PcapReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    assert_eq!(r.header().datalink, DataLink::LINUX_SLL2);
    let first = r.next_packet().unwrap().unwrap();
    // ARP, ifindex of veth01, Ethernet, broadcast, 6-byte address, then the 28-byte ARP body.
    assert_eq!(&first.data[..2], &[0x08, 0x06]);
    assert_eq!(first.data[10..12], [1, 6]);
    assert_eq!(first.data.len(), 20 + 28);
    assert!(lab.capture_stop(cap).is_some());

    match Command::new("tcpdump")
        .arg("-nn")
        .arg("-r")
        .arg(&path)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            // Names are those of the reader's namespace; the packet-type column is the file's.
            assert!(
                text.contains(" B   ARP, Request who-has 10.5.0.2 tell 10.5.0.1, length 28"),
                "{text}"
            );
            assert!(
                text.contains(" Out IP 10.5.0.2 > 10.5.0.1: ICMP echo reply"),
                "{text}"
            );
            assert!(String::from_utf8_lossy(&out.stderr)
                .contains("Warning: interface names might be incorrect"),);
        }
        Err(e) => eprintln!("tcpdump not installed ({e}): checked with the pcap reader only"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
