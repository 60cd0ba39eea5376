//! The protocol between a tutorial command (a short-lived client) and the lab process: one
//! request in, output and an exit status out, over a Unix socket. Each message is a 4-byte
//! big-endian length followed by JSON, except [`Response::Data`]: its length has the top bit
//! set ([`RAW`]) and its body is the bytes themselves, so a capture streamed to `tcpdump -w`
//! is neither copied into JSON nor grown by it.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

/// The environment variable holding the lab's socket path.
pub const SOCK_ENV: &str = "L2LAB_SOCK";
/// The environment variable naming the namespace a process is "in" (unset: the initial one).
pub const NETNS_ENV: &str = "L2LAB_NETNS";
/// The largest message accepted, so a broken peer cannot make us allocate without bound.
pub const MAX_MESSAGE: usize = 64 << 20;
/// The bit of a message's length that marks a raw-bytes body ([`Response::Data`]).
pub const RAW: u32 = 1 << 31;

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
        /// Its process id (ping uses it as ICMP id, as iputils does).
        pid: u32,
        /// Files the tool read itself for the lab (`sysctl -p FILE`).
        #[serde(default)]
        files: Vec<FileText>,
        /// It runs in the foreground of a terminal, where a person will end it: a command
        /// that only a signal ends then runs at the wall clock's pace.
        #[serde(default)]
        interactive: bool,
    },
    /// The command got a signal (SIGINT, SIGTERM, SIGHUP).
    Signal(i32),
    /// A command that runs in its own process (`tcpdump -r`, which reads its file itself):
    /// the lab answers with the namespace's interfaces, one `INDEX NAME` line each in one
    /// [`Response::Out`] (tcpdump names a cooked packet's interface by index), and counts the
    /// process among its commands until it hangs up, so that in virtual time a wait of its
    /// own (a FIFO nobody writes) is known for one, not taken for a call about to come.
    Offline {
        /// The namespace it runs in (None: the initial namespace).
        netns: Option<String>,
        /// Its process id.
        pid: u32,
    },
}

/// A file a tool read for the lab, which opens no file a client names.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileText {
    /// The name as the command line gave it.
    pub name: String,
    /// Its text, or the C library's words for why it could not be read.
    pub text: Result<String, String>,
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
    /// Bytes for the file the command writes (`tcpdump -w FILE`): the client opens FILE
    /// itself when the first bytes come, and writes them as they come.
    Data(Vec<u8>),
}

impl Response {
    /// How many bytes of output it carries (what a slow client leaves queued in the lab).
    pub fn payload_len(&self) -> usize {
        match self {
            Response::Out(s) | Response::Err(s) => s.len(),
            Response::Data(d) => d.len(),
            Response::Exit(_) | Response::Killed(_) => 0,
        }
    }
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

/// Reads one message's length word; `Ok(None)` at a clean end of stream.
fn read_len(r: &mut impl Read) -> std::io::Result<Option<u32>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => Ok(Some(u32::from_be_bytes(len))),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

fn read_body(r: &mut impl Read, len: u32) -> std::io::Result<Vec<u8>> {
    let len = len as usize;
    if len > MAX_MESSAGE {
        return Err(std::io::Error::other(format!(
            "message of {len} bytes is too large"
        )));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(body)
}

/// Reads one message; `Ok(None)` at a clean end of stream (the lab reads its requests with
/// its own async reader).
#[cfg(test)]
pub fn read_msg<T: for<'de> Deserialize<'de>>(r: &mut impl Read) -> std::io::Result<Option<T>> {
    let Some(len) = read_len(r)? else {
        return Ok(None);
    };
    let body = read_body(r, len)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(std::io::Error::other)
}

/// Reads one request as the lab would take it; `Ok(None)` at a clean end of stream.
#[doc(hidden)]
pub fn read_request(r: &mut impl Read) -> std::io::Result<Option<Request>> {
    let Some(len) = read_len(r)? else {
        return Ok(None);
    };
    let body = read_body(r, len)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(std::io::Error::other)
}

/// Reads one response, raw bytes included; `Ok(None)` at a clean end of stream.
pub fn read_response(r: &mut impl Read) -> std::io::Result<Option<Response>> {
    let Some(len) = read_len(r)? else {
        return Ok(None);
    };
    if len & RAW != 0 {
        return read_body(r, len & !RAW).map(|d| Some(Response::Data(d)));
    }
    let body = read_body(r, len)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(std::io::Error::other)
}

/// Appends one response to `buf`: raw bytes as they are, the others as JSON.
pub fn encode_response(resp: &Response, buf: &mut Vec<u8>) -> std::io::Result<()> {
    match resp {
        Response::Data(d) => {
            let len = u32::try_from(d.len())
                .ok()
                .filter(|&n| n < RAW && n as usize <= MAX_MESSAGE)
                .ok_or_else(|| std::io::Error::other("data message too large"))?;
            buf.extend_from_slice(&(len | RAW).to_be_bytes());
            buf.extend_from_slice(d);
            Ok(())
        }
        other => write_msg(buf, other),
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn encode<T: Serialize>(msg: &T) -> std::io::Result<Vec<u8>> {
        let mut v = Vec::new();
        write_msg(&mut v, msg)?;
        Ok(v)
    }

    #[test]
    fn round_trip_and_bad_input() {
        let r = Request::Run {
            tool: "ip".into(),
            argv: vec!["link".into()],
            netns: Some("ns01".into()),
            pid: 7,
            interactive: true,
            files: vec![FileText {
                name: "s.conf".into(),
                text: Err("Permission denied".into()),
            }],
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

    #[test]
    fn raw_data_among_json() {
        let mut buf = Vec::new();
        for r in [
            Response::Err("listening\n".into()),
            Response::Data(vec![0xd4, 0xc3, 0xb2, 0xa1, 0, 0xff]),
            Response::Data(Vec::new()),
            Response::Exit(0),
        ] {
            encode_response(&r, &mut buf).unwrap();
        }
        // Six bytes of data cost four of framing, not a JSON array.
        assert_eq!(
            buf.len(),
            encode(&Response::Err("listening\n".into())).unwrap().len()
                + 10
                + 4
                + encode(&Response::Exit(0)).unwrap().len()
        );
        let mut r = buf.as_slice();
        assert_eq!(
            read_response(&mut r).unwrap(),
            Some(Response::Err("listening\n".into()))
        );
        assert_eq!(
            read_response(&mut r).unwrap(),
            Some(Response::Data(vec![0xd4, 0xc3, 0xb2, 0xa1, 0, 0xff]))
        );
        assert_eq!(
            read_response(&mut r).unwrap(),
            Some(Response::Data(Vec::new()))
        );
        assert_eq!(read_response(&mut r).unwrap(), Some(Response::Exit(0)));
        assert_eq!(read_response(&mut r).unwrap(), None);
        // A raw length beyond the bound is refused before anything is allocated.
        let huge = (RAW | 0x7fff_ffff).to_be_bytes();
        assert!(read_response(&mut huge.as_slice()).is_err());
        let short = [0x80u8, 0, 0, 4, 1];
        assert!(read_response(&mut short.as_slice()).is_err());
    }
}
