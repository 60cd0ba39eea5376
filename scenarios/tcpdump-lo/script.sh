#!/bin/bash
# A capture on lo (and on any) shows each local packet once: libpcap drops the outgoing copy
# it also sees coming back in.
tcpdump -i lo -nn -c 4 > lo.txt 2>/dev/null &
sleep 1
ping -c 2 -i 0.2 127.0.0.1 > /dev/null
wait
cat lo.txt
tcpdump -i any -nn -c 4 icmp > any.txt 2>/dev/null &
sleep 1
ping -c 2 -i 0.2 127.0.0.1 > /dev/null
wait
cat any.txt
