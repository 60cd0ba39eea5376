# A device that loses its carrier (its veth peer goes down) loses its ARP entries but the
# permanent ones (neigh_carrier_down on NETDEV_CHANGE); the device itself stays up, with its
# addresses. Entries learned again after the carrier is back.
ip netns add ns1
ip netns add ns2
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns1
ip link set veth2 netns ns2
ip -n ns1 addr add 10.0.0.1/24 dev veth1
ip -n ns2 addr add 10.0.0.2/24 dev veth2
ip -n ns1 link set veth1 up
ip -n ns2 link set veth2 up
ip netns exec ns1 ping -c 1 10.0.0.2 > /dev/null; echo rc=$?
ip -n ns1 neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev veth1
ip -n ns1 neigh add 10.0.0.8 lladdr 02:00:00:00:00:08 dev veth1 nud stale
ip -n ns1 neigh show 10.0.0.2
ip -n ns1 neigh show 10.0.0.8
ip -n ns2 link set veth2 down
sleep 0.5
echo "== carrier lost"
ip -n ns1 neigh
ip -n ns1 -br link show dev veth1
ip -n ns2 link set veth2 up
sleep 0.5
ip netns exec ns1 ping -c 1 10.0.0.2 > /dev/null; echo rc=$?
ip -n ns1 neigh show 10.0.0.2
ip netns del ns1
ip netns del ns2
