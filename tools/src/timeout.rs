//! `timeout` in virtual time (GNU coreutils 9.1's grammar): runs its command and, when the
//! duration has passed on the lab's clock, sends it the signal. On the real clock the lab
//! leaves the host's `timeout` in place, as it does `sleep`.

use std::os::unix::process::ExitStatusExt;
use std::sync::mpsc;

/// The ways the wait can end.
enum Ended {
    /// The command ended by itself, with this status.
    Command(std::process::ExitStatus),
    /// The duration passed on the lab's clock.
    Time,
}

const USAGE: &str = "Try 'timeout --help' for more information.\n";

/// A signal by name (`TERM`, `SIGKILL`, `kill`) or number.
fn signal(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse::<i32>() {
        return (0..65).contains(&n).then_some(n);
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    Some(match name {
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "KILL" => libc::SIGKILL,
        "USR1" => libc::SIGUSR1,
        "USR2" => libc::SIGUSR2,
        "ALRM" => libc::SIGALRM,
        "TERM" => libc::SIGTERM,
        "CONT" => libc::SIGCONT,
        "STOP" => libc::SIGSTOP,
        _ => return None,
    })
}

/// A duration as timeout reads it: a number with an optional s/m/h/d suffix.
fn duration(s: &str) -> Option<f64> {
    let (num, mult) = match s.char_indices().last()? {
        (i, 's') => (&s[..i], 1.0),
        (i, 'm') => (&s[..i], 60.0),
        (i, 'h') => (&s[..i], 3600.0),
        (i, 'd') => (&s[..i], 86400.0),
        _ => (s, 1.0),
    };
    let v: f64 = num.parse().ok()?;
    (v >= 0.0 && v.is_finite()).then_some(v * mult)
}

/// Waits `secs` (or for ever) on the lab's clock; false when the lab could not be asked.
fn lab_sleep(secs: Option<f64>) -> bool {
    let arg = secs.map_or_else(|| "infinity".to_string(), |s| format!("{s}"));
    matches!(crate::client::ask("sleep", vec![arg]), Ok((0, _)))
}

/// Runs `timeout ARGS`; returns its exit status.
pub fn run(args: &[String]) -> i32 {
    let mut sig = libc::SIGTERM;
    let mut kill_after: Option<f64> = None;
    let mut preserve = false;
    let mut verbose = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" || a.parse::<f64>().is_ok() {
            break;
        }
        let (opt, inline) = match a.split_once('=') {
            Some((o, v)) if o.starts_with("--") => (o, Some(v.to_string())),
            _ if a.len() > 2 && !a.starts_with("--") => (&a[..2], Some(a[2..].to_string())),
            _ => (a, None),
        };
        let mut value = || {
            inline.clone().or_else(|| {
                i += 1;
                args.get(i).cloned()
            })
        };
        match opt {
            "-s" | "--signal" => {
                let v = value().unwrap_or_default();
                let Some(s) = signal(&v) else {
                    eprint!("timeout: '{v}': invalid signal\n{USAGE}");
                    return 125;
                };
                sig = s;
            }
            "-k" | "--kill-after" => {
                let v = value().unwrap_or_default();
                let Some(d) = duration(&v) else {
                    eprint!("timeout: invalid time interval '{v}'\n{USAGE}");
                    return 125;
                };
                kill_after = Some(d);
            }
            "--preserve-status" => preserve = true,
            "--foreground" => {}
            "-v" | "--verbose" => verbose = true,
            _ => {
                eprint!(
                    "timeout: invalid option -- '{}'\n{USAGE}",
                    a.trim_start_matches('-')
                );
                return 125;
            }
        }
        i += 1;
    }
    let Some(d) = args.get(i) else {
        eprint!("{USAGE}");
        return 125;
    };
    let Some(secs) = duration(d) else {
        eprint!("timeout: invalid time interval '{d}'\n{USAGE}");
        return 125;
    };
    let Some(prog) = args.get(i + 1) else {
        eprint!("{USAGE}");
        return 125;
    };
    let mut child = match std::process::Command::new(prog)
        .args(&args[i + 2..])
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            let nf = e.kind() == std::io::ErrorKind::NotFound;
            eprintln!(
                "timeout: failed to run command '{prog}': {}",
                crate::client::errno_text(&e)
            );
            return if nf { 127 } else { 126 };
        }
    };
    let pid = child.id() as i32;
    let (tx, rx) = mpsc::channel();
    // While it waits for its command, this process is a command of the lab's for as long as
    // it lives: the lab's clock may then move on without waiting for it to ask anything.
    std::thread::spawn(|| lab_sleep(None));
    if secs > 0.0 {
        let t = tx.clone();
        std::thread::spawn(move || {
            if lab_sleep(Some(secs)) {
                let _ = t.send(Ended::Time);
            }
        });
    }
    std::thread::spawn(move || {
        if let Ok(st) = child.wait() {
            let _ = tx.send(Ended::Command(st));
        }
    });
    let status_of =
        |st: std::process::ExitStatus| st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0));
    match rx.recv() {
        Ok(Ended::Command(st)) => status_of(st),
        Ok(Ended::Time) => {
            if verbose {
                eprintln!(
                    "timeout: sending signal {} to command '{prog}'",
                    sig_name(sig)
                );
            }
            // SAFETY: kill(2) on the child this process started.
            unsafe { libc::kill(pid, sig) };
            if sig == libc::SIGKILL {
                // coreutils signals its whole process group, itself included: KILL ends it
                // too, and the shell reports it killed.
                let _ = signal_hook::low_level::emulate_default_handler(libc::SIGKILL);
            }
            if let Some(k) = kill_after {
                // The first signal may not end it: KILL after the grace, on the lab's clock.
                std::thread::spawn(move || {
                    if lab_sleep(Some(k)) {
                        // SAFETY: as above.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                    }
                });
            }
            loop {
                match rx.recv() {
                    Ok(Ended::Command(st)) => {
                        break if preserve {
                            status_of(st)
                        } else if st.signal() == Some(libc::SIGKILL) {
                            137
                        } else {
                            124
                        };
                    }
                    Ok(Ended::Time) => continue,
                    Err(_) => break 124,
                }
            }
        }
        Err(_) => 125,
    }
}

