#!/bin/bash
# Root change by priority: two bridges joined twice converge with br0 (lower address) as
# root; then br1's priority is set to 4096 and br1 becomes root at once, br0 takes its
# root port towards it and blocks its other port, which goes through listening and
# learning on the way. Timer values are masked.
mask() { sed -E '/timer/s/ +[0-9]+\.[0-9]{2}\b/ T/g'; }
ip link add br0 type bridge
ip link add br1 type bridge
ip link add a0 address 02:00:00:00:00:a0 type veth peer name b0 address 02:00:00:00:00:b0
ip link add a1 address 02:00:00:00:00:a1 type veth peer name b1 address 02:00:00:00:00:b1
ip link set a0 master br0
ip link set a1 master br0
ip link set b0 master br1
ip link set b1 master br1
brctl stp br0 on
brctl stp br1 on
for l in a0 a1 b0 b1 br0 br1; do ip link set $l up; done
sleep 36
echo '$ bridge link'
bridge link
echo '$ ip link set br1 type bridge priority 4096'
ip link set br1 type bridge priority 4096
sleep 1
echo '$ bridge link   # 1 s later'
bridge link
echo '$ ip -d link show br0 | grep -o "priority.*root_path_cost [0-9]*"'
ip -d link show br0 | grep -o "priority.*root_path_cost [0-9]*"
echo '$ ip -d link show br1 | grep -o "priority.*root_path_cost [0-9]*"'
ip -d link show br1 | grep -o "priority.*root_path_cost [0-9]*"
sleep 35
echo '$ bridge link   # 36 s later'
bridge link
echo '$ brctl showstp br0'
brctl showstp br0 | mask
echo '$ brctl setbridgeprio br0 0'
brctl setbridgeprio br0 0
sleep 1
echo '$ brctl showstp br1 | head -4'
brctl showstp br1 | head -4
