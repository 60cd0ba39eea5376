#!/bin/bash
# Load on one lab: N tutorial commands at once, 300 running pings killed with SIGKILL
# mid-command, 500 `ip monitor` open at once, each followed by a health check; prints wall
# time and the peak memory of the largest process (the lab).
# usage: bench/load.sh [N]   (N concurrent commands, default 1000); L2LAB=path overrides the binary
set -u
N=${1:-1000}
L2LAB=${L2LAB:-target/release/l2lab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/concurrent.sh" <<EOS
ip link add br0 type bridge; ip link set br0 up
for i in \$(seq $N); do ip -br link show br0 > /dev/null & done
wait
echo "health: \$(ip -br link show br0 | wc -l) bridge listed after $N concurrent commands"
EOS
cat > "$tmp/killed.sh" <<'EOS'
ip link add br0 type bridge; ip link set br0 up; ip addr add 10.9.0.1/24 dev br0
for i in $(seq 300); do ping -q 10.9.0.1 > /dev/null & done
sleep 2
kill -9 $(jobs -p) 2>/dev/null
wait 2>/dev/null
echo "health: $(ping -c 1 10.9.0.1 | grep -c 'bytes from') reply after 300 pings were killed"
EOS
cat > "$tmp/monitors.sh" <<'EOS'
ip link add br0 type bridge; ip link set br0 up
for i in $(seq 500); do ip monitor neigh > /dev/null & done
sleep 1
echo "health: $(ip -br link show br0 | wc -l) bridge listed beside 500 monitors"
kill $(jobs -p)
wait 2>/dev/null
EOS
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r), load $(cut -d' ' -f1 /proc/loadavg), $(date -u +%FT%TZ)"
for s in concurrent killed monitors; do
  /usr/bin/time -f "$s: %e s wall, %M KiB peak RSS (largest process)" "$L2LAB" run "$tmp/$s.sh" 2>&1 | grep -v Killed
done
