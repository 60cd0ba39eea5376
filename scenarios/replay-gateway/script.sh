#!/bin/bash
# Replay input: the bridge's own address as the hosts' gateway, with forwarding on and no route
# beyond it (net unreachable), captured on the bridge.
ip link add br0 type bridge
ip link set dev br0 up
ip addr add 192.168.88.1/24 dev br0
sysctl -q -w net.ipv4.conf.all.forwarding=1
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
ip netns exec ns01 ip route add default via 192.168.88.1
ip netns exec ns02 ip route add default via 192.168.88.1
sleep 2
tcpdump -i br0 -nn -w br0.pcap 2>/dev/null &
sleep 1
ip netns exec ns01 ping -c 2 -i 0.2 -W 1 192.168.88.1
ip netns exec ns01 ping -c 1 -W 1 192.168.88.12
ip netns exec ns02 ping -c 1 -W 1 10.9.9.9
sleep 1
kill %1
wait
echo "$ tcpdump -nn -e -r br0.pcap"
tcpdump -nn -e -r br0.pcap
