//! Builds the guest programs of `crates/test-programs` (`p1_*` for
//! `wasm32-wasip1`, `p2_*` and `p3_*` components for `wasm32-wasip2`) and writes a
//! constant with the path of each: `P1_HELLO` for `src/bin/p1_hello.rs`.
//! Cargo caches the build in `target/guests`, so an unchanged guest is not
//! rebuilt.

use std::env;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let programs = manifest.join("../test-programs").canonicalize().unwrap();
    println!("cargo:rerun-if-changed={}", programs.join("src").display());
    println!("cargo:rerun-if-changed={}", programs.join("Cargo.toml").display());
    println!("cargo:rerun-if-changed={}", programs.join("wit").display());
    let target_dir = match env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => manifest.join("../../target"),
    }
    .join("guests");

    let mut bins: Vec<String> = std::fs::read_dir(programs.join("src/bin"))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "rs").then(|| p.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    bins.sort();
    let target_of =
        // WASI 0.3 guests (`p3_*`) are components built for wasip2 too.
        |bin: &str| if bin.starts_with("p1_") { "wasm32-wasip1" } else { "wasm32-wasip2" };
    for target in ["wasm32-wasip1", "wasm32-wasip2"] {
        let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.args(["build", "--release", "--target", target, "--manifest-path"])
            .arg(programs.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target_dir);
        for bin in bins.iter().filter(|b| target_of(b) == target) {
            cmd.args(["--bin", bin]);
        }
        // Flags meant for the host build must not reach the guests'.
        for var in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
            "CLIPPY_ARGS",
            "CLIPPY_CONF_DIR",
        ] {
            cmd.env_remove(var);
        }
        let status = cmd.status().expect("failed to run cargo for the guest programs");
        assert!(
            status.success(),
            "building the guest programs failed; is the `{target}` target installed \
             (`rustup target add {target}`)?"
        );
    }

    let mut out = String::new();
    for bin in &bins {
        let path = target_dir.join(target_of(bin)).join("release").join(format!("{bin}.wasm"));
        writeln!(out, "pub const {}: &str = {:?};", bin.to_uppercase(), path.display().to_string())
            .unwrap();
    }
    writeln!(
        out,
        "pub const ALL: &[&str] = &[{}];",
        bins.iter().map(|b| b.to_uppercase()).collect::<Vec<_>>().join(", ")
    )
    .unwrap();
    writeln!(
        out,
        "pub const WASI_0_2_WIT: &str = {:?};",
        wasi_wit(&programs).display().to_string()
    )
    .unwrap();
    std::fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("guests.rs"), out).unwrap();
}

/// The WIT of WASI 0.2 that the guests' `wasip2` crate (a registry
/// package, pinned by the guests' Cargo.lock) carries: `wit/deps/*.wit`,
/// one file per package, for toolchains that need the WIT of a world.
fn wasi_wit(programs: &std::path::Path) -> PathBuf {
    let out = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--offline", "--manifest-path"])
        .arg(programs.join("Cargo.toml"))
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let json = String::from_utf8(out.stdout).unwrap();
    // `"manifest_path":".../wasip2-VERSION/Cargo.toml"`, without a JSON
    // parser: the one manifest path of a directory named `wasip2-*`.
    let manifest = json
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|path| {
            let dir = std::path::Path::new(path).parent().and_then(|d| d.file_name());
            dir.and_then(|d| d.to_str()).is_some_and(|d| d.starts_with("wasip2-"))
        })
        .expect("the guests depend on the wasip2 crate");
    std::path::Path::new(manifest).parent().unwrap().join("wit/deps")
}
