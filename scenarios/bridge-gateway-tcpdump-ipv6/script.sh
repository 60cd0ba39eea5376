#!/bin/bash
# The bridge's address as the namespaces' default gateway, watched with tcpdump on the bridge
# (seed 001: tcpdump -i br01 -nn; ping 114.114.114.114 from ns02).
ip link add br01 type bridge
ip link set dev br01 up
ip addr add 192.168.88.1/24 dev br01
ip netns add ns01
ip link add veth01 type veth peer name br-veth01
ip link set br-veth01 master br01
ip link set dev br-veth01 up
ip link set veth01 netns ns01
ip netns exec ns01 ip link set dev veth01 up
ip netns exec ns01 ip addr add 192.168.88.11/24 dev veth01
ip netns add ns02
ip link add veth02 type veth peer name br-veth02
ip link set br-veth02 master br01
ip link set dev br-veth02 up
ip link set veth02 netns ns02
ip netns exec ns02 ip link set dev veth02 up
ip netns exec ns02 ip addr add 192.168.88.12/24 dev veth02
echo '$ ip netns exec ns01 ip route add default via 192.168.88.1'
ip netns exec ns01 ip route add default via 192.168.88.1
echo '$ ip netns exec ns02 ip route add default via 192.168.88.1'
ip netns exec ns02 ip route add default via 192.168.88.1
sleep 2
echo '$ ip netns exec ns02 ip route'
ip netns exec ns02 ip route
echo '$ tcpdump -i br01 -nn &'
tcpdump -i br01 -nn &
sleep 1
echo '$ tcpdump -i br01 -nn -w br01.pcap &'
tcpdump -i br01 -nn -w br01.pcap &
sleep 1
echo '$ ip netns exec ns01 ping -c 1 192.168.88.12'
ip netns exec ns01 ping -c 1 192.168.88.12
echo '$ ip netns exec ns01 ping -c 1 192.168.88.1'
ip netns exec ns01 ping -c 1 192.168.88.1
echo '$ ip netns exec ns02 ping 114.114.114.114 -c 1 -W 1'
ip netns exec ns02 ping 114.114.114.114 -c 1 -W 1
echo "rc=$?"
echo '$ sysctl -w net.ipv4.conf.all.forwarding=1'
sysctl -w net.ipv4.conf.all.forwarding=1
echo '$ ip netns exec ns02 ping 114.114.114.114 -c 1 -W 1'
ip netns exec ns02 ping 114.114.114.114 -c 1 -W 1
echo "rc=$?"
echo '$ ip netns exec ns01 arp -n 192.168.88.1'
ip netns exec ns01 arp -n 192.168.88.1
echo '$ ip netns exec ns01 ip neigh show 192.168.88.12'
ip netns exec ns01 ip neigh show 192.168.88.12
sleep 1
echo '$ kill %1 %2'
kill %1 %2
echo '$ wait'
wait
echo '$ tcpdump -nn -r br01.pcap icmp'
tcpdump -nn -r br01.pcap icmp
echo '$ tcpdump -nn -e -r br01.pcap arp'
tcpdump -nn -e -r br01.pcap arp
