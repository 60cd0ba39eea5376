#!/bin/bash
# Move a veth end into a namespace and rename it there (seed: "ip link set dev veth1p name eth0").
echo '$ ip netns add net1'
ip netns add net1
echo '$ ip link add veth1 type veth peer name veth1p'
ip link add veth1 type veth peer name veth1p
echo '$ ip link show'
ip link show
echo '$ ip link set dev veth1p netns net1'
ip link set dev veth1p netns net1
echo '$ ip netns exec net1 ip addr'
ip netns exec net1 ip addr
echo '$ ip netns exec net1 ip link set dev veth1p name eth0'
ip netns exec net1 ip link set dev veth1p name eth0
echo '$ ip netns exec net1 ip addr add 10.0.1.1/24 dev eth0'
ip netns exec net1 ip addr add 10.0.1.1/24 dev eth0
echo '$ ip netns exec net1 ip link set dev eth0 up'
ip netns exec net1 ip link set dev eth0 up
sleep 1
echo '$ ip netns exec net1 ip addr'
ip netns exec net1 ip addr
echo '$ ip link show veth1'
ip link show veth1
echo '$ ip netns exec net1 ip link set dev eth0 name eth1'
ip netns exec net1 ip link set dev eth0 name eth1
echo "rc=$?"
echo '$ ip netns exec net1 ip link show'
ip netns exec net1 ip link show
echo '$ ip netns exec net1 ip link set dev eth1 down'
ip netns exec net1 ip link set dev eth1 down
echo '$ ip netns exec net1 ip link set dev eth1 name eth0'
ip netns exec net1 ip link set dev eth1 name eth0
echo '$ ip netns exec net1 ip link set dev eth0 up'
ip netns exec net1 ip link set dev eth0 up
echo '$ ip addr add 10.0.1.2/24 dev veth1'
ip addr add 10.0.1.2/24 dev veth1
echo '$ ip link set dev veth1 up'
ip link set dev veth1 up
sleep 1
echo '$ ip netns exec net1 ip addr'
ip netns exec net1 ip addr
echo '$ ip netns exec net1 ip route'
ip netns exec net1 ip route
echo '$ ip link show veth1'
ip link show veth1
echo '$ ping -c 2 -i 0.2 10.0.1.1'
ping -c 2 -i 0.2 10.0.1.1
echo '$ ip netns exec net1 ip link show eth1'
ip netns exec net1 ip link show eth1
echo "rc=$?"
