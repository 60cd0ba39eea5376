//! `sysctl` (procps-ng 4.0.2): read and write the namespace's sysctls that the lab models
//! (`net.ipv4.ip_forward`, `net.ipv4.conf.*.forwarding`, `net.ipv6.conf.*.disable_ipv6`,
//! `net.ipv6.conf.*.forwarding`).
//! Reads add up their failures into the exit status, writes OR them, as procps does.

use l2lab_sim::Lab;

use crate::cmd::{Env, Output};
use crate::proto::FileText;

const USAGE: &str = "
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
      --deprecated     include deprecated parameters to listing
      --dry-run        Print the key and values but do not write
  -b, --binary         print value without new line
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -p, --load[=<file>]  read values from file
  -f                   alias of -p
      --system         read values from all system directories
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see sysctl(8).
";

/// What the options asked for.
#[derive(Debug, Default)]
struct Opts {
    write: bool,
    quiet: bool,
    ignore: bool,
    names_only: bool,
    values_only: bool,
    binary: bool,
    dry_run: bool,
    all: bool,
    load: Option<Option<String>>,
}

/// A `key=value` setting from the command line or a file.
#[derive(Debug, PartialEq, Eq)]
struct Setting {
    key: String,
    value: String,
    ignore_failure: bool,
}

/// procps's parse_setting_line: `[-]key = value`, whitespace around both trimmed.
fn parse_setting(line: &str) -> Option<Setting> {
    let line = line.trim_start();
    let (ignore_failure, line) = match line.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (k, v) = line.split_once('=')?;
    Some(Setting {
        key: k.trim().to_string(),
        value: v.trim().to_string(),
        ignore_failure,
    })
}

/// The name as printed: `net/ipv4/ip_forward` becomes `net.ipv4.ip_forward`.
fn display_name(key: &str) -> String {
    if key.contains('/') {
        key.replace('/', ".")
    } else {
        key.to_string()
    }
}

/// The /proc/sys path of a key, as the error messages show it.
fn proc_path(key: &str) -> String {
    if key.contains('/') {
        format!("/proc/sys/{}", key.trim_start_matches('/'))
    } else {
        format!("/proc/sys/{}", key.replace('.', "/"))
    }
}

/// The key with slashes, so a dotted lookup of `net/ipv4/conf/eth0.100/forwarding` works.
fn lookup_key(key: &str) -> String {
    if key.contains('/') {
        key.trim_start_matches('/').to_string()
    } else {
        key.replace('.', "/")
    }
}

/// The kernel's proc_dointvec: an optionally signed decimal integer that fits a C int
/// (anything larger is EINVAL, not cut down).
fn parse_int(v: &str) -> Option<i64> {
    let v = v.trim();
    let digits = v.strip_prefix('-').unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<i32>().ok().map(i64::from)
}

