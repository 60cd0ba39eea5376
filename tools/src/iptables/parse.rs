//! iptables' command line, as its getopt_long loop reads it (iptables/xshared.c,
//! do_parse): bundled short options (`-nvL`), optional chain and rule number after
//! `-L/-S/-F/-Z`, `!` before an option inverts it, target options once `-j` has named the
//! target, and the same checks in the same order, so the same mistakes get the same words.

use std::net::Ipv4Addr;

use l2lab_sim::netfilter::{AddrMatch, IfMatch, NatChain, NatRule, NatTarget, ProtoMatch};
use l2lab_sim::Ipv4Net;

use super::Fail;

/// Which table `-t` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Table {
    Nat,
    Filter,
    /// mangle, raw, security: real tables the lab does not model.
    Other(String),
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Command {
    Append,
    /// `-I CHAIN [N]`: at N (1 when not given).
    Insert(usize),
    /// `-D CHAIN RULE` (None) or `-D CHAIN N`.
    Delete(Option<usize>),
    Check,
    List,
    /// `-L -Z`: list, then zero the counters.
    ListZero,
    ListRules,
    Flush,
    Zero,
    Policy(String),
    DeleteChain,
    Help,
    Version,
}

/// How listings are printed (iptables' FMT_* flags).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Format {
    pub numeric: bool,
    pub verbose: bool,
    pub exact: bool,
    pub line_numbers: bool,
}

/// A parsed command line.
#[derive(Debug, Clone)]
pub(super) struct Parsed {
    pub table: Table,
    pub command: Command,
    pub chain: Option<String>,
    pub rulenum: Option<usize>,
    pub fmt: Format,
    src: Option<AddrMatch>,
    dst: Option<AddrMatch>,
    in_if: Option<IfMatch>,
    out_if: Option<IfMatch>,
    proto: Option<ProtoMatch>,
    target: Option<String>,
    to_source: Option<Ipv4Addr>,
    to_destination: Option<Ipv4Addr>,
}

impl Parsed {
    /// The rule the command line specifies, with its target's own checks.
    pub fn rule(&self) -> Result<NatRule, Fail> {
        let target =
            match self.target.as_deref() {
                None => NatTarget::None,
                Some("ACCEPT") => NatTarget::Accept,
                Some("RETURN") => NatTarget::Return,
                Some("MASQUERADE") => NatTarget::Masquerade,
                Some("SNAT") => NatTarget::Snat(self.to_source.ok_or_else(|| {
                    Fail::param("SNAT: option \"--to-source\" must be specified\n")
                })?),
                Some("DNAT") => NatTarget::Dnat(self.to_destination.ok_or_else(|| {
                    Fail::param("DNAT: option \"--to-destination\" must be specified\n")
                })?),
                Some(other) => return Err(Fail::unmodelled(&format!("the {other} target"))),
            };
        let mut r = NatRule::new(target);
        r.src = self.src;
        r.dst = self.dst;
        r.in_if = self.in_if.clone();
        r.out_if = self.out_if.clone();
        r.proto = self.proto;
        Ok(r)
    }
}

/// Targets iptables has extensions for that the lab does not model: named, they are refused
/// as unmodelled rather than taken for user chains.
const OTHER_TARGETS: &[&str] = &[
    "REJECT", "LOG", "REDIRECT", "NETMAP", "MARK", "CONNMARK", "TCPMSS", "CT", "NOTRACK", "TRACE",
    "CLASSIFY", "NFQUEUE", "QUEUE", "TPROXY", "TTL", "DSCP", "TOS", "NFLOG", "ULOG", "AUDIT",
    "CHECKSUM", "SET", "SYNPROXY", "TEE",
];

/// Protocol names iptables knows (xtables_chain_protos and /etc/protocols' usual ones).
pub(super) const PROTOCOLS: &[(&str, u8)] = &[
    ("all", 0),
    ("icmp", 1),
    ("igmp", 2),
    ("tcp", 6),
    ("udp", 17),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("ipv6-icmp", 58),
    ("sctp", 132),
    ("udplite", 136),
];

fn protocol(s: &str) -> Result<u8, Fail> {
    let lower = s.to_ascii_lowercase();
    if let Some((_, n)) = PROTOCOLS.iter().find(|(name, _)| *name == lower) {
        return Ok(*n);
    }
    if lower == "icmpv6" {
        return Ok(58);
    }
    s.parse::<u8>()
        .map_err(|_| Fail::param(format!("unknown protocol \"{s}\" specified")))
}

