//! `ping` (iputils 20221126), as the real tool behaves and prints: GNU getopt with iputils'
//! argument checks and messages, the header, reply and error lines, and the statistics block
//! of `finish()` (ping_common.c) with its blank-line, `pipe` and `time` rules. The echo
//! traffic itself is the lab's ping session; as root with a raw socket, the ICMP id is the
//! client's pid. An IPv6 destination (`-6`, or an IPv6 literal, `ADDR%IF` naming its
//! interface) is pinged with ICMPv6 and printed as ping6_common.c prints it.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use l2lab_sim::{Lab, LabError, PingError, PingEvent, PingId, PingOptions, Pmtudisc};

use crate::cmd::inet::inet_aton;
use crate::cmd::{killed_by, Env, Output, Session, Started};

const USAGE: &str = r#"
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
"#;

/// Options that take an argument (iputils' getopt string).
const WITH_ARG: &str = "TFNce:iIlmMpQsStwW";
/// Options without one.
const FLAGS: &str = "h?4bR6aABCdDfLnOqrUvV";

#[derive(Debug, Clone, Default)]
struct Opts {
    count: Option<u32>,
    interval: Option<Duration>,
    wait: Option<Duration>,
    deadline: Option<Duration>,
    size: usize,
    ttl: Option<u8>,
    device: Option<String>,
    source: Option<IpAddr>,
    /// `-4`: IPv4 only.
    four: bool,
    /// `-6`: IPv6 only.
    six: bool,
    quiet: bool,
    numeric: bool,
    broadcast: bool,
    verbose: bool,
    timestamps: bool,
    flood: bool,
    pmtudisc: Pmtudisc,
    targets: Vec<String>,
}

/// strtol_or_err: a decimal in `min..=max`, else iputils' message and exit 1.
fn long_arg(v: &str, min: i64, max: i64, out: &mut Output) -> Result<i64, i32> {
    let t = v.trim_start();
    match t.parse::<i64>() {
        Ok(n) if n < min || n > max => {
            out.err(format!(
                "ping: invalid argument: '{v}': out of range: {min} <= value <= {max}\n"
            ));
            Err(1)
        }
        Ok(n) => Ok(n),
        Err(_) => {
            out.err(format!("ping: invalid argument: '{v}'\n"));
            Err(1)
        }
    }
}

/// ping_strtod: a number, with its warnings when the argument has trailing garbage.
fn double_arg(v: &str, what: &str, out: &mut Output) -> Result<f64, i32> {
    let t = v.trim_start();
    // The longest prefix that parses, as strtod reads it.
    let mut end = 0;
    let mut num = 0.0;
    for i in (1..=t.len()).rev() {
        if !t.is_char_boundary(i) {
            continue;
        }
        if let Ok(x) = t[..i].parse::<f64>() {
            if t[..i]
                .chars()
                .all(|c| c.is_ascii_digit() || ".+-eE".contains(c))
            {
                end = i;
                num = x;
                break;
            }
        }
    }
    if v.is_empty() {
        out.err(format!("ping: {what}: {v}\n"));
        return Err(2);
    }
    if end < t.len() {
        out.err(format!(
            "ping: option argument contains garbage: {}\nping: this will become fatal error in the future\n",
            &t[end..]
        ));
    }
    if !num.is_finite() {
        out.err(format!("ping: {what}: {v}\n"));
        return Err(2);
    }
    Ok(num)
}

fn usage(msg: &str, out: &mut Output) -> i32 {
    out.err(format!("ping: {msg}\n{USAGE}"));
    2
}

