#!/bin/bash
# An Open vSwitch bridge in fail mode secure with no controller has no flows: nothing
# forwards until the mode is standalone again, when the NORMAL flow comes back. `show` is
# filtered and sorted as in ovs-vsctl-forms; flow durations and ages as D, counters as N/B.
x() { echo "\$ $*"; "$@"; }
show() {
    echo '$ ovs-vsctl show'
    ovs-vsctl show | grep -v datapath_type | sed -E '1s/^[0-9a-f-]{36}$/UUID/' | awk '
        /^    Bridge /   { b = $2; p = "" }
        /^        Port / { p = $2 }
        /^    [a-z]/     { b = "~"; p = "" }
        NR == 1          { b = "!" }
        { printf "%s %s %06d\t%s\n", b, (p == "" ? "!" : p), NR, $0 }' |
        sort -t"$(printf '\t')" -k1,1 | cut -f2-
}
flows() {
    echo "\$ ovs-ofctl dump-flows $1"
    ovs-ofctl dump-flows "$1" | sed -E 's/duration=[0-9.]+s/duration=Ds/; s/idle_age=[0-9]+/idle_age=D/; s/n_packets=[0-9]+, n_bytes=[0-9]+/n_packets=N, n_bytes=B/'
}
ip netns add blue
ip netns add red
ip link add veth0 type veth peer name veth1
ip link add veth2 type veth peer name veth3
ip link set veth1 netns blue
ip link set veth3 netns red
ip netns exec blue ip addr add 10.0.2.100/24 dev veth1
ip netns exec red ip addr add 10.0.2.101/24 dev veth3
ip netns exec blue ip link set veth1 up
ip netns exec red ip link set veth3 up
x ovs-vsctl add-br br0
x ovs-vsctl set-fail-mode br0 secure
x ovs-vsctl add-port br0 veth0
x ovs-vsctl add-port br0 veth2
ip link set veth0 up
ip link set veth2 up
sleep 1
show
flows br0
x ip netns exec red ping -c 2 -W 1 10.0.2.100
x ovs-vsctl del-fail-mode br0
sleep 1
flows br0
x ip netns exec red ping -c 2 10.0.2.100
x ovs-vsctl set bridge br0 fail_mode=secure
sleep 1
x ovs-vsctl get-fail-mode br0
x ip netns exec red ip neigh flush all
x ip netns exec red ping -c 1 -W 1 10.0.2.100
x ovs-vsctl set-fail-mode br0 standalone
sleep 1
flows br0
x ip netns exec red ping -c 1 10.0.2.100
x ovs-ofctl dump-flows nope
