#!/bin/bash
# The 003 seed tutorial's commands (blue and red namespaces, Open vSwitch bridges br0 and
# br1), on a host with an uplink as the page's VM had (eth0 10.0.2.15/24). Pings that the
# page stops with ^C have -c; `ovs-vsctl show` is filtered as in ovs-vsctl-forms. The page
# also puts eth0 into br0 through /etc/network/interfaces, which is not a command: here it
# stays the host's.
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
x() { echo "\$ $*"; "$@"; }
x ip netns list
x ip netns add blue
x ip netns list
x ip link add veth0 type veth peer name veth1
x ip link list
x ip link set veth1 netns blue
x ip link list
x ip netns exec blue ip link list
x ifconfig veth0 10.0.2.16/24 up
x ip netns exec blue ifconfig veth1 10.0.2.100 up
echo '$ ip netns exec blue ifconfig'
ip netns exec blue ifconfig | grep -v 'packets\|errors'
x ping -c 2 10.0.2.100
x ip netns exec blue ping -c 2 10.0.2.15
show
x ovs-vsctl add-br br0
show
x ip netns add red
x ip link add veth2 type veth peer name veth3
x ip link set veth3 netns red
x ip netns exec red ip addr add 10.0.2.101/24 dev veth3
x ovs-vsctl add-port br0 veth2
x ifconfig veth2 10.0.2.17 up
x ip netns exec red ip link set veth3 up
echo '$ ip netns exec red ifconfig'
ip netns exec red ifconfig | grep -v 'packets\|errors'
x ip netns exec red ping -c 2 10.0.2.100
x ovs-vsctl add-br br1
x ifconfig br1 10.0.2.22 up
x ovs-vsctl del-port br0 veth2
x ovs-vsctl add-port br1 veth2
x ip netns exec red ping -c 3 10.0.2.100
x ip link add veth7 type veth peer name veth8
x ovs-vsctl add-port br0 veth7
x ovs-vsctl add-port br1 veth8
x ifconfig veth8 10.0.2.182 up
x ifconfig veth7 10.0.2.181 up
x ip netns exec red ping -c 3 10.0.2.100
show
