# IPv6 on (options: --ipv6): what the kernel sends by itself when a device gets IPv6, as
# `icmp6` sees it (MLD reports sit behind a hop-by-hop header, which the filter does not
# look past): one DAD neighbour solicitation from :: after a random delay below 1 s, and
# once the address is settled 1 s later, router solicitations to ff02::2 with no end
# (router_solicitations -1), the first waits about 4 s, each next one about twice the
# last. IPv6 is off on the port and its peer, so that one device at a time speaks: first
# br0 (it gets carrier when its port comes up), then veth1 (IPv6 turned on while it is
# up); each is stopped (IPv6 off) after its third solicitation, before its random fourth.
ip netns add ns1
ip link add br0 type bridge
ip link set br0 address 02:00:00:00:0b:00
ip link add veth1 type veth peer name br-veth1
ip link set veth1 netns ns1
ip -n ns1 link set veth1 address 02:00:00:00:01:01
ip link set br-veth1 address 02:00:00:00:0b:01
sysctl -qw net.ipv6.conf.br-veth1.disable_ipv6=1
ip netns exec ns1 sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1
ip link set br-veth1 master br0
ip link set br0 up
ip -n ns1 link set veth1 up
tcpdump -i br0 -w br0.pcap icmp6 2>/dev/null &
sleep 0.5
ip link set br-veth1 up
sleep 17
ip -6 addr show dev br0
sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
ip netns exec ns1 sysctl -qw net.ipv6.conf.veth1.disable_ipv6=0
sleep 17
ip -n ns1 -6 addr show dev veth1
ip netns exec ns1 sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1
sleep 1
kill %1
wait
tcpdump -nn -e -r br0.pcap 2>/dev/null | sed 's/^[0-9:.]* //'
ip -6 addr show dev br0
ip netns del ns1
ip link del br0
