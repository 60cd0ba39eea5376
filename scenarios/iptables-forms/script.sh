#!/bin/bash
# iptables' listing forms (iptables 1.8, nf_tables backend): -L, -nL, --line-numbers, -v, -S,
# one chain, insert and delete by number and by rule, flush.
run() { echo "\$ $*"; "$@"; echo "rc=$?"; }
run iptables -L
run iptables -t nat -L
run iptables -t nat -A POSTROUTING -s 192.168.88.0/24 -j MASQUERADE
run iptables -t nat -A POSTROUTING -s 10.1.0.0/16 ! -d 10.1.0.0/16 -o eth0 -j SNAT --to-source 10.0.2.15
run iptables -t nat -A PREROUTING -d 10.0.2.15 -p icmp -j DNAT --to-destination 192.168.88.11
run iptables -t nat -I POSTROUTING 1 -o br0 -j ACCEPT
run iptables -t nat -A POSTROUTING ! -o lo -p udp -s 10.2.0.0/255.255.0.0 -j MASQUERADE
run iptables -t nat -A OUTPUT -p tcp -d 10.3.3.3/32 -j DNAT --to-destination 10.4.4.4
run iptables -t nat -A POSTROUTING -i br0 -j RETURN
run iptables -t nat -L
run iptables -t nat -nL
run iptables -t nat -L -n --line-numbers
run iptables -t nat -nvL
run iptables -t nat -L -v
run iptables -t nat -nvL --line-numbers
run iptables -t nat -nvxL POSTROUTING
run iptables -t nat -S
run iptables -t nat -S POSTROUTING
run iptables -t nat -L POSTROUTING -n
run iptables -t nat -L POSTROUTING 2 -n
run iptables -t nat -S POSTROUTING 3
run iptables -t nat -D POSTROUTING -s 192.168.88.0/24 -j MASQUERADE
run iptables -t nat -D POSTROUTING 1
run iptables -t nat -nL POSTROUTING --line-numbers
run iptables -t nat --flush POSTROUTING
run iptables -t nat -S
run iptables -t nat -F
run iptables -t nat --list-rules
run iptables -S
run iptables -nvL --line-numbers
run iptables --table nat --append POSTROUTING --source 192.168.88.0/24 --jump MASQUERADE
run iptables -t nat --list --numeric
run iptables -t nat -Z
run iptables -t nat -L -nv
