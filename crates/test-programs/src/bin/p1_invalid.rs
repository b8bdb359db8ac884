//! One call with an argument outside its type's range (chosen by the first
//! argument); wasmtime traps on these before the function runs.
use wasi::wasi_snapshot_preview1 as raw;

fn main() {
    let case = std::env::args().nth(1).unwrap();
    let mut out = [0u64; 8];
    let p = out.as_mut_ptr() as i32;
    let path = "x";
    let e = unsafe {
        match case.as_str() {
            "whence" => raw::fd_seek(1, 0, 7, p),
            "advice" => raw::fd_advise(1, 0, 0, 9),
            "clockid" => raw::clock_time_get(9, 0, p),
            "signal" => raw::proc_raise(99),
            "fdflags" => raw::fd_fdstat_set_flags(1, 1 << 7),
            "fstflags" => raw::fd_filestat_set_times(1, 0, 0, 1 << 6),
            "oflags" => raw::path_open(3, 0, path.as_ptr() as i32, 1, 1 << 6, 0, 0, 0, p),
            "rights" => raw::path_open(3, 0, path.as_ptr() as i32, 1, 0, 1 << 40, 0, 0, p),
            "lookupflags" => raw::path_filestat_get(3, 1 << 3, path.as_ptr() as i32, 1, p),
            "sdflags" => raw::sock_shutdown(1, 1 << 4),
            "riflags" => raw::sock_recv(1, p, 0, 1 << 4, p, p),
            "subscription" => {
                // An event type that does not exist.
                let sub = [0u8; 48];
                let mut sub = sub;
                sub[8] = 7;
                raw::poll_oneoff(sub.as_ptr() as i32, p, 1, p)
            }
            "utf8" => raw::path_open(3, 0, [0xffu8, 0xfe].as_ptr() as i32, 2, 0, 0, 0, 0, p),
            other => panic!("unknown case {other}"),
        }
    };
    println!("{case}: errno {e}");
}
