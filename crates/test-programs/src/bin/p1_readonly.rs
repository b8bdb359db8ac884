//! A read-only preopen: reading works, every change is refused.

use test_programs::{preopen, read, show, show_value};
use wasi::*;

fn main() {
    let dir = preopen("ro");
    unsafe {
        let f = path_open(dir, 0, "data.txt", 0, RIGHTS_FD_READ, 0, 0).unwrap();
        show_value("read", read(f, 100).map(|b| String::from_utf8(b).unwrap()));
        show(
            "open for writing",
            path_open(dir, 0, "data.txt", 0, RIGHTS_FD_WRITE, 0, 0).map(|_| ()),
        );
        show(
            "create",
            path_open(dir, 0, "new.txt", OFLAGS_CREAT, RIGHTS_FD_READ, 0, 0).map(|_| ()),
        );
        show(
            "truncate",
            path_open(dir, 0, "data.txt", OFLAGS_TRUNC, RIGHTS_FD_READ, 0, 0).map(|_| ()),
        );
        show("mkdir", path_create_directory(dir, "d"));
        show("unlink", path_unlink_file(dir, "data.txt"));
        show("rmdir", path_remove_directory(dir, "sub"));
        show("symlink", path_symlink("data.txt", dir, "l"));
        show("link", path_link(dir, 0, "data.txt", dir, "l2"));
        show("rename", path_rename(dir, "data.txt", dir, "x.txt"));
        show("set times", path_filestat_set_times(dir, 0, "data.txt", 1, 1, FSTFLAGS_ATIM));
        show("set size", fd_filestat_set_size(f, 0));
        show("fd set times", fd_filestat_set_times(f, 1, 1, FSTFLAGS_MTIM));
        show("stat", path_filestat_get(dir, 0, "data.txt").map(|_| ()));
        show_value("readdir", {
            let mut buf = [0u8; 256];
            fd_readdir(dir, buf.as_mut_ptr(), 256, 0).map(|n| n > 0)
        });
        let sub = path_open(dir, 0, "sub", OFLAGS_DIRECTORY, RIGHTS_FD_READ, 0, 0).unwrap();
        show(
            "create in opened subdirectory",
            path_open(sub, 0, "n.txt", OFLAGS_CREAT, RIGHTS_FD_READ, 0, 0).map(|_| ()),
        );
    }
}
