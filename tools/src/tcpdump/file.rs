//! Capture files for `-r` and `-w`: classic pcap read as libpcap reads it (both byte orders,
//! micro- and nanosecond stamps), record by record, with its error messages; and pcap bytes
//! built record by record (microseconds, snaplen 262144 unless `-s`) for whoever writes them:
//! the tool's own process, never the lab.

use std::io::{BufReader, Read};
use std::time::Duration;

/// A packet read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Timestamp since the epoch.
    pub ts: Duration,
    /// Length on the wire.
    pub len: usize,
    /// The bytes captured.
    pub data: Vec<u8>,
}

/// libpcap's name and description of a link type, as tcpdump prints them.
pub fn linktype_name(lt: u32) -> String {
    match lt {
        0 => "NULL (BSD loopback)".into(),
        1 => "EN10MB (Ethernet)".into(),
        101 => "RAW (Raw IP)".into(),
        113 => "LINUX_SLL (Linux cooked v1)".into(),
        276 => "LINUX_SLL2 (Linux cooked v2)".into(),
        n => format!("{n}"),
    }
}

fn read_full(f: &mut impl Read, buf: &mut [u8]) -> Result<usize, String> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("error reading dump file: {}", strerror(&e))),
        }
    }
    Ok(got)
}

/// A pcap file being read, one record at a time: memory stays that of one record, and a
/// reader of a pipe sees each packet as it comes.
pub struct Reader {
    r: Box<dyn Read>,
    le: bool,
    nanos: bool,
    /// The link type (1 = Ethernet).
    pub linktype: u32,
    /// The snapshot length in the header.
    pub snaplen: u32,
}

impl Reader {
    /// Opens `path` as tcpdump does (`-` is standard input); the error is tcpdump's message
    /// after `tcpdump: `.
    pub fn open(path: &str) -> Result<Reader, String> {
        let r: Box<dyn Read> = if path == "-" {
            Box::new(std::io::stdin())
        } else {
            let f = std::fs::File::open(path).map_err(|e| format!("{path}: {}", strerror(&e)))?;
            Box::new(f)
        };
        Reader::new(Box::new(BufReader::with_capacity(64 << 10, r)))
    }

    /// Reads the file header from `r`.
    pub fn new(mut r: Box<dyn Read>) -> Result<Reader, String> {
        let mut magic = [0u8; 4];
        let n = read_full(&mut r, &mut magic)?;
        if n < 4 {
            return Err(format!(
                "truncated dump file; tried to read 4 file header bytes, only got {n}"
            ));
        }
        let (le, nanos) = match u32::from_le_bytes(magic) {
            0xa1b2_c3d4 => (true, false),
            0xa1b2_3c4d => (true, true),
            0xd4c3_b2a1 => (false, false),
            0x4d3c_b2a1 => (false, true),
            _ => return Err("unknown file format".into()),
        };
        let mut hdr = [0u8; 20];
        let n = read_full(&mut r, &mut hdr)?;
        if n < 20 {
            return Err(format!(
                "truncated dump file; tried to read 24 file header bytes, only got {}",
                n + 4
            ));
        }
        let mut rd = Reader {
            r,
            le,
            nanos,
            linktype: 0,
            snaplen: 0,
        };
        rd.snaplen = rd.u32_at(&hdr, 12);
        rd.linktype = rd.u32_at(&hdr, 16) & 0x03ff_ffff;
        Ok(rd)
    }

    fn u32_at(&self, b: &[u8], at: usize) -> u32 {
        let a = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    }

    /// The next record; `Ok(None)` at the end of the file, `Err` with libpcap's message when
    /// it ends inside a record or cannot be read.
    pub fn next_record(&mut self) -> Result<Option<Record>, String> {
        let mut rh = [0u8; 16];
        let n = read_full(&mut self.r, &mut rh)?;
        if n == 0 {
            return Ok(None);
        }
        if n < 16 {
            return Err(format!(
                "truncated dump file; tried to read 16 header bytes, only got {n}"
            ));
        }
        let (sec, frac, incl, orig) = (
            self.u32_at(&rh, 0),
            self.u32_at(&rh, 4),
            self.u32_at(&rh, 8),
            self.u32_at(&rh, 12),
        );
        let most = self.snaplen.max(262_144);
        if incl > most {
            return Err(format!(
                "invalid packet capture length {incl}, bigger than snaplen of {most}"
            ));
        }
        let mut data = vec![0u8; incl as usize];
        let n = read_full(&mut self.r, &mut data)?;
        if n < data.len() {
            return Err(format!(
                "truncated dump file; tried to read {incl} captured bytes, only got {n}"
            ));
        }
        let ts = if self.nanos {
            Duration::new(u64::from(sec), frac.min(999_999_999))
        } else {
            Duration::new(u64::from(sec), 0) + Duration::from_micros(u64::from(frac))
        };
        Ok(Some(Record {
            ts: Duration::from_micros(ts.as_micros() as u64),
            len: orig as usize,
            data,
        }))
    }
}