/// `sysctl -a`: every sysctl the lab models in the namespace, by name.
fn show_all(o: &Opts, env: &Env, lab: &Lab, out: &mut Output) -> i32 {
    let devs: Vec<String> = ["all", "default"]
        .into_iter()
        .map(String::from)
        .chain(
            lab.links(env.ns)
                .into_iter()
                .filter_map(|l| lab.iface(l).map(|i| i.name.clone())),
        )
        .collect();
    let mut keys: Vec<String> = [
        "net.ipv4.icmp_echo_ignore_all",
        "net.ipv4.icmp_echo_ignore_broadcasts",
        "net.ipv4.ip_forward",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for d in &devs {
        keys.push(format!("net.ipv4.conf.{d}.forwarding"));
        keys.push(format!("net.ipv6.conf.{d}.disable_ipv6"));
        keys.push(format!("net.ipv6.conf.{d}.forwarding"));
    }
    keys.sort();
    for k in keys {
        if let Some(v) = lab.sysctl_get(env.ns, &lookup_key(&k)) {
            print_setting(&k, &v, o, out);
        }
    }
    0
}

fn read_setting(key: &str, o: &Opts, env: &Env, lab: &Lab, out: &mut Output) -> i32 {
    if key.is_empty() {
        out.err("sysctl: \"\" is an unknown key\n");
        return 255;
    }
    let Some(value) = lab.sysctl_get(env.ns, &lookup_key(key)) else {
        if o.ignore {
            return 0;
        }
        out.err(format!(
            "sysctl: cannot stat {}: No such file or directory\n",
            proc_path(key)
        ));
        return 1;
    };
    print_setting(&display_name(key), &value, o, out);
    0
}

fn print_setting(name: &str, value: &str, o: &Opts, out: &mut Output) {
    if o.names_only {
        out.out(format!("{name}\n"));
    } else if o.values_only {
        out.out(value);
        if !o.binary {
            out.out("\n");
        }
    } else if o.binary {
        out.out(value);
    } else {
        out.out(format!("{name} = {value}\n"));
    }
}

fn write_setting(s: &Setting, o: &Opts, env: &Env, lab: &mut Lab, out: &mut Output) -> i32 {
    if s.key.is_empty() {
        out.err("sysctl: Path is not under /proc/sys/: /proc/sys/\n");
        return 1;
    }
    let lk = lookup_key(&s.key);
    let fail = if s.ignore_failure { 0 } else { 1 };
    if lab.sysctl_get(env.ns, &lk).is_none() {
        if o.ignore {
            return 0;
        }
        out.err(format!(
            "sysctl: cannot stat {}: No such file or directory\n",
            proc_path(&s.key)
        ));
        return fail;
    }
    let Some(v) = parse_int(&s.value) else {
        out.err(format!(
            "sysctl: setting key \"{}\": Invalid argument\n",
            display_name(&s.key)
        ));
        return fail;
    };
    if !o.dry_run && lab.sysctl_set(env.ns, &lk, &v.to_string()).is_err() {
        out.err(format!(
            "sysctl: setting key \"{}\": Invalid argument\n",
            display_name(&s.key)
        ));
        return fail;
    }
    if !o.quiet {
        print_setting(&display_name(&s.key), &s.value, o, out);
    }
    0
}

/// `sysctl -p FILE`: every line parsed first (syntax errors reported), then written.
fn load_file(
    path: &str,
    files: &[FileText],
    o: &Opts,
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> i32 {
    // The tool read the file; the lab opens nothing a client names.
    let text = match files.iter().find(|f| f.name == path).map(|f| &f.text) {
        Some(Ok(t)) => t,
        Some(Err(why)) => {
            out.err(format!("sysctl: cannot open \"{path}\": {why}\n"));
            return 1;
        }
        None => {
            out.err(format!(
                "sysctl: cannot open \"{path}\": No such file or directory\n"
            ));
            return 1;
        }
    };
    let mut rc = 0;
    let mut settings = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        match parse_setting(t) {
            Some(s) => settings.push(s),
            None => {
                out.err(format!(
                    "sysctl: {path}({}): invalid syntax, continuing...\n",
                    n + 1
                ));
                rc = 1;
            }
        }
    }
    for s in &settings {
        rc |= write_setting(s, o, env, lab, out);
    }
    rc
}

/// Parses argv like procps (getopt_long): the options and the operands, or the status when
/// the command line alone ends the command (`--help`, a bad option).
fn parse<'a>(argv: &'a [String], out: &mut Output) -> Result<(Opts, Vec<&'a str>), i32> {
    let mut o = Opts::default();
    let mut operands: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        if a == "--" {
            operands.extend(argv[i..].iter().map(String::as_str));
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "write" => o.write = true,
                "quiet" => o.quiet = true,
                "ignore" => o.ignore = true,
                "names" => o.names_only = true,
                "values" => o.values_only = true,
                "binary" => o.binary = true,
                "dry-run" => o.dry_run = true,
                "all" => o.all = true,
                "load" => o.load = Some(val),
                "help" => {
                    out.out(USAGE);
                    return Err(0);
                }
                "version" => {
                    out.out("sysctl from procps-ng 4.0.2\n");
                    return Err(0);
                }
                _ => {
                    out.err(format!("sysctl: unrecognized option '{a}'\n"));
                    out.out(USAGE);
                    return Err(0);
                }
            }
            continue;
        }
        let Some(shorts) = a.strip_prefix('-').filter(|s| !s.is_empty()) else {
            operands.push(a);
            continue;
        };
        for (j, c) in shorts.char_indices() {
            match c {
                'w' => o.write = true,
                'q' => o.quiet = true,
                'e' => o.ignore = true,
                'N' => o.names_only = true,
                'n' => o.values_only = true,
                'b' => o.binary = true,
                'o' | 'x' => {}
                'a' | 'A' | 'X' => o.all = true,
                'p' | 'f' => {
                    // An optional argument: only attached (`-p/file`), or the next word.
                    let rest = &shorts[j + 1..];
                    o.load = Some(if !rest.is_empty() {
                        Some(rest.to_string())
                    } else {
                        None
                    });
                    break;
                }
                'h' | 'd' => {
                    out.out(USAGE);
                    return Err(0);
                }
                'V' => {
                    out.out("sysctl from procps-ng 4.0.2\n");
                    return Err(0);
                }
                _ => {
                    // procps prints the usage on stdout and exits 0 here (measured).
                    out.err(format!("sysctl: invalid option -- '{c}'\n"));
                    out.out(USAGE);
                    return Err(0);
                }
            }
        }
    }
    Ok((o, operands))
}

