#!/bin/bash
# Replay benchmark: generates a capture of N frames (default 1,000,000: one ARP exchange,
# then echo request/reply pairs between two hosts every millisecond) and replays it with
# the release binary, printing wall time and peak memory. Run twice with different N to see
# that memory does not grow with the capture's length.
#   bench/replay.sh [N]
set -euo pipefail
N=${1:-1000000}
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p l2lab
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$N" "$dir/trace.pcap" <<'PY'
import struct, sys
n, path = int(sys.argv[1]), sys.argv[2]
a_mac, b_mac = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
a_ip, b_ip = bytes([10, 0, 1, 1]), bytes([10, 0, 1, 2])
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def arp(op, smac, sip, tmac, tip, dst):
    return dst + smac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x800, 6, 4, op) + smac + sip + tmac + tip
def icmp(ty, src_mac, dst_mac, src, dst, ident, seq):
    body = struct.pack("!BBHHH", ty, 0, 0, ident, seq) + bytes(56)
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), seq, 0x4000, 64, 1, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + body
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    t = 1_767_225_600_000_000
    def put(frame, us):
        f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(frame), len(frame)) + frame)
    put(arp(1, a_mac, a_ip, bytes(6), b_ip, b"\xff" * 6), t)
    put(arp(2, b_mac, b_ip, a_mac, a_ip, a_mac), t + 20)
    i = 0
    while 2 + 2 * i < n:
        us = t + 1000 * (i + 1)
        seq = i & 0xffff
        put(icmp(8, a_mac, b_mac, a_ip, b_ip, 7, seq), us)
        if 3 + 2 * i < n + 0: put(icmp(0, b_mac, a_mac, b_ip, a_ip, 7, seq), us + 30)
        i += 1
PY
echo "frames: $N ($(du -h "$dir/trace.pcap" | cut -f1))"
/usr/bin/time -f "wall %e s, peak RSS %M KiB" "$TARGET/release/l2lab" replay "$dir/trace.pcap" | tail -6