fn sig_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGHUP => "HUP",
        libc::SIGINT => "INT",
        libc::SIGQUIT => "QUIT",
        libc::SIGKILL => "KILL",
        libc::SIGUSR1 => "USR1",
        libc::SIGUSR2 => "USR2",
        libc::SIGALRM => "ALRM",
        libc::SIGCONT => "CONT",
        libc::SIGSTOP => "STOP",
        _ => "TERM",
    }
}

/// `date` in virtual time: the host's date, told that now is the lab's time (`-d @T`), unless
/// the command names its own time (`-d`, `-r`, `-f`, `-s`).
pub fn date(args: &[String]) -> i32 {
    use std::os::unix::process::CommandExt;
    let Some(real) = crate::sandbox::real_program("date") else {
        eprintln!("date: l2lab found no date program on this host to format the lab's time");
        return 1;
    };
    let own_time = args.iter().take_while(|a| *a != "--").any(|a| {
        let long = ["--date", "--reference", "--file", "--set"];
        long.iter().any(|l| a.starts_with(l))
            || (a.starts_with('-') && !a.starts_with("--") && a[1..].contains(['d', 'r', 'f', 's']))
    });
    let mut cmd = std::process::Command::new(&real);
    cmd.arg0("date");
    if !own_time {
        match crate::client::ask("__ns", vec!["clock".into()]) {
            Ok((0, now)) => {
                cmd.arg("-d").arg(format!("@{}", now.trim()));
            }
            _ => {
                eprintln!("date: lost the lab");
                return 1;
            }
        }
    }
    let err = cmd.args(args).exec();
    eprintln!("date: {err}");
    1
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn signals_and_durations_read_as_coreutils_reads_them() {
        assert_eq!(signal("TERM"), Some(libc::SIGTERM));
        assert_eq!(signal("sigkill"), Some(libc::SIGKILL));
        assert_eq!(signal("9"), Some(9));
        assert_eq!(signal("BOGUS"), None);
        assert_eq!(duration("1.5m"), Some(90.0));
        assert_eq!(duration("2"), Some(2.0));
        assert_eq!(duration("-1"), None);
    }
}
