//! What a program's address-to-name lookups do in a namespace (glibc's resolver:
//! resolv/res_init.c reads /etc/resolv.conf, resolv/res_send.c sends): each lookup leaves as
//! a UDP query to the nameservers in turn, and, the lab having no DNS server, every query that
//! leaves waits out its timeout. A nameserver without a route fails at once (ENETUNREACH), as
//! does one on the namespace's own addresses (ECONNREFUSED). `arp` and `route` without `-n`
//! look up this way; no name is ever found, so they print addresses, later.

use std::net::Ipv4Addr;
use std::time::Duration;

use l2lab_sim::{Lab, NsId, UdpSent};

use crate::cmd::{killed_by, Output, Session, Started};
use crate::proto::FileText;

/// The file the resolver reads, as the program sees it.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// What the resolver takes from /etc/resolv.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    /// Up to three IPv4 nameservers (MAXNS); 127.0.0.1 when the file names none.
    pub nameservers: Vec<Ipv4Addr>,
    /// `options timeout:N` (RES_TIMEOUT 5 by default, at most RES_MAXRETRANS 30).
    pub timeout: u32,
    /// `options attempts:N` (RES_DFLRETRY 2 by default, at most RES_MAXRETRY 5).
    pub attempts: u32,
}

impl ResolvConf {
    /// Parses the file's text as res_init does; unreadable or empty means the defaults.
    pub fn parse(text: &str) -> ResolvConf {
        let mut servers = 0;
        let mut c = ResolvConf {
            nameservers: Vec::new(),
            timeout: 5,
            attempts: 2,
        };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") if servers < 3 => {
                    if let Some(w) = words.next() {
                        // An IPv6 server takes one of the three places but no IPv4 query.
                        if let Ok(a) = w.parse::<Ipv4Addr>() {
                            c.nameservers.push(a);
                            servers += 1;
                        } else if w.parse::<std::net::Ipv6Addr>().is_ok() {
                            servers += 1;
                        }
                    }
                }
                Some("options") => {
                    for o in words {
                        if let Some(n) = o.strip_prefix("timeout:") {
                            c.timeout = n.parse::<u32>().map_or(c.timeout, |n| n.clamp(1, 30));
                        } else if let Some(n) = o.strip_prefix("attempts:") {
                            c.attempts = n.parse::<u32>().map_or(c.attempts, |n| n.clamp(1, 5));
                        }
                    }
                }
                _ => {}
            }
        }
        if servers == 0 {
            c.nameservers.push(Ipv4Addr::LOCALHOST);
        }
        c
    }

    /// The configuration in `files` (what the tool's own process read), else the defaults.
    pub fn from_files(files: &[FileText]) -> ResolvConf {
        let text = files
            .iter()
            .find(|f| f.name == RESOLV_CONF)
            .and_then(|f| f.text.as_ref().ok())
            .map_or("", String::as_str);
        ResolvConf::parse(text)
    }

    /// How long one query to the `i`th nameserver waits (send_dg: `retrans << ns`, divided
    /// among the servers after the first).
    pub fn wait(&self, i: usize) -> Duration {
        let shifted = u64::from(self.timeout) << i.min(8);
        let n = self.nameservers.len().max(1) as u64;
        let secs = if i > 0 { shifted / n } else { shifted };
        Duration::from_secs(secs.max(1))
    }
}

/// A PTR query for `addr` (RD set, no EDNS), as res_nmkquery builds it.
pub fn ptr_query(id: u16, addr: Ipv4Addr) -> Vec<u8> {
    let mut q = Vec::with_capacity(40);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    let o = addr.octets();
    for label in o
        .iter()
        .rev()
        .map(u8::to_string)
        .chain(["in-addr".into(), "arpa".into()])
    {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 12, 0, 1]);
    q
}

/// A command that reads on once its lookups are over (`arp` reading /proc/net/arp again).
pub trait ReadOn {
    /// Reads on: output to `out`, addresses to look up to `lookups`; the exit status once
    /// there is nothing more to read.
    fn read_on(
        &mut self,
        lab: &mut Lab,
        out: &mut Output,
        lookups: &mut Vec<Ipv4Addr>,
    ) -> Option<i32>;
}

/// One query to send: the lookup it belongs to and the nameserver it goes to.
#[derive(Debug, Clone, Copy)]
struct Query {
    lookup: usize,
    server: usize,
}

