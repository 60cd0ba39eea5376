#!/bin/bash
# Failover: a ring of three bridges with STP converges (br0 root, c21 blocking); pings go
# red (br1) -> br0 -> blue (br2). The link br0-br1 goes down: br1 loses its root port,
# claims to be root, br2 keeps the better information until max_age expires on c21, then
# c21 becomes designated and br1 takes its root port through br2; after the listening and
# learning delays pings flow again through c21.
for b in br0 br1 br2; do ip link add $b type bridge; done
ip link add a01 address 02:00:00:00:00:a1 type veth peer name b10 address 02:00:00:00:00:b0
ip link add b12 address 02:00:00:00:00:b2 type veth peer name c21 address 02:00:00:00:00:c1
ip link add c20 address 02:00:00:00:00:c0 type veth peer name a02 address 02:00:00:00:00:a2
for p in a01 a02; do ip link set $p master br0; done
for p in b10 b12; do ip link set $p master br1; done
for p in c20 c21; do ip link set $p master br2; done
for b in br0 br1 br2; do ip link set $b type bridge stp_state 1; done
ip netns add red
ip netns add blue
ip link add eth0 address 02:00:00:00:00:01 type veth peer name red0 address 02:00:00:00:00:e1
ip link set eth0 netns red
ip link add eth0 address 02:00:00:00:00:02 type veth peer name blue0 address 02:00:00:00:00:e2
ip link set eth0 netns blue
ip link set red0 master br1
ip link set blue0 master br2
ip netns exec red ip addr add 10.0.0.1/24 dev eth0
ip netns exec blue ip addr add 10.0.0.2/24 dev eth0
ip netns exec red ip link set eth0 up
ip netns exec blue ip link set eth0 up
for l in a01 b10 b12 c21 c20 a02 red0 blue0 br0 br1 br2; do ip link set $l up; done
sleep 36
echo '$ bridge link'
bridge link
echo '$ ip netns exec red ping -c 1 10.0.0.2'
ip netns exec red ping -c 1 10.0.0.2 | grep -E 'transmitted'
echo '$ ip link set a01 down'
ip link set a01 down
sleep 5
echo '$ bridge link   # 5 s later'
bridge link
echo '$ ip netns exec red ping -c 1 -W 1 10.0.0.2'
ip netns exec red ping -c 1 -W 1 10.0.0.2 | grep -E 'transmitted'
sleep 20
echo '$ bridge link   # 25 s later'
bridge link
sleep 35
echo '$ bridge link   # 60 s later'
bridge link
echo '$ ip -d link show br1 | grep -o "designated_root.*root_path_cost [0-9]*"'
ip -d link show br1 | grep -o "designated_root.*root_path_cost [0-9]*"
echo '$ ip netns exec red ping -c 1 10.0.0.2'
ip netns exec red ping -c 1 10.0.0.2 | grep -E 'transmitted'
