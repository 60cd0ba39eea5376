//! One round trip to the lab, as the tutorial commands make it (tools/src/proto.rs: a 4-byte
//! big-endian length and JSON `Request::Run`), asking for the view of one path. Every call
//! here is a raw system call: the library's own `socket`, `open`, ... must not see it.

use std::ffi::CStr;

use libc::{c_int, c_long};

/// The tool name the lab serves views under.
const TOOL: &str = "l2lab-view";

/// The lab's answer.
pub enum Answer {
    /// The real path to use instead.
    Path(Vec<u8>),
    /// The call fails with this errno.
    Errno(c_int),
    /// Not inside a lab: the real call runs untouched.
    NoLab,
}

/// Asks the lab for `op` (`path`, `write`) on the lab path `path`.
pub fn ask(op: &str, path: &[u8]) -> Answer {
    let Ok(path) = std::str::from_utf8(path) else {
        return Answer::Errno(libc::ENOENT);
    };
    request(TOOL, &[op, path])
}

/// Whether this process's sleeps are the lab's: inside a lab on virtual time.
pub fn virtual_time() -> bool {
    env(c"L2LAB_SOCK").is_some() && env(c"L2LAB_VIRTUAL") == Some(b"1")
}

/// Sleeps `ns` nanoseconds of lab time, as the lab's `sleep` does; `false` when the lab
/// could not be asked (the caller then sleeps on the wall clock).
pub fn sleep(ns: u128) -> bool {
    let secs = format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000);
    matches!(request("sleep", &[&secs]), Answer::Path(_))
}

/// Runs `tool ARGV` in the lab for this process; its answer.
fn request(tool: &str, argv: &[&str]) -> Answer {
    let Some(sock) = env(c"L2LAB_SOCK") else {
        return Answer::NoLab;
    };
    let netns = env(c"L2LAB_NETNS").and_then(|n| std::str::from_utf8(n).ok());
    let mut cwd = [0u8; 4096];
    // SAFETY: getcwd(2) writes at most cwd.len() bytes into the buffer.
    let n = unsafe { libc::syscall(libc::SYS_getcwd, cwd.as_mut_ptr(), cwd.len()) };
    let cwd = usize::try_from(n)
        .ok()
        .and_then(|n| cwd.get(..n.saturating_sub(1)))
        .and_then(|c| std::str::from_utf8(c).ok())
        .unwrap_or("/");
    // SAFETY: getpid(2) has no preconditions.
    let pid = unsafe { libc::syscall(libc::SYS_getpid) };
    let mut body = Vec::with_capacity(256);
    body.extend_from_slice(b"{\"Run\":{\"tool\":");
    json_str(&mut body, tool);
    body.extend_from_slice(b",\"argv\":[");
    for (k, a) in argv.iter().enumerate() {
        if k > 0 {
            body.push(b',');
        }
        json_str(&mut body, a);
    }
    body.extend_from_slice(b"],\"netns\":");
    match netns.filter(|n| !n.is_empty()) {
        Some(n) => json_str(&mut body, n),
        None => body.extend_from_slice(b"null"),
    }
    body.extend_from_slice(b",\"cwd\":");
    json_str(&mut body, cwd);
    body.extend_from_slice(format!(",\"pid\":{pid}}}}}").as_bytes());
    match round_trip(sock, &body) {
        Some(a) => a,
        // The lab is gone: nothing of the host is shown in its place.
        None => Answer::Errno(libc::EIO),
    }
}

/// The value of an environment variable, without copying.
fn env(name: &CStr) -> Option<&'static [u8]> {
    // SAFETY: getenv returns NULL or a NUL-terminated string that lives while the
    // environment is not changed; it is used before this call returns.
    let p = unsafe { libc::getenv(name.as_ptr()) };
    if p.is_null() {
        return None;
    }
    // SAFETY: p is non-null and NUL-terminated (above).
    let v = unsafe { CStr::from_ptr(p) }.to_bytes();
    (!v.is_empty()).then_some(v)
}

/// A socket file descriptor closed when dropped.
struct Fd(c_int);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: closes a descriptor this module opened and owns.
        unsafe { libc::syscall(libc::SYS_close, self.0) };
    }
}

