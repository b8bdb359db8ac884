//! The filesystem through Rust's std on WASI 0.2 (`wasi:filesystem`),
//! under the preopen `/scratch`, printed as a transcript: files, appends,
//! seeks, sizes, times, directories and listings, renames, hard links, and
//! the errors of each.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};

fn show<T: std::fmt::Debug>(what: &str, r: std::io::Result<T>) {
    match r {
        Ok(v) => println!("{what}: ok {v:?}"),
        Err(e) => println!("{what}: error {:?} ({})", e.kind(), e.raw_os_error().unwrap_or(-1)),
    }
}

fn main() {
    let d = "/scratch";
    show("write a.txt", fs::write(format!("{d}/a.txt"), "hello, file"));
    show("read a.txt", fs::read_to_string(format!("{d}/a.txt")));
    let mut f = OpenOptions::new().append(true).open(format!("{d}/a.txt")).unwrap();
    show("append", f.write_all(b"!!"));
    drop(f);
    show("read after append", fs::read_to_string(format!("{d}/a.txt")));
    let mut f = OpenOptions::new().read(true).write(true).open(format!("{d}/a.txt")).unwrap();
    show("seek 7", f.seek(SeekFrom::Start(7)));
    let mut buf = [0u8; 4];
    show("read 4", f.read(&mut buf).map(|n| String::from_utf8_lossy(&buf[..n]).into_owned()));
    show("seek end -2", f.seek(SeekFrom::End(-2)));
    show("write at end-2", f.write(b"??"));
    show("set_len 5", f.set_len(5));
    show("len", f.metadata().map(|m| m.len()));
    show("set_len 8", f.set_len(8));
    drop(f);
    show("zero-filled", fs::read(format!("{d}/a.txt")));
    let m = fs::metadata(format!("{d}/a.txt")).unwrap();
    println!("is_file {} is_dir {} len {}", m.is_file(), m.is_dir(), m.len());
    println!(
        "modified is recent: {}",
        m.modified().unwrap().elapsed().map(|e| e.as_secs() < 3600).unwrap_or(true)
    );
    show("read missing", fs::read(format!("{d}/missing.txt")));
    show(
        "create_new existing",
        OpenOptions::new().write(true).create_new(true).open(format!("{d}/a.txt")),
    );
    show("mkdir sub", fs::create_dir(format!("{d}/sub")));
    show("mkdir sub again", fs::create_dir(format!("{d}/sub")));
    show("mkdir -p deep", fs::create_dir_all(format!("{d}/sub/x/y/z")));
    show("write sub/b.txt", fs::write(format!("{d}/sub/b.txt"), vec![7u8; 100_000]));
    show("size sub/b.txt", fs::metadata(format!("{d}/sub/b.txt")).map(|m| m.len()));
    show(
        "read big",
        fs::read(format!("{d}/sub/b.txt")).map(|b| (b.len(), b.iter().all(|&x| x == 7))),
    );
    let mut names: Vec<(String, bool)> = fs::read_dir(format!("{d}/sub"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().into_string().unwrap(), e.file_type().unwrap().is_dir())
        })
        .collect();
    names.sort();
    println!("listing of sub: {names:?}");
    show("rmdir non-empty", fs::remove_dir(format!("{d}/sub")));
    show("rename a -> sub/c", fs::rename(format!("{d}/a.txt"), format!("{d}/sub/c.txt")));
    show("read old name", fs::read(format!("{d}/a.txt")));
    show("read new name", fs::read(format!("{d}/sub/c.txt")).map(|b| b.len()));
    show("hard link", fs::hard_link(format!("{d}/sub/c.txt"), format!("{d}/link.txt")));
    show("read link", fs::read(format!("{d}/link.txt")).map(|b| b.len()));
    show("remove file", fs::remove_file(format!("{d}/link.txt")));
    show("remove dir as file", fs::remove_file(format!("{d}/sub/x")));
    show("remove_dir_all", fs::remove_dir_all(format!("{d}/sub")));
    show("open a directory for writing", File::create(d).map(|_| ()));
    show("exists after rm", fs::exists(format!("{d}/sub")));
    let e = fs::read("/etc/passwd").unwrap_err();
    println!(
        "outside any preopen: {:?}",
        e.kind() == ErrorKind::NotFound || e.kind() == ErrorKind::PermissionDenied
    );
    let mut left: Vec<String> =
        fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    println!("left: {left:?}");
}
