//! Builds what the `l2lab` binary carries and writes into each lab's private directory:
//!
//! - the preload library (tools/preload, a cdylib): a lab needs it in every process it
//!   starts, and cargo would not otherwise build a cdylib for `cargo test` or `cargo install`;
//! - the tutorial commands' client (tools/client): no C library and no loader, so a command
//!   starts in the time of an exec. It needs link arguments and `panic = "abort"`, which
//!   cargo cannot give one binary of this workspace, so it is a workspace of its own.
//!
//! A cargo of its own for each, in a target directory of its own, since a build script cannot
//! ask its own cargo for another artifact.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The outer build's lints and flags are not these artifacts': they are built plainly.
const OUTER: &[&str] = &[
    "RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
];

fn cargo(manifest: &Path, target: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(manifest)
        .arg("--target-dir")
        .arg(target);
    for var in OUTER {
        cmd.env_remove(var);
    }
    cmd
}

fn main() {
    for p in [
        "preload/src",
        "preload/Cargo.toml",
        "client/src",
        "client/Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));

    let target = out.join("preload-target");
    let status = cargo(&here.join("preload/Cargo.toml"), &target)
        .arg("--lib")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building tools/preload failed");
    let lib = target.join("release/libl2lab_preload.so");
    std::fs::copy(&lib, out.join("libl2lab_preload.so")).expect("the library was built");

    let target = out.join("client-target");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    // The client makes x86-64 Linux system calls itself; elsewhere the full binary serves.
    let built = arch == "x86_64"
        && os == "linux"
        && cargo(&here.join("client/Cargo.toml"), &target)
            .args(["--bin", "l2lab-client"])
            .status()
            .is_ok_and(|s| s.success());
    let bytes = if built {
        std::fs::read(target.join("release/l2lab-client")).expect("the client was built")
    } else {
        println!(
            "cargo:warning=no small client for this target: commands start as the full binary"
        );
        Vec::new()
    };
    std::fs::write(out.join("l2lab-client"), bytes).expect("OUT_DIR is writable");
}
