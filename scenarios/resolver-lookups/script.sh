#!/bin/bash
# `arp` and `route` without -n look each address up: glibc's resolver sends a PTR query to
# the nameserver of /etc/resolv.conf. With no route to it the lookup fails at once and
# nothing leaves; with a default route the query goes to the gateway, whose neighbour entry
# appears (an ARP exchange in the capture), and, nothing answering, the command waits out the
# resolver's timeout: 5 s for each of 2 attempts. /etc/resolv.conf names one nameserver off
# the host (tools/record-kernel and l2lab test both give scenarios the same one). Listings of
# more than one neighbour are sorted: the kernel's hash order changes every run.
ip netns add ns01
ip link add veth0 type veth peer name veth1
ip link set veth1 netns ns01
ip addr add 10.0.0.1/24 dev veth0
ip link set veth0 up
ip -n ns01 addr add 10.0.0.11/24 dev veth1
ip -n ns01 link set veth1 up
ip -n ns01 neigh add 10.0.0.99 lladdr 02:00:00:00:00:99 dev veth1 nud permanent
ip netns exec ns01 tcpdump -i veth1 -nn -w ns01.pcap 2>/dev/null &
sleep 1
took() {
  local a b
  a=$(date +%s%N)
  "$@"
  local rc=$?
  b=$(date +%s%N)
  echo "rc=$rc, took $(( (b - a) / 1000000000 )) s"
}
echo '$ ip netns exec ns01 arp        # no route to the nameserver'
took ip netns exec ns01 arp
echo '$ ip netns exec ns01 route'
took ip netns exec ns01 route
echo '$ ip -n ns01 route add default via 10.0.0.1'
ip -n ns01 route add default via 10.0.0.1
echo '$ ip netns exec ns01 route       # the query leaves through the gateway'
took ip netns exec ns01 route
# The kernel lists its neighbours in hash order, which changes every run: sorted.
echo '$ ip netns exec ns01 ip neigh'
ip netns exec ns01 ip neigh | sort
echo '$ ip netns exec ns01 arp -n'
took ip netns exec ns01 arp -n | (read -r h; echo "$h"; sort)
echo '$ ip -n ns01 neigh del 10.0.0.99 dev veth1'
ip -n ns01 neigh del 10.0.0.99 dev veth1
echo '$ ip netns exec ns01 arp'
took ip netns exec ns01 arp
sleep 1
kill %1
wait
