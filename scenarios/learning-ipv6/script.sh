#!/bin/bash
# The bridge learns each source MAC on the port it arrives on: the FDB before and after pings.
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
echo '$ bridge fdb show br br0'
bridge fdb show br br0
echo '$ brctl showmacs br0 | cut -f1,3 | sort'
brctl showmacs br0 | cut -f1,3 | sort
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ bridge fdb show br br0'
bridge fdb show br br0
echo '$ ip netns exec ns03 ping -c 1 192.168.88.11'
ip netns exec ns03 ping -c 1 192.168.88.11
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ bridge fdb show br br0 brport br-veth03'
bridge fdb show br br0 brport br-veth03
echo '$ bridge fdb show dev br-veth01'
bridge fdb show dev br-veth01
echo '$ brctl showmacs br0 | cut -f1,3 | sort'
brctl showmacs br0 | cut -f1,3 | sort
echo '$ ip netns exec ns02 ip -br link show dev veth02 | awk '\''{print $3}'\'''
ip netns exec ns02 ip -br link show dev veth02 | awk '{print $3}'
echo '$ bridge fdb show br br0 | grep -c -v permanent'
bridge fdb show br br0 | grep -c -v permanent
