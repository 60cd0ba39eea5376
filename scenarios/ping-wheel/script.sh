#!/bin/bash
# ping sends on the kernel's timer wheel. Between requests it blocks in recvmsg() under
# SO_RCVTIMEO = interval; the kernel turns that into whole jiffies and a timer-wheel timer,
# which its level rounds up: at HZ=250, 1 s waits 1.024 s and 0.2 s waits 204 ms. pinger()
# counts whole milliseconds and never catches up a late request.
ip netns add ns01
ip netns add ns02
ip link add veth01 type veth peer name veth02
ip link set veth01 netns ns01
ip link set veth02 netns ns02
ip netns exec ns01 ip link set lo up
ip netns exec ns01 ip link set veth01 up
ip netns exec ns02 ip link set veth02 up
ip netns exec ns01 ip addr add 10.0.0.1/24 dev veth01
ip netns exec ns02 ip addr add 10.0.0.2/24 dev veth02
ip netns exec ns02 tcpdump -i veth02 -nn -w veth02.pcap 2>/dev/null &
sleep 1
# The neighbour's retransmit timer and ping's wait fall in the same wheel bucket: the third
# retransmit fails the entry in the tick where the 4th request is due, just before it, so
# the 4th request starts a second round of ARP requests. (Each CPU has its own wheel: on a
# busy machine the two timers can land on different CPUs and run in either order.)
echo '$ ip netns exec ns01 ping -c 4 10.0.0.99'
ip netns exec ns01 ping -c 4 10.0.0.99
echo "rc=$?"
echo '$ ip netns exec ns01 ip neigh show 10.0.0.99'
ip netns exec ns01 ip neigh show 10.0.0.99
# Requests go 1.02x s apart: two by the time a 2 s sleep ends.
echo '$ ip netns exec ns01 ping 10.0.0.2 & sleep 2; kill -INT %2'
ip netns exec ns01 ping 10.0.0.2 &
sleep 2
kill -INT %2
wait %2
echo "rc=$?"
# -i 0.2: 50 jiffies, level 0 of the wheel, one jiffy more: 204 ms between requests once
# ping runs in step with the ticks.
# The first wait may end early in its jiffy; the next three add up to 612 ms (600 if the
# waits were exact), shown to the nearest 10 ms as the replies' stamps jitter a little.
echo '$ ip netns exec ns01 ping -D -i 0.2 -c 5 10.0.0.2'
ip netns exec ns01 ping -D -i 0.2 -c 5 10.0.0.2 > ping.out
awk -F'[][]' '/bytes from/ { t[++n] = $2 } END { printf "replies 2 to 5: %d ms apart (to 10 ms)\n", int(((t[5] - t[2]) * 1000 + 5) / 10) * 10 }' ping.out
awk '/packets transmitted/ { t = $NF; sub("ms", "", t); print (t >= 808 && t <= 820) ? "summary time within 808..820 ms" : "summary time " t " ms" }' ping.out
sleep 1
kill %1
wait
echo '$ tcpdump -nn -r veth02.pcap arp | grep -c "who-has 10.0.0.99"'
tcpdump -nn -r veth02.pcap arp 2>/dev/null | grep -c "who-has 10.0.0.99"
