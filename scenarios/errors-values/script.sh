#!/bin/bash
# Numbers and addresses out of range or in odd forms: sysctl, route, arp, ifconfig, ip, bridge, brctl.
ip link add veth0 type veth peer name veth1
ip link add br0 type bridge
ip link set veth1 master br0
ip addr add 10.0.1.1/24 dev veth0
ip link set veth0 up
echo '$ sysctl -w net.ipv4.ip_forward=4294967296'
sysctl -w net.ipv4.ip_forward=4294967296
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward=2'
sysctl -w net.ipv4.ip_forward=2
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward=-1'
sysctl -w net.ipv4.ip_forward=-1
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward=abc'
sysctl -w net.ipv4.ip_forward=abc
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward='
sysctl -w net.ipv4.ip_forward=
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward'
sysctl -w net.ipv4.ip_forward
echo "rc=$?"
echo '$ sysctl -w net.ipv4.icmp_echo_ignore_all=4294967296'
sysctl -w net.ipv4.icmp_echo_ignore_all=4294967296
echo "rc=$?"
echo '$ sysctl net.ipv4.nosuch'
sysctl net.ipv4.nosuch
echo "rc=$?"
echo '$ sysctl -w net.ipv4.nosuch=1'
sysctl -w net.ipv4.nosuch=1
echo "rc=$?"
echo '$ sysctl net.ipv4.conf.nosuch.forwarding'
sysctl net.ipv4.conf.nosuch.forwarding
echo "rc=$?"
echo '$ sysctl -n net.ipv4.ip_forward'
sysctl -n net.ipv4.ip_forward
echo "rc=$?"
echo '$ sysctl -A | grep "^net.ipv4.ip_forward "'
sysctl -A | grep "^net.ipv4.ip_forward "
echo "rc=$?"
echo '$ sysctl -a | grep "^net.ipv4.conf.veth0.forwarding "'
sysctl -a | grep "^net.ipv4.conf.veth0.forwarding "
echo "rc=$?"
echo '$ sysctl -Z'
sysctl -Z
echo "rc=$?"
echo '$ sysctl -w net.ipv4.icmp_echo_ignore_all=2'
sysctl -w net.ipv4.icmp_echo_ignore_all=2
echo "rc=$?"
echo '$ sysctl -w net.ipv4.icmp_echo_ignore_broadcasts=-1'
sysctl -w net.ipv4.icmp_echo_ignore_broadcasts=-1
echo "rc=$?"
echo '$ sysctl -w net.ipv6.conf.all.disable_ipv6=2'
sysctl -w net.ipv6.conf.all.disable_ipv6=2
echo "rc=$?"
echo '$ sysctl net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.veth0.disable_ipv6'
sysctl net.ipv6.conf.default.disable_ipv6 net.ipv6.conf.veth0.disable_ipv6
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward=0'
sysctl -w net.ipv4.ip_forward=0
echo "rc=$?"
echo '$ route add -net 0 netmask 0 dev veth0'
route add -net 0 netmask 0 dev veth0
echo "rc=$?"
echo '$ route -n'
route -n
echo "rc=$?"
echo '$ route del -net 0 netmask 0 dev veth0'
route del -net 0 netmask 0 dev veth0
echo "rc=$?"
echo '$ route add -net 10.2.0.0 netmask 255.0.255.0 dev veth0'
route add -net 10.2.0.0 netmask 255.0.255.0 dev veth0
echo "rc=$?"
echo '$ route add -net 10.2.0.1 netmask 255.255.0.0 dev veth0'
route add -net 10.2.0.1 netmask 255.255.0.0 dev veth0
echo "rc=$?"
echo '$ route add -net 10.9.0.0/16 gw 10.7.7.7'
route add -net 10.9.0.0/16 gw 10.7.7.7
echo "rc=$?"
echo '$ route del -net 10.9.0.0 netmask 255.255.0.0'
route del -net 10.9.0.0 netmask 255.255.0.0
echo "rc=$?"
echo '$ route add -host 10.0.1.77 dev nosuch'
route add -host 10.0.1.77 dev nosuch
echo "rc=$?"
echo '$ route add -net 10.3.0.0 netmask 255.255.0.0 dev veth0 metric abc'
route add -net 10.3.0.0 netmask 255.255.0.0 dev veth0 metric abc
echo "rc=$?"
echo '$ route add nosuch'
route add nosuch
echo "rc=$?"
echo '$ route add default gw 256.0.0.1'
route add default gw 256.0.0.1
echo "rc=$?"
echo '$ route add -net 010.003.0.0 netmask 255.255.0.0 dev veth0'
route add -net 010.003.0.0 netmask 255.255.0.0 dev veth0
echo "rc=$?"
echo '$ route -n'
route -n
echo "rc=$?"
echo '$ arp -s 10.0.1.5 zz:zz:zz:zz:zz:zz'
arp -s 10.0.1.5 zz:zz:zz:zz:zz:zz
echo "rc=$?"
echo '$ arp -s 10.0.1.5'
arp -s 10.0.1.5
echo "rc=$?"
echo '$ arp -d 10.0.1.99'
arp -d 10.0.1.99
echo "rc=$?"
echo '$ arp -i nosuch -n'
arp -i nosuch -n
echo "rc=$?"
echo '$ arp -s 10.9.9.9 00:11:22:33:44:55'
arp -s 10.9.9.9 00:11:22:33:44:55
echo "rc=$?"
echo '$ ifconfig veth0 65535'
ifconfig veth0 65535
echo "rc=$?"
echo '$ ifconfig veth0'
ifconfig veth0
echo "rc=$?"
echo '$ ifconfig veth0 010.000.000.001'
ifconfig veth0 010.000.000.001
echo "rc=$?"
echo '$ ifconfig veth0'
ifconfig veth0
echo "rc=$?"
echo '$ ifconfig veth0 10.0.1.1 netmask 255.255.255.0'
ifconfig veth0 10.0.1.1 netmask 255.255.255.0
echo "rc=$?"
echo '$ ifconfig veth0 mtu 0'
ifconfig veth0 mtu 0
echo "rc=$?"
echo '$ ifconfig veth0 mtu 70000'
ifconfig veth0 mtu 70000
echo "rc=$?"
echo '$ ifconfig veth0 mtu abc'
ifconfig veth0 mtu abc
echo "rc=$?"
echo '$ ifconfig veth0 10.0.1.300'
ifconfig veth0 10.0.1.300
echo "rc=$?"
echo '$ ifconfig veth0 hw ether zz'
ifconfig veth0 hw ether zz
echo "rc=$?"
echo '$ ip addr add 010.000.001.005/24 dev veth0'
ip addr add 010.000.001.005/24 dev veth0
echo "rc=$?"
echo '$ ip -br addr show dev veth0'
ip -br addr show dev veth0
echo "rc=$?"
echo '$ ip addr add 10.0.1.6/24 brd 300.0.0.1 dev veth0'
ip addr add 10.0.1.6/24 brd 300.0.0.1 dev veth0
echo "rc=$?"
echo '$ ip link set veth0 mtu 4294967296'
ip link set veth0 mtu 4294967296
echo "rc=$?"
echo '$ ip link set veth0 mtu 70000'
ip link set veth0 mtu 70000
echo "rc=$?"
echo '$ ip link set veth0 mtu 67'
ip link set veth0 mtu 67
echo "rc=$?"
echo '$ ip link set veth0 address 00:00:00:00:00:00'
ip link set veth0 address 00:00:00:00:00:00
echo "rc=$?"
echo '$ ip link set veth0 address ff:ff:ff:ff:ff:ff'
ip link set veth0 address ff:ff:ff:ff:ff:ff
echo "rc=$?"
echo '$ bridge fdb add 00:00:00:00:00:00 dev veth1 master'
bridge fdb add 00:00:00:00:00:00 dev veth1 master
echo "rc=$?"
echo '$ bridge fdb add ff:ff:ff:ff:ff:ff dev veth1 master'
bridge fdb add ff:ff:ff:ff:ff:ff dev veth1 master
echo "rc=$?"
echo '$ bridge fdb add zz:00:00:00:00:01 dev veth1 master'
bridge fdb add zz:00:00:00:00:01 dev veth1 master
echo "rc=$?"
echo '$ bridge fdb add 00:00:00:00:00:01 dev nosuch master'
bridge fdb add 00:00:00:00:00:01 dev nosuch master
echo "rc=$?"
echo '$ bridge fdb del 00:00:00:00:00:02 dev veth1 master'
bridge fdb del 00:00:00:00:00:02 dev veth1 master
echo "rc=$?"
echo '$ bridge link set dev veth1 learning maybe'
bridge link set dev veth1 learning maybe
echo "rc=$?"
echo '$ bridge link set dev nosuch learning off'
bridge link set dev nosuch learning off
echo "rc=$?"
echo '$ ip link set br0 type bridge ageing_time 4294967296'
ip link set br0 type bridge ageing_time 4294967296
echo "rc=$?"
echo '$ ip link set br0 type bridge ageing_time abc'
ip link set br0 type bridge ageing_time abc
echo "rc=$?"
echo '$ brctl setageing br0 abc'
brctl setageing br0 abc
echo "rc=$?"
echo '$ brctl setageing br0 -1'
brctl setageing br0 -1
echo "rc=$?"
echo '$ ip neigh add 10.0.1.9 lladdr zz dev veth0'
ip neigh add 10.0.1.9 lladdr zz dev veth0
echo "rc=$?"
echo '$ ip neigh add 10.0.1.9 lladdr 00:11:22:33:44:55 dev veth0 nud bogus'
ip neigh add 10.0.1.9 lladdr 00:11:22:33:44:55 dev veth0 nud bogus
echo "rc=$?"
echo '$ ip route add 10.4.0.0/16 dev veth0 metric 4294967296'
ip route add 10.4.0.0/16 dev veth0 metric 4294967296
echo "rc=$?"
echo '$ ip route add 10.4.0.0/40 dev veth0'
ip route add 10.4.0.0/40 dev veth0
echo "rc=$?"
