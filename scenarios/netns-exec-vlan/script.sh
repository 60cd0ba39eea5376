#!/bin/bash
# `ip netns exec NS CMD` when CMD cannot be run: iproute2's cmd_exec says so and exits 1.
# `bridge vlan show` on a bridge without VLAN filtering: its ports hold no VLAN entries, so
# only the header prints; -d asks for the per-VLAN dump, which such a bridge refuses.
ip netns add ns01
echo '$ ip netns exec ns01 nosuchcmd'
ip netns exec ns01 nosuchcmd
echo "rc=$?"
echo '$ ip netns exec ns01 /nonexistent/cmd arg'
ip netns exec ns01 /nonexistent/cmd arg
echo "rc=$?"
echo '$ ip netns exec nosuchns true'
ip netns exec nosuchns true
echo "rc=$?"
ip link add br0 type bridge
ip link add veth1 type veth peer name port1
ip link set port1 master br0
ip link set br0 up
ip link set port1 up
for cmd in "vlan show" "vlan" "vlan show dev port1" "vlan show dev veth1" "vlan show br0" \
           "-j vlan show" "-j -p vlan show" "-d vlan show" "vlan show dev nosuch" \
           "vlan show dev" "vlan show dev port1 dev br0" "vlan help" "vlan foo"; do
  echo "\$ bridge $cmd"
  bridge $cmd
  echo "rc=$?"
done
