#!/bin/bash
# A bridge joining two namespaces, ip flavour (seed: "通过 bridge 连接 Network namespace").
echo '$ ip link add js type bridge'
ip link add js type bridge
echo '$ ip link'
ip link
echo '$ ip addr add 10.0.1.0/24 dev js'
ip addr add 10.0.1.0/24 dev js
echo '$ ip link set dev js up'
ip link set dev js up
echo '$ ip netns add net1'
ip netns add net1
echo '$ ip link add veth1 type veth peer name veth1p'
ip link add veth1 type veth peer name veth1p
echo '$ ip link set dev veth1p netns net1'
ip link set dev veth1p netns net1
echo '$ ip netns exec net1 ip addr'
ip netns exec net1 ip addr
echo '$ ip netns exec net1 ip link set dev veth1p name eth1'
ip netns exec net1 ip link set dev veth1p name eth1
echo '$ ip netns exec net1 ip addr add 10.0.1.1/24 dev eth1'
ip netns exec net1 ip addr add 10.0.1.1/24 dev eth1
echo '$ ip netns exec net1 ip link set dev eth1 up'
ip netns exec net1 ip link set dev eth1 up
sleep 1
echo '$ ip netns exec net1 ip addr'
ip netns exec net1 ip addr
echo '$ ip link set dev veth1 master js'
ip link set dev veth1 master js
echo '$ bridge link'
bridge link
echo '$ ip link set dev veth1 up'
ip link set dev veth1 up
sleep 2
echo '$ bridge link'
bridge link
echo '$ ip addr'
ip addr
echo '$ ip netns add net2'
ip netns add net2
echo '$ ip link add veth2 type veth peer name veth2p'
ip link add veth2 type veth peer name veth2p
echo '$ ip link set dev veth2p netns net2'
ip link set dev veth2p netns net2
echo '$ ip netns exec net2 ip link set dev veth2p name eth2'
ip netns exec net2 ip link set dev veth2p name eth2
echo '$ ip netns exec net2 ip addr add 10.0.1.2/24 dev eth2'
ip netns exec net2 ip addr add 10.0.1.2/24 dev eth2
echo '$ ip netns exec net2 ip link set dev eth2 up'
ip netns exec net2 ip link set dev eth2 up
sleep 1
echo '$ ip netns exec net2 ip addr'
ip netns exec net2 ip addr
echo '$ ip link set dev veth2 master js'
ip link set dev veth2 master js
echo '$ bridge link'
bridge link
echo '$ ip link set dev veth2 up'
ip link set dev veth2 up
sleep 2
echo '$ bridge link'
bridge link
echo '$ ip netns exec net1 ping -c 3 10.0.1.2'
ip netns exec net1 ping -c 3 10.0.1.2
echo '$ ip netns exec net2 ping -c 3 10.0.1.1'
ip netns exec net2 ping -c 3 10.0.1.1
echo '$ ip netns exec net1 ip neigh'
ip netns exec net1 ip neigh
echo '$ ip netns exec net1 ip route'
ip netns exec net1 ip route
echo '$ ip route'
ip route
echo '$ ip net del net2'
ip net del net2
echo '$ ip net del net1'
ip net del net1
sleep 3
echo '$ bridge link'
bridge link
echo '$ ip link'
ip link
