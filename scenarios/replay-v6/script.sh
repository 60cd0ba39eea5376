# Replay input with IPv6 on (options: --ipv6): two hosts on a bridge, captured on the bridge
# while they get global addresses (DAD probes from ::, MLDv2 reports, router solicitations),
# then ping each other over IPv6 (link-local and global: neighbour solicitations and
# advertisements, echoes), ping an address nobody has (three solicitations, no answer) and
# ping over IPv4 (ARP and ICMP in the same capture). The bridge and its ports have IPv6 off,
# so only the two hosts speak.
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
  ip -n ns$i addr add 192.168.88.1$i/24 dev veth$i
  ip -n ns$i link set veth$i up
done
ip link set br0 up
sleep 3
tcpdump -i br0 -w br0.pcap 2>/dev/null &
sleep 0.5
ip -n ns1 addr add 2001:db8::1/64 dev veth1
ip -n ns2 addr add 2001:db8::2/64 dev veth2
sleep 3
ip netns exec ns1 ping -q -c 2 fe80::ff:fe00:2%veth1 >/dev/null; echo rc=$?
ip netns exec ns1 ping -q -c 2 2001:db8::2 >/dev/null; echo rc=$?
ip netns exec ns2 ping -q -c 1 2001:db8::1 >/dev/null; echo rc=$?
ip netns exec ns1 ping -q -c 1 -W 1 2001:db8::99 >/dev/null; echo rc=$?
ip netns exec ns1 ping -q -c 1 192.168.88.12 >/dev/null; echo rc=$?
sleep 1
kill %1
wait
echo "== echoes"
tcpdump -nn -r br0.pcap 'icmp6[icmp6type] = icmp6-echo or icmp6[icmp6type] = icmp6-echoreply' 2>/dev/null | sed 's/^[0-9:.]* //'
ip netns del ns1
ip netns del ns2
ip link del br0
