//! More ways out of a preopened directory, from inside `scratch` (with a
//! second preopen `other` beside it):
//!
//! - `paths`: long `..` chains, deep nesting, over-long names and paths,
//!   symlink chains and loops, absolute and escaping symlink targets,
//!   renames and hard links across the two preopens. Deterministic: its
//!   transcript is compared with wasmtime's.
//! - `race N`: N rounds of opening, creating and renaming under `race/`
//!   while the host keeps swapping `race` between a real directory and a
//!   symlink to a directory outside. Prints how many attempts reached a
//!   file outside (must be 0); the host checks nothing outside changed.
//!
//! The host test puts a decoy `canary.txt` and `outside/` next to the
//! preopened directories and checks afterwards that nothing outside
//! changed.

use test_programs::{preopen, show};
use wasi::*;

const RW: Rights = RIGHTS_FD_READ | RIGHTS_FD_WRITE;

fn open(dir: Fd, path: &str, oflags: Oflags, follow: bool) -> Result<Fd, Errno> {
    let flags = if follow { LOOKUPFLAGS_SYMLINK_FOLLOW } else { 0 };
    // SAFETY: a plain WASI 0.1 call.
    unsafe { path_open(dir, flags, path, oflags, RW, 0, 0) }
}

fn open_close(dir: Fd, path: &str, oflags: Oflags) -> Result<(), Errno> {
    let fd = open(dir, path, oflags, true)?;
    // SAFETY: `fd` was just opened.
    unsafe { fd_close(fd) }
}

/// The first bytes of the file at `path` under `dir`.
fn read(dir: Fd, path: &str) -> Result<Vec<u8>, Errno> {
    let fd = open(dir, path, 0, true)?;
    let mut buf = [0u8; 64];
    // SAFETY: `buf` outlives the call; `fd` was just opened.
    let n = unsafe {
        let n = fd_read(fd, &[Iovec { buf: buf.as_mut_ptr(), buf_len: buf.len() }]);
        fd_close(fd)?;
        n?
    };
    Ok(buf[..n].to_vec())
}

