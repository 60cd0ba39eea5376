//! Links the client with no C library and no start files: it has its own entry point and
//! makes its system calls itself (src/sys.rs).

fn main() {
    for arg in ["-nostartfiles", "-nostdlib", "-static", "-no-pie"] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
}
