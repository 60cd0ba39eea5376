#!/bin/bash
# Carrier of a veth end follows its peer: NO-CARRIER / M-DOWN / LOWERLAYERDOWN.
echo '$ ip link add veth0 type veth peer name veth1'
ip link add veth0 type veth peer name veth1
echo '$ ip link show'
ip link show
echo '$ ip link set veth0 up'
ip link set veth0 up
sleep 1
echo '$ ip link show'
ip link show
echo '$ ip netns add test_ns'
ip netns add test_ns
echo '$ ip link set veth1 netns test_ns'
ip link set veth1 netns test_ns
echo '$ ip addr add 10.1.1.2/24 dev veth0'
ip addr add 10.1.1.2/24 dev veth0
echo '$ ip netns exec test_ns ip addr add 10.1.1.1/24 dev veth1'
ip netns exec test_ns ip addr add 10.1.1.1/24 dev veth1
echo '$ ip link show veth0'
ip link show veth0
echo '$ ip addr show dev veth0'
ip addr show dev veth0
echo '$ ip route'
ip route
echo '$ ping -c 1 -W 1 10.1.1.1'
ping -c 1 -W 1 10.1.1.1
echo "rc=$?"
echo '$ ip netns exec test_ns ip link set veth1 up'
ip netns exec test_ns ip link set veth1 up
sleep 1
echo '$ ip link show veth0'
ip link show veth0
echo '$ ip netns exec test_ns ip link show veth1'
ip netns exec test_ns ip link show veth1
echo '$ ip route'
ip route
echo '$ ping -c 2 -i 0.2 10.1.1.1'
ping -c 2 -i 0.2 10.1.1.1
echo "rc=$?"
echo '$ ip netns exec test_ns ip link set veth1 down'
ip netns exec test_ns ip link set veth1 down
sleep 1
echo '$ ip link show veth0'
ip link show veth0
echo '$ ip netns exec test_ns ip link show veth1'
ip netns exec test_ns ip link show veth1
echo '$ ip route'
ip route
echo '$ ping -c 1 -W 1 10.1.1.1'
ping -c 1 -W 1 10.1.1.1
echo "rc=$?"
echo '$ ip link set veth0 down'
ip link set veth0 down
echo '$ ip link show veth0'
ip link show veth0
