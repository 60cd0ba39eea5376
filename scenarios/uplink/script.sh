#!/bin/bash
# The host's uplink: eth0 with an address and a default route via the upstream router, and
# an Internet behind it that answers public addresses and nothing else.
echo '$ ip addr show eth0'
ip addr show eth0
echo '$ ip route'
ip route
echo '$ ping -c 2 114.114.114.114'
ping -c 2 114.114.114.114
echo "rc=$?"
echo '$ ping -c 1 10.0.2.2'
ping -c 1 10.0.2.2
echo '$ ping -c 1 -W 1 192.0.2.1'
ping -c 1 -W 1 192.0.2.1
echo "rc=$?"
echo '$ ping -c 1 -W 1 10.9.9.9'
ping -c 1 -W 1 10.9.9.9
echo "rc=$?"
echo '$ ip neigh'
ip neigh
echo '$ ifconfig eth0'
ifconfig eth0 | grep -v 'packets\|errors'
echo '$ route -n'
route -n
