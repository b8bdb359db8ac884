//! Helpers shared by the guest programs.

use std::fmt::Debug;

/// The descriptor of the preopened directory named `name`.
pub fn preopen(name: &str) -> wasi::Fd {
    for fd in 3..64 {
        // SAFETY: plain WASI 0.1 calls with valid buffers.
        let Ok(stat) = (unsafe { wasi::fd_prestat_get(fd) }) else { continue };
        let len = unsafe { stat.u.dir.pr_name_len };
        let mut buf = vec![0u8; len];
        if unsafe { wasi::fd_prestat_dir_name(fd, buf.as_mut_ptr(), len) }.is_ok()
            && buf == name.as_bytes()
        {
            return fd;
        }
    }
    panic!("no preopened directory named {name:?}");
}

/// Prints `what: ok` (with the value when asked) or `what: ERRNO`.
pub fn show<T: Debug>(what: &str, r: Result<T, wasi::Errno>) -> Option<T> {
    match r {
        Ok(v) => {
            println!("{what}: ok");
            Some(v)
        }
        Err(e) => {
            println!("{what}: {}", e.name());
            None
        }
    }
}

/// Prints `what: = value` or `what: ERRNO`.
pub fn show_value<T: Debug>(what: &str, r: Result<T, wasi::Errno>) -> Option<T> {
    match r {
        Ok(v) => {
            println!("{what}: = {v:?}");
            Some(v)
        }
        Err(e) => {
            println!("{what}: {}", e.name());
            None
        }
    }
}

/// Opens `path` under `dir` for reading and writing, creating it.
pub fn create(dir: wasi::Fd, path: &str) -> wasi::Fd {
    // SAFETY: a plain WASI 0.1 call.
    unsafe {
        wasi::path_open(
            dir,
            0,
            path,
            wasi::OFLAGS_CREAT,
            wasi::RIGHTS_FD_READ | wasi::RIGHTS_FD_WRITE | wasi::RIGHTS_FD_SEEK,
            0,
            0,
        )
    }
    .expect("create")
}

/// Writes all of `data` to `fd`.
pub fn write_all(fd: wasi::Fd, mut data: &[u8]) {
    while !data.is_empty() {
        let iov = wasi::Ciovec { buf: data.as_ptr(), buf_len: data.len() };
        // SAFETY: the buffer outlives the call.
        let n = unsafe { wasi::fd_write(fd, &[iov]) }.expect("write");
        data = &data[n..];
    }
}

/// Reads up to `len` bytes from `fd`.
pub fn read(fd: wasi::Fd, len: usize) -> Result<Vec<u8>, wasi::Errno> {
    let mut buf = vec![0u8; len];
    let iov = wasi::Iovec { buf: buf.as_mut_ptr(), buf_len: len };
    // SAFETY: the buffer outlives the call.
    let n = unsafe { wasi::fd_read(fd, &[iov]) }?;
    buf.truncate(n);
    Ok(buf)
}
