#!/bin/bash
# ping -c with -w: the count does not stop the sending (pinger() only stops at -c without a
# deadline); replies and errors do, once as many came back, or the first error under -w, after
# the process has read every error waiting.
ip netns add ns01
ip link add veth01 type veth peer name veth02
ip link set veth01 netns ns01
ip netns exec ns01 ip link set lo up
ip netns exec ns01 ip addr add 10.0.0.1/24 dev veth01
ip netns exec ns01 ip link set veth01 up
echo '$ ip netns exec ns01 ping -c 2 -w 3 10.0.0.5'
ip netns exec ns01 ping -c 2 -w 3 10.0.0.5
echo "rc=$?"
echo '$ ip netns exec ns01 ping -c 2 -w 5 -i 0.4 10.0.0.6'
ip netns exec ns01 ping -c 2 -w 5 -i 0.4 10.0.0.6
echo "rc=$?"
