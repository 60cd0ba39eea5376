#!/bin/bash
# A learned MAC stays in the bridge's FDB for the default ageing_time (300 s). After 301 s
# the kernel lists the expired entries as "stale" (its garbage collector has not run yet) and
# still forwards to them: the second ping is not flooded to ns03. Static ARP entries keep
# the hosts silent between the two pings.
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
ip netns add ns03
ip link add veth03 type veth peer name br-veth03
ip link set br-veth03 master br0
ip link set dev br-veth03 up
ip link set veth03 netns ns03
ip netns exec ns03 ip link set dev veth03 up
ip netns exec ns03 ip addr add 192.168.88.13/24 dev veth03
MAC01=$(ip netns exec ns01 ip -br link show dev veth01 | awk '{print $3}')
MAC02=$(ip netns exec ns02 ip -br link show dev veth02 | awk '{print $3}')
echo '$ ip netns exec ns01 ip neigh add 192.168.88.12 lladdr $MAC02 dev veth01 nud permanent'
ip netns exec ns01 ip neigh add 192.168.88.12 lladdr $MAC02 dev veth01 nud permanent
echo '$ ip netns exec ns02 ip neigh add 192.168.88.11 lladdr $MAC01 dev veth02 nud permanent'
ip netns exec ns02 ip neigh add 192.168.88.11 lladdr $MAC01 dev veth02 nud permanent
sleep 2
echo '$ ip -d link show br0 | grep -o '\''ageing_time [0-9]*'\'''
ip -d link show br0 | grep -o 'ageing_time [0-9]*'
ip netns exec ns03 tcpdump -i veth03 -nn -e -w ns03.pcap 2>/dev/null &
tcpdump -i br0 -nn -w br0.pcap 2>/dev/null &
sleep 1
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ sleep 299'
sleep 299
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ sleep 2'
sleep 2
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
sleep 1
kill %1 %2
wait
echo '$ ip netns exec ns03 tcpdump -nn -e -r ns03.pcap'
ip netns exec ns03 tcpdump -nn -e -r ns03.pcap
echo '$ tcpdump -nn -e -r br0.pcap'
tcpdump -nn -e -r br0.pcap
