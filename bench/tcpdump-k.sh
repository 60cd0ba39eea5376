#!/bin/bash
# K concurrent captures: two namespaces on a bridge, K `tcpdump -i pkbr -w cI.pcap` in the
# background, then `ping -c PINGS -i INTERVAL -q` from one namespace to the other, then the
# captures are stopped. The same script runs under `l2lab run` (virtual time, release build) and,
# as root, on the kernel (real tcpdumps on a real bridge, in namespaces pk1 and pk2 made and
# removed here), one after the other for each K. Prints per K and side: wall seconds, CPU
# seconds (user + system, the captures included), the largest process's peak RSS, and the
# captures' resident memory summed just before they are stopped.
# On the kernel the pings take PINGS x INTERVAL seconds of wall time whatever K is (400 s by
# default): that side shows what K captures cost the machine, not a speed.
#   sudo bench/tcpdump-k.sh [K...]          (default: 10 100 500; PINGS=2000 INTERVAL=0.2)
# KERNEL=no skips the kernel side (and the need for root); L2LAB=PATH uses that binary instead
# of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${L2LAB:-}" ]; then
    target=${CARGO_TARGET_DIR:-target}
    cargo build -q --release -p l2lab
    L2LAB=$(realpath "$target/release/l2lab")
fi
pings=${PINGS:-2000}
interval=${INTERVAL:-0.2}
kernel=${KERNEL:-yes}
if [ "$kernel" = yes ] && [ "$(id -u)" != 0 ]; then
    echo "tcpdump-k.sh: the kernel side needs root (or KERNEL=no)" >&2
    exit 1
fi
work=$(mktemp -d)
cleanup() {
    if [ "$kernel" = yes ]; then
        for ns in pk1 pk2; do ip netns del "$ns" 2>/dev/null || true; done
        ip link del pkbr 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
[ $# -gt 0 ] || set -- 10 100 500

# Arguments: K PINGS INTERVAL. Prints the captures' summed RSS in KB, then ping's summary.
cat >"$work/k.sh" <<'SCRIPT'
k=$1
ip netns add pk1
ip netns add pk2
ip link add pkbr type bridge
ip link set pkbr up
for i in 1 2; do
    ip link add pkv$i type veth peer name pkp$i
    ip link set pkp$i master pkbr
    ip link set pkp$i up
    ip link set pkv$i netns pk$i
    ip netns exec pk$i ip addr add 10.77.0.$i/24 dev pkv$i
    ip netns exec pk$i ip link set pkv$i up
done
for i in $(seq "$k"); do
    tcpdump -i pkbr -w c$i.pcap 2>e$i.txt &
done
# Every capture listening before the first ping.
until [ "$(cat e*.txt | grep -c listening)" -ge "$k" ]; do sleep 0.1; done
ip netns exec pk1 ping -c "$2" -i "$3" -q 10.77.0.2 | grep -E 'packets|rtt' || true
ps -o rss= -p "$(jobs -p | paste -sd,)" | awk '{s += $1} END {print "captures-rss-kb", s}'
kill $(jobs -p)
wait
for ns in pk1 pk2; do ip netns del "$ns"; done
ip link del pkbr
SCRIPT

run() { # SIDE K -> "wall cpu peak_kb captures_kb"
    local d
    d=$(mktemp -d -p "$work")
    if [ "$1" = l2lab ]; then
        (cd "$d" && /usr/bin/time -f '%e %U %S %M' -o "$d/time" "$L2LAB" run --no-ipv6 "$work/k.sh" "$2" "$pings" "$interval" >"$d/out" 2>&1)
    else
        (cd "$d" && /usr/bin/time -f '%e %U %S %M' -o "$d/time" bash "$work/k.sh" "$2" "$pings" "$interval" >"$d/out" 2>&1)
    fi
    read -r wall user sys peak < <(tail -1 "$d/time")
    cap=$(awk '$1 == "captures-rss-kb" {print $2}' "$d/out")
    received=$(grep -o '[0-9]* received' "$d/out" || echo '? received')
    echo "$wall $(echo "$user + $sys" | bc -l) $peak ${cap:-?} ${received%% *}"
    rm -rf "$d"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), pings $pings every $interval s"
for k in "$@"; do
    sides=(l2lab)
    [ "$kernel" = yes ] && sides+=(kernel)
    for side in "${sides[@]}"; do
        read -r wall cpu peak cap got < <(run "$side" "$k")
        printf 'K=%-4s %-6s %8.2f s wall %8.2f s cpu  largest process peak %7d KB  captures %8s KB  %s/%s replies\n' \
            "$k" "$side" "$wall" "$cpu" "$peak" "$cap" "$got" "$pings"
    done
done
