#!/bin/bash
# Three bridges in a ring, STP on in all. br0 has the lowest address and becomes root; on
# the segment between br1 and br2 the port of the bridge with the higher id (br2) blocks.
# Hosts on br1 and br2 reach each other through br0. Timer values are masked.
mask() { sed -E '/timer/s/ +[0-9]+\.[0-9]{2}\b/ T/g'; }
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
echo '$ brctl show'
brctl show
for b in br0 br1 br2; do
  echo "\$ brctl showstp $b"
  brctl showstp $b | mask
done
echo '$ tcpdump -c 2 -n -i c21 -w ring.pcap'
tcpdump -c 2 -n -i c21 -w ring.pcap 2>/dev/null
echo '$ tcpdump -v -n -r ring.pcap'
tcpdump -v -n -r ring.pcap 2>/dev/null
echo '$ ip netns exec red ping -c 2 10.0.0.2'
ip netns exec red ping -c 2 10.0.0.2
echo "rc=$?"
