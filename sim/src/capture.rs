//! Captures: every frame seen on an interface, both ways, stamped with lab time, and written
//! as a classic pcap file (microsecond stamps, snaplen 262144) as `tcpdump -w` does: Ethernet
//! for a capture on one interface, Linux cooked v2 (LINUX_SLL2) for one on `any`, which sees
//! every interface of its namespace, also those that arrive after it started.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use bytes::Bytes;
use l2lab_fabric::{Captured, Direction, LinkId, LinkKind};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

use crate::error::{LabError, LabResult};
use crate::lab::{Lab, NsId};

/// tcpdump's default snapshot length.
pub const SNAPLEN: u32 = 262_144;

/// Length of the Linux cooked v2 header libpcap puts before each packet of an `any` capture.
pub const SLL2_HDR_LEN: usize = 20;

/// ARPHRD_ETHER: the hardware type of veths, bridges and dummies.
pub const ARPHRD_ETHER: u16 = 1;
/// ARPHRD_LOOPBACK: the hardware type of `lo`.
pub const ARPHRD_LOOPBACK: u16 = 772;

/// The packet type a packet socket reports (linux/if_packet.h PACKET_*), as the receive path
/// set it: tcpdump prints it as `In`, `B`, `M`, `P` or `Out` on cooked captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    /// PACKET_HOST: addressed to this interface.
    Host = 0,
    /// PACKET_BROADCAST: to the broadcast address.
    Broadcast = 1,
    /// PACKET_MULTICAST: to a multicast address.
    Multicast = 2,
    /// PACKET_OTHERHOST: addressed to another host (seen anyway: veths do not filter).
    OtherHost = 3,
    /// PACKET_OUTGOING: sent out of the interface.
    Outgoing = 4,
}

impl PacketType {
    /// What eth_type_trans decides for a frame received on an interface with address `own`,
    /// or Outgoing for one sent.
    pub fn classify(direction: Direction, frame: &[u8], own: [u8; 6]) -> PacketType {
        if direction == Direction::Out {
            return PacketType::Outgoing;
        }
        match frame.get(0..6) {
            Some(d) if d == [0xff; 6] => PacketType::Broadcast,
            Some(d) if d[0] & 1 == 1 => PacketType::Multicast,
            Some(d) if d == own => PacketType::Host,
            _ => PacketType::OtherHost,
        }
    }
}

/// A frame in a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedFrame {
    /// Lab time it was seen.
    pub at: Duration,
    /// In or out of the interface.
    pub direction: Direction,
    /// The frame.
    pub frame: Bytes,
    /// The interface's index in its namespace when the frame was seen.
    pub ifindex: u32,
    /// The interface's hardware type (ARPHRD_*).
    pub hatype: u16,
    /// The packet type a packet socket reports for it.
    pub pkttype: PacketType,
}

impl CapturedFrame {
    /// The frame as an `any` capture records it: the Linux cooked v2 header (protocol,
    /// reserved, ifindex, hardware type, packet type, address length, the source address
    /// padded to 8 bytes) and then what follows the Ethernet header.
    pub fn sll2(&self) -> Vec<u8> {
        sll2_encode(&self.frame, self.ifindex, self.hatype, self.pkttype as u8)
    }
}

/// Encodes an Ethernet frame as a LINUX_SLL2 record (a runt keeps what it has, unparsed).
pub fn sll2_encode(frame: &[u8], ifindex: u32, hatype: u16, pkttype: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(frame.len() + SLL2_HDR_LEN);
    let ethertype = frame
        .get(12..14)
        .map_or(0, |t| u16::from_be_bytes([t[0], t[1]]));
    let payload = frame.get(14..).unwrap_or(&[]);
    // Below 0x0600 the field is a length: eth_type_trans calls the frame raw 802.3 (IPX,
    // ETH_P_802_3) when the payload opens with 0xffff, 802.2 LLC (ETH_P_802_2) otherwise.
    let protocol = if ethertype >= 0x0600 {
        ethertype
    } else if payload.starts_with(&[0xff, 0xff]) {
        0x0001
    } else {
        0x0004
    };
    out.extend_from_slice(&protocol.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&ifindex.to_be_bytes());
    out.extend_from_slice(&hatype.to_be_bytes());
    out.push(pkttype);
    out.push(6);
    let mut addr = [0u8; 8];
    if let Some(src) = frame.get(6..12) {
        addr[..6].copy_from_slice(src);
    }
    out.extend_from_slice(&addr);
    out.extend_from_slice(payload);
    out
}

