#!/bin/bash
# What programs read inside a namespace shows that namespace: /proc/net, /sys/class/net,
# /proc/sys/net (reading and writing), /proc/self/ns/net and the nsfs mounts of named ones.
ip netns add ns01
ip netns add ns02
ip link add veth01 type veth peer name veth02
ip link set veth01 netns ns01
ip link set veth02 netns ns02
ip -n ns01 addr add 10.0.0.1/24 dev veth01
ip -n ns02 addr add 10.0.0.2/24 dev veth02
ip -n ns01 link set veth01 up
ip -n ns02 link set veth02 up
ip -n ns01 route add default via 10.0.0.2
ip -n ns02 link add br0 type bridge
ip -n ns02 link add port0 type veth peer name port1
ip -n ns02 link set port0 master br0
ip netns exec ns01 ping -c 2 -i 0.2 10.0.0.2 > /dev/null
for f in arp route dev; do
    echo "\$ ip netns exec ns01 cat /proc/net/$f"
    ip netns exec ns01 cat /proc/net/$f
done
echo '$ ip netns exec ns01 cut -f 2- /proc/net/igmp'
ip netns exec ns01 cut -f 2- /proc/net/igmp
echo '$ ip netns exec ns01 ls /sys/class/net'
ip netns exec ns01 ls /sys/class/net
echo '$ ip netns exec ns02 ls /sys/class/net/'
ip netns exec ns02 ls /sys/class/net/
echo '$ ip netns exec ns01 readlink /sys/class/net/veth01'
ip netns exec ns01 readlink /sys/class/net/veth01
for a in address mtu operstate carrier statistics/tx_packets statistics/rx_packets; do
    echo "\$ ip netns exec ns01 cat /sys/class/net/veth01/$a"
    ip netns exec ns01 cat /sys/class/net/veth01/$a
done
echo '$ ip netns exec ns01 ls /sys/class/net/veth01/statistics'
ip netns exec ns01 ls /sys/class/net/veth01/statistics
echo '$ ip netns exec ns02 cat /sys/class/net/br0/carrier'
ip netns exec ns02 cat /sys/class/net/br0/carrier
echo "rc=$?"
echo '$ ip netns exec ns02 ls /sys/class/net/br0/brif'
ip netns exec ns02 ls /sys/class/net/br0/brif
echo '$ ip netns exec ns02 readlink /sys/class/net/port0/master'
ip netns exec ns02 readlink /sys/class/net/port0/master
for a in ageing_time stp_state priority bridge_id; do
    echo "\$ ip netns exec ns02 cat /sys/class/net/br0/bridge/$a"
    ip netns exec ns02 cat /sys/class/net/br0/bridge/$a
done
echo '$ ip netns exec ns01 cat /sys/class/net/nosuch/mtu'
ip netns exec ns01 cat /sys/class/net/nosuch/mtu
echo "rc=$?"
echo '$ ip netns exec ns01 ls /proc/sys/net/ipv4/conf'
ip netns exec ns01 ls /proc/sys/net/ipv4/conf
echo '$ ip netns exec ns01 cat /proc/sys/net/ipv4/ip_forward'
ip netns exec ns01 cat /proc/sys/net/ipv4/ip_forward
echo '$ ip netns exec ns01 bash -c "echo 1 > /proc/sys/net/ipv4/ip_forward"'
ip netns exec ns01 bash -c "echo 1 > /proc/sys/net/ipv4/ip_forward"
echo '$ ip netns exec ns01 sysctl net.ipv4.ip_forward net.ipv4.conf.veth01.forwarding'
ip netns exec ns01 sysctl net.ipv4.ip_forward net.ipv4.conf.veth01.forwarding
echo '$ ip netns exec ns01 cat /proc/sys/net/ipv4/conf/veth01/forwarding'
ip netns exec ns01 cat /proc/sys/net/ipv4/conf/veth01/forwarding
echo '$ ip netns exec ns02 cat /proc/sys/net/ipv4/ip_forward'
ip netns exec ns02 cat /proc/sys/net/ipv4/ip_forward
echo '$ ip netns exec ns01 bash -c "echo 0 > /proc/sys/net/ipv4/conf/all/forwarding"'
ip netns exec ns01 bash -c "echo 0 > /proc/sys/net/ipv4/conf/all/forwarding"
echo '$ ip netns exec ns01 sysctl -n net.ipv4.ip_forward'
ip netns exec ns01 sysctl -n net.ipv4.ip_forward
echo '$ ip netns exec ns01 bash -c "echo 1 > /proc/sys/net/ipv4/nosuch"'
ip netns exec ns01 bash -c "echo 1 > /proc/sys/net/ipv4/nosuch"
echo "rc=$?"
echo '$ the namespace links: one inode per namespace, stable, and what stat -L shows'
a1=$(ip netns exec ns01 readlink /proc/self/ns/net)
a2=$(ip netns exec ns01 readlink /proc/self/ns/net)
b=$(ip netns exec ns02 readlink /proc/self/ns/net)
h=$(readlink /proc/self/ns/net)
i=$(ip netns exec ns01 stat -L -c %i /proc/self/ns/net)
case $a1 in net:\[[0-9]*\]) echo "net:[N] form";; *) echo "odd: $a1";; esac
[ "$a1" = "$a2" ] && echo "ns01 stable"
[ "$a1" != "$b" ] && echo "ns01 and ns02 differ"
[ "$a1" != "$h" ] && echo "ns01 and the initial namespace differ"
[ "net:[$i]" = "$a1" ] && echo "stat -L agrees with readlink"
echo '$ grep nsfs /proc/mounts'
grep nsfs /proc/mounts
echo '$ mount -t nsfs'
mount -t nsfs
