//! The tutorial commands' own small client (tools/client): the binary carries it, built
//! with no C library (tools/build.rs), and writes it into each lab's private directory, where the lab's
//! links and bind mounts for `ip`, `bridge`, `ping`, ... point. It answers the plain commands
//! itself and execs this binary, kept beside it as [`FULL`], for everything else.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The client's file name in the lab's directory.
pub const NAME: &str = "l2lab-client";
/// The name under which the lab's directory holds this binary for the client.
pub const FULL: &str = "l2lab";

const BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/l2lab-client"));

/// Writes the client into the lab's directory `dir` beside a link to this binary `exe`;
/// returns the client's path, `None` where there is no client for this target (the tools
/// are then this binary).
pub fn install(dir: &Path, exe: &Path) -> std::io::Result<Option<PathBuf>> {
    std::os::unix::fs::symlink(exe, dir.join(FULL))?;
    if BYTES.is_empty() {
        return Ok(None);
    }
    let client = dir.join(NAME);
    std::fs::write(&client, BYTES)?;
    std::fs::set_permissions(&client, std::fs::Permissions::from_mode(0o555))?;
    Ok(Some(client))
}

/// The client's half of the protocol, checked here against the lab's own (serde) half.
#[cfg(test)]
#[path = "../client/src/wire.rs"]
#[allow(dead_code)]
mod wire;

#[cfg(test)]
mod test {
    use super::wire::{self, Reply};
    use crate::proto::{encode_response, read_request, Request, Response};

    #[test]
    fn the_client_speaks_the_labs_protocol() {
        let argv: Vec<String> = ["-br", "link", "\"q\"\\", "tab\there", "é😀", "\u{1}\u{7f}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for netns in [None, Some("ns \"1\"")] {
            let bytes = wire::run_request("ip", &argv, netns, 42);
            let req = read_request(&mut bytes.as_slice()).unwrap().unwrap();
            assert_eq!(
                req,
                Request::Run {
                    tool: "ip".into(),
                    argv: argv.clone(),
                    netns: netns.map(str::to_string),
                    pid: 42,
                    files: Vec::new(),
                    interactive: false,
                }
            );
        }
        let sig = wire::signal_request(15);
        assert_eq!(
            read_request(&mut sig.as_slice()).unwrap(),
            Some(Request::Signal(15))
        );
        let replies = [
            Response::Out(
                "lo  UNKNOWN  00:00:00:00:00:00 <LOOPBACK>\n\t\"x\"\\ é😀 \u{1}\u{1f}\u{7f}".into(),
            ),
            Response::Err(String::new()),
            Response::Data(vec![1, 2, 3]),
            Response::Exit(-1),
            Response::Killed(2),
        ];
        let mut buf = Vec::new();
        for r in &replies {
            encode_response(r, &mut buf).unwrap();
        }
        let mut at = 0;
        for r in &replies {
            let (got, used) = wire::parse(&buf[at..]).unwrap().unwrap();
            at += used;
            let want = match r {
                Response::Out(s) => Reply::Out(s.clone()),
                Response::Err(s) => Reply::Err(s.clone()),
                Response::Data(d) => Reply::Data(d.len()),
                Response::Exit(c) => Reply::Exit(*c),
                Response::Killed(s) => Reply::Killed(*s),
            };
            assert_eq!(got, want);
        }
        assert_eq!(at, buf.len());
    }
}
