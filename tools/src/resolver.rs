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
}

/// Starts a command that prints `pending` and exits `code` after looking up each of `addrs`
/// (in order, each once) in namespace `ns`; when no lookup has to wait, it is over at once
/// and `pending` goes to `out`.
pub fn after_lookups(
    addrs: Vec<Ipv4Addr>,
    conf: ResolvConf,
    ns: NsId,
    lab: &mut Lab,
    pending: Output,
    code: i32,
    out: &mut Output,
) -> Started {
    let mut queries = Vec::new();
    for lookup in 0..addrs.len() {
        for _ in 0..conf.attempts {
            for server in 0..conf.nameservers.len() {
                queries.push(Query { lookup, server });
            }
        }
    }
    let mut s = Lookups {
        ns,
        ids: vec![None; addrs.len()],
        ports: vec![None; addrs.len() * conf.nameservers.len()],
        conf,
        addrs,
        queries,
        next: 0,
        until: lab.now(),
        pending,
        code,
    };
    match s.poll(lab, out) {
        Some(code) => Started::Done(code),
        None => Started::Running(Box::new(s)),
    }
}

impl Session for Lookups {
    fn poll(&mut self, lab: &mut Lab, out: &mut Output) -> Option<i32> {
        while lab.now() >= self.until {
            let Some(&q) = self.queries.get(self.next) else {
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
            let id = *self
                .ids
                .get_mut(q.lookup)
                .map(|slot| slot.get_or_insert_with(|| lab.random_u16()))
                .unwrap_or(&mut 0);
            let socket = q.lookup * self.conf.nameservers.len() + q.server;
            let port = *self
                .ports
                .get_mut(socket)
                .map(|slot| slot.get_or_insert_with(|| lab.udp_ephemeral_port()))
                .unwrap_or(&mut 0);
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
