#!/bin/bash
# The 002 seed tutorial ("Network namespaces"), its commands in order. Changes: its two
# interactive shells are `&` jobs (`unshare -n bash` in shell 1 becomes `unshare -n sleep`,
# shell 2's steps run here); pings get -c; `ip netns delete netns1` of the first block runs
# after the namespace's use; the second part names its namespace ns1 throughout, as the
# tutorial's own listings do; inode numbers, which differ every run, are compared rather than
# printed.
ip netns add netns1
ip netns exec netns1 ip link list

ip link add veth0 type veth peer name veth1
ip link set veth1 netns netns1
ip netns exec netns1 ifconfig veth1 10.1.1.1/24 up
ifconfig veth0 10.1.1.2/24 up
ping -c 1 10.1.1.1
ip netns exec netns1 ping -c 2 10.1.1.2
ip netns delete netns1

# The root namespace's inode.
root_ns=$(readlink /proc/$$/ns/net)
echo "$root_ns" | sed -E 's/[0-9]+/N/'

# Shell 1: into a new network namespace.
unshare -n sleep 1000 &
pid=$!
sleep 1
[ "$(readlink /proc/$pid/ns/net)" != "$root_ns" ] && echo "shell 1 is in another namespace"

# Shell 2.
cd /run/netns
touch /var/run/netns/ns1
mount --bind /proc/$pid/ns/net /var/run/netns/ns1
mount | grep -E "^nsfs on /run/netns/(ns1) "
ip netns list
ino=$(ls -i ns1 | cut -d' ' -f1)
[ "net:[$ino]" = "$(readlink /proc/$pid/ns/net)" ] && echo "ns1 is shell 1's namespace"

# Shell 1 exits; the bind mount keeps the namespace.
kill %1
wait
[ "$(ls -i ns1 | cut -d' ' -f1)" = "$ino" ] && echo "ns1 still has inode of shell 1's namespace"

# Back in.
nsenter --net=./ns1 ip link
nsenter --net=./ns1 ip netns identify

umount ./ns1
ip netns list
ls -l /var/run/netns | cut -c1-10
