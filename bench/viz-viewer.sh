#!/bin/bash
# The HTML viewer in a browser as the trace grows: a trace of one bridge learning N MACs
# (bench/macs-trace.py) drawn with `l2lab viz`, then opened in headless Chromium at 90 % of
# the way with the page's self-test (`#step=S&walk=K&jumps=J`): it steps forward through the K
# events before S, back through 1,000 of them, and makes J jumps to random steps, timing each.
# Prints the page's size, the time the browser took to read it (navigation start to the
# page's script), the script's load time (to the step shown), the 99th percentiles of steps, steps back and
# jumps, Chromium's wall time and the largest process's peak RSS.
#   bench/viz-viewer.sh [N...]          (default: 10000 100000 1000000)
# CHROMIUM=/path/to/chromium to choose the browser; WALK=K (default 2000), JUMPS=J (default 50).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p l2lab
L2LAB=$(realpath "$target/release/l2lab")
chrome=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$chrome" ] || { echo "no Chromium: set CHROMIUM=/path/to/it" >&2; exit 1; }
walk=${WALK:-2000}
jumps=${JUMPS:-50}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ $# -gt 0 ] || set -- 10000 100000 1000000
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), $("$chrome" --version 2>/dev/null | head -1)"
for n in "$@"; do
    bench/macs-trace.py "$n" "$dir/trace.jsonl"
    "$L2LAB" viz "$dir/trace.jsonl" -o "$dir/lab.html" >/dev/null
    step=$((n * 9 / 10))
    rm -rf "$dir/profile"
    /usr/bin/time -f '%e %M' -o "$dir/t" timeout 900 "$chrome" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update --disable-sync --no-first-run \
        --virtual-time-budget=2000 --window-size=1280,800 --user-data-dir="$dir/profile" \
        --dump-dom "file://$dir/lab.html#step=$step&walk=$walk&jumps=$jumps" >"$dir/dom" 2>/dev/null || true
    read -r wall rss < <(tail -1 "$dir/t")
    body=$(grep -o '<body[^>]*>' "$dir/dom" | head -1 || true)
    get() { sed -nE "s/.* $1=\"([^\"]*)\".*/\1/p" <<<"$body"; }
    shown=$(grep -o 'id="step-no">[^<]*' "$dir/dom" | head -1 | sed 's/.*>//' || true)
    printf 'events %8d: page %6.1f MB, read %8s ms, load %8s ms, step p99 %6s ms, back p99 %6s ms, jump p99 %8s ms (worst %s); chromium %6.1f s wall, peak RSS %7d KB; shows "%s"\n' \
        "$n" "$(awk -v s="$(stat -c %s "$dir/lab.html")" 'BEGIN { print s / 1e6 }')" \
        "$(get data-parse-ms)" "$(get data-load-ms)" "$(get data-step-p99-ms)" "$(get data-back-p99-ms)" "$(get data-jump-p99-ms)" \
        "$(get data-jump-ms)" "$wall" "$rss" "$shown"
done
