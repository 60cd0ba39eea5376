#!/bin/bash
# bridge monitor fdb: watch the bridge learn, move a MAC to another port, flush a port that
# goes down, age entries out (ageing_time 5 s), and forget a deleted port, line by line. The
# ports' MACs are set: the bridge takes the lowest as its own (v2's here), and which port
# has it decides what the events say (bridge-monitor-fdb-own-mac: the deleted port's).
ip link add br0 type bridge ageing_time 500
ip netns add h1
ip netns add h2
ip netns add h3
ip link add v1 address 02:00:00:00:01:03 type veth peer name e1 netns h1
ip link add v2 address 02:00:00:00:01:01 type veth peer name e2 netns h2
ip link add v3 address 02:00:00:00:01:02 type veth peer name e3 netns h3
bridge monitor fdb > mon.txt &
sleep 0.5
for i in 1 2 3; do
  ip link set v$i master br0
  ip link set v$i up
  ip -n h$i link set e$i up
  ip -n h$i addr add 10.1.0.$i/24 dev e$i
done
ip link set br0 up
sleep 1
ip netns exec h1 ping -c 1 10.1.0.2 > /dev/null
echo "== h3 takes h2's address and MAC"
mac2=$(ip -n h2 -br link show e2 | awk '{print $3}')
ip -n h2 link set e2 down
ip -n h3 link set e3 address 02:00:00:00:00:33
ip -n h3 link set e3 address "$mac2"
ip -n h3 addr add 10.1.0.22/24 dev e3
ip netns exec h3 ping -c 1 10.1.0.1 > /dev/null
sleep 7
echo "== v1 down"
ip link set v1 down
sleep 0.5
echo "== v3 deleted"
ip link del v3
sleep 0.5
kill %1
wait
cat mon.txt
