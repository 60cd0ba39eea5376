//! `bridge` (iproute2 6.1): global options, then `link`, `fdb` or `vlan`, each in its own
//! file (bridge/bridge.c, bridge/link.c, bridge/fdb.c, bridge/vlan.c).

pub mod fdb;
pub mod json;
pub mod link;
pub mod monitor;
pub mod vlan;

use l2lab_sim::{Lab, LabError};

use crate::cmd::{Env, Output, Session, Started};
use crate::ip::common::matches;

/// bridge's global options.
#[derive(Debug, Clone, Default)]
pub struct Opts {
    /// `-s`, counted.
    pub stats: u32,
    /// `-d`, counted.
    pub details: u32,
    /// `-o`: one line per record (`\` where a line would break).
    pub oneline: bool,
    /// `-j`.
    pub json: bool,
    /// `-p` (with -j).
    pub pretty: bool,
}

const USAGE: &str = "Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }
       bridge [ -force ] -batch filename
where  OBJECT := { link | fdb | mdb | vlan | monitor }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |
                    -o[neline] | -t[imestamp] | -n[etns] name |
                    -c[ompressvlans] -color -p[retty] -j[son] }
";

/// What a failed command exits with: iproute2 returns -1 or calls exit(-1).
pub const FAIL: i32 = 255;

/// Starts `bridge ARGS...` in `env`: `bridge monitor fdb` runs on, everything else is over
/// at once.
pub fn start(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> Started {
    crate::cmd::with_session(|s| run_bridge(argv, env, lab, out, s))
}

/// Runs `bridge ARGS...` in `env`; returns the exit status (a monitor ends at once).
#[cfg(test)]
pub fn main(argv: &[String], env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    run_bridge(argv, env, lab, out, &mut None)
}

fn run_bridge(
    argv: &[String],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
    session: &mut Option<Box<dyn Session>>,
) -> i32 {
    let mut opts = Opts::default();
    let mut env = env.clone();
    let mut i = 0;
    while i < argv.len() {
        let raw = argv[i].as_str();
        if raw == "--" {
            i += 1;
            break;
        }
        if !raw.starts_with('-') {
            break;
        }
        let opt = if raw.starts_with("--") {
            &raw[1..]
        } else {
            raw
        };
        let color = opt.split('=').next().unwrap_or("");
        if matches(opt, "-help") {
            out.err(USAGE);
            return FAIL;
        } else if matches(opt, "-Version") {
            out.out("bridge utility, 6.1.0\n");
            return 0;
        } else if matches(opt, "-stats") || matches(opt, "-statistics") {
            opts.stats += 1;
        } else if matches(opt, "-details") {
            opts.details += 1;
        } else if matches(opt, "-oneline") {
            opts.oneline = true;
        } else if matches(opt, "-timestamp") || matches(opt, "-force") {
        } else if matches(opt, "-family") {
            i += 1;
            match argv.get(i).map(String::as_str) {
                Some("inet") | Some("inet6") => {}
                None | Some("help") => {
                    out.err(USAGE);
                    return FAIL;
                }
                Some(f) => {
                    out.err(format!(
                        "Error: argument \"{f}\" is wrong: invalid protocol family\n"
                    ));
                    return FAIL;
                }
            }
        } else if opt == "-4" || opt == "-6" {
        } else if matches(opt, "-netns") {
            i += 1;
            let Some(name) = argv.get(i) else {
                out.err("Command line is not complete. Try option \"help\"\n");
                return FAIL;
            };
            match lab.netns(name) {
                Ok(ns) if !name.is_empty() => {
                    env.ns = ns;
                    env.ns_name = name.clone();
                }
                _ => {
                    out.err(format!(
                        "Cannot open network namespace \"{name}\": No such file or directory\n"
                    ));
                    return FAIL;
                }
            }
        } else if matches(color, "-color") || matches(opt, "-compressvlans") {
            // Colour is for terminals; VLANs are not modelled.
        } else if matches(opt, "-json") {
            opts.json = true;
        } else if matches(opt, "-pretty") {
            opts.pretty = true;
        } else if matches(opt, "-batch") {
            out.err("bridge: -batch is not supported by this lab\n");
            return FAIL;
        } else {
            out.err(format!(
                "Option \"{opt}\" is unknown, try \"bridge help\".\n"
            ));
            return FAIL;
        }
        i += 1;
    }
    let rest = &argv[i.min(argv.len())..];
    let Some(obj) = rest.first() else {
        out.err(USAGE);
        return FAIL;
    };
    let args = &rest[1..];
    let o = obj.as_str();
    if matches(o, "link") {
        link::run(args, &opts, &env, lab, out)
    } else if matches(o, "fdb") {
        fdb::run(args, &opts, &env, lab, out)
    } else if matches(o, "vlan") {
        vlan::run(args, &opts, &env, lab, out)
    } else if matches(o, "mdb") || matches(o, "vni") {
        // No multicast groups or VNIs are modelled: the kernel's dumps would be empty.
        if opts.json {
            out.out("[]\n");
        }
        0
    } else if matches(o, "monitor") {
        match monitor::start(args, &env, lab, out) {
            Ok(s) => {
                *session = Some(s);
                0
            }
            Err(code) => code,
        }
    } else if matches(o, "help") {
        out.err(USAGE);
        FAIL
    } else {
        out.err(format!("Object \"{o}\" is unknown, try \"bridge help\".\n"));
        FAIL
    }
}

/// `RTNETLINK answers: ...` for an error from the lab, as the kernel's errno reads.
pub fn rtnl_error(e: &LabError) -> String {
    let msg = match e {
        LabError::Exists(_) => "File exists",
        LabError::NoSuchDevice(_) => "No such device",
        LabError::NotFound(_) => "No such file or directory",
        LabError::InvalidArgument(s) if s == "ERANGE" => "Numerical result out of range",
        LabError::InvalidArgument(_) => "Invalid argument",
        LabError::NotSupported(_) | LabError::NotABridge(_) | LabError::NotAPort(_) => {
            "Operation not supported"
        }
        _ => "Invalid argument",
    };
    format!("RTNETLINK answers: {msg}\n")
}

/// C's atoi: leading blanks, a sign, digits; anything else ends it.
pub fn atoi(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for c in t.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    if neg {
        -n
    } else {
        n
    }
}

/// iproute2's `parse_on_off`: the first of `off`, `on` that the argument abbreviates.
pub fn parse_on_off(key: &str, v: &str, out: &mut Output) -> Option<bool> {
    if matches(v, "off") {
        Some(false)
    } else if matches(v, "on") {
        Some(true)
    } else {
        out.err(format!(
            "Error: argument of \"{key}\" must be one of \"off\", \"on\", not \"{v}\"\n"
        ));
        None
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn on_off_takes_abbreviations_off_first() {
        let mut o = Output::default();
        assert_eq!(parse_on_off("learning", "of", &mut o), Some(false));
        assert_eq!(parse_on_off("learning", "o", &mut o), Some(false));
        assert_eq!(parse_on_off("learning", "on", &mut o), Some(true));
        assert_eq!(parse_on_off("learning", "yes", &mut o), None);
        assert_eq!(
            o.stderr,
            "Error: argument of \"learning\" must be one of \"off\", \"on\", not \"yes\"\n"
        );
    }
}
