//! `iptables` (1.8.9, nf_tables backend): the nat table's rules (`-A/-I/-D/-C/-F/-Z`,
//! MASQUERADE, SNAT, DNAT, ACCEPT, RETURN), its listings (`-L` with `-n`, `-v`, `-x`,
//! `--line-numbers`, and `-S`), and the filter table's empty chains, with iptables' messages
//! and exit codes. What it does not model (other tables' rules, matches, user chains) it
//! says, and changes nothing.

mod parse;
mod print;

use l2lab_sim::netfilter::{NatChain, RuleError};
use l2lab_sim::Lab;

use crate::cmd::{Env, Output};
use parse::{Command, Parsed, Table};

/// iptables' name for itself in messages.
const PROG: &str = "iptables v1.8.9 (nf_tables)";
const TRY: &str = "Try `iptables -h' or 'iptables --help' for more information.\n";

/// The usage `iptables -h` prints.
const HELP: &str = include_str!("help.txt");

/// How a command failed: its message (already worded) and exit code.
pub(crate) struct Fail {
    msg: String,
    code: i32,
}

impl Fail {
    /// A parameter problem: `iptables v1.8.9 (nf_tables): MSG` then the hint, exit 2.
    fn param(msg: impl AsRef<str>) -> Fail {
        Fail {
            msg: format!("{PROG}: {}\n{TRY}", msg.as_ref()),
            code: 2,
        }
    }

    /// What iptables reports from the kernel: `iptables: MSG.`, exit 1.
    fn kernel(msg: &str) -> Fail {
        Fail {
            msg: format!("iptables: {msg}\n"),
            code: 1,
        }
    }

    /// A form this lab does not model: said, nothing changed, exit 1.
    fn unmodelled(what: &str) -> Fail {
        Fail {
            msg: format!(
                "iptables: l2lab does not model {what} yet: nothing was changed (a lab's network is its own; the host's is never touched)\n"
            ),
            code: 1,
        }
    }
}

/// Runs `iptables ARGS...` in `env`; returns the exit status.
pub fn main(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    match run(argv, env, lab, out) {
        Ok(()) => 0,
        Err(f) => {
            out.err(f.msg);
            f.code
        }
    }
}

