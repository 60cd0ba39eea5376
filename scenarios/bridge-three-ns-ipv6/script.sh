#!/bin/bash
# Three hosts on one bridge: pings between all of them, then the FDB and the ports.
echo '$ ip link add br0 type bridge'
ip link add br0 type bridge
echo '$ ip link set dev br0 up'
ip link set dev br0 up
echo '$ ip netns add ns01'
ip netns add ns01
echo '$ ip link add veth01 type veth peer name br-veth01'
ip link add veth01 type veth peer name br-veth01
echo '$ ip link set br-veth01 master br0'
ip link set br-veth01 master br0
echo '$ ip link set dev br-veth01 up'
ip link set dev br-veth01 up
echo '$ ip link set veth01 netns ns01'
ip link set veth01 netns ns01
echo '$ ip netns exec ns01 ip link set dev veth01 up'
ip netns exec ns01 ip link set dev veth01 up
echo '$ ip netns exec ns01 ip addr add 192.168.88.11/24 dev veth01'
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
echo '$ bridge link'
bridge link
echo '$ bridge link show dev br-veth02'
bridge link show dev br-veth02
echo '$ bridge fdb show br br0'
bridge fdb show br br0
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ ip netns exec ns02 ping -c 1 192.168.88.13'
ip netns exec ns02 ping -c 1 192.168.88.13
echo '$ ip netns exec ns03 ping -c 1 192.168.88.11'
ip netns exec ns03 ping -c 1 192.168.88.11
echo '$ bridge fdb show br br0'
bridge fdb show br br0
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ bridge fdb show dev br-veth03'
bridge fdb show dev br-veth03
echo '$ brctl show br0'
brctl show br0
echo '$ ip netns exec ns01 ip neigh show 192.168.88.12'
ip netns exec ns01 ip neigh show 192.168.88.12
echo '$ ip netns exec ns01 ip neigh show 192.168.88.13'
ip netns exec ns01 ip neigh show 192.168.88.13
echo '$ ip -br link show type veth'
ip -br link show type veth
echo '$ ip link show master br0'
ip link show master br0