fn parse(argv: &[String], out: &mut Output) -> Result<Opts, i32> {
    let mut o = Opts {
        size: 56,
        ..Default::default()
    };
    let mut i = 0;
    while i < argv.len() {
        let a = &argv[i];
        i += 1;
        if a == "--" {
            o.targets.extend(argv[i..].iter().cloned());
            break;
        }
        if !a.starts_with('-') || a.len() == 1 {
            o.targets.push(a.clone());
            continue;
        }
        let chars: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            if WITH_ARG.contains(c) && c != ':' {
                let v = if j < chars.len() {
                    let v: String = chars[j..].iter().collect();
                    j = chars.len();
                    v
                } else if i < argv.len() {
                    i += 1;
                    argv[i - 1].clone()
                } else {
                    return Err(usage(&format!("option requires an argument -- '{c}'"), out));
                };
                match c {
                    'c' => {
                        o.count =
                            Some(long_arg(&v, 1, i64::MAX, out)?.min(i64::from(u32::MAX)) as u32)
                    }
                    's' => o.size = long_arg(&v, 0, i64::from(i32::MAX), out)? as usize,
                    't' => o.ttl = Some(long_arg(&v, 0, 255, out)? as u8),
                    'w' => {
                        o.deadline =
                            Some(Duration::from_secs(
                                long_arg(&v, 0, i64::from(i32::MAX), out)? as u64,
                            ))
                    }
                    'W' => {
                        let x = double_arg(&v, "bad linger time", out)?;
                        if x < 0.0 || x > f64::from(i32::MAX) / 1000.0 {
                            out.err(format!("ping: bad linger time: {v}\n"));
                            return Err(2);
                        }
                        o.wait = Some(Duration::from_millis((x * 1000.0) as u64));
                    }
                    'i' => {
                        let x = double_arg(&v, "bad timing interval", out)?;
                        if x > f64::from(i32::MAX) / 1000.0 {
                            out.err(format!("ping: bad timing interval: {v}\n"));
                            return Err(2);
                        }
                        // A negative interval is taken, as iputils takes it: no wait at all.
                        o.interval = Some(Duration::from_millis((x.max(0.0) * 1000.0) as u64));
                    }
                    'I' => match v.parse::<IpAddr>() {
                        Ok(a) => o.source = Some(a),
                        Err(_) => o.device = Some(v),
                    },
                    'l' => {
                        long_arg(&v, 1, 65536, out)?;
                    }
                    'Q' => parse_tos(&v, out)?,
                    'M' => {
                        o.pmtudisc = match v.as_str() {
                            "do" => Pmtudisc::Do,
                            "dont" => Pmtudisc::Dont,
                            "want" => Pmtudisc::Want,
                            _ => {
                                out.err(format!("ping: invalid -M argument: {v}\n"));
                                return Err(2);
                            }
                        }
                    }
                    _ => {}
                }
            } else if FLAGS.contains(c) {
                match c {
                    'q' => o.quiet = true,
                    '4' => o.four = true,
                    '6' => o.six = true,
                    'n' => o.numeric = true,
                    'b' => o.broadcast = true,
                    'v' => o.verbose = true,
                    'D' => o.timestamps = true,
                    'f' => o.flood = true,
                    'h' | '?' => return Err(usage_plain(out)),
                    'V' => {
                        out.out("ping from iputils 20221126\n");
                        return Err(0);
                    }
                    _ => {}
                }
            } else {
                return Err(usage(&format!("invalid option -- '{c}'"), out));
            }
        }
    }
    Ok(o)
}

/// parsetos: the TOS byte, decimal or 0x hex, with iputils' messages.
fn parse_tos(v: &str, out: &mut Output) -> Result<(), i32> {
    let (hex, digits) = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(h) => (true, h),
        None => (false, v),
    };
    let end = digits
        .find(|c: char| !c.is_digit(if hex { 16 } else { 10 }))
        .unwrap_or(digits.len());
    // strtol saturates; anything that long is out of range anyway.
    let n = if end == 0 {
        0
    } else {
        u64::from_str_radix(&digits[..end.min(16)], if hex { 16 } else { 10 }).unwrap_or(u64::MAX)
    };
    if n > 255 {
        out.err(if hex {
            format!("ping: the hexadecimal value of TOS bits must be in range 0x00-0xff: {v}\n")
        } else {
            format!("ping: the decimal value of TOS bits must be in range 0-255: {v}\n")
        });
        return Err(2);
    }
    if end < digits.len() {
        out.err(format!("ping: bad TOS value: {v}\n"));
        return Err(2);
    }
    Ok(())
}

