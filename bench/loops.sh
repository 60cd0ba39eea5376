#!/bin/bash
# Per-command costs in a script, swept over the loop's length so that a cost that grows with
# the lab's size shows as a per-command figure that grows with N:
#   sleep: N x `sleep 0.001` under `l2lab run --fast` (the lab's sleep, virtual time) and, in
#          the same run, interleaved, N x the real /bin/sleep 0.001 in bash;
#   netns: N x `ip netns add hN` under `l2lab run --fast` and, as root with N <= 1000, the
#          same on the kernel (names pflN, deleted after);
#   show:  N x `ip -br link show` under `l2lab run --fast` and the real `ip` (in a fresh
#          namespace pflroot as root, else the host's).
# Each loop is timed by bash's `time` inside the script (neither bash's start nor the lab's
# start and stop is counted); the lab's peak RSS comes from /usr/bin/time around `l2lab run`.
#   bench/loops.sh [N...]          (default: 1000 3000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build -q --release -p l2lab
L2LAB=$(realpath "$target/release/l2lab")
work=$(mktemp -d)
root=$([ "$(id -u)" = 0 ] && echo yes || echo no)
cleanup() {
    if [ "$root" = yes ]; then
        for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^pfl(root|[0-9]+)$/ {print $1}'); do ip netns del "$ns"; done
    fi
    rm -rf "$work"
}
trap cleanup EXIT
[ $# -gt 0 ] || set -- 1000 3000 10000

cat >"$work/sleep.sh" <<'SCRIPT'
TIMEFORMAT=%R
{ time for i in $(seq $1); do sleep 0.001; done; } 2>&1
SCRIPT
cat >"$work/realsleep.sh" <<'SCRIPT'
TIMEFORMAT=%R
{ time for i in $(seq $1); do /bin/sleep 0.001; done; } 2>&1
SCRIPT
cat >"$work/netns.sh" <<'SCRIPT'
TIMEFORMAT=%R
{ time for i in $(seq $1); do ip netns add pfl$i; done; } 2>&1
SCRIPT
cat >"$work/show.sh" <<'SCRIPT'
TIMEFORMAT=%R
{ time for i in $(seq $1); do ip -br link show; done >/dev/null; } 2>&1
SCRIPT

l2lab() { # SCRIPT N -> "seconds peak_kb"
    local t m
    t=$(cd "$work" && /usr/bin/time -f '%M' -o "$work/rss" "$L2LAB" run --fast --no-ipv6 "$1" "$2" 2>/dev/null | tail -1)
    m=$(cat "$work/rss")
    echo "$t $m"
}
kernel_netns() { # N -> seconds
    local t
    t=$(bash "$work/netns.sh" "$1" | tail -1)
    for i in $(seq "$1"); do ip netns del "pfl$i"; done
    echo "$t"
}
kernel_show() { # N -> seconds
    local t
    if [ "$root" = yes ]; then
        ip netns add pflroot
        t=$(ip netns exec pflroot bash "$work/show.sh" "$1" | tail -1)
        ip netns del pflroot
    else
        t=$(bash "$work/show.sh" "$1" | tail -1)
    fi
    echo "$t"
}
per() { echo "$1 * 1000 / $2" | bc -l; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "$@"; do
    read -r t m < <(l2lab "$work/sleep.sh" "$n")
    r=$(bash "$work/realsleep.sh" "$n" | tail -1)
    printf 'sleep N=%-6s l2lab %7.3f s (%.3f ms each, lab peak %6d KB)   real /bin/sleep %7.3f s (%.3f ms each)   ratio %.2f\n' \
        "$n" "$t" "$(per "$t" "$n")" "$m" "$r" "$(per "$r" "$n")" "$(echo "$t / $r" | bc -l)"
    read -r t m < <(l2lab "$work/netns.sh" "$n")
    if [ "$root" = yes ] && [ "$n" -le 1000 ]; then
        k=$(kernel_netns "$n")
        kernel=$(printf 'kernel %7.3f s (%.3f ms each)' "$k" "$(per "$k" "$n")")
    else
        kernel="kernel -"
    fi
    printf 'netns N=%-6s l2lab %7.3f s (%.3f ms each, lab peak %6d KB)   %s\n' \
        "$n" "$t" "$(per "$t" "$n")" "$m" "$kernel"
    read -r t m < <(l2lab "$work/show.sh" "$n")
    k=$(kernel_show "$n")
    printf 'show  N=%-6s l2lab %7.3f s (%.3f ms each, lab peak %6d KB)   real ip %7.3f s (%.3f ms each)   ratio %.2f\n' \
        "$n" "$t" "$(per "$t" "$n")" "$m" "$k" "$(per "$k" "$n")" "$(echo "$t / $k" | bc -l)"
done
