# IPv6 on (options: --ipv6): `ip neigh` with both families. The kernel dumps the ARP table,
# then neighbour discovery's; `-4`/`-6` pick one; an address or prefix must be of the family
# asked for. `router` marks an IPv6 entry (NTF_ROUTER). Entries of one family are listed in
# the order of the kernel's hash buckets, random per boot: each listing here holds at most
# one entry per family, or is filtered down to one. /proc/net/arp and `arp` show ARP's only.
ip link add v6a type veth peer name v6b
ip link set v6a up
ip link set v6b up
ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev v6a
ip -6 neigh add 2001:db8::9 lladdr 02:00:00:00:00:09 dev v6a router
echo "== both"
ip neigh
ip neigh show dev v6a
ip -j neigh show dev v6a
cat /proc/net/arp
arp -n
echo "== one family"
ip -4 neigh
ip -6 neigh
ip neigh add fe80::7 lladdr 02:00:00:00:00:07 dev v6b nud stale
ip -6 neigh show dev v6b
ip -6 neigh show nud permanent
ip -j -6 neigh show dev v6a nud permanent
ip -6 neigh show 2001:db8::/64
ip neigh show to fe80::/10
ip neigh show to 10.0.0.0/8
ip neigh get fe80::7 dev v6b
echo "== wrong family"
ip -6 neigh show to 10.0.0.0/8; echo rc=$?
ip -6 neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev v6a; echo rc=$?
ip -4 neigh add fe80::5 lladdr 02:00:00:00:00:07 dev v6a; echo rc=$?
ip -4 neigh get fe80::7 dev v6b; echo rc=$?
echo "== del and flush"
ip neigh del fe80::7 dev v6b; echo rc=$?
ip neigh del fe80::7 dev v6b; echo rc=$?
ip neigh add fe80::7 lladdr 02:00:00:00:00:07 dev v6b nud stale
ip -6 neigh flush all; echo rc=$?
ip neigh
ip -6 neigh flush dev v6a nud all; echo rc=$?
ip neigh
ip link del v6a
