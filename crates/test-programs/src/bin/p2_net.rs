//! Binds a TCP socket through Rust's std on WASI 0.2: it imports
//! `wasi:sockets`, which wazi does not implement yet (it must refuse the
//! component, naming the import).

fn main() {
    match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => println!("bound {:?}", l.local_addr().map(|a| a.ip())),
        Err(e) => println!("bind failed: {e}"),
    }
}
