# IPv6 on (options: --ipv6): pinging an address on the link that nobody has. The neighbour
# entry is INCOMPLETE for three solicitations one second apart, then FAILED; every request
# queued for it meanwhile, and each later one, earns an ICMPv6 "address unreachable" from our
# own address (ndisc_error_report), delivered through lo, so none arrives while lo is down.
# ping counts them as errors, without the `pipe` IPv4's errors give.
ip netns add ns1
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns1
ip -n ns1 link set veth1 address 02:00:00:00:00:01
ip -n ns1 addr add 2001:db8::1/64 dev veth1
ip -n ns1 link set veth1 up
ip link set veth2 up
ip -n ns1 link set lo up
sleep 3
ip netns exec ns1 ping -c 5 2001:db8::9; echo rc=$?
ip -n ns1 -6 neigh show dev veth1
ip netns exec ns1 ping -c 5 fe80::9%veth1; echo rc=$?
ip -n ns1 link set lo down
ip netns exec ns1 ping -c 4 -W 1 2001:db8::8; echo rc=$?
ip netns del ns1