/// `ADDR[/MASK]`, MASK a prefix length or a dotted mask (xtables_ipparse_any).
fn address(s: &str) -> Result<Ipv4Net, Fail> {
    let (a, mask) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    let prefix = match mask {
        None => 32,
        Some(m) => {
            if let Ok(dotted) = m.parse::<Ipv4Addr>() {
                let bits = u32::from(dotted);
                if bits.leading_ones() + bits.trailing_zeros() != 32 {
                    return Err(Fail::param(format!("invalid mask `{m}' specified")));
                }
                bits.leading_ones() as u8
            } else {
                match m.parse::<u8>() {
                    Ok(p) if p <= 32 => p,
                    _ => return Err(Fail::param(format!("invalid mask `{m}' specified"))),
                }
            }
        }
    };
    let addr: Ipv4Addr = match a {
        "localhost" => Ipv4Addr::LOCALHOST,
        _ => a
            .parse()
            .map_err(|_| Fail::param(format!("host/network `{a}' not found")))?,
    };
    Ipv4Net::new(addr, prefix)
        .map(|n| n.trunc())
        .ok_or_else(|| Fail::param(format!("host/network `{a}' not found")))
}

/// `--to-source` / `--to-destination`: one address (ranges and ports are not modelled).
fn nat_address(s: &str) -> Result<Ipv4Addr, Fail> {
    if s.contains('-') || s.contains(':') {
        return Err(Fail::unmodelled("address ranges and ports in SNAT/DNAT"));
    }
    s.parse()
        .map_err(|_| Fail::param(format!("Bad IP address \"{s}\"")))
}

fn rule_number(s: &str) -> Result<usize, Fail> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(Fail::param(format!("Invalid rule number `{s}'"))),
    }
}

/// Long options and the short letter they stand for ('\0' for those with none).
const LONG: &[(&str, char, bool)] = &[
    ("append", 'A', true),
    ("delete", 'D', true),
    ("check", 'C', true),
    ("insert", 'I', true),
    ("replace", 'R', true),
    ("list", 'L', false),
    ("list-rules", 'S', false),
    ("flush", 'F', false),
    ("zero", 'Z', false),
    ("new-chain", 'N', true),
    ("delete-chain", 'X', false),
    ("rename-chain", 'E', true),
    ("policy", 'P', true),
    ("source", 's', true),
    ("src", 's', true),
    ("destination", 'd', true),
    ("dst", 'd', true),
    ("protocol", 'p', true),
    ("in-interface", 'i', true),
    ("out-interface", 'o', true),
    ("jump", 'j', true),
    ("goto", 'g', true),
    ("table", 't', true),
    ("match", 'm', true),
    ("numeric", 'n', false),
    ("verbose", 'v', false),
    ("exact", 'x', false),
    ("wait", 'w', false),
    ("fragment", 'f', false),
    ("version", 'V', false),
    ("help", 'h', false),
    ("line-numbers", '0', false),
    ("set-counters", 'c', true),
];

/// Short options that take an argument (the rest take none, or an optional one).
const SHORT_ARG: &str = "ACDRINEPsdpiojgtmc";
const SHORT_NOARG: &str = "LSFZXnvxwWfVh46";

