#!/bin/bash
# Datagrams larger than the MTU: ping -s 2000 is fragmented both ways and reassembled;
# -M do refuses with a local error, -M dont fragments; a peer with a smaller MTU than
# the sender drops what does not fit it.
ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a addr add 192.168.5.1/24 dev va
ip -n b addr add 192.168.5.2/24 dev vb
ip -n a link set va up
ip -n b link set vb up
ip netns exec b tcpdump -i vb -nn -w big.pcap 2>/dev/null &
sleep 1
ip netns exec a ping -c 1 -s 2000 192.168.5.2
ip netns exec a ping -c 1 -M do -s 1473 192.168.5.2
echo rc=$?
ip netns exec a ping -c 1 -M dont -s 1473 192.168.5.2 | tail -2
ip -n a link set va mtu 1000
ip netns exec a ping -c 1 -s 1200 192.168.5.2 | tail -2
sleep 1
kill %1
wait
tcpdump -nn -r big.pcap 2>/dev/null
