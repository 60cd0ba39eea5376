#!/bin/bash
# Two bridges joined twice make a loop. With STP on in both, the bridge with the lower id
# (the same priority, the lower address) becomes root, the other's second port to it
# blocks, and after twice forward_delay the rest forward: hosts on either side reach each
# other without a broadcast storm. Timer values in showstp change every run: masked.
mask() { sed -E '/timer/s/ +[0-9]+\.[0-9]{2}\b/ T/g'; }
ip link add br0 type bridge
ip link add br1 type bridge
ip link add a0 address 02:00:00:00:00:a0 type veth peer name b0 address 02:00:00:00:00:b0
ip link add a1 address 02:00:00:00:00:a1 type veth peer name b1 address 02:00:00:00:00:b1
ip link set a0 master br0
ip link set a1 master br0
ip link set b0 master br1
ip link set b1 master br1
ip netns add red
ip netns add blue
ip link add eth0 address 02:00:00:00:00:01 type veth peer name red0 address 02:00:00:00:00:e1
ip link set eth0 netns red
ip link add eth0 address 02:00:00:00:00:02 type veth peer name blue0 address 02:00:00:00:00:e2
ip link set eth0 netns blue
ip link set red0 master br0
ip link set blue0 master br1
ip netns exec red ip addr add 10.0.0.1/24 dev eth0
ip netns exec blue ip addr add 10.0.0.2/24 dev eth0
ip netns exec red ip link set eth0 up
ip netns exec blue ip link set eth0 up
echo '$ ip link set br0 type bridge stp_state 1'
ip link set br0 type bridge stp_state 1
echo '$ brctl stp br1 on'
brctl stp br1 on
for l in a0 a1 b0 b1 red0 blue0 br0 br1; do ip link set $l up; done
echo '$ bridge link'
bridge link
sleep 6
echo '$ bridge link   # 6 s later'
bridge link
sleep 30
echo '$ bridge link   # 36 s later'
bridge link
echo '$ brctl show'
brctl show
echo '$ brctl showstp br0'
brctl showstp br0 | mask
echo '$ brctl showstp br1'
brctl showstp br1 | mask
echo '$ bridge -d link show dev b1'
bridge -d link show dev b1
echo '$ ip -d link show br1 | grep -o "stp_state.*topology_change_detected [01]"'
ip -d link show br1 | grep -o "stp_state.*topology_change_detected [01]"
echo '$ ip -d link show b0 | grep -o "bridge_slave.*config_pending [01]"'
ip -d link show b0 | grep -o "bridge_slave.*config_pending [01]" | sed -E 's/timer +[0-9]+\.[0-9]+/timer T/g'
echo '$ tcpdump -c 3 -n -i b0 -w bpdu.pcap'
tcpdump -c 3 -n -i b0 -w bpdu.pcap 2>/dev/null
echo '$ tcpdump -n -r bpdu.pcap'
tcpdump -n -r bpdu.pcap 2>/dev/null
echo '$ tcpdump -v -e -n -r bpdu.pcap'
tcpdump -v -e -n -r bpdu.pcap 2>/dev/null | head -3
echo '$ ip netns exec red ping -c 3 10.0.0.2'
ip netns exec red ping -c 3 10.0.0.2
echo "rc=$?"
