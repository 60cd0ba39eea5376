# IPv6 on (options: --ipv6): the route lookup of a packet for someone else comes before
# forwarding (ip6_route_input): a host that does not forward still answers "no route" for a
# destination it has no route to, and drops silently what it has one for; a router answers
# "no route" rather than "time exceeded" for a packet with hop limit 1 it has no route for.
ip netns add h1
ip netns add h2
ip link add va type veth peer name vb
ip link set va netns h1
ip link set vb netns h2
ip -n h1 addr add 2001:db8:1::1/64 dev va
ip -n h2 addr add 2001:db8:1::2/64 dev vb
ip -n h1 link set va up
ip -n h2 link set vb up
ip -n h1 -6 route add 2001:db8:9::/64 via 2001:db8:1::2
sleep 3
echo "== host, forwarding off, no route"
ip netns exec h1 ping -c 1 -W 1 2001:db8:9::1; echo rc=$?
ip netns exec h1 ping -c 1 -W 1 -t 1 2001:db8:9::1; echo rc=$?
ip -n h2 -6 route add default via 2001:db8:1::1
echo "== host, forwarding off, a route"
ip netns exec h1 ping -c 1 -W 1 2001:db8:9::1; echo rc=$?
ip -n h2 -6 route del default
ip netns exec h2 sysctl -qw net.ipv6.conf.all.forwarding=1
echo "== router, no route, hop limit 1"
ip netns exec h1 ping -c 1 -W 1 -t 1 2001:db8:9::1; echo rc=$?
ip netns del h1
ip netns del h2
