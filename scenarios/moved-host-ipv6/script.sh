#!/bin/bash
# A MAC that shows up behind another port is re-learned there (a host moved to another
# port: its twin ns01b, same MAC and address, appears on br-veth03). A port whose link
# goes down loses its learned entries.
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
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
MAC01=$(ip netns exec ns01 ip -br link show dev veth01 | awk '{print $3}')
echo '$ ip netns add ns01b'
ip netns add ns01b
echo '$ ip link add veth01b type veth peer name br-veth03'
ip link add veth01b type veth peer name br-veth03
echo '$ ip link set br-veth03 master br0'
ip link set br-veth03 master br0
echo '$ ip link set dev br-veth03 up'
ip link set dev br-veth03 up
echo '$ ip link set veth01b netns ns01b'
ip link set veth01b netns ns01b
echo '$ ip netns exec ns01b ip link set dev veth01b address $MAC01'
ip netns exec ns01b ip link set dev veth01b address $MAC01
echo '$ ip netns exec ns01b ip link set dev veth01b up'
ip netns exec ns01b ip link set dev veth01b up
echo '$ ip netns exec ns01b ip addr add 192.168.88.11/24 dev veth01b'
ip netns exec ns01b ip addr add 192.168.88.11/24 dev veth01b
sleep 2
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns01b ping -c 1 192.168.88.12'
ip netns exec ns01b ping -c 1 192.168.88.12
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
echo '$ ip netns exec ns02 ping -c 1 192.168.88.11'
ip netns exec ns02 ping -c 1 192.168.88.11
echo '$ ip netns exec ns01b ip -s link show dev veth01b | head -4'
ip netns exec ns01b ip -s link show dev veth01b | head -4
echo '$ ip netns exec ns02 ip link set dev veth02 down'
ip netns exec ns02 ip link set dev veth02 down
sleep 1
echo '$ bridge link'
bridge link
echo '$ bridge fdb show br br0 | grep -v permanent'
bridge fdb show br br0 | grep -v permanent
