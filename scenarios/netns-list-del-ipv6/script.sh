#!/bin/bash
# ip netns add / list / ls / del, and the short forms the seeds use.
echo '$ ip netns'
ip netns
echo '$ ip netns add net1'
ip netns add net1
echo '$ ip netns add net2'
ip netns add net2
echo '$ ip netns'
ip netns
echo '$ ip netns ls'
ip netns ls
echo '$ ip netns list'
ip netns list
echo '$ ip netns add js'
ip netns add js
echo '$ ip netns ls'
ip netns ls
echo '$ ip netns del js'
ip netns del js
echo '$ ip netns ls'
ip netns ls
echo '$ ip netns add netns1'
ip netns add netns1
echo '$ ip netns exec netns1 ip link list'
ip netns exec netns1 ip link list
echo '$ ip netns delete netns1'
ip netns delete netns1
echo '$ ip net del net2'
ip net del net2
echo '$ ip net del net1'
ip net del net1
echo '$ ip netns'
ip netns
echo "rc=$?"
echo '$ ip netns list'
ip netns list
