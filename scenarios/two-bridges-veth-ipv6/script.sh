#!/bin/bash
# Two bridges are two broadcast domains until a veth pair joins them (seed 003's two
# bridges joined by a veth pair, with Linux bridges instead of Open vSwitch).
ip link add br0 type bridge
ip link set dev br0 up
ip link add br1 type bridge
ip link set dev br1 up
ip netns add red
ip link add veth2 type veth peer name veth3
ip link set veth3 master br0
ip link set dev veth3 up
ip link set veth2 netns red
ip netns exec red ip link set dev veth2 up
ip netns exec red ip addr add 10.0.2.101/24 dev veth2
ip netns add blue
ip link add veth4 type veth peer name veth5
ip link set veth5 master br1
ip link set dev veth5 up
ip link set veth4 netns blue
ip netns exec blue ip link set dev veth4 up
ip netns exec blue ip addr add 10.0.2.102/24 dev veth4
sleep 2
echo '$ bridge link'
bridge link
tcpdump -i br1 -nn -e -w br1.pcap 2>/dev/null &
sleep 1
echo '$ ip netns exec red ping -c 1 -W 1 10.0.2.102'
ip netns exec red ping -c 1 -W 1 10.0.2.102
echo "rc=$?"
echo '$ sleep 4'
sleep 4
echo '$ ip netns exec red ip neigh'
ip netns exec red ip neigh
echo '$ ip link add veth-br0 type veth peer name veth-br1'
ip link add veth-br0 type veth peer name veth-br1
echo '$ ip link set veth-br0 master br0'
ip link set veth-br0 master br0
echo '$ ip link set veth-br1 master br1'
ip link set veth-br1 master br1
echo '$ ip link set veth-br0 up'
ip link set veth-br0 up
echo '$ ip link set veth-br1 up'
ip link set veth-br1 up
sleep 2
echo '$ bridge link'
bridge link
echo '$ ip netns exec red ping -c 2 -i 0.2 10.0.2.102'
ip netns exec red ping -c 2 -i 0.2 10.0.2.102
echo "rc=$?"
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ bridge fdb show br br1 | grep -v permanent'
bridge fdb show br br1 | grep -v permanent
sleep 1
kill %1
wait
echo '$ tcpdump -nn -e -r br1.pcap'
tcpdump -nn -e -r br1.pcap
