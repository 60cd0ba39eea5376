#!/bin/bash
# A new network namespace has only lo, and lo is down (seed: "创建 Network namespace").
echo '$ ip netns add mynet'
ip netns add mynet
echo '$ ip netns list'
ip netns list
echo '$ ip netns exec mynet ip addr'
ip netns exec mynet ip addr
echo '$ ip netns exec mynet ip link list'
ip netns exec mynet ip link list
echo '$ ip netns exec mynet ping -c 1 127.0.0.1'
ip netns exec mynet ping -c 1 127.0.0.1
echo "rc=$?"
echo '$ ip netns exec mynet ip link set lo up'
ip netns exec mynet ip link set lo up
echo '$ ip netns exec mynet ip addr'
ip netns exec mynet ip addr
echo '$ ip netns exec mynet ping 127.0.0.1 -c 5'
ip netns exec mynet ping 127.0.0.1 -c 5
echo "rc=$?"
echo '$ ip netns exec mynet ip route show table local'
ip netns exec mynet ip route show table local
echo '$ ip netns exec mynet ip link set dev lo down'
ip netns exec mynet ip link set dev lo down
echo '$ ip netns exec mynet ip a'
ip netns exec mynet ip a
echo '$ ip netns del mynet'
ip netns del mynet
echo '$ ip netns list'
ip netns list
