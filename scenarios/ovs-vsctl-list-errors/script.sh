#!/bin/bash
# ovs-vsctl list, find, get and set refusing on Open vSwitch 3.1: unknown and ambiguous
# tables and columns, missing rows and keys, values the schema does not allow, formats.
# Nothing is printed, and nothing changes, when a later command of the same run fails.
run() { echo "\$ $*"; "$@"; echo "rc=$?"; }
ip link add veth0 type veth peer name veth1
ovs-vsctl add-br br0
ovs-vsctl add-port br0 veth0
ovs-vsctl add-br br1
run ovs-vsctl list
run ovs-vsctl list nope
run ovs-vsctl list f
run ovs-vsctl list bridge nope
run ovs-vsctl list bridge br0 nope
run ovs-vsctl list port veth0 veth1
run ovs-vsctl list interface ovs-system
run ovs-vsctl list controller nope
run ovs-vsctl list bridge .
run ovs-vsctl --columns=nope list bridge
run ovs-vsctl --columns=name,nope list bridge nope
run ovs-vsctl --columns=of list interface veth0
run ovs-vsctl --columns=Ofp list interface veth0
run ovs-vsctl --columns= list interface veth0
run ovs-vsctl --columns=name list controller
run ovs-vsctl --columns=_uuid,name list qos
run ovs-vsctl -f nope --columns=name list bridge
run ovs-vsctl --data=nope list bridge
run ovs-vsctl --format=json
run ovs-vsctl find
run ovs-vsctl find nope name=x
run ovs-vsctl find interface nope=1
run ovs-vsctl find interface name
run ovs-vsctl find interface ofport=abc
run ovs-vsctl find port interfaces=[]
run ovs-vsctl find port tag=5000
run ovs-vsctl find bridge stp_enable=maybe
run ovs-vsctl find bridge fail_mode=nope
run ovs-vsctl get
run ovs-vsctl get bridge
run ovs-vsctl get bridge br0 nope
run ovs-vsctl get bridge nope nope
run ovs-vsctl get port veth0 nope
run ovs-vsctl get interface nope name
run ovs-vsctl get interface veth0 name:x
run ovs-vsctl get bridge br0 other_config:nope
run ovs-vsctl get open . nope
run ovs-vsctl get bridge . name
run ovs-vsctl set bridge nope stp_enable=false
run ovs-vsctl set bridge br0 nope=1
run ovs-vsctl set bridge br0 name=x
run ovs-vsctl set port veth0 name=x
run ovs-vsctl set interface veth0 name=x
run ovs-vsctl set port veth0 tag=abc
run ovs-vsctl set port veth0 tag=5000
run ovs-vsctl set port veth0 trunks=a
run ovs-vsctl set bridge br0 stp_enable=maybe
run ovs-vsctl set bridge br0 fail_mode=nope
run ovs-vsctl set bridge br0 other_config
run ovs-vsctl set bridge br0 other_config=x
run ovs-vsctl set interface nope type=internal
run ovs-vsctl find bridge name:x=1
run ovs-vsctl set bridge br0 name:x=1
run ovs-vsctl set bridge br0 stp_enable:x=1
run ovs-vsctl get bridge br0 name=x
run ovs-vsctl get bridge br0 :x
run ovs-vsctl find bridge =x
run ovs-vsctl set bridge br0 ports=x
run ovs-vsctl set bridge br0 other_config:a
run ovs-vsctl get bridge br0 other_config:a=
run ovs-vsctl set bridge br0 fail_mode=secure,standalone
run ovs-vsctl set bridge br0 datapath_type=a,b
run ovs-vsctl set bridge br0 'other_config:x="unterminated'
run ovs-vsctl find bridge 'name{in}[br0,br1]'
run ovs-vsctl find port 'interfaces{>=}[]'
run ovs-vsctl get bridge 97 name
run ovs-vsctl list-br -- list nope
run ovs-vsctl --columns=name list bridge br0 -- get bridge br0 nope
run ovs-vsctl list-br -- list bridge nope
run ovs-vsctl get bridge br0 name -- get bridge br0 other_config:nope
# One transaction: a command that fails (or br-exists' status 2) undoes the others.
run ovs-vsctl add-br br9 -- del-br nope
run ovs-vsctl add-br br9 -- br-exists nope
run ovs-vsctl set bridge br0 fail_mode=secure -- get bridge br0 nope
run ovs-vsctl add-port br1 veth0 -- list-br
run ovs-vsctl del-port veth0 -- add-port br1 veth0 -- port-to-br veth0
run ovs-vsctl get-fail-mode br0
run ovs-vsctl add-br br8 -- set bridge br8 other_config:a=b -- get bridge br8 other_config -- port-to-br br8
run ovs-vsctl add-br br8 -- set bridge br8 other_config:a=b -- get bridge br8 other_config
run ovs-vsctl list-br
