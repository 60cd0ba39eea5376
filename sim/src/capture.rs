//! Captures: every frame seen on an interface, both ways, stamped with lab time, and written
//! as a classic pcap file (microsecond stamps, snaplen 262144, Ethernet) as `tcpdump -w` does.

use std::io::Write;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::{Captured, Direction, LinkId};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

use crate::error::{LabError, LabResult};
use crate::lab::{Lab, NsId};

/// tcpdump's default snapshot length.
pub const SNAPLEN: u32 = 262_144;

/// A frame in a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFrame {
    /// Lab time it was seen.
    pub at: Duration,
    /// In or out of the interface.
    pub direction: Direction,
    /// The frame.
    pub frame: Bytes,
}

/// A capture on one interface.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The interface.
    pub link: LinkId,
    /// Whether it made the interface promiscuous.
    pub promisc: bool,
    /// Frames seen, oldest first.
    pub frames: Vec<CapturedFrame>,
}

impl Capture {
    pub(crate) fn push(&mut self, at: Duration, c: &Captured) {
        self.frames.push(CapturedFrame {
            at,
            direction: c.direction,
            frame: c.frame.clone(),
        });
    }
}

/// Identifies a capture of a lab.
pub type CaptureId = usize;

/// Writes frames as a pcap file; stamps are `epoch_us` plus each frame's lab time.
pub fn write_pcap<W: Write>(out: W, epoch_us: u64, frames: &[CapturedFrame]) -> LabResult<W> {
    let header = PcapHeader {
        snaplen: SNAPLEN,
        datalink: DataLink::ETHERNET,
        ..Default::default()
    };
    let mut w = PcapWriter::with_header(out, header).map_err(|e| LabError::Io(e.to_string()))?;
    for f in frames {
        let ts = Duration::from_micros(epoch_us) + Duration::from_micros(f.at.as_micros() as u64);
        let len = f.frame.len() as u32;
        w.write_packet(&PcapPacket::new(ts, len, &f.frame))
            .map_err(|e| LabError::Io(e.to_string()))?;
    }
    Ok(w.into_writer())
}

impl Lab {
    /// Starts capturing on interface `dev` of `ns`; `promisc` makes it promiscuous as tcpdump
    /// does unless given `-p` (a bridge then hands up every frame it forwards).
    pub fn capture_start(&mut self, ns: NsId, dev: &str, promisc: bool) -> LabResult<CaptureId> {
        let link = self.link_by_name(ns, dev)?;
        self.fabric
            .set_capture(link, true)
            .map_err(crate::lab::fabric_err)?;
        if promisc {
            self.fabric
                .set_promisc(link, true)
                .map_err(crate::lab::fabric_err)?;
        }
        self.captures.push(Some(Capture {
            link,
            promisc,
            frames: Vec::new(),
        }));
        Ok(self.captures.len() - 1)
    }

    /// The frames a capture holds.
    pub fn capture(&self, id: CaptureId) -> Option<&Capture> {
        self.captures.get(id).and_then(|c| c.as_ref())
    }

    /// Takes the frames captured so far (for a streaming reader).
    pub fn capture_take(&mut self, id: CaptureId) -> Vec<CapturedFrame> {
        self.collect_wire();
        self.captures
            .get_mut(id)
            .and_then(|c| c.as_mut())
            .map(|c| std::mem::take(&mut c.frames))
            .unwrap_or_default()
    }

    /// Ends a capture and returns it.
    pub fn capture_stop(&mut self, id: CaptureId) -> Option<Capture> {
        self.collect_wire();
        let c = self.captures.get_mut(id)?.take()?;
        let _ = self.fabric.set_capture(c.link, false);
        if c.promisc {
            let _ = self.fabric.set_promisc(c.link, false);
        }
        Some(c)
    }

    /// Writes a capture's frames as pcap to `path`.
    pub fn capture_write_pcap(&self, id: CaptureId, path: &std::path::Path) -> LabResult<()> {
        let c = self.capture(id).ok_or(LabError::NotFound("capture"))?;
        let f = std::fs::File::create(path)
            .map_err(|e| LabError::Io(format!("{}: {e}", path.display())))?;
        write_pcap(std::io::BufWriter::new(f), self.config.epoch_us, &c.frames)?
            .flush()
            .map_err(|e| LabError::Io(e.to_string()))
    }

    pub(crate) fn stop_captures_on(&mut self, link: LinkId) {
        for c in self.captures.iter_mut().flatten() {
            if c.link == link {
                c.promisc = false;
            }
        }
    }
}
