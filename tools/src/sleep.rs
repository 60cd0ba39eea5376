//! `sleep` in virtual time (GNU coreutils' grammar): waits on the lab's clock, which jumps
//! ahead when everything in the script is waiting, instead of on the wall clock.

use std::time::Duration;

use l2lab_sim::Lab;

use crate::cmd::{killed_by, Output, Session, Started};

/// Parses one operand: a number with an optional s/m/h/d suffix, or `inf`/`infinity`.
fn interval(arg: &str) -> Option<Duration> {
    if arg == "inf" || arg == "infinity" {
        return Some(Duration::MAX);
    }
    let (num, mult) = match arg.char_indices().last()? {
        (i, 's') => (&arg[..i], 1.0),
        (i, 'm') => (&arg[..i], 60.0),
        (i, 'h') => (&arg[..i], 3600.0),
        (i, 'd') => (&arg[..i], 86400.0),
        _ => (arg, 1.0),
    };
    let v: f64 = num.parse().ok()?;
    if v.is_nan() || v < 0.0 || num.starts_with(['+', '-']) && num.len() == 1 {
        return None;
    }
    // Too large for a timespec (`1e400`, `1e300d`): coreutils takes ERANGE and sleeps for
    // as long as it can, so the lab waits for ever rather than refusing.
    Some(Duration::try_from_secs_f64(v * mult).unwrap_or(Duration::MAX))
}

/// Starts `sleep ARGS...`: the sum of its operands, as coreutils does.
pub fn start(argv: &[String], lab: &mut Lab, out: &mut Output) -> Started {
    if argv.is_empty() {
        out.err("sleep: missing operand\nTry 'sleep --help' for more information.\n");
        return Started::Done(1);
    }
    let mut total = Duration::ZERO;
    for a in argv.iter().filter(|a| a.as_str() != "--") {
        match interval(a) {
            Some(d) => total = total.saturating_add(d),
            None => {
                out.err(format!(
                    "sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"
                ));
                return Started::Done(1);
            }
        }
    }
    let until = lab.now().saturating_add(total);
    Started::Running(Box::new(Sleep { until }))
}

struct Sleep {
    until: Duration,
}

impl Session for Sleep {
    fn poll(&mut self, lab: &mut Lab, _out: &mut Output) -> Option<i32> {
        (lab.now() >= self.until).then_some(0)
    }

    fn signal(&mut self, _lab: &mut Lab, sig: i32, _out: &mut Output) -> Option<i32> {
        Some(killed_by(sig))
    }

    fn wake_at(&self) -> Option<Duration> {
        Some(self.until)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(interval("2"), Some(Duration::from_secs(2)));
        assert_eq!(interval("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(interval("1m"), Some(Duration::from_secs(60)));
        assert_eq!(interval("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(interval("x"), None);
        assert_eq!(interval("-1"), None);
        assert_eq!(interval(""), None);
        assert_eq!(interval("1e400"), Some(Duration::MAX));
        assert_eq!(interval("1e300d"), Some(Duration::MAX));
        assert_eq!(interval("nan"), None);
    }
}
