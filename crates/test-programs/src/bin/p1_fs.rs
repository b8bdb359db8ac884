//! Files and directories under the preopen `scratch`: every path and
//! descriptor function, and their error cases, printed as a transcript.

use test_programs::{create, preopen, read, show, show_value, write_all};
use wasi::*;

fn open(
    dir: Fd,
    path: &str,
    oflags: Oflags,
    rights: Rights,
    fdflags: Fdflags,
) -> Result<Fd, Errno> {
    // SAFETY: a plain WASI 0.1 call.
    unsafe { path_open(dir, 0, path, oflags, rights, 0, fdflags) }
}

const RW: Rights = RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_FD_SEEK;

fn main() {
    let dir = preopen("scratch");
    unsafe { run(dir) }
}

unsafe fn run(dir: Fd) {
    unsafe {
        // Creating, writing, reading back.
        let f = create(dir, "a.txt");
        write_all(f, b"hello, file");
        show_value("tell after write", fd_tell(f));
        show_value("seek set 0", fd_seek(f, 0, WHENCE_SET));
        show_value("read 5", read(f, 5).map(|b| String::from_utf8(b).unwrap()));
        show_value("seek cur +2", fd_seek(f, 2, WHENCE_CUR));
        show_value("read rest", read(f, 100).map(|b| String::from_utf8(b).unwrap()));
        show_value("read at eof", read(f, 100).map(|b| b.len()));
        show_value("seek end -4", fd_seek(f, -4, WHENCE_END));
        show_value("seek set negative", fd_seek(f, -1, WHENCE_SET));
        show_value("seek cur before start", fd_seek(f, -100, WHENCE_CUR));
        let mut buf = [0u8; 4];
        let iov = Iovec { buf: buf.as_mut_ptr(), buf_len: 4 };
        show_value(
            "pread 4 at 7",
            fd_pread(f, &[iov], 7).map(|n| String::from_utf8_lossy(&buf[..n]).into_owned()),
        );
        let data = b"HELLO";
        let ciov = Ciovec { buf: data.as_ptr(), buf_len: 5 };
        show_value("pwrite 5 at 0", fd_pwrite(f, &[ciov], 0));
        show_value("tell unchanged by pwrite", fd_tell(f));
        show_value("seek set 0", fd_seek(f, 0, WHENCE_SET));
        show_value("contents", read(f, 100).map(|b| String::from_utf8(b).unwrap()));
        let st = fd_filestat_get(f).unwrap();
        println!("filestat: type {} size {} nlink {}", st.filetype.name(), st.size, st.nlink);
        show("set size 3", fd_filestat_set_size(f, 3));
        println!("size now {}", fd_filestat_get(f).unwrap().size);
        show("set size 10", fd_filestat_set_size(f, 10));
        show_value("seek set 0", fd_seek(f, 0, WHENCE_SET));
        show_value("zero-filled", read(f, 100));
        show(
            "set times",
            fd_filestat_set_times(f, 1_000_000_000, 2_000_000_000, FSTFLAGS_ATIM | FSTFLAGS_MTIM),
        );
        let st = fd_filestat_get(f).unwrap();
        println!("times: atim {} mtim {}", st.atim, st.mtim);
        show(
            "set times both ways",
            fd_filestat_set_times(f, 1, 1, FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW),
        );
        show("advise", fd_advise(f, 0, 10, ADVICE_SEQUENTIAL));
        show("allocate", fd_allocate(f, 0, 100));
        show("datasync", fd_datasync(f));
        show("sync", fd_sync(f));
        let fdstat = fd_fdstat_get(f).unwrap();
        println!(
            "fdstat: type {} flags {} read {} write {}",
            fdstat.fs_filetype.name(),
            fdstat.fs_flags,
            fdstat.fs_rights_base & RIGHTS_FD_READ != 0,
            fdstat.fs_rights_base & RIGHTS_FD_WRITE != 0
        );
        show(
            "set flags append|nonblock",
            fd_fdstat_set_flags(f, FDFLAGS_APPEND | FDFLAGS_NONBLOCK),
        );
        println!("flags now {}", fd_fdstat_get(f).unwrap().fs_flags);
        show("set flags sync", fd_fdstat_set_flags(f, FDFLAGS_SYNC));
        write_all(f, b"!!");
        show_value("tell after append", fd_tell(f));
        show("set rights", fd_fdstat_set_rights(f, RIGHTS_FD_READ, 0));
        show("close", fd_close(f));
        show("close again", fd_close(f));
        show_value("tell closed", fd_tell(f));

        // Opening: flags and errors.
        show("open missing", open(dir, "missing.txt", 0, RW, 0).map(|_| ()));
        show(
            "open excl existing",
            open(dir, "a.txt", OFLAGS_CREAT | OFLAGS_EXCL, RW, 0).map(|_| ()),
        );
        show(
            "open file as directory",
            open(dir, "a.txt", OFLAGS_DIRECTORY, RIGHTS_FD_READ, 0).map(|_| ()),
        );
        show(
            "open dir with creat|directory",
            open(dir, "d", OFLAGS_CREAT | OFLAGS_DIRECTORY, 0, 0).map(|_| ()),
        );
        show("open under a file", open(dir, "a.txt/x", 0, RIGHTS_FD_READ, 0).map(|_| ()));
        show("open sync", open(dir, "a.txt", 0, RW, FDFLAGS_SYNC).map(|_| ()));
        let long = "x".repeat(300);
        show("open long name", open(dir, &long, OFLAGS_CREAT, RW, 0).map(|_| ()));
        if let Some(t) = show("open trunc", open(dir, "a.txt", OFLAGS_TRUNC, RW, 0)) {
            println!("size after trunc {}", fd_filestat_get(t).unwrap().size);
            fd_close(t).unwrap();
        }
        if let Some(ro) = show("open read-only", open(dir, "a.txt", 0, RIGHTS_FD_READ, 0)) {
            let data = b"x";
            let ciov = Ciovec { buf: data.as_ptr(), buf_len: 1 };
            show("write to read-only", fd_write(ro, &[ciov]));
            fd_close(ro).unwrap();
        }
        if let Some(wo) = show("open write-only", open(dir, "a.txt", 0, RIGHTS_FD_WRITE, 0)) {
            show("read from write-only", read(wo, 1));
            fd_close(wo).unwrap();
        }
        show("open via file fd", open(3 + 100, "a.txt", 0, RW, 0).map(|_| ()));

        // Directories.
        show("mkdir d", path_create_directory(dir, "d"));
        show("mkdir d again", path_create_directory(dir, "d"));
        show("mkdir missing parent", path_create_directory(dir, "no/such"));
        let f = create(dir, "d/inner.txt");
        fd_close(f).unwrap();
        show("rmdir non-empty", path_remove_directory(dir, "d"));
        show("rmdir file", path_remove_directory(dir, "a.txt"));
        show("unlink dir", path_unlink_file(dir, "d"));
        show("unlink missing", path_unlink_file(dir, "missing"));
        if let Some(d) = show("open dir", open(dir, "d", OFLAGS_DIRECTORY, RIGHTS_FD_READ, 0)) {
            let fdstat = fd_fdstat_get(d).unwrap();
            println!("dir fdstat: type {}", fdstat.fs_filetype.name());
            show_value("read from dir", read(d, 4));
            show_value("seek on dir", fd_seek(d, 0, WHENCE_SET));
            show("sync dir", fd_sync(d));
            show("open relative to dir", open(d, "inner.txt", 0, RIGHTS_FD_READ, 0).map(|_| ()));
            show("path through file fd", path_create_directory(d + 1000, "x"));
            fd_close(d).unwrap();
        }
        let f = open(dir, "a.txt", 0, RW, 0).unwrap();
        show("mkdir relative to a file", path_create_directory(f, "x"));
        show("open relative to a file", open(f, "x", 0, RW, 0).map(|_| ()));
        fd_close(f).unwrap();

        // Links, renames, metadata.
        show("hard link", path_link(dir, 0, "a.txt", dir, "b.txt"));
        show("hard link existing", path_link(dir, 0, "a.txt", dir, "b.txt"));
        show(
            "hard link follow flag",
            path_link(dir, LOOKUPFLAGS_SYMLINK_FOLLOW, "a.txt", dir, "c.txt"),
        );
        let st = path_filestat_get(dir, 0, "a.txt").unwrap();
        println!("a.txt nlink {} type {}", st.nlink, st.filetype.name());
        show("symlink", path_symlink("a.txt", dir, "link"));
        show("symlink existing", path_symlink("a.txt", dir, "link"));
        let mut buf = [0u8; 64];
        show_value(
            "readlink",
            path_readlink(dir, "link", buf.as_mut_ptr(), 64)
                .map(|n| String::from_utf8_lossy(&buf[..n]).into_owned()),
        );
        show_value(
            "readlink short buffer",
            path_readlink(dir, "link", buf.as_mut_ptr(), 3)
                .map(|n| String::from_utf8_lossy(&buf[..n]).into_owned()),
        );
        show("readlink of a file", path_readlink(dir, "a.txt", buf.as_mut_ptr(), 64).map(|_| ()));
        let st = path_filestat_get(dir, 0, "link").unwrap();
        println!("link nofollow type {}", st.filetype.name());
        let st = path_filestat_get(dir, LOOKUPFLAGS_SYMLINK_FOLLOW, "link").unwrap();
        println!("link follow type {} size {}", st.filetype.name(), st.size);
        show("open link nofollow", open(dir, "link", 0, RIGHTS_FD_READ, 0).map(|_| ()));
        show("stat missing", path_filestat_get(dir, 0, "missing").map(|_| ()));
        show(
            "path set times",
            path_filestat_set_times(
                dir,
                0,
                "a.txt",
                5_000_000_000,
                6_000_000_000,
                FSTFLAGS_ATIM | FSTFLAGS_MTIM,
            ),
        );
        let st = path_filestat_get(dir, 0, "a.txt").unwrap();
        println!("path times: atim {} mtim {}", st.atim, st.mtim);
        show(
            "path set times now",
            path_filestat_set_times(dir, 0, "a.txt", 0, 0, FSTFLAGS_MTIM_NOW),
        );
        show("symlink loop a", path_symlink("loop_b", dir, "loop_a"));
        show("symlink loop b", path_symlink("loop_a", dir, "loop_b"));
        show("open loop follow", {
            let r = path_open(dir, LOOKUPFLAGS_SYMLINK_FOLLOW, "loop_a", 0, RIGHTS_FD_READ, 0, 0);
            r.map(|_| ())
        });
        show("rename", path_rename(dir, "b.txt", dir, "d/b2.txt"));
        show("rename missing", path_rename(dir, "nope", dir, "x"));
        show("rename dir over file", path_rename(dir, "d", dir, "a.txt"));
        show("rename file over dir", path_rename(dir, "a.txt", dir, "d"));
        show("unlink link", path_unlink_file(dir, "link"));
        show("unlink loops", path_unlink_file(dir, "loop_a").and(path_unlink_file(dir, "loop_b")));
        show("unlink renamed", path_unlink_file(dir, "d/b2.txt"));
        show("unlink inner", path_unlink_file(dir, "d/inner.txt"));
        show("rmdir empty", path_remove_directory(dir, "d"));
        show("utf-8 name", path_create_directory(dir, "ünïcødé"));
        show("rmdir utf-8", path_remove_directory(dir, "ünïcødé"));

        // Renumbering.
        let f = open(dir, "a.txt", 0, RW, 0).unwrap();
        let g = open(dir, "a.txt", 0, RIGHTS_FD_READ, 0).unwrap();
        println!("opened fds are consecutive: {}", g == f + 1);
        show("renumber", fd_renumber(f, g));
        show("old fd closed", fd_close(f));
        show("renumber to missing", fd_renumber(g, 77));
        fd_close(g).unwrap();
        let h = open(dir, "a.txt", 0, RIGHTS_FD_READ, 0).unwrap();
        println!("closed number reused: {}", h == g);
        fd_close(h).unwrap();
    }
}
