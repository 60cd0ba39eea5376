# IPv6 on (options: --ipv6): the counters count what IPv6 sends by itself. Four seconds
# after two hosts' link comes up each has sent two MLDv2 reports from ::, its DAD probe,
# then two reports from its link-local address and a router solicitation (the next one
# is due later): six frames out, the peer's six in, all multicast. A bridge counts what
# its port receives and forwards; a device with IPv6 off sends nothing.
ip netns add ns1
ip netns add ns2
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns1
ip link set veth2 netns ns2
ip -n ns1 link set veth1 address 02:00:00:00:01:01
ip -n ns2 link set veth2 address 02:00:00:00:01:02
ip -n ns1 link set veth1 up
ip -n ns2 link set veth2 up
sleep 4
echo "== ip -s link"
ip -n ns1 -s link show dev veth1
ip -n ns2 -s -s link show dev veth2
echo "== ifconfig"
ip netns exec ns1 ifconfig veth1
ip netns exec ns2 ifconfig -a | grep -A8 '^veth2'
ip netns exec ns1 ip -s -j link show dev veth1 | grep -o '"stats64":{[^}]*}[^}]*}'
ip netns exec ns1 sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1
ip netns exec ns2 sysctl -qw net.ipv6.conf.veth2.disable_ipv6=1
ip netns del ns1
ip netns del ns2
echo "== IPv6 off on the host's side"
ip netns add ns3
ip link add br0 type bridge
ip link set br0 address 02:00:00:00:0b:00
ip link add veth3 type veth peer name br-veth3
ip link set veth3 netns ns3
ip -n ns3 link set veth3 address 02:00:00:00:03:03
ip link set br-veth3 address 02:00:00:00:0b:03
sysctl -qw net.ipv6.conf.br0.disable_ipv6=1
sysctl -qw net.ipv6.conf.br-veth3.disable_ipv6=1
ip link set br-veth3 master br0
ip link set br-veth3 up
ip link set br0 up
ip -n ns3 link set veth3 up
sleep 4
ip netns exec ns3 sysctl -qw net.ipv6.conf.veth3.disable_ipv6=1
ip -s link show dev br-veth3
ip -s link show dev br0
ip -n ns3 -s link show dev veth3
ip netns del ns3
ip link del br0
