#!/bin/bash
# Errors of brctl and ifconfig, with the exit status of each.
ip link add veth0 type veth peer name veth1
ip link add veth2 type veth peer name veth3
echo '$ brctl addbr br0'
brctl addbr br0
echo '$ brctl addbr br0'
brctl addbr br0
echo "rc=$?"
echo '$ brctl delbr nosuch'
brctl delbr nosuch
echo "rc=$?"
echo '$ brctl addif br0 nosuch'
brctl addif br0 nosuch
echo "rc=$?"
echo '$ brctl addif nosuch veth0'
brctl addif nosuch veth0
echo "rc=$?"
echo '$ brctl addif br0 veth0'
brctl addif br0 veth0
echo '$ brctl addif br0 veth0'
brctl addif br0 veth0
echo "rc=$?"
echo '$ brctl addbr br1'
brctl addbr br1
echo '$ brctl addif br1 veth0'
brctl addif br1 veth0
echo "rc=$?"
echo '$ brctl delif br0 veth2'
brctl delif br0 veth2
echo "rc=$?"
echo '$ brctl show'
brctl show
echo '$ brctl show nosuch'
brctl show nosuch
echo "rc=$?"
echo '$ ip link set br0 up'
ip link set br0 up
echo '$ brctl delbr br0'
brctl delbr br0
echo "rc=$?"
echo '$ ip link set br0 down'
ip link set br0 down
echo '$ brctl delbr br0'
brctl delbr br0
echo "rc=$?"
echo '$ brctl show'
brctl show
echo '$ ifconfig nosuch'
ifconfig nosuch
echo "rc=$?"
echo '$ ifconfig nosuch up'
ifconfig nosuch up
echo "rc=$?"
echo '$ ifconfig nosuch 10.0.0.1/24 up'
ifconfig nosuch 10.0.0.1/24 up
echo "rc=$?"
echo '$ ifconfig veth2 10.0.0.1/33'
ifconfig veth2 10.0.0.1/33
echo "rc=$?"
echo '$ ifconfig veth2 10.0.0.1 netmask 255.0.255.0'
ifconfig veth2 10.0.0.1 netmask 255.0.255.0
echo "rc=$?"
echo '$ ifconfig veth2 10.0.0.1/24 up'
ifconfig veth2 10.0.0.1/24 up
sleep 1
echo '$ ifconfig veth2'
ifconfig veth2
echo '$ ifconfig veth2 down'
ifconfig veth2 down
echo '$ ifconfig veth2'
ifconfig veth2
echo '$ ifconfig -a'
ifconfig -a
