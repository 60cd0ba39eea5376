#!/bin/bash
# The bridge takes the lowest MAC among its ports, until an address is set on it.
echo '$ ip link add br0 type bridge'
ip link add br0 type bridge
echo '$ ip link add veth1 address 02:00:00:00:00:31 type veth peer name veth1p address 02:00:00:00:00:41'
ip link add veth1 address 02:00:00:00:00:31 type veth peer name veth1p address 02:00:00:00:00:41
echo '$ ip link add veth2 address 02:00:00:00:00:21 type veth peer name veth2p address 02:00:00:00:00:42'
ip link add veth2 address 02:00:00:00:00:21 type veth peer name veth2p address 02:00:00:00:00:42
echo '$ ip link set veth1 master br0'
ip link set veth1 master br0
echo '$ ip -br link show dev br0'
ip -br link show dev br0
echo '$ brctl show br0'
brctl show br0
echo '$ ip link set veth2 master br0'
ip link set veth2 master br0
echo '$ ip -br link show dev br0'
ip -br link show dev br0
echo '$ brctl show br0'
brctl show br0
echo '$ ip link set veth2 nomaster'
ip link set veth2 nomaster
echo '$ ip -br link show dev br0'
ip -br link show dev br0
echo '$ ip link set veth2 master br0'
ip link set veth2 master br0
echo '$ ip link set dev br0 address 02:00:00:00:00:99'
ip link set dev br0 address 02:00:00:00:00:99
echo '$ ip -br link show dev br0'
ip -br link show dev br0
echo '$ brctl show br0'
brctl show br0
echo '$ bridge fdb show br br0 | grep -v '\''self permanent'\'''
bridge fdb show br br0 | grep -v 'self permanent'
echo '$ ip link set veth2 nomaster'
ip link set veth2 nomaster
echo '$ ip -br link show dev br0'
ip -br link show dev br0
echo '$ ip -br link show master br0'
ip -br link show master br0
