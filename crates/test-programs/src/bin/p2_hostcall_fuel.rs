//! WASI 0.2 calls around the hostcall fuel (run with
//! `-S hostcall-fuel=5000`, a preopen holding `1mb`, a file of 1 MiB, and
//! `-S inherit-network`): `p2_hostcall_fuel CASE` makes one call, which
//! either fails the way wasmtime fails it (copying more than the fuel out of
//! the guest, or writing more than a stream allows) or succeeds and prints
//! `ok`. Reads copy nothing out of the guest, whatever length they ask for.
//! `drop-socket-first` and `drop-stream-first` drop a resource before its
//! children (a socket's streams, a stream's pollable), which traps.
use wasip2::filesystem::types::{Descriptor, DescriptorFlags, OpenFlags, PathFlags};
use wasip2::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
use wasip2::sockets::{
    instance_network, ip_name_lookup, tcp_create_socket, udp, udp_create_socket,
};

fn dir() -> Descriptor {
    wasip2::filesystem::preopens::get_directories().pop().expect("a preopen").0
}

fn open(name: &str, create: bool) -> Descriptor {
    let flags = if create { OpenFlags::CREATE } else { OpenFlags::empty() };
    dir()
        .open_at(PathFlags::empty(), name, flags, DescriptorFlags::READ | DescriptorFlags::WRITE)
        .unwrap()
}

fn loopback() -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { address: (127, 0, 0, 1), port: 0 })
}

fn udp_stream() -> udp::OutgoingDatagramStream {
    let s = udp_create_socket::create_udp_socket(IpAddressFamily::Ipv4).unwrap();
    s.start_bind(&instance_network::instance_network(), loopback()).unwrap();
    s.finish_bind().unwrap();
    let (_incoming, outgoing) = s.stream(None).unwrap();
    // The socket and its incoming stream stay open with the outgoing one.
    std::mem::forget((s, _incoming));
    outgoing
}

fn main() {
    let case = std::env::args().nth(1).expect("a case");
    match case.as_str() {
        "poll" => {
            let p = wasip2::clocks::monotonic_clock::subscribe_duration(0);
            let list: Vec<_> = (0..5000).map(|_| &p).collect();
            wasip2::io::poll::poll(&list);
        }
        "poll-within" => {
            let p = wasip2::clocks::monotonic_clock::subscribe_duration(0);
            println!("ready: {}", wasip2::io::poll::poll(&[&p, &p]).len());
        }
        "write" => {
            open("out", true).write(&[1; 5001], 0).unwrap();
        }
        "write-within" => {
            let f = open("out", true);
            for i in 0..3 {
                println!("wrote {}", f.write(&[1; 4000], i * 4000).unwrap());
            }
        }
        "write-stream" => {
            open("out", true).write_via_stream(0).unwrap().write(&[1; 5001]).unwrap();
        }
        "write-stream-blocking" => {
            let s = open("out", true).write_via_stream(0).unwrap();
            s.blocking_write_and_flush(&[1; 5001]).unwrap();
        }
        "write-stream-too-large" => {
            let s = open("out", true).write_via_stream(0).unwrap();
            s.blocking_write_and_flush(&[1; 5000]).unwrap();
        }
        "write-zeroes" => {
            open("out", true).write_via_stream(0).unwrap().write_zeroes(u64::MAX).unwrap();
        }
        "write-zeroes-too-large" => {
            let s = open("out", true).write_via_stream(0).unwrap();
            s.blocking_write_zeroes_and_flush(5000).unwrap();
        }
        "mkdir" => {
            dir().create_directory_at(&"m".repeat(5001)).unwrap();
        }
        "resolve" => {
            let net = instance_network::instance_network();
            ip_name_lookup::resolve_addresses(&net, &"r".repeat(5001)).unwrap();
        }
        "udp-send-many" => {
            let out = udp_stream();
            let d: Vec<_> = (0..5000)
                .map(|_| udp::OutgoingDatagram { data: Vec::new(), remote_address: None })
                .collect();
            out.send(&d).unwrap();
        }
        "udp-send-big" => {
            let out = udp_stream();
            let d: Vec<_> = (0..2)
                .map(|_| udp::OutgoingDatagram { data: vec![0; 2500], remote_address: None })
                .collect();
            out.send(&d).unwrap();
        }
        "read" => {
            let f = open("1mb", false);
            println!("read 0: {}", f.read(0, 0).unwrap().0.len());
            println!("read 1 MiB: {}", f.read(1 << 20, 0).unwrap().0.len());
            println!("read u64::MAX: {}", f.read(u64::MAX, 0).unwrap().0.len());
            let s = f.read_via_stream(0).unwrap();
            println!("stream read 1 MiB: {}", s.blocking_read(1 << 20).unwrap().len());
        }
        "read-stream-max" => {
            let s = open("1mb", false).read_via_stream(0).unwrap();
            println!("stream read u64::MAX: {}", s.blocking_read(u64::MAX).unwrap().len());
        }
        "read-tcp-max" | "drop-socket-first" => {
            let net = instance_network::instance_network();
            let server = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
            server.start_bind(&net, loopback()).unwrap();
            server.finish_bind().unwrap();
            server.start_listen().unwrap();
            server.finish_listen().unwrap();
            let client = tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4).unwrap();
            client.start_connect(&net, server.local_address().unwrap()).unwrap();
            client.subscribe().block();
            let (input, _output) = client.finish_connect().unwrap();
            server.subscribe().block();
            let (peer, peer_in, peer_out) = server.accept().unwrap();
            if case == "drop-socket-first" {
                // The socket before its streams: its children.
                drop(peer);
                println!("dropped the socket");
                return;
            }
            // The peer closes at once: streams first, then their socket.
            drop((peer_in, peer_out));
            drop(peer);
            println!("tcp read u64::MAX: {:?}", input.blocking_read(u64::MAX).map(|b| b.len()));
        }
        "drop-stream-first" => {
            // A pollable is a child of what it polls.
            let s = open("1mb", false).read_via_stream(0).unwrap();
            let p = s.subscribe();
            drop(s);
            println!("dropped the stream");
            drop(p);
        }
        other => panic!("unknown case {other}"),
    }
    println!("ok");
}
