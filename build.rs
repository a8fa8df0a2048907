//! Build script: links the `ironhedge` binary as a non-position-independent executable on
//! x86-64 Linux (`-no-pie`), so that the dynamic loader has no relocations to apply to it.
//!
//! As a PIE the binary carries 77,900 relative relocations: at every start the loader walks them
//! and writes 1.8 MB of pointers, copying each page it touches. Linked at a fixed address it has
//! about 150 (those into the C libraries) and starts in 1.25 ms instead of 2.4 (`ironhedge
//! --version`, median of 40; `/bin/true` 0.6 ms). The price: the executable's own code and data
//! are not moved by address-space layout randomisation (libraries, heap and stack still are),
//! which matters little for a tool that reads local files. Set `IRONHEDGE_PIE=1` at build time to
//! keep a PIE. Only the binaries are affected: the library, tests and benches link as usual.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=IRONHEDGE_PIE");
    let linux_x86_64 = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64");
    if linux_x86_64 && std::env::var_os("IRONHEDGE_PIE").is_none() {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
