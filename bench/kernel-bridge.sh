#!/bin/bash
# Bridge forwarding side by side: 60-byte frames through veth -> bridge -> veth on the kernel
# (root; names start with pf; everything is deleted on exit) and in l2lab (the criterion bench
# fabric/benches/forwarding.rs), in the same run, known unicast and flooded to 3 ports.
#   sudo bench/kernel-bridge.sh [SECONDS]     (default 5 s per kernel case)
#
# Kernel side: an AF_PACKET sender in namespace pfa sends one frame per send() (ethertype
# 0x88b5) out of its veth as fast as it can; the other end is a port of bridge pfbr in
# namespace pfroot; counters in pfc1..pfc3 count what arrives on their veths. Known unicast
# goes to pfc1, whose MAC the bridge learned from one frame it sent first; the flood goes to
# a MAC nobody has, so the bridge floods it to the three counters. The sender and the
# counters are C, compiled here from the source below (cc), pinned: sender on CPU 0,
# counters on CPU 1 (the bridge runs in the sender's softirq, on CPU 0). Reported: frames
# sent per second by the one sending core, copies the bridge put out of its ports (the ports'
# tx counters), and frames the counters read (fewer when a counter cannot keep up).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}
[ "$(id -u)" = 0 ] || { echo "kernel-bridge.sh: needs root" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
    for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
    for ns in pfa pfc1 pfc2 pfc3 pfroot; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/pkt.c" <<'EOF'
/* send IFACE DSTMAC SECONDS: 60-byte frames, one send() each, for SECONDS; prints the count.
   count IFACE: counts frames of ethertype 0x88b5 until SIGTERM, then prints the count. */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_term(int s) { (void)s; stop = 1; }
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}
static int open_on(const char *ifname, unsigned char *mac) {
    int fd = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
    if (fd < 0) { perror("socket"); exit(1); }
    struct sockaddr_ll a = {0};
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(0x88b5);
    a.sll_ifindex = if_nametoindex(ifname);
    if (!a.sll_ifindex || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); exit(1); }
    struct ifreq r = {0};
    strncpy(r.ifr_name, ifname, IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFHWADDR, &r) < 0) { perror("SIOCGIFHWADDR"); exit(1); }
    memcpy(mac, r.ifr_hwaddr.sa_data, 6);
    return fd;
}
int main(int argc, char **argv) {
    unsigned char mac[6], f[60] = {0};
    if (argc == 4 && !strcmp(argv[0] + strlen(argv[0]) - 4, "send")) {
        int fd = open_on(argv[1], mac);
        unsigned int d[6];
        if (sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &d[0], &d[1], &d[2], &d[3], &d[4], &d[5]) != 6) return 2;
        for (int i = 0; i < 6; i++) f[i] = d[i];
        memcpy(f + 6, mac, 6);
        f[12] = 0x88; f[13] = 0xb5;
        double secs = atof(argv[3]), t0 = now(), t = t0;
        unsigned long n = 0;
        while (t - t0 < secs) {
            for (int i = 0; i < 256; i++)
                if (send(fd, f, sizeof f, 0) == sizeof f) n++;
            t = now();
        }
        printf("%lu %.6f\n", n, t - t0);
        return 0;
    }
    if (argc == 2) {
        int fd = open_on(argv[1], mac);
        struct sigaction sa = {0};
        sa.sa_handler = on_term;
        sigaction(SIGTERM, &sa, NULL);
        unsigned long n = 0;
        unsigned char buf[2048];
        while (!stop)
            if (recv(fd, buf, sizeof buf, 0) > 0) n++;
        printf("%lu\n", n);
        return 0;
    }
    fprintf(stderr, "usage: send IFACE DSTMAC SECONDS | count IFACE\n");
    return 2;
}
EOF
cc -O2 -o "$work/send" "$work/pkt.c"
ln -s send "$work/count"

# Topology: pfa -- pfva [pfbr] pfvcK -- pfcK (K = 1..3), the bridge in pfroot.
ip netns add pfroot
ip -n pfroot link add pfbr type bridge
ip -n pfroot link set pfbr up
for ns in pfa pfc1 pfc2 pfc3; do
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n pfroot link add "pfv${ns#pf}" type veth peer name veth0 netns "$ns"
    ip -n pfroot link set "pfv${ns#pf}" master pfbr up
    ip -n "$ns" link set veth0 up
done
ip netns exec pfroot sysctl -qw net.ipv6.conf.all.disable_ipv6=1
c1mac=$(ip -n pfc1 -br link show veth0 | awk '{print $3}')
# The bridge learns where pfc1 lives from one frame pfc1 sends.
ip netns exec pfc1 "$work/send" veth0 ff:ff:ff:ff:ff:ff 0.001 >/dev/null
sleep 0.5

# Frames the bridge sent out of the ports towards these namespaces (their tx counters).
tx_sum() {
    local s=0 c
    for c in "$@"; do
        s=$((s + $(ip netns exec pfroot cat "/sys/class/net/pfv${c#pf}/statistics/tx_packets")))
    done
    echo "$s"
}

kernel_case() { # NAME DSTMAC COUNTERS...
    local name=$1 dst=$2
    shift 2
    local pids=() c before after
    before=$(tx_sum "$@")
    for c in "$@"; do
        ip netns exec "$c" taskset -c 1 "$work/count" veth0 >"$work/$c.count" &
        pids+=($!)
    done
    sleep 0.3
    read -r sent secs < <(ip netns exec pfa taskset -c 0 "$work/send" veth0 "$dst" "$SECS")
    sleep 0.3
    for p in "${pids[@]}"; do kill -TERM "$p"; done
    wait "${pids[@]}" 2>/dev/null || true
    after=$(tx_sum "$@")
    local got=0
    for c in "$@"; do got=$((got + $(cat "$work/$c.count"))); done
    printf 'kernel %-24s %10.0f frames/s sent (one core), %10.0f copies/s out of the bridge ports, %10.0f frames/s read by %d counter(s) (%d sent in %.2f s)\n' \
        "$name" "$(echo "$sent / $secs" | bc -l)" "$(echo "($after - $before) / $secs" | bc -l)" \
        "$(echo "$got / $secs" | bc -l)" "$#" "$sent" "$secs"
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
kernel_case known_unicast_60B "$c1mac" pfc1
kernel_case flood_to_3_ports_60B 02:00:00:00:ee:ee pfc1 pfc2 pfc3
# l2lab, same run: criterion's median (estimates.json) of the in-process bench.
cargo bench -q -p l2lab-fabric --bench forwarding -- --warm-up-time 2 --measurement-time 5 >/dev/null 2>&1
target=${CARGO_TARGET_DIR:-target}
for b in known_unicast_60B flood_to_3_ports_60B; do
    python3 - "$target/criterion/bridge_forwarding/$b/new/estimates.json" "$b" <<'PY'
import json, sys
ns = json.load(open(sys.argv[1]))["median"]["point_estimate"]
print(f"l2lab  {sys.argv[2]:<24} {1000 / ns * 1e9:10.0f} frames/s (criterion median, 1000 frames per {ns / 1e3:.1f} us)")
PY
done
