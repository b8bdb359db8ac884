//! A WASI 0.3 command component (`wasi:cli/run@0.3`, lifted `async` with
//! a callback by wit-bindgen): `p3_cli MODE [ARGS]`, everything through
//! the 0.3 interfaces (`stream<u8>` stdio, async clocks).
//!
//! - `hello`: prints `Hello from WASI 0.3!` to stdout and `to stderr` to
//!   stderr;
//! - `args`: prints its arguments, one per line;
//! - `env`: prints the environment, sorted, one `K=V` per line;
//! - `cat`: copies standard input to standard output, then prints the byte
//!   count to standard error;
//! - `big N`: writes N bytes (a repeating alphabet) in chunks of 1000;
//! - `exit N`: prints `exiting` and exits with status N;
//! - `err`: returns an error from `run`;
//! - `sleep MS`: waits MS milliseconds with `wait-for`, prints whether the
//!   monotonic clock moved that far;
//! - `random N`: asks for N random bytes, prints how many came;
//! - `time`: prints whether the system clock is past 2020;
//! - `race`: reads standard input to its end while, concurrently, a
//!   100 ms wait prints `tick`; then prints `got N bytes`;
//! - `many N`: N concurrent 1 ms waits in one task, then prints `N done`;
//! - `timers`: three concurrent waits (300, 100 and 200 ms) in one task,
//!   each printing its name when it ends: `b c a` if the host runs them
//!   concurrently, `a b c` if each wait blocked the others;
//! - `fs`: in the first preopened directory, writes `p3.txt` through a
//!   stream, appends to it, reads it back, lists the directory, stats the
//!   file, opens a missing one (an error), removes the file; prints each
//!   step;
//! - `tcp`: a listener and a client on loopback in one task, the server
//!   echoing the client's message in upper case;
//! - `udp`: two UDP sockets on loopback, a datagram each way;
//! - `lookup NAME`: the addresses NAME resolves to;
//! - `connect PORT`: connects to 127.0.0.1:PORT, prints the result;
//! - `escape`: tries to leave the first preopened directory (`..`, an
//!   absolute path, a symlink pointing out, a hard link and a rename out)
//!   and prints what each attempt gave.

#![no_main]

use wasip3::cli::{environment, exit, stderr, stdin, stdout};
use wasip3::clocks::{monotonic_clock, system_clock};
use wasip3::sockets::types::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket, UdpSocket,
};
use wasip3::wit_stream;

wasip3::cli::command::export!(Cli);

struct Cli;

/// Writes `data` to stdout (or stderr) through a new stream, waiting for
/// the host to have taken it all.
async fn write(err: bool, data: Vec<u8>) {
    let (mut tx, rx) = wit_stream::new();
    let done = if err { stderr::write_via_stream(rx) } else { stdout::write_via_stream(rx) };
    let rest = tx.write_all(data).await;
    assert!(rest.is_empty());
    drop(tx);
    done.await.expect("the host wrote the stream");
}

/// `127.0.0.1:port`.
fn v4(port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: (127, 0, 0, 1) })
}

/// A listener and a client on loopback in one task: the client sends a
/// message in two writes and shuts down; the server echoes what it got in
/// upper case; each side prints what happened.
async fn tcp_echo() {
    let server = TcpSocket::create(IpAddressFamily::Ipv4).expect("socket");
    server.bind(v4(0)).expect("bind");
    let mut clients = server.listen().expect("listen");
    let IpSocketAddress::Ipv4(local) = server.get_local_address().expect("address") else {
        unreachable!()
    };
    print(format!("listening: {}\n", server.get_is_listening())).await;
    let serve = async {
        let conn = clients.next().await.expect("a client");
        let (rx, done) = conn.receive();
        let got = rx.collect().await;
        done.await.expect("received");
        let (mut tx, data) = wit_stream::new();
        let sent = conn.send(data);
        let rest = tx.write_all(got.to_ascii_uppercase()).await;
        assert!(rest.is_empty());
        drop(tx);
        sent.await.expect("sent");
        got.len()
    };
    let client = async {
        let sock = TcpSocket::create(IpAddressFamily::Ipv4).expect("socket");
        sock.connect(v4(local.port)).await.expect("connect");
        let (mut tx, data) = wit_stream::new();
        let sent = sock.send(data);
        let (rx, done) = sock.receive();
        assert!(tx.write_all(b"hello over ".to_vec()).await.is_empty());
        assert!(tx.write_all(b"wasi 0.3 tcp".to_vec()).await.is_empty());
        drop(tx);
        sent.await.expect("sent");
        let back = rx.collect().await;
        done.await.expect("received");
        String::from_utf8(back).expect("text")
    };
    let (n, back) = futures::join!(serve, client);
    print(format!("server got {n} bytes\nclient got back: {back}\n")).await;
}

