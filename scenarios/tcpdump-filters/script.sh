#!/bin/bash
# tcpdump's filters and output forms, live and reading back a capture file.
ip link add br0 type bridge
ip link set dev br0 up
ip addr add 192.168.88.1/24 dev br0
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
echo '$ tcpdump -i br0 -nn -w all.pcap &'
tcpdump -i br0 -nn -w all.pcap 2>/dev/null &
echo '$ tcpdump -i br0 -nn -e -v arp &'
tcpdump -i br0 -nn -e -v arp 2>/dev/null &
echo '$ tcpdump -i br0 -nn -w icmp.pcap icmp &'
tcpdump -i br0 -nn -w icmp.pcap icmp 2>/dev/null &
sleep 1
echo '$ ip netns exec ns01 ping -c 2 -i 0.2 192.168.88.12'
ip netns exec ns01 ping -c 2 -i 0.2 192.168.88.12
echo '$ ip netns exec ns02 ping -c 1 192.168.88.1'
ip netns exec ns02 ping -c 1 192.168.88.1
sleep 1
echo '$ kill %1 %2 %3'
kill %1 %2 %3
wait
echo '$ tcpdump -nn -r all.pcap'
tcpdump -nn -r all.pcap 2>/dev/null
echo '$ tcpdump -nn -r all.pcap arp'
tcpdump -nn -r all.pcap arp 2>/dev/null
echo '$ tcpdump -nn -r all.pcap icmp'
tcpdump -nn -r all.pcap icmp 2>/dev/null
echo '$ tcpdump -nn -r all.pcap host 192.168.88.1'
tcpdump -nn -r all.pcap host 192.168.88.1 2>/dev/null
echo '$ tcpdump -nn -r all.pcap src host 192.168.88.12 and icmp'
tcpdump -nn -r all.pcap src host 192.168.88.12 and icmp 2>/dev/null
echo '$ tcpdump -nn -r all.pcap not arp'
tcpdump -nn -r all.pcap not arp 2>/dev/null
echo '$ tcpdump -nn -r all.pcap '\''icmp[icmptype] == icmp-echoreply'\'''
tcpdump -nn -r all.pcap 'icmp[icmptype] == icmp-echoreply' 2>/dev/null
echo '$ tcpdump -nn -e -r all.pcap arp and not host 192.168.88.1'
tcpdump -nn -e -r all.pcap arp and not host 192.168.88.1 2>/dev/null
echo '$ tcpdump -nn -c 2 -r all.pcap'
tcpdump -nn -c 2 -r all.pcap 2>/dev/null
echo '$ tcpdump -nn -q -r icmp.pcap'
tcpdump -nn -q -r icmp.pcap 2>/dev/null
echo '$ tcpdump -r icmp.pcap -nn -t'
tcpdump -r icmp.pcap -nn -t 2>/dev/null
echo '$ tcpdump -nn -r icmp.pcap -w echo.pcap '\''icmp[icmptype] == icmp-echo'\'''
tcpdump -nn -r icmp.pcap -w echo.pcap 'icmp[icmptype] == icmp-echo' 2>/dev/null
echo '$ tcpdump -nn -r echo.pcap'
tcpdump -nn -r echo.pcap 2>/dev/null
echo '$ tcpdump -nn -r nosuch.pcap'
tcpdump -nn -r nosuch.pcap
echo "rc=$?"
echo '$ tcpdump -i nosuch -nn'
tcpdump -i nosuch -nn
echo "rc=$?"
