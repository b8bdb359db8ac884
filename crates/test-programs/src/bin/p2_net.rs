//! `wasi:sockets` on WASI 0.2: `p2_net MODE [ARGS]`. Every mode prints
//! what it saw, never a port number (they differ run to run), so the
//! output can be compared with wasmtime's.
//!
//! - `bind`: binds a TCP listener on 127.0.0.1 through Rust's std;
//! - `tcp`: a TCP echo with itself through std (listener, connect, accept,
//!   both directions, shutdown, end of stream);
//! - `udp`: UDP datagrams between two std sockets (`send_to`, `connect`);
//! - `refused`: connects to a port nobody listens on;
//! - `lookup NAME`: resolves NAME through std;
//! - `raw`: the `wasi:sockets` interfaces called directly (socket states,
//!   option checks, invalid arguments, streams, datagrams, name lookup);
//! - `unpermitted`: sends a datagram without `check-send` (a trap).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("bind") => match TcpListener::bind("127.0.0.1:0") {
            Ok(l) => println!("bound {:?}", l.local_addr().map(|a| a.ip())),
            Err(e) => println!("bind failed: {e}"),
        },
        Some("tcp") => tcp_echo().unwrap(),
        Some("udp") => udp_echo().unwrap(),
        Some("refused") => {
            let port = {
                let l = TcpListener::bind("127.0.0.1:0").unwrap();
                l.local_addr().unwrap().port()
            };
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(_) => println!("connected"),
                Err(e) => println!("connect failed: {e}"),
            }
        }
        Some("lookup") => match (args[2].as_str(), 80).to_socket_addrs() {
            Ok(addrs) => {
                let mut ips: Vec<String> = addrs.map(|a| a.ip().to_string()).collect();
                ips.sort();
                ips.dedup();
                println!("{} -> {ips:?}", args[2]);
            }
            Err(e) => println!("{} -> error: {e}", args[2]),
        },
        Some("raw") => raw::main(),
        Some("unpermitted") => raw::unpermitted(),
        _ => panic!("unknown mode"),
    }
}

fn tcp_echo() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    println!("listening on {}", addr.ip());
    let mut client = TcpStream::connect(addr)?;
    let (mut server, peer) = listener.accept()?;
    println!("accepted from {}", peer.ip());
    println!("client peer is the listener: {}", client.peer_addr()? == addr);
    println!("server local port is the listener's: {}", server.local_addr()?.port() == addr.port());
    client.set_nodelay(true)?;
    println!("nodelay: {}", client.nodelay()?);
    client.set_ttl(42)?;
    println!("ttl: {}", client.ttl()?);

    // A message larger than one read, both ways.
    let msg: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    client.write_all(&msg)?;
    client.shutdown(std::net::Shutdown::Write)?;
    let mut got = Vec::new();
    server.read_to_end(&mut got)?;
    println!("server read {} bytes, intact: {}", got.len(), got == msg);
    server.write_all(b"pong")?;
    drop(server);
    let mut reply = String::new();
    client.read_to_string(&mut reply)?;
    println!("client read {reply:?}");
    Ok(())
}

fn udp_echo() -> std::io::Result<()> {
    let a = UdpSocket::bind("127.0.0.1:0")?;
    let b = UdpSocket::bind("127.0.0.1:0")?;
    let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);
    a.send_to(b"first", b_addr)?;
    a.send_to(&[7u8; 1000], b_addr)?;
    let mut buf = [0u8; 2048];
    let (n, from) = b.recv_from(&mut buf)?;
    println!("b got {:?} from a: {}", String::from_utf8_lossy(&buf[..n]), from == a_addr);
    let (n, _) = b.recv_from(&mut buf)?;
    println!("b got {n} bytes, all 7: {}", buf[..n].iter().all(|x| *x == 7));
    b.connect(a_addr)?;
    b.send(b"reply")?;
    let (n, from) = a.recv_from(&mut buf)?;
    println!("a got {:?} from b: {}", String::from_utf8_lossy(&buf[..n]), from == b_addr);
    println!("b peer is a: {}", b.peer_addr()? == a_addr);
    Ok(())
}

