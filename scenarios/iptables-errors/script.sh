#!/bin/bash
# iptables' refusals, their messages and exit codes.
run() { echo "\$ $*"; "$@"; echo "rc=$?"; }
run iptables -t nat -D POSTROUTING -s 192.168.88.0/24 -j MASQUERADE
run iptables -t nat -D POSTROUTING 5
run iptables -t nat -A FOO -j MASQUERADE
run iptables -t nat -L FOO
run iptables -t nat -A POSTROUTING -j DROP
run iptables -t nat -A PREROUTING -j MASQUERADE
run iptables -t nat -A POSTROUTING -j DNAT --to-destination 10.0.0.1
run iptables -t nat -A POSTROUTING -j SNAT
run iptables -t nat -A PREROUTING -j DNAT
run iptables -t nat -A POSTROUTING -s 300.1.1.1 -j MASQUERADE
run iptables -t nat -A POSTROUTING -s 10.0.0.0/33 -j MASQUERADE
run iptables -t nat -A POSTROUTING -j SNAT --to-source bad
run iptables -t nat -A POSTROUTING -j NOSUCHTARGET
run iptables -t nat -A POSTROUTING -p nosuch -j MASQUERADE
run iptables -t nat -A POSTROUTING
run iptables -t nat -A
run iptables -t nat -I POSTROUTING 3 -j MASQUERADE
run iptables -t nat -I POSTROUTING 0 -j MASQUERADE
run iptables -t foo -L
run iptables -t nat -Q
run iptables
run iptables -t nat -L -S
run iptables -t nat -A POSTROUTING -s 1.1.1.1 -s 2.2.2.2 -j MASQUERADE
run iptables -t nat -D POSTROUTING
run iptables -t nat -L POSTROUTING x
run iptables -t nat -P POSTROUTING FOO
run iptables -t nat -A POSTROUTING -o -j MASQUERADE
run iptables -t nat -nL
