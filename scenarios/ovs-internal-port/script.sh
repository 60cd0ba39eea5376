#!/bin/bash
# An Open vSwitch bridge's internal port is an ordinary device to the stack: coming up and
# taking an address, it sends nothing out of the bridge's ports (no multicast snooping joins,
# no STP), unlike a Linux bridge's device. The userspace datapath that records this makes the
# internal port a TAP device; the kernel datapath's internal device behaves the same here.
# (The OVS port itself is not shown: the userspace datapath sets its PROMISC flag, the kernel
# datapath only raises its promiscuity.)
ip netns add blue
ip link add veth0 type veth peer name veth1
ip link set veth1 netns blue
ovs-vsctl add-br br0
ovs-vsctl add-port br0 veth0
ip link set veth0 up
ip -n blue addr add 10.0.1.2/24 dev veth1
ip -n blue link set veth1 up
sleep 1
echo '$ ip netns exec blue tcpdump -n -e -i veth1 > blue.txt &'
ip netns exec blue tcpdump -l -n -e -i veth1 > blue.txt 2>/dev/null &
sleep 1
echo '$ ip link set br0 up; ip addr add 10.0.1.1/24 dev br0'
ip link set br0 up
ip addr add 10.0.1.1/24 dev br0
sleep 3
echo '$ ping -c 2 -i 0.2 -W 1 10.0.1.2'
ping -c 2 -i 0.2 -W 1 10.0.1.2
sleep 1
kill %1
wait
echo '$ cat blue.txt'
cat blue.txt
echo '$ ip -n blue -s link show veth1'
ip -n blue -s link show veth1
echo '$ ip maddr show dev br0'
ip maddr show dev br0
