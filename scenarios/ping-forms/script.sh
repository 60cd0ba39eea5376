#!/bin/bash
# ping's options between two namespaces: -c, -i, -q, -s, -W, -w, -t, -b and argument order.
ip netns add ns01
ip netns add ns02
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns01
ip link set veth2 netns ns02
ip netns exec ns01 ip addr add 10.0.1.1/24 dev veth1
ip netns exec ns02 ip addr add 10.0.1.2/24 dev veth2
ip netns exec ns01 ip link set veth1 up
ip netns exec ns02 ip link set veth2 up
sleep 1
echo '$ ip netns exec ns01 ping -c 3 -i 0.2 10.0.1.2'
ip netns exec ns01 ping -c 3 -i 0.2 10.0.1.2
echo '$ ip netns exec ns01 ping 10.0.1.2 -c 1'
ip netns exec ns01 ping 10.0.1.2 -c 1
echo '$ ip netns exec ns01 ping -q -c 3 -i 0.2 10.0.1.2'
ip netns exec ns01 ping -q -c 3 -i 0.2 10.0.1.2
echo '$ ip netns exec ns01 ping -c 2 -i 0.2 -s 100 10.0.1.2'
ip netns exec ns01 ping -c 2 -i 0.2 -s 100 10.0.1.2
echo '$ ip netns exec ns01 ping -c 1 -s 1472 10.0.1.2'
ip netns exec ns01 ping -c 1 -s 1472 10.0.1.2
echo '$ ip netns exec ns01 ping -c 1 -s 0 10.0.1.2'
ip netns exec ns01 ping -c 1 -s 0 10.0.1.2
echo '$ ip netns exec ns01 ping -n -c 1 10.0.1.2'
ip netns exec ns01 ping -n -c 1 10.0.1.2
echo '$ ip netns exec ns01 ping -c 1 -W 1 10.0.1.2'
ip netns exec ns01 ping -c 1 -W 1 10.0.1.2
echo '$ ip netns exec ns01 ping -w 1 -i 0.4 10.0.1.2'
ip netns exec ns01 ping -w 1 -i 0.4 10.0.1.2
echo "rc=$?"
echo '$ ip netns exec ns01 ping -c 1 -t 5 10.0.1.2'
ip netns exec ns01 ping -c 1 -t 5 10.0.1.2
echo '$ ip netns exec ns01 ping -c 1 -I veth1 10.0.1.2'
ip netns exec ns01 ping -c 1 -I veth1 10.0.1.2
echo '$ ip netns exec ns01 ping -c 1 10.0.1.1'
ip netns exec ns01 ping -c 1 10.0.1.1
echo '$ ip netns exec ns01 ping -c 1 -W 1 -b 10.0.1.255'
ip netns exec ns01 ping -c 1 -W 1 -b 10.0.1.255
echo "rc=$?"
echo '$ ip netns exec ns01 ping -c 2 -i 0.2 -W 1 10.0.1.9'
ip netns exec ns01 ping -c 2 -i 0.2 -W 1 10.0.1.9
echo "rc=$?"
echo '$ ip netns exec ns01 ping -c 0 10.0.1.2'
ip netns exec ns01 ping -c 0 10.0.1.2
echo "rc=$?"
echo '$ ip netns exec ns01 ping'
ip netns exec ns01 ping
echo "rc=$?"
echo '$ ip netns exec ns01 ping -c 1 -i 0.001 10.0.1.2'
ip netns exec ns01 ping -c 1 -i 0.001 10.0.1.2
echo "rc=$?"