/// getaddrinfo's EAI_ADDRFAMILY: `-4` with an IPv6 literal or `-6` with an IPv4 one.
fn no_family(target: &str, out: &mut Output) -> Started {
    out.err(format!(
        "ping: {target}: Address family for hostname not supported\n"
    ));
    Started::Done(2)
}

fn usage_plain(out: &mut Output) -> i32 {
    out.err(USAGE);
    2
}

/// What ping prints for an ICMP error (pr_icmph).
fn icmp_text(e: PingError) -> String {
    let (t, c) = match e {
        PingError::NetUnreachable => (3, 0),
        PingError::HostUnreachable => (3, 1),
        PingError::TtlExceeded => (11, 0),
        PingError::FragNeeded(mtu) => return format!("Frag needed and DF set (mtu = {mtu})"),
        PingError::LocalMessageTooLong(mtu) => {
            return format!("local error: message too long, mtu={mtu}")
        }
        PingError::Other(t, c) => (t, c),
        PingError::V6 { ty, code, mtu } => return icmp6_text(ty, code, mtu),
    };
    match (t, c) {
        (3, 0) => "Destination Net Unreachable".into(),
        (3, 1) => "Destination Host Unreachable".into(),
        (3, 2) => "Destination Protocol Unreachable".into(),
        (3, 3) => "Destination Port Unreachable".into(),
        (3, 4) => "Frag needed and DF set (mtu = 0)".into(),
        (3, 5) => "Source Route Failed".into(),
        (3, 6) => "Destination Net Unknown".into(),
        (3, 7) => "Destination Host Unknown".into(),
        (3, 8) => "Source Host Isolated".into(),
        (3, 9) => "Destination Net Prohibited".into(),
        (3, 10) => "Destination Host Prohibited".into(),
        (3, 11) => "Destination Net Unreachable for Type of Service".into(),
        (3, 12) => "Destination Host Unreachable for Type of Service".into(),
        (3, 13) => "Packet filtered".into(),
        (3, 14) => "Precedence Violation".into(),
        (3, 15) => "Precedence Cutoff".into(),
        (3, c) => format!("Dest Unreachable, Bad Code: {c}"),
        (4, _) => "Source Quench".into(),
        (11, 0) => "Time to live exceeded".into(),
        (11, 1) => "Frag reassembly time exceeded".into(),
        (11, c) => format!("Time exceeded, Bad Code: {c}"),
        (12, _) => "Parameter problem: pointer = 0".into(),
        (t, c) => format!("Bad ICMP type: {t}, code: {c}"),
    }
}

/// What ping prints for an ICMPv6 error (print_icmp in ping6_common.c).
fn icmp6_text(ty: u8, code: u8, mtu: u32) -> String {
    match ty {
        1 => {
            let why = match code {
                0 => "No route".to_string(),
                1 => "Administratively prohibited".into(),
                2 => "Beyond scope of source address".into(),
                3 => "Address unreachable".into(),
                4 => "Port unreachable".into(),
                c => format!("Unknown code {c}"),
            };
            format!("Destination unreachable: {why}")
        }
        2 => format!("Packet too big: mtu={mtu}"),
        3 => match code {
            0 => "Time exceeded: Hop limit".into(),
            1 => "Time exceeded: Defragmentation failure".into(),
            c => format!("Time exceeded: code {c}"),
        },
        t => format!("Unknown icmp type: {t}"),
    }
}

