#!/bin/bash
# `l2lab viz --format svg` as the namespaces grow: for each N, a trace of N namespaces with a
# veth each on one bridge (written by `l2lab run --trace`), then the SVG drawn from it, with
# its wall time and peak RSS. With BEFORE=/path/to/an/older/l2lab that binary draws it too.
#   bench/viz-svg.sh [N...]          (default: 1000 4000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p l2lab
L2LAB=$(realpath "$target/release/l2lab")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
[ $# -gt 0 ] || set -- 1000 4000 10000
cat >"$dir/build.sh" <<'SCRIPT'
ip link add br0 type bridge
for i in $(seq $1); do
    ip netns add n$i
    ip link add v$i type veth peer name e$i netns n$i
    ip link set v$i master br0
done
SCRIPT
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "$@"; do
    (cd "$dir" && "$L2LAB" run --no-ipv6 --trace "$dir/t.jsonl" "$dir/build.sh" "$n")
    for bin in "$L2LAB" ${BEFORE:+"$BEFORE"}; do
        /usr/bin/time -f '%e %M' -o "$dir/time" "$bin" viz --format svg "$dir/t.jsonl" -o "$dir/t.svg"
        read -r wall rss < <(tail -1 "$dir/time")
        printf 'namespaces %6d: svg in %7.2f s, peak RSS %7d KB, trace %s bytes, svg %s bytes (%s)\n' \
            "$n" "$wall" "$rss" "$(stat -c %s "$dir/t.jsonl")" "$(stat -c %s "$dir/t.svg")" \
            "$([ "$bin" = "$L2LAB" ] && echo this build || echo before)"
    done
done