/// Two UDP sockets on loopback: a datagram each way.
async fn udp_echo() {
    let a = UdpSocket::create(IpAddressFamily::Ipv4).expect("socket");
    a.bind(v4(0)).expect("bind");
    let b = UdpSocket::create(IpAddressFamily::Ipv4).expect("socket");
    b.bind(v4(0)).expect("bind");
    let addr = |s: &UdpSocket| match s.get_local_address().expect("address") {
        IpSocketAddress::Ipv4(a) => a.port,
        _ => unreachable!(),
    };
    let (pa, pb) = (addr(&a), addr(&b));
    let recv = async {
        let (data, from) = b.receive().await.expect("receive");
        let IpSocketAddress::Ipv4(from) = from else { unreachable!() };
        b.send(data.to_ascii_uppercase(), Some(v4(from.port))).await.expect("send back");
        (String::from_utf8(data).expect("text"), from.port == pa)
    };
    let send = async {
        a.send(b"ping over udp".to_vec(), Some(v4(pb))).await.expect("send");
        let (data, _) = a.receive().await.expect("receive");
        String::from_utf8(data).expect("text")
    };
    let ((got, from_a), back) = futures::join!(recv, send);
    print(format!("b got: {got} (from a: {from_a})\na got back: {back}\n")).await;
}

async fn print(s: String) {
    write(false, s.into_bytes()).await
}

impl wasip3::exports::cli::run::Guest for Cli {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        match args.get(1).map(String::as_str) {
            Some("tcp") => tcp_echo().await,
            Some("udp") => udp_echo().await,
            Some("lookup") => {
                let name = args.get(2).cloned().unwrap_or_default();
                match wasip3::sockets::ip_name_lookup::resolve_addresses(name).await {
                    Ok(addrs) => {
                        let mut v: Vec<String> = addrs.iter().map(|a| format!("{a:?}")).collect();
                        v.sort();
                        v.dedup();
                        print(format!("{}\n", v.join("\n"))).await
                    }
                    Err(e) => print(format!("lookup failed: {e:?}\n")).await,
                }
            }
            Some("connect") => {
                let port: u16 = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(1);
                let sock = TcpSocket::create(IpAddressFamily::Ipv4).expect("socket");
                let r = sock.connect(v4(port)).await;
                print(format!("connect to port {port}: {r:?}\n")).await;
            }
            Some("hello") => {
                print("Hello from WASI 0.3!\n".into()).await;
                write(true, b"to stderr\n".to_vec()).await;
            }
            Some("args") => {
                let mut out = String::new();
                for a in &args {
                    out.push_str(a);
                    out.push('\n');
                }
                print(out).await;
            }
            Some("env") => {
                let mut vars = environment::get_environment();
                vars.sort();
                let out: String = vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
                print(out).await;
            }
            Some("cat") => {
                let (mut rx, done) = stdin::read_via_stream();
                let mut input = Vec::new();
                loop {
                    let (status, chunk) = rx.read(Vec::with_capacity(4096)).await;
                    input.extend_from_slice(&chunk);
                    if matches!(status, wasip3::wit_bindgen::StreamResult::Dropped) {
                        break;
                    }
                }
                done.await.expect("stdin ended well");
                let n = input.len();
                write(false, input).await;
                write(true, format!("{n} bytes\n").into_bytes()).await;
            }
            Some("big") => {
                let n: usize = args[2].parse().map_err(|_| ())?;
                let data: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
                let (mut tx, rx) = wit_stream::new();
                let done = stdout::write_via_stream(rx);
                for chunk in data.chunks(1000) {
                    let rest = tx.write_all(chunk.to_vec()).await;
                    assert!(rest.is_empty());
                }
                drop(tx);
                done.await.expect("the host wrote the stream");
            }
            Some("exit") => {
                print("exiting\n".into()).await;
                exit::exit_with_code(args[2].parse().unwrap_or(99));
            }
            Some("err") => return Err(()),
            Some("sleep") => {
                let ms: u64 = args[2].parse().map_err(|_| ())?;
                let start = monotonic_clock::now();
                monotonic_clock::wait_for(ms * 1_000_000).await;
                let slept = monotonic_clock::now() - start;
                print(format!("slept enough: {}\n", slept >= ms * 1_000_000)).await;
            }
            Some("random") => {
                let n: u64 = args[2].parse().map_err(|_| ())?;
                let bytes = wasip3::random::random::get_random_bytes(n);
                print(format!("{}\n", bytes.len())).await;
            }
            Some("time") => {
                let now = system_clock::now();
                print(format!("after 2020: {}\n", now.seconds > 1_577_836_800)).await;
            }
            Some("fs") => print(fs().await).await,
            Some("escape") => print(escape().await).await,
            Some("race") => {
                let read = async {
                    let (rx, done) = stdin::read_via_stream();
                    let n = read_all(rx).await.len();
                    done.await.expect("stdin ended well");
                    n
                };
                let tick = async {
                    monotonic_clock::wait_for(100_000_000).await;
                    print("tick\n".into()).await;
                };
                let (n, ()) = futures::join!(read, tick);
                print(format!("got {n} bytes\n")).await;
            }
            Some("many") => {
                let n: usize = args[2].parse().map_err(|_| ())?;
                let waits = (0..n).map(|_| monotonic_clock::wait_for(1_000_000));
                futures::future::join_all(waits).await;
                print(format!("{n} done\n")).await;
            }
            Some("timers") => {
                let done = std::cell::RefCell::new(Vec::new());
                let wait = |name: &'static str, ms: u64| {
                    let done = &done;
                    async move {
                        monotonic_clock::wait_for(ms * 1_000_000).await;
                        done.borrow_mut().push(name);
                    }
                };
                futures::join!(wait("a", 300), wait("b", 100), wait("c", 200));
                print(format!("{}\n", done.borrow().join(" "))).await;
            }
            _ => {
                write(true, b"unknown mode\n".to_vec()).await;
                return Err(());
            }
        }
        Ok(())
    }
}

