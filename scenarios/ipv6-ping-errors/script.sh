# IPv6 on (options: --ipv6): ping's IPv6 answers when things are not right, and its header
# with -I. `-6` with an IPv4 literal (and `-4` with an IPv6 one) is getaddrinfo's
# EAI_ADDRFAMILY; an unknown scope is a name that does not resolve; no route is connect's
# ENETUNREACH. An absent neighbour is solicited three times and FAILED, and the requests
# queued for it are dropped without a word to ping. `-I ADDR` prints the source and an
# empty device; `-I DEV` with a global destination prints the source it picked.
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
ip -n ns1 link set lo up
sleep 3
ip netns exec ns1 ping -6 -c 1 10.0.0.1; echo rc=$?
ip netns exec ns1 ping -4 -c 1 2001:db8::2; echo rc=$?
ip netns exec ns1 ping -c 1 fe80::ff:fe00:2%nosuch; echo rc=$?
ip netns exec ns1 ping -c 1 2001:db9::9; echo rc=$?
ip netns exec ns2 ping -c 1 ::1; echo rc=$?
ip netns exec ns1 ping -c 1 ::1; echo rc=$?
ip netns exec ns1 ping -c 1 2001:db8::1; echo rc=$?
ip netns exec ns1 ping -c 1 -I 2001:db8::1 2001:db8::2; echo rc=$?
ip netns exec ns1 ping -c 1 -I veth1 2001:db8::2; echo rc=$?
ip netns exec ns1 ping -c 2 -W 1 2001:db8::9; echo rc=$?
ip -n ns1 -6 neigh show 2001:db8::9
sleep 3
ip -n ns1 -6 neigh show 2001:db8::9
ip netns del ns1
ip netns del ns2
