# IPv6 on (options: --ipv6): two namespaces across a bridge, pinging each other over IPv6.
# Link-local with the interface as scope (`%veth1`) and with `-I` (which warns and leaves
# the source unset in its header), a global address with `-6` and as a bare literal. The
# first echo waits for neighbour discovery: a solicitation to the target's solicited-node
# group, a solicited advertisement back. The answering side learns the asker from the
# solicitation (STALE), then answers through it (DELAY) and, five seconds on, probes it by
# unicast to make it REACHABLE. The bridge and its ports have IPv6 off, so only the two
# hosts speak. Several IPv6 entries are listed in the kernel's hash order: sorted here.
ip netns add ns1
ip netns add ns2
ip link add br0 type bridge
ip link set br0 address 02:00:00:00:0b:00
sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
for i in 1 2; do
  ip link add veth$i type veth peer name br-veth$i
  ip link set veth$i netns ns$i
  ip -n ns$i link set veth$i address 02:00:00:00:00:0$i
  ip link set br-veth$i address 02:00:00:00:0b:0$i
  sysctl -qw net.ipv6.conf.br-veth$i.disable_ipv6=1
  ip link set br-veth$i master br0
  ip link set br-veth$i up
  ip -n ns$i addr add 2001:db8::$i/64 dev veth$i
  ip -n ns$i link set veth$i up
done
ip link set br0 up
sleep 3
echo "== before"
ip -n ns1 -6 neigh
ip -n ns1 neigh show dev veth1
tcpdump -i br0 -w br0.pcap icmp6 2>/dev/null &
sleep 0.5
echo "== ping"
ip netns exec ns1 ping -c 2 fe80::ff:fe00:2%veth1; echo rc=$?
ip netns exec ns1 ping -c 1 -I veth1 fe80::ff:fe00:2; echo rc=$?
ip netns exec ns1 ping -6 -c 2 2001:db8::2; echo rc=$?
ip netns exec ns2 ping -c 1 2001:db8::1; echo rc=$?
echo "== after"
ip -n ns1 -6 neigh | sort
ip -n ns2 neigh show dev veth2 | sort
ip -n ns2 -6 neigh get 2001:db8::1 dev veth2
sleep 0.5
kill %1
wait
tcpdump -nn -e -r br0.pcap 2>/dev/null | grep -v 'router solicitation'
sleep 6
echo "== later"
ip -n ns2 -6 neigh | sort
ip -n ns1 -6 neigh del fe80::ff:fe00:2 dev veth1
ip -n ns1 -6 neigh flush dev veth1
ip -n ns1 -6 neigh add 2001:db8::7 lladdr 02:00:00:00:00:07 dev veth1
ip -n ns1 neigh
ip netns del ns1
ip netns del ns2
ip link del br0
