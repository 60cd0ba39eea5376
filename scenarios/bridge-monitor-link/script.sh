#!/bin/bash
# bridge monitor link with STP on: the bridge's notifications for its ports (br_ifinfo_notify)
# as a port joins, comes up, waits out forward_delay (4 s) in listening and learning, and
# forwards; a port whose peer is up already; a port going down and one leaving.
ip link add br0 type bridge
ip link set br0 type bridge forward_delay 400 stp_state 1
ip link add v1 type veth peer name e1
ip link add v2 type veth peer name e2
ip link add v3 type veth peer name e3
ip link set e3 up
bridge monitor link > mon.txt &
sleep 0.5
echo "== v1 joins br0, comes up, its peer too, then br0"
ip link set v1 master br0
ip link set v1 up
ip link set e1 up
ip link set br0 up
sleep 10
echo "== v2 joins the running bridge"
ip link set v2 master br0
ip link set v2 up
ip link set e2 up
sleep 1
echo "== v3 comes up with its peer up"
ip link set v3 master br0
ip link set v3 up
sleep 1
echo "== v1 down, v2 leaves"
ip link set v1 down
sleep 1
ip link set v2 nomaster
sleep 1
kill %1
wait
bridge link
# Only the bridge's own port notifications carry a port state. The rest of what the monitor
# prints are rtnetlink's generic link notifications (every flag change of every device, and
# RTM_DELLINK), which the lab does not model: filtered out.
grep ' state ' mon.txt
