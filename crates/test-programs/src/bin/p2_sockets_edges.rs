//! Edge cases of `wasi:sockets` streams and states, on IPv4 loopback,
//! printed one line per check (never a port) to compare with wasmtime 48:
//! TCP streams after shutdowns on either side, writes around `shutdown`,
//! `check-write` on an idle stream, many small non-blocking writes; UDP
//! datagrams through connected and unconnected streams, and the calls each
//! UDP socket state allows.
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Network,
};
use wasip2::sockets::tcp::{ShutdownType, TcpSocket};
use wasip2::sockets::udp::{IncomingDatagramStream, OutgoingDatagram, UdpSocket};
use wasip2::sockets::{tcp_create_socket, udp_create_socket};

fn loopback(port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { address: (127, 0, 0, 1), port })
}

fn unspecified() -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { address: (0, 0, 0, 0), port: 0 })
}

fn port(a: &IpSocketAddress) -> u16 {
    match a {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}

/// One end of a TCP connection. Fields drop in order: the streams before
/// their socket.
struct End {
    input: InputStream,
    output: OutputStream,
    socket: TcpSocket,
}

/// A connected pair: (accepted, client).
fn connection(net: &Network) -> (End, End) {
    let listener = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    listener.start_bind(net, loopback(0)).unwrap();
    listener.finish_bind().unwrap();
    listener.start_listen().unwrap();
    listener.finish_listen().unwrap();
    let client = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
    client.start_connect(net, listener.local_address().unwrap()).unwrap();
    client.subscribe().block();
    let (input, output) = client.finish_connect().unwrap();
    listener.subscribe().block();
    let (socket, s_in, s_out) = listener.accept().unwrap();
    (End { input: s_in, output: s_out, socket }, End { input, output, socket: client })
}

fn read_to_end(input: &InputStream) -> Result<usize, StreamError> {
    let mut n = 0;
    loop {
        match input.blocking_read(65536) {
            Ok(b) => n += b.len(),
            Err(StreamError::Closed) => return Ok(n),
            Err(e) => return Err(e),
        }
    }
}

fn write_all(output: &OutputStream, mut data: &[u8]) {
    while !data.is_empty() {
        let n = (data.len()).min(4096);
        output.blocking_write_and_flush(&data[..n]).unwrap();
        data = &data[n..];
    }
}

fn tcp(net: &Network) {
    println!("-- remote shutdown");
    let (server, client) = connection(net);
    println!("shutdown both: {:?}", server.socket.shutdown(ShutdownType::Both));
    drop(server);
    client.input.subscribe().block();
    println!("read 10: {:?}", client.input.read(10));
    println!("read 0: {:?}", client.input.read(0));
    println!("blocking read: {:?}", client.input.blocking_read(10));

    println!("-- local shutdown of receiving");
    let (server, client) = connection(net);
    write_all(&server.output, b"some data that has arrived before the shutdown");
    client.input.subscribe().block();
    println!("shutdown receive: {:?}", client.socket.shutdown(ShutdownType::Receive));
    println!("read 10: {:?}", client.input.read(10));
    println!("read 0: {:?}", client.input.read(0));
    println!("peer can still read: {:?}", {
        write_all(&client.output, b"hi");
        server.input.blocking_read(10).map(|b| b.len())
    });

    println!("-- local shutdown of sending");
    let (server, client) = connection(net);
    println!("check-write before: {}", client.output.check_write().unwrap() >= 3);
    println!("shutdown send: {:?}", client.socket.shutdown(ShutdownType::Send));
    println!("write: {:?}", client.output.write(b"Hi!"));
    println!("check-write: {:?}", client.output.check_write());
    println!("flush: {:?}", client.output.flush());
    println!("blocking write: {:?}", client.output.blocking_write_and_flush(b"x"));
    println!("peer sees the end: {:?}", read_to_end(&server.input));
    println!("shutdown send again: {:?}", client.socket.shutdown(ShutdownType::Send));

    println!("-- shutdown after a big write");
    let (server, client) = connection(net);
    client.socket.set_send_buffer_size(1024).unwrap();
    let permit = client.output.check_write().unwrap();
    let big = vec![7u8; permit.min(100 * 1024) as usize];
    println!("wrote: {:?}", client.output.write(&big));
    println!("shutdown send: {:?}", client.socket.shutdown(ShutdownType::Send));
    println!("peer received all: {:?}", read_to_end(&server.input).map(|n| n == big.len()));

    println!("-- check-write on an idle stream");
    let (_server, client) = connection(net);
    client.output.subscribe().block();
    let zero = (0..1000).position(|_| client.output.check_write().unwrap() == 0);
    println!("first zero permit: {zero:?}");

    println!("-- many small non-blocking writes");
    let (server, client) = connection(net);
    client.output.subscribe().block();
    let mut refused = None;
    for i in 0..300 {
        if client.output.check_write().unwrap() == 0 {
            refused = Some(i);
            break;
        }
        client.output.write(b"x").unwrap();
    }
    println!("permit refused at: {refused:?}");
    client.socket.shutdown(ShutdownType::Send).unwrap();
    println!("peer received: {:?}", read_to_end(&server.input));

    println!("-- writing to a closed peer");
    let (server, client) = connection(net);
    drop(server);
    let mut outcome = None;
    for _ in 0..100 {
        match client.output.blocking_write_and_flush(&[1; 4096]) {
            Ok(()) => {}
            Err(StreamError::Closed) => {
                outcome = Some("closed".to_string());
                break;
            }
            Err(StreamError::LastOperationFailed(e)) => {
                outcome = Some(format!(
                    "failed: {}",
                    e.to_debug_string().contains("roken pipe")
                        || e.to_debug_string().contains("reset")
                ));
                break;
            }
        }
    }
    println!("write outcome: {outcome:?}");
    println!(
        "write after that: {:?}",
        client.output.write(b"x").map_err(|e| matches!(e, StreamError::Closed))
    );
}

fn bound_udp(net: &Network, addr: IpSocketAddress) -> UdpSocket {
    let s = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4).unwrap();
    s.start_bind(net, addr).unwrap();
    s.subscribe().block();
    s.finish_bind().unwrap();
    s
}

