# IPv6 on (options: --ipv6): ping -6 with payloads of other sizes. Under 16 bytes there is no
# timestamp, so no time; a request that does not fit the link's 1500 bytes is cut into
# fragments by the sender and joined by the receiver (the reply too); with `-M do` it is
# refused locally instead: an error on ping's stderr, counted as one. `-q` prints only the
# summary.
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
ip netns exec ns1 ping -c 1 -s 8 2001:db8::2; echo rc=$?
ip netns exec ns1 ping -c 2 -s 1600 2001:db8::2; echo rc=$?
ip netns exec ns1 ping -c 1 -s 4000 fe80::ff:fe00:2%veth1; echo rc=$?
ip netns exec ns1 ping -c 1 -M do -s 1500 2001:db8::2; echo rc=$?
ip netns exec ns1 ping -c 1 -M do -s 1452 2001:db8::2; echo rc=$?
ip netns exec ns1 ping -q -c 2 2001:db8::2; echo rc=$?
ip -n ns1 link set veth1 mtu 1280
ip netns exec ns1 ping -c 1 -s 1300 2001:db8::2; echo rc=$?
ip netns del ns1
ip netns del ns2
