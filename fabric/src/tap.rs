//! A TAP device of the real kernel, opened without privileges when root created it for this
//! user (`ip tuntap add dev l2tap0 mode tap user $USER`), and driven without blocking through
//! tokio's `AsyncFd` (the tun-tap crate's own tokio support uses the obsolete tokio-core).

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use tokio::io::unix::AsyncFd;
use tun_tap::{Iface, Mode};

/// Why a TAP device could not be opened, with what root must do about it.
#[derive(Debug, thiserror::Error)]
#[error("cannot open TAP device \"{dev}\": {why}\n{hint}")]
pub struct TapError {
    /// The device's name.
    pub dev: String,
    /// The system's reason.
    pub why: String,
    /// The command that fixes it.
    pub hint: String,
}

struct Fd(Iface);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// An open TAP device: Ethernet frames in and out, without packet information headers.
pub struct TapDevice {
    name: String,
    fd: AsyncFd<Fd>,
}

impl std::fmt::Debug for TapDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TapDevice({})", self.name)
    }
}

/// The clone device every TAP device is opened through.
const TUN: &str = "/dev/net/tun";

/// Why `/dev/net/tun` itself would not open, and what to do: the TAP device may well exist.
fn tun_error(dev: &str, e: &io::Error) -> TapError {
    let hint = match e.kind() {
        io::ErrorKind::NotFound => format!(
            "This machine has no {TUN}: as root, load the tun module (modprobe tun), or make \
             the node (mkdir -p /dev/net && mknod {TUN} c 10 200 && chmod 0666 {TUN})."
        ),
        io::ErrorKind::PermissionDenied => format!(
            "{TUN} is not open to this user (its mode is 0600 here; most systems have 0666): \
             as root, chmod 0666 {TUN}. A TAP device made for a user still stays that user's."
        ),
        _ => format!("{TUN} must open for reading and writing."),
    };
    TapError {
        dev: dev.to_string(),
        why: format!("{TUN}: {}", errno_words(e)),
        hint,
    }
}

/// The C library's words for an error, without Rust's "(os error N)".
fn errno_words(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "$USER".to_string())
}

impl TapDevice {
    /// Opens the persistent TAP device `dev`. Needs a tokio runtime (for `AsyncFd`).
    pub fn open(dev: &str) -> Result<TapDevice, TapError> {
        let fail = |e: io::Error| {
            let hint = match e.raw_os_error() {
                Some(1) | Some(13) => format!(
                    "As root, create it for this user and bring it up:\n  ip tuntap add dev {dev} mode tap user {}\n  ip link set {dev} up",
                    user()
                ),
                Some(16) => format!("Another program holds {dev} open; close it first."),
                _ => format!(
                    "As root: ip tuntap add dev {dev} mode tap user {}",
                    user()
                ),
            };
            TapError {
                dev: dev.to_string(),
                why: e.to_string(),
                hint,
            }
        };
        if dev.is_empty() || dev.len() > 15 {
            return Err(fail(io::Error::from_raw_os_error(22)));
        }
        // tun_tap opens the clone device and asks for `dev` in one call, and both fail with
        // EPERM or EACCES: opening it first tells the two apart.
        if let Err(e) = std::fs::OpenOptions::new().read(true).write(true).open(TUN) {
            return Err(tun_error(dev, &e));
        }
        let iface = Iface::without_packet_info(dev, Mode::Tap).map_err(fail)?;
        iface.set_non_blocking().map_err(fail)?;
        // SAFETY: the descriptor is the Iface's own, open for as long as the Iface lives, and
        // the AsyncFd owns the Iface, so it stays open and the same for the AsyncFd's life.
        let fd = unsafe { AsyncFd::register(Fd(iface)) }.map_err(|e| fail(e.into()))?;
        Ok(TapDevice {
            name: dev.to_string(),
            fd,
        })
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits for the next frame the kernel sends on the device.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut guard = self.fd.readable().await?;
            match guard.try_io(|inner| inner.get_ref().0.recv(buf)) {
                Ok(r) => return r,
                Err(_would_block) => continue,
            }
        }
    }

    /// Hands a frame to the kernel; a full device queue drops it, as a NIC's would.
    pub fn send(&self, frame: &[u8]) -> io::Result<()> {
        match self.fd.get_ref().0.send(frame) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_closed_clone_device_is_named_not_the_tap() {
        let e = tun_error("l2tap0", &io::Error::from_raw_os_error(13));
        let text = e.to_string();
        assert!(text
            .starts_with("cannot open TAP device \"l2tap0\": /dev/net/tun: Permission denied\n"));
        assert!(text.contains("chmod 0666 /dev/net/tun"));
        assert!(!text.contains("ip tuntap add"));
        let e = tun_error("l2tap0", &io::Error::from_raw_os_error(2));
        assert!(e.to_string().contains("modprobe tun"));
    }
}
