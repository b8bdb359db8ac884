//! WASI 0.1 calls that copy more than the hostcall fuel out of the guest
//! (run with `-S hostcall-fuel=1000` in `/scratch`): each fails with
//! `ENOMEM`, and the same calls within the budget succeed, again and again
//! (the fuel is per call).
use test_programs::{preopen, show_value as show};
use wasi::wasi_snapshot_preview1 as raw;

fn main() {
    let dir = preopen("scratch");
    // 30 clock subscriptions are 1,440 bytes of subscriptions alone.
    let mut subs = Vec::new();
    for i in 0..30u64 {
        let mut s = [0u8; 48];
        s[..8].copy_from_slice(&i.to_le_bytes());
        s[8] = 0; // clock
        // A timeout of 0: every one is due at once.
        s[24..32].copy_from_slice(&0u64.to_le_bytes());
        subs.push(s);
    }
    let mut events = vec![[0u8; 32]; 30];
    let mut n = 0u32;
    let mut poll = |count: u32| unsafe {
        // SAFETY: `count` subscriptions and events, within the vectors.
        raw::poll_oneoff(
            subs.as_ptr() as i32,
            events.as_mut_ptr() as i32,
            count as i32,
            &mut n as *mut u32 as i32,
        )
    };
    println!("poll 30 subscriptions: errno {}", poll(30));
    let e = poll(10);
    println!("poll 10 subscriptions: errno {e}, {n} events");

    let long = "d".repeat(2000);
    show("mkdir with a 2000-byte name", unsafe { wasi::path_create_directory(dir, &long) });
    show("mkdir with a 100-byte name", unsafe { wasi::path_create_directory(dir, &long[..100]) });
    show("rmdir it", unsafe { wasi::path_remove_directory(dir, &long[..100]) });
    // Two paths of 600 bytes: 1,200 bytes in one call.
    let a = "a".repeat(600);
    let b = "b".repeat(600);
    show("rename with two 600-byte names", unsafe { wasi::path_rename(dir, &a, dir, &b) });

    let fd = unsafe {
        wasi::path_open(
            dir,
            0,
            "data",
            wasi::OFLAGS_CREAT,
            wasi::RIGHTS_FD_READ | wasi::RIGHTS_FD_WRITE | wasi::RIGHTS_FD_SEEK,
            0,
            0,
        )
        .unwrap()
    };
    let big = vec![7u8; 2000];
    let empty: Vec<wasi::Ciovec> =
        (0..200).map(|_| wasi::Ciovec { buf: big.as_ptr(), buf_len: 0 }).collect();
    show("write 200 empty buffers", unsafe { wasi::fd_write(fd, &empty) });
    show("write 2000 bytes", unsafe {
        wasi::fd_write(fd, &[wasi::Ciovec { buf: big.as_ptr(), buf_len: 2000 }])
    });
    for i in 0..4 {
        show(&format!("write 500 bytes ({i})"), unsafe {
            wasi::fd_write(fd, &[wasi::Ciovec { buf: big.as_ptr(), buf_len: 500 }])
        });
    }
    show("pwrite 2000 bytes", unsafe {
        wasi::fd_pwrite(fd, &[wasi::Ciovec { buf: big.as_ptr(), buf_len: 2000 }], 0)
    });
    show("pwrite 900 bytes", unsafe {
        wasi::fd_pwrite(fd, &[wasi::Ciovec { buf: big.as_ptr(), buf_len: 900 }], 0)
    });
    let mut buf = vec![0u8; 2000];
    show("pread into 2000 bytes", unsafe {
        wasi::fd_pread(fd, &[wasi::Iovec { buf: buf.as_mut_ptr(), buf_len: 2000 }], 0)
    });
    show("pread into 900 bytes", unsafe {
        wasi::fd_pread(fd, &[wasi::Iovec { buf: buf.as_mut_ptr(), buf_len: 900 }], 0)
    });
    show("seek to 0", unsafe { wasi::fd_seek(fd, 0, wasi::WHENCE_SET) });
    show("read into 2000 bytes", unsafe {
        wasi::fd_read(fd, &[wasi::Iovec { buf: buf.as_mut_ptr(), buf_len: 2000 }])
    });
    show("read into 900 bytes", unsafe {
        wasi::fd_read(fd, &[wasi::Iovec { buf: buf.as_mut_ptr(), buf_len: 900 }])
    });
    show("close", unsafe { wasi::fd_close(fd) });
    show("unlink", unsafe { wasi::path_unlink_file(dir, "data") });
}
