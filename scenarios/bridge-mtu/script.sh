#!/bin/bash
# A bridge's MTU follows its smallest port's (br_mtu_auto_adjust): when a port joins or
# leaves and when a port's MTU changes, until the user sets the bridge's own MTU; from then
# on it keeps that. `ip link` and `ifconfig` show it.
ip link add br0 type bridge
ip link add veth1 type veth peer name port1
ip link add veth2 type veth peer name port2
ip link set port1 mtu 1400
ip link set port2 mtu 9000
echo '$ ip link show br0'
ip link show br0
echo '$ ip link set port2 master br0'
ip link set port2 master br0
ip link show br0 | head -1
echo '$ ip link set port1 master br0'
ip link set port1 master br0
ip link show br0 | head -1
echo '$ ip link set port1 mtu 1450'
ip link set port1 mtu 1450
ip link show br0 | head -1
echo '$ ip link set port1 mtu 9500'
ip link set port1 mtu 9500
ip link show br0 | head -1
echo '$ ip link set port1 nomaster'
ip link set port1 nomaster
ip link show br0 | head -1
echo '$ ip link set port2 nomaster'
ip link set port2 nomaster
ip link show br0 | head -1
echo '$ ip link set port2 master br0'
ip link set port2 master br0
ip link show br0 | head -1
echo '$ ifconfig br0'
ifconfig br0
echo '$ ip link set br0 mtu 1300'
ip link set br0 mtu 1300
ip link show br0 | head -1
echo '$ ip link set port1 master br0'
ip link set port1 master br0
ip link show br0 | head -1
echo '$ ip link set port2 mtu 1200'
ip link set port2 mtu 1200
ip link show br0 | head -1
echo '$ ip link set br0 mtu 9100'
ip link set br0 mtu 9100
echo "rc=$?"
ip link show br0 | head -1
echo '$ ip link set br0 mtu 70000'
ip link set br0 mtu 70000
echo "rc=$?"
echo '$ ip link set port1 nomaster'
ip link set port1 nomaster
ip link show br0 | head -1
echo '$ ifconfig br0 | head -1'
ifconfig br0 | head -1
