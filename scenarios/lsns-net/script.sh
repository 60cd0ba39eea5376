#!/bin/bash
# lsns -t net: namespaces with their processes, names and ids. Inode numbers and the pid of the
# first process (the lab's own init, the kernel's recorder) differ every run, so the script
# prints the columns that do not, and compares the rest.
ip netns add a1
ip netns exec a1 sleep 1000 &
unshare -n sleep 1000 &
p=$!
sleep 1
ip netns attach a2 $p
lsns -t net -o NS,TYPE,NPROCS,USER,NETNSID,NSFS | sed -E 's/40265[0-9]{5}/NSINODE___/'
lsns --type=net --noheadings -o NPROCS,NSFS
lsns -t net -n -r -o TYPE,NPROCS,NSFS
lsns -t net -J -o type,nprocs,nsfs
lsns -t nosuch; echo "rc=$?"
lsns -t net -p $p -o NSFS,COMMAND
[ "$(lsns -t net -p $p -o PID -n)" -eq "$p" ] && echo "the first process of a2 is the sleep"
ip link add v0 type veth peer name v1 netns a1
lsns -t net -o NETNSID,NSFS
kill %1 %2
wait
lsns -t net -o NPROCS,NSFS
ip netns del a1
ip netns del a2
