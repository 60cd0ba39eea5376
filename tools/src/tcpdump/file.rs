//! Capture files for `-r` and `-w`: classic pcap read as libpcap reads it (both byte orders,
//! micro- and nanosecond stamps) with its error messages, and written through `pcap-file`
//! (microseconds, snaplen 262144 unless `-s`, Ethernet), packet by packet.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

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

/// A whole capture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureFile {
    /// The link type (1 = Ethernet).
    pub linktype: u32,
    /// The snapshot length in the header.
    pub snaplen: u32,
    /// Packets, in file order.
    pub records: Vec<Record>,
    /// Set when the file ends inside a record: libpcap's message for it.
    pub truncated: Option<String>,
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

fn read_full(f: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match f.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// Reads a pcap file; the error is tcpdump's message after `tcpdump: `.
pub fn read(path: &Path, shown: &str) -> Result<CaptureFile, String> {
    let mut f = std::fs::File::open(path).map_err(|e| format!("{shown}: {}", strerror(&e)))?;
    let mut magic = [0u8; 4];
    let n = read_full(&mut f, &mut magic).map_err(|e| format!("{shown}: {}", strerror(&e)))?;
    if n < 4 {
        return Err(format!(
            "truncated dump file; tried to read 4 file header bytes, only got {n}"
        ));
    }
    let m = u32::from_le_bytes(magic);
    let (le, nanos) = match m {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        0xd4c3_b2a1 => (false, false),
        0x4d3c_b2a1 => (false, true),
        _ => return Err("unknown file format".into()),
    };
    let mut hdr = [0u8; 20];
    let n = read_full(&mut f, &mut hdr).map_err(|e| format!("{shown}: {}", strerror(&e)))?;
    if n < 20 {
        return Err(format!(
            "truncated dump file; tried to read 24 file header bytes, only got {}",
            n + 4
        ));
    }
    let u32_at = |b: &[u8], at: usize| {
        let a = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let snaplen = u32_at(&hdr, 12);
    let linktype = u32_at(&hdr, 16) & 0x03ff_ffff;
    let mut records = Vec::new();
    let mut truncated = None;
    loop {
        let mut rh = [0u8; 16];
        let n = read_full(&mut f, &mut rh).map_err(|e| format!("{shown}: {}", strerror(&e)))?;
        if n == 0 {
            break;
        }
        if n < 16 {
            truncated = Some(format!(
                "truncated dump file; tried to read 16 header bytes, only got {n}"
            ));
            break;
        }
        let (sec, frac, incl, orig) = (
            u32_at(&rh, 0),
            u32_at(&rh, 4),
            u32_at(&rh, 8),
            u32_at(&rh, 12),
        );
        if incl > snaplen.max(262_144) {
            truncated = Some(format!(
                "invalid packet capture length {incl}, bigger than snaplen of {}",
                snaplen.max(262_144)
            ));
            break;
        }
        let mut data = vec![0u8; incl as usize];
        let n = read_full(&mut f, &mut data).map_err(|e| format!("{shown}: {}", strerror(&e)))?;
        if n < data.len() {
            truncated = Some(format!(
                "truncated dump file; tried to read {incl} captured bytes, only got {n}"
            ));
            break;
        }
        let ts = if nanos {
            Duration::new(u64::from(sec), frac.min(999_999_999))
        } else {
            Duration::new(u64::from(sec), 0) + Duration::from_micros(u64::from(frac))
        };
        records.push(Record {
            ts: Duration::from_micros(ts.as_micros() as u64),
            len: orig as usize,
            data,
        });
    }
    Ok(CaptureFile {
        linktype,
        snaplen,
        records,
        truncated,
    })
}

/// The C library's words for an I/O error (without Rust's " (os error N)").
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// A pcap file being written as packets come.
pub struct Writer {
    // Unbuffered: each packet reaches the file at once, like `tcpdump -U`.
    w: PcapWriter<std::fs::File>,
}

impl Writer {
    /// Creates `path` and writes a file header for pcap link type `linktype` (1 for Ethernet,
    /// 276 for the LINUX_SLL2 records of `-i any`); the error is tcpdump's message.
    pub fn create_as(
        path: &Path,
        shown: &str,
        snaplen: u32,
        linktype: u32,
    ) -> Result<Writer, String> {
        let f = std::fs::File::create(path).map_err(|e| format!("{shown}: {}", strerror(&e)))?;
        let header = PcapHeader {
            snaplen,
            datalink: DataLink::from(linktype),
            ..Default::default()
        };
        let w = PcapWriter::with_header(f, header).map_err(|e| format!("{shown}: {e}"))?;
        Ok(Writer { w })
    }

    /// Appends one packet.
    pub fn write(&mut self, ts: Duration, data: &[u8], len: usize) {
        let ts = Duration::from_micros(ts.as_micros() as u64);
        let _ = self.w.write_packet(&PcapPacket::new(ts, len as u32, data));
    }

    /// Nothing is held back (the writer is unbuffered); kept for the callers' clarity.
    pub fn flush(&mut self) {}
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.pcap");
        let mut w = Writer::create_as(&p, "a.pcap", 262_144, 1).unwrap();
        w.write(Duration::from_micros(1_795_442_947_085_283), &[1, 2, 3], 3);
        w.flush();
        drop(w);
        let f = read(&p, "a.pcap").unwrap();
        assert_eq!(f.linktype, 1);
        assert_eq!(f.snaplen, 262_144);
        assert_eq!(
            f.records[0].ts,
            Duration::from_micros(1_795_442_947_085_283)
        );
        assert_eq!(f.records[0].data, vec![1, 2, 3]);
        // Messages as tcpdump 4.99.3 / libpcap 1.10.3 print them on this machine.
        assert_eq!(
            read(&dir.path().join("nosuch.pcap"), "nosuch.pcap").unwrap_err(),
            "nosuch.pcap: No such file or directory"
        );
        let e = dir.path().join("e.pcap");
        std::fs::write(&e, b"").unwrap();
        assert_eq!(
            read(&e, "e.pcap").unwrap_err(),
            "truncated dump file; tried to read 4 file header bytes, only got 0"
        );
        std::fs::write(&e, b"garbage\n").unwrap();
        assert_eq!(read(&e, "e.pcap").unwrap_err(), "unknown file format");
    }
}
