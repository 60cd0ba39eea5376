//! Reading a capture as a stream of Ethernet frames: classic pcap (either byte order,
//! microsecond or nanosecond stamps) and pcapng (any number of sections and interfaces, each
//! interface's own timestamp resolution), parsed with `pcap-file` over a bounded buffer so
//! memory does not grow with the file. Frames of other link types are skipped and counted.
//! Every error names the file, and the byte offset where the bad record starts when the file
//! could be read.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionOption;
use pcap_file::pcapng::{Block, PcapNgParser};
use pcap_file::{DataLink, PcapError};

/// How much is read from the file at a time.
const CHUNK: usize = 64 * 1024;
/// No record may claim more than this (a corrupt length must not make us buffer the file).
const MAX_RECORD: usize = 16 * 1024 * 1024;

/// A capture that could not be read.
#[derive(Debug)]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// Byte offset of the record (or header) that is bad; `None` when the file would not
    /// open or read at all.
    pub offset: Option<u64>,
    /// What is wrong.
    pub why: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.offset {
            Some(at) => write!(f, "{}: at byte {at}: {}", self.path.display(), self.why),
            None => write!(f, "{}: {}", self.path.display(), self.why),
        }
    }
}

impl std::error::Error for ReadError {}

/// One Ethernet frame of the capture.
#[derive(Debug, Clone)]
pub struct TraceFrame {
    /// Its number in the capture, counting every record from 1 as Wireshark does.
    pub number: u64,
    /// Its stamp (since the Unix epoch).
    pub ts: Duration,
    /// The frame, from the Ethernet header on.
    pub data: Vec<u8>,
}

enum Parser {
    Pcap(PcapParser),
    PcapNg {
        parser: PcapNgParser,
        /// Per interface of the current section: Ethernet or not, and ticks per second.
        ifaces: Vec<(bool, u64)>,
    },
}

/// A streaming reader of a capture's Ethernet frames.
pub struct TraceReader {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    /// Start of the unparsed bytes in `buf`.
    pos: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
    parser: Parser,
    records: u64,
    /// Records that were not Ethernet frames.
    pub skipped_link: u64,
}

fn pcap_why(e: &PcapError) -> String {
    match e {
        PcapError::IncompleteBuffer => "truncated record".into(),
        PcapError::InvalidField(f) => format!("malformed record ({f})"),
        other => format!("malformed record ({other})"),
    }
}

impl TraceReader {
    /// Opens `path` and reads its file header.
    pub fn open(path: &Path) -> Result<TraceReader, ReadError> {
        let err = |offset: u64, why: String| ReadError {
            path: path.to_path_buf(),
            offset: Some(offset),
            why,
        };
        let file = File::open(path).map_err(|e| ReadError {
            path: path.to_path_buf(),
            offset: None,
            why: crate::client::errno_text(&e),
        })?;
        let mut r = TraceReader {
            path: path.to_path_buf(),
            file,
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            base: 0,
            eof: false,
            parser: Parser::Pcap(
                PcapParser::new(&PCAP_PLACEHOLDER)
                    .map_err(|_| err(0, "internal".into()))?
                    .1,
            ),
            records: 0,
            skipped_link: 0,
        };
        r.fill(24)?;
        let magic = r.buf.get(..4).map(|m| [m[0], m[1], m[2], m[3]]);
        match magic {
            Some([0x0a, 0x0d, 0x0d, 0x0a]) => {
                let parsed = r.parse_with(PcapNgParser::new)?;
                r.parser = Parser::PcapNg {
                    parser: parsed,
                    ifaces: Vec::new(),
                };
            }
            Some(_) if r.buf.len() >= 4 => {
                let parsed = r.parse_with(PcapParser::new)?;
                let dl = parsed.header().datalink;
                if dl != DataLink::ETHERNET {
                    return Err(err(
                        20,
                        format!("link type {dl:?} does not carry Ethernet frames"),
                    ));
                }
                r.parser = Parser::Pcap(parsed);
            }
            _ => return Err(err(0, "empty or truncated file header".into())),
        }
        Ok(r)
    }

