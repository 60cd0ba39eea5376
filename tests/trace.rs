//! The event trace of a three-host bridge: exactly one flood (the first ARP request, to both
//! other ports), the two learned entries, and unicast forwarding for everything else —
//! asserted from the JSON lines the trace is made of.

use l2lab_sim::trace;
use l2lab_sim::Lab;
use l2lab_tests::{bridge, host_on_bridge, ping};
use serde_json::Value;

#[test]
fn three_hosts_one_flood_two_learned_rest_unicast() {
    let mut lab = Lab::new();
    lab.set_recording(true);
    let host = lab.netns("").unwrap();
    bridge(&mut lab, host, "br0");
    let h1 = host_on_bridge(&mut lab, host, "br0", "ns1", "p1", "10.1.0.1/24");
    host_on_bridge(&mut lab, host, "br0", "ns2", "p2", "10.1.0.2/24");
    host_on_bridge(&mut lab, host, "br0", "ns3", "p3", "10.1.0.3/24");
    ping(&mut lab, h1.ns, "10.1.0.2", 1);
    let lines: Vec<String> = std::iter::once(trace::header(&lab).to_string())
        .chain(
            lab.drain_events()
                .iter()
                .map(|e| trace::event(&lab, e).to_string()),
        )
        .collect();
    let json: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(json[0]["schema"], "l2lab-trace");
    let of = |ty: &str| -> Vec<&Value> { json.iter().filter(|v| v["type"] == ty).collect() };

    let floods = of("flooded");
    assert_eq!(floods.len(), 1);
    let names: Vec<&str> = floods[0]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    // In the order the copies leave: newest port first.
    assert_eq!(names, ["p3", "p2"]);
    assert_eq!(floods[0]["mac"], "ff:ff:ff:ff:ff:ff");
    let sent = json
        .iter()
        .find(|v| v["type"] == "sent" && v["frame"] == floods[0]["frame"])
        .unwrap();
    assert_eq!(
        sent["summary"],
        "ARP, Request who-has 10.1.0.2 tell 10.1.0.1"
    );

    let learned: Vec<&str> = of("learned")
        .iter()
        .map(|v| v["port"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(learned, ["p1", "p2"]);
    let forwarded: Vec<&str> = of("forwarded")
        .iter()
        .map(|v| v["port"]["name"].as_str().unwrap())
        .collect();
    // ARP reply, echo request, echo reply.
    assert_eq!(forwarded, ["p1", "p2", "p1"]);
    // Times never go backwards, and the narration rides along.
    let ts: Vec<f64> = json[1..].iter().map(|v| v["t"].as_f64().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(floods[0]["say"], "br0: broadcast, flooded to p3 p2");
}
