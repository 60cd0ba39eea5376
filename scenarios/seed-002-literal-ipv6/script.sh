#!/bin/bash
# The 002 seed tutorial's commands exactly in the order the page gives them, its two shells as
# `&` jobs (shell 1's `unshare -n bash` waits as `unshare -n sleep`), `ping` with -c and -W so
# that it ends, and the inode numbers compared instead of printed. Read in order, the page
# deletes netns1 before using it and names its bind mount netns1 but lists ns1: the kernel's
# answers to that are what this records (seed-002-netns runs the page as it means it).
ip netns add netns1
ip netns delete netns1
ip netns exec netns1 ip link list

ip link add veth0 type veth peer name veth1
ip link set veth1 netns netns1
ip netns exec netns1 ifconfig veth1 10.1.1.1/24 up
ifconfig veth0 10.1.1.2/24 up
ping -c 1 -W 1 10.1.1.1
ping -c 1 -W 1 10.1.1.2

root_ns=$(readlink /proc/$$/ns/net)
echo "$root_ns" | sed -E 's/[0-9]+/N/'

unshare -n sleep 1000 &
pid=$!
sleep 1
cd /run/netns
ls -i ns1
touch /var/run/netns/netns1
mount --bind /proc/$pid/ns/net /var/run/netns/netns1
mount | grep -E "^nsfs on /run/netns/(netns1|ns1) "
kill %1
wait
ls -i ns1
nsenter --net=./ns1 bash -c 'ip link'
umount ./netns1
ip netns list
