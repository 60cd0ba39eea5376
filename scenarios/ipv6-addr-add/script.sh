# IPv6 on (options: --ipv6): `ip -6 addr add|del` of global addresses. The newest global
# is listed first, link-locals last; without `nodad` an address is tentative for DAD (over
# after a second or two); without a length it is a /128; each brings its prefix route
# (a /128 shows without its length). Adding one twice, deleting one that is not there: the
# kernel's extended acks. A device that is down takes an address (kept while it stays down)
# and has no routes.
ip link add veth1 type veth peer name veth2
ip link set veth1 address 02:00:00:00:00:01
ip link set veth2 address 02:00:00:00:00:02
ip link set veth1 up
ip link set veth2 up
ip -6 addr add 2001:db8::1/64 dev veth1
ip -6 addr add 2001:db8:1::1/64 dev veth1 nodad
ip addr add 2001:db8:2::1 dev veth1 nodad
ip -6 addr show dev veth1
ip -6 route
ip -6 addr add 2001:db8::1/64 dev veth1; echo rc=$?
sleep 3
ip -6 addr show dev veth1
ip -6 addr del 2001:db8::1/64 dev veth1
ip -6 addr del 2001:db8::1/64 dev veth1; echo rc=$?
ip addr del 2001:db8:2::1 dev veth1
ip -6 addr show dev veth1
ip -6 route
ip -6 addr add 2001:db8:5::1/64 dev veth2
ip link set veth2 down
ip -6 addr add 2001:db8:6::1/64 dev veth2 nodad
ip -6 addr show dev veth2
ip -6 route
ip link del veth1
