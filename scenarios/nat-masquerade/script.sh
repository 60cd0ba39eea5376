#!/bin/bash
# Seed 001's last lesson: a namespace behind br01 reaches 114.114.114.114 only once the host
# forwards and MASQUERADEs its private source; eth0 shows the translated source, br01 the
# original. IP header ids change every run: they are shown as ID.
ipid() { sed -E 's/, id [0-9]+, offset/, id ID, offset/'; }
brctl addbr br01
ip link set dev br01 up
ifconfig br01 192.168.88.1/24 up
ip netns add ns02
ip link add veth02 type veth peer name br-veth02
brctl addif br01 br-veth02
ip link set dev br-veth02 up
ip link set veth02 netns ns02
ip netns exec ns02 ip link set dev veth02 up
ip netns exec ns02 ifconfig veth02 192.168.88.12/24 up
ip netns exec ns02 ip route add default via 192.168.88.1
sleep 1
echo '$ ip netns exec ns02 ping 114.114.114.114 -c 1'
ip netns exec ns02 ping 114.114.114.114 -c 1
echo "rc=$?"
echo '$ sysctl -w net.ipv4.conf.all.forwarding=1'
sysctl -w net.ipv4.conf.all.forwarding=1
tcpdump -i eth0 -nn -vv -c 1 host 114.114.114.114 >eth0-1.txt 2>/dev/null &
sleep 1
echo '$ ip netns exec ns02 ping 114.114.114.114 -c 1'
ip netns exec ns02 ping 114.114.114.114 -c 1
echo "rc=$?"
wait
echo '$ tcpdump -i eth0 -nn -vv host 114.114.114.114'
ipid <eth0-1.txt
echo '$ iptables -t nat -A POSTROUTING -s 192.168.88.0/24 -j MASQUERADE'
iptables -t nat -A POSTROUTING -s 192.168.88.0/24 -j MASQUERADE
echo '$ iptables -t nat -nL --line-number'
iptables -t nat -nL --line-number
tcpdump -i eth0 -nn -vv -c 2 host 114.114.114.114 >eth0-2.txt 2>/dev/null &
tcpdump -i br01 -nn -vv -c 2 icmp >br01.txt 2>/dev/null &
sleep 1
echo '$ ip netns exec ns02 ping 114.114.114.114 -c 1'
ip netns exec ns02 ping 114.114.114.114 -c 1
echo "rc=$?"
wait
echo '$ tcpdump -i eth0 -nn -vv host 114.114.114.114'
ipid <eth0-2.txt
echo '$ tcpdump -i br01 -nn -vv'
ipid <br01.txt
echo '$ iptables -t nat -nvL POSTROUTING'
iptables -t nat -nvL POSTROUTING
echo '$ ip netns exec ns02 ping 114.114.114.114 -c 2'
ip netns exec ns02 ping 114.114.114.114 -c 2
echo '$ iptables -t nat -nvL POSTROUTING'
iptables -t nat -nvL POSTROUTING
echo '$ ping -c 1 114.114.114.114'
ping -c 1 114.114.114.114
echo '$ iptables -t nat -nvL'
iptables -t nat -nvL
ip netns del ns02
ifconfig br01 down
brctl delbr br01
echo '$ iptables -t nat -D POSTROUTING -s 192.168.88.0/24 -j MASQUERADE'
iptables -t nat -D POSTROUTING -s 192.168.88.0/24 -j MASQUERADE
echo "rc=$?"
echo '$ iptables -t nat -S'
iptables -t nat -S
