# IPv6 on (options: --ipv6): ping -6 told which interface to use. `-I DEV` with a group, with
# or without a scope, warns and shows no source; a scope may be the interface's index (the
# header then names it); an unknown `-I` name is ping6's own lookup failing; a link-local
# `-I ADDR` has no scope to bind with.
ip netns add ns1
ip netns add ns2
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns1
ip link set veth2 netns ns2
ip -n ns1 link set veth1 address 02:00:00:00:00:01
ip -n ns2 link set veth2 address 02:00:00:00:00:02
ip -n ns1 link set veth1 up
ip -n ns2 link set veth2 up
sleep 3
ip netns exec ns1 ping -c 1 -I veth1 ff02::1; echo rc=$?
ip netns exec ns1 ping -c 1 -I veth1 ff02::1%veth1; echo rc=$?
idx=$(ip -n ns1 -o link show veth1 | cut -d: -f1)
ip netns exec ns1 ping -c 1 fe80::ff:fe00:2%$idx | sed "s/%$idx/%IDX/g"; echo rc=$?
ip netns exec ns1 ping -c 1 -I nosuch fe80::ff:fe00:2; echo rc=$?
ip netns exec ns1 ping -c 1 -I fe80::ff:fe00:1 fe80::ff:fe00:2%veth1; echo rc=$?
ip netns del ns1
ip netns del ns2
