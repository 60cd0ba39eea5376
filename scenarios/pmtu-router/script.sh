#!/bin/bash
# Path MTU discovery through a router: the first large ping (DF set) gets "Frag needed
# and DF set (mtu = 1400)", the route learns the path MTU, the next ones are fragmented
# by the sender; `ip route get` shows the cached MTU.
ip netns add a
ip netns add r
ip netns add b
ip link add va type veth peer name ra
ip link add vb type veth peer name rb
ip link set va netns a
ip link set ra netns r
ip link set rb netns r
ip link set vb netns b
ip -n a addr add 10.0.1.2/24 dev va
ip -n r addr add 10.0.1.1/24 dev ra
ip -n r addr add 10.0.2.1/24 dev rb
ip -n b addr add 10.0.2.2/24 dev vb
ip -n r link set rb mtu 1400
ip -n b link set vb mtu 1400
for x in "a va" "r ra" "r rb" "b vb"; do set -- $x; ip -n $1 link set $2 up; done
ip -n a route add default via 10.0.1.1
ip -n b route add default via 10.0.2.1
ip netns exec r sysctl -q -w net.ipv4.ip_forward=1
ip netns exec a tcpdump -i va -nn -w a.pcap 2>/dev/null &
sleep 1
ip netns exec a ping -c 3 -i 0.3 -s 1400 10.0.2.2
ip netns exec a ping -c 1 -M dont -s 1400 10.0.2.2 | tail -2
ip netns exec a ip route get 10.0.2.2
sleep 1
kill %1
wait
tcpdump -nn -r a.pcap 2>/dev/null
