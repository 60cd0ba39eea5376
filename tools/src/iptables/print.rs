//! iptables' listings: `-L` as print_header/print_firewall lay it out (fixed-width columns,
//! `-n` numbers, `-v` counters and interfaces, `-x` exact counts, `--line-numbers`), and
//! `-S` as the rule would be written.

use l2lab_sim::netfilter::{AddrMatch, IfMatch, NatRule, NatTarget};

use super::parse::{Format, PROTOCOLS};

/// `Chain NAME (policy ACCEPT)` and the column titles. nf_tables keeps no policy counters:
/// with `-v` they read 0.
pub(super) fn chain_header(chain: &str, f: &Format) -> String {
    let mut s = if f.verbose {
        format!("Chain {chain} (policy ACCEPT 0 packets, 0 bytes)\n")
    } else {
        format!("Chain {chain} (policy ACCEPT)\n")
    };
    if f.line_numbers {
        s.push_str(&format!("{:<4} ", "num"));
    }
    if f.verbose {
        if f.exact {
            s.push_str(&format!("{:>8} {:>10} ", "pkts", "bytes"));
        } else {
            s.push_str(&format!("{:>5} {:>5} ", "pkts", "bytes"));
        }
    }
    s.push_str(&format!("{:<9} ", "target"));
    s.push_str(" prot opt");
    if f.verbose {
        s.push_str(&format!(" {:<6} {:<6} ", "in", "out"));
    }
    s.push_str(&format!(" {:<19}  {:<19} \n", "source", "destination"));
    s
}

/// xtables_print_num: a counter, in K/M/G/T unless `-x`.
fn counter(n: u64, exact: bool) -> String {
    if exact {
        return format!("{n:>8} ");
    }
    if n <= 99_999 {
        return format!("{n:>5} ");
    }
    let mut v = n;
    for unit in ["K", "M", "G"] {
        v = (v + 500) / 1000;
        if v <= 9999 {
            return format!("{v:>4}{unit} ");
        }
    }
    v = (v + 500) / 1000;
    format!("{v:>4}T ")
}

fn proto_name(proto: u8, numeric: bool) -> String {
    if numeric {
        return proto.to_string();
    }
    PROTOCOLS
        .iter()
        .find(|(_, n)| *n == proto)
        .map_or_else(|| proto.to_string(), |(name, _)| (*name).to_string())
}

fn addr_text(m: Option<&AddrMatch>, numeric: bool) -> (bool, String) {
    match m {
        None => (
            false,
            if numeric {
                "0.0.0.0/0".to_string()
            } else {
                "anywhere".to_string()
            },
        ),
        Some(m) if m.net.prefix == 0 && !numeric => (m.invert, "anywhere".to_string()),
        // Names are not looked up: the lab's namespaces have no name service.
        Some(m) if m.net.prefix == 32 => (m.invert, m.net.addr.to_string()),
        Some(m) => (m.invert, format!("{}/{}", m.net.addr, m.net.prefix)),
    }
}

fn iface_text(m: Option<&IfMatch>, numeric: bool) -> String {
    match m {
        None if numeric => "*".to_string(),
        None => "any".to_string(),
        Some(m) if m.invert => format!("!{}", m.name),
        Some(m) => m.name.clone(),
    }
}

/// One rule of `-L`.
pub(super) fn rule_line(r: &NatRule, num: usize, f: &Format) -> String {
    let mut s = String::new();
    if f.line_numbers {
        s.push_str(&format!("{num:<4} "));
    }
    if f.verbose {
        s.push_str(&counter(r.pkts, f.exact));
        s.push_str(&counter(r.bytes, f.exact));
    }
    s.push_str(&format!("{:<9} ", r.target.name()));
    let (pinv, proto) = match r.proto {
        Some(p) => (p.invert, p.proto),
        None => (false, 0),
    };
    s.push(if pinv { '!' } else { ' ' });
    s.push_str(&format!("{:<5}", proto_name(proto, f.numeric)));
    s.push_str("-- ");
    if f.verbose {
        s.push_str(&format!(" {:<6} ", iface_text(r.in_if.as_ref(), f.numeric)));
        s.push_str(&format!("{:<6} ", iface_text(r.out_if.as_ref(), f.numeric)));
    }
    for m in [r.src.as_ref(), r.dst.as_ref()] {
        let (inv, text) = addr_text(m, f.numeric);
        s.push(if inv { '!' } else { ' ' });
        s.push_str(&format!("{text:<19} "));
    }
    match r.target {
        NatTarget::Snat(a) | NatTarget::Dnat(a) => s.push_str(&format!(" to:{a}")),
        _ => {}
    }
    s.push('\n');
    s
}

/// One rule of `-S`: `-A CHAIN` and the options in iptables' order.
pub(super) fn save_line(chain: &str, r: &NatRule) -> String {
    let mut s = format!("-A {chain}");
    let inv = |b: bool| if b { " !" } else { "" };
    if let Some(m) = r.src {
        s.push_str(&format!(
            "{} -s {}/{}",
            inv(m.invert),
            m.net.addr,
            m.net.prefix
        ));
    }
    if let Some(m) = r.dst {
        s.push_str(&format!(
            "{} -d {}/{}",
            inv(m.invert),
            m.net.addr,
            m.net.prefix
        ));
    }
    if let Some(m) = &r.in_if {
        s.push_str(&format!("{} -i {}", inv(m.invert), m.name));
    }
    if let Some(m) = &r.out_if {
        s.push_str(&format!("{} -o {}", inv(m.invert), m.name));
    }
    if let Some(p) = r.proto.filter(|p| p.proto != 0 || p.invert) {
        s.push_str(&format!(
            "{} -p {}",
            inv(p.invert),
            proto_name(p.proto, false)
        ));
    }
    if r.target != NatTarget::None {
        s.push_str(&format!(" -j {}", r.target.name()));
    }
    match r.target {
        NatTarget::Snat(a) => s.push_str(&format!(" --to-source {a}")),
        NatTarget::Dnat(a) => s.push_str(&format!(" --to-destination {a}")),
        _ => {}
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn counters_shorten_as_iptables_does() {
        assert_eq!(counter(0, false), "    0 ");
        assert_eq!(counter(99_999, false), "99999 ");
        assert_eq!(counter(100_000, false), " 100K ");
        assert_eq!(counter(12_345_678, false), "  12M ");
        assert_eq!(counter(7, true), "       7 ");
    }
}
