//! Builds what the `l2lab` binary carries and writes into each lab's private directory:
//!
//! - the preload library (tools/preload, a cdylib): a lab needs it in every process it
//!   starts, and cargo would not otherwise build a cdylib for `cargo test` or `cargo install`;
//! - the tutorial commands' client (tools/client), statically linked with `panic = "abort"`
//!   and nothing else: a command starts in the time of the loader's least work. Cargo can
//!   give one binary of a workspace neither setting (`crt-static` would reach the
//!   workspace's procedural macros), so it is built apart.
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
    let client = |flags: &str| {
        cargo(&here.join("client/Cargo.toml"), &target)
            .args(["--bin", "l2lab-client"])
            .args(["--config", "profile.release.panic=\"abort\""])
            .args(["--config", "profile.release.debug=0"])
            .args(["--config", "profile.release.strip=true"])
            .args(["--config", "profile.release.codegen-units=1"])
            .args(["--config", "profile.release.lto=true"])
            .env("RUSTFLAGS", flags)
            .status()
            .is_ok_and(|s| s.success())
    };
    // Static when the C library can be linked so; the loader's work otherwise.
    if !client("-C target-feature=+crt-static") {
        println!("cargo:warning=the client could not be linked statically: built dynamically");
        assert!(client(""), "building tools/client failed");
    }
    std::fs::copy(
        target.join("release/l2lab-client"),
        out.join("l2lab-client"),
    )
    .expect("the client was built");
}
