#!/bin/bash
# bridge monitor link on a loop: two bridges joined twice with STP on (forward_delay 4 s).
# Every port listens; br1's second port to the root blocks when br0's BPDUs arrive; the
# others learn and forward. Then the root's port a0 goes down and b1 takes over.
ip link add br0 type bridge
ip link add br1 type bridge
ip link set br0 type bridge forward_delay 400 stp_state 1
ip link set br1 type bridge forward_delay 400 stp_state 1
ip link add a0 address 02:00:00:00:00:a0 type veth peer name b0 address 02:00:00:00:00:b0
ip link add a1 address 02:00:00:00:00:a1 type veth peer name b1 address 02:00:00:00:00:b1
ip link set a0 master br0
ip link set a1 master br0
ip link set b0 master br1
ip link set b1 master br1
bridge monitor link > mon.txt &
sleep 0.5
for l in a0 a1 b0 b1 br0; do ip link set $l up; done
# A second apart, so that the two bridges' forward_delay timers never share a tick of the
# kernel's timer wheel (which runs the newest first): the order of the lines is then fixed.
sleep 1
ip link set br1 up
sleep 11
echo '$ bridge link'
bridge link
ip link set a0 down
sleep 10
kill %1
wait
echo '$ bridge link'
bridge link
# Only the bridges' own port notifications carry a port state; rtnetlink's generic link
# notifications (every flag change of every device), which the lab does not model, are
# filtered out.
grep ' state ' mon.txt
