#!/bin/bash
# ping's refusals: sizes no datagram can have, counts, TTLs, timeouts, intervals, flood dots.
ip link add veth0 type veth peer name veth1
ip addr add 10.0.1.1/24 dev veth0
ip link set veth0 up
ip netns add ns01
ip link set veth1 netns ns01
ip -n ns01 addr add 10.0.1.2/24 dev veth1
ip -n ns01 link set veth1 up
sleep 2
echo '$ ping -c 1 -s 65508 10.0.1.1'
ping -c 1 -s 65508 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -s 65508 -W 1 10.0.1.2'
ping -c 1 -s 65508 -W 1 10.0.1.2
echo "rc=$?"
echo '$ ping -c 1 -s 65507 -W 1 10.0.1.2'
ping -c 1 -s 65507 -W 1 10.0.1.2
echo "rc=$?"
echo '$ ping -c 1 -s 70000 -W 1 10.0.1.2'
ping -c 1 -s 70000 -W 1 10.0.1.2
echo "rc=$?"
echo '$ ping -c 1 -s 65507 -W 1 10.0.1.1'
ping -c 1 -s 65507 -W 1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -s 65528 10.0.1.1'
ping -c 1 -s 65528 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -s 2147483648 10.0.1.1'
ping -c 1 -s 2147483648 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -s -1 10.0.1.1'
ping -c 1 -s -1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -s abc 10.0.1.1'
ping -c 1 -s abc 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -s 10.0.1.1'
ping -c 1 -s 10.0.1.1
echo "rc=$?"
echo '$ ping -c 0 10.0.1.1'
ping -c 0 10.0.1.1
echo "rc=$?"
echo '$ ping -c -1 10.0.1.1'
ping -c -1 10.0.1.1
echo "rc=$?"
echo '$ ping -c abc 10.0.1.1'
ping -c abc 10.0.1.1
echo "rc=$?"
echo '$ ping -c 99999999999 -w 1 10.0.1.1'
ping -c 99999999999 -w 1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -t 0 10.0.1.1'
ping -c 1 -t 0 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -t 256 10.0.1.1'
ping -c 1 -t 256 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -t abc 10.0.1.1'
ping -c 1 -t abc 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -W -1 10.0.1.1'
ping -c 1 -W -1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -W abc 10.0.1.1'
ping -c 1 -W abc 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -w -1 10.0.1.1'
ping -c 1 -w -1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -i -1 10.0.1.1'
ping -c 1 -i -1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -i abc 10.0.1.1'
ping -c 1 -i abc 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -M foo 10.0.1.1'
ping -c 1 -M foo 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -I nosuch 10.0.1.1'
ping -c 1 -I nosuch 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -l -1 10.0.1.1'
ping -c 1 -l -1 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1'
ping -c 1
echo "rc=$?"
echo '$ ping -c 1 10.0.1.1 10.0.1.2'
ping -c 1 10.0.1.1 10.0.1.2
echo "rc=$?"
echo '$ ping -c 1 -s 65500 -M do 10.0.1.2'
ping -c 1 -s 65500 -M do 10.0.1.2
echo "rc=$?"
echo '$ ping -f -c 2 10.0.1.9'
ping -f -c 2 10.0.1.9
echo "rc=$?"
echo '$ ping -f -c 3 10.0.1.1'
ping -f -c 3 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -M do -s 1473 10.0.1.1'
ping -c 1 -M do -s 1473 10.0.1.1
echo "rc=$?"
echo '$ ping -c 2 -i 0 10.0.1.1'
ping -c 2 -i 0 10.0.1.1
echo "rc=$?"
echo '$ ping -c 1 -Q 300 10.0.1.1'
ping -c 1 -Q 300 10.0.1.1
echo "rc=$?"