fn run(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> Result<(), Fail> {
    let p = parse::parse(argv)?;
    match p.command {
        Command::Help => {
            out.out(HELP);
            return Ok(());
        }
        Command::Version => {
            out.out(format!("{PROG}\n"));
            return Ok(());
        }
        _ => {}
    }
    match p.table {
        Table::Nat => nat(&p, env, lab, out),
        Table::Filter => filter(&p, out),
        Table::Other(t) => Err(Fail::unmodelled(&format!("the {t} table"))),
    }
}

/// The nat chain a command names; names of no built-in chain are user chains, which the lab
/// does not have.
fn nat_chain(p: &Parsed) -> Result<Option<NatChain>, Fail> {
    let Some(name) = p.chain.as_deref() else {
        return Ok(None);
    };
    match NatChain::from_name(name) {
        Some(c) => Ok(Some(c)),
        None => match p.command {
            Command::List | Command::ListRules => Err(Fail {
                msg: format!(
                    "{PROG}: chain `{name}' in table `nat' is incompatible, use 'nft' tool.\n"
                ),
                code: 1,
            }),
            _ => Err(Fail::kernel("No chain/target/match by that name.")),
        },
    }
}

fn nat(p: &Parsed, env: &Env, lab: &mut Lab, out: &mut Output) -> Result<(), Fail> {
    let chain = nat_chain(p)?;
    if let Some(c) = chain {
        parse::check_ifaces(p, c)?;
    }
    let nf = lab
        .netfilter_mut(env.ns)
        .ok_or_else(|| Fail::kernel("No chain/target/match by that name."))?;
    let existed = nf.nat_exists();
    match p.command {
        Command::Append | Command::Insert(_) => {
            let c = chain.ok_or_else(|| Fail::param("no chain given"))?;
            let rule = p.rule()?;
            let at = match p.command {
                Command::Insert(n) => Some(n),
                _ => None,
            };
            nf.nat_insert(c, at, rule).map_err(|e| match e {
                RuleError::InsertIndexTooBig => Fail::kernel("Index of insertion too big."),
                _ => Fail {
                    msg: format!(
                        "{PROG}:  {} failed (Invalid argument): rule in chain {}\n",
                        if at.is_some() {
                            "RULE_INSERT"
                        } else {
                            "RULE_APPEND"
                        },
                        c.name()
                    ),
                    code: 4,
                },
            })
        }
        Command::Delete(n) => {
            let c = chain.ok_or_else(|| Fail::param("no chain given"))?;
            match n {
                Some(n) => {
                    if !existed {
                        return Err(Fail::kernel("No chain/target/match by that name."));
                    }
                    nf.nat_delete_nth(c, n)
                        .map_err(|_| Fail::kernel("Index of deletion too big."))
                }
                None => {
                    let rule = p.rule()?;
                    nf.nat_delete(c, &rule).map_err(|_| {
                        Fail::kernel("Bad rule (does a matching rule exist in that chain?).")
                    })
                }
            }
        }
        Command::Check => {
            let c = chain.ok_or_else(|| Fail::param("no chain given"))?;
            let rule = p.rule()?;
            if nf.nat_rules(c).iter().any(|r| r.same_as(&rule)) {
                Ok(())
            } else {
                Err(Fail::kernel(
                    "Bad rule (does a matching rule exist in that chain?).",
                ))
            }
        }
        Command::Flush => {
            nf.nat_make();
            nf.nat_flush(chain);
            Ok(())
        }
        Command::Zero => {
            nf.nat_make();
            nf.nat_zero(chain);
            Ok(())
        }
        Command::List | Command::ListZero => {
            let chains: Vec<NatChain> = match chain {
                Some(c) => vec![c],
                None => NatChain::ALL.to_vec(),
            };
            let lab_nf = &*nf;
            let mut first = true;
            for c in chains {
                let rules = lab_nf.nat_rules(c);
                if let Some(n) = p.rulenum {
                    if let Some(r) = n.checked_sub(1).and_then(|i| rules.get(i)) {
                        out.out(print::rule_line(r, n, &p.fmt));
                    }
                    continue;
                }
                if !first {
                    out.out("\n");
                }
                first = false;
                out.out(print::chain_header(c.name(), &p.fmt));
                for (i, r) in rules.iter().enumerate() {
                    out.out(print::rule_line(r, i + 1, &p.fmt));
                }
            }
            if p.command == Command::ListZero {
                nf.nat_zero(chain);
            }
            Ok(())
        }
        Command::ListRules => {
            let chains: Vec<NatChain> = match chain {
                Some(c) => vec![c],
                None => NatChain::ALL.to_vec(),
            };
            if let (Some(n), Some(c)) = (p.rulenum, chain) {
                if let Some(r) = n.checked_sub(1).and_then(|i| nf.nat_rules(c).get(i)) {
                    out.out(print::save_line(c.name(), r));
                }
                return Ok(());
            }
            for c in &chains {
                out.out(format!("-P {} ACCEPT\n", c.name()));
            }
            for c in chains {
                for r in nf.nat_rules(c) {
                    out.out(print::save_line(c.name(), r));
                }
            }
            Ok(())
        }
        Command::Policy(ref target) => match target.as_str() {
            "ACCEPT" => Ok(()),
            "DROP" => Err(Fail::unmodelled("a DROP policy")),
            _ => Err(Fail::kernel(
                "Bad policy name. Run `dmesg' for more information.",
            )),
        },
        Command::DeleteChain => match chain {
            // Built-in chains cannot go; with none named, every user chain goes: there is none.
            None => Ok(()),
            Some(_) => Err(Fail::param("Cannot delete built-in chain")),
        },
        Command::Help | Command::Version => Ok(()),
    }
}

/// The filter table: listed as the kernel has it in a fresh namespace (three empty chains,
/// policy ACCEPT); its rules are not modelled.
fn filter(p: &Parsed, out: &mut Output) -> Result<(), Fail> {
    const CHAINS: [&str; 3] = ["INPUT", "FORWARD", "OUTPUT"];
    let chain = match p.chain.as_deref() {
        None => None,
        Some(c) if CHAINS.contains(&c) => Some(c),
        Some(c) => {
            return Err(match p.command {
                Command::List | Command::ListRules => Fail {
                    msg: format!(
                        "{PROG}: chain `{c}' in table `filter' is incompatible, use 'nft' tool.\n"
                    ),
                    code: 1,
                },
                _ => Fail::kernel("No chain/target/match by that name."),
            })
        }
    };
    let chains: Vec<&str> = match chain {
        Some(c) => vec![c],
        None => CHAINS.to_vec(),
    };
    match p.command {
        Command::List | Command::ListZero => {
            if p.rulenum.is_some() {
                return Ok(());
            }
            for (i, c) in chains.iter().enumerate() {
                if i > 0 {
                    out.out("\n");
                }
                out.out(print::chain_header(c, &p.fmt));
            }
            Ok(())
        }
        Command::ListRules => {
            if p.rulenum.is_some() {
                return Ok(());
            }
            for c in chains {
                out.out(format!("-P {c} ACCEPT\n"));
            }
            Ok(())
        }
        Command::Flush | Command::Zero => Ok(()),
        Command::Delete(Some(_)) => Err(Fail::kernel("Index of deletion too big.")),
        Command::Delete(None) | Command::Check => Err(Fail::kernel(
            "Bad rule (does a matching rule exist in that chain?).",
        )),
        Command::Policy(ref t) if t == "ACCEPT" => Ok(()),
        Command::DeleteChain if chain.is_none() => Ok(()),
        _ => Err(Fail::unmodelled("the filter table's rules")),
    }
}
