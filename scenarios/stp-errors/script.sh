#!/bin/bash
# The bridge's STP settings out of the kernel's ranges: hello_time 1-10 s, max_age 6-40 s,
# forward_delay 2-30 s (only checked while STP is on), port cost 1-65535, port priority
# 0-63; ip's own parse errors; brctl's words for the same.
ip link add br0 type bridge
ip link add a0 address 02:00:00:00:00:a0 type veth peer name b0 address 02:00:00:00:00:b0
ip link set a0 master br0
for v in "hello_time 50" "hello_time 1100" "max_age 500" "max_age 4100" "forward_delay 100" "forward_delay 3100" "priority 70000" "priority x"; do
  echo "\$ ip link set br0 type bridge $v"
  ip link set br0 type bridge $v
  echo "rc=$?"
done
ip link set br0 type bridge stp_state 1
for v in "forward_delay 100" "forward_delay 3100" "priority 4096 hello_time 100 max_age 600 forward_delay 400"; do
  echo "\$ ip link set br0 type bridge $v"
  ip link set br0 type bridge $v
  echo "rc=$?"
done
echo '$ ip -d link show br0 | grep -o "forward_delay.*root_path_cost [0-9]*"'
ip -d link show br0 | grep -o "forward_delay.*root_path_cost [0-9]*"
for c in "setbridgeprio br0 x" "setbridgeprio br0 0x64" "setfd br0 1" "setfd br0 31" "setfd br0 x" \
         "sethello br0 0.5" "sethello br0 11" "sethello br0 x" "setmaxage br0 5" "setmaxage br0 41" \
         "setmaxage br0 x" "setfd nobr 3" "sethello lo 2" "setfd br0 4" "sethello br0 1" "setmaxage br0 6" \
         "setpathcost br0 a0 0" "setpathcost br0 a0 70000" "setportprio br0 a0 64"; do
  echo "\$ brctl $c"
  brctl $c
  echo "rc=$?"
done
for v in "cost 0" "cost 70000" "priority 64" "cost 7 priority 3"; do
  echo "\$ bridge link set dev a0 $v"
  bridge link set dev a0 $v
  echo "rc=$?"
done
echo '$ bridge -d link show dev a0'
bridge -d link show dev a0
echo '$ brctl showstp br0'
brctl showstp br0 | sed -E '/timer/s/ +[0-9]+\.[0-9]{2}\b/ T/g'
echo '$ ip link set br0 type bridge stp_state 0'
ip link set br0 type bridge stp_state 0
echo '$ brctl setfd br0 0'
brctl setfd br0 0
echo "rc=$?"
echo '$ brctl showstp br0 | head -7'
brctl showstp br0 | head -7