/// A capture on one interface, or on all of a namespace's (`any`).
#[derive(Debug, Clone)]
pub struct Capture {
    /// The interface (for an `any` capture, the namespace's first interface when it started;
    /// `any` and `links` say what it really sees).
    pub link: LinkId,
    /// Whether it made the interface promiscuous.
    pub promisc: bool,
    /// Frames seen, oldest first.
    pub frames: Vec<CapturedFrame>,
    /// For `tcpdump -i any`: the namespace whose interfaces it sees.
    pub any: Option<NsId>,
    /// For an `any` capture: the interfaces it is tapping now.
    pub links: Vec<LinkId>,
}

/// Identifies a capture of a lab.
pub type CaptureId = usize;

/// Writes frames as an Ethernet pcap file; stamps are `epoch_us` plus each frame's lab time.
pub fn write_pcap<W: Write>(out: W, epoch_us: u64, frames: &[CapturedFrame]) -> LabResult<W> {
    write_pcap_as(out, epoch_us, frames, false)
}

/// Writes frames as a LINUX_SLL2 pcap file, as `tcpdump -i any -w` does.
pub fn write_pcap_sll2<W: Write>(out: W, epoch_us: u64, frames: &[CapturedFrame]) -> LabResult<W> {
    write_pcap_as(out, epoch_us, frames, true)
}

fn write_pcap_as<W: Write>(
    out: W,
    epoch_us: u64,
    frames: &[CapturedFrame],
    cooked: bool,
) -> LabResult<W> {
    let header = PcapHeader {
        snaplen: SNAPLEN,
        datalink: if cooked {
            DataLink::LINUX_SLL2
        } else {
            DataLink::ETHERNET
        },
        ..Default::default()
    };
    let mut w = PcapWriter::with_header(out, header).map_err(|e| LabError::Io(e.to_string()))?;
    for f in frames {
        let ts = Duration::from_micros(epoch_us) + Duration::from_micros(f.at.as_micros() as u64);
        let data = if cooked {
            std::borrow::Cow::Owned(f.sll2())
        } else {
            std::borrow::Cow::Borrowed(&f.frame[..])
        };
        let len = data.len() as u32;
        w.write_packet(&PcapPacket::new(ts, len, &data))
            .map_err(|e| LabError::Io(e.to_string()))?;
    }
    Ok(w.into_writer())
}

