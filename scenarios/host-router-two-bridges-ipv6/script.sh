#!/bin/bash
# Written after the tools were: the host routes between two bridges, each with a namespace
# behind it (the seed tutorials' bridge and ip_forward sections, combined).
echo '$ ip link add br-a type bridge'
ip link add br-a type bridge
echo '$ ip link add br-b type bridge'
ip link add br-b type bridge
echo '$ ip addr add 10.10.1.1/24 dev br-a'
ip addr add 10.10.1.1/24 dev br-a
echo '$ ip addr add 10.10.2.1/24 dev br-b'
ip addr add 10.10.2.1/24 dev br-b
ip link set br-a up
ip link set br-b up
for x in a b; do
  n=1; [ $x = b ] && n=2
  ip netns add ns-$x
  ip link add v-$x type veth peer name p-$x
  ip link set p-$x master br-$x
  ip link set p-$x up
  ip link set v-$x netns ns-$x
  ip -n ns-$x link set lo up
  ip -n ns-$x link set v-$x up
  ip -n ns-$x addr add 10.10.$n.10/24 dev v-$x
  ip -n ns-$x route add default via 10.10.$n.1
done
sleep 2
echo '$ ip -br addr show type bridge'
ip -br addr show type bridge
echo '$ ip -o link show master br-a'
ip -o link show master br-a
echo '$ ip netns exec ns-a ping -c 2 -i 0.5 10.10.2.10 (forwarding off)'
ip netns exec ns-a ping -c 2 -i 0.5 -W 1 10.10.2.10
echo "rc=$?"
echo '$ sysctl -w net.ipv4.ip_forward=1'
sysctl -w net.ipv4.ip_forward=1
echo '$ ip netns exec ns-a ping -c 2 -i 0.5 10.10.2.10'
ip netns exec ns-a ping -c 2 -i 0.5 10.10.2.10
echo "rc=$?"
echo '$ ip netns exec ns-b ip neigh show dev v-b'
ip netns exec ns-b ip neigh show dev v-b
echo '$ ip netns exec ns-b route -n'
ip netns exec ns-b route -n
echo '$ bridge fdb show dev p-b | grep -v permanent'
bridge fdb show dev p-b | grep -v permanent
echo '$ brctl show br-b'
brctl show br-b
echo '$ ip route get 10.10.2.10'
ip route get 10.10.2.10
echo '$ ip netns exec ns-a ip -br link'
ip netns exec ns-a ip -br link
