#!/bin/bash
# sysctl read/write forms on the per-namespace IPv4 forwarding switches.
ip netns add ns01
ip link add veth0 type veth peer name veth1
ip link set veth1 netns ns01
echo '$ sysctl net.ipv4.ip_forward'
sysctl net.ipv4.ip_forward
echo '$ sysctl -n net.ipv4.ip_forward'
sysctl -n net.ipv4.ip_forward
echo '$ sysctl -w net.ipv4.ip_forward=1'
sysctl -w net.ipv4.ip_forward=1
echo '$ sysctl net.ipv4.ip_forward'
sysctl net.ipv4.ip_forward
echo '$ sysctl net.ipv4.conf.all.forwarding'
sysctl net.ipv4.conf.all.forwarding
echo '$ sysctl net.ipv4.conf.veth0.forwarding'
sysctl net.ipv4.conf.veth0.forwarding
echo '$ sysctl -q -w net.ipv4.ip_forward=0'
sysctl -q -w net.ipv4.ip_forward=0
echo '$ sysctl net.ipv4.conf.all.forwarding net.ipv4.ip_forward'
sysctl net.ipv4.conf.all.forwarding net.ipv4.ip_forward
echo '$ sysctl -w net.ipv4.conf.all.forwarding=1'
sysctl -w net.ipv4.conf.all.forwarding=1
echo '$ sysctl -n net.ipv4.ip_forward'
sysctl -n net.ipv4.ip_forward
echo '$ sysctl -w net.ipv4.conf.veth0.forwarding=0'
sysctl -w net.ipv4.conf.veth0.forwarding=0
echo '$ sysctl net.ipv4.conf.veth0.forwarding net.ipv4.conf.all.forwarding'
sysctl net.ipv4.conf.veth0.forwarding net.ipv4.conf.all.forwarding
echo '$ sysctl net.ipv4.conf.default.forwarding'
sysctl net.ipv4.conf.default.forwarding
echo '$ sysctl net/ipv4/ip_forward'
sysctl net/ipv4/ip_forward
echo '$ sysctl -w net.ipv4.ip_forward=0 net.ipv4.conf.default.forwarding=0'
sysctl -w net.ipv4.ip_forward=0 net.ipv4.conf.default.forwarding=0
echo '$ ip netns exec ns01 sysctl net.ipv4.ip_forward'
ip netns exec ns01 sysctl net.ipv4.ip_forward
echo '$ ip netns exec ns01 sysctl -w net.ipv4.ip_forward=1'
ip netns exec ns01 sysctl -w net.ipv4.ip_forward=1
echo '$ ip netns exec ns01 sysctl -n net.ipv4.conf.veth1.forwarding'
ip netns exec ns01 sysctl -n net.ipv4.conf.veth1.forwarding
echo '$ sysctl -n net.ipv4.ip_forward'
sysctl -n net.ipv4.ip_forward
echo '$ sysctl net.ipv6.conf.all.disable_ipv6'
sysctl net.ipv6.conf.all.disable_ipv6
echo '$ sysctl -n net.ipv6.conf.default.disable_ipv6'
sysctl -n net.ipv6.conf.default.disable_ipv6
echo '$ sysctl net.ipv4.nosuch'
sysctl net.ipv4.nosuch
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward'
sysctl -w net.ipv4.ip_forward
echo "rc=$?"
echo '$ sysctl -q net.ipv4.nosuch'
sysctl -q net.ipv4.nosuch
echo "rc=$?"
echo '$ sysctl -e net.ipv4.nosuch'
sysctl -e net.ipv4.nosuch
echo "rc=$?"