/// What a capture records about the interface a frame went through.
struct IfMeta {
    ifindex: u32,
    hatype: u16,
    mac: [u8; 6],
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
        self.capture_index = None;
        self.captures.push(Some(Capture {
            link,
            promisc,
            frames: Vec::new(),
            any: None,
            links: Vec::new(),
        }));
        Ok(self.captures.len() - 1)
    }

    /// Starts capturing on every interface of `ns` (`tcpdump -i any`): a packet socket bound
    /// to no device, which never makes an interface promiscuous and also sees interfaces
    /// created in or moved into `ns` later.
    pub fn capture_start_any(&mut self, ns: NsId) -> LabResult<CaptureId> {
        if self.ns(ns).is_none() {
            return Err(LabError::NoSuchNamespace(String::new()));
        }
        self.collect_wire();
        let links = self.links(ns);
        for &l in &links {
            self.fabric
                .set_capture(l, true)
                .map_err(crate::lab::fabric_err)?;
        }
        self.capture_index = None;
        self.captures.push(Some(Capture {
            link: links.first().copied().unwrap_or(LinkId(u32::MAX)),
            promisc: false,
            frames: Vec::new(),
            any: Some(ns),
            links,
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
        self.capture_index = None;
        if c.any.is_some() {
            for &l in &c.links {
                let _ = self.fabric.set_capture(l, false);
            }
            return Some(c);
        }
        let _ = self.fabric.set_capture(c.link, false);
        if c.promisc {
            let _ = self.fabric.set_promisc(c.link, false);
        }
        Some(c)
    }

    /// Writes a capture's frames as pcap to `path` (LINUX_SLL2 for an `any` capture).
    pub fn capture_write_pcap(&self, id: CaptureId, path: &std::path::Path) -> LabResult<()> {
        let c = self.capture(id).ok_or(LabError::NotFound("capture"))?;
        let f = std::fs::File::create(path)
            .map_err(|e| LabError::Io(format!("{}: {e}", path.display())))?;
        let w = std::io::BufWriter::new(f);
        let epoch = self.config.epoch_us;
        let w = if c.any.is_some() {
            write_pcap_sll2(w, epoch, &c.frames)?
        } else {
            write_pcap(w, epoch, &c.frames)?
        };
        w.into_inner()
            .map_err(|e| LabError::Io(e.to_string()))?
            .flush()
            .map_err(|e| LabError::Io(e.to_string()))
    }

    /// A link deleted: single-interface captures on it end their promiscuity, `any` captures
    /// first take what it carried, then let go of it.
    pub(crate) fn stop_captures_on(&mut self, link: LinkId) {
        self.collect_wire();
        self.capture_index = None;
        for c in self.captures.iter_mut().flatten() {
            if c.any.is_some() {
                c.links.retain(|l| *l != link);
            } else if c.link == link {
                c.promisc = false;
            }
        }
    }

    /// `link` has joined namespace `ns` (created there or moved in): the `any` captures of
    /// `ns` start seeing it, as a packet socket bound to no device sees every device.
    pub(crate) fn captures_join(&mut self, ns: NsId, link: LinkId) {
        self.capture_index = None;
        let mut taps = 0;
        for c in self.captures.iter_mut().flatten() {
            if c.any == Some(ns) && !c.links.contains(&link) {
                c.links.push(link);
                taps += 1;
            }
        }
        for _ in 0..taps {
            let _ = self.fabric.set_capture(link, true);
        }
    }

    /// `link` is leaving namespace `ns`: the `any` captures of `ns` take what it carried
    /// until now and stop seeing it.
    pub(crate) fn captures_leave(&mut self, ns: NsId, link: LinkId) {
        self.collect_wire();
        self.capture_index = None;
        let mut taps = 0;
        for c in self.captures.iter_mut().flatten() {
            if c.any == Some(ns) && c.links.contains(&link) {
                c.links.retain(|l| *l != link);
                taps += 1;
            }
        }
        for _ in 0..taps {
            let _ = self.fabric.set_capture(link, false);
        }
    }

    fn if_meta(&self, link: LinkId) -> IfMeta {
        let ifindex = self.iface(link).map_or(0, |i| i.ifindex);
        let (hatype, mac) = match self.fabric.link(link) {
            Some(l) if matches!(l.kind, LinkKind::Loopback) => (ARPHRD_LOOPBACK, l.mac.0),
            Some(l) => (ARPHRD_ETHER, l.mac.0),
            None => (ARPHRD_ETHER, [0; 6]),
        };
        IfMeta {
            ifindex,
            hatype,
            mac,
        }
    }

    /// Hands frames the wire captured to the captures that see their interface.
    pub(crate) fn deliver_captured(&mut self, now: Duration, captured: Vec<Captured>) {
        let index = self.capture_index.get_or_insert_with(|| {
            let mut index: HashMap<LinkId, Vec<CaptureId>> = HashMap::new();
            for (id, c) in self.captures.iter().enumerate() {
                let Some(c) = c else { continue };
                match c.any {
                    Some(_) => {
                        for &l in &c.links {
                            index.entry(l).or_default().push(id);
                        }
                    }
                    None => index.entry(c.link).or_default().push(id),
                }
            }
            index
        });
        let index = std::mem::take(index);
        for c in captured {
            let Some(ids) = index.get(&c.link) else {
                continue;
            };
            let m = self.if_meta(c.link);
            let f = CapturedFrame {
                at: now,
                direction: c.direction,
                pkttype: PacketType::classify(c.direction, &c.frame, m.mac),
                frame: c.frame,
                ifindex: m.ifindex,
                hatype: m.hatype,
            };
            for &id in ids {
                if let Some(Some(cap)) = self.captures.get_mut(id) {
                    cap.frames.push(f.clone());
                    if self.capture_is_fresh.len() <= id {
                        self.capture_is_fresh.resize(id + 1, false);
                    }
                    if !self.capture_is_fresh[id] {
                        self.capture_is_fresh[id] = true;
                        self.captures_fresh.push(id);
                    }
                }
            }
        }
        self.capture_index = Some(index);
    }

    /// Takes the frames of the captures `wanted` picks among those given frames since the
    /// last call, by capture in the order they were started: a reader of many captures
    /// (replay's one per host) pays for the ones that saw something, not for all.
    pub fn capture_take_fresh(
        &mut self,
        wanted: impl Fn(CaptureId) -> bool,
    ) -> Vec<(CaptureId, Vec<CapturedFrame>)> {
        self.collect_wire();
        let mut fresh = std::mem::take(&mut self.captures_fresh);
        fresh.sort_unstable();
        let mut out = Vec::new();
        for id in fresh {
            if let Some(f) = self.capture_is_fresh.get_mut(id) {
                *f = false;
            }
            if !wanted(id) {
                continue;
            }
            if let Some(Some(c)) = self.captures.get_mut(id) {
                if !c.frames.is_empty() {
                    out.push((id, std::mem::take(&mut c.frames)));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn sll2_header_as_libpcap_writes_it() {
        // An echo request seen on v1 (ifindex 3, OTHERHOST) by `tcpdump -i any -w` on Linux
        // 6.x: the first 28 bytes of that record in the file it wrote.
        let mut frame = vec![0x2a, 0x14, 0x03, 0xb8, 0xb7, 0x75];
        frame.extend([0x72, 0xcb, 0xd5, 0xd8, 0x54, 0xd4, 0x08, 0x00]);
        frame.extend([0x45, 0x00, 0x00, 0x54, 0x0e, 0xe2, 0x40, 0x00]);
        let rec = sll2_encode(&frame, 3, ARPHRD_ETHER, PacketType::OtherHost as u8);
        assert_eq!(
            rec,
            [
                0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x03, 0x06, 0x72, 0xcb,
                0xd5, 0xd8, 0x54, 0xd4, 0x00, 0x00, 0x45, 0x00, 0x00, 0x54, 0x0e, 0xe2, 0x40, 0x00
            ]
        );
        // lo (an IPv4 packet): hardware type 772, packet type HOST, an all-zero address of
        // length 6, as in the same file.
        let mut lo_frame = [0u8; 14];
        lo_frame[12] = 0x08;
        let lo = sll2_encode(&lo_frame, 1, ARPHRD_LOOPBACK, 0);
        assert_eq!(
            &lo[..20],
            &[8, 0, 0, 0, 0, 0, 0, 1, 3, 4, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(sll2_encode(&[1, 2], 1, 1, 0).len(), SLL2_HDR_LEN);
    }

    #[test]
    fn packet_types() {
        let own = [2, 0, 0, 0, 0, 1];
        let f = |dst: [u8; 6]| {
            let mut v = dst.to_vec();
            v.extend([0; 8]);
            v
        };
        let c = |d, fr: &[u8]| PacketType::classify(d, fr, own);
        assert_eq!(c(Direction::Out, &f(own)), PacketType::Outgoing);
        assert_eq!(c(Direction::In, &f(own)), PacketType::Host);
        assert_eq!(c(Direction::In, &f([0xff; 6])), PacketType::Broadcast);
        assert_eq!(
            c(Direction::In, &f([1, 0, 0x5e, 0, 0, 1])),
            PacketType::Multicast
        );
        assert_eq!(
            c(Direction::In, &f([2, 0, 0, 0, 0, 9])),
            PacketType::OtherHost
        );
        assert_eq!(c(Direction::In, &[1]), PacketType::OtherHost);
    }
}