/// Reads the command line.
pub(super) fn parse(argv: &[String]) -> Result<Parsed, Fail> {
    let mut p = Parsed {
        table: Table::Filter,
        command: Command::Help,
        chain: None,
        rulenum: None,
        fmt: Format::default(),
        src: None,
        dst: None,
        in_if: None,
        out_if: None,
        proto: None,
        target: None,
        to_source: None,
        to_destination: None,
    };
    let mut command: Option<char> = None;
    let mut invert = false;
    let mut i = 0;
    // The next argument, when it is not an option: what `-L CHAIN` and `-D CHAIN N` take.
    let next_word = |argv: &[String], i: &mut usize| -> Option<String> {
        let w = argv.get(*i)?;
        if w.starts_with('-') || w.starts_with('!') {
            return None;
        }
        *i += 1;
        Some(w.clone())
    };
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        // (letter, attached or separate argument, how the user wrote it)
        let mut opts: Vec<(char, Option<String>, String)> = Vec::new();
        if let Some(long) = arg.strip_prefix("--") {
            if long.is_empty() {
                continue;
            }
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "to-source" | "to-destination" | "to-ports" | "random" | "random-fully"
                | "persistent" => {
                    let target = p.target.as_deref();
                    let known = match name {
                        "to-source" => target == Some("SNAT"),
                        "to-destination" => target == Some("DNAT"),
                        "to-ports" => target == Some("MASQUERADE"),
                        _ => matches!(target, Some("SNAT" | "DNAT" | "MASQUERADE")),
                    };
                    if !known {
                        return Err(Fail::param(format!("unknown option \"{arg}\"")));
                    }
                    match name {
                        "to-source" | "to-destination" => {
                            let v = match attached {
                                Some(v) => v,
                                None => {
                                    let v = argv.get(i).cloned().ok_or_else(|| {
                                        Fail::param(format!(
                                            "option \"{arg}\" requires an argument"
                                        ))
                                    })?;
                                    i += 1;
                                    v
                                }
                            };
                            let a = nat_address(&v)?;
                            if name == "to-source" {
                                p.to_source = Some(a);
                            } else {
                                p.to_destination = Some(a);
                            }
                        }
                        _ => {
                            return Err(Fail::unmodelled(&format!(
                                "--{name} of the {} target",
                                target.unwrap_or_default()
                            )))
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let matches: Vec<&(&str, char, bool)> = LONG
                .iter()
                .filter(|(l, _, _)| l.starts_with(name))
                .collect();
            let exact = LONG.iter().find(|(l, _, _)| *l == name);
            let Some((_, c, takes)) = exact.or(if matches.len() == 1 {
                Some(matches[0])
            } else {
                None
            }) else {
                return Err(Fail::param(format!("unknown option \"{arg}\"")));
            };
            let v = if *takes {
                match attached {
                    Some(v) => Some(v),
                    None => {
                        let v = argv.get(i).cloned().ok_or_else(|| {
                            Fail::param(format!("option \"{arg}\" requires an argument"))
                        })?;
                        i += 1;
                        Some(v)
                    }
                }
            } else {
                attached
            };
            opts.push((*c, v, arg.clone()));
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            let chars: Vec<char> = short.chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                if SHORT_ARG.contains(c) {
                    let rest: String = chars[k..].iter().collect();
                    let v = if !rest.is_empty() {
                        rest
                    } else {
                        let v = argv.get(i).cloned().ok_or_else(|| {
                            Fail::param(format!("option \"-{c}\" requires an argument"))
                        })?;
                        i += 1;
                        v
                    };
                    opts.push((c, Some(v), format!("-{c}")));
                    break;
                } else if SHORT_NOARG.contains(c) {
                    // -L/-S/-F/-Z/-X take an optional argument only when attached.
                    if "LSFZX".contains(c) && k < chars.len() {
                        let rest: String = chars[k..].iter().collect();
                        opts.push((c, Some(rest), format!("-{c}")));
                        break;
                    }
                    opts.push((c, None, format!("-{c}")));
                } else {
                    return Err(Fail::param(format!("unknown option \"-{c}\"")));
                }
            }
        } else if arg == "!" {
            if invert {
                return Err(Fail::param("multiple consecutive ! not allowed"));
            }
            invert = true;
            continue;
        } else {
            return Err(Fail {
                msg: format!("Bad argument `{arg}'\n{}", super::TRY),
                code: 2,
            });
        }
        for (c, v, written) in opts {
            let mut set_command = |cmd: char, p: &mut Parsed| -> Result<(), Fail> {
                if let Some(prev) = command {
                    let ok = (prev == 'L' && cmd == 'Z') || (prev == 'Z' && cmd == 'L');
                    if !ok {
                        return Err(Fail::param(format!("Cannot use -{cmd} with -{prev}")));
                    }
                    p.command = Command::ListZero;
                    command = Some('L');
                    return Ok(());
                }
                command = Some(cmd);
                Ok(())
            };
            let inv = std::mem::take(&mut invert);
            if inv && !"sdpio".contains(c) {
                return Err(Fail::param(format!(
                    "cannot have ! before {}",
                    if written.starts_with("--") {
                        written.clone()
                    } else {
                        format!("-{c}")
                    }
                )));
            }
            match c {
                'A' | 'C' | 'D' | 'I' => {
                    set_command(c, &mut p)?;
                    p.chain = v;
                    p.command = match c {
                        'A' => Command::Append,
                        'C' => Command::Check,
                        'D' => match next_word(argv, &mut i) {
                            Some(w) => Command::Delete(Some(rule_number(&w)?)),
                            None => Command::Delete(None),
                        },
                        _ => match next_word(argv, &mut i) {
                            Some(w) => Command::Insert(rule_number(&w)?),
                            None => Command::Insert(1),
                        },
                    };
                }
                'L' | 'S' | 'F' | 'Z' | 'X' => {
                    set_command(c, &mut p)?;
                    let chain = v.or_else(|| next_word(argv, &mut i));
                    if chain.is_some() {
                        p.chain = chain;
                    }
                    if matches!(c, 'L' | 'S' | 'Z') {
                        if let Some(w) = next_word(argv, &mut i) {
                            p.rulenum = Some(rule_number(&w)?);
                        }
                    }
                    if p.command != Command::ListZero {
                        p.command = match c {
                            'L' => Command::List,
                            'S' => Command::ListRules,
                            'F' => Command::Flush,
                            'Z' => Command::Zero,
                            _ => Command::DeleteChain,
                        };
                    }
                }
                'P' => {
                    set_command(c, &mut p)?;
                    p.chain = v;
                    let target = next_word(argv, &mut i)
                        .ok_or_else(|| Fail::param("-P requires a chain and a policy"))?;
                    p.command = Command::Policy(target);
                }
                'R' | 'N' | 'E' => {
                    return Err(Fail::unmodelled(match c {
                        'R' => "replacing rules (-R)",
                        _ => "user-defined chains",
                    }))
                }
                'h' => {
                    set_command(c, &mut p)?;
                    p.command = Command::Help;
                }
                'V' => {
                    set_command(c, &mut p)?;
                    p.command = Command::Version;
                }
                's' | 'd' => {
                    let slot = if c == 's' { &mut p.src } else { &mut p.dst };
                    if slot.is_some() {
                        return Err(Fail::param(format!("multiple -{c} flags not allowed")));
                    }
                    let net = address(v.as_deref().unwrap_or_default())?;
                    *slot = Some(AddrMatch { net, invert: inv });
                }
                'i' | 'o' => {
                    let slot = if c == 'i' {
                        &mut p.in_if
                    } else {
                        &mut p.out_if
                    };
                    if slot.is_some() {
                        return Err(Fail::param(format!("multiple -{c} flags not allowed")));
                    }
                    let name = v.unwrap_or_default();
                    if name.len() >= 16 {
                        return Err(Fail::param(format!(
                            "interface name `{name}' must be shorter than IFNAMSIZ (15)"
                        )));
                    }
                    *slot = Some(IfMatch { name, invert: inv });
                }
                'p' => {
                    if p.proto.is_some() {
                        return Err(Fail::param("multiple -p flags not allowed"));
                    }
                    let proto = protocol(v.as_deref().unwrap_or_default())?;
                    p.proto = Some(ProtoMatch { proto, invert: inv });
                }
                'j' => {
                    if p.target.is_some() {
                        return Err(Fail::param("multiple -j flags not allowed"));
                    }
                    let t = v.unwrap_or_default();
                    p.target = Some(t);
                }
                'g' => return Err(Fail::unmodelled("-g (goto a user chain)")),
                'm' => return Err(Fail::unmodelled("matches (-m)")),
                'f' => return Err(Fail::unmodelled("-f (fragments)")),
                'c' => return Err(Fail::unmodelled("-c (setting counters)")),
                't' => {
                    p.table = match v.as_deref().unwrap_or_default() {
                        "nat" => Table::Nat,
                        "filter" => Table::Filter,
                        t @ ("mangle" | "raw" | "security") => Table::Other(t.to_string()),
                        t => {
                            return Err(Fail {
                                msg: format!(
                                    "{}: table '{t}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n",
                                    super::PROG
                                ),
                                code: 3,
                            })
                        }
                    };
                }
                'n' => p.fmt.numeric = true,
                'v' => p.fmt.verbose = true,
                'x' => p.fmt.exact = true,
                '0' => p.fmt.line_numbers = true,
                _ => {} // -w, -W, -4, -6: nothing to do in a lab.
            }
        }
    }
    if invert {
        return Err(Fail::param("Invalid argument `!'"));
    }
    if command.is_none() {
        return Err(Fail::param("no command specified"));
    }
    if let Some(t) = p.target.as_deref() {
        check_target(t, &p.table)?;
    }
    Ok(p)
}

/// `-j NAME`: the targets this lab models, the ones it knows but does not, user chains.
fn check_target(t: &str, table: &Table) -> Result<(), Fail> {
    match t {
        "ACCEPT" | "RETURN" | "MASQUERADE" | "SNAT" | "DNAT" => Ok(()),
        "DROP" if *table == Table::Nat => Err(Fail::param(
            "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n",
        )),
        "DROP" => Ok(()),
        t if OTHER_TARGETS.contains(&t) => Err(Fail::unmodelled(&format!("the {t} target"))),
        t => Err(Fail::param(format!("Chain '{t}' does not exist"))),
    }
}

/// `-i` in POSTROUTING or OUTPUT, `-o` in PREROUTING or INPUT: refused as iptables does.
pub(super) fn check_ifaces(p: &Parsed, chain: NatChain) -> Result<(), Fail> {
    let name = chain.name();
    if p.in_if.is_some() && matches!(chain, NatChain::Postrouting | NatChain::Output) {
        return Err(Fail::param(format!("Can't use -i with {name}\n")));
    }
    if p.out_if.is_some() && matches!(chain, NatChain::Prerouting | NatChain::Input) {
        return Err(Fail::param(format!("Can't use -o with {name}\n")));
    }
    Ok(())
}
