#!/bin/bash
# The brctl/ifconfig flavour of the bridge tutorial (seed 001, 网桥 br01 + ns01/ns02).
echo '$ brctl addbr br01'
brctl addbr br01
echo '$ brctl show'
brctl show
echo '$ ip link set dev br01 up'
ip link set dev br01 up
echo '$ ifconfig br01 192.168.88.1/24 up'
ifconfig br01 192.168.88.1/24 up
# The bridge announces its multicast snooping with two IGMP reports within a second of
# coming up; wait them out so the counters below do not depend on how fast commands run.
sleep 2
echo '$ ip netns add ns01'
ip netns add ns01
echo '$ ip netns add ns02'
ip netns add ns02
echo '$ ip link add veth01 type veth peer name br-veth01'
ip link add veth01 type veth peer name br-veth01
echo '$ ip link add veth02 type veth peer name br-veth02'
ip link add veth02 type veth peer name br-veth02
echo '$ brctl addif br01 br-veth01'
brctl addif br01 br-veth01
echo '$ brctl addif br01 br-veth02'
brctl addif br01 br-veth02
echo '$ brctl show'
brctl show
echo '$ ip link set dev br-veth01 up'
ip link set dev br-veth01 up
echo '$ ip link set dev br-veth02 up'
ip link set dev br-veth02 up
echo '$ ip link set veth01 netns ns01'
ip link set veth01 netns ns01
echo '$ ip link set veth02 netns ns02'
ip link set veth02 netns ns02
echo '$ ip netns exec ns01 ip addr'
ip netns exec ns01 ip addr
echo '$ ip netns exec ns01 ip link set dev veth01 up'
ip netns exec ns01 ip link set dev veth01 up
echo '$ ip netns exec ns01 ifconfig veth01 192.168.88.11/24 up'
ip netns exec ns01 ifconfig veth01 192.168.88.11/24 up
echo '$ ip netns exec ns01 ip route add default via 192.168.88.1'
ip netns exec ns01 ip route add default via 192.168.88.1
echo '$ ip netns exec ns02 ip link set dev veth02 up'
ip netns exec ns02 ip link set dev veth02 up
echo '$ ip netns exec ns02 ifconfig veth02 192.168.88.12/24 up'
ip netns exec ns02 ifconfig veth02 192.168.88.12/24 up
echo '$ ip netns exec ns02 ip route add default via 192.168.88.1'
ip netns exec ns02 ip route add default via 192.168.88.1
sleep 2
echo '$ ip netns exec ns02 ifconfig veth02'
ip netns exec ns02 ifconfig veth02
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ ip netns exec ns01 arp -n'
ip netns exec ns01 arp -n
echo '$ ip netns exec ns01 ping -c 1 192.168.88.1'
ip netns exec ns01 ping -c 1 192.168.88.1
echo '$ ip netns exec ns01 arp -n 192.168.88.1'
ip netns exec ns01 arp -n 192.168.88.1
echo '$ ip netns exec ns01 arp -an | sort'
ip netns exec ns01 arp -an | sort
echo '$ ip netns exec ns01 ifconfig'
ip netns exec ns01 ifconfig
echo '$ ip netns exec ns02 ifconfig veth02'
ip netns exec ns02 ifconfig veth02
echo '$ ifconfig br01'
ifconfig br01
echo '$ brctl show br01'
brctl show br01
echo '$ brctl showmacs br01 | cut -f1,3 | sort'
brctl showmacs br01 | cut -f1,3 | sort
echo '$ ip netns del ns01'
ip netns del ns01
echo '$ ip netns del ns02'
ip netns del ns02
echo '$ ifconfig br01 down'
ifconfig br01 down
echo '$ brctl delbr br01'
brctl delbr br01
echo '$ brctl show'
brctl show
