#!/bin/bash
# ovs-ofctl show: the bridge's OpenFlow features and its ports (numbers, addresses, config and
# state, the veth's speed), the internal port LOCAL last. The datapath id follows the bridge's
# address, which the datapath picks: shown as DPID.
x() { echo "\$ $*"; "$@"; }
show() { echo "\$ ovs-ofctl show $1"; ovs-ofctl show "$1" | sed -E 's/dpid:[0-9a-f]{16}/dpid:DPID/'; }
ip link add veth0 type veth peer name veth1
ip link add veth2 type veth peer name veth3
x ovs-vsctl add-br br0
x ovs-vsctl add-port br0 veth0
show br0
x ovs-vsctl add-port br0 veth2
x ip link set veth0 up
x ip link set veth1 up
x ip link set br0 up
sleep 1
show br0
x ovs-ofctl show nope
