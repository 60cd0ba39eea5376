# IPv6 on (options: --ipv6): everything a host sends by itself when its link comes up, as a
# capture of the bridge shows it (`ip6`: MLDv2 reports too), and the bridge learning the
# host's MAC from that traffic alone. Two MLD reports as the group of its new link-local
# is joined (from ::, the address being tentative), the DAD probe, then from the settled
# address the initial MLD report twice and router solicitations. The bridge's own traffic
# is kept out: IPv6 is off on br0 and on the port; the host is stopped (IPv6 off) after
# its third solicitation. The order of the reports, the probe and the solicitations varies
# with the random delays, so the frames are counted by kind.
ip netns add ns1
ip link add br0 type bridge
ip link set br0 address 02:00:00:00:0b:00
ip link add veth1 type veth peer name br-veth1
ip link set veth1 netns ns1
ip -n ns1 link set veth1 address 02:00:00:00:01:01
ip link set br-veth1 address 02:00:00:00:0b:01
sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
sysctl -qw net.ipv6.conf.br-veth1.disable_ipv6=1
ip link set br-veth1 master br0
ip link set br-veth1 up
ip link set br0 up
tcpdump -i br0 -w br0.pcap ip6 2>/dev/null &
sleep 0.5
echo "== before"
bridge fdb show br br0 | grep -v permanent
ip -n ns1 link set veth1 up
sleep 17
ip netns exec ns1 sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1
sleep 2
kill %1
wait
tcpdump -nn -e -r br0.pcap 2>/dev/null | sed 's/^[0-9:.]* //' | sort | uniq -c
echo "== after"
bridge fdb show br br0 | grep -v permanent
ip -n ns1 -s link show dev veth1 | sed -n '5,6p'
ip netns del ns1
ip link del br0
