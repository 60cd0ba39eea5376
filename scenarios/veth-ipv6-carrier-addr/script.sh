#!/bin/bash
# IPv6 on: a link-local address outlives its carrier. The far end of a veth pair goes down:
# veth1 keeps fe80::... (without flags), and keeps it as it was when the far end comes back;
# a new MAC leaves it as it is (it was made from the old one) until the device goes down,
# which takes it away, and up, which makes one from the new MAC. Both ends are made in namespaces of their own, where each gets
# ifindex 2, its peer's index too: without carrier the kernel then says `state DOWN`, not
# LOWERLAYERDOWN (default_operstate finds no lower device).
echo '$ ip netns add ns1'
ip netns add ns1
echo '$ ip netns add ns2'
ip netns add ns2
echo '$ ip link add veth1 netns ns1 type veth peer name veth2 netns ns2'
ip link add veth1 netns ns1 type veth peer name veth2 netns ns2
echo '$ ip -n ns1 link set veth1 up'
ip -n ns1 link set veth1 up
echo '$ ip -n ns2 link set veth2 up'
ip -n ns2 link set veth2 up
sleep 3.2
echo '$ ip -n ns1 -6 addr show dev veth1'
ip -n ns1 -6 addr show dev veth1
echo '$ ip -n ns2 link set veth2 down'
ip -n ns2 link set veth2 down
sleep 1
echo '$ ip -n ns1 -6 addr show dev veth1'
ip -n ns1 -6 addr show dev veth1
echo '$ ip -n ns1 link show dev veth1'
ip -n ns1 link show dev veth1
echo '$ ip -n ns2 -6 addr show dev veth2'
ip -n ns2 -6 addr show dev veth2
echo '$ ip -n ns2 link set veth2 up'
ip -n ns2 link set veth2 up
echo '$ ip -n ns1 -6 addr show dev veth1'
ip -n ns1 -6 addr show dev veth1
sleep 3.2
echo '$ ip -n ns1 -6 addr show dev veth1'
ip -n ns1 -6 addr show dev veth1
echo '$ ip -n ns1 link set dev veth1 address 02:00:00:00:00:11'
ip -n ns1 link set dev veth1 address 02:00:00:00:00:11
sleep 3.2
echo '$ ip -n ns1 -6 addr show dev veth1'
ip -n ns1 -6 addr show dev veth1
echo '$ ip -n ns1 link set veth1 down'
ip -n ns1 link set veth1 down
echo '$ ip -n ns1 -6 addr show dev veth1'
ip -n ns1 -6 addr show dev veth1
echo '$ ip -n ns1 link set veth1 up'
ip -n ns1 link set veth1 up
sleep 3.2
echo '$ ip -n ns1 -6 addr show dev veth1'
ip -n ns1 -6 addr show dev veth1
