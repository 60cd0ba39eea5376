#!/bin/bash
# ip monitor neigh: watch ARP work on both sides of a ping — STALE, PROBE, REACHABLE on the
# answering side, REACHABLE and FAILED on the asking side, entries added, replaced and
# deleted by hand (FAILED, then Deleted). INCOMPLETE and DELAY are never announced.
ip netns add a
ip netns add b
ip link add va type veth peer name vb
ip link set va netns a
ip link set vb netns b
ip -n a addr add 10.7.0.1/24 dev va
ip -n b addr add 10.7.0.2/24 dev vb
ip -n a link set va up
ip -n b link set vb up
ip netns exec b ip monitor neigh > monb.txt &
ip netns exec a ip monitor neigh > mona.txt &
sleep 0.5
ip netns exec a ping -c 1 10.7.0.2 > /dev/null
ip netns exec a ping -c 1 -W 1 10.7.0.9 > /dev/null
sleep 8
ip -n a neigh add 10.7.0.5 lladdr 02:00:00:00:00:05 dev va
ip -n a neigh replace 10.7.0.5 lladdr 02:00:00:00:00:06 dev va nud reachable
ip -n a neigh del 10.7.0.2 dev va
sleep 0.5
kill %1 %2
wait
echo "== b"; cat monb.txt
echo "== a"; cat mona.txt
