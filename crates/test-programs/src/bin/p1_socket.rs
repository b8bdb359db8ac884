//! A preopened listening socket (`-S tcplisten`): waits for a connection,
//! echoes what it receives in upper case, then shuts down.

use test_programs::show;
use wasi::*;

fn main() {
    unsafe {
        let listener = 3;
        let st = fd_fdstat_get(listener).unwrap();
        println!("listener type {}", st.fs_filetype.name());
        show("accept before a connection", sock_accept(listener, 0).map(|_| ()));
        let sub = Subscription {
            userdata: 1,
            u: SubscriptionU {
                tag: EVENTTYPE_FD_READ.raw(),
                u: SubscriptionUU {
                    fd_read: SubscriptionFdReadwrite { file_descriptor: listener },
                },
            },
        };
        let mut ev = Event {
            userdata: 0,
            error: ERRNO_SUCCESS,
            type_: EVENTTYPE_CLOCK,
            fd_readwrite: EventFdReadwrite { nbytes: 0, flags: 0 },
        };
        poll_oneoff(&sub, &mut ev, 1).unwrap();
        println!("listener readable: {}", ev.userdata);
        let conn = sock_accept(listener, 0).unwrap();
        println!("accepted a connection: {}", fd_fdstat_get(conn).unwrap().fs_filetype.name());
        let mut buf = [0u8; 64];
        let iov = Iovec { buf: buf.as_mut_ptr(), buf_len: buf.len() };
        let (n, _) = sock_recv(conn, &[iov], 0).unwrap();
        let msg = String::from_utf8(buf[..n].to_vec()).unwrap();
        println!("received {msg:?}");
        let reply = msg.to_uppercase();
        let ciov = Ciovec { buf: reply.as_ptr(), buf_len: reply.len() };
        let sent = sock_send(conn, &[ciov], 0).unwrap();
        println!("sent {sent} bytes");
        show("shutdown write side", sock_shutdown(conn, SDFLAGS_WR));
        show("recv on a file descriptor", sock_recv(1, &[iov], 0).map(|_| ()));
        show("accept on stdout", sock_accept(1, 0).map(|_| ()));
        show("close", fd_close(conn));
    }
}
