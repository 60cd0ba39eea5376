//! The client's side of the lab's protocol (tools/src/proto.rs), without serde: a request is
//! a 4-byte big-endian length and JSON as serde_json writes it for `proto::Request`; a reply
//! is JSON for `proto::Response`, or raw bytes when the length has its top bit set.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The largest message accepted, as the lab bounds its own (`proto::MAX_MESSAGE`).
pub const MAX_MESSAGE: usize = 64 << 20;
/// The bit of a message's length that marks a raw-bytes body.
const RAW: u32 = 1 << 31;

/// What the lab answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Text for standard output.
    Out(String),
    /// Text for standard error.
    Err(String),
    /// The command is over, with this status.
    Exit(i32),
    /// The command died of this signal.
    Killed(i32),
    /// Bytes for a file the command writes (only `tcpdump -w`, which this client leaves to
    /// the full binary): their length.
    Data(usize),
}

fn frame(body: &str) -> Vec<u8> {
    let mut msg = Vec::with_capacity(4 + body.len());
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes());
    msg.extend_from_slice(body.as_bytes());
    msg
}

fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `Request::Run` for `tool ARGV` in namespace `netns`, framed.
pub fn run_request(tool: &str, argv: &[String], netns: Option<&str>, pid: u32) -> Vec<u8> {
    let mut b = String::with_capacity(64 + argv.iter().map(|a| a.len() + 3).sum::<usize>());
    b.push_str("{\"Run\":{\"tool\":");
    push_str(&mut b, tool);
    b.push_str(",\"argv\":[");
    for (i, a) in argv.iter().enumerate() {
        if i > 0 {
            b.push(',');
        }
        push_str(&mut b, a);
    }
    b.push_str("],\"netns\":");
    match netns {
        Some(n) => push_str(&mut b, n),
        None => b.push_str("null"),
    }
    b.push_str(&format!(",\"pid\":{pid},\"files\":[]}}}}"));
    frame(&b)
}

/// `Request::Signal(sig)`, framed.
pub fn signal_request(sig: i32) -> Vec<u8> {
    frame(&format!("{{\"Signal\":{sig}}}"))
}

/// One reply at the start of `buf`: the reply and how many bytes it took, `Ok(None)` when
/// `buf` does not hold all of it yet.
pub fn parse(buf: &[u8]) -> Result<Option<(Reply, usize)>, String> {
    let Some(len) = buf.get(..4) else {
        return Ok(None);
    };
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]);
    let size = (len & !RAW) as usize;
    if size > MAX_MESSAGE {
        return Err(format!("message of {size} bytes is too large"));
    }
    let Some(body) = buf.get(4..4 + size) else {
        return Ok(None);
    };
    let reply = if len & RAW != 0 {
        Reply::Data(size)
    } else {
        json_reply(body)?
    };
    Ok(Some((reply, 4 + size)))
}

/// `{"Out":"..."}`, `{"Err":"..."}`, `{"Exit":N}`, `{"Killed":N}`.
fn json_reply(body: &[u8]) -> Result<Reply, String> {
    let mut p = Parser { s: body, i: 0 };
    p.expect(b'{')?;
    let key = p.string()?;
    p.expect(b':')?;
    let reply = match key.as_str() {
        "Out" => Reply::Out(p.string()?),
        "Err" => Reply::Err(p.string()?),
        "Exit" => Reply::Exit(p.int()?),
        "Killed" => Reply::Killed(p.int()?),
        other => return Err(format!("unexpected reply {other:?}")),
    };
    p.expect(b'}')?;
    p.ws();
    if p.i != body.len() {
        return Err("trailing bytes after a reply".into());
    }
    Ok(reply)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("malformed reply: expected '{}'", c as char))
        }
    }

    fn int(&mut self) -> Result<i32, String> {
        self.ws();
        let start = self.i;
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        core::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| "malformed reply: bad number".to_string())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| core::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| "malformed reply: bad \\u escape".to_string())?;
        self.i += 4;
        Ok(digits)
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return Err("malformed reply: unterminated string".into());
            };
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return Err("malformed reply: unterminated escape".into());
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err("malformed reply: lone surrogate".into());
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err("malformed reply: lone surrogate".into());
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            char::from_u32(code)
                                .ok_or_else(|| "malformed reply: bad \\u escape".to_string())?
                        }
                        _ => return Err("malformed reply: bad escape".into()),
                    };
                    let mut tmp = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                b => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| "malformed reply: not UTF-8".to_string())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn framed(json: &str) -> Vec<u8> {
        frame(json)
    }

    #[test]
    fn replies() {
        let mut buf = framed(r#"{"Out":"a\"b\\c\n\u0001\u00e9\ud83d\ude00/"}"#);
        buf.extend(framed(r#"{"Exit":-3}"#));
        let (r, n) = parse(&buf).unwrap().unwrap();
        assert_eq!(r, Reply::Out("a\"b\\c\n\u{1}é😀/".into()));
        assert_eq!(parse(&buf[n..]).unwrap(), Some((Reply::Exit(-3), 15)));
        // Incomplete: not yet.
        assert_eq!(parse(&buf[..n - 1]).unwrap(), None);
        assert_eq!(parse(&buf[..3]).unwrap(), None);
        let mut raw = (RAW | 2).to_be_bytes().to_vec();
        raw.extend([1, 2]);
        assert_eq!(parse(&raw).unwrap(), Some((Reply::Data(2), 6)));
    }

    #[test]
    fn bad_replies_are_errors() {
        for bad in [
            r#"{"Out":"x"#,
            r#"{"Nope":1}"#,
            r#"{"Exit":"x"}"#,
            r#"{"Out":"\ud800"}"#,
            r#"{"Out":"\q"}"#,
            r#"{"Exit":1}x"#,
            r#"{"Exit":99999999999}"#,
        ] {
            assert!(parse(&framed(bad)).is_err(), "{bad}");
        }
        assert!(parse(&[0x7f, 0xff, 0xff, 0xff]).is_err());
        assert!(parse(&framed("{\"Out\":\"\u{ff}\"}")[..]).is_ok());
        let mut not_utf8 = framed("{\"Out\":\"xx\"}");
        not_utf8[4 + 8] = 0xff;
        assert!(parse(&not_utf8).is_err());
    }

    #[test]
    fn requests() {
        let r = run_request("ip", &["a\"\\\n".into(), "é".into()], Some("n"), 7);
        assert_eq!(
            core::str::from_utf8(&r[4..]).unwrap(),
            r#"{"Run":{"tool":"ip","argv":["a\"\\\u000a","é"],"netns":"n","pid":7,"files":[]}}"#
        );
        assert_eq!(
            u32::from_be_bytes([r[0], r[1], r[2], r[3]]) as usize,
            r.len() - 4
        );
        assert_eq!(&signal_request(2)[4..], br#"{"Signal":2}"#);
    }
}
