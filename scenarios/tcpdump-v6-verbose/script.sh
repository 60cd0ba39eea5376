# IPv6 on (options: --ipv6): tcpdump -v and -vv reading what two hosts send by themselves
# when their link comes up (MLDv2 reports behind a hop-by-hop header, DAD probes with their
# nonce, router solicitations with the source link-address option): the IPv6 header in
# parentheses, the checksum verdict, ND options on their own lines, MLD group records.
# The frames' order varies with the kernel's random delays and a probe's nonce is random,
# so each decode's lines are joined per packet, the nonce blanked, and counted by kind.
# IPv6 filters: host/src/dst/net with IPv6 addresses, ip6[] and icmp6[] with the named
# ICMPv6 types, and libpcap's messages for misuse.
ip netns add ns1
ip netns add ns2
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns1
ip link set veth2 netns ns2
ip -n ns1 link set veth1 address 02:00:00:00:01:01
ip -n ns2 link set veth2 address 02:00:00:00:01:02
ip -n ns1 addr add 2001:db8::1/64 dev veth1 nodad
ip -n ns2 link set veth2 up
ip netns exec ns2 tcpdump -i veth2 -w v6.pcap 2>/dev/null &
sleep 1
ip -n ns1 link set veth1 up
sleep 4
ip netns exec ns1 sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1
ip netns exec ns2 sysctl -qw net.ipv6.conf.veth2.disable_ipv6=1
sleep 1
kill %1
wait
join() {
  awk '/^\t/ { sub(/^\t */, ""); printf " | %s", $0; next } NR > 1 { print "" } { printf "%s", $0 } END { print "" }' |
    sed -E 's/(option \(14\), length 8 \(1\): +\| +0x0000: +)[0-9a-f ]+/\1NONCE/'
}
for v in -v -vv; do
  echo "== tcpdump -nn -t $v -r v6.pcap"
  tcpdump -nn -t $v -r v6.pcap 2>/dev/null | join | sort | uniq -c
done
echo "== tcpdump -nn -t -e -v -r v6.pcap icmp6"
tcpdump -nn -t -e -v -r v6.pcap icmp6 2>/dev/null | join | sort | uniq -c
for f in 'host fe80::ff:fe00:101' 'src host fe80::ff:fe00:102' 'dst ff02::2' 'ip6 dst host ff02::16' \
  'net fe80::/64' 'src net ::/128' 'dst net ff02::1:ff00:0/104' 'icmp6 and not src fe80::ff:fe00:101' \
  'icmp6[icmp6type] = icmp6-routersolicit' 'icmp6[0] = 135 and ip6[7] = 255' 'ip6[6] = 0 and ip6[24:2] = 0xff02' \
  'ip host fe80::1' 'icmp6 host fe80::1' 'ether host fe80::1' 'net fe80::1/64' 'host fe80::/64' \
  'net ::/129' 'ip6 host 10.0.0.1' 'host 02:00:00:00:01:01'; do
  echo "== tcpdump -nn -t -r v6.pcap '$f'"
  tcpdump -nn -t -r v6.pcap "$f" 2>&1 | sort | uniq -c
done
ip netns del ns1
ip netns del ns2
