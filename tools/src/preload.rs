//! Finding the preload library (tools/preload) and handing it to the processes a lab starts.
//! It is built beside the `l2lab` binary (`target/release` or `target/debug`); a lab without
//! it would show the host's /proc/net and /sys/class/net, so the lab refuses to start.

use std::path::PathBuf;

/// The library's file name, as cargo builds the `l2lab-preload` cdylib.
pub const LIBRARY: &str = "libl2lab_preload.so";

/// The library beside the running executable, or an error saying how to build it.
pub fn library() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| anyhow::anyhow!("{}: no directory", exe.display()))?;
    let lib = dir.join(LIBRARY);
    if !lib.is_file() {
        anyhow::bail!(
            "the lab's preload library {} is missing: build it with `cargo build --release` \
             (or `cargo build -p l2lab-preload` for a debug build), which builds it beside l2lab",
            lib.display()
        );
    }
    // ld.so splits LD_PRELOAD at spaces and colons.
    let text = lib.to_string_lossy();
    if text.contains([' ', ':']) {
        anyhow::bail!(
            "the lab's preload library {} cannot be preloaded from a path with spaces or colons",
            lib.display()
        );
    }
    Ok(lib)
}

/// Makes `cmd` and everything it starts load the preload library (before any the user
/// preloads already).
pub fn env_for_child(cmd: &mut std::process::Command) -> anyhow::Result<()> {
    let lib = library()?;
    let mut value = std::ffi::OsString::from(lib.as_os_str());
    if let Some(old) = std::env::var_os("LD_PRELOAD").filter(|v| !v.is_empty()) {
        value.push(":");
        value.push(old);
    }
    cmd.env("LD_PRELOAD", value);
    Ok(())
}
