#!/bin/bash
# ageing_time 500 (5 s): learned MACs vanish from the FDB 5 s after the last frame from them.
# The ARP probe ns02 sends 5 s after the ping (its entry for ns01 goes DELAY -> PROBE)
# refreshes both entries once.
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
echo '$ ip link set br0 type bridge ageing_time 500'
ip link set br0 type bridge ageing_time 500
echo '$ ip -d link show br0 | grep -o '\''ageing_time [0-9]*'\'''
ip -d link show br0 | grep -o 'ageing_time [0-9]*'
sleep 2
tcpdump -i br0 -nn -w br0.pcap 2>/dev/null &
sleep 1
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns02 ip neigh'
ip netns exec ns02 ip neigh
echo '$ sleep 6'
sleep 6
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns02 ip neigh'
ip netns exec ns02 ip neigh
echo '$ sleep 7'
sleep 7
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ bridge fdb show br br0 | grep -c -v permanent'
bridge fdb show br br0 | grep -c -v permanent
echo '$ brctl setageing br0 300'
brctl setageing br0 300
echo '$ ip -d link show br0 | grep -o '\''ageing_time [0-9]*'\'''
ip -d link show br0 | grep -o 'ageing_time [0-9]*'
sleep 1
kill %1
wait
echo '$ tcpdump -nn -r br0.pcap'
tcpdump -nn -r br0.pcap
