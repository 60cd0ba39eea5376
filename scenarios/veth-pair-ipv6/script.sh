#!/bin/bash
# Two namespaces joined by a veth pair (seed: "在两个 Network namespace 之间通信").
echo '$ ip netns add net1'
ip netns add net1
echo '$ ip netns add net2'
ip netns add net2
echo '$ ip netns'
ip netns
echo '$ ip link add veth1 type veth peer name veth2'
ip link add veth1 type veth peer name veth2
echo '$ ip link ls'
ip link ls
echo '$ ip addr'
ip addr
echo '$ ip link set veth1 netns net1'
ip link set veth1 netns net1
echo '$ ip link set veth2 netns net2'
ip link set veth2 netns net2
echo '$ ip netns exec net1 ip addr'
ip netns exec net1 ip addr
echo '$ ip netns exec net2 ip addr'
ip netns exec net2 ip addr
echo '$ ip link ls'
ip link ls
echo '$ ip netns exec net1 ip link'
ip netns exec net1 ip link
echo '$ ip netns exec net1 ip link set veth1 up'
ip netns exec net1 ip link set veth1 up
sleep 1
echo '$ ip netns exec net1 ip link'
ip netns exec net1 ip link
echo '$ ip netns exec net1 ip addr add 10.0.1.1/24 dev veth1'
ip netns exec net1 ip addr add 10.0.1.1/24 dev veth1
echo '$ ip netns exec net1 ip addr'
ip netns exec net1 ip addr
echo '$ ip netns exec net1 ip route'
ip netns exec net1 ip route
echo '$ ip netns exec net2 ip link'
ip netns exec net2 ip link
echo '$ ip netns exec net2 ip link set veth2 up'
ip netns exec net2 ip link set veth2 up
sleep 1
echo '$ ip netns exec net2 ip link'
ip netns exec net2 ip link
echo '$ ip netns exec net2 ip addr add 10.0.1.2/24 dev veth2'
ip netns exec net2 ip addr add 10.0.1.2/24 dev veth2
echo '$ ip netns exec net2 ip addr'
ip netns exec net2 ip addr
echo '$ ip netns exec net2 ip route'
ip netns exec net2 ip route
echo '$ ip netns exec net1 ip link'
ip netns exec net1 ip link
echo '$ ip netns exec net1 ping -c 3 10.0.1.2'
ip netns exec net1 ping -c 3 10.0.1.2
echo '$ ip netns exec net2 ping -c 3 10.0.1.1'
ip netns exec net2 ping -c 3 10.0.1.1
echo '$ ip netns list'
ip netns list
echo '$ ip net del net2'
ip net del net2
echo '$ ip netns exec net1 ip link'
ip netns exec net1 ip link
echo '$ ip net del net1'
ip net del net1
