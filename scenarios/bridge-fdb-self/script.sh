#!/bin/bash
# `bridge fdb add` without `master` means `self`: a device that is not a bridge keeps the MAC
# in its own address list (no forwarding effect; a veth turns promiscuous while it is up);
# the bridge device itself takes it as a local entry. Errors for what that list refuses.
ip link add v1 type veth peer name v2
ip -d link show v1 | grep -o "promiscuity [0-9]*"
bridge fdb add 02:00:00:00:00:99 dev v1; echo rc=$?
bridge fdb add 02:00:00:00:00:99 dev v1; echo rc=$?
bridge fdb replace 02:00:00:00:00:99 dev v1; echo rc=$?
bridge fdb add 01:00:5e:01:02:03 dev v1; echo rc=$?
bridge fdb add 02:00:00:00:00:95 dev v1 dynamic; echo rc=$?
bridge fdb add 02:00:00:00:00:94 dev v1 static; echo rc=$?
bridge fdb add 02:00:00:00:00:93 dev v1 vlan 5; echo rc=$?
ip -d link show v1 | grep -o "promiscuity [0-9]*"
bridge fdb show dev v1
bridge fdb del 02:00:00:00:00:99 dev v1; echo rc=$?
bridge fdb del 02:00:00:00:00:99 dev v1; echo rc=$?
bridge fdb del 02:00:00:00:00:94 dev v1 static; echo rc=$?
bridge fdb del 01:00:5e:01:02:03 dev v1; echo rc=$?
bridge fdb show dev v1
bridge fdb add 02:00:00:00:00:99 dev lo; echo rc=$?
bridge fdb del 02:00:00:00:00:99 dev lo; echo rc=$?
ip link set v1 up; ip link set v2 up
ip link add br0 type bridge; ip link add v3 type veth peer name v4; ip link set v3 master br0; ip link set v3 up
bridge fdb add 02:00:00:00:00:99 dev v1
bridge fdb add 01:00:5e:01:02:03 dev v1
ip -d link show v1 | grep -o "promiscuity [0-9]*"
bridge fdb add 02:00:00:00:00:88 dev v3
bridge fdb add 02:00:00:00:00:77 dev br0 self; echo rc=$?
bridge fdb add 02:00:00:00:00:66 dev br0; echo rc=$?
bridge fdb show
bridge fdb del 02:00:00:00:00:99 dev v1
ip -d link show v1 | grep -o "promiscuity [0-9]*"