    fn error(&self, why: String) -> ReadError {
        ReadError {
            path: self.path.clone(),
            offset: Some(self.base + self.pos as u64),
            why,
        }
    }

    /// Makes sure at least `want` unparsed bytes are buffered, unless the file ends first.
    fn fill(&mut self, want: usize) -> Result<(), ReadError> {
        if self.buf.len() - self.pos >= want || self.eof {
            return Ok(());
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        while self.buf.len() < want && !self.eof {
            let old = self.buf.len();
            let grow = CHUNK.max(want - old);
            self.buf.resize(old + grow, 0);
            let n = self
                .file
                .read(&mut self.buf[old..])
                .map_err(|e| ReadError {
                    path: self.path.clone(),
                    offset: None,
                    why: crate::client::errno_text(&e),
                })?;
            self.buf.truncate(old + n);
            if n == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// Runs a parser over the unparsed bytes, reading more while it says it needs more;
    /// consumes what it parsed.
    fn parse_with<T>(
        &mut self,
        mut f: impl FnMut(&[u8]) -> Result<(&[u8], T), PcapError>,
    ) -> Result<T, ReadError> {
        let mut want = CHUNK;
        loop {
            let avail = &self.buf[self.pos..];
            // A parser may panic on input it does not expect; that must not end the program.
            let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                f(avail).map(|(rem, t)| (avail.len() - rem.len(), t))
            }));
            match res {
                Ok(Ok((used, t))) => {
                    self.pos += used;
                    return Ok(t);
                }
                Ok(Err(PcapError::IncompleteBuffer)) if !self.eof => {
                    if want > MAX_RECORD {
                        return Err(self.error("record longer than 16 MiB".into()));
                    }
                    want = (self.buf.len() - self.pos).max(want) * 2;
                    self.fill(want)?;
                }
                Ok(Err(e)) => return Err(self.error(pcap_why(&e))),
                Err(_) => return Err(self.error("malformed record".into())),
            }
        }
    }

    /// The next Ethernet frame, `None` at the end of the file.
    pub fn next_frame(&mut self) -> Result<Option<TraceFrame>, ReadError> {
        loop {
            self.fill(CHUNK)?;
            if self.pos == self.buf.len() {
                return Ok(None);
            }
            let start = self.base + self.pos as u64;
            match &mut self.parser {
                Parser::Pcap(_) => {
                    let placeholder = PcapParser::new(&PCAP_PLACEHOLDER)
                        .map(|(_, p)| p)
                        .map_err(|_| self.error("internal".into()))?;
                    let Parser::Pcap(p) =
                        std::mem::replace(&mut self.parser, Parser::Pcap(placeholder))
                    else {
                        return Ok(None);
                    };
                    let pkt = self.parse_with(|s| {
                        p.next_packet(s)
                            .map(|(rem, pkt)| (rem, (pkt.timestamp, pkt.data.into_owned())))
                    });
                    self.parser = Parser::Pcap(p);
                    let pkt = pkt?;
                    self.records += 1;
                    return Ok(Some(TraceFrame {
                        number: self.records,
                        ts: pkt.0,
                        data: pkt.1,
                    }));
                }
                Parser::PcapNg { .. } => {
                    if let Some(f) = self.next_pcapng(start)? {
                        return Ok(Some(f));
                    }
                }
            }
        }
    }

