//! TAP ports in a lab: an interface whose far side is a TAP device of the real kernel, so an
//! emulated bridge can meet real namespaces. Real time only: the kernel does not wait.

use std::rc::Rc;

use bytes::Bytes;
use l2lab_fabric::LinkId;

use crate::error::{LabError, LabResult};
use crate::event::EventKind;
use crate::lab::{Lab, NsId};

#[cfg(feature = "tap")]
pub use l2lab_fabric::tap::TapDevice;

/// Stands in for the device when the `tap` feature is off.
#[cfg(not(feature = "tap"))]
#[derive(Debug)]
pub struct TapDevice;

/// The lab's TAP ports.
#[derive(Debug, Default)]
pub struct TapState {
    ports: Vec<(LinkId, Rc<TapDevice>)>,
    fresh: Vec<(LinkId, Rc<TapDevice>)>,
    /// Frames for the devices, taken off the wire with the uplink's.
    held: Vec<(LinkId, Bytes)>,
}

impl Lab {
    /// Makes the kernel's TAP device `dev` an interface `name` of `ns`, down, that can join an
    /// emulated bridge. Refused on the virtual clock; the error of a device that cannot be
    /// opened says what root must run.
    pub fn add_tap_port(&mut self, ns: NsId, name: &str, dev: &str) -> LabResult<LinkId> {
        if self.clock().is_virtual() {
            return Err(LabError::WrongClock(
                "a TAP port meets the real kernel, which runs in real time: use `l2lab run --realtime`",
            ));
        }
        if self.link_by_name(ns, name).is_ok() {
            return Err(LabError::Exists(name.to_string()));
        }
        let device = open(dev)?;
        let id = self.fabric.add_tap();
        self.attach_link(ns, id, name)?;
        let device = Rc::new(device);
        self.tap.ports.push((id, device.clone()));
        self.tap.fresh.push((id, device));
        Ok(id)
    }

    /// TAP ports added since the last call (the lab process starts reading them).
    pub fn take_new_taps(&mut self) -> Vec<(LinkId, Rc<TapDevice>)> {
        std::mem::take(&mut self.tap.fresh)
    }

    /// Whether the lab has any TAP port (virtual time is impossible then).
    pub fn has_taps(&self) -> bool {
        !self.tap.ports.is_empty()
    }

    /// A frame the kernel sent on the TAP device behind `link` enters the lab.
    pub fn tap_receive(&mut self, link: LinkId, frame: Bytes) {
        if self.iface(link).is_none() {
            return;
        }
        let now = self.now();
        self.fabric.receive(now, link, frame);
        self.pump();
    }

    /// Hands every frame waiting at TAP ports to its device.
    pub fn tap_flush(&mut self) {
        let mut out = std::mem::take(&mut self.tap.held);
        out.extend(self.fabric.drain_tap_out());
        for (link, frame) in out {
            if let Some((_, dev)) = self.tap.ports.iter().find(|(l, _)| *l == link) {
                send(dev, &frame);
            }
        }
        // Ports whose interface was deleted close their device.
        let alive: Vec<bool> = self
            .tap
            .ports
            .iter()
            .map(|(l, _)| self.iface(*l).is_some())
            .collect();
        let mut i = 0;
        self.tap.ports.retain(|_| {
            let keep = alive[i];
            i += 1;
            keep
        });
    }

    /// Keeps a frame for the TAP port `link` until [`Lab::tap_flush`].
    pub(crate) fn tap_hold(&mut self, link: LinkId, frame: Bytes) {
        self.tap.held.push((link, frame));
    }

    fn attach_link(&mut self, ns: NsId, id: LinkId, name: &str) -> LabResult<()> {
        self.attach_named(ns, id, name);
        self.event(EventKind::LinkAdded {
            ns,
            link: id,
            name: name.to_string(),
            kind: "tap",
            peer: None,
        });
        Ok(())
    }
}

#[cfg(feature = "tap")]
fn open(dev: &str) -> LabResult<TapDevice> {
    TapDevice::open(dev).map_err(|e| LabError::Io(e.to_string()))
}

#[cfg(not(feature = "tap"))]
fn open(dev: &str) -> LabResult<TapDevice> {
    Err(LabError::NotSupported(format!(
        "{dev}: this l2lab was built without the `tap` feature"
    )))
}

#[cfg(feature = "tap")]
fn send(dev: &TapDevice, frame: &[u8]) {
    let _ = dev.send(frame);
}

#[cfg(not(feature = "tap"))]
fn send(_dev: &TapDevice, _frame: &[u8]) {}
