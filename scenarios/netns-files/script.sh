#!/bin/bash
# Namespaces as files: unshare -n, mount --bind onto /run/netns, nsenter by file and by pid,
# ip netns attach/identify/pids, ip link set ... netns PID, umount, and the lifetime rule (a
# namespace with no name and no process goes away, and with it a veth's far end).
ip netns add a1
ip netns identify
ip netns exec a1 sh -c 'ip netns identify; ip netns identify $$'
unshare -n sleep 1000 &
p=$!
sleep 1
touch /var/run/netns/n2
ip netns list
mount --bind /proc/$p/ns/net /var/run/netns/n2; echo "rc=$?"
ip netns list
mount | grep -E "^nsfs on /run/netns/(a1|n2) "
[ "$(ip netns pids n2)" = "$p" ] && echo "pids n2: the sleep"
ip netns identify $p
ip netns pids a1; echo "rc=$?"
ip netns pids nosuch; echo "rc=$?"
ip netns identify 99999; echo "rc=$?"
ip netns identify abc; echo "rc=$?"
ip netns attach a1 $$; echo "rc=$?"
ip netns attach a4 99999; echo "rc=$?"
ip link add v0 type veth peer name v1
ip link set v1 netns $p; echo "rc=$?"
nsenter -t $p -n ip -br link
umount /var/run/netns/n2; echo "rc=$?"
umount /var/run/netns/n2; echo "rc=$?"
ip netns list
nsenter --net=/var/run/netns/a1 ip netns identify; echo "rc=$?"
nsenter --net=/var/run/netns/nosuch true; echo "rc=$?"
nsenter -t 99999 -n true; echo "rc=$?"
nsenter --net=/var/run/netns/n2 true; echo "rc=$?"
mount --bind /proc/$p/ns/net /var/run/netns/nofile; echo "rc=$?"
mount --bind /proc/99999/ns/net /var/run/netns/n2; echo "rc=$?"
unshare -n ip -br link; echo "rc=$?"
unshare --net ip netns identify; echo "rc=$?"
unshare -n nosuchcmd; echo "rc=$?"
ls -l /var/run/netns | cut -c1-10
ip -br link
kill $p; wait
sleep 1
ip -br link
ip netns del a1
