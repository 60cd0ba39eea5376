# IPv6 on (options: --ipv6): a device that forwards is a router (dev_forward_change): it joins
# ff02::2, ff01::2 and ff05::2 and, once its addresses are settled, the solicited-node group of
# each prefix's subnet-router anycast (ff02::1:ff00:0, two users: fe80:: and 2001:db8:1::);
# it sends no router solicitations (the host beside it does, once DAD is done); its
# advertisements carry the router flag. Forwarding off leaves those groups.
ip netns add h1
ip netns add r
ip link add h1e type veth peer name r1
ip link set h1e netns h1
ip link set r1 netns r
ip -n h1 link set h1e address 02:00:00:00:01:10
ip -n r link set r1 address 02:00:00:00:01:01
ip -n r addr add 2001:db8:1::1/64 dev r1
ip -n h1 addr add 2001:db8:1::10/64 dev h1e
ip netns exec r sysctl -w net.ipv6.conf.all.forwarding=1
ip -n r maddr show dev r1
ip -n h1 link set h1e up
ip netns exec h1 tcpdump -i h1e -nn -w rs.pcap 'ip6[40] == 133' 2>/dev/null &
sleep 1
ip -n r link set r1 up
sleep 3
kill %1
wait
tcpdump -nn -r rs.pcap 2>/dev/null | cut -d' ' -f2-
ip -n r maddr show dev r1
ip netns exec h1 ping -c 1 2001:db8:1::1 | head -2
ip -n h1 -6 neigh show 2001:db8:1::1
echo "== forwarding off"
ip netns exec r sysctl -w net.ipv6.conf.all.forwarding=0
ip -n r maddr show dev r1
ip netns del h1
ip netns del r
