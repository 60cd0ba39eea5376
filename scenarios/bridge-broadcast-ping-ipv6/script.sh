#!/bin/bash
# A bridge floods to its ports newest first (br_add_if adds a port at the head of the
# bridge's list, br_flood walks it from there): the replies to a broadcast ping come back
# from the last host added first. Each host answers from its own address, never from the
# broadcast address (icmp_reply uses fib_compute_spec_dst), and ping marks the second and
# later replies to one request "(DUP!)" only with -v, as a broadcast ping's are expected.
ip link add br0 type bridge
ip link set dev br0 up
ip addr add 192.168.88.1/24 brd + dev br0
for i in 1 2 3; do
  ip netns add ns0$i
  ip link add veth0$i type veth peer name br-veth0$i
  ip link set br-veth0$i master br0
  ip link set dev br-veth0$i up
  ip link set veth0$i netns ns0$i
  ip netns exec ns0$i ip link set dev veth0$i up
  ip netns exec ns0$i ip addr add 192.168.88.1$i/24 brd + dev veth0$i
  ip netns exec ns0$i sysctl -q -w net.ipv4.icmp_echo_ignore_broadcasts=0
done
sleep 2
echo '$ ping -b -c 2 -i 0.5 192.168.88.255'
ping -b -c 2 -i 0.5 192.168.88.255
echo "rc=$?"
# ident is ping's pid on the kernel: it changes from run to run.
echo '$ ping -v -b -c 2 -i 0.5 192.168.88.255'
ping -v -b -c 2 -i 0.5 192.168.88.255 | sed -E 's/ident=[0-9]+/ident=ID/'
echo "rc=${PIPESTATUS[0]}"
echo '$ ip netns exec ns02 tcpdump -i veth02 -nn -w ns02.pcap icmp &'
ip netns exec ns02 tcpdump -i veth02 -nn -w ns02.pcap icmp 2>/dev/null &
sleep 1
echo '$ ip netns exec ns02 ping -b -c 1 192.168.88.255'
ip netns exec ns02 ping -b -c 1 192.168.88.255
echo "rc=$?"
sleep 1
kill %1
wait
echo '$ ip netns exec ns02 tcpdump -nn -r ns02.pcap icmp'
ip netns exec ns02 tcpdump -nn -r ns02.pcap icmp