/// The C library's words for an I/O error (without Rust's " (os error N)").
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The file header of a pcap file (microsecond stamps, in this host's byte order as libpcap
/// writes it) for pcap link type `linktype`: 1 for Ethernet, 276 for the LINUX_SLL2 records
/// of `-i any`.
pub fn header(snaplen: u32, linktype: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(24);
    h.extend_from_slice(&0xa1b2_c3d4u32.to_ne_bytes());
    h.extend_from_slice(&2u16.to_ne_bytes());
    h.extend_from_slice(&4u16.to_ne_bytes());
    h.extend_from_slice(&0i32.to_ne_bytes());
    h.extend_from_slice(&0u32.to_ne_bytes());
    h.extend_from_slice(&snaplen.to_ne_bytes());
    h.extend_from_slice(&linktype.to_ne_bytes());
    h
}

/// Appends one record to `buf`: stamp `ts`, the bytes captured and the length on the wire.
pub fn record(buf: &mut Vec<u8>, ts: Duration, data: &[u8], len: usize) {
    let sec = u32::try_from(ts.as_secs()).unwrap_or(u32::MAX);
    let usec = ts.subsec_micros();
    let incl = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let orig = u32::try_from(len).unwrap_or(u32::MAX);
    for w in [sec, usec, incl, orig] {
        buf.extend_from_slice(&w.to_ne_bytes());
    }
    buf.extend_from_slice(data);
}

#[cfg(test)]
mod test {
    use super::*;

    fn reader(bytes: Vec<u8>) -> Result<Reader, String> {
        Reader::new(Box::new(std::io::Cursor::new(bytes)))
    }

    #[test]
    fn round_trip_and_errors() {
        let mut bytes = header(262_144, 1);
        record(
            &mut bytes,
            Duration::from_micros(1_795_442_947_085_283),
            &[1, 2, 3],
            3,
        );
        let mut r = reader(bytes.clone()).unwrap();
        assert_eq!(r.linktype, 1);
        assert_eq!(r.snaplen, 262_144);
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!(rec.ts, Duration::from_micros(1_795_442_947_085_283));
        assert_eq!((rec.data, rec.len), (vec![1, 2, 3], 3));
        assert_eq!(r.next_record(), Ok(None));
        // What pcap-file reads back is what libpcap would.
        let mut p = pcap_file::pcap::PcapReader::new(bytes.as_slice()).unwrap();
        assert_eq!(p.header().datalink, pcap_file::DataLink::ETHERNET);
        assert_eq!(p.next_packet().unwrap().unwrap().data.as_ref(), &[1, 2, 3]);
        // Messages as tcpdump 4.99.3 / libpcap 1.10.3 print them on this machine.
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nosuch.pcap");
        let shown = missing.display().to_string();
        assert_eq!(
            Reader::open(&shown).err().unwrap(),
            format!("{shown}: No such file or directory")
        );
        assert_eq!(
            Reader::open(&dir.path().display().to_string())
                .err()
                .unwrap(),
            "error reading dump file: Is a directory"
        );
        assert_eq!(
            reader(Vec::new()).err().unwrap(),
            "truncated dump file; tried to read 4 file header bytes, only got 0"
        );
        assert_eq!(
            reader(b"garbage\n".to_vec()).err().unwrap(),
            "unknown file format"
        );
        bytes.truncate(24 + 16 + 1);
        let mut r = reader(bytes).unwrap();
        assert_eq!(
            r.next_record().unwrap_err(),
            "truncated dump file; tried to read 3 captured bytes, only got 1"
        );
    }
}
