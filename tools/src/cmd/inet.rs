//! Host addresses as the C library reads them for net-tools and iputils: inet_aton's
//! forms, and what gethostbyname says when a name is none of them.

use std::net::Ipv4Addr;

/// inet_aton: 1 to 4 parts, each decimal, octal (0..) or hex (0x..), the last filling the
/// rest: `65535` is 0.0.255.255, `010.000.000.001` is 8.0.0.1.
pub fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut vals = Vec::new();
    for p in &parts {
        let v = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            u32::from_str_radix(h, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            u32::from_str_radix(&p[1..], 8).ok()?
        } else if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
            p.parse().ok()?
        } else {
            return None;
        };
        vals.push(v);
    }
    let (last, head) = vals.split_last()?;
    if head.iter().any(|v| *v > 255) {
        return None;
    }
    let bits = 8 * (4 - head.len() as u32);
    if bits < 32 && *last >= 1 << bits {
        return None;
    }
    let mut a: u32 = 0;
    for (k, v) in head.iter().enumerate() {
        a |= v << (24 - 8 * k);
    }
    Some(Ipv4Addr::from(a | last))
}

/// herror's words when `name` is no address: a name of digits and dots is taken as a
/// number and is simply unknown; any other would need a DNS server, and the lab has none.
pub fn lookup_failure(name: &str) -> &'static str {
    if name.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        "Unknown host"
    } else {
        "Host name lookup failure"
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn short_octal_and_hex_forms() {
        assert_eq!(inet_aton("65535"), Some(Ipv4Addr::new(0, 0, 255, 255)));
        assert_eq!(inet_aton("0"), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            inet_aton("010.000.000.001"),
            Some(Ipv4Addr::new(8, 0, 0, 1))
        );
        assert_eq!(inet_aton("10.1"), Some(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(inet_aton("0x7f.1"), Some(Ipv4Addr::new(127, 0, 0, 1)));
        assert_eq!(inet_aton("256.0.0.1"), None);
        assert_eq!(inet_aton("1.2.3.4.5"), None);
        assert_eq!(inet_aton("09"), None);
        assert_eq!(inet_aton(""), None);
        assert_eq!(lookup_failure("256.0.0.1"), "Unknown host");
        assert_eq!(lookup_failure("nosuch"), "Host name lookup failure");
    }
}
