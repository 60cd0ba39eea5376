#!/bin/bash
# What the kernel answers to refused ip and bridge operations: its extended-ack message
# ("Error: ...") where it gives one, else the errno ("RTNETLINK answers: ..."), and the exit
# status iproute2 returns.
ip netns add ns01
ip link add br0 type bridge
ip link add br1 type bridge
ip link add veth1 type veth peer name port1
ip link add veth2 type veth peer name port2
ip link set port1 master br0
ip addr add 10.0.0.1/24 dev veth2
ip link set veth2 up
ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev veth2
ip netns exec ns01 ip link add veth1 type veth peer name x1
run() {
  echo "\$ $*"
  "$@" 2>&1
  echo "rc=$?"
}
run ip link set lo netns ns01
run ip link set br0 netns ns01
run ip link set veth1 netns ns01
run ip link add br0 type bridge
run ip link add veth3 type veth peer name port1
run ip link add veth3 type veth peer name veth3
run ip link set veth2 master veth1
run ip link set br1 master br0
run ip link set lo master br0
run ip link set br0 master br0
run ip link set port1 master br1
run ip link del lo
run ip link set veth1 address ff:ff:ff:ff:ff:ff
run ip link set veth1 address 01:00:5e:00:00:01
run ip link set veth1 address 00:00:00:00:00:00
run ip link set veth1 mtu 10
run ip link set veth1 mtu 70000
run ip link set br0 mtu 67
run ip link set lo mtu 10
run ip link set veth1 name port1
run ip link set veth1 name lo
run ip link set veth1 type bridge ageing_time 100
run ip link set br0 type bridge ageing_time 1
run ip link set nosuch up
run ip addr add 10.0.0.1/24 dev veth2
run ip addr del 10.9.9.9/24 dev veth2
run ip addr add 10.0.0.5/24 dev nosuch
run ip route add 10.1.0.0/16 via 10.9.9.9
run ip route add 10.1.0.0/16 via 10.0.0.9 dev veth1
run ip route add 10.0.0.0/24 dev veth2
run ip route del 10.5.0.0/16
run ip route add 10.1.0.1/16 dev veth2
run ip route add 10.1.0.0/16 via 10.0.0.1
run ip route add default dev nosuch
run ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev veth2
run ip neigh del 10.0.0.99 dev veth2
run ip neigh add 10.0.0.10 dev veth2
run ip netns add ns01
run ip netns del nosuch
run bridge fdb add 02:00:00:00:00:01 dev veth1 master
run bridge fdb del 02:00:00:00:00:77 dev port1 master
run bridge fdb add 02:00:00:00:00:01 dev port1 master
run bridge fdb add 02:00:00:00:00:01 dev port1 master
run bridge link set dev veth1 learning off
run bridge link set dev nosuch learning off
run ip link set veth1 mtu 1500 mtu 1400
run ip link set veth1 netns ns01 netns ns01
run ip link set dev veth1 netns 99999
run ip link set veth1 master nosuch
run ip link set port1 master lo
