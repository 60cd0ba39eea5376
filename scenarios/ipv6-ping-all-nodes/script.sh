# IPv6 on (options: --ipv6): `ping ff02::1%veth1` with three namespaces on a bridge. Every
# node on the link answers (the bridge too, with its own link-local), so each request gets
# several replies: ping counts the extra ones as duplicates, but does not mark them for a
# multicast destination. Each answering node first resolves the asker (a solicitation, our
# advertisement), so afterwards the asker has a STALE-then-DELAY entry for each. The order
# of the replies to one request depends on who is scheduled first: they are sorted here,
# and a deadline (-w) rather than a count ends the ping so that every reply is counted.
ip netns add ns1
ip netns add ns2
ip netns add ns3
ip link add br0 type bridge
ip link set br0 address 02:00:00:00:0b:00
for i in 1 2 3; do
  ip link add veth$i type veth peer name br-veth$i
  ip link set veth$i netns ns$i
  ip -n ns$i link set veth$i address 02:00:00:00:00:0$i
  ip link set br-veth$i address 02:00:00:00:0b:0$i
  sysctl -qw net.ipv6.conf.br-veth$i.disable_ipv6=1
  ip link set br-veth$i master br0
  ip link set br-veth$i up
  ip -n ns$i link set veth$i up
done
ip link set br0 up
sleep 3
ip netns exec ns1 ping -i 0.8 -w 2 -c 100 ff02::1%veth1 > ping.txt; echo rc=$?
head -1 ping.txt
grep bytes ping.txt | sed 's/ time=.*//' | sort
sed -n '/statistics/,$p' ping.txt
ip -n ns1 -6 neigh | sort
ip -n ns2 -6 neigh | sort
ip netns del ns1
ip netns del ns2
ip netns del ns3
ip link del br0