fn receive(incoming: &IncomingDatagramStream, n: u64) -> Vec<(Vec<u8>, u16)> {
    let mut got = Vec::new();
    while (got.len() as u64) < n {
        incoming.subscribe().block();
        for d in incoming.receive(n - got.len() as u64).unwrap() {
            got.push((d.data, port(&d.remote_address)));
        }
    }
    got
}

fn udp(net: &Network) {
    println!("-- udp datagrams");
    let server = bound_udp(net, loopback(0));
    let (server_in, _server_out) = server.stream(None).unwrap();
    let addr = server.local_address().unwrap();
    let client = bound_udp(net, unspecified());
    let (_client_in, client_out) = client.stream(Some(addr)).unwrap();
    client_out.subscribe().block();
    println!("check-send: {}", client_out.check_send().unwrap() >= 2);
    let datagrams = [
        OutgoingDatagram { data: Vec::new(), remote_address: None },
        OutgoingDatagram { data: b"Hello, world!".to_vec(), remote_address: Some(addr) },
    ];
    println!("send: {:?}", client_out.send(&datagrams));
    let client_port = port(&client.local_address().unwrap());
    for (data, from) in receive(&server_in, 2) {
        println!(
            "received {:?} from the client: {}",
            String::from_utf8_lossy(&data),
            from == client_port
        );
    }
    client_out.subscribe().block();
    client_out.check_send().unwrap();
    let elsewhere = OutgoingDatagram { data: b"x".to_vec(), remote_address: Some(loopback(9)) };
    println!("send elsewhere on a connected stream: {:?}", client_out.send(&[elsewhere]));
    println!("receive 0: {:?}", server_in.receive(0).map(|d| d.len()));
    println!("receive with nothing there: {:?}", server_in.receive(10).map(|d| d.len()));
    println!(
        "client remote is the server: {}",
        client.remote_address().map(|a| port(&a) == port(&addr)).unwrap_or(false)
    );

    // An unconnected stream names the peer in each datagram.
    let other = bound_udp(net, unspecified());
    let (_other_in, other_out) = other.stream(None).unwrap();
    other_out.subscribe().block();
    other_out.check_send().unwrap();
    let no_address = OutgoingDatagram { data: b"x".to_vec(), remote_address: None };
    println!("send without an address: {:?}", other_out.send(&[no_address]));
    other_out.subscribe().block();
    other_out.check_send().unwrap();
    let third =
        OutgoingDatagram { data: b"Greetings, planet!".to_vec(), remote_address: Some(addr) };
    println!("send to the server: {:?}", other_out.send(&[third]));
    for (data, _) in receive(&server_in, 1) {
        println!("received {:?}", String::from_utf8_lossy(&data));
    }
    println!("other remote: {:?}", other.remote_address().map(|_| ()));

    println!("-- udp states");
    let unbound = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4).unwrap();
    println!("unbound finish-bind: {:?}", unbound.finish_bind());
    println!("unbound stream: {:?}", unbound.stream(None).map(|_| ()));
    println!("unbound local: {:?}", unbound.local_address().map(|_| ()));
    println!("unbound remote: {:?}", unbound.remote_address().map(|_| ()));
    options(&unbound);
    let bound = bound_udp(net, loopback(0));
    println!("bound start-bind: {:?}", bound.start_bind(net, loopback(0)));
    println!("bound finish-bind: {:?}", bound.finish_bind());
    println!("bound local: {:?}", bound.local_address().map(|_| ()));
    println!("bound remote: {:?}", bound.remote_address().map(|_| ()));
    options(&bound);
    let connected = bound_udp(net, loopback(0));
    let streams = connected.stream(Some(loopback(54321))).unwrap();
    println!("connected start-bind: {:?}", connected.start_bind(net, loopback(0)));
    println!("connected finish-bind: {:?}", connected.finish_bind());
    println!("connected remote: {:?}", connected.remote_address().map(|a| port(&a)));
    drop(streams);
    let streams = connected.stream(None).unwrap();
    println!("disconnected remote: {:?}", connected.remote_address().map(|_| ()));
    drop(streams);
    println!("stream to port 0: {:?}", connected.stream(Some(loopback(0))).map(|_| ()));
}

fn options(s: &UdpSocket) {
    println!(
        "  options: hop limit {:?} set {:?} set 0 {:?}; buffers {} {:?} {} {:?}",
        s.unicast_hop_limit().map(|_| ()),
        s.set_unicast_hop_limit(255),
        s.set_unicast_hop_limit(0),
        s.receive_buffer_size().is_ok(),
        s.set_receive_buffer_size(16000),
        s.send_buffer_size().is_ok(),
        s.set_send_buffer_size(0).map_err(|e| e == ErrorCode::InvalidArgument),
    );
}

fn main() {
    let net = instance_network();
    tcp(&net);
    udp(&net);
}
