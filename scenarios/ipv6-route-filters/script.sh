# IPv6 on (options: --ipv6): a router that cannot resolve the next hop answers "address
# unreachable"; `ip -6 route show` selectors (table, proto, via, root, match; what a selector
# fixes is left out of the line) and -j; an address's prefix route can be deleted like any
# other (the next match in listing order, metric 256 before 1024) and added back by hand.
ip netns add h1
ip netns add r
ip link add h1e type veth peer name r1
ip link add r2 type veth peer name r2p
ip link set h1e netns h1
ip link set r1 netns r
ip link set r2 netns r
ip -n h1 link set h1e address 02:00:00:00:01:10
ip -n r link set r1 address 02:00:00:00:01:01
ip -n h1 addr add 2001:db8:1::10/64 dev h1e
ip -n r addr add 2001:db8:1::1/64 dev r1
ip -n r addr add 2001:db8:2::1/64 dev r2
ip netns exec r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n h1 link set h1e up
ip -n r link set r1 up
ip -n r link set r2 up
ip link set r2p up
ip -n h1 -6 route add default via 2001:db8:1::1
ip -n h1 -6 route add 2001:db8:7::/64 via 2001:db8:1::1 proto static
sleep 3
ip netns exec h1 ping -c 1 -W 5 2001:db8:2::99; echo rc=$?
ip -n h1 -6 route show table main
ip -n h1 -6 route show proto static
ip -n h1 -6 route show via 2001:db8:1::1
ip -n h1 -6 route show root 2001:db8::/32
ip -n h1 -6 route show match 2001:db8:7::5
ip -n h1 -j -6 route
ip -n h1 -6 route get fe80::1; echo rc=$?
ip -n h1 -6 route del 2001:db8:1::/64; echo rc=$?
ip -n h1 -6 route
ip -n h1 -6 route get 2001:db8:1::5; echo rc=$?
ip netns exec h1 ping -c 1 2001:db8:1::1; echo rc=$?
ip -n h1 -6 route add 2001:db8:1::/64 dev h1e proto kernel metric 256; echo rc=$?
ip -n h1 -6 route
ip netns del h1
ip netns del r
