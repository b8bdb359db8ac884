//! Attempts to leave the preopened directory `/scratch` through std on
//! WASI 0.2 (`..`, absolute paths, a symlink the host planted that points
//! outside, renames), and to write under the read-only preopen `/ro`.
//! Each attempt prints how it failed; none may succeed.

use std::fs;

fn show<T: std::fmt::Debug>(what: &str, r: std::io::Result<T>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => println!("{what}: error {:?} ({})", e.kind(), e.raw_os_error().unwrap_or(-1)),
    }
}

fn main() {
    show("read inside", fs::read_to_string("/scratch/inside.txt"));
    show("read ../canary", fs::read_to_string("/scratch/../canary.txt"));
    show("read ../outside/secret", fs::read_to_string("/scratch/../outside/secret.txt"));
    show("read via planted symlink", fs::read_to_string("/scratch/link-out"));
    show("read via symlink dir", fs::read_to_string("/scratch/dir-out/secret.txt"));
    show("write ../escape", fs::write("/scratch/../escape.txt", "x"));
    show("write via symlink", fs::write("/scratch/link-out", "overwritten"));
    show("mkdir ../made", fs::create_dir("/scratch/../made"));
    show("rename inside -> ../moved", fs::rename("/scratch/inside.txt", "/scratch/../moved.txt"));
    show("remove ../canary", fs::remove_file("/scratch/../canary.txt"));
    show("list ..", fs::read_dir("/scratch/..").map(|d| d.count()));
    show("stat ../canary", fs::metadata("/scratch/../canary.txt").map(|m| m.len()));
    show("read /ro/inside", fs::read_to_string("/ro/inside.txt"));
    show("write /ro/new", fs::write("/ro/new.txt", "x"));
    show(
        "append /ro/inside",
        fs::OpenOptions::new().append(true).open("/ro/inside.txt").map(|_| ()),
    );
    show("remove /ro/inside", fs::remove_file("/ro/inside.txt"));
    show("mkdir /ro/d", fs::create_dir("/ro/d"));
}
