# IPv6 on (options: --ipv6): the IPv6 groups `ip maddr` lists, newest first as the kernel
# keeps them (ff01::1 and ff02::1 from when the device was registered, then the
# solicited-node group of each address as it is made), and the link-layer list in the
# order the groups' 33:33:... addresses were added to the device. A group shared by two
# addresses stays until the last goes; a device going down loses its addresses' groups.
ip netns add ns1
ip link add veth1 type veth peer name veth2
ip link set veth2 netns ns1
ip link set veth1 address 02:00:00:00:01:01
ip -n ns1 link set veth2 address 02:00:00:00:01:02
echo "== registered, down"
ip maddr show dev veth1
ip -6 addr add 2001:db8::a/64 dev veth1
ip -6 addr add 2001:db8::b/64 dev veth1 nodad
echo "== two addresses added while down"
ip maddr show dev veth1
ip link set veth1 up
ip -n ns1 link set veth2 up
sleep 3
echo "== up: the link-local's group is the newest"
ip maddr show dev veth1
ip -6 addr add 2001:db8:1::c/64 dev veth1
ip -6 addr add 2001:db8:2::c/64 dev veth1 nodad
ip -6 addr add 2001:db8::1:0:0:a/64 dev veth1 nodad
echo "== three more, one sharing ff02::1:ff00:a"
ip maddr show dev veth1
ip -6 maddr show dev veth1
ip -j maddr show dev veth1
echo
ip -6 addr del 2001:db8::a/64 dev veth1
echo "== one of the sharing pair deleted"
ip -6 maddr show dev veth1
ip -6 addr del 2001:db8::1:0:0:a/64 dev veth1
ip -6 addr del 2001:db8:1::c/64 dev veth1
echo "== the other deleted, and 2001:db8:1::c (2001:db8:2::c keeps ff02::1:ff00:c)"
ip maddr show dev veth1
echo "== down"
ip link set veth1 down
ip maddr show dev veth1
ip -6 maddr
echo "== ns1"
ip -n ns1 -6 maddr
ip -n ns1 maddr show dev lo
ip netns del ns1