/// A command whose output is ready but that first looks up `addrs`, one after the other:
/// its output comes when the last lookup has failed, as stdio flushes a pipe at exit.
struct Lookups {
    ns: NsId,
    conf: ResolvConf,
    addrs: Vec<Ipv4Addr>,
    /// Per lookup its query id, kept across tries and servers.
    ids: Vec<Option<u16>>,
    /// Per lookup and server, its socket's port, kept across tries.
    ports: Vec<Option<u16>>,
    queries: Vec<Query>,
    next: usize,
    until: Duration,
    pending: Output,
    code: i32,
    then: Option<Box<dyn ReadOn>>,
}

/// Starts a command that prints `pending` and exits `code` after looking up each of `addrs`
/// (in order, each once) in namespace `ns`, and after what `then` reads on; when no lookup
/// has to wait, it is over at once and `pending` goes to `out`.
#[allow(clippy::too_many_arguments)]
pub fn after_lookups(
    addrs: Vec<Ipv4Addr>,
    conf: ResolvConf,
    ns: NsId,
    lab: &mut Lab,
    pending: Output,
    code: i32,
    then: Option<Box<dyn ReadOn>>,
    out: &mut Output,
) -> Started {
    let mut s = Lookups {
        ns,
        ids: Vec::new(),
        ports: Vec::new(),
        conf,
        addrs: Vec::new(),
        queries: Vec::new(),
        next: 0,
        until: lab.now(),
        pending,
        code,
        then,
    };
    s.add(addrs);
    match s.poll(lab, out) {
        Some(code) => Started::Done(code),
        None => Started::Running(Box::new(s)),
    }
}

impl Lookups {
    /// Queues the lookups of `addrs` not made before (the callers' cache).
    fn add(&mut self, addrs: Vec<Ipv4Addr>) {
        let n = self.conf.nameservers.len();
        for a in addrs {
            if self.addrs.contains(&a) {
                continue;
            }
            let lookup = self.addrs.len();
            self.addrs.push(a);
            self.ids.push(None);
            self.ports.extend(std::iter::repeat_n(None, n));
            for _ in 0..self.conf.attempts {
                for server in 0..n {
                    self.queries.push(Query { lookup, server });
                }
            }
        }
    }
}

impl Session for Lookups {
    fn poll(&mut self, lab: &mut Lab, out: &mut Output) -> Option<i32> {
        while lab.now() >= self.until {
            let Some(&q) = self.queries.get(self.next) else {
                if let Some(then) = self.then.as_mut() {
                    let mut more = Vec::new();
                    match then.read_on(lab, &mut self.pending, &mut more) {
                        Some(code) => {
                            self.code = code;
                            self.then = None;
                        }
                        None => self.add(more),
                    }
                    continue;
                }
                out.out(std::mem::take(&mut self.pending.stdout));
                out.err(std::mem::take(&mut self.pending.stderr));
                return Some(self.code);
            };
            self.next += 1;
            let Some(&server) = self.conf.nameservers.get(q.server) else {
                continue;
            };
            let Some(&addr) = self.addrs.get(q.lookup) else {
                continue;
            };
            let socket = q.lookup * self.conf.nameservers.len() + q.server;
            let (Some(id), Some(port)) = (self.ids.get_mut(q.lookup), self.ports.get_mut(socket))
            else {
                continue;
            };
            let id = *id.get_or_insert_with(|| lab.random_u16());
            let port = *port.get_or_insert_with(|| lab.udp_ephemeral_port());
            let query = ptr_query(id, addr);
            if let Ok(UdpSent::Out) = lab.udp_send(self.ns, server, port, 53, &query) {
                self.until = lab.now() + self.conf.wait(q.server);
            }
        }
        None
    }

    fn signal(&mut self, _lab: &mut Lab, sig: i32, _out: &mut Output) -> Option<i32> {
        Some(killed_by(sig))
    }

