#!/bin/bash
# Writing the files of /sys/class/net and /proc/sys/net acts on the namespace, as `ip link
# set` and `sysctl -w` do.
ip netns add ns01
ip link add veth01 type veth peer name veth02
ip link set veth01 netns ns01
ip link add br0 type bridge
ip link set veth02 master br0
echo '$ ip netns exec ns01 bash -c "echo 1400 > /sys/class/net/veth01/mtu"'
ip netns exec ns01 bash -c "echo 1400 > /sys/class/net/veth01/mtu"
echo '$ ip -n ns01 link show veth01'
ip -n ns01 link show veth01
echo '$ ip netns exec ns01 cat /sys/devices/virtual/net/veth01/mtu'
ip netns exec ns01 cat /sys/devices/virtual/net/veth01/mtu
echo '$ echo 1000 > /sys/class/net/br0/bridge/ageing_time'
echo 1000 > /sys/class/net/br0/bridge/ageing_time
echo '$ cat /sys/class/net/br0/bridge/ageing_time'
cat /sys/class/net/br0/bridge/ageing_time
echo '$ ip -d link show br0 | grep -o "ageing_time [0-9]*"'
ip -d link show br0 | grep -o "ageing_time [0-9]*"
echo '$ echo 1 | tee /proc/sys/net/ipv4/conf/br0/forwarding'
echo 1 | tee /proc/sys/net/ipv4/conf/br0/forwarding
echo '$ sysctl net.ipv4.conf.br0.forwarding net.ipv4.ip_forward'
sysctl net.ipv4.conf.br0.forwarding net.ipv4.ip_forward
echo '$ echo 1 > /proc/net/arp'
# bash names the script in its error: keep only the error itself.
{ echo 1 > /proc/net/arp; } 2>&1 | sed 's/^.*line [0-9]*: //'
echo "rc=${PIPESTATUS[0]}"
