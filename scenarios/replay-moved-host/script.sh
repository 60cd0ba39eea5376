#!/bin/bash
# Replay input: a host moves to another bridge port (its twin ns01b takes its MAC and address
# and ns01 goes away), then talks again; captured on the bridge.
ip link add br0 type bridge
ip link set dev br0 up
ip netns add ns01
ip link add veth01 type veth peer name br-veth01
ip link set br-veth01 master br0
ip link set dev br-veth01 up
ip link set veth01 netns ns01
ip netns exec ns01 ip link set dev veth01 up
ip netns exec ns01 ip addr add 192.168.88.11/24 dev veth01
ip netns add ns02
ip link add veth02 type veth peer name br-veth02
ip link set br-veth02 master br0
ip link set dev br-veth02 up
ip link set veth02 netns ns02
ip netns exec ns02 ip link set dev veth02 up
ip netns exec ns02 ip addr add 192.168.88.12/24 dev veth02
sleep 2
tcpdump -i br0 -nn -w br0.pcap 2>/dev/null &
sleep 1
ip netns exec ns01 ping -c 2 -i 0.2 -W 1 192.168.88.12
MAC01=$(ip netns exec ns01 ip -br link show dev veth01 | awk '{print $3}')
ip netns del ns01
ip netns add ns01b
ip link add veth01b type veth peer name br-veth03
ip link set br-veth03 master br0
ip link set dev br-veth03 up
ip link set veth01b netns ns01b
ip netns exec ns01b ip link set dev veth01b address $MAC01
ip netns exec ns01b ip link set dev veth01b up
ip netns exec ns01b ip addr add 192.168.88.11/24 dev veth01b
sleep 2
ip netns exec ns01b ping -c 2 -i 0.2 -W 1 192.168.88.12
ip netns exec ns02 ping -c 2 -i 0.2 -W 1 192.168.88.11
sleep 1
kill %1
wait
echo "$ tcpdump -nn -e -r br0.pcap"
tcpdump -nn -e -r br0.pcap
