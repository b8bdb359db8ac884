//! The standard descriptors, clocks, random and preopens: what a program
//! sees of its environment (with pipes as standard streams).

use test_programs::{show, show_value};
use wasi::*;

fn main() {
    unsafe {
        for fd in 0..3 {
            let st = fd_fdstat_get(fd).unwrap();
            println!(
                "fd {fd}: type {} flags {} rights {:#x}/{:#x}",
                st.fs_filetype.name(),
                st.fs_flags,
                st.fs_rights_base,
                st.fs_rights_inheriting
            );
            let fs = fd_filestat_get(fd).unwrap();
            println!(
                "fd {fd} filestat: type {} size {} ino {}",
                fs.filetype.name(),
                fs.size,
                fs.ino
            );
        }
        show_value("seek stdout", fd_seek(1, 0, WHENCE_SET));
        show_value("tell stdin", fd_tell(0));
        let mut b = [0u8; 4];
        let iov = Iovec { buf: b.as_mut_ptr(), buf_len: 4 };
        show_value("pread stdin", fd_pread(0, &[iov], 0));
        let data = b"x";
        let ciov = Ciovec { buf: data.as_ptr(), buf_len: 1 };
        show_value("pwrite stdout", fd_pwrite(1, &[ciov], 0));
        show_value("write stdin", fd_write(0, &[ciov]));
        show_value("read stdout", fd_read(1, &[iov]));
        show_value("read stdin (empty pipe)", fd_read(0, &[iov]));
        show("set flags stdout", fd_fdstat_set_flags(1, FDFLAGS_APPEND));
        show("set rights stdout", fd_fdstat_set_rights(1, 0, 0));
        show("filestat set size stdout", fd_filestat_set_size(1, 0));
        show("prestat stdout", fd_prestat_get(1).map(|_| ()));
        show("prestat missing", fd_prestat_get(99).map(|_| ()));
        show("sync stdout", fd_sync(1));
        show("advise stdout", fd_advise(1, 0, 0, ADVICE_NORMAL));
        show("readdir stdout", fd_readdir(1, b.as_mut_ptr(), 4, 0).map(|_| ()));
        show("path_open on stdout", path_open(1, 0, "x", 0, 0, 0, 0).map(|_| ()));
        show("close stdin", fd_close(0));
        show("fdstat closed stdin", fd_fdstat_get(0).map(|_| ()));

        // Preopens, in order.
        for fd in 3..10 {
            match fd_prestat_get(fd) {
                Ok(p) => {
                    let len = p.u.dir.pr_name_len;
                    let mut name = vec![0u8; len];
                    fd_prestat_dir_name(fd, name.as_mut_ptr(), len).unwrap();
                    println!("preopen {fd}: {:?}", String::from_utf8(name.clone()).unwrap());
                    show(
                        "dir name, short buffer",
                        fd_prestat_dir_name(fd, name.as_mut_ptr(), len - 1),
                    );
                    let st = fd_fdstat_get(fd).unwrap();
                    println!(
                        "preopen {fd} rights {:#x}/{:#x}",
                        st.fs_rights_base, st.fs_rights_inheriting
                    );
                }
                Err(e) => {
                    println!("fd {fd}: {}", e.name());
                    break;
                }
            }
        }

        // Clocks.
        show(
            "realtime resolution",
            clock_res_get(CLOCKID_REALTIME).map(|r| assert!(r > 0 && r <= 1_000_000)),
        );
        show("monotonic resolution", clock_res_get(CLOCKID_MONOTONIC).map(|r| assert!(r > 0)));
        show("process cputime", clock_time_get(CLOCKID_PROCESS_CPUTIME_ID, 1).map(|_| ()));
        show("thread cputime", clock_time_get(CLOCKID_THREAD_CPUTIME_ID, 1).map(|_| ()));
        show("thread cputime resolution", clock_res_get(CLOCKID_THREAD_CPUTIME_ID).map(|_| ()));
        let now = clock_time_get(CLOCKID_REALTIME, 1).unwrap();
        println!("realtime after 2024: {}", now > 1_704_067_200_000_000_000);
        let a = clock_time_get(CLOCKID_MONOTONIC, 1).unwrap();
        let b = clock_time_get(CLOCKID_MONOTONIC, 1).unwrap();
        println!("monotonic does not go back: {}", b >= a);

        // Random.
        let mut r1 = [0u8; 32];
        let mut r2 = [0u8; 32];
        random_get(r1.as_mut_ptr(), 32).unwrap();
        random_get(r2.as_mut_ptr(), 32).unwrap();
        println!("random differs: {}", r1 != r2 && r1 != [0; 32]);
        show("random 0 bytes", random_get(r1.as_mut_ptr(), 0));
        show("sched_yield", sched_yield());
        show("proc_raise", proc_raise(SIGNAL_TERM));
        println!(
            "args/env sizes: {:?} {:?}",
            args_sizes_get().unwrap(),
            environ_sizes_get().unwrap()
        );
    }
}
