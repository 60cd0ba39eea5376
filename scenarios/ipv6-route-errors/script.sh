# IPv6 on (options: --ipv6): more of ip6_route_add's checks, in the kernel's order: a gateway
# the named device's routes do not reach, one of our own addresses, one that is not unicast,
# a device that is down; metric 0 is the default 1024 and the largest metric is taken;
# `change` with nothing to change.
ip netns add h1
ip link add v1 type veth peer name v1p
ip link add v2 type veth peer name v2p
ip link set v1 netns h1
ip link set v2 netns h1
ip -n h1 addr add 2001:db8:1::10/64 dev v1
ip -n h1 addr add 2001:db8:2::10/64 dev v2
ip -n h1 link set lo up
ip -n h1 link set v1 up
ip link set v1p up
sleep 2
ip -n h1 -6 route add 2001:db8:9::/64 via 2001:db8:1::1 dev v2; echo rc=$?
ip -n h1 -6 route add 2001:db8:9::/64 via 2001:db8:1::10; echo rc=$?
ip -n h1 -6 route add 2001:db8:9::/64 via ff02::1 dev v1; echo rc=$?
ip -n h1 -6 route add 2001:db8:9::/64 dev v2; echo rc=$?
ip -n h1 -6 route add 2001:db8:9::/64 via 2001:db8:2::1; echo rc=$?
ip -n h1 -6 route add 2001:db8:a::/64 via fe80::1 dev v2; echo rc=$?
ip -n h1 -6 route add 2001:db8:b::/64 via ::; echo rc=$?
ip -n h1 -6 route add 2001:db8:c::/64 via 2001:db8:1::1 metric 4294967295; echo rc=$?
ip -n h1 -6 route add 2001:db8:d::/64 via 2001:db8:1::1 metric 0; echo rc=$?
ip -n h1 -6 route change 2001:db8:e::/64 via 2001:db8:1::1; echo rc=$?
ip -n h1 -6 route
ip netns del h1