    /// Reads one pcapng block; a frame if it was an Ethernet packet.
    fn next_pcapng(&mut self, start: u64) -> Result<Option<TraceFrame>, ReadError> {
        enum Got {
            Iface(bool, u64),
            Section,
            Packet(u32, u64, Vec<u8>),
            Simple(Vec<u8>),
            Other,
        }
        let placeholder = PcapNgParser::new(&PCAPNG_PLACEHOLDER)
            .map(|(_, p)| p)
            .map_err(|_| self.error("internal".into()))?;
        let Parser::PcapNg { parser: slot, .. } = &mut self.parser else {
            return Ok(None);
        };
        // Moved out so that parse_with can borrow self; put back below.
        let mut parser = std::mem::replace(slot, placeholder);
        let got = self.parse_with(|s| {
            parser.next_block(s).map(|(rem, b)| {
                let g = match b {
                    Block::SectionHeader(_) => Got::Section,
                    Block::InterfaceDescription(i) => {
                        let resol = i
                            .options
                            .iter()
                            .find_map(|o| match o {
                                InterfaceDescriptionOption::IfTsResol(r) => Some(*r),
                                _ => None,
                            })
                            .unwrap_or(6);
                        Got::Iface(i.linktype == DataLink::ETHERNET, ticks_per_second(resol))
                    }
                    Block::EnhancedPacket(p) => Got::Packet(
                        p.interface_id,
                        p.timestamp.as_nanos() as u64,
                        p.data.into_owned(),
                    ),
                    Block::SimplePacket(p) => Got::Simple(p.data.into_owned()),
                    _ => Got::Other,
                };
                (rem, g)
            })
        });
        if let Parser::PcapNg { parser: slot, .. } = &mut self.parser {
            *slot = parser;
        }
        let got = got?;
        let Parser::PcapNg { ifaces, .. } = &mut self.parser else {
            return Ok(None);
        };
        match got {
            Got::Section => ifaces.clear(),
            Got::Iface(eth, tps) => ifaces.push((eth, tps)),
            Got::Packet(id, ticks, data) => {
                self.records += 1;
                let Some(&(eth, tps)) = ifaces.get(id as usize) else {
                    return Err(ReadError {
                        path: self.path.clone(),
                        offset: Some(start),
                        why: format!("packet of undeclared interface {id}"),
                    });
                };
                if !eth {
                    self.skipped_link += 1;
                    return Ok(None);
                }
                let ts = Duration::from_secs(ticks / tps)
                    + Duration::from_nanos(
                        ((u128::from(ticks % tps) * 1_000_000_000) / u128::from(tps)) as u64,
                    );
                return Ok(Some(TraceFrame {
                    number: self.records,
                    ts,
                    data,
                }));
            }
            Got::Simple(data) => {
                self.records += 1;
                if !ifaces.first().is_some_and(|i| i.0) {
                    self.skipped_link += 1;
                    return Ok(None);
                }
                return Ok(Some(TraceFrame {
                    number: self.records,
                    ts: Duration::ZERO,
                    data,
                }));
            }
            Got::Other => {}
        }
        Ok(None)
    }
}

/// `if_tsresol`: a power of ten, or of two with the top bit set.
fn ticks_per_second(resol: u8) -> u64 {
    let exp = u32::from(resol & 0x7f).min(19);
    if resol & 0x80 != 0 {
        1u64 << exp.min(63)
    } else {
        10u64.pow(exp)
    }
    .max(1)
}

/// A valid empty pcap header, to build a parser before the real one is known.
const PCAP_PLACEHOLDER: [u8; 24] = [
    0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0,
];

/// A valid empty pcapng section header.
const PCAPNG_PLACEHOLDER: [u8; 28] = [
    0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
];

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn tsresol_powers() {
        assert_eq!(ticks_per_second(6), 1_000_000);
        assert_eq!(ticks_per_second(9), 1_000_000_000);
        assert_eq!(ticks_per_second(0x80 | 10), 1024);
    }

    #[test]
    fn placeholders_parse() {
        assert!(PcapParser::new(&PCAP_PLACEHOLDER).is_ok());
        assert!(PcapNgParser::new(&PCAPNG_PLACEHOLDER).is_ok());
    }
}
