#!/usr/bin/env python3
"""Writes a trace of one bridge learning N distinct MACs on four ports, one event each:
the trace bench/viz-macs.sh and bench/viz-viewer.sh draw.
    bench/macs-trace.py N FILE"""
import sys

n, path = int(sys.argv[1]), sys.argv[2]
br = '{"id":1,"name":"br0","ns":""}'
with open(path, "w") as f:
    f.write('{"type":"header","schema":"l2lab-trace","version":1}\n')
    for i in range(n):
        mac = "02:00:%02x:%02x:%02x:%02x" % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255)
        p = 2 + i % 4
        f.write('{"t":%.6f,"type":"learned","bridge":%s,"mac":"%s","port":{"id":%d,"name":"p%d","ns":""}}\n'
                % (i * 1e-4, br, mac, p, p))
