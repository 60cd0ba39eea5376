#!/bin/bash
# tcpdump -i any in a namespace holding a bridge: every interface's frames, cooked
# (LINUX_SLL2), with the interface name and the packet type (In, Out, B, P); lo's packets
# once (In); -e shows the cooked header; -w writes LINUX_SLL2, -r names interfaces by index
# in the namespace that reads.
ip link add br0 type bridge
# A bridge address no port has: frames for it are P (other host) on the port they enter by.
ip link set br0 address 02:00:00:00:00:fe
ip netns add h1
ip netns add h2
ip link add v1 type veth peer name eth0 netns h1
ip link add v2 type veth peer name eth0 netns h2
ip link set v1 master br0
ip link set v2 master br0
ip link set br0 up
ip link set v1 up
ip link set v2 up
ip addr add 10.5.0.254/24 dev br0
ip -n h1 addr add 10.5.0.1/24 dev eth0
ip -n h1 link set eth0 up
ip -n h2 addr add 10.5.0.2/24 dev eth0
ip -n h2 link set eth0 up
sleep 2

tcpdump -i any -nn -c 11 arp or icmp >any.txt 2>any.err &
sleep 1
ip netns exec h1 ping -c 1 10.5.0.2 >/dev/null
ping -c 1 127.0.0.1 >/dev/null
wait
cat any.txt
cat any.err >&2

tcpdump -i any -nn -e -c 4 -w any.pcap icmp 2>anyw.err &
sleep 1
ip netns exec h1 ping -c 1 10.5.0.254
wait
cat anyw.err >&2
tcpdump -nn -r any.pcap
tcpdump -nn -e -r any.pcap
ip netns exec h1 tcpdump -nn -r any.pcap
echo "rc=$?"
tcpdump -i any -nn broadcast
echo "rc=$?"
