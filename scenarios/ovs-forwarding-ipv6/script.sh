#!/bin/bash
# The 003 seed tutorial's lesson where it works on a current kernel: red and blue on ports of
# the Open vSwitch bridge br0 ping each other; red's port moved to br1 cannot; a veth pair
# veth7/veth8 joining br0 and br1 makes it work again. The learned table (fdb/show: its ages
# shown as A) and the NORMAL flow (durations and ages as D; its counters, which the
# userspace datapath updates a moment late, as N and B) along the way.
x() { echo "\$ $*"; "$@"; }
fdb() { echo "\$ ovs-appctl fdb/show $1"; ovs-appctl fdb/show "$1" | sed -E 's/ +[0-9]+$/  A/' | (read -r h; echo "$h"; sort); }
flows() {
    echo "\$ ovs-ofctl dump-flows $1"
    ovs-ofctl dump-flows "$1" | sed -E 's/duration=[0-9.]+s/duration=Ds/; s/idle_age=[0-9]+/idle_age=D/; s/hard_age=[0-9]+/hard_age=D/; s/n_packets=[0-9]+, n_bytes=[0-9]+/n_packets=N, n_bytes=B/'
}
x ip netns add blue
x ip netns add red
x ip link add veth0 type veth peer name veth1
x ip link add veth2 type veth peer name veth3
x ip link set veth1 netns blue
x ip link set veth3 netns red
x ip netns exec blue ip addr add 10.0.2.100/24 dev veth1
x ip netns exec red ip addr add 10.0.2.101/24 dev veth3
x ip netns exec blue ip link set veth1 up
x ip netns exec red ip link set veth3 up
x ovs-vsctl add-br br0
x ovs-vsctl add-port br0 veth0
x ovs-vsctl add-port br0 veth2
x ip link set veth0 up
x ip link set veth2 up
sleep 1
x ip netns exec red ping -c 2 10.0.2.100
fdb br0
flows br0
x ovs-vsctl add-br br1
x ovs-vsctl del-port br0 veth2
x ovs-vsctl add-port br1 veth2
x ip netns exec red ip neigh flush all
x ip netns exec red ping -c 2 -W 1 10.0.2.100
x ip link add veth7 type veth peer name veth8
x ovs-vsctl add-port br0 veth7
x ovs-vsctl add-port br1 veth8
x ip link set veth7 up
x ip link set veth8 up
sleep 1
x ip netns exec red ping -c 3 10.0.2.100
fdb br0
fdb br1
# The revalidators learn again from the packets the datapath's flows report, every half
# second: once they have reported the last ones, a flushed table stays empty.
sleep 2
x ovs-appctl fdb/flush br0
fdb br0
x ovs-appctl fdb/show nope
