#!/bin/bash
# One veth end stays in the host, ifconfig-style addressing (seeds 002 and 004).
echo '$ ip netns add test_ns'
ip netns add test_ns
echo '$ ip netns exec test_ns ip link list'
ip netns exec test_ns ip link list
echo '$ ip netns exec test_ns ping -c 1 127.0.0.1'
ip netns exec test_ns ping -c 1 127.0.0.1
echo "rc=$?"
echo '$ ip netns exec test_ns ip link set dev lo up'
ip netns exec test_ns ip link set dev lo up
echo '$ ip netns exec test_ns ping -c 1 127.0.0.1'
ip netns exec test_ns ping -c 1 127.0.0.1
echo '$ ip link add veth0 type veth peer name veth1'
ip link add veth0 type veth peer name veth1
echo '$ ip link set veth1 netns test_ns'
ip link set veth1 netns test_ns
echo '$ ip netns exec test_ns ifconfig veth1 10.1.1.1/24 up'
ip netns exec test_ns ifconfig veth1 10.1.1.1/24 up
echo '$ ifconfig veth0 10.1.1.2/24 up'
ifconfig veth0 10.1.1.2/24 up
sleep 1
echo '$ ping -c 3 -i 0.2 10.1.1.1'
ping -c 3 -i 0.2 10.1.1.1
echo '$ ip netns exec test_ns ping -c 3 -i 0.2 10.1.1.2'
ip netns exec test_ns ping -c 3 -i 0.2 10.1.1.2
echo '$ ip netns exec test_ns route -n'
ip netns exec test_ns route -n
echo '$ ip netns exec test_ns ip link list'
ip netns exec test_ns ip link list
echo '$ ip netns delete test_ns'
ip netns delete test_ns
sleep 1
echo '$ ip link show veth0'
ip link show veth0
echo "rc=$?"
echo '$ ip netns list'
ip netns list
