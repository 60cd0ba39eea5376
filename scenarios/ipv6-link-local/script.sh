# IPv6 on (options: --ipv6): link-local addresses as the kernel makes them. A device gets
# fe80::/64 from its MAC (EUI-64) when it first has carrier after coming up, tentative
# while duplicate address detection runs (a probe after up to 1 s, then 1 s more); it keeps
# the address when its carrier drops and when its MAC changes, and loses it going down.
ip netns add ns1
ip link add br0 type bridge
ip link add veth1 type veth peer name br-veth1
ip link set veth1 netns ns1
ip link set br-veth1 master br0
ip -n ns1 link set veth1 address 02:00:00:00:01:01
ip link set br-veth1 address 02:00:00:00:0b:01
ip link set br0 address 02:00:00:00:0b:00
echo "== bridge up, its only port down: no carrier, no address"
ip link set br0 up
ip -6 addr show dev br0
ip addr show dev br0
echo "== lo"
ip -n ns1 link set lo up
ip -n ns1 -6 addr show dev lo
echo "== both ends up: tentative"
ip link set br-veth1 up
ip -n ns1 link set veth1 up
ip -n ns1 -6 addr show dev veth1
ip -6 addr show dev br0
echo "== after DAD"
sleep 3
ip -n ns1 -6 addr show dev veth1
ip -6 addr
ip -n ns1 -6 -o addr
ip -n ns1 -br -6 addr
echo "== carrier lost: kept"
ip link set br-veth1 down
ip -n ns1 -6 addr show dev veth1
ip -n ns1 link set veth1 address 02:00:00:00:01:02
ip -n ns1 -6 addr show dev veth1
echo "== carrier back: kept, not tentative"
ip link set br-veth1 up
ip -n ns1 -6 addr show dev veth1
echo "== down: gone; up again: from the new MAC"
ip -n ns1 link set veth1 down
ip -n ns1 -6 addr show dev veth1
ip -n ns1 addr show dev veth1
ip -n ns1 link set veth1 up
ip -n ns1 -6 addr show dev veth1
sleep 3
ip -n ns1 -6 addr show dev veth1
ip netns exec ns1 ifconfig veth1 | grep inet6
echo "== IPv6 disabled on the device: gone"
ip netns exec ns1 sysctl -w net.ipv6.conf.veth1.disable_ipv6=1
ip -n ns1 -6 addr show dev veth1
ip netns exec ns1 sysctl -w net.ipv6.conf.veth1.disable_ipv6=0
ip -n ns1 -6 addr show dev veth1
ip netns del ns1
ip link del br0
