//! The protocol between a tutorial command (a short-lived client) and the lab process: one
//! request in, output and an exit status out, over a Unix socket. Each message is a 4-byte
//! big-endian length followed by JSON.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

/// The environment variable holding the lab's socket path.
pub const SOCK_ENV: &str = "L2LAB_SOCK";
/// The environment variable naming the namespace a process is "in" (unset: the initial one).
pub const NETNS_ENV: &str = "L2LAB_NETNS";
/// The largest message accepted, so a broken peer cannot make us allocate without bound.
pub const MAX_MESSAGE: usize = 64 << 20;

/// From a command to the lab.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Request {
    /// Run `tool` with `argv` (without the tool's own name).
    Run {
        /// `ip`, `bridge`, `brctl`, ...
        tool: String,
        /// Its arguments.
        argv: Vec<String>,
        /// The namespace it runs in, by name (None: the initial namespace).
        netns: Option<String>,
        /// Its working directory, for files it reads and writes.
        cwd: String,
        /// Its process id (ping uses it as ICMP id, as iputils does).
        pid: u32,
    },
    /// The command got a signal (SIGINT, SIGTERM, SIGHUP).
    Signal(i32),
}

/// From the lab to a command.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Response {
    /// Text for standard output.
    Out(String),
    /// Text for standard error.
    Err(String),
    /// The command is over, with this status.
    Exit(i32),
    /// The command died of this signal, as the real one would (the client raises it).
    Killed(i32),
}

/// Writes one message.
pub fn write_msg<T: Serialize>(w: &mut impl Write, msg: &T) -> std::io::Result<()> {
    let body = serde_json::to_vec(msg).map_err(std::io::Error::other)?;
    let len = u32::try_from(body.len()).map_err(std::io::Error::other)?;
    // One write: the lab wakes once for the whole message, not for its length first.
    let mut msg = Vec::with_capacity(4 + body.len());
    msg.extend_from_slice(&len.to_be_bytes());
    msg.extend_from_slice(&body);
    w.write_all(&msg)?;
    w.flush()
}

/// Reads one message; `Ok(None)` at a clean end of stream.
pub fn read_msg<T: for<'de> Deserialize<'de>>(r: &mut impl Read) -> std::io::Result<Option<T>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_MESSAGE {
        return Err(std::io::Error::other(format!(
            "message of {len} bytes is too large"
        )));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(std::io::Error::other)
}

/// Encodes one message into a buffer (for async writers).
pub fn encode<T: Serialize>(msg: &T) -> std::io::Result<Vec<u8>> {
    let mut v = Vec::new();
    write_msg(&mut v, msg)?;
    Ok(v)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn round_trip_and_bad_input() {
        let r = Request::Run {
            tool: "ip".into(),
            argv: vec!["link".into()],
            netns: Some("ns01".into()),
            cwd: "/tmp".into(),
            pid: 7,
        };
        let bytes = encode(&r).unwrap();
        let back: Request = read_msg(&mut bytes.as_slice()).unwrap().unwrap();
        assert_eq!(back, r);
        let none: Option<Request> = read_msg(&mut [].as_slice()).unwrap();
        assert!(none.is_none());
        let huge = [0xffu8, 0xff, 0xff, 0xff];
        assert!(read_msg::<Request>(&mut huge.as_slice()).is_err());
        let junk = [0u8, 0, 0, 2, b'{', b'x'];
        assert!(read_msg::<Request>(&mut junk.as_slice()).is_err());
    }
}
