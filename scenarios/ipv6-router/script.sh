# IPv6 on (options: --ipv6): a router namespace between two bridges forwards with
# net.ipv6.conf.all.forwarding=1 (which sets the default and every device; ip6_forward reads
# `all` alone): hosts reach each other through default routes, one hop less; its
# advertisements carry the router flag (`router` in the host's `ip -6 neigh`); it answers
# hop limit 1 with "time exceeded", an address it has no route for with "no route", and a
# packet bigger than the next link's MTU with "packet too big" (routers never fragment), after
# which the sender cuts its packets to the path MTU its route learned (`ip -6 route get`), and
# refuses bigger ones under `-M do` ("message too long, mtu: 1280").
# The capture leaves out router solicitations and MLD reports, whose timing is random.
ip netns add h1
ip netns add r
ip netns add h2
ip link add br1 type bridge
ip link add br2 type bridge
ip link add h1e type veth peer name h1b
ip link add r1 type veth peer name r1b
ip link add r2 type veth peer name r2b
ip link add h2e type veth peer name h2b
ip link set h1e netns h1
ip link set r1 netns r
ip link set r2 netns r
ip link set h2e netns h2
for p in h1b r1b; do ip link set $p master br1; ip link set $p up; done
for p in h2b r2b; do ip link set $p master br2; ip link set $p up; done
ip link set br1 up
ip link set br2 up
ip -n h1 link set h1e address 02:00:00:00:01:10
ip -n r link set r1 address 02:00:00:00:01:01
ip -n r link set r2 address 02:00:00:00:02:01
ip -n h2 link set h2e address 02:00:00:00:02:10
ip -n h1 addr add 2001:db8:1::10/64 dev h1e
ip -n r addr add 2001:db8:1::1/64 dev r1
ip -n r addr add 2001:db8:2::1/64 dev r2
ip -n h2 addr add 2001:db8:2::10/64 dev h2e
ip netns exec r sysctl -w net.ipv6.conf.all.forwarding=1
ip netns exec r sysctl net.ipv6.conf.r1.forwarding net.ipv6.conf.default.forwarding
for x in "h1 h1e" "r r1" "r r2" "h2 h2e"; do set -- $x; ip -n $1 link set $2 up; ip -n $1 link set lo up; done
ip -n r link set r2 mtu 1280
ip -n h2 link set h2e mtu 1280
ip -n h1 -6 route add default via 2001:db8:1::1
ip -n h2 -6 route add default via 2001:db8:2::1
sleep 3
ip netns exec h1 tcpdump -i h1e -nn -w h1.pcap 'icmp6 and ip6[40] != 133 and ip6[40] != 143' 2>/dev/null &
sleep 1
ip netns exec h1 ping -c 2 -i 0.2 2001:db8:2::10; echo rc=$?
ip -n h1 -6 neigh
ip netns exec h1 ping -c 1 -t 1 2001:db8:2::10; echo rc=$?
ip netns exec h1 ping -c 2 -i 0.2 2001:db8:3::10; echo rc=$?
ip -n h1 -6 route get 2001:db8:2::10
ip netns exec h1 ping -c 3 -i 0.2 -s 1400 2001:db8:2::10; echo rc=$?
ip -n h1 -6 route get 2001:db8:2::10
ip netns exec h1 ping -c 1 -M do -s 1400 2001:db8:2::10; echo rc=$?
ip netns exec h1 ping -c 1 -M do -s 1232 2001:db8:2::10 | tail -2; echo rc=$?
ip -n h1 -6 route
sleep 1
kill %1
wait
tcpdump -nn -r h1.pcap 2>/dev/null
echo "== forwarding per device"
ip netns exec r sysctl -w net.ipv6.conf.r1.forwarding=0
ip netns exec h1 ping -c 1 -W 1 2001:db8:2::10; echo rc=$?
ip netns exec r sysctl -w net.ipv6.conf.all.forwarding=0
ip netns exec r sysctl -w net.ipv6.conf.r2.forwarding=1
ip netns exec h1 ping -c 1 -W 1 2001:db8:2::10; echo rc=$?
ip netns exec r sysctl net.ipv6.conf.r1.forwarding net.ipv6.conf.r2.forwarding net.ipv6.conf.all.forwarding
ip netns del h1
ip netns del h2
ip netns del r
ip link del br1
ip link del br2