/// An IPv6 literal with an optional `%IF` scope (an interface name or index of `env`'s
/// namespace): the address and the interface's name. `Err` when the scope names nothing.
fn parse_v6(lab: &Lab, env: &Env, s: &str) -> Option<Result<(Ipv6Addr, Option<String>), ()>> {
    let (a, scope) = match s.split_once('%') {
        Some((a, sc)) => (a, Some(sc)),
        None => (s, None),
    };
    let a = a.parse::<Ipv6Addr>().ok()?;
    let Some(sc) = scope else {
        return Some(Ok((a, None)));
    };
    let link = lab.link_by_name(env.ns, sc).ok().or_else(|| {
        sc.parse::<u32>()
            .ok()
            .and_then(|i| lab.link_by_index(env.ns, i))
    });
    Some(match link.and_then(|l| lab.iface(l)) {
        Some(i) => Ok((a, Some(i.name.clone()))),
        None => Err(()),
    })
}

/// Is `a` of link scope (link-local unicast, or interface/link-local multicast)?
fn link_scope(a: Ipv6Addr) -> bool {
    a.segments()[0] & 0xffc0 == 0xfe80
        || (a.is_multicast() && matches!(a.segments()[0] & 0x000f, 1 | 2))
}

/// C's `%g`: six significant digits, trailing zeros dropped.
fn fmt_g(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let exp = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&exp) {
        let s = format!("{:.5e}", x);
        return s;
    }
    let decimals = (5 - exp).max(0) as usize;
    let s = format!("{:.*}", decimals, x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The reply time as iputils prints it (3 significant-ish digits).
fn fmt_time(us: u64) -> String {
    if us >= 100_000 - 50 {
        format!("{}", (us + 500) / 1000)
    } else if us >= 10_000 - 5 {
        format!("{}.{:01}", (us + 50) / 1000, ((us + 50) % 1000) / 100)
    } else if us >= 1000 {
        format!("{}.{:02}", (us + 5) / 1000, ((us + 5) % 1000) / 10)
    } else {
        format!("{}.{:03}", us / 1000, us % 1000)
    }
}

fn is_broadcast(lab: &Lab, env: &Env, dst: Ipv4Addr) -> bool {
    if dst == Ipv4Addr::BROADCAST {
        return true;
    }
    lab.addresses(env.ns).iter().any(|(_, a)| {
        if a.broadcast == Some(dst) {
            return true;
        }
        let len = a.net.prefix;
        if len >= 31 {
            return false;
        }
        let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
        u32::from(dst) == (u32::from(a.net.addr) & mask) | !mask
    })
}

/// Starts `ping ARGS...` in `env`.
pub fn start(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> Started {
    let o = match parse(argv, out) {
        Ok(o) => o,
        Err(code) => return Started::Done(code),
    };
    let Some(target) = o.targets.last().cloned() else {
        out.err("ping: usage error: Destination address required\n");
        return Started::Done(1);
    };
    if o.verbose {
        // Both sockets are made before the name is looked up, as root gets them.
        out.err("ping: sock4.fd: 3 (socktype: SOCK_RAW), sock6.fd: 4 (socktype: SOCK_RAW), hints.ai_family: AF_UNSPEC\n\n");
    }
    let mut scope: Option<String> = None;
    let (dst, hostname, numeric) = match inet_aton(&target) {
        Some(a) if !o.six => (IpAddr::V4(a), target.clone(), true),
        Some(_) => return no_family(&target, out),
        None => match parse_v6(lab, env, &target) {
            Some(Ok(_)) if o.four => return no_family(&target, out),
            Some(Ok((a, sc))) => {
                scope = sc;
                (IpAddr::V6(a), target.clone(), true)
            }
            Some(Err(())) => {
                out.err(format!("ping: {target}: Name or service not known\n"));
                return Started::Done(2);
            }
            None if target == "localhost" && o.six => {
                (IpAddr::V6(Ipv6Addr::LOCALHOST), target.clone(), o.numeric)
            }
            None if target == "localhost" => {
                (IpAddr::V4(Ipv4Addr::LOCALHOST), target.clone(), o.numeric)
            }
            None => {
                out.err(format!(
                    "ping: {target}: Temporary failure in name resolution\n"
                ));
                return Started::Done(2);
            }
        },
    };
    if o.targets.len() > 1 {
        // More than one name makes the first ones hops of a loose source route, an IP
        // option the kernel refuses here.
        out.err("ping: record route: Operation not permitted\n");
        return Started::Done(2);
    }
    if let Some(dev) = &o.device {
        if lab.link_by_name(env.ns, dev).is_err() {
            // ping6_run looks the name up itself (if_nametoindex) before binding to it.
            out.err(if dst.is_ipv6() {
                format!("ping: unknown iface: {dev}\n")
            } else {
                format!("ping: SO_BINDTODEVICE {dev}: No such device\n")
            });
            return Started::Done(2);
        }
    }
    if let Some(IpAddr::V6(a)) = o.source.filter(|_| dst.is_ipv6()) {
        // A link-local source needs a scope to bind to; `-I ADDR` gives none.
        if link_scope(a) {
            out.err("ping: bind icmp socket: Invalid argument\n");
            return Started::Done(2);
        }
    }
    if let Some(src) = o.source {
        let local = match src {
            IpAddr::V4(a) => lab.is_local_addr(env.ns, a),
            IpAddr::V6(a) => lab
                .links(env.ns)
                .into_iter()
                .any(|l| lab.addrs6(l).iter().any(|x| x.addr == a)),
        };
        if !local || src.is_ipv6() != dst.is_ipv6() {
            out.err("ping: bind: Cannot assign requested address\n");
            return Started::Done(2);
        }
    }
    if o.verbose {
        let family = if dst.is_ipv6() { "AF_INET6" } else { "AF_INET" };
        out.out(format!(
            "ai->ai_family: {family}, ai->ai_canonname: '{hostname}'\n"
        ));
    }
    if matches!(dst, IpAddr::V4(d) if is_broadcast(lab, env, d)) {
        if !o.broadcast {
            out.err("ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n");
            return Started::Done(2);
        }
        out.err("WARNING: pinging broadcast address\n");
    }
    if o.ttl == Some(0) && dst.is_ipv4() {
        out.err("ping: cannot set unicast time-to-live: Invalid argument\n");
        return Started::Done(2);
    }
    let interval = o.interval.unwrap_or(if o.flood {
        Duration::ZERO
    } else {
        Duration::from_secs(1)
    });
    let opts = PingOptions {
        count: o.count,
        // Without replies iputils sends at most one probe per 10 ms (MININTERVAL).
        interval: interval.max(Duration::from_millis(10)),
        wait: o.wait,
        deadline: o.deadline,
        size: o.size,
        ttl: o.ttl.unwrap_or(64),
        hop_limit: o.ttl,
        interface: scope.clone().or_else(|| o.device.clone()),
        // A raw socket's id is the pid; in virtual time the lab's seeded generator picks it
        // instead, so that a run stays a function of its script and seed.
        id: (!lab.clock().is_virtual()).then_some(env.pid as u16),
        pmtudisc: o.pmtudisc,
    };
    let id = match lab.ping(env.ns, dst, opts) {
        Ok(id) => id,
        Err(LabError::NoSuchDevice(d)) => {
            out.err(format!("ping: SO_BINDTODEVICE {d}: No such device\n"));
            return Started::Done(2);
        }
        Err(_) => {
            out.err("ping: connect: Network is unreachable\n");
            return Started::Done(2);
        }
    };
    let mut head = match dst {
        IpAddr::V4(_) => format!("PING {hostname} ({dst}) "),
        IpAddr::V6(a) => match &scope {
            Some(sc) => format!("PING {hostname}({a}%{sc}) "),
            None => format!("PING {hostname}({a}) "),
        },
    };
    if o.device.is_some() || o.source.is_some() {
        let mut src = o
            .source
            .or_else(|| lab.ping_session(id).map(|p| p.src))
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if let (IpAddr::V6(a), Some(dev), None) = (dst, &o.device, o.source) {
            // ping6_run leaves the source unset for a link-scope destination on a device
            // it was told to use, and warns.
            if link_scope(a) {
                out.err(format!(
                    "ping: Warning: source address might be selected on device other than: {dev}\n"
                ));
                src = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
            }
        }
        let _ = write!(head, "from {src} {}: ", o.device.as_deref().unwrap_or(""));
    }
    if dst.is_ipv6() {
        let _ = writeln!(head, "{} data bytes", o.size);
    } else {
        let _ = writeln!(head, "{}({}) bytes of data.", o.size, o.size + 28);
    }
    out.out(head);
    let mut s = Ping {
        id,
        o,
        hostname,
        numeric,
        dst,
        scope_dev: lab
            .ping_session(id)
            .and_then(|p| p.oif)
            .and_then(|l| lab.iface(l))
            .map(|i| i.name.clone()),
        pipe: 0,
        rtt_sum: 0,
        rtt_sum2: 0,
        rtt_min: u64::MAX,
        rtt_max: 0,
        rtt_n: 0,
        received: 0,
        dups: 0,
        errors: 0,
    };
    match s.poll(lab, out) {
        Some(code) => Started::Done(code),
        None => Started::Running(Box::new(s)),
    }
}

/// A running ping.
struct Ping {
    id: PingId,
    o: Opts,
    hostname: String,
    numeric: bool,
    dst: IpAddr,
    /// The interface of an IPv6 ping: a link-scope address that answers is printed with it.
    scope_dev: Option<String>,
    pipe: u32,
    rtt_sum: u64,
    rtt_sum2: u128,
    rtt_min: u64,
    rtt_max: u64,
    rtt_n: u64,
    received: u64,
    dups: u64,
    errors: u64,
}

impl Ping {
    fn addr(&self, a: IpAddr) -> String {
        if let (IpAddr::V6(v6), Some(dev)) = (a, &self.scope_dev) {
            // getnameinfo adds the scope of a link-local address.
            if link_scope(v6) {
                return format!("{v6}%{dev}");
            }
        }
        if self.numeric || a.is_ipv6() {
            a.to_string()
        } else if a == self.dst {
            format!("{} ({a})", self.hostname)
        } else {
            format!("{a} ({a})")
        }
    }

    fn stamp(&self, lab: &Lab) -> String {
        if !self.o.timestamps {
            return String::new();
        }
        let t = Duration::from_micros(lab.config().epoch_us) + lab.now();
        format!("[{}.{:06}] ", t.as_secs(), t.subsec_micros())
    }

    /// acknowledge(): the most probes that were out when one was answered.
    fn acknowledge(&mut self, transmitted: u32, seq: u16) {
        let diff = (transmitted as u16).wrapping_sub(seq);
        if diff <= 0x7fff {
            self.pipe = self.pipe.max(u32::from(diff) + 1);
        }
    }

    fn events(&mut self, lab: &mut Lab, out: &mut Output) -> bool {
        let transmitted = lab.ping_session(self.id).map_or(0, |p| p.transmitted);
        let mut finished = false;
        for ev in lab.ping_events(self.id) {
            // Flood mode draws a dot per request and rubs one out per answer.
            let flood = self.o.flood && !self.o.quiet;
            match ev {
                PingEvent::Sent { .. } => {
                    if flood {
                        out.out(".");
                    }
                }

                PingEvent::Reply {
                    from,
                    seq,
                    ttl,
                    bytes,
                    rtt,
                    dup,
                } => {
                    self.acknowledge(transmitted, seq);
                    let timing = self.o.size >= 16;
                    let us = rtt.as_micros() as u64;
                    if timing {
                        self.rtt_sum += us;
                        self.rtt_sum2 += u128::from(us) * u128::from(us);
                        self.rtt_min = self.rtt_min.min(us);
                        self.rtt_max = self.rtt_max.max(us);
                        self.rtt_n += 1;
                    }
                    if dup {
                        self.dups += 1;
                    } else {
                        self.received += 1;
                    }
                    if self.o.quiet {
                        continue;
                    }
                    if flood {
                        if !dup {
                            out.out("\x08 \x08");
                        }
                        continue;
                    }
                    let mut l = format!(
                        "{}{bytes} bytes from {}: icmp_seq={seq}",
                        self.stamp(lab),
                        self.addr(from)
                    );
                    if self.o.verbose {
                        let ident = lab.ping_session(self.id).map_or(0, |p| p.id);
                        let _ = write!(l, " ident={ident}");
                    }
                    let _ = write!(l, " ttl={ttl}");
                    if timing {
                        let _ = write!(l, " time={} ms", fmt_time(us));
                    }
                    // Several answers are what a broadcast or multicast ping expects: iputils
                    // marks them only when asked to be verbose.
                    let multicast = self.o.broadcast || self.dst.is_multicast();
                    if dup && (!multicast || self.o.verbose) {
                        l.push_str(" (DUP!)");
                    }
                    l.push('\n');
                    out.out(l);
                }
                PingEvent::Error {
                    seq,
                    error: error @ PingError::LocalMessageTooLong(_),
                    ..
                } => {
                    // receive_error_msg: a local error goes to stderr, not as a "From" line.
                    self.acknowledge(transmitted, seq);
                    self.errors += 1;
                    if flood {
                        out.out("\x08E");
                    } else if !self.o.quiet {
                        let text = match error {
                            // ping6's receive_error_msg words it its own way.
                            PingError::LocalMessageTooLong(mtu) if self.dst.is_ipv6() => {
                                format!("local error: message too long, mtu: {mtu}")
                            }
                            e => icmp_text(e),
                        };
                        out.err(format!("ping: {text}\n"));
                    }
                }
                PingEvent::Error { from, seq, error } => {
                    // ping6's receive_error_msg counts an ICMPv6 error without acknowledging
                    // its probe (no `pipe` from errors, unlike IPv4's).
                    if self.dst.is_ipv4() {
                        self.acknowledge(transmitted, seq);
                    }
                    self.errors += 1;
                    if flood {
                        out.out("\x08E");
                    } else if !self.o.quiet {
                        out.out(format!(
                            "{}From {} icmp_seq={seq} {}\n",
                            self.stamp(lab),
                            self.addr(from),
                            icmp_text(error)
                        ));
                    }
                }
                PingEvent::Finished => finished = true,
            }
        }
        finished
    }

    /// finish(): the statistics block; returns the exit status.
    fn finish(&self, lab: &Lab, out: &mut Output) -> i32 {
        let Some(p) = lab.ping_session(self.id) else {
            return 1;
        };
        let tx = u64::from(p.transmitted);
        let mut s = format!("\n--- {} ping statistics ---\n", self.hostname);
        let _ = write!(s, "{tx} packets transmitted, {} received", self.received);
        if self.dups > 0 {
            let _ = write!(s, ", +{} duplicates", self.dups);
        }
        if self.errors > 0 {
            let _ = write!(s, ", +{} errors", self.errors);
        }
        if tx > 0 {
            let loss = (tx as f64 - self.received as f64) * 100.0 / tx as f64;
            let span = p.last_sent.saturating_sub(p.started);
            let ms = span.as_secs() * 1000 + (u64::from(span.subsec_nanos()) + 500_000) / 1_000_000;
            let _ = write!(
                s,
                ", {}% packet loss, time {ms}ms",
                fmt_g(f64::from(loss as f32))
            );
        }
        s.push('\n');
        let mut comma = "";
        if self.received > 0 && self.rtt_n > 0 {
            let total = self.rtt_n;
            let avg = self.rtt_sum / total;
            let sum = u128::from(self.rtt_sum);
            let var = if self.rtt_sum < i32::MAX as u64 {
                (self.rtt_sum2.saturating_sub(sum * sum / u128::from(total))) / u128::from(total)
            } else {
                (self.rtt_sum2 / u128::from(total))
                    .saturating_sub(u128::from(avg) * u128::from(avg))
            };
            let mdev = isqrt(var);
            let _ = write!(
                s,
                "rtt min/avg/max/mdev = {}.{:03}/{}.{:03}/{}.{:03}/{}.{:03} ms",
                self.rtt_min / 1000,
                self.rtt_min % 1000,
                avg / 1000,
                avg % 1000,
                self.rtt_max / 1000,
                self.rtt_max % 1000,
                mdev / 1000,
                mdev % 1000
            );
            comma = ", ";
        }
        if self.pipe > 1 {
            let _ = write!(s, "{comma}pipe {}", self.pipe);
        }
        s.push('\n');
        out.out(s);
        let short =
            self.o.deadline.is_some() && self.o.count.is_some_and(|c| self.received < u64::from(c));
        i32::from(self.received == 0 || short)
    }
}

fn isqrt(a: u128) -> u64 {
    if a == 0 {
        return 0;
    }
    let mut x = a;
    let mut prev = u128::MAX;
    while x < prev {
        prev = x;
        x = (x + a / x) / 2;
    }
    prev.min(x) as u64
}

impl Session for Ping {
    fn poll(&mut self, lab: &mut Lab, out: &mut Output) -> Option<i32> {
        let done =
            self.events(lab, out) || lab.ping_session(self.id).is_none_or(|p| p.is_finished());
        done.then(|| self.finish(lab, out))
    }

    fn signal(&mut self, lab: &mut Lab, sig: i32, out: &mut Output) -> Option<i32> {
        match sig {
            libc::SIGINT | libc::SIGALRM => {
                self.events(lab, out);
                lab.ping_stop(self.id);
                let _ = lab.ping_events(self.id);
                Some(self.finish(lab, out))
            }
            libc::SIGQUIT => None,
            _ => {
                lab.ping_stop(self.id);
                Some(killed_by(sig))
            }
        }
    }

    fn endless(&self) -> bool {
        self.o.count.is_none() && self.o.deadline.is_none()
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_and_errors() {
        let mut out = Output::default();
        let o = parse(&args("10.0.1.2 -c 1"), &mut out).unwrap();
        assert_eq!((o.count, o.targets.clone()), (Some(1), args("10.0.1.2")));
        let o = parse(&args("-c3 -i 0.2 -qs100 10.0.1.2"), &mut out).unwrap();
        assert_eq!((o.count, o.size, o.quiet), (Some(3), 100, true));
        assert_eq!(o.interval, Some(Duration::from_millis(200)));
        // Messages measured with iputils 20221126 on this machine.
        assert_eq!(parse(&args("-c 0 10.0.1.2"), &mut out).unwrap_err(), 1);
        assert_eq!(
            out.stderr,
            "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n"
        );
        let mut out = Output::default();
        assert_eq!(parse(&args("-t 300 x"), &mut out).unwrap_err(), 1);
        assert_eq!(
            out.stderr,
            "ping: invalid argument: '300': out of range: 0 <= value <= 255\n"
        );
        let mut out = Output::default();
        assert_eq!(parse(&args("-W -1 x"), &mut out).unwrap_err(), 2);
        assert_eq!(out.stderr, "ping: bad linger time: -1\n");
        let mut out = Output::default();
        assert_eq!(parse(&args("-z"), &mut out).unwrap_err(), 2);
        assert!(out
            .stderr
            .starts_with("ping: invalid option -- 'z'\n\nUsage\n  ping [options] <destination>\n"));
        let mut out = Output::default();
        parse(&args("-c 1 -i 0.5x 10.0.1.2"), &mut out).unwrap();
        assert_eq!(
            out.stderr,
            "ping: option argument contains garbage: x\nping: this will become fatal error in the future\n"
        );
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_time(47), "0.047");
        assert_eq!(fmt_time(1534), "1.53");
        assert_eq!(fmt_time(12_345), "12.3");
        assert_eq!(fmt_time(123_456), "123");
        assert_eq!(fmt_g(100.0), "100");
        assert_eq!(fmt_g(0.0), "0");
        assert_eq!(fmt_g(f64::from((100.0f64 / 3.0) as f32)), "33.3333");
        assert_eq!(inet_aton("10.1"), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(inet_aton("300.1.1.1"), None);
        assert_eq!(icmp_text(PingError::TtlExceeded), "Time to live exceeded");
        assert_eq!(isqrt(36), 6);
    }
}