    fn wake_at(&self) -> Option<Duration> {
        Some(self.until)
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use l2lab_sim::{NeighState, RouteProto};

    #[test]
    fn resolv_conf_as_res_init_reads_it() {
        let c = ResolvConf::parse("");
        assert_eq!(c.nameservers, [Ipv4Addr::LOCALHOST]);
        assert_eq!((c.timeout, c.attempts), (5, 2));
        let c = ResolvConf::parse(
            "# comment\nnameserver 10.0.0.53\nnameserver ::1\nnameserver 10.0.0.54\n\
             nameserver 10.0.0.55\noptions rotate timeout:40 attempts:3\n",
        );
        // The IPv6 server takes the second place: the fourth line is one too many.
        assert_eq!(
            c.nameservers,
            [
                "10.0.0.53".parse::<Ipv4Addr>().unwrap(),
                "10.0.0.54".parse().unwrap()
            ]
        );
        assert_eq!((c.timeout, c.attempts), (30, 3));
    }

    #[test]
    fn waits_as_send_dg_computes_them() {
        let one = ResolvConf::parse("nameserver 10.0.0.53\n");
        assert_eq!(one.wait(0), Duration::from_secs(5));
        let two =
            ResolvConf::parse("nameserver 10.0.0.53\nnameserver 10.0.0.54\noptions timeout:2\n");
        // Measured on the kernel: 2 s for each server.
        assert_eq!(
            (two.wait(0), two.wait(1)),
            (Duration::from_secs(2), Duration::from_secs(2))
        );
        let three =
            ResolvConf::parse("nameserver 1.1.1.1\nnameserver 1.1.1.2\nnameserver 1.1.1.3\n");
        assert_eq!(three.wait(2), Duration::from_secs(6));
    }

    #[test]
    fn ptr_query_is_the_resolvers() {
        let q = ptr_query(0x1234, "10.0.0.1".parse().unwrap());
        // tcpdump showed these queries as "(39)" bytes.
        assert_eq!(q.len(), 39);
        assert_eq!(&q[..4], &[0x12, 0x34, 0x01, 0x00]);
        assert_eq!(&q[12..21], b"\x011\x010\x010\x0210");
    }

    /// A namespace whose default route leads through a gateway it has not met yet.
    fn behind_gateway(route: bool) -> (Lab, NsId) {
        let mut lab = Lab::new();
        let ns = lab.add_netns("ns01").unwrap();
        lab.add_veth(NsId::INIT, "veth0", "veth1", Some(ns))
            .unwrap();
        lab.addr_add(NsId::INIT, "veth0", "10.0.0.1/24".parse().unwrap(), None)
            .unwrap();
        lab.addr_add(ns, "veth1", "10.0.0.11/24".parse().unwrap(), None)
            .unwrap();
        lab.set_link_up(NsId::INIT, "veth0", true).unwrap();
        lab.set_link_up(ns, "veth1", true).unwrap();
        if route {
            let default = "0.0.0.0/0".parse().unwrap();
            let gw = "10.0.0.1".parse().ok();
            lab.route_add(ns, default, gw, None, 0, RouteProto::Boot)
                .unwrap();
        }
        (lab, ns)
    }

    fn start(lab: &mut Lab, ns: NsId) -> Started {
        let conf = ResolvConf::parse("nameserver 10.255.255.53\n");
        let mut pending = Output::default();
        pending.out("listing\n");
        let mut out = Output::default();
        let s = after_lookups(
            vec!["10.0.0.1".parse().unwrap()],
            conf,
            ns,
            lab,
            pending,
            0,
            None,
            &mut out,
        );
        if matches!(s, Started::Done(_)) {
            assert_eq!(out.stdout, "listing\n");
        }
        s
    }

    #[test]
    fn without_a_route_nothing_leaves_and_nothing_waits() {
        let (mut lab, ns) = behind_gateway(false);
        assert!(matches!(start(&mut lab, ns), Started::Done(0)));
        assert!(lab.neighbours(ns).is_empty());
    }

    #[test]
    fn through_the_gateway_two_tries_of_five_seconds() {
        let (mut lab, ns) = behind_gateway(true);
        let Started::Running(mut s) = start(&mut lab, ns) else {
            panic!("the lookup waits for an answer");
        };
        // The query went to the gateway: its entry is there.
        let gw: Ipv4Addr = "10.0.0.1".parse().unwrap();
        assert!(lab
            .neighbours(ns)
            .iter()
            .any(|n| n.ip == gw && n.state == NeighState::Reachable));
        let t0 = lab.now();
        let mut out = Output::default();
        lab.advance(Duration::from_millis(4999)).unwrap();
        assert_eq!(s.poll(&mut lab, &mut out), None);
        assert_eq!(s.wake_at(), Some(t0 + Duration::from_secs(5)));
        // The second try, on the same socket, waits as long again; then the lookup fails.
        lab.advance(Duration::from_millis(1)).unwrap();
        assert_eq!(s.poll(&mut lab, &mut out), None);
        assert_eq!(s.wake_at(), Some(t0 + Duration::from_secs(10)));
        lab.advance(Duration::from_secs(5)).unwrap();
        assert_eq!(s.poll(&mut lab, &mut out), Some(0));
        assert_eq!(out.stdout, "listing\n");
    }
}
