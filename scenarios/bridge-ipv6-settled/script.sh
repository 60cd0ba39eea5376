#!/bin/bash
# Seed 001's bridge (br01, ns01 and ns02 on veth pairs) with IPv6 on, timed so that what
# IPv6 sends by itself is over when it is shown: a capture on br01 from before the hosts'
# links come up, counters and the bridge's table 3.2 s later (DAD, MLD reports and their
# retransmits are done within about 3 s; the second router solicitations come about 4 s
# after the first). The bridge itself gets no link-local address (addrgenmode none), so it
# sends no solicitations of its own. The bridge comes up 2 s before it gets ports, so that
# its first multicast reports have left before it loses its carrier to them; only the host
# whose link came up first shows its counters (the second one misses the first one's earliest
# frames or not, by a few milliseconds).
echo '$ ip link add br01 type bridge'
ip link add br01 type bridge
echo '$ ip link set dev br01 addrgenmode none'
ip link set dev br01 addrgenmode none
echo '$ ip link set dev br01 up'
ip link set dev br01 up
sleep 2
echo '$ ip netns add ns01'
ip netns add ns01
echo '$ ip netns add ns02'
ip netns add ns02
echo '$ ip link add veth01 type veth peer name br-veth01'
ip link add veth01 type veth peer name br-veth01
echo '$ ip link add veth02 type veth peer name br-veth02'
ip link add veth02 type veth peer name br-veth02
echo '$ ip link set br-veth01 master br01'
ip link set br-veth01 master br01
echo '$ ip link set br-veth02 master br01'
ip link set br-veth02 master br01
echo '$ ip link set veth01 netns ns01'
ip link set veth01 netns ns01
echo '$ ip link set veth02 netns ns02'
ip link set veth02 netns ns02
echo '$ tcpdump -i br01 -nn -e -w br01.pcap &'
tcpdump -i br01 -nn -e -w br01.pcap 2>/dev/null &
sleep 1
echo '$ ip link set dev br-veth01 up'
ip link set dev br-veth01 up
echo '$ ip link set dev br-veth02 up'
ip link set dev br-veth02 up
echo '$ ip netns exec ns01 ip link set dev veth01 up'
ip netns exec ns01 ip link set dev veth01 up
echo '$ ip netns exec ns02 ip link set dev veth02 up'
ip netns exec ns02 ip link set dev veth02 up
echo '$ ip netns exec ns01 ip addr add 192.168.88.11/24 dev veth01'
ip netns exec ns01 ip addr add 192.168.88.11/24 dev veth01
echo '$ ip netns exec ns02 ip addr add 192.168.88.12/24 dev veth02'
ip netns exec ns02 ip addr add 192.168.88.12/24 dev veth02
sleep 3.2
echo '$ ip netns exec ns01 ip -s link show veth01'
ip netns exec ns01 ip -s link show veth01
echo '$ ip -s link show br01'
ip -s link show br01
echo '$ brctl showmacs br01 | cut -f1,3 | sort'
brctl showmacs br01 | cut -f1,3 | sort
echo '$ ip netns exec ns01 ping -c 1 -W 1 192.168.88.12'
ip netns exec ns01 ping -c 1 -W 1 192.168.88.12
echo '$ ip netns exec ns01 ip addr show dev veth01'
ip netns exec ns01 ip addr show dev veth01
sleep 1
echo '$ kill %1'
kill %1
wait
echo '$ tcpdump -nn -e -r br01.pcap'
tcpdump -nn -e -r br01.pcap