/// The files `sysctl ARGS...` loads (`-p`), as named: the tool reads them itself and hands
/// their text to the lab ([`crate::proto::FileText`]).
pub fn files_to_load(argv: &[String]) -> Vec<String> {
    match parse(argv, &mut Output::default()) {
        Ok((o, operands)) => load_list(&o, &operands),
        Err(_) => Vec::new(),
    }
}

fn load_list(o: &Opts, operands: &[&str]) -> Vec<String> {
    match o.load.clone() {
        // procps takes the operands as the files when -p had none attached.
        Some(Some(f)) => vec![f],
        Some(None) if !operands.is_empty() => operands.iter().map(|s| s.to_string()).collect(),
        Some(None) => vec!["/etc/sysctl.conf".to_string()],
        None => Vec::new(),
    }
}

/// Runs `sysctl ARGS...` in `env` with the text of the files it loads, read by the tool;
/// returns the exit status.
pub fn main(
    argv: &[String],
    files: &[FileText],
    env: &Env,
    lab: &mut Lab,
    out: &mut Output,
) -> i32 {
    let (o, operands) = match parse(argv, out) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if o.load.is_some() {
        let mut rc = 0;
        for f in load_list(&o, &operands) {
            rc |= load_file(&f, files, &o, env, lab, out);
        }
        return rc;
    }
    if o.all && operands.is_empty() {
        return show_all(&o, env, lab, out);
    }
    if operands.is_empty() {
        if o.write || o.values_only || o.names_only || o.quiet || o.ignore || o.binary {
            out.err("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
        } else {
            out.err(USAGE);
        }
        return 1;
    }
    let mut rc = 0;
    for a in operands {
        if o.write || a.contains('=') {
            match parse_setting(a) {
                Some(s) => rc |= write_setting(&s, &o, env, lab, out),
                None => {
                    out.err("sysctl: command line(0): invalid syntax, continuing...\n");
                    rc |= 1;
                }
            }
        } else {
            rc += read_setting(a, &o, env, lab, out);
        }
    }
    rc
}

#[cfg(test)]
mod test {
    use super::*;

    fn run(lab: &mut Lab, args: &[&str]) -> (String, String, i32) {
        let env = Env {
            ns: l2lab_sim::NsId::INIT,
            ns_name: String::new(),
            pid: 1,
            tty: false,
        };
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut out = Output::default();
        let rc = main(&argv, &[], &env, lab, &mut out);
        (out.stdout, out.stderr, rc)
    }

    #[test]
    fn settings_are_trimmed() {
        assert_eq!(
            parse_setting(" -net.ipv4.ip_forward = 1 "),
            Some(Setting {
                key: "net.ipv4.ip_forward".into(),
                value: "1".into(),
                ignore_failure: true
            })
        );
        assert_eq!(parse_setting("net.ipv4.ip_forward"), None);
        assert_eq!(display_name("net/ipv4/ip_forward"), "net.ipv4.ip_forward");
        assert_eq!(proc_path("net.ipv4.nosuch"), "/proc/sys/net/ipv4/nosuch");
    }

    #[test]
    fn read_and_write_like_procps() {
        let mut lab = Lab::new();
        // Outputs captured from procps-ng 4.0.2 on Debian 12.
        assert_eq!(
            run(&mut lab, &["net.ipv4.ip_forward"]),
            ("net.ipv4.ip_forward = 0\n".into(), String::new(), 0)
        );
        assert_eq!(
            run(&mut lab, &["-w", "net.ipv4.ip_forward=1"]),
            ("net.ipv4.ip_forward = 1\n".into(), String::new(), 0)
        );
        assert_eq!(
            run(&mut lab, &["-n", "net/ipv4/conf/all/forwarding"]),
            ("1\n".into(), String::new(), 0)
        );
        assert_eq!(
            run(&mut lab, &["net.ipv4.nosuch", "net.ipv4.nosuch2"]),
            (
                String::new(),
                "sysctl: cannot stat /proc/sys/net/ipv4/nosuch: No such file or directory\n\
                 sysctl: cannot stat /proc/sys/net/ipv4/nosuch2: No such file or directory\n"
                    .into(),
                2
            )
        );
        assert_eq!(
            run(&mut lab, &["-w", "net.ipv4.ip_forward"]),
            (
                String::new(),
                "sysctl: command line(0): invalid syntax, continuing...\n".into(),
                1
            )
        );
        assert_eq!(
            run(&mut lab, &["-wq", "net.ipv4.ip_forward=abc"]),
            (
                String::new(),
                "sysctl: setting key \"net.ipv4.ip_forward\": Invalid argument\n".into(),
                1
            )
        );
        assert_eq!(run(&mut lab, &["-e", "net.ipv4.nosuch"]).2, 0);
    }
}
