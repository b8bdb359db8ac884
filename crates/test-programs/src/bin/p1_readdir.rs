//! Directory listing through `fd_readdir` with small buffers: entries are
//! reassembled by following cookies and each appears exactly once.

use test_programs::{create, preopen};
use wasi::*;

fn list(dir: Fd, buf_len: usize) -> Vec<(String, u8)> {
    let mut out = Vec::new();
    let mut cookie = 0;
    // Each call must return at least one whole entry for progress: the
    // buffer holds the largest entry.
    let mut buf = vec![0u8; buf_len];
    for _ in 0..1000 {
        let n = unsafe { fd_readdir(dir, buf.as_mut_ptr(), buf_len, cookie) }.unwrap();
        let mut at = 0;
        let mut progressed = false;
        while at + 24 <= n {
            let next = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
            let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
            let ty = buf[at + 20];
            if at + 24 + namlen > n {
                break;
            }
            let name = String::from_utf8(buf[at + 24..at + 24 + namlen].to_vec()).unwrap();
            out.push((name, ty));
            cookie = next;
            at += 24 + namlen;
            progressed = true;
        }
        if n < buf_len && at == n {
            return out;
        }
        assert!(progressed, "no entry fits in {buf_len} bytes");
    }
    panic!("listing did not end");
}

fn main() {
    let dir = test_programs::preopen("scratch");
    unsafe { path_create_directory(dir, "sub").unwrap() };
    for i in 0..40 {
        let name = format!("file-{i:02}-{}", "x".repeat(i % 7));
        fd_close_ok(create(dir, &name));
    }
    for buf_len in [64usize, 100, 257, 4096] {
        let mut entries = list(dir, buf_len);
        entries.sort();
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        let mut unique = names.clone();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "duplicates with {buf_len}-byte buffer");
        println!("buffer {buf_len}: {} entries", entries.len());
        if buf_len == 4096 {
            for (name, ty) in &entries {
                println!("  {name} type {ty}");
            }
        }
    }
    // A tiny buffer is filled completely with a truncated entry.
    let mut buf = [0u8; 10];
    let n = unsafe { fd_readdir(dir, buf.as_mut_ptr(), 10, 0) }.unwrap();
    println!("10-byte buffer: {n} bytes used");
    // Reading from a cookie past the end gives nothing.
    let mut buf = [0u8; 100];
    let n = unsafe { fd_readdir(dir, buf.as_mut_ptr(), 100, 1000) }.unwrap();
    println!("cookie past the end: {n} bytes");
    let f = create(dir, "plain.txt");
    let r = unsafe { fd_readdir(f, buf.as_mut_ptr(), 100, 0) };
    println!("readdir on a file: {:?}", r.map_err(|e| e.name()));
    let _ = preopen;
}

fn fd_close_ok(fd: Fd) {
    unsafe { fd_close(fd).unwrap() }
}
