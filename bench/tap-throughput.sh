#!/usr/bin/env bash
# Throughput from a kernel namespace through a TAP device into an emulated host and back
# (ping flood: echo request in, echo reply out), side by side with the same path over a kernel
# veth and bridge. Needs root; runs l2lab as `nobody`; removes every kernel object it made.
#
# usage: bench/tap-throughput.sh [COUNT]     (default 20000 echo requests, 56-byte payload)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-20000}
[ "$(id -u)" = 0 ] || { echo "needs root (kernel namespaces and a TAP device)" >&2; exit 2; }
cargo build --release -q
l2lab=$PWD/target/release/l2lab
work=$(mktemp -d); chmod 777 "$work"
cleanup() {
  ip netns del tpk1 2>/dev/null || true; ip netns del tpk2 2>/dev/null || true
  ip netns del tpbr 2>/dev/null || true; ip link del tptap0 2>/dev/null || true
  [ -n "${lab:-}" ] && kill "$lab" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Mbit/s from a ping summary: requests and replies of 98 bytes on the wire each.
rate() { # $1 = ping output file
  awk -v n="$count" '/packets transmitted/ { for (i = 1; i <= NF; i++) if ($i == "time") t = $(i + 1) }
       END { gsub("ms", "", t); s = t / 1000; fps = 2 * n / s;
             printf "%9.0f frames/s  %7.1f Mbit/s  (%d echo round trips in %.2f s)\n", fps, fps * 98 * 8 / 1e6, n, s }' "$1"
}

# 1. kernel veth + bridge: tpk1 -- tpbr (bridge) -- tpk2
ip netns add tpk1; ip netns add tpk2; ip netns add tpbr
ip -n tpbr link add br0 type bridge; ip -n tpbr link set br0 up
for i in 1 2; do
  ip -n tpbr link add p$i type veth peer name v$i netns tpk$i
  ip -n tpbr link set p$i master br0; ip -n tpbr link set p$i up
  ip -n tpk$i link set v$i up; ip -n tpk$i addr add 10.98.0.$i/24 dev v$i
done
ip netns exec tpk1 ping -q -f -c "$count" 10.98.0.2 >"$work/kernel.txt"
ip netns del tpk2; ip netns del tpbr

# 2. kernel tpk1 -- TAP -- emulated bridge -- emulated host
ip tuntap add dev tptap0 mode tap user nobody
cat >"$work/lab.sh" <<SCRIPT
ip link add br0 type bridge; ip link set br0 up
ip link add tap1 type tap-host tptap0; ip link set tap1 master br0; ip link set tap1 up
ip netns add h1; ip link add v1 type veth peer name p1
ip link set p1 master br0; ip link set p1 up; ip link set v1 netns h1
ip -n h1 link set v1 up; ip -n h1 addr add 10.99.0.11/24 dev v1
touch $work/ready
while [ ! -e $work/done ]; do sleep 0.1; done
SCRIPT
(cd "$work" && TMPDIR="$work" setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$l2lab" run --realtime --no-ipv6 "$work/lab.sh") &
lab=$!
while [ ! -e "$work/ready" ]; do sleep 0.05; done
ip link set tptap0 netns tpk1
ip -n tpk1 link set tptap0 up; ip -n tpk1 addr add 10.99.0.1/24 dev tptap0
ip netns exec tpk1 ping -q -f -c "$count" 10.99.0.11 >"$work/tap.txt"
touch "$work/done"; wait "$lab" || true

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
printf 'kernel veth+bridge:       '; rate "$work/kernel.txt"
printf 'TAP -> l2lab bridge/host: '; rate "$work/tap.txt"
