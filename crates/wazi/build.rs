//! Chooses the interpreter's dispatch backend.
//!
//! The fast backend threads handlers by sibling calls: every handler ends by
//! calling the next one in tail position, which LLVM turns into a jump. Stable
//! Rust does not guarantee that, so it is only enabled where LLVM is known to
//! perform the optimisation: an optimising build (`opt-level` 2, 3, `s`, `z`)
//! on x86_64 or aarch64. Everywhere else (debug builds, other targets, or the
//! `portable-dispatch` feature) handlers return to a dispatch loop instead.
use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=OPT_LEVEL");
    println!("cargo::rustc-check-cfg=cfg(wazi_tail_dispatch)");
    let opt = env::var("OPT_LEVEL").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimising = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    let arch_ok = matches!(arch.as_str(), "x86_64" | "aarch64");
    let portable = env::var_os("CARGO_FEATURE_PORTABLE_DISPATCH").is_some();
    if optimising && arch_ok && !portable {
        println!("cargo::rustc-cfg=wazi_tail_dispatch");
    }
}
