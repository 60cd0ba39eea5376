#!/bin/bash
# Scale side by side: N namespaces, each with a veth whose other end is a port of one bridge,
# up, with an address; then every namespace pings the bridge once. On the kernel (root; all
# names start with pf, everything is deleted on exit) through `ip -batch`, and in l2lab
# through the Lab API (sim/benches/scale.rs), in the same run.
#   sudo bench/kernel-scale.sh [N ...]        (default: 100 1000 on the kernel)
# L2LAB_SIZES overrides the l2lab sizes (default: the kernel's and 10000).
#
# The kernel's bridge lives in a namespace of its own (pfroot), so the host's addresses and
# routes are untouched; l2lab's lives in its initial namespace. IPv6 is off in every kernel
# namespace (as l2lab runs by default): DAD and MLD would add their own traffic. One `ip -n
# NS -batch` per namespace sets its address and brings it up; the build time is reported in
# two parts: the host-side batch, and those per-namespace runs (mostly process start-up).
# Kernel memory is the growth of Slab + KernelStack + PageTables + Percpu in /proc/meminfo
# across the build: a whole-machine figure, noisy while others work on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100 1000)
L2SIZES=${L2LAB_SIZES:-"${SIZES[*]} 10000"}
[ "$(id -u)" = 0 ] || { echo "kernel-scale.sh: needs root" >&2; exit 1; }

work=$(mktemp -d)
cleanup() {
    ip netns list 2>/dev/null | awk '$1 ~ /^pf(s[0-9]+|root)$/ {print "netns del " $1}' >"$work/del"
    [ -s "$work/del" ] && ip -force -batch "$work/del" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

kmem_kib() {
    awk '/^(Slab|KernelStack|PageTables|Percpu):/ {s += $2} END {print s}' /proc/meminfo
}
now() { date +%s.%N; }

kernel_run() {
    local n=$1
    : >"$work/host" >"$work/ns"
    echo "netns add pfroot" >"$work/root"
    for ((i = 0; i < n; i++)); do echo "netns add pfs$i"; done >>"$work/root"
    {
        echo "link add pfb0 type bridge"
        echo "addr add 10.0.0.1/16 dev pfb0"
        echo "link set pfb0 up"
        for ((i = 0; i < n; i++)); do
            echo "link add pfv$i type veth peer name veth0 netns pfs$i"
            echo "link set pfv$i master pfb0 up"
        done
    } >"$work/host"
    local m0 t0 t1 t2 t3
    m0=$(kmem_kib)
    t0=$(now)
    ip -batch "$work/root"
    # IPv6 off in every namespace before its veth exists, from one process that enters each.
    python3 - "$n" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for name in ["pfroot"] + [f"pfs{i}" for i in range(int(sys.argv[1]))]:
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
        sys.exit(f"setns {name}: {os.strerror(ctypes.get_errno())}")
    os.close(fd)
    for k in ("all", "default"):
        with open(f"/proc/sys/net/ipv6/conf/{k}/disable_ipv6", "w") as f:
            f.write("1")
PY
    ip -n pfroot -batch "$work/host"
    t1=$(now)
    # Per namespace, the address and up: ip -batch cannot change namespace per line.
    for ((i = 0; i < n; i++)); do
        a=$((i + 2))
        printf 'addr add 10.0.%d.%d/16 dev veth0\nlink set veth0 up\n' $((a / 256)) $((a % 256)) |
            ip -n pfs$i -batch -
    done
    t2=$(now)
    local m1
    m1=$(kmem_kib)
    # Every namespace pings the bridge once, 8 at a time.
    local ok
    ok=$(for ((i = 0; i < n; i++)); do echo $i; done |
        xargs -P 8 -I{} ip netns exec pfs{} ping -c 1 -W 5 -q 10.0.0.1 2>/dev/null |
        grep -c ' 1 received' || true)
    t3=$(now)
    printf 'kernel n=%d: build %.2f s (namespaces, bridge and veths %.2f s; addresses and up %.2f s), kernel memory +%.0f MiB; %d pings, %d replies, %.2f s wall\n' \
        "$n" "$(echo "$t2 - $t0" | bc)" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" \
        "$(echo "($m1 - $m0) / 1024" | bc -l)" "$n" "$ok" "$(echo "$t3 - $t2" | bc)"
    cleanup
    work=$(mktemp -d)
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench -q -p l2lab-sim --bench scale --no-run 2>/dev/null
for n in $L2SIZES; do
    cargo bench -q -p l2lab-sim --bench scale -- "$n" 2>/dev/null | sed 's/^scale/l2lab /'
done
for n in "${SIZES[@]}"; do
    kernel_run "$n"
done
