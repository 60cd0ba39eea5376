#!/bin/bash
# The bridge floods broadcasts and frames to unknown MACs, and forwards known unicast only
# to its port: a third host (ns03) sees the ARP request but not the ping between ns01 and
# ns02, and sees every frame sent to a MAC the bridge has never seen.
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
sleep 2
echo '$ ip netns exec ns03 tcpdump -i veth03 -nn -e -w ns03.pcap &'
ip netns exec ns03 tcpdump -i veth03 -nn -e -w ns03.pcap 2>/dev/null &
sleep 1
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns01 ping -c 3 -i 0.2 192.168.88.12'
ip netns exec ns01 ping -c 3 -i 0.2 192.168.88.12
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns01 ip neigh add 192.168.88.99 lladdr 02:00:00:00:00:99 dev veth01 nud permanent'
ip netns exec ns01 ip neigh add 192.168.88.99 lladdr 02:00:00:00:00:99 dev veth01 nud permanent
echo '$ ip netns exec ns01 ping -c 2 -i 0.2 -W 1 192.168.88.99'
ip netns exec ns01 ping -c 2 -i 0.2 -W 1 192.168.88.99
echo "rc=$?"
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
sleep 1
echo '$ kill %1'
kill %1
wait
echo '$ ip netns exec ns03 tcpdump -nn -e -r ns03.pcap'
ip netns exec ns03 tcpdump -nn -e -r ns03.pcap
