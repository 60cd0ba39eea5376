#!/bin/bash
# tcpdump -v and -vv: the IP header line of each datagram and ARP's long form. The IPv4 ids
# differ from run to run (the kernel hashes each destination to a generator that jumps ahead
# by a random amount), so they are shown as ID and checked instead: ping's requests carry
# non-zero ids that change, and on lo a reply's id follows its request's (one generator).
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
ip netns exec ns02 tcpdump -i veth02 -v -nn -c 6 > v.out 2>/dev/null &
sleep 1
echo '$ ip netns exec ns01 ping -c 2 10.0.0.2'
ip netns exec ns01 ping -c 2 10.0.0.2
wait
echo '$ ip netns exec ns02 tcpdump -i veth02 -v -nn -c 6'
sed -E 's/id [0-9]+, offset/id ID, offset/' v.out
ip netns exec ns01 tcpdump -i lo -vv -nn -c 4 > vv.out 2>/dev/null &
sleep 1
echo '$ ip netns exec ns01 ping -c 2 -i 0.5 127.0.0.1'
ip netns exec ns01 ping -c 2 -i 0.5 127.0.0.1 > /dev/null
wait
echo '$ ip netns exec ns01 tcpdump -i lo -vv -nn -c 4'
sed -E 's/id [0-9]+, offset/id ID, offset/' vv.out
for f in v.out vv.out; do
  awk -v f="$f" '
    / id [0-9]+, offset/ { match($0, / id [0-9]+,/); id = substr($0, RSTART + 4, RLENGTH - 5) + 0; next }
    /echo request/ { req[++nq] = id }
    /echo reply/ { rep[++np] = id }
    END {
      nz = 1; for (i = 1; i <= nq; i++) if (req[i] == 0) nz = 0
      printf "%s: %d requests, ids non-zero: %s, second differs from first: %s", f, nq, nz ? "yes" : "no", req[1] != req[2] ? "yes" : "no"
      if (f == "vv.out") printf ", replies = request + 1: %s", (rep[1] == (req[1] + 1) % 65536 && rep[2] == (req[2] + 1) % 65536) ? "yes" : "no"
      printf "\n"
    }' "$f"
done
