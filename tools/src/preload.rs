//! Handing the preload library (tools/preload) to the processes a lab starts. The binary
//! carries it (tools/build.rs builds it) and writes it into the lab's private directory.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The library's file name, as cargo builds the `l2lab-preload` cdylib.
pub const LIBRARY: &str = "libl2lab_preload.so";

/// The library itself, built with the binary (tools/build.rs).
const BYTES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libl2lab_preload.so"));

/// Writes the library into the lab's private directory `dir`, whose path must be one ld.so
/// can preload from.
pub fn install(dir: &Path) -> anyhow::Result<PathBuf> {
    let lib = dir.join(LIBRARY);
    // ld.so splits LD_PRELOAD at spaces and colons.
    if lib.to_string_lossy().contains([' ', ':']) {
        anyhow::bail!(
            "the lab's preload library cannot be preloaded from {}, a path with spaces or colons: set TMPDIR to another directory",
            lib.display()
        );
    }
    std::fs::write(&lib, BYTES)?;
    std::fs::set_permissions(&lib, std::fs::Permissions::from_mode(0o555))?;
    Ok(lib)
}

/// Makes `cmd` and everything it starts load the preload library (before any the user
/// preloads already).
pub fn env_for_child(cmd: &mut std::process::Command, dir: &Path) -> anyhow::Result<()> {
    let lib = install(dir)?;
    let mut value = std::ffi::OsString::from(lib.as_os_str());
    if let Some(old) = std::env::var_os("LD_PRELOAD").filter(|v| !v.is_empty()) {
        value.push(":");
        value.push(old);
    }
    cmd.env("LD_PRELOAD", value);
    Ok(())
}
