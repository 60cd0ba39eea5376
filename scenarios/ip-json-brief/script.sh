#!/bin/bash
# `ip -j -br` and `ip -j -p -br` print the brief JSON objects of iproute2 6.1 (print_linkinfo_brief):
# a veth names its peer by index wherever the peer is; `addr` keeps only local and prefixlen.
ip link add br0 type bridge
ip link set br0 up
ip addr add 192.168.88.1/24 dev br0
ip netns add ns01
ip link add veth01 type veth peer name br-veth01
ip link set br-veth01 master br0
ip link set br-veth01 up
ip link set veth01 netns ns01
ip -n ns01 link set veth01 up
ip -n ns01 addr add 192.168.88.11/24 dev veth01
ip link add va type veth peer name vb
sleep 1
echo '$ ip -j -br link'; ip -j -br link; echo
echo '$ ip -j -p -br link'; ip -j -p -br link
echo '$ ip -j -br addr'; ip -j -br addr; echo
echo '$ ip -j -p -br addr'; ip -j -p -br addr
echo '$ ip -n ns01 -j -br link'; ip -n ns01 -j -br link; echo
echo '$ ip -n ns01 -j -p -br a'; ip -n ns01 -j -p -br a
echo '$ ip -j -br -4 addr'; ip -j -br -4 addr; echo
echo '$ ip -j -br link show dev nosuch'; ip -j -br link show dev nosuch; echo "rc=$?"
