//! `tcpdump -r FILE`, run in the tool's own process as the real tcpdump runs: the file (or
//! `-`, standard input) is opened with the user's permissions and working directory and read
//! one record at a time, so a FIFO nobody writes blocks this process only and memory stays
//! that of one record; `-w FILE` beside it writes the records that pass the filter into a
//! file of the user's. The lab is asked one thing, and only for cooked (`any`) captures: the
//! names of its interfaces, which tcpdump looks up for each packet.

use std::collections::HashMap;
use std::io::{BufWriter, IsTerminal, LineWriter, Write};
use std::os::fd::AsFd;

use super::filter::LinkType;
use super::print::Stamper;
use super::{compile, file, plural, render, Opts, Packet};
use crate::cmd::Output;

/// tcpdump's exit status when it cannot write its output (S_ERR_ND_WRITE_FILE).
const WRITE_FAILED: i32 = 14;

/// Standard output as stdio gives it to tcpdump: line by line on a terminal or with `-l`,
/// else in blocks of 4096 bytes.
fn stdout(line: bool) -> std::io::Result<Box<dyn Write>> {
    let out = std::io::stdout();
    let fd = std::fs::File::from(out.as_fd().try_clone_to_owned()?);
    let tty = fd.is_terminal();
    Ok(if line || tty {
        Box::new(LineWriter::new(fd))
    } else {
        Box::new(BufWriter::with_capacity(super::STDIO_BUF, fd))
    })
}

/// Opens `path` for `-w` as libpcap's pcap_dump_open does (`-` is standard output; a file is
/// created or truncated); the error is tcpdump's message after `tcpdump: `.
pub fn create(path: &str) -> Result<Box<dyn Write>, String> {
    if path == "-" {
        return stdout(false).map_err(|e| format!("{path}: {}", file::strerror(&e)));
    }
    std::fs::File::create(path)
        .map(|f| Box::new(f) as Box<dyn Write>)
        .map_err(|e| format!("{path}: {}", file::strerror(&e)))
}

fn flush_err(out: &mut Output) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(out.stderr.as_bytes());
    let _ = e.flush();
    out.stderr.clear();
}

/// Reads `path` as `tcpdump -r` with options `o`; `names` are the lab's interfaces by index.
/// Returns the exit status.
pub fn run(o: &Opts, path: &str, names: &HashMap<u32, String>) -> i32 {
    let mut msgs = Output::default();
    let mut rd = match file::Reader::open(path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tcpdump: {e}");
            return 1;
        }
    };
    msgs.err(format!(
        "reading from file {path}, link-type {}, snapshot length {}\n",
        file::linktype_name(rd.linktype),
        rd.snaplen
    ));
    let link = LinkType::from_pcap(rd.linktype).unwrap_or_default();
    if link == LinkType::Sll2 {
        msgs.err("Warning: interface names might be incorrect\n");
    }
    let filter = compile(o, link, &mut msgs);
    flush_err(&mut msgs);
    let Some(filter) = filter else {
        return 1;
    };
    let mut dump = match &o.write {
        Some(w) => match create(w) {
            Ok(mut f) => {
                // Write errors on a dump file go unreported, as with libpcap's fwrite.
                let _ = f.write_all(&file::header(rd.snaplen, rd.linktype));
                Some(BufWriter::with_capacity(64 << 10, f))
            }
            Err(e) => {
                eprintln!("tcpdump: {e}");
                return 1;
            }
        },
        None => None,
    };
    let mut text = match stdout(o.line_buffered) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tcpdump: Unable to write output: {}", file::strerror(&e));
            return WRITE_FAILED;
        }
    };
    let mut stamper = Stamper::default();
    let mut rec_buf = Vec::new();
    let mut n = 0u64;
    let mut code = 0;
    loop {
        if o.count.is_some_and(|c| n >= c) {
            break;
        }
        let r = match rd.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                // tcpdump flushes what it printed before it says why it stopped.
                let _ = text.flush();
                eprintln!("tcpdump: pcap_loop: {e}");
                code = 1;
                break;
            }
        };
        if !filter.matches_on(link, &r.data, r.len) {
            continue;
        }
        n += 1;
        if let Some(d) = dump.as_mut() {
            rec_buf.clear();
            file::record(&mut rec_buf, r.ts, &r.data, r.len);
            if d.write_all(&rec_buf).is_err() {
                // A reader that went away (`-w - | head -c 100`): tcpdump stops quietly.
                dump = None;
                break;
            }
        } else if !o.count_only {
            let lookup = |i: u32| names.get(&i).cloned();
            let p = Packet {
                link,
                data: &r.data,
                len: r.len,
                ifname: &lookup,
            };
            let line = render(o, &mut stamper, n, r.ts, &p);
            if let Err(e) = text.write_all(line.as_bytes()) {
                eprintln!("tcpdump: Unable to write output: {}", file::strerror(&e));
                return WRITE_FAILED;
            }
        }
    }
    if let Some(mut d) = dump {
        let _ = d.flush();
    }
    let mut end = String::new();
    if o.count_only {
        end = format!("{n} packet{}\n", plural(n));
    }
    if let Err(e) = text.write_all(end.as_bytes()).and_then(|()| text.flush()) {
        eprintln!("tcpdump: Unable to write output: {}", file::strerror(&e));
        return WRITE_FAILED;
    }
    code
}
