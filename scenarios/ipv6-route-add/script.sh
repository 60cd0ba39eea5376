# IPv6 on (options: --ipv6): `ip -6 route add|replace|del|show|get` with the kernel's default
# metric 1024 and its listing order (the fib6 tree's: a longer prefix before one holding it,
# `default` last, by metric within a prefix), host bits cleared, and its errors: a global
# gateway no route reaches (EHOSTUNREACH), a link-local one without a device, EEXIST for the
# same prefix and metric, ESRCH for nothing to delete; `ip route get` infers the family.
ip netns add h1
ip link add v1 type veth peer name v1p
ip link set v1 netns h1
ip -n h1 link set v1 address 02:00:00:00:00:01
ip -n h1 addr add 2001:db8:1::10/64 dev v1
ip -n h1 link set lo up
ip -n h1 link set v1 up
ip link set v1p up
sleep 3
ip -n h1 -6 route
ip -n h1 -6 route add default via 2001:db8:1::1; echo rc=$?
ip -n h1 -6 route add 2001:db8:5::/48 via 2001:db8:1::2 metric 10; echo rc=$?
ip -n h1 -6 route add 2001:db8:5:1::/64 via 2001:db8:1::3; echo rc=$?
ip -n h1 -6 route add 2001:db8:6::/64 dev v1; echo rc=$?
ip -n h1 -6 route add 2001:db8:7::/64 via fe80::1 dev v1 proto static; echo rc=$?
ip -n h1 -6 route add 2001:db8:8::1 via 2001:db8:1::3; echo rc=$?
ip -n h1 route add 2001:db8:9::1/64 dev v1; echo rc=$?
ip -n h1 -6 route
echo "== errors"
ip -n h1 -6 route add default via 2001:db8:1::1; echo rc=$?
ip -n h1 -6 route add 2001:db8:a::/64 via 2001:db8:2::1; echo rc=$?
ip -n h1 -6 route add 2001:db8:a::/64 via fe80::1; echo rc=$?
ip -n h1 -6 route add 2001:db8:a::/64 via 10.0.0.1; echo rc=$?
ip -n h1 -6 route add 10.0.0.0/8 dev v1; echo rc=$?
ip -n h1 -6 route add 2001:db8:a::/129 dev v1; echo rc=$?
ip -n h1 -6 route add 2001:db8:a::/64 dev nosuch; echo rc=$?
ip -n h1 -6 route add 2001:db8:a::/64; echo rc=$?
ip -n h1 -6 route add 2001:db8:1::/64 dev v1 metric 256; echo rc=$?
ip -n h1 -6 route del 2001:db8:a::/64; echo rc=$?
ip -n h1 -6 route del 2001:db8:5::/48 metric 11; echo rc=$?
ip -n h1 -6 route del 2001:db8:7::/64 via fe80::2; echo rc=$?
echo "== replace"
ip -n h1 -6 route replace default via 2001:db8:1::2; echo rc=$?
ip -n h1 -6 route replace 2001:db8:5::/48 via 2001:db8:1::4 metric 10; echo rc=$?
ip -n h1 -6 route replace 2001:db8:b::/64 via 2001:db8:1::4; echo rc=$?
ip -n h1 -6 route add default via 2001:db8:1::5 metric 100; echo rc=$?
ip -n h1 -6 route show
ip -n h1 -6 route show default
ip -n h1 -6 route show 2001:db8:5::/48
ip -n h1 -6 route show dev v1
echo "== get"
ip -n h1 -6 route get 2001:db8:1::20; echo rc=$?
ip -n h1 -6 route get 2001:db8:5::1; echo rc=$?
ip -n h1 -6 route get 2001:db8:5:1::1; echo rc=$?
ip -n h1 -6 route get 2001:db8:99::1; echo rc=$?
ip -n h1 -6 route get 2001:db8:1::10; echo rc=$?
ip -n h1 -6 route get fe80::1 dev v1; echo rc=$?
ip -n h1 route get 2001:db8:6::1; echo rc=$?
echo "== del"
ip -n h1 -6 route del default; echo rc=$?
ip -n h1 -6 route del default; echo rc=$?
ip -n h1 -6 route del 2001:db8:5::/48; echo rc=$?
ip -n h1 -6 route del 2001:db8:6::/64 dev v1; echo rc=$?
ip -n h1 -6 route del 2001:db8:8::1; echo rc=$?
ip -n h1 -6 route
ip -n h1 -6 route get 2001:db8:99::1; echo rc=$?
ip netns exec h1 ping -c 1 2001:db8:99::1; echo rc=$?
echo "== v1 down"
ip -n h1 link set v1 down
ip -n h1 link set v1 up
ip -n h1 -6 route
ip netns del h1
