# IPv6 on (options: --ipv6): `ip monitor neigh` while a neighbour is learned by discovery:
# STALE from the solicitation that asked for us, then (DELAY, not notified) PROBE five
# seconds on, REACHABLE when the unicast probe is answered; `ip neigh del` says FAILED
# twice, the second time as the deletion.
ip netns add ns1
ip netns add ns2
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns1
ip link set veth2 netns ns2
ip -n ns1 link set veth1 address 02:00:00:00:00:01
ip -n ns2 link set veth2 address 02:00:00:00:00:02
ip -n ns1 addr add 2001:db8::1/64 dev veth1
ip -n ns2 addr add 2001:db8::2/64 dev veth2
ip -n ns1 link set veth1 up
ip -n ns2 link set veth2 up
sleep 3
ip -n ns2 monitor neigh &
sleep 0.5
ip netns exec ns1 ping -c 1 2001:db8::2 >/dev/null
sleep 7
ip -n ns2 neigh del 2001:db8::1 dev veth2
sleep 0.5
kill %1; wait
ip netns del ns1
ip netns del ns2
