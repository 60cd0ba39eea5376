//! Knowing when a script is waiting: in virtual time the lab's clock may only jump ahead when
//! every process of the script is asleep (blocked in a lab command, in `wait`, on a pipe) and
//! nothing is on its way to the lab. The process tree is read from /proc.

use std::fs;

/// The descendants of `root`, `root` included (through /proc/PID/task/TID/children).
pub fn tree(root: i32) -> Vec<i32> {
    let mut out = vec![];
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        out.push(pid);
        for t in tasks.flatten() {
            let path = t.path().join("children");
            if let Ok(text) = fs::read_to_string(path) {
                todo.extend(
                    text.split_whitespace()
                        .filter_map(|c| c.parse::<i32>().ok()),
                );
            }
        }
    }
    out
}

/// Is every thread of `pid` blocked? A thread is when its state says it sleeps (S, D), and the
/// kernel names where (`wchan`): a thread that set itself sleeping but has not yet blocked, or
/// that was just woken, reads S with wchan 0. Gone, zombie and stopped threads count as
/// blocked.
fn blocked(pid: i32) -> bool {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return true;
    };
    tasks.flatten().all(|t| {
        let Ok(stat) = fs::read_to_string(t.path().join("stat")) else {
            return true;
        };
        // The state follows the command name, which may itself hold spaces and parens.
        let state = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].trim_start().bytes().next());
        match state {
            None | Some(b'Z' | b'X' | b'T' | b't') => true,
            Some(b'S' | b'D' | b'I') => fs::read_to_string(t.path().join("wchan"))
                .map_or(true, |w| !w.trim().is_empty() && w.trim() != "0"),
            Some(_) => false,
        }
    })
}

/// True when every thread of every process under `root` is asleep or gone, and every lab
/// client among them (a process running `exe`) is one whose command the lab is running: a
/// client the lab has not heard from yet, or that has its answer but not yet read it, is
/// about to act, however asleep it looks.
pub fn all_asleep(root: i32, exe: &std::path::Path, running: &dyn Fn(i32) -> bool) -> bool {
    tree(root)
        .into_iter()
        .all(|pid| blocked(pid) && (running(pid) || !is_client(pid, exe)))
}

/// Is `pid` running the l2lab binary (a tutorial command's client)?
fn is_client(pid: i32, exe: &std::path::Path) -> bool {
    fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|p| p == exe)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_sleeping_child_is_asleep_and_we_are_not() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        // Give it a moment to reach its nanosleep.
        let mut ok = false;
        let exe = std::env::current_exe().unwrap();
        for _ in 0..10_000_000 {
            if all_asleep(pid, &exe, &|_| false) {
                ok = true;
                break;
            }
            std::thread::yield_now();
        }
        child.kill().unwrap();
        let _ = child.wait();
        assert!(ok);
        assert!(tree(std::process::id() as i32).contains(&(std::process::id() as i32)));
    }
}
