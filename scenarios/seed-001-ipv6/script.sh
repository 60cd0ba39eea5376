#!/bin/bash
# The 001 seed tutorial's whole command sequence, on a host with an uplink (eth0) as the
# page's: its interactive shells as `bash <<EOF` blocks, `tcpdump` with -c, inode numbers and
# IP header ids shown as N and ID, `arp -n` sorted. Pings fail where the page says: 114.114.114.114 until the
# host forwards and MASQUERADEs.
ipid() { sed -E 's/, id [0-9]+, offset/, id ID, offset/'; }
echo '## 创建 Network namespace'
readlink /proc/$$/ns/net | sed -E 's/[0-9]+/N/'
ip addr
ip netns add js
# `ll` is an interactive shell's alias: bash names the script in its error, which has no
# place in a transcript.
{ ll /var/run/netns/; } 2>&1 | sed -E 's/^.*script\.sh: line [0-9]+: //'
ip netns exec js bash <<'EOF'
readlink /proc/$$/ns/net | sed -E 's/[0-9]+/N/'
ip addr
ip link set lo up
ip a
ping 127.0.0.1 -c 5
ip netns ls
ip netns del js
ip netns ls
exit
EOF
ip netns del js
ip netns ls

echo '## 在两个 Network namespace 之间通信'
ip netns add net1
ip netns add net2
ip netns ls
ip link add veth1 type veth peer name veth2
ip link ls
ip addr
ip link set veth1 netns net1
ip link set veth2 netns net2
ip netns exec net1 ip addr
ip netns exec net2 ip addr
ip link ls
ip netns exec net1 bash <<'EOF'
ip link set veth1 up
ip link ls
ip addr
ip addr add 10.0.1.1/24 dev veth1
ip addr
ip route
EOF
ip netns exec net2 bash <<'EOF'
ip link set veth2 up
ip link ls
ip addr
ip addr add 10.0.1.2/24 dev veth2
ip addr
ip route
EOF
ip netns exec net1 ping -c 3 10.0.1.2
ip netns exec net2 ping -c 3 10.0.1.1
ip net del net2
ip net del net1

echo '## 通过 bridge 连接 Network namespace'
ip link add js type bridge
ip link
ip addr add 10.0.1.0/24 dev js
ip link set dev js up
ip netns add net1
ip link add veth1 type veth peer name veth1p
ip link set dev veth1p netns net1
ip netns exec net1 bash <<'EOF'
ip addr
ip link set dev veth1p name eth1
ip addr add 10.0.1.1/24 dev eth1
ip addr
ip link set dev eth1 up
ip addr
EOF
ip link set dev veth1 master js
ip link set dev veth1 master js
bridge link
ip link set dev veth1 up
bridge link
ip addr
ip netns add net2
ip link add veth2 type veth peer name veth2p
ip link set dev veth2p netns net2
ip netns exec net2 bash <<'EOF'
ip addr
ip link set dev veth2p name eth2
ip addr add 10.0.1.2/24 dev eth2
ip addr
ip link set dev eth2 up
ip addr
EOF
ip link set dev veth2 master js
bridge link
ip link set dev veth2 up
bridge link
# js now takes the smaller of its two ports' random MACs: which one changes every run.
ip addr | grep -v link/ether
sleep 1
ip netns exec net1 ping -c 3 10.0.1.2
ip netns exec net2 ping -c 3 10.0.1.1
ping -c 3 10.0.1.1
ping -c 3 10.0.1.2

echo '## namespace 通过网桥与外网互通'
brctl addbr br01
ip link set dev br01 up
ifconfig br01 up
ifconfig br01 192.168.88.1/24 up
ip netns add ns01
ip netns add ns02
ip link add veth01 type veth peer name br-veth01
ip link add veth02 type veth peer name br-veth02
brctl addif br01 br-veth01
brctl addif br01 br-veth02
brctl show br01
ip link set dev br-veth01 up
ip link set dev br-veth02 up
ip link set veth01 netns ns01
ip link set veth02 netns ns02
ip netns exec ns01 ip addr
ip netns exec ns01 ip link set dev veth01 up
ip netns exec ns01 ifconfig veth01 192.168.88.11/24 up
ip netns exec ns01 ip route add default via 192.168.88.1
ip netns exec ns02 ip link set dev veth02 up
ip netns exec ns02 ifconfig veth02 192.168.88.12/24 up
ip netns exec ns02 ip route add default via 192.168.88.1
ip netns exec ns02 ifconfig veth02 | grep -v 'packets\|errors'
sleep 1
tcpdump -i br01 -nn -c 4 >br01-1.txt 2>/dev/null &
sleep 1
ip netns exec ns01 ping 192.168.88.12 -c 1
ip netns exec ns01 ping 192.168.88.1 -c 1
wait
cat br01-1.txt
# The kernel lists its ARP table in hash order, which changes every run.
ip netns exec ns01 arp -n | (read -r h; echo "$h"; sort)
ip link show br01
ip netns exec ns02 ping 114.114.114.114 -c 1
echo "rc=$?"
tcpdump -i br01 -nn -vv -c 1 host 114.114.114.114 >br01-2.txt 2>/dev/null &
sleep 1
ip netns exec ns02 ping 114.114.114.114 -c 1
wait
ipid <br01-2.txt
sysctl -w net.ipv4.conf.all.forwarding=1
tcpdump -i eth0 -nn -vv -c 1 host 114.114.114.114 >eth0-1.txt 2>/dev/null &
sleep 1
ip netns exec ns02 ping 114.114.114.114 -c 1
echo "rc=$?"
wait
ipid <eth0-1.txt
iptables -t nat -A POSTROUTING -s 192.168.88.0/24 -j MASQUERADE
iptables -t nat -nL --line-number
tcpdump -i eth0 -nn -vv -c 2 host 114.114.114.114 >eth0-2.txt 2>/dev/null &
tcpdump -i br01 -nn -vv -c 2 icmp >br01-3.txt 2>/dev/null &
sleep 1
ip netns exec ns02 ping 114.114.114.114 -c 1
echo "rc=$?"
wait
ipid <eth0-2.txt
ipid <br01-3.txt
ip netns del ns01
ip netns del ns02
ifconfig br01 down
brctl delbr br01
iptables -t nat -D POSTROUTING -s 192.168.88.0/24 -j MASQUERADE
echo "rc=$?"
