#!/bin/bash
# A router namespace between two subnets: nothing passes until ip_forward is 1; then ttl=63.
echo '$ ip netns add router'
ip netns add router
echo '$ ip netns add ns01'
ip netns add ns01
echo '$ ip netns add ns02'
ip netns add ns02
echo '$ ip link add veth01 type veth peer name r-veth01'
ip link add veth01 type veth peer name r-veth01
echo '$ ip link add veth02 type veth peer name r-veth02'
ip link add veth02 type veth peer name r-veth02
echo '$ ip link set veth01 netns ns01'
ip link set veth01 netns ns01
echo '$ ip link set veth02 netns ns02'
ip link set veth02 netns ns02
echo '$ ip link set r-veth01 netns router'
ip link set r-veth01 netns router
echo '$ ip link set r-veth02 netns router'
ip link set r-veth02 netns router
echo '$ ip netns exec router ip addr add 10.0.1.1/24 dev r-veth01'
ip netns exec router ip addr add 10.0.1.1/24 dev r-veth01
echo '$ ip netns exec router ip addr add 10.0.2.1/24 dev r-veth02'
ip netns exec router ip addr add 10.0.2.1/24 dev r-veth02
echo '$ ip netns exec router ip link set r-veth01 up'
ip netns exec router ip link set r-veth01 up
echo '$ ip netns exec router ip link set r-veth02 up'
ip netns exec router ip link set r-veth02 up
echo '$ ip netns exec ns01 ip addr add 10.0.1.2/24 dev veth01'
ip netns exec ns01 ip addr add 10.0.1.2/24 dev veth01
echo '$ ip netns exec ns01 ip link set veth01 up'
ip netns exec ns01 ip link set veth01 up
echo '$ ip netns exec ns01 ip route add default via 10.0.1.1'
ip netns exec ns01 ip route add default via 10.0.1.1
echo '$ ip netns exec ns02 ip addr add 10.0.2.2/24 dev veth02'
ip netns exec ns02 ip addr add 10.0.2.2/24 dev veth02
echo '$ ip netns exec ns02 ip link set veth02 up'
ip netns exec ns02 ip link set veth02 up
echo '$ ip netns exec ns02 ip route add default via 10.0.2.1'
ip netns exec ns02 ip route add default via 10.0.2.1
sleep 2
echo '$ ip netns exec router ip route'
ip netns exec router ip route
echo '$ ip netns exec router sysctl net.ipv4.ip_forward'
ip netns exec router sysctl net.ipv4.ip_forward
echo '$ ip netns exec ns01 ping -c 1 10.0.1.1'
ip netns exec ns01 ping -c 1 10.0.1.1
echo '$ ip netns exec ns01 ping -c 1 10.0.2.1'
ip netns exec ns01 ping -c 1 10.0.2.1
echo '$ ip netns exec ns01 ping -c 1 -W 1 10.0.2.2'
ip netns exec ns01 ping -c 1 -W 1 10.0.2.2
echo "rc=$?"
echo '$ ip netns exec router sysctl -w net.ipv4.ip_forward=1'
ip netns exec router sysctl -w net.ipv4.ip_forward=1
echo '$ ip netns exec ns01 ping -c 3 -i 0.2 10.0.2.2'
ip netns exec ns01 ping -c 3 -i 0.2 10.0.2.2
echo "rc=$?"
echo '$ ip netns exec ns02 ping -c 1 10.0.1.2'
ip netns exec ns02 ping -c 1 10.0.1.2
echo '$ ip netns exec ns01 ip route get 10.0.2.2'
ip netns exec ns01 ip route get 10.0.2.2
echo '$ ip netns exec ns01 ping -c 1 -W 1 10.0.3.9'
ip netns exec ns01 ping -c 1 -W 1 10.0.3.9
echo "rc=$?"
echo '$ ip netns exec ns01 ping -c 1 -W 1 -t 1 10.0.2.2'
ip netns exec ns01 ping -c 1 -W 1 -t 1 10.0.2.2
echo "rc=$?"
echo '$ ip netns exec router sysctl -w net.ipv4.ip_forward=0'
ip netns exec router sysctl -w net.ipv4.ip_forward=0
echo '$ ip netns exec ns01 ping -c 1 -W 1 10.0.2.2'
ip netns exec ns01 ping -c 1 -W 1 10.0.2.2
echo "rc=$?"
echo '$ ip netns exec router sysctl net.ipv4.conf.all.forwarding'
ip netns exec router sysctl net.ipv4.conf.all.forwarding
