//! `poll_oneoff`: timers (relative, absolute, both clocks), standard
//! input, output, files, and errors.

use std::time::Instant;
use test_programs::{create, preopen, show};
use wasi::*;

fn clock(id: Clockid, timeout: u64, abs: bool, userdata: u64) -> Subscription {
    Subscription {
        userdata,
        u: SubscriptionU {
            tag: EVENTTYPE_CLOCK.raw(),
            u: SubscriptionUU {
                clock: SubscriptionClock {
                    id,
                    timeout,
                    precision: 0,
                    flags: if abs { SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME } else { 0 },
                },
            },
        },
    }
}

fn fd_sub(tag: Eventtype, fd: Fd, userdata: u64) -> Subscription {
    Subscription {
        userdata,
        u: SubscriptionU {
            tag: tag.raw(),
            u: SubscriptionUU { fd_read: SubscriptionFdReadwrite { file_descriptor: fd } },
        },
    }
}

fn poll(subs: &[Subscription]) -> Result<Vec<(u64, u16, u8, u16)>, Errno> {
    let mut events: Vec<Event> = (0..subs.len())
        .map(|_| Event {
            userdata: 0,
            error: ERRNO_SUCCESS,
            type_: EVENTTYPE_CLOCK,
            fd_readwrite: EventFdReadwrite { nbytes: 0, flags: 0 },
        })
        .collect();
    let n = unsafe { poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len()) }?;
    Ok(events[..n]
        .iter()
        .map(|e| (e.userdata, e.error.raw(), e.type_.raw(), e.fd_readwrite.flags))
        .collect())
}

fn main() {
    let start = Instant::now();
    let r = poll(&[clock(CLOCKID_MONOTONIC, 20_000_000, false, 7)]);
    println!("sleep 20ms: {r:?} waited enough: {}", start.elapsed().as_millis() >= 19);
    let now = unsafe { clock_time_get(CLOCKID_MONOTONIC, 1) }.unwrap();
    let start = Instant::now();
    let r = poll(&[
        clock(CLOCKID_MONOTONIC, now + 20_000_000, true, 8),
        clock(CLOCKID_MONOTONIC, 60_000_000_000, false, 9),
    ]);
    println!("absolute monotonic: {r:?} waited enough: {}", start.elapsed().as_millis() >= 15);
    let now = unsafe { clock_time_get(CLOCKID_REALTIME, 1) }.unwrap();
    let r = poll(&[clock(CLOCKID_REALTIME, now + 10_000_000, true, 10)]);
    println!("absolute realtime: {r:?}");
    let r =
        poll(&[clock(CLOCKID_REALTIME, now - 1, true, 11), clock(CLOCKID_MONOTONIC, 0, false, 12)]);
    println!("past deadline and zero timeout: {r:?}");
    println!(
        "process cputime clock: {:?}",
        poll(&[clock(CLOCKID_PROCESS_CPUTIME_ID, 1, false, 1)]).map_err(|e| e.name())
    );
    println!("no subscriptions: {:?}", poll(&[]).map_err(|e| e.name()));
    println!("bad fd: {:?}", poll(&[fd_sub(EVENTTYPE_FD_READ, 99, 1)]).map_err(|e| e.name()));
    let r = poll(&[
        fd_sub(EVENTTYPE_FD_WRITE, 1, 20),
        clock(CLOCKID_MONOTONIC, 5_000_000_000, false, 21),
    ]);
    println!("stdout writable: {r:?}");
    let dir = preopen("scratch");
    let f = create(dir, "data.txt");
    test_programs::write_all(f, b"abc");
    unsafe { fd_seek(f, 0, WHENCE_SET).unwrap() };
    let r = poll(&[fd_sub(EVENTTYPE_FD_READ, f, 30), fd_sub(EVENTTYPE_FD_WRITE, f, 31)]);
    println!("file readable and writable: {r:?}");
    unsafe { fd_seek(f, 0, WHENCE_END).unwrap() };
    let r = poll(&[fd_sub(EVENTTYPE_FD_READ, f, 32)]);
    println!("file at end (hangup): {r:?}");
    show("directory as poll fd", poll(&[fd_sub(EVENTTYPE_FD_READ, dir, 33)]).map(|_| ()));
    // Standard input: the host writes a line after a pause.
    let start = Instant::now();
    let r = poll(&[
        fd_sub(EVENTTYPE_FD_READ, 0, 40),
        clock(CLOCKID_MONOTONIC, 10_000_000_000, false, 41),
    ]);
    println!("stdin became readable: {r:?} before the timer: {}", start.elapsed().as_secs() < 9);
    let line = test_programs::read(0, 100).unwrap();
    println!("stdin said {:?}", String::from_utf8(line).unwrap());
}
