#!/usr/bin/env bash
# Wall time of the whole scenarios/ directory: under l2lab --fast (virtual time), under
# l2lab --realtime, and what the real kernel took when the transcripts were recorded
# (the sum of scenarios/*/kernel/wall_ms). One scenario at a time, so the figures compare.
#
# usage: bench/scenarios.sh [--no-realtime]     (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
l2lab=target/release/l2lab

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

kernel_ms=0
n=0
for f in scenarios/*/kernel/wall_ms; do
  kernel_ms=$((kernel_ms + $(cat "$f")))
  n=$((n + 1))
done

t0=$(now)
$l2lab test --jobs 1 scenarios >/tmp/l2lab-bench-fast.txt || true
t1=$(now)
fast=$(secs "$t0" "$t1")

if [ "${1:-}" != "--no-realtime" ]; then
  t0=$(now)
  $l2lab test --jobs 1 --realtime scenarios >/tmp/l2lab-bench-real.txt || true
  t1=$(now)
  real=$(secs "$t0" "$t1")
else
  real="(skipped)"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)"
echo "scenarios: $n"
printf 'kernel (recorded):   %8.2f s\n' "$(awk -v m="$kernel_ms" 'BEGIN { print m / 1000 }')"
printf 'l2lab --realtime:    %8s s\n' "$real"
printf 'l2lab --fast:        %8s s  (%s of the kernel'"'"'s time)\n' "$fast" \
  "$(awk -v f="$fast" -v m="$kernel_ms" 'BEGIN { printf "%.2f%%", 100 * f / (m / 1000) }')"
tail -1 /tmp/l2lab-bench-fast.txt
