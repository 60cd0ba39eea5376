#!/bin/bash
# The cost of `ip` commands: through the lab socket under `l2lab run --fast`, and the real `ip`
# on the kernel, in the same run, interleaved. Two loops, each timed by bash's `time` inside the
# script (so neither bash's start nor the lab's start and stop is counted):
#   build: a bridge, then 50 hosts of 6 commands each (netns add, veth pair, master, up, the
#          move into the namespace, `ip netns exec ... ip addr add`): 300 commands;
#   show:  300 x `ip -br link show`.
# Each runs RUNS times on each side (default 7), l2lab and kernel in turn; the median time / 300
# is the cost of one command, fork and exec included on both sides.
#   sudo bench/kernel-tools.sh [RUNS]
# The kernel side runs in namespace pfroot (names start with pf; all deleted after each run).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "kernel-tools.sh: needs root" >&2; exit 1; }
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release -p l2lab
L2LAB=$(realpath "$target/release/l2lab")
work=$(mktemp -d)
cleanup() {
    for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^pf(root|h[0-9]+)$/ {print $1}'); do ip netns del "$ns"; done
    rm -rf "$work"
}
trap cleanup EXIT

runs=${1:-7}
cat >"$work/build.sh" <<'SCRIPT'
TIMEFORMAT=%R
{ time {
    ip link add pfbr type bridge
    ip link set pfbr up
    for i in $(seq 50); do
        ip netns add pfh$i
        ip link add pfv$i type veth peer name pfp$i
        ip link set pfp$i master pfbr
        ip link set pfp$i up
        ip link set pfv$i netns pfh$i
        ip netns exec pfh$i ip addr add 10.9.$((i / 200)).$((i % 200 + 1))/16 dev pfv$i
    done
} >/dev/null; } 2>&1
SCRIPT
cat >"$work/show.sh" <<'SCRIPT'
TIMEFORMAT=%R
{ time for i in $(seq 300); do ip -br link show; done >/dev/null; } 2>&1
SCRIPT

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
cleanup_ns() {
    for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^pf(root|h[0-9]+)$/ {print $1}'); do ip netns del "$ns"; done
}
t_l2lab() { # SCRIPT -> seconds of its timed loop
    local d t
    d=$(mktemp -d)
    t=$(cd "$d" && "$L2LAB" run --fast --no-ipv6 "$1" 2>/dev/null | tail -1)
    rm -rf "$d"
    echo "$t"
}
t_kernel() { # SCRIPT -> seconds of its timed loop, run inside a fresh namespace pfroot
    local t
    ip netns add pfroot
    t=$(ip netns exec pfroot bash "$1" 2>/dev/null | tail -1)
    cleanup_ns
    echo "$t"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in build show; do
    : >"$work/$s.l2lab"; : >"$work/$s.kernel"
    for r in $(seq "$runs"); do
        t_l2lab "$work/$s.sh" >>"$work/$s.l2lab"
        t_kernel "$work/$s.sh" >>"$work/$s.kernel"
    done
    l=$(median <"$work/$s.l2lab"); k=$(median <"$work/$s.kernel")
    printf '%-5s 300 commands, median of %d: l2lab %.3f s (%.2f ms per command), kernel %.3f s (%.2f ms per command), l2lab/kernel %.2f\n' \
        "$s" "$runs" "$l" "$(echo "$l * 1000 / 300" | bc -l)" "$k" "$(echo "$k * 1000 / 300" | bc -l)" "$(echo "$l / $k" | bc -l)"
done
