# IPv6 on (options: --ipv6): the neighbour entries of groups. The first packet a device sends
# to a group (its DAD probe to its solicited-node group, MLD reports to ff02::16, router
# solicitations to ff02::2, a ping to ff02::1) makes a NOARP entry with the group's 33:33
# MAC. `ip neigh` hides NOARP entries unless asked with `nud all` or `nud noarp`; flushing
# keeps them; a device going down takes them, and so does its peer's (carrier lost: every
# entry but the permanent ones goes). Sorted: their order is the kernel's hash's.
ip netns add ns1
ip -n ns1 link add veth1 type veth peer name veth2
ip -n ns1 link set veth1 address 02:00:00:00:00:01
ip -n ns1 link set veth2 address 02:00:00:00:00:02
ip -n ns1 link set veth1 up
ip -n ns1 link set veth2 up
sleep 3
ip -n ns1 neigh
echo "== nud all"
ip -n ns1 -6 neigh show nud all | sort
ip netns exec ns1 ping -c 1 ff02::1%veth1 > /dev/null; echo rc=$?
echo "== noarp on veth1"
ip -n ns1 neigh show dev veth1 nud noarp | sort
ip -n ns1 -6 neigh flush all
ip -n ns1 -6 neigh show dev veth2 nud all | sort
ip -n ns1 -6 neigh add 2001:db8::9 lladdr 02:00:00:00:00:09 dev veth1
ip -n ns1 -6 neigh add 2001:db8::8 lladdr 02:00:00:00:00:08 dev veth1 nud stale
ip -n ns1 neigh add 10.0.0.8 lladdr 02:00:00:00:00:08 dev veth1 nud stale
ip -n ns1 link set veth2 down
echo "== veth2 down"
ip -n ns1 neigh show dev veth1 nud all | sort
ip -n ns1 neigh show dev veth2 nud all | sort
ip netns del ns1
