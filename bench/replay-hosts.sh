#!/bin/bash
# Replay cost as the number of hosts grows: a generated capture of N hosts in pairs on one
# segment, each pair resolving the other (an ARP request, broadcast, and its reply) and
# exchanging one echo request and reply, 0.1 ms apart (the capture ends before the hosts
# re-confirm their neighbours); replayed with the release binary into the default lab (one
# bridge, a port per host). Prints wall time, user CPU time (which moves less with the load
# of a shared machine) and peak RSS per N.
# Each ARP request is flooded to every port, as a kernel bridge floods it: N requests reach
# N hosts each, so the emulation's own work grows as N^2 and that is the curve to expect.
# With -6 the pairs speak IPv6 instead (2001:db8::/64): a neighbour solicitation to the
# target's solicited-node group, the solicited advertisement back, one ICMPv6 echo request
# and reply; the hosts are replayed with IPv6 on.
#   bench/replay-hosts.sh [-6] [N...]     (default: 1000 2000 4000 8000)
# With BEFORE=/path/to/an/older/l2lab it replays each capture with that binary too (up to
# N = 2000: the old engine was cubic), for a before/after in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p l2lab
L2LAB=$(realpath "$target/release/l2lab")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
family=4
if [ "${1:-}" = -6 ]; then family=6; shift; fi
[ $# -gt 0 ] || set -- 1000 2000 4000 8000
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "$@"; do
    python3 - "$n" "$dir/hosts.pcap" "$family" <<'PY'
import struct, sys
n, path, family = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def mac(i): return bytes([2, 0, 0, (i >> 16) & 255, (i >> 8) & 255, i & 255])
def ip(i): return bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255 or 0])
def addr(i): return bytes([10, 1 + (i >> 16), (i >> 8) & 255, (i & 255)])
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def arp(op, smac, sip, tmac, tip, dst):
    return dst + smac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x800, 6, 4, op) + smac + sip + tmac + tip
def icmp(ty, smac, dmac, src, dst, ident, seq):
    body = struct.pack("!BBHHH", ty, 0, 0, ident, seq) + bytes(56)
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), seq, 0x4000, 64, 1, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return dmac + smac + b"\x08\x00" + h + body
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t = 0
    def rec(frame):
        global t
        t += 100
        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
    bcast, zero = b"\xff" * 6, b"\0" * 6
    if family == "6":
        def a6(i): return bytes.fromhex("20010db8000000000000000000") + bytes([(i >> 16) & 255, (i >> 8) & 255, i & 255])
        def icmp6(smac, dmac, src, dst, body, hops):
            ph = src + dst + struct.pack("!I3xB", len(body), 58)
            body = body[:2] + struct.pack("!H", csum(ph + body)) + body[4:]
            return dmac + smac + b"\x86\xdd" + struct.pack("!IHBB", 0x60000000, len(body), 58, hops) + src + dst + body
        for a in range(0, n - 1, 2):
            b = a + 1
            # a's address is a+1, so that none is the all-zero host part.
            sa, sb = a6(a + 1), a6(b + 1)
            group = bytes.fromhex("ff0200000000000000000001ff") + sb[13:]
            rec(icmp6(mac(a), b"\x33\x33" + group[12:], sa, group,
                      struct.pack("!BBHI", 135, 0, 0, 0) + sb + bytes([1, 1]) + mac(a), 255))
            rec(icmp6(mac(b), mac(a), sb, sa,
                      struct.pack("!BBHI", 136, 0, 0, 0x60000000) + sb + bytes([2, 1]) + mac(b), 255))
            rec(icmp6(mac(a), mac(b), sa, sb, struct.pack("!BBHHH", 128, 0, 0, 7, a) + bytes(56), 64))
            rec(icmp6(mac(b), mac(a), sb, sa, struct.pack("!BBHHH", 129, 0, 0, 7, a) + bytes(56), 64))
        sys.exit(0)
    for a in range(0, n - 1, 2):
        b = a + 1
        rec(arp(1, mac(a), addr(a), zero, addr(b), bcast))
        rec(arp(2, mac(b), addr(b), mac(a), addr(a), mac(a)))
        rec(icmp(8, mac(a), mac(b), addr(a), addr(b), 7, a))
        rec(icmp(0, mac(b), mac(a), addr(b), addr(a), 7, a))
PY
    for bin in "$L2LAB" ${BEFORE:+"$BEFORE"}; do
        [ "$bin" = "$L2LAB" ] || [ "$n" -le 2000 ] || continue
        /usr/bin/time -f '%e %M %U' -o "$dir/t" "$bin" replay "$dir/hosts.pcap" >"$dir/out" 2>&1 || true
        read -r wall rss user < <(tail -1 "$dir/t")
        printf 'hosts %7d: %8.2f s wall, %8.2f s user, peak RSS %7d KB, %s (%s)\n' "$n" "$wall" "$user" "$rss" \
            "$(grep -m1 -i 'result' "$dir/out" || tail -1 "$dir/out")" "$([ "$bin" = "$L2LAB" ] && echo this build || echo before)"
    done
done
