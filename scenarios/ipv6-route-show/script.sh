# IPv6 on (options: --ipv6): `ip -6 route` lists the fe80::/64 route of each device's
# link-local address (proto kernel, metric 256), made with the address and gone with it,
# `linkdown` while the device has no carrier; lo's ::1 is in the local table, not here.
ip -6 route
ip netns add ns1
ip link add veth1 type veth peer name veth2
ip link add br0 type bridge
ip link set veth1 netns ns1
ip -n ns1 link set lo up
ip -n ns1 -6 route
ip -n ns1 link set veth1 up
ip -n ns1 -6 route
ip link set veth2 up
ip link set br0 up
ip -n ns1 -6 route
ip -6 route
ip -6 route show dev br0
echo "== veth2 down"
ip link set veth2 down
ip -n ns1 -6 route
ip -n ns1 -6 route show dev veth1
ip -6 route
ip -6 route show dev nosuch; echo "rc=$?"
ip netns del ns1
ip link del br0
