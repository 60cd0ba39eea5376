//! Builds the preload library (tools/preload, a cdylib) so that the `l2lab` binary can carry
//! it: a lab needs it in every process it starts, and cargo would not otherwise build a
//! cdylib for `cargo test` or `cargo install`. A cargo of its own, in a target directory of
//! its own, since a build script cannot ask its own cargo for another artifact.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=preload/src");
    println!("cargo:rerun-if-changed=preload/Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = out.join("preload-target");
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--release", "--lib", "--quiet", "--manifest-path"])
        .arg(here.join("preload/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target);
    // The outer build's lints and flags are not the library's: it is built plainly.
    for var in [
        "RUSTC_WORKSPACE_WRAPPER",
        "CLIPPY_ARGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("cargo runs");
    assert!(status.success(), "building tools/preload failed");
    let lib = target.join("release/libl2lab_preload.so");
    std::fs::copy(&lib, out.join("libl2lab_preload.so")).expect("the library was built");
}