/// Drains a byte stream.
async fn read_all(mut rx: wasip3::wit_bindgen::StreamReader<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let (status, chunk) = rx.read(Vec::with_capacity(16)).await;
        out.extend_from_slice(&chunk);
        if matches!(status, wasip3::wit_bindgen::StreamResult::Dropped) {
            return out;
        }
    }
}

async fn fs() -> String {
    use wasip3::filesystem::preopens::get_directories;
    use wasip3::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};
    let mut log = String::new();
    let dirs = get_directories();
    let (dir, name) = dirs.first().expect("a preopened directory");
    log.push_str(&format!("preopen {name}\n"));
    let flags = DescriptorFlags::READ | DescriptorFlags::WRITE;
    let file = dir
        .open_at(
            PathFlags::empty(),
            "p3.txt".into(),
            OpenFlags::CREATE | OpenFlags::TRUNCATE,
            flags,
        )
        .await
        .expect("create p3.txt");
    let (mut tx, rx) = wit_stream::new();
    let done = file.write_via_stream(rx, 0);
    let rest = tx.write_all(b"hello, ".to_vec()).await;
    assert!(rest.is_empty());
    drop(tx);
    log.push_str(&format!("write: {:?}\n", done.await));
    let (mut tx, rx) = wit_stream::new();
    let done = file.append_via_stream(rx);
    let rest = tx.write_all(b"streams".to_vec()).await;
    assert!(rest.is_empty());
    drop(tx);
    log.push_str(&format!("append: {:?}\n", done.await));
    let (rx, done) = file.read_via_stream(0);
    let data = read_all(rx).await;
    log.push_str(&format!("read: {:?} {:?}\n", String::from_utf8_lossy(&data), done.await));
    let (mut entries, done) = dir.read_directory();
    let mut names = Vec::new();
    loop {
        let (status, batch) = entries.read(Vec::with_capacity(4)).await;
        names.extend(batch.into_iter().map(|e| format!("{}:{:?}", e.name, e.type_)));
        if matches!(status, wasip3::wit_bindgen::StreamResult::Dropped) {
            break;
        }
    }
    names.sort();
    log.push_str(&format!("entries: {names:?} {:?}\n", done.await));
    let stat = dir.stat_at(PathFlags::empty(), "p3.txt".into()).await.expect("stat");
    log.push_str(&format!("stat: {:?} size {}\n", stat.type_, stat.size));
    let missing =
        dir.open_at(PathFlags::empty(), "missing".into(), OpenFlags::empty(), flags).await;
    log.push_str(&format!("missing: {:?}\n", missing.err()));
    drop(file);
    log.push_str(&format!("unlink: {:?}\n", dir.unlink_file_at("p3.txt".into()).await));
    log
}

async fn escape() -> String {
    use wasip3::filesystem::preopens::get_directories;
    use wasip3::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};
    let mut log = String::new();
    let dirs = get_directories();
    let (dir, _) = dirs.first().expect("a preopened directory");
    let read = DescriptorFlags::READ;
    for path in ["../outside.txt", "/etc/passwd", "sub/../../outside.txt"] {
        let r = dir.open_at(PathFlags::empty(), path.into(), OpenFlags::empty(), read).await;
        log.push_str(&format!("open {path}: {:?}\n", r.err()));
    }
    let r = dir.symlink_at("../outside.txt".into(), "link".into()).await;
    log.push_str(&format!("symlink out: {r:?}\n"));
    let r = dir.open_at(PathFlags::SYMLINK_FOLLOW, "link".into(), OpenFlags::empty(), read).await;
    log.push_str(&format!("open through link: {:?}\n", r.err()));
    let r = dir.stat_at(PathFlags::SYMLINK_FOLLOW, "link".into()).await;
    log.push_str(&format!("stat through link: {:?}\n", r.err()));
    let r = dir.create_directory_at("../made".into()).await;
    log.push_str(&format!("mkdir out: {r:?}\n"));
    let r = dir.rename_at("inside.txt".into(), dir, "../moved.txt".into()).await;
    log.push_str(&format!("rename out: {r:?}\n"));
    let r = dir.link_at(PathFlags::empty(), "inside.txt".into(), dir, "../linked.txt".into()).await;
    log.push_str(&format!("link out: {r:?}\n"));
    let r = dir.unlink_file_at("../outside.txt".into()).await;
    log.push_str(&format!("unlink out: {r:?}\n"));
    log
}
