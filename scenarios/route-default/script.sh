#!/bin/bash
# Routes in a namespace: dev routes, a default route via a gateway, deleting it, route -n.
ip netns add test_ns
ip link add veth0 type veth peer name veth1
ip link set veth1 netns test_ns
ifconfig veth0 10.1.1.2/24 up
echo '$ ip netns exec test_ns ifconfig veth1 10.1.1.1/24 up'
ip netns exec test_ns ifconfig veth1 10.1.1.1/24 up
sleep 1
echo '$ ip netns exec test_ns ip route'
ip netns exec test_ns ip route
echo '$ ip netns exec test_ns route'
ip netns exec test_ns route
echo '$ ip netns exec test_ns ip route add default via 10.1.1.2'
ip netns exec test_ns ip route add default via 10.1.1.2
echo '$ ip netns exec test_ns ip route'
ip netns exec test_ns ip route
echo '$ ip netns exec test_ns ip route show default'
ip netns exec test_ns ip route show default
echo '$ ip netns exec test_ns route -n'
ip netns exec test_ns route -n
echo '$ ip netns exec test_ns ip route add 10.2.0.0/16 dev veth1'
ip netns exec test_ns ip route add 10.2.0.0/16 dev veth1
echo '$ ip netns exec test_ns ip route add 10.3.0.0/16 via 10.1.1.2 dev veth1 metric 10'
ip netns exec test_ns ip route add 10.3.0.0/16 via 10.1.1.2 dev veth1 metric 10
echo '$ ip netns exec test_ns ip route add 10.4.4.4 via 10.1.1.2'
ip netns exec test_ns ip route add 10.4.4.4 via 10.1.1.2
echo '$ ip netns exec test_ns ip route'
ip netns exec test_ns ip route
echo '$ ip netns exec test_ns route -n'
ip netns exec test_ns route -n
echo '$ ip netns exec test_ns ip route get 10.3.0.1'
ip netns exec test_ns ip route get 10.3.0.1
echo '$ ip netns exec test_ns ip route get 8.8.8.8'
ip netns exec test_ns ip route get 8.8.8.8
echo '$ ip netns exec test_ns ping -c 1 10.1.1.2'
ip netns exec test_ns ping -c 1 10.1.1.2
echo '$ ip netns exec test_ns ip route del default'
ip netns exec test_ns ip route del default
echo '$ ip netns exec test_ns ip route'
ip netns exec test_ns ip route
echo '$ ip netns exec test_ns ping -c 1 8.8.8.8'
ip netns exec test_ns ping -c 1 8.8.8.8
echo "rc=$?"
echo '$ ip netns exec test_ns ip route del 10.2.0.0/16'
ip netns exec test_ns ip route del 10.2.0.0/16
echo '$ ip netns exec test_ns ip route del 10.3.0.0/16'
ip netns exec test_ns ip route del 10.3.0.0/16
echo '$ ip netns exec test_ns ip route del 10.4.4.4'
ip netns exec test_ns ip route del 10.4.4.4
echo '$ ip netns exec test_ns ip route add default via 10.1.1.2 dev veth1'
ip netns exec test_ns ip route add default via 10.1.1.2 dev veth1
echo '$ ip netns exec test_ns ip route replace default via 10.1.1.3'
ip netns exec test_ns ip route replace default via 10.1.1.3
echo '$ ip netns exec test_ns ip route show'
ip netns exec test_ns ip route show
echo '$ ip netns exec test_ns route add default gw 10.1.1.2'
ip netns exec test_ns route add default gw 10.1.1.2
echo "rc=$?"
echo '$ ip netns exec test_ns route -n'
ip netns exec test_ns route -n
echo '$ ip netns exec test_ns ip link set veth1 down'
ip netns exec test_ns ip link set veth1 down
echo '$ ip netns exec test_ns ip route'
ip netns exec test_ns ip route
