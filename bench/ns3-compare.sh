#!/bin/bash
# Virtual time side by side with ns-3, in the same run: N hosts on one bridge, hosts 1..N-1
# each pinging host 0 COUNT times at 1 s intervals — ns-3 (bench/ns3-star.py: CSMA links to a
# BridgeNetDevice; `pip install ns3`) and l2lab (the Lab API in virtual time,
# sim/benches/scale.rs star), for 1,000 x 10 and 100 x 100.
#   bench/ns3-compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'from ns import ns' 2>/dev/null || { echo "ns3-compare.sh: pip install ns3" >&2; exit 1; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench -q -p l2lab-sim --bench scale --no-run 2>/dev/null
for nc in "1000 10" "100 100"; do
    set -- $nc
    python3 bench/ns3-star.py "$1" "$2" 2>&1 | grep '^ns-3'
    for r in 1 2 3; do
        cargo bench -q -p l2lab-sim --bench scale -- star "$1" "$2" 2>/dev/null | sed 's/^star/l2lab star/'
    done
done
