# `ip -s -s link`'s transns: how often the device's carrier bit flipped. A veth drops it
# when made, and flips it as both ends come up and either goes down; a bridge keeps it
# until its first port, then has it while a port forwards (also through its own down/up);
# lo never changes.
t() {
  for d in "$@"; do
    printf '%s=%s ' "$d" "$(ip -s -s link show "$d" | tail -1 | awk '{print $5}')"
  done
  echo
}
ip link add va type veth peer name vb
t va vb
ip link set va up
t va vb
ip link set vb up
t va vb
ip link set va down
t va vb
ip link set va up
t va vb
ip link set vb down
t va vb
ip link add br0 type bridge
t br0
ip link set br0 up
t br0
ip link set vb master br0
t br0
ip link set vb up
sleep 1
t br0 vb
ip link set br0 down
t br0
ip link set br0 up
t br0
ip link set vb down
t br0 va
ip link set lo down
t lo
ip link set lo up
t lo
ip -s -s link show dev va | tail -2
ip -s -s -j link show dev va | grep -o "\"carrier_changes\":[0-9]*"
ip -s -s -j link show dev va | grep -o "\"rx\":{[^}]*}" | sed -E "s/[0-9]+/N/g"
ip link del va
ip link del br0
