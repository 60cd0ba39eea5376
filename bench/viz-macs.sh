#!/bin/bash
# The HTML viewer's cost as the learned MACs grow: a generated trace of one bridge learning N
# distinct MACs on four ports, one event each, drawn with `l2lab viz` (HTML) by the release
# binary. Prints wall time, peak RSS (and its ratio to the trace file's size) and the page's
# size per N; the checkpoints of the tables grew as N^2 before they were spaced by the
# tables' size, and the memory was 40x the trace before the trace was streamed, so those are
# the curves to watch.
#   bench/viz-macs.sh [N...]          (default: 10000 100000)
# With BEFORE=/path/to/an/older/l2lab it draws each trace with that binary too.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p l2lab
L2LAB=$(realpath "$target/release/l2lab")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ $# -gt 0 ] || set -- 10000 100000
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "$@"; do
    bench/macs-trace.py "$n" "$dir/trace.jsonl"
    for bin in "$L2LAB" ${BEFORE:+"$BEFORE"}; do
        rm -f "$dir/lab.html"
        /usr/bin/time -f '%e %M' -o "$dir/t" "$bin" viz "$dir/trace.jsonl" -o "$dir/lab.html" >"$dir/out" 2>&1 || true
        read -r wall rss < <(tail -1 "$dir/t")
        size=$(stat -c %s "$dir/lab.html" 2>/dev/null || echo 0)
        trace=$(stat -c %s "$dir/trace.jsonl")
        printf 'MACs %8d: %8.2f s wall, peak RSS %8d KB (%5.2f x the trace, %d bytes), page %10d bytes (%s)\n' \
            "$n" "$wall" "$rss" "$(awk -v r="$rss" -v t="$trace" 'BEGIN { print r * 1024 / t }')" "$trace" "$size" \
            "$([ "$bin" = "$L2LAB" ] && echo this build || echo before)"
    done
done
