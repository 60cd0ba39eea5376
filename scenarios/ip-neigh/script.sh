#!/bin/bash
# ip neigh add / replace / change / del / flush, nud permanent, and arp -n / -s / -d.
ip netns add ns01
ip netns add ns02
ip link add veth1 type veth peer name veth2
ip link set veth1 netns ns01
ip link set veth2 netns ns02
ip netns exec ns01 ip addr add 10.0.1.1/24 dev veth1
ip netns exec ns02 ip addr add 10.0.1.2/24 dev veth2
ip netns exec ns01 ip link set veth1 up
ip netns exec ns02 ip link set veth2 up
sleep 1
echo '$ ip netns exec ns01 ip neigh | sort'
ip netns exec ns01 ip neigh | sort
echo '$ ip netns exec ns01 ip neigh add 10.0.1.50 lladdr 02:00:00:00:00:50 dev veth1 nud permanent'
ip netns exec ns01 ip neigh add 10.0.1.50 lladdr 02:00:00:00:00:50 dev veth1 nud permanent
echo '$ ip netns exec ns01 ip neigh show | sort'
ip netns exec ns01 ip neigh show | sort
echo '$ ip netns exec ns01 ip neigh add 10.0.1.50 lladdr 02:00:00:00:00:51 dev veth1'
ip netns exec ns01 ip neigh add 10.0.1.50 lladdr 02:00:00:00:00:51 dev veth1
echo "rc=$?"
echo '$ ip netns exec ns01 ip neigh replace 10.0.1.50 lladdr 02:00:00:00:00:51 dev veth1 nud stale'
ip netns exec ns01 ip neigh replace 10.0.1.50 lladdr 02:00:00:00:00:51 dev veth1 nud stale
echo '$ ip netns exec ns01 ip neigh show | sort'
ip netns exec ns01 ip neigh show | sort
echo '$ ip netns exec ns01 ip neigh change 10.0.1.50 lladdr 02:00:00:00:00:52 dev veth1 nud reachable'
ip netns exec ns01 ip neigh change 10.0.1.50 lladdr 02:00:00:00:00:52 dev veth1 nud reachable
echo '$ ip netns exec ns01 ip neigh show dev veth1 | sort'
ip netns exec ns01 ip neigh show dev veth1 | sort
echo '$ ip netns exec ns01 arp -s 10.0.1.60 02:00:00:00:00:60'
ip netns exec ns01 arp -s 10.0.1.60 02:00:00:00:00:60
echo '$ ip netns exec ns01 arp -an | sort'
ip netns exec ns01 arp -an | sort
echo '$ ip netns exec ns01 ping -c 1 10.0.1.2'
ip netns exec ns01 ping -c 1 10.0.1.2
echo '$ ip netns exec ns01 ip neigh | sort'
ip netns exec ns01 ip neigh | sort
echo '$ ip netns exec ns01 ip neigh show nud permanent | sort'
ip netns exec ns01 ip neigh show nud permanent | sort
echo '$ ip netns exec ns01 ip neigh show 10.0.1.2'
ip netns exec ns01 ip neigh show 10.0.1.2
echo '$ ip netns exec ns01 ip neigh del 10.0.1.50 dev veth1'
ip netns exec ns01 ip neigh del 10.0.1.50 dev veth1
echo '$ ip netns exec ns01 ip neigh | sort'
ip netns exec ns01 ip neigh | sort
echo '$ ip netns exec ns01 ip neigh del 10.0.1.77 dev veth1'
ip netns exec ns01 ip neigh del 10.0.1.77 dev veth1
echo "rc=$?"
echo '$ ip netns exec ns01 ip neigh flush dev veth1'
ip netns exec ns01 ip neigh flush dev veth1
echo '$ ip netns exec ns01 ip neigh | sort'
ip netns exec ns01 ip neigh | sort
echo '$ ip netns exec ns01 arp -an | sort'
ip netns exec ns01 arp -an | sort
echo '$ ip netns exec ns01 arp -d 10.0.1.60'
ip netns exec ns01 arp -d 10.0.1.60
echo '$ ip netns exec ns01 arp -an | sort'
ip netns exec ns01 arp -an | sort
echo '$ ip netns exec ns01 ip neigh add 10.0.1.70 lladdr 02:00:00:00:00:70 dev veth1 nud noarp'
ip netns exec ns01 ip neigh add 10.0.1.70 lladdr 02:00:00:00:00:70 dev veth1 nud noarp
echo '$ ip netns exec ns01 ip neigh flush all'
ip netns exec ns01 ip neigh flush all
echo '$ ip netns exec ns01 ip neigh | sort'
ip netns exec ns01 ip neigh | sort
