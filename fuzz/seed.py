#!/usr/bin/env python3
"""Seeds fuzz/corpus/TARGET from the scenarios: their scripts (commands), the captures the
kernel wrote (replay, tcpdump_read, frames), traces of their runs (viz, with L2LAB=path of the
l2lab binary) and a few protocol messages (proto). Run from fuzz/, then minimize with
`cargo fuzz cmin TARGET`."""
import glob, json, os, struct, subprocess, sys, tempfile

TOOLS = {"ip", "bridge", "brctl", "ifconfig", "ping", "tcpdump", "arp", "sysctl", "route", "sleep"}
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def put(target, name, data):
    d = os.path.join("corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def commands():
    for script in sorted(glob.glob(f"{root}/scenarios/*/script.sh")):
        name = os.path.basename(os.path.dirname(script))
        out = []
        for line in open(script):
            w = line.split()
            if not w:
                continue
            if w[:3] == ["ip", "netns", "exec"] and len(w) > 4:
                w = ["@" + w[3]] + w[4:]
            tool = w[1] if w[0].startswith("@") else w[0]
            if tool in TOOLS:
                out.append(" ".join(x.strip("'\"") for x in w))
        put("commands", name, ("\n".join(out) + "\n").encode())


def pcap_frames(path):
    data = open(path, "rb").read()
    if len(data) < 24 or data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return []
    linktype = struct.unpack("<I", data[20:24])[0]
    if linktype != 1:
        return []
    frames, i = [], 24
    while i + 16 <= len(data):
        incl = struct.unpack("<I", data[i + 8:i + 12])[0]
        frames.append(data[i + 16:i + 16 + incl])
        i += 16 + incl
    return frames


def captures():
    flags = [b"-nn", b"-e -nn", b"-v arp", b"-nn icmp", b"-e -c 3 not arp", b"-vv host 10.0.1.1"]
    for n, path in enumerate(sorted(glob.glob(f"{root}/scenarios/*/kernel/*.pcap"))):
        data = open(path, "rb").read()
        if len(data) > 16384:
            continue
        name = path.split("/")[-3] + "-" + os.path.basename(path)
        put("replay", name, data)
        put("tcpdump_read", name, flags[n % len(flags)] + b"\n" + data)
        recs = b""
        for k, fr in enumerate(pcap_frames(path)[:24]):
            if len(fr) < 255:
                recs += bytes([(k % 3) | (8 if k % 5 == 4 else 0), len(fr)]) + fr
        if recs:
            put("frames", name, recs)


def traces():
    exe = os.environ.get("L2LAB")
    if not exe:
        return
    for script in ["bridge-three-ns", "forwarding-subnets", "ageing-short", "mtu-fragments"]:
        with tempfile.TemporaryDirectory() as d:
            t = os.path.join(d, "t.jsonl")
            subprocess.run([exe, "run", "--no-ipv6", "--trace", t,
                            f"{root}/scenarios/{script}/script.sh"],
                           cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if os.path.exists(t):
                lines = open(t, "rb").read().splitlines()[:300]
                put("viz", script, b"\n".join(lines) + b"\n")


def proto():
    msgs = [
        {"Run": {"tool": "ip", "argv": ["link"], "netns": "ns01", "cwd": "/tmp", "pid": 7}},
        {"Run": {"tool": "ping", "argv": ["-c", "1", "10.0.0.1"], "netns": None, "cwd": "/", "pid": 1}},
        {"Signal": 2},
        {"Out": "64 bytes from 10.0.0.1\n"},
        {"Err": "x"},
        {"Exit": 0},
        {"Killed": 15},
    ]
    for n, m in enumerate(msgs):
        body = json.dumps(m).encode()
        put("proto", f"msg{n}", struct.pack(">I", len(body)) + body)


commands()
captures()
traces()
proto()
