#!/bin/bash
# Two neighbour entries that go DELAY in the same jiffy have their DELAY timers in one bucket
# of the timer wheel: both fire in the same tick, and each sends its unicast probe. Frames
# sent by timer callbacks wait in the receive backlog until every timer of the tick has run,
# so both requests are out before either is answered.
ip netns add ns01
ip netns add ns02
ip link add veth01 type veth peer name veth02
ip link set veth01 netns ns01
ip link set veth02 netns ns02
ip netns exec ns01 ip link set veth01 address 02:00:00:00:00:01
ip netns exec ns02 ip link set veth02 address 02:00:00:00:00:02
ip netns exec ns01 ip link set veth01 up
ip netns exec ns02 ip link set veth02 up
ip netns exec ns01 ip addr add 10.0.0.1/24 dev veth01
ip netns exec ns02 ip addr add 10.0.0.2/24 dev veth02
ip netns exec ns01 ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev veth01 nud stale
ip netns exec ns02 ip neigh replace 10.0.0.1 lladdr 02:00:00:00:00:01 dev veth02 nud stale
ip netns exec ns02 tcpdump -i veth02 -nn -l arp > arp.txt 2>/dev/null &
sleep 1
# The request makes ns01's entry DELAY, the reply ns02's, in the same jiffy.
echo '$ ip netns exec ns01 ping -c 1 10.0.0.2'
ip netns exec ns01 ping -c 1 10.0.0.2
echo '$ ip netns exec ns01 ip neigh; ip netns exec ns02 ip neigh'
ip netns exec ns01 ip neigh
ip netns exec ns02 ip neigh
sleep 6
echo '$ ip netns exec ns01 ip neigh; ip netns exec ns02 ip neigh (6 s later)'
ip netns exec ns01 ip neigh
ip netns exec ns02 ip neigh
sleep 1
kill %1
wait
# ns02's probe leaves in the timers' tick, ns01's arrives from the backlog; then the replies.
echo '$ tcpdump -i veth02 -nn -l arp (what, in order)'
sed -E 's/^[0-9:.]+ //; s/ is-at .*/ is-at (reply)/' arp.txt
