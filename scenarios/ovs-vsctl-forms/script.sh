#!/bin/bash
# ovs-vsctl's forms on Open vSwitch 3.1: bridges, ports, listings, show, errors. The datapath
# (userspace here, the kernel's in l2lab) shows in `show` as `datapath_type`: filtered out;
# the Open_vSwitch record's UUID changes every run: shown as UUID. The kernel datapath's
# own devices (ovs-system, masters of the ports) are not on this kernel: not shown.
run() { echo "\$ $*"; "$@"; echo "rc=$?"; }
# `show` lists bridges and ports in the order of their random UUIDs: sorted here by name.
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
show
run ovs-vsctl add-br br0
run ovs-vsctl add-br br0
run ovs-vsctl --may-exist add-br br0
run ovs-vsctl add-br br1
run ovs-vsctl list-br
run ovs-vsctl br-exists br0
run ovs-vsctl br-exists nope
ip link add veth0 type veth peer name veth1
ip link add veth2 type veth peer name veth3
run ovs-vsctl add-port br0 veth0
run ovs-vsctl add-port br0 veth0
run ovs-vsctl --may-exist add-port br0 veth0
run ovs-vsctl add-port br1 veth0
run ovs-vsctl add-port br1 veth2
run ovs-vsctl add-port nope veth3
run ovs-vsctl list-ports br0
run ovs-vsctl list-ports br1
run ovs-vsctl list-ports nope
run ovs-vsctl port-to-br veth0
run ovs-vsctl port-to-br veth2
run ovs-vsctl port-to-br nope
run ovs-vsctl list-ifaces br0
run ovs-vsctl iface-to-br veth2
show
run ovs-vsctl del-port br0 veth2
run ovs-vsctl del-port veth2
run ovs-vsctl del-port veth2
run ovs-vsctl --if-exists del-port veth2
run ovs-vsctl del-port nope veth0
run ovs-vsctl del-br nope
run ovs-vsctl --if-exists del-br nope
run ovs-vsctl del-br br1
run ovs-vsctl list-br
show
run ovs-vsctl set-fail-mode br0 secure
run ovs-vsctl get-fail-mode br0
run ovs-vsctl del-fail-mode br0
run ovs-vsctl get-fail-mode br0
run ovs-vsctl set-fail-mode br0 nope
run ovs-vsctl set bridge br0 other_config:mac-aging-time=60
run ovs-vsctl get bridge br0 other_config
run ovs-vsctl get bridge br0 other_config:mac-aging-time
run ovs-vsctl get bridge br0 name
run ovs-vsctl get port veth0 name
run ovs-vsctl get interface veth0 name
run ovs-vsctl get bridge nope name
run ovs-vsctl nosuchcommand
run ovs-vsctl add-br
run ovs-vsctl
run ovs-vsctl del-br br0
run ovs-vsctl list-br
