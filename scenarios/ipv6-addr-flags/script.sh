# IPv6 on (options: --ipv6): how a link-local is made (addrgenmode: none makes none and the
# device stays silent, eui64 takes effect at the next up, random is flagged stable-privacy,
# stable_secret needs a secret), and what `ip -6 addr add` sets beside the address:
# noprefixroute (no route), valid_lft/preferred_lft counting down in whole seconds
# (`dynamic` while the valid lifetime is finite, `deprecated` once the preferred one is
# over, gone when the valid one is), the route expiring with its address, and iproute2's
# checks. The kernel looks at lifetimes on a whole-second timer, so the listings come well
# after each end.
ip link add veth1 type veth peer name veth2
ip link set veth1 address 02:00:00:00:01:01
ip link set veth2 address 02:00:00:00:01:02
echo "== addrgenmode"
ip -d link show veth1 | grep -o 'addrgenmode [a-z0-9_]*'
ip link set veth1 addrgenmode none; echo rc=$?
ip -d link show veth1 | grep -o 'addrgenmode [a-z0-9_]*'
ip -d -j link show veth1 | grep -o '"inet6_addr_gen_mode":"[a-z0-9_]*"'
ip link set veth1 addrgenmode stable_secret; echo rc=$?
ip link set veth1 addrgenmode bogus; echo rc=$?
ip link set veth1 up
ip link set veth2 up
sleep 2.5
echo "== none: no link-local, nothing sent"
ip -6 addr show dev veth1
ip -6 route show dev veth1
ip -s link show dev veth1 | sed -n '5,6p'
ip maddr show dev veth1
ip link set veth1 addrgenmode eui64
ip -6 addr show dev veth1
echo "== eui64 again, after down and up"
ip link set veth1 down
ip link set veth1 up
sleep 2.5
ip -6 addr show dev veth1
echo "== random"
ip link set veth2 addrgenmode random
ip -d link show veth2 | grep -o 'addrgenmode [a-z0-9_]*'
ip link set veth2 down
ip link set veth2 up
sleep 2.5
ip -6 addr show dev veth2 | sed -E 's/fe80::[0-9a-f:]+/fe80::IID/'
ip -6 addr show dev veth2 | grep -c 'fe80::ff:fe00:102'
echo "== flags and lifetimes"
ip -6 addr add 2001:db8::1/64 dev veth1 noprefixroute nodad
ip -6 addr add 2001:db8:1::1/64 dev veth1 valid_lft 6 preferred_lft 3 nodad
ip -6 addr add 2001:db8:2::1/64 dev veth1 preferred_lft 0 nodad
ip -6 addr add 2001:db8:4::1/64 dev veth1 valid_lft forever preferred_lft 2 nodad
ip -6 addr add 2001:db8:6::1/64 dev veth1 valid_lft 4294967295 preferred_lft 4294967295 nodad
ip -6 addr add 2001:db8:7::1/64 dev veth1 valid_lft 5; echo rc=$?
ip -6 addr add 2001:db8:7::1/64 dev veth1 valid_lft 0 preferred_lft 0; echo rc=$?
ip -6 addr add 2001:db8:7::1/64 dev veth1 valid_lft abc; echo rc=$?
ip -6 addr add 2001:db8:7::1/64 dev veth1 preferred_lft -1; echo rc=$?
ip -6 addr show dev veth1
ip -j -6 addr show dev veth1
echo
sleep 1.5
echo "== 1.5 s"
ip -6 route show dev veth1
ip -6 addr show dev veth1
ip -6 maddr show dev veth1
sleep 3.5
echo "== 5 s: preferred lifetimes over"
ip -6 addr show dev veth1
sleep 3.5
echo "== 8.5 s: valid lifetime over"
ip -6 addr show dev veth1
ip -6 maddr show dev veth1
echo "== home, mngtmpaddr, optimistic (dropped without optimistic_dad), autojoin"
ip -6 addr add 2001:db8:8::1/64 dev veth1 home mngtmpaddr noprefixroute nodad valid_lft 50 preferred_lft 0
ip -6 addr add 2001:db8:9::1/64 dev veth1 autojoin; echo rc=$?
ip -6 addr add 2001:db8:a::1/64 dev veth1 optimistic; echo rc=$?
ip -6 addr show dev veth1 | head -5
ip link del veth1