fn paths(dir: Fd, other: Fd) {
    // SAFETY: plain WASI 0.1 calls with valid arguments.
    unsafe {
        let ups = "../".repeat(1000);
        show("open 1000 ..s then canary", open_close(dir, &format!("{ups}canary.txt"), 0));
        show("open sub/ then 1000 ..s", open_close(dir, &format!("sub/{ups}inside.txt"), 0));

        // 60 nested directories: walking back down and up stays inside;
        // one `..` too many leaves.
        let mut path = String::new();
        let mut made = 0;
        for _ in 0..60 {
            path.push_str("d/");
            if path_create_directory(dir, &path).is_ok() {
                made += 1;
            }
        }
        println!("nested directories made: {made}");
        let back = "../".repeat(60);
        show(
            "open deep/../(60) inside.txt",
            open_close(dir, &format!("{path}{back}inside.txt"), 0),
        );
        show(
            "open deep/../(61) canary.txt",
            open_close(dir, &format!("{path}../{back}canary.txt"), 0),
        );
        show("create deep/file", open_close(dir, &format!("{path}file"), OFLAGS_CREAT));
        show("remove deep/file", path_unlink_file(dir, &format!("{path}file")));
        for depth in (1..=60).rev() {
            let p = "d/".repeat(depth);
            if let Err(e) = path_remove_directory(dir, p.trim_end_matches('/')) {
                println!("rmdir depth {depth}: {}", e.name());
            }
        }

        // Names and paths past the host's limits.
        let name255 = "n".repeat(255);
        show("create a 255-byte name", open_close(dir, &name255, OFLAGS_CREAT));
        show("remove it", path_unlink_file(dir, &name255));
        show("create a 256-byte name", open_close(dir, &"n".repeat(256), OFLAGS_CREAT));
        let long = "x/".repeat(2100) + "f";
        show("open a 4201-byte path", open_close(dir, &long, 0));
        show("mkdir a 4201-byte path", path_create_directory(dir, &long));

        // Symlinks: loops, chains, targets that leave or are absolute.
        show("symlink loop1 -> loop2", path_symlink("loop2", dir, "loop1"));
        show("symlink loop2 -> loop1", path_symlink("loop1", dir, "loop2"));
        show("open loop1 follow", open_close(dir, "loop1", 0));
        show("create through loop1", open_close(dir, "loop1", OFLAGS_CREAT));
        show("symlink chain0 -> inside.txt", path_symlink("inside.txt", dir, "chain0"));
        for i in 1..=10 {
            let _ = path_symlink(&format!("chain{}", i - 1), dir, &format!("chain{i}"));
        }
        show(
            "read through 10 symlinks",
            read(dir, "chain10").map(|b| String::from_utf8_lossy(&b).into_owned()),
        );
        show("symlink far0 -> ../canary.txt", path_symlink("../canary.txt", dir, "far0"));
        show("symlink far1 -> far0", path_symlink("far0", dir, "far1"));
        show("open far1 (leaves at the end)", open_close(dir, "far1", 0));
        show("mkdir sub", path_create_directory(dir, "sub"));
        show("symlink sub/up -> ../../canary.txt", path_symlink("../../canary.txt", dir, "sub/up"));
        show("open sub/up", open_close(dir, "sub/up", 0));
        show("symlink sub/in -> ../inside.txt", path_symlink("../inside.txt", dir, "sub/in"));
        show("read sub/in (stays inside)", read(dir, "sub/in").map(|b| b.len()));
        show("symlink abs -> /inside.txt", path_symlink("/inside.txt", dir, "abs"));
        show("symlink sub/out -> ../../outside", path_symlink("../../outside", dir, "sub/out"));
        show("open sub/out/secret.txt", open_close(dir, "sub/out/secret.txt", 0));
        show("mkdir sub/out/made", path_create_directory(dir, "sub/out/made"));
        show("unlink sub/out/secret.txt", path_unlink_file(dir, "sub/out/secret.txt"));
        show("open sub/out nofollow", open(dir, "sub/out", OFLAGS_DIRECTORY, false).map(|_| ()));
        for l in ["loop1", "loop2", "far0", "far1", "sub/up", "sub/in", "sub/out", "abs"] {
            if let Err(e) = path_unlink_file(dir, l) {
                println!("remove {l}: {}", e.name());
            }
        }
        for i in 0..=10 {
            let _ = path_unlink_file(dir, &format!("chain{i}"));
        }
        show("rmdir sub", path_remove_directory(dir, "sub"));

        // Two preopens: moving between them is allowed; leaving either is
        // not.
        show(
            "rename inside.txt -> other/moved.txt",
            path_rename(dir, "inside.txt", other, "moved.txt"),
        );
        show("rename back", path_rename(other, "moved.txt", dir, "inside.txt"));
        show(
            "rename other/../canary.txt -> scratch",
            path_rename(other, "../canary.txt", dir, "c.txt"),
        );
        show(
            "rename scratch -> other/../planted",
            path_rename(dir, "inside.txt", other, "../planted.txt"),
        );
        show("hard link scratch -> other", path_link(dir, 0, "inside.txt", other, "linked.txt"));
        show("remove other/linked.txt", path_unlink_file(other, "linked.txt"));
        show(
            "hard link other/../canary -> scratch",
            path_link(other, 0, "../canary.txt", dir, "l.txt"),
        );
        show(
            "symlink in other -> ../sandbox/inside.txt",
            path_symlink("../sandbox/inside.txt", other, "sib"),
        );
        show("open other/sib (a sibling preopen, still outside)", open_close(other, "sib", 0));
        show("remove other/sib", path_unlink_file(other, "sib"));
    }
}

fn race(dir: Fd, rounds: u32) {
    let (mut escaped, mut inside, mut refused) = (0, 0, 0);
    for i in 0..rounds {
        match read(dir, "race/secret.txt") {
            Ok(b) if b.starts_with(b"secret") => escaped += 1,
            Ok(_) => inside += 1,
            Err(_) => refused += 1,
        }
        let name = format!("race/planted{}.txt", i % 4);
        match open_close(dir, &name, OFLAGS_CREAT) {
            // SAFETY: a plain WASI 0.1 call. It lands wherever the create
            // did; the host checks that was never outside.
            Ok(()) => unsafe {
                let _ = path_unlink_file(dir, &name);
            },
            Err(_) => refused += 1,
        }
        // SAFETY: as above.
        let _ = unsafe { path_create_directory(dir, "race/made") };
        let _ = unsafe { path_remove_directory(dir, "race/made") };
    }
    println!("race: {rounds} rounds, {escaped} reads outside");
    eprintln!("race: {inside} reads inside, {refused} refused");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = preopen("scratch");
    match args.get(1).map(String::as_str) {
        Some("paths") => paths(dir, preopen("other")),
        Some("race") => race(dir, args[2].parse().expect("a round count")),
        _ => panic!("usage: p1_sandbox_paths paths | race N"),
    }
}
