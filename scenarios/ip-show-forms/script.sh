#!/bin/bash
# The many output forms of ip: -br, -o, -d, -j, -s, route and address listings.
ip netns add ns01
ip link add veth0 type veth peer name veth1
ip link set veth1 netns ns01
echo '$ ip addr add 10.0.1.1/24 dev veth0'
ip addr add 10.0.1.1/24 dev veth0
echo '$ ip addr add 10.0.9.1/16 dev veth0'
ip addr add 10.0.9.1/16 dev veth0
echo '$ ip link set veth0 up'
ip link set veth0 up
echo '$ ip netns exec ns01 ip addr add 10.0.1.2/24 dev veth1'
ip netns exec ns01 ip addr add 10.0.1.2/24 dev veth1
echo '$ ip netns exec ns01 ip link set veth1 up'
ip netns exec ns01 ip link set veth1 up
echo '$ ip netns exec ns01 ip link set lo up'
ip netns exec ns01 ip link set lo up
sleep 1
echo '$ ip -br link'
ip -br link
echo '$ ip -br addr'
ip -br addr
echo '$ ip -br -c=never addr show dev veth0'
ip -br -c=never addr show dev veth0
echo '$ ip -o addr'
ip -o addr
echo '$ ip -o link'
ip -o link
echo '$ ip -4 addr show dev veth0'
ip -4 addr show dev veth0
echo '$ ip addr show dev veth0'
ip addr show dev veth0
echo '$ ip -d link show dev veth0'
ip -d link show dev veth0
echo '$ ip -d link show lo'
ip -d link show lo
echo '$ ip -j link show dev veth0'
ip -j link show dev veth0
echo '$ ip -j addr show dev veth0'
ip -j addr show dev veth0
echo '$ ip -j -p route show'
ip -j -p route show
echo '$ ip route show'
ip route show
echo '$ ip route show table local'
ip route show table local
echo '$ ip route get 10.0.1.2'
ip route get 10.0.1.2
echo '$ ip netns exec ns01 ip -br addr'
ip netns exec ns01 ip -br addr
echo '$ ip netns exec ns01 ip -o link'
ip netns exec ns01 ip -o link
echo '$ ping -c 2 -i 0.2 10.0.1.2'
ping -c 2 -i 0.2 10.0.1.2
echo '$ ip -s link show dev veth0'
ip -s link show dev veth0
echo '$ ip netns exec ns01 ip -s link show dev veth1'
ip netns exec ns01 ip -s link show dev veth1
echo '$ ip link show type veth'
ip link show type veth
echo '$ ip link show up'
ip link show up
echo '$ ip addr del 10.0.9.1/16 dev veth0'
ip addr del 10.0.9.1/16 dev veth0
echo '$ ip -br addr show veth0'
ip -br addr show veth0
echo '$ ip link set dev veth0 mtu 1400'
ip link set dev veth0 mtu 1400
echo '$ ip link show dev veth0'
ip link show dev veth0
echo '$ ip netns exec ns01 ip link show dev veth1'
ip netns exec ns01 ip link show dev veth1
