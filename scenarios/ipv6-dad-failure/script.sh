# IPv6 on (options: --ipv6): duplicate address detection finding a duplicate. ns1 has
# 2001:db8::1 and its link-local settled; ns2 then adds 2001:db8::1 too, and ns3 comes up
# with ns1's MAC, so with ns1's link-local. Their DAD probes get ns1's advertisement (to
# all nodes, not solicited, override) and the addresses stay `dadfailed tentative`: never
# used as a source, not answered for; their prefix routes stay. ns1 keeps both addresses.
ip netns add ns1
ip netns add ns2
ip netns add ns3
ip link add br0 type bridge
ip link set br0 address 02:00:00:00:0b:00
sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
for i in 1 2 3; do
  ip link add veth$i type veth peer name br-veth$i
  ip link set veth$i netns ns$i
  ip link set br-veth$i address 02:00:00:00:0b:0$i
  sysctl -qw net.ipv6.conf.br-veth$i.disable_ipv6=1
  ip link set br-veth$i master br0
  ip link set br-veth$i up
done
ip link set br0 up
ip -n ns1 link set veth1 address 02:00:00:00:00:01
ip -n ns2 link set veth2 address 02:00:00:00:00:02
ip -n ns3 link set veth3 address 02:00:00:00:00:01
ip -n ns1 addr add 2001:db8::1/64 dev veth1
ip -n ns1 link set veth1 up
ip -n ns2 link set veth2 up
sleep 3
tcpdump -i br0 -w br0.pcap icmp6 2>/dev/null &
sleep 0.5
ip -n ns2 addr add 2001:db8::1/64 dev veth2
ip -n ns3 link set veth3 up
sleep 3
kill %1
wait
ip -n ns1 -6 addr show dev veth1
ip -n ns2 -6 addr show dev veth2
ip -n ns3 -6 addr show dev veth3
ip -n ns2 -6 route
ip -n ns3 -6 route
ip netns exec ns2 ping -c 1 2001:db8::1; echo rc=$?
ip -n ns1 -6 neigh
tcpdump -nn -e -r br0.pcap 2>/dev/null | grep -v 'router solicitation' | sed 's/^[0-9:.]* //' | sort | uniq -c
ip netns del ns1
ip netns del ns2
ip netns del ns3
ip link del br0