fn round_trip(sock: &[u8], body: &[u8]) -> Option<Answer> {
    // SAFETY: a plain socket(2) call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_socket,
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
        )
    };
    let fd = Fd(c_int::try_from(fd).ok().filter(|f| *f >= 0)?);
    // SAFETY: sockaddr_un is plain data; all zeroes is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    if sock.len() >= addr.sun_path.len() {
        return None;
    }
    for (d, s) in addr.sun_path.iter_mut().zip(sock) {
        *d = *s as libc::c_char;
    }
    let len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
    loop {
        // SAFETY: addr is a valid sockaddr_un of `len` bytes.
        let r = unsafe {
            libc::syscall(
                libc::SYS_connect,
                fd.0,
                &addr as *const libc::sockaddr_un,
                len,
            )
        };
        if r == 0 {
            break;
        }
        if errno() != libc::EINTR {
            return None;
        }
    }
    let mut msg = Vec::with_capacity(4 + body.len());
    msg.extend_from_slice(&u32::try_from(body.len()).ok()?.to_be_bytes());
    msg.extend_from_slice(body);
    write_all(fd.0, &msg)?;
    let mut out = Vec::new();
    loop {
        let mut len = [0u8; 4];
        read_exact(fd.0, &mut len)?;
        let len = u32::from_be_bytes(len) as usize;
        if len > (1 << 20) {
            return None;
        }
        let mut resp = vec![0u8; len];
        read_exact(fd.0, &mut resp)?;
        if let Some(s) = resp
            .strip_prefix(b"{\"Out\":")
            .and_then(|r| r.strip_suffix(b"}"))
        {
            out.extend_from_slice(&json_unstr(s)?);
        } else if let Some(code) = resp
            .strip_prefix(b"{\"Exit\":")
            .and_then(|r| r.strip_suffix(b"}"))
        {
            let code: c_int = std::str::from_utf8(code).ok()?.trim().parse().ok()?;
            return Some(if code == 0 {
                Answer::Path(out)
            } else {
                Answer::Errno(code)
            });
        } else if resp.starts_with(b"{\"Err\":") {
            // Nothing to say to the program's stderr: the errno says it.
        } else {
            return None;
        }
    }
}

fn errno() -> c_int {
    // SAFETY: __errno_location always returns this thread's errno.
    unsafe { *libc::__errno_location() }
}

fn write_all(fd: c_int, mut b: &[u8]) -> Option<()> {
    while !b.is_empty() {
        // SAFETY: writes from a live slice of b.len() bytes.
        let n: c_long = unsafe { libc::syscall(libc::SYS_write, fd, b.as_ptr(), b.len()) };
        if n < 0 {
            if errno() == libc::EINTR {
                continue;
            }
            return None;
        }
        b = b.get(usize::try_from(n).ok()?..)?;
    }
    Some(())
}

fn read_exact(fd: c_int, mut b: &mut [u8]) -> Option<()> {
    while !b.is_empty() {
        // SAFETY: reads into a live slice of b.len() bytes.
        let n: c_long = unsafe { libc::syscall(libc::SYS_read, fd, b.as_mut_ptr(), b.len()) };
        if n < 0 && errno() == libc::EINTR {
            continue;
        }
        if n <= 0 {
            return None;
        }
        b = b.get_mut(usize::try_from(n).ok()?..)?;
    }
    Some(())
}

/// Appends `s` as a JSON string.
fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if (c as u32) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// The bytes of a JSON string (with its quotes); `None` if it is not one.
fn json_unstr(s: &[u8]) -> Option<Vec<u8>> {
    let s = std::str::from_utf8(s).ok()?;
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut it = inner.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hex = |it: &mut std::str::Chars| -> Option<u32> {
                    let h: String = it.by_ref().take(4).collect();
                    if h.len() != 4 {
                        return None;
                    }
                    u32::from_str_radix(&h, 16).ok()
                };
                let hi = hex(&mut it)?;
                let cp = if (0xd800..0xdc00).contains(&hi) {
                    if it.next()? != '\\' || it.next()? != 'u' {
                        return None;
                    }
                    let lo = hex(&mut it)?;
                    0x10000 + ((hi - 0xd800) << 10) + (lo.checked_sub(0xdc00)?)
                } else {
                    hi
                };
                out.push(char::from_u32(cp)?);
            }
            c => out.push(c),
        }
    }
    Some(out.into_bytes())
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn json_strings_both_ways() {
        let mut v = Vec::new();
        json_str(&mut v, "a\"b\\c\n\u{1}é");
        assert_eq!(v, b"\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\"");
        assert_eq!(json_unstr(&v).unwrap(), "a\"b\\c\n\u{1}é".as_bytes());
        assert_eq!(
            json_unstr(b"\"\\ud83d\\ude00/\\/\"").unwrap(),
            "😀//".as_bytes()
        );
        assert!(json_unstr(b"\"\\u12\"").is_none());
        assert!(json_unstr(b"x").is_none());
    }
}
