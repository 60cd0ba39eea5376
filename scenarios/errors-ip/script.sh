#!/bin/bash
# Errors of ip, with the exit status of each.
ip netns add ns01
ip link add veth0 type veth peer name veth1
ip addr add 10.0.1.1/24 dev veth0
ip link set veth0 up
echo '$ ip netns add ns01'
ip netns add ns01
echo "rc=$?"
echo '$ ip netns del nosuch'
ip netns del nosuch
echo "rc=$?"
echo '$ ip netns exec nosuch ip addr'
ip netns exec nosuch ip addr
echo "rc=$?"
echo '$ ip link set dev nosuch up'
ip link set dev nosuch up
echo "rc=$?"
echo '$ ip addr add 10.0.2.1/24 dev nosuch'
ip addr add 10.0.2.1/24 dev nosuch
echo "rc=$?"
echo '$ ip link show nosuch'
ip link show nosuch
echo "rc=$?"
echo '$ ip link del nosuch'
ip link del nosuch
echo "rc=$?"
echo '$ ip addr add 10.0.0.1/33 dev veth0'
ip addr add 10.0.0.1/33 dev veth0
echo "rc=$?"
echo '$ ip addr add 10.0.300.1/24 dev veth0'
ip addr add 10.0.300.1/24 dev veth0
echo "rc=$?"
echo '$ ip addr add 10.0.1.1/24 dev veth0'
ip addr add 10.0.1.1/24 dev veth0
echo "rc=$?"
echo '$ ip addr del 10.0.7.7/24 dev veth0'
ip addr del 10.0.7.7/24 dev veth0
echo "rc=$?"
echo '$ ip link add veth0 type veth peer name veth1'
ip link add veth0 type veth peer name veth1
echo "rc=$?"
echo '$ ip link add veth5 type veth peer name veth0'
ip link add veth5 type veth peer name veth0
echo "rc=$?"
echo '$ ip link add averyveryverylongname type veth peer name x1'
ip link add averyveryverylongname type veth peer name x1
echo "rc=$?"
echo '$ ip link add br0 type bridge'
ip link add br0 type bridge
echo '$ ip link add br0 type bridge'
ip link add br0 type bridge
echo "rc=$?"
echo '$ ip link add foo type nosuchkind'
ip link add foo type nosuchkind
echo "rc=$?"
echo '$ ip route add default via 10.9.9.9'
ip route add default via 10.9.9.9
echo "rc=$?"
echo '$ ip route add 10.5.0.0/16 via 10.0.1.254'
ip route add 10.5.0.0/16 via 10.0.1.254
echo '$ ip route add 10.5.0.0/16 via 10.0.1.254'
ip route add 10.5.0.0/16 via 10.0.1.254
echo "rc=$?"
echo '$ ip route del 10.6.0.0/16'
ip route del 10.6.0.0/16
echo "rc=$?"
echo '$ ip link set veth1 netns nosuch'
ip link set veth1 netns nosuch
echo "rc=$?"
echo '$ ip link set veth1 master nosuch'
ip link set veth1 master nosuch
echo "rc=$?"
echo '$ ip link set veth1 master veth0'
ip link set veth1 master veth0
echo "rc=$?"
echo '$ ip foo'
ip foo
echo "rc=$?"
echo '$ ip link frobnicate'
ip link frobnicate
echo "rc=$?"
echo '$ ip netns exec ns01 ip link set veth0 up'
ip netns exec ns01 ip link set veth0 up
echo "rc=$?"
echo '$ ip netns exec ns01 ping -c 1 10.0.1.1'
ip netns exec ns01 ping -c 1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 10.9.9.9'
ping -c 1 10.9.9.9
echo "rc=$?"
echo '$ ping -c 1 nosuchhost.invalid'
ping -c 1 nosuchhost.invalid
echo "rc=$?"
