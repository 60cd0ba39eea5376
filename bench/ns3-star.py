#!/usr/bin/env python3
"""The ns-3 side of the virtual-time comparison: N hosts on one BridgeNetDevice over CSMA links
(one link per host to the bridge node), hosts 1..N-1 each pinging host 0 COUNT times at 1 s
intervals. Prints the wall time of building and running the simulation.
    python3 bench/ns3-star.py [N] [COUNT]      (needs `pip install ns3`)
l2lab's side: `cargo bench -p l2lab-sim --bench scale -- star N COUNT`; bench/ns3-compare.sh
runs both."""
import sys
import time

t0 = time.time()
from ns import ns  # noqa: E402  (importing the bindings takes seconds: timed apart)

t_import = time.time() - t0
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10

t0 = time.time()
hosts = ns.NodeContainer()
hosts.Create(n)
switch = ns.NodeContainer()
switch.Create(1)
csma = ns.CsmaHelper()
csma.SetChannelAttribute("DataRate", ns.StringValue("10Gbps"))
csma.SetChannelAttribute("Delay", ns.TimeValue(ns.MicroSeconds(1)))
host_devs = ns.NetDeviceContainer()
switch_devs = ns.NetDeviceContainer()
for i in range(n):
    pair = ns.NodeContainer()
    pair.Add(hosts.Get(i))
    pair.Add(switch.Get(0))
    link = csma.Install(pair)
    host_devs.Add(link.Get(0))
    switch_devs.Add(link.Get(1))
ns.BridgeHelper().Install(switch.Get(0), switch_devs)
ns.InternetStackHelper().Install(hosts)
addrs = ns.Ipv4AddressHelper()
addrs.SetBase(ns.Ipv4Address("10.0.0.0"), ns.Ipv4Mask("255.255.0.0"))
ifaces = addrs.Assign(host_devs)
target = ifaces.GetAddress(0).ConvertTo()
for i in range(1, n):
    ping = ns.PingHelper(target)
    ping.SetAttribute("Count", ns.UintegerValue(count))
    ping.SetAttribute("Interval", ns.TimeValue(ns.Seconds(1)))
    ping.SetAttribute("VerboseMode", ns.EnumValue["ns3::Ping::VerboseMode"](ns.Ping.SILENT))
    apps = ping.Install(hosts.Get(i))
    apps.Start(ns.Seconds(1))
    apps.Stop(ns.Seconds(count + 5))
t_build = time.time() - t0
t0 = time.time()
ns.Simulator.Stop(ns.Seconds(count + 6))
ns.Simulator.Run()
t_run = time.time() - t0
ns.Simulator.Destroy()
print(f"ns-3  star n={n} count={count}: {t_build + t_run:.3f} s wall in all "
      f"(build {t_build:.3f} s, run {t_run:.3f} s; importing the bindings {t_import:.1f} s more)")
