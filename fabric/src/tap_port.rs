//! The wire's side of a TAP port: a link whose far side is a real kernel device. Frames the
//! fabric sends out of it are queued for the device; frames the device delivers enter here.

use std::time::Duration;

use bytes::Bytes;

use crate::link::{Link, LinkId, LinkKind, ETH_DATA_LEN};
use crate::Fabric;

impl Fabric {
    /// A TAP port, down, with a random MAC (the emulated end's address, as a NIC's).
    pub fn add_tap(&mut self) -> LinkId {
        let mac = self.random_mac();
        self.insert_link(Link::new(LinkKind::Tap, mac, ETH_DATA_LEN))
    }

    /// A frame that arrived from outside on `link` (from the kernel through a TAP device):
    /// it enters as a frame received on that interface, and runs to completion.
    pub fn receive(&mut self, now: Duration, link: LinkId, frame: Bytes) -> u64 {
        self.start_journey(now, link, frame, false)
    }

    /// Frames waiting to leave through TAP ports, oldest first.
    pub fn drain_tap_out(&mut self) -> std::vec::Drain<'_, (LinkId, Bytes)> {
        self.tap_out.drain(..)
    }

    /// Whether any frame waits for a TAP device.
    pub fn has_tap_out(&self) -> bool {
        !self.tap_out.is_empty()
    }
}