mod raw {
    use wasip2::io::poll::Pollable;
    use wasip2::io::streams::StreamError;
    use wasip2::sockets::network::{
        ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress,
        Ipv6SocketAddress, Network,
    };
    use wasip2::sockets::tcp::{ShutdownType, TcpSocket};
    use wasip2::sockets::udp::OutgoingDatagram;
    use wasip2::sockets::{instance_network, ip_name_lookup, tcp_create_socket, udp_create_socket};

    fn v4(addr: (u8, u8, u8, u8), port: u16) -> IpSocketAddress {
        IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: addr })
    }

    fn port(a: &IpSocketAddress) -> u16 {
        match a {
            IpSocketAddress::Ipv4(a) => a.port,
            IpSocketAddress::Ipv6(a) => a.port,
        }
    }

    /// An address without its port.
    fn ip(a: &IpSocketAddress) -> String {
        match a {
            IpSocketAddress::Ipv4(a) => format!("{:?}", a.address),
            IpSocketAddress::Ipv6(a) => format!("{:?}", a.address),
        }
    }

    fn same(a: &IpSocketAddress, b: &IpSocketAddress) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    /// Prints an `Ok` as `ok` (and drops it), an error by name.
    fn show<T>(what: &str, r: Result<T, ErrorCode>) {
        match r {
            Ok(_) => println!("{what}: ok"),
            Err(e) => println!("{what}: {}", e.name()),
        }
    }

    fn wait(p: Pollable) {
        p.block();
    }

    fn bind_tcp(net: &Network, family: IpAddressFamily, addr: IpSocketAddress) -> TcpSocket {
        let s = tcp_create_socket::create_tcp_socket(family).unwrap();
        s.start_bind(net, addr).unwrap();
        wait(s.subscribe());
        s.finish_bind().unwrap();
        s
    }

    pub fn main() {
        let net = instance_network::instance_network();
        tcp_states(&net);
        tcp_invalid_arguments(&net);
        tcp_options(&net);
        tcp_streams(&net);
        udp(&net);
        lookup(&net);
    }

    pub fn unpermitted() {
        let net = instance_network::instance_network();
        let a = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4).unwrap();
        a.start_bind(&net, v4((127, 0, 0, 1), 0)).unwrap();
        wait(a.subscribe());
        a.finish_bind().unwrap();
        let to = a.local_address().unwrap();
        let (_, out) = a.stream(None).unwrap();
        println!("sending without a permit");
        let r = out.send(&[OutgoingDatagram { data: b"x".to_vec(), remote_address: Some(to) }]);
        println!("sent: {r:?}");
    }

    fn tcp_states(net: &Network) {
        println!("-- tcp states");
        let s = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        println!("family: {:?}", s.address_family());
        println!("listening: {}", s.is_listening());
        show("local-address before bind", s.local_address());
        show("remote-address before connect", s.remote_address());
        show("finish-bind without start", s.finish_bind());
        show("start-listen unbound", s.start_listen());
        show("accept unbound", s.accept());
        show("shutdown unconnected", s.shutdown(ShutdownType::Both));
        s.start_bind(net, v4((127, 0, 0, 1), 0)).unwrap();
        show("start-bind twice", s.start_bind(net, v4((127, 0, 0, 1), 0)));
        show("local-address mid-bind", s.local_address());
        wait(s.subscribe());
        show("finish-bind", s.finish_bind());
        show("finish-bind again", s.finish_bind());
        let local = s.local_address().unwrap();
        println!("bound to {} with a port: {}", ip(&local), port(&local) != 0);
        show("start-bind when bound", s.start_bind(net, v4((127, 0, 0, 1), 0)));
        show("finish-listen without start", s.finish_listen());
        show("start-listen", s.start_listen());
        show("start-listen twice", s.start_listen());
        wait(s.subscribe());
        show("finish-listen", s.finish_listen());
        println!("listening: {}", s.is_listening());
        show("set-listen-backlog-size 0", s.set_listen_backlog_size(0));
        show("set-listen-backlog-size 10", s.set_listen_backlog_size(10));
        show("accept with nobody waiting", s.accept());
        show("start-connect when listening", s.start_connect(net, local));
        show("remote-address of a listener", s.remote_address());
    }

    fn tcp_invalid_arguments(net: &Network) {
        println!("-- tcp arguments");
        let listener = bind_tcp(net, IpAddressFamily::Ipv4, v4((127, 0, 0, 1), 0));
        let lport = port(&listener.local_address().unwrap());
        let s4 = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        let six = IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port: 0,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 1),
            scope_id: 0,
        });
        show("bind an ipv4 socket to ::1", s4.start_bind(net, six));
        show("connect to 0.0.0.0", s4.start_connect(net, v4((0, 0, 0, 0), lport)));
        show("connect to port 0", s4.start_connect(net, v4((127, 0, 0, 1), 0)));
        show("connect to broadcast", s4.start_connect(net, v4((255, 255, 255, 255), lport)));
        show("connect to multicast", s4.start_connect(net, v4((224, 0, 0, 1), lport)));
        show("bind to multicast", s4.start_bind(net, v4((224, 0, 0, 1), 0)));
        show("bind to a foreign address", {
            let r = s4.start_bind(net, v4((192, 0, 2, 1), 0));
            r.and_then(|()| {
                wait(s4.subscribe());
                s4.finish_bind()
            })
        });
        let s6 = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv6).unwrap();
        println!("ipv6 family: {:?}", s6.address_family());
        show("bind an ipv6 socket to 127.0.0.1", s6.start_bind(net, v4((127, 0, 0, 1), 0)));
        let taken = bind_tcp(net, IpAddressFamily::Ipv4, v4((127, 0, 0, 1), 0));
        taken.start_listen().unwrap();
        wait(taken.subscribe());
        taken.finish_listen().unwrap();
        let again = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        let taken_addr = taken.local_address().unwrap();
        show(
            "bind to a port in use",
            again.start_bind(net, taken_addr).and_then(|()| {
                wait(again.subscribe());
                again.finish_bind()
            }),
        );
    }

    fn tcp_options(net: &Network) {
        println!("-- tcp options");
        let s = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        show("set-keep-alive-enabled", s.set_keep_alive_enabled(true));
        println!("keep-alive-enabled: {:?}", s.keep_alive_enabled());
        show("set-keep-alive-idle-time 0", s.set_keep_alive_idle_time(0));
        show("set-keep-alive-idle-time 10s", s.set_keep_alive_idle_time(10_000_000_000));
        println!("keep-alive-idle-time: {:?}", s.keep_alive_idle_time());
        show("set-keep-alive-interval 0", s.set_keep_alive_interval(0));
        show("set-keep-alive-interval 3s", s.set_keep_alive_interval(3_000_000_000));
        println!("keep-alive-interval: {:?}", s.keep_alive_interval());
        show("set-keep-alive-count 0", s.set_keep_alive_count(0));
        show("set-keep-alive-count 5", s.set_keep_alive_count(5));
        println!("keep-alive-count: {:?}", s.keep_alive_count());
        show("set-hop-limit 0", s.set_hop_limit(0));
        show("set-hop-limit 33", s.set_hop_limit(33));
        println!("hop-limit: {:?}", s.hop_limit());
        show("set-receive-buffer-size 0", s.set_receive_buffer_size(0));
        show("set-receive-buffer-size 64k", s.set_receive_buffer_size(65536));
        println!("receive-buffer-size > 0: {}", s.receive_buffer_size().unwrap() > 0);
        show("set-send-buffer-size 0", s.set_send_buffer_size(0));
        show("set-send-buffer-size 64k", s.set_send_buffer_size(65536));
        println!("send-buffer-size > 0: {}", s.send_buffer_size().unwrap() > 0);
        let _ = net;
    }

    fn tcp_streams(net: &Network) {
        println!("-- tcp streams");
        let listener = bind_tcp(net, IpAddressFamily::Ipv4, v4((127, 0, 0, 1), 0));
        listener.start_listen().unwrap();
        wait(listener.subscribe());
        listener.finish_listen().unwrap();
        let addr = listener.local_address().unwrap();

        let client = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
        show("finish-connect without start", client.finish_connect());
        client.start_connect(net, addr).unwrap();
        show("start-connect twice", client.start_connect(net, addr));
        wait(client.subscribe());
        let (c_in, c_out) = client.finish_connect().unwrap();
        show("finish-connect again", client.finish_connect());
        println!(
            "client remote is the listener: {}",
            same(&client.remote_address().unwrap(), &addr)
        );
        show("start-listen when connected", client.start_listen());

        wait(listener.subscribe());
        let (server, s_in, s_out) = listener.accept().unwrap();
        println!("accepted socket listening: {}", server.is_listening());
        println!("accepted family: {:?}", server.address_family());
        println!(
            "accepted remote is the client: {}",
            same(&server.remote_address().unwrap(), &client.local_address().unwrap())
        );

        c_out.blocking_write_and_flush(b"ping").unwrap();
        let got = s_in.blocking_read(100).unwrap();
        println!("server read {:?}", String::from_utf8_lossy(&got));
        println!("nothing more yet: {:?}", s_in.read(100).map(|b| b.len()));
        s_out.blocking_write_and_flush(b"pong").unwrap();
        let got = c_in.blocking_read(100).unwrap();
        println!("client read {:?}", String::from_utf8_lossy(&got));

        show("shutdown send", client.shutdown(ShutdownType::Send));
        match s_in.blocking_read(100) {
            Err(StreamError::Closed) => println!("server sees end of stream"),
            other => println!("server read after shutdown: {other:?}"),
        }
        // The client can still receive.
        s_out.blocking_write_and_flush(b"late").unwrap();
        let got = c_in.blocking_read(100).unwrap();
        println!("client read {:?}", String::from_utf8_lossy(&got));
        drop(s_in);
        drop(s_out);
        drop(server);
        match c_in.blocking_read(100) {
            Err(StreamError::Closed) => println!("client sees end of stream"),
            other => println!("client read after close: {other:?}"),
        }
    }

    fn udp(net: &Network) {
        println!("-- udp");
        let a = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4).unwrap();
        show("stream unbound", a.stream(None).map(|_| ()));
        show("local-address unbound", a.local_address());
        a.start_bind(net, v4((127, 0, 0, 1), 0)).unwrap();
        wait(a.subscribe());
        a.finish_bind().unwrap();
        let b = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4).unwrap();
        b.start_bind(net, v4((127, 0, 0, 1), 0)).unwrap();
        wait(b.subscribe());
        b.finish_bind().unwrap();
        let (a_addr, b_addr) = (a.local_address().unwrap(), b.local_address().unwrap());
        show("remote-address unconnected", a.remote_address());
        show("set-unicast-hop-limit 0", a.set_unicast_hop_limit(0));
        show("set-unicast-hop-limit 9", a.set_unicast_hop_limit(9));
        println!("unicast-hop-limit: {:?}", a.unicast_hop_limit());

        let (_a_in, a_out) = a.stream(None).unwrap();
        let (b_in, _b_out) = b.stream(None).unwrap();
        wait(a_out.subscribe());
        let permit = a_out.check_send().unwrap();
        println!("send permit > 1: {}", permit > 1);
        let sent = a_out.send(&[
            OutgoingDatagram { data: b"one".to_vec(), remote_address: Some(b_addr) },
            OutgoingDatagram { data: vec![9; 500], remote_address: Some(b_addr) },
        ]);
        println!("sent: {sent:?}");
        show(
            "send without address",
            a_out.check_send().and_then(|_| {
                a_out.send(&[OutgoingDatagram { data: b"x".to_vec(), remote_address: None }])
            }),
        );
        let mut got = Vec::new();
        for _ in 0..10 {
            if got.len() == 2 {
                break;
            }
            wait(b_in.subscribe());
            got.extend(b_in.receive(10).unwrap());
        }
        for d in &got {
            println!("b got {} bytes from a: {}", d.data.len(), same(&d.remote_address, &a_addr));
        }
        println!("b receives nothing more: {:?}", b_in.receive(10).map(|d| d.len()));
        // A connected stream pair (on a fresh socket: wasmtime traps when
        // `stream` is called again on a socket, even with its earlier
        // streams dropped): only the peer's datagrams.
        let c = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4).unwrap();
        c.start_bind(net, v4((127, 0, 0, 1), 0)).unwrap();
        wait(c.subscribe());
        c.finish_bind().unwrap();
        let six = IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port: 1,
            flow_info: 0,
            address: (0, 0, 0, 0, 0, 0, 0, 1),
            scope_id: 0,
        });
        show("stream to an ipv6 peer", c.stream(Some(six)).map(|_| ()));
        show("stream to port 0", c.stream(Some(v4((127, 0, 0, 1), 0))).map(|_| ()));
        let (c_in, c_out) = c.stream(Some(a_addr)).unwrap();
        println!("c remote is a: {}", same(&c.remote_address().unwrap(), &a_addr));
        wait(c_out.subscribe());
        c_out.check_send().unwrap();
        show(
            "send to another address when connected",
            c_out.send(&[OutgoingDatagram {
                data: b"x".to_vec(),
                remote_address: Some(v4((127, 0, 0, 1), port(&b_addr))),
            }]),
        );
        c_out.check_send().unwrap();
        println!(
            "send to the peer: {:?}",
            c_out.send(&[OutgoingDatagram { data: b"back".to_vec(), remote_address: None }])
        );
        let mut got = Vec::new();
        for _ in 0..10 {
            if !got.is_empty() {
                break;
            }
            wait(_a_in.subscribe());
            got.extend(_a_in.receive(10).unwrap());
        }
        println!(
            "a got {:?}",
            got.iter().map(|d| String::from_utf8_lossy(&d.data).into_owned()).collect::<Vec<_>>()
        );
        // b's datagrams do not reach c, which is connected to a.
        a_out.check_send().unwrap();
        let c_addr = c.local_address().unwrap();
        a_out
            .send(&[OutgoingDatagram { data: b"to c".to_vec(), remote_address: Some(c_addr) }])
            .unwrap();
        let (_, b_out) = (b_in, _b_out);
        wait(b_out.subscribe());
        b_out.check_send().unwrap();
        b_out
            .send(&[OutgoingDatagram { data: b"from b".to_vec(), remote_address: Some(c_addr) }])
            .unwrap();
        let mut got = Vec::new();
        for _ in 0..10 {
            if !got.is_empty() {
                break;
            }
            wait(c_in.subscribe());
            got.extend(c_in.receive(10).unwrap());
        }
        println!(
            "c got {:?}",
            got.iter().map(|d| String::from_utf8_lossy(&d.data).into_owned()).collect::<Vec<_>>()
        );
    }

    fn lookup(net: &Network) {
        println!("-- ip-name-lookup");
        for name in ["127.0.0.1", "[::1]", "::1", "localhost", "bad name", "", "a/b"] {
            match ip_name_lookup::resolve_addresses(net, name) {
                Err(e) => println!("resolve {name:?}: {}", e.name()),
                Ok(stream) => {
                    let mut addrs = Vec::new();
                    loop {
                        match stream.resolve_next_address() {
                            Ok(Some(IpAddress::Ipv4(a))) => addrs.push(format!("{a:?}")),
                            Ok(Some(IpAddress::Ipv6(a))) => addrs.push(format!("{a:?}")),
                            Ok(None) => break,
                            Err(ErrorCode::WouldBlock) => wait(stream.subscribe()),
                            Err(e) => {
                                addrs.push(e.name().to_string());
                                break;
                            }
                        }
                    }
                    addrs.sort();
                    addrs.dedup();
                    println!("resolve {name:?}: {addrs:?}");
                }
            }
        }
    }
}
