#!/bin/bash
# ip maddr: the multicast groups a device holds (link layer, IPv4, IPv6) as the stacks and
# the bridge join them, and static link-layer addresses added and removed by hand.
ip link add br0 type bridge
ip link add v1 type veth peer name e1
ip link set v1 master br0
ip link set br0 up
ip link set v1 up
ip maddr show
echo ---
ip maddr show dev v1
ip maddr add 01:00:5e:01:02:03 dev v1
ip maddr show dev v1
ip maddr del 01:00:5e:01:02:03 dev v1
ip maddr del 01:00:5e:01:02:03 dev v1; echo rc=$?
ip -4 maddr
