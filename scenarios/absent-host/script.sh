#!/bin/bash
# Pinging an address nobody has: ARP retries, INCOMPLETE then FAILED neighbour entries,
# "Destination Host Unreachable" (only once the namespace's lo is up).
ip link add br0 type bridge
ip link set dev br0 up
ip netns add ns01
ip link add veth01 type veth peer name br-veth01
ip link set br-veth01 master br0
ip link set dev br-veth01 up
ip link set veth01 netns ns01
ip netns exec ns01 ip link set dev veth01 up
ip netns exec ns01 ip addr add 192.168.88.11/24 dev veth01
ip netns add ns02
ip link add veth02 type veth peer name br-veth02
ip link set br-veth02 master br0
ip link set dev br-veth02 up
ip link set veth02 netns ns02
ip netns exec ns02 ip link set dev veth02 up
ip netns exec ns02 ip addr add 192.168.88.12/24 dev veth02
sleep 2
tcpdump -i br0 -nn -w br0.pcap 2>/dev/null &
sleep 1
echo '$ ip netns exec ns01 ping -c 1 -W 1 192.168.88.99'
ip netns exec ns01 ping -c 1 -W 1 192.168.88.99
echo "rc=$?"
echo '$ ip netns exec ns01 ip neigh'
ip netns exec ns01 ip neigh
echo '$ ip netns exec ns01 arp -n'
ip netns exec ns01 arp -n
echo '$ sleep 3'
sleep 3
echo '$ ip netns exec ns01 ip neigh'
ip netns exec ns01 ip neigh
echo '$ ip netns exec ns01 ip neigh show nud failed'
ip netns exec ns01 ip neigh show nud failed
echo '$ ip netns exec ns01 ping -c 3 192.168.88.99'
ip netns exec ns01 ping -c 3 192.168.88.99
echo "rc=$?"
echo '$ ip netns exec ns01 ip neigh show 192.168.88.99'
ip netns exec ns01 ip neigh show 192.168.88.99
echo '$ ip netns exec ns01 ping -c 3 192.168.88.98'
ip netns exec ns01 ping -c 3 192.168.88.98
echo "rc=$?"
echo '$ ip netns exec ns01 ip neigh show 192.168.88.98'
ip netns exec ns01 ip neigh show 192.168.88.98
# "Destination Host Unreachable" is an ICMP error the namespace sends itself: it only
# arrives once lo is up.
echo '$ ip netns exec ns01 ip link set lo up'
ip netns exec ns01 ip link set lo up
echo '$ ip netns exec ns01 ping -c 3 192.168.88.97'
ip netns exec ns01 ping -c 3 192.168.88.97
echo "rc=$?"
sleep 1
kill %1
wait
echo '$ tcpdump -nn -r br0.pcap'
tcpdump -nn -r br0.pcap
