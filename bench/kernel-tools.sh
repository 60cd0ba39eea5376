#!/bin/bash
# The cost of `ip` commands: through the lab socket under `l2lab run --fast`, and the real `ip`
# on the kernel, in the same run. Two scripts of 50 commands each: a tutorial-shaped build (a
# bridge and 8 hosts: netns add, veth pair, master, up, move, address) and 50 `ip -br link
# show`. Each runs 5 times on each side; the median wall time, less the median of an empty
# script (bash and, for l2lab, the lab process starting and stopping), divided by 50 gives the
# cost of one command.
#   sudo bench/kernel-tools.sh
# The kernel side runs in namespace pfroot (names start with pf; all deleted after each run).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "kernel-tools.sh: needs root" >&2; exit 1; }
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release -p l2lab
L2LAB=$(realpath "$target/release/l2lab")
work=$(mktemp -d)
cleanup() {
    for ns in $(ip netns list | awk '$1 ~ /^pf(root|h[0-9]+)$/ {print $1}'); do ip netns del "$ns"; done
    rm -rf "$work"
}
trap cleanup EXIT

{
    echo "ip link add pfbr type bridge"
    echo "ip link set pfbr up"
    for i in 1 2 3 4 5 6 7 8; do
        echo "ip netns add pfh$i"
        echo "ip link add pfv$i type veth peer name pfp$i"
        echo "ip link set pfp$i master pfbr"
        echo "ip link set pfp$i up"
        echo "ip link set pfv$i netns pfh$i"
        echo "ip netns exec pfh$i ip addr add 10.9.0.$i/24 dev pfv$i"
    done
} >"$work/build50.sh"
for i in $(seq 50); do echo "ip -br link show"; done >"$work/show50.sh"
echo "true" >"$work/empty.sh"

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
t_l2lab() { # SCRIPT -> seconds
    local d s e
    d=$(mktemp -d)
    s=$(date +%s.%N)
    (cd "$d" && "$L2LAB" run --fast --no-ipv6 "$1" >/dev/null 2>&1) || true
    e=$(date +%s.%N)
    rm -rf "$d"
    echo "$e - $s" | bc
}
t_kernel() { # SCRIPT -> seconds, run inside a fresh namespace pfroot
    local s e
    ip netns add pfroot
    s=$(date +%s.%N)
    ip netns exec pfroot bash "$1" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    cleanup_ns
    echo "$e - $s" | bc
}
cleanup_ns() {
    for ns in $(ip netns list | awk '$1 ~ /^pf(root|h[0-9]+)$/ {print $1}'); do ip netns del "$ns"; done
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for side in l2lab kernel; do
    declare -A med=()
    for s in empty build50 show50; do
        med[$s]=$(for r in 1 2 3 4 5; do "t_$side" "$work/$s.sh"; done | median)
    done
    for s in build50 show50; do
        printf '%-6s %-8s script %.3f s (empty script %.3f s): %.2f ms per command\n' "$side" "$s" \
            "${med[$s]}" "${med[empty]}" "$(echo "(${med[$s]} - ${med[empty]}) * 1000 / 50" | bc -l)"
    done
done
