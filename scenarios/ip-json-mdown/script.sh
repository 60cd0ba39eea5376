# ip -j link and ip -j addr carry M-DOWN in their flags, as the text forms do, when a veth's
# peer is down (also when the device itself is up without carrier); it goes when the peer
# comes up. The MACs are fixed.
ip link add v1 type veth peer name v2
ip link set v1 address 02:00:00:00:00:01
ip link set v2 address 02:00:00:00:00:02
ip -j link show v1
ip -j addr show dev v1
ip link set v1 up
ip -j link show v1
ip -j -p addr show dev v1
ip link show v1
ip link set v2 up
sleep 1
ip -j link show v1
ip link del v1
