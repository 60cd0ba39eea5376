//! `sudo` inside a lab: the user already acts as root there, so sudo runs its command at once,
//! keeping the lab's PATH (the host's `secure_path` would lead past the lab's tools). Its
//! options are read as sudo 1.9 reads them; those about other users, passwords and
//! credentials change nothing in a lab.

use std::os::unix::process::CommandExt;

/// sudo's usage text, as `sudo` without a command prints it.
const USAGE: &str = "usage: sudo -h | -K | -k | -V
usage: sudo -v [-ABkNnS] [-g group] [-h host] [-p prompt] [-u user]
usage: sudo -l [-ABkNnS] [-g group] [-h host] [-p prompt] [-U user]
            [-u user] [command [arg ...]]
usage: sudo [-ABbEHkNnPS] [-r role] [-t type] [-C num] [-D directory]
            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]
            [-u user] [VAR=value] [-i | -s] [command [arg ...]]
usage: sudo -e [-ABkNnS] [-r role] [-t type] [-C num] [-D directory]
            [-g group] [-h host] [-p prompt] [-R directory] [-T timeout]
            [-u user] file ...
";

/// Options that take a value (short and long forms).
const WITH_VALUE: &[&str] = &[
    "-C",
    "-D",
    "-g",
    "-h",
    "-p",
    "-R",
    "-r",
    "-T",
    "-t",
    "-U",
    "-u",
    "--close-from",
    "--chdir",
    "--group",
    "--host",
    "--prompt",
    "--chroot",
    "--role",
    "--command-timeout",
    "--type",
    "--other-user",
    "--user",
];

/// Runs `sudo ARGS`; returns only when the command could not be started.
pub fn run(args: &[String]) -> i32 {
    let mut i = 0;
    let mut login = false;
    let mut shell = false;
    let mut chdir = None;
    let mut only_flags = false;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        if let Some((opt, val)) = a.split_once('=').filter(|(o, _)| o.starts_with("--")) {
            if opt == "--chdir" {
                chdir = Some(val.to_string());
            }
            i += 1;
            continue;
        }
        if WITH_VALUE.contains(&a) {
            let Some(v) = args.get(i + 1) else {
                eprintln!(
                    "sudo: option requires an argument -- '{}'",
                    a.trim_start_matches('-')
                );
                eprint!("{USAGE}");
                return 1;
            };
            if a == "-D" || a == "--chdir" {
                chdir = Some(v.clone());
            }
            i += 2;
            continue;
        }
        match a {
            "-i" | "--login" => login = true,
            "-s" | "--shell" => shell = true,
            "-k" | "-K" | "-v" | "--reset-timestamp" | "--remove-timestamp" | "--validate" => {
                only_flags = true
            }
            "-V" | "--version" => {
                println!("Sudo version 1.9.13p3 (the lab's: commands run as the lab's root)");
                return 0;
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return 0;
            }
            "-l" | "--list" => {
                println!(
                    "User root may run the following commands in this lab:\n    (ALL : ALL) ALL"
                );
                return 0;
            }
            _ if a.starts_with("--") => {}
            _ => {
                // Bundled short flags (-E, -EH, -nE, ...): none of them changes anything here
                // but -i and -s.
                login |= a.contains('i');
                shell |= a.contains('s');
            }
        }
        i += 1;
    }
    // VAR=value before the command sets it for the command.
    let mut env = Vec::new();
    while let Some((k, v)) = args.get(i).and_then(|a| a.split_once('=')) {
        if k.is_empty() || k.contains('/') {
            break;
        }
        env.push((k.to_string(), v.to_string()));
        i += 1;
    }
    let cmd = &args[i.min(args.len())..];
    if cmd.is_empty() && !login && !shell {
        if only_flags {
            return 0;
        }
        eprint!("{USAGE}");
        return 1;
    }
    let sh = std::env::var("SHELL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/bash".into());
    let mut command = if login || shell {
        let mut c = std::process::Command::new(&sh);
        if login {
            // A login shell would read /etc/profile and lose the lab's PATH: the lab's tools
            // stay first.
            if let Some(home) = std::env::var_os("HOME") {
                let _ = std::env::set_current_dir(home);
            }
        }
        if !cmd.is_empty() {
            c.arg("-c").arg(shell_words(cmd));
        }
        c
    } else {
        let mut c = std::process::Command::new(&cmd[0]);
        c.args(&cmd[1..]);
        c
    };
    if let Some(dir) = chdir {
        command.current_dir(dir);
    }
    command.envs(env);
    let err = command.exec();
    let prog = if login || shell { sh.as_str() } else { &cmd[0] };
    match err.kind() {
        std::io::ErrorKind::NotFound => eprintln!("sudo: {prog}: command not found"),
        _ => eprintln!("sudo: unable to execute {prog}: {err}"),
    }
    1
}

/// The command as one line for `SHELL -c`, each word escaped as sudo escapes them.
fn shell_words(words: &[String]) -> String {
    let mut out = String::new();
    for (n, w) in words.iter().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        for c in w.chars() {
            if !(c.is_ascii_alphanumeric() || "_-$".contains(c)) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// What a network tool that l2lab does not model says inside a lab: nothing reaches the host.
pub fn unmodelled(tool: &str) -> i32 {
    eprintln!(
        "{tool}: l2lab does not model {tool} yet: nothing was changed (a lab's network is its own; the host's is never touched)"
    );
    1
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn words_are_escaped_for_the_shell() {
        assert_eq!(
            shell_words(&["ip".into(), "link".into(), "a b".into()]),
            "ip link a\\ b"
        );
    }
}
