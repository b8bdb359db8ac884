//! Generates the host bindings of WASI 0.2 and 0.3 from the WIT in
//! `wit/0.2` and `wit/0.3` (`wazi-bindgen`): one `Host` trait per
//! interface and its linker registration, implemented by hand in `src/p2`
//! and `src/p3`.

use std::collections::BTreeMap;
use std::path::Path;

fn main() {
    let with = BTreeMap::from(
        [
            ("wasi:cli/terminal-input/terminal-input", "crate::p3::cli::TerminalInput"),
            ("wasi:cli/terminal-output/terminal-output", "crate::p3::cli::TerminalOutput"),
            ("wasi:filesystem/types/descriptor", "crate::p3::filesystem::Descriptor"),
            ("wasi:sockets/types/tcp-socket", "crate::p3::sockets::TcpSocket"),
            ("wasi:sockets/types/udp-socket", "crate::p3::sockets::UdpSocket"),
            ("wasi:sockets/types/ip-address-family", "crate::net::wit::IpAddressFamily"),
            ("wasi:sockets/types/ip-address", "crate::net::wit::IpAddress"),
            ("wasi:sockets/types/ipv4-socket-address", "crate::net::wit::Ipv4SocketAddress"),
            ("wasi:sockets/types/ipv6-socket-address", "crate::net::wit::Ipv6SocketAddress"),
            ("wasi:sockets/types/ip-socket-address", "crate::net::wit::IpSocketAddress"),
            ("wasi:http/types/method", "crate::http::types::Method"),
            ("wasi:http/types/scheme", "crate::http::types::Scheme"),
            ("wasi:http/types/dns-error-payload", "crate::http::types::DnsErrorPayload"),
            (
                "wasi:http/types/tls-alert-received-payload",
                "crate::http::types::TlsAlertReceivedPayload",
            ),
            ("wasi:http/types/field-size-payload", "crate::http::types::FieldSizePayload"),
            ("wasi:http/types/error-code", "crate::http::types::ErrorCode"),
            ("wasi:http/types/fields", "crate::http::types::Fields"),
            ("wasi:http/types/request", "crate::p3::http::Request"),
            ("wasi:http/types/response", "crate::p3::http::Response"),
            ("wasi:http/types/request-options", "crate::p3::http::Options"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    generate("wit/0.3", "p3_bindings.rs", with);
    let p2 = [
        ("wasi:io/error/error", "crate::p2::io::IoError"),
        ("wasi:io/poll/pollable", "crate::p2::io::Pollable"),
        ("wasi:io/streams/input-stream", "crate::p2::io::InputStream"),
        ("wasi:io/streams/output-stream", "crate::p2::io::OutputStream"),
        ("wasi:cli/terminal-input/terminal-input", "crate::p2::cli::TerminalInput"),
        ("wasi:cli/terminal-output/terminal-output", "crate::p2::cli::TerminalOutput"),
        ("wasi:filesystem/types/descriptor", "crate::p2::filesystem::Descriptor"),
        (
            "wasi:filesystem/types/directory-entry-stream",
            "crate::p2::filesystem::DirectoryEntryStream",
        ),
        ("wasi:sockets/network/network", "crate::p2::sockets::Network"),
        ("wasi:sockets/network/ip-address-family", "crate::net::wit::IpAddressFamily"),
        ("wasi:sockets/network/ip-address", "crate::net::wit::IpAddress"),
        ("wasi:sockets/network/ipv4-socket-address", "crate::net::wit::Ipv4SocketAddress"),
        ("wasi:sockets/network/ipv6-socket-address", "crate::net::wit::Ipv6SocketAddress"),
        ("wasi:sockets/network/ip-socket-address", "crate::net::wit::IpSocketAddress"),
        ("wasi:sockets/tcp/tcp-socket", "crate::p2::sockets::tcp::TcpSocket"),
        ("wasi:sockets/udp/udp-socket", "crate::p2::sockets::udp::UdpSocket"),
        (
            "wasi:sockets/udp/incoming-datagram-stream",
            "crate::p2::sockets::udp::IncomingDatagramStream",
        ),
        (
            "wasi:sockets/udp/outgoing-datagram-stream",
            "crate::p2::sockets::udp::OutgoingDatagramStream",
        ),
        (
            "wasi:sockets/ip-name-lookup/resolve-address-stream",
            "crate::p2::sockets::name_lookup::ResolveAddressStream",
        ),
        ("wasi:http/types/method", "crate::http::types::Method"),
        ("wasi:http/types/scheme", "crate::http::types::Scheme"),
        ("wasi:http/types/dns-error-payload", "crate::http::types::DnsErrorPayload"),
        (
            "wasi:http/types/tls-alert-received-payload",
            "crate::http::types::TlsAlertReceivedPayload",
        ),
        ("wasi:http/types/field-size-payload", "crate::http::types::FieldSizePayload"),
        ("wasi:http/types/error-code", "crate::http::types::ErrorCode"),
        ("wasi:http/types/header-error", "crate::http::types::HeaderError"),
        ("wasi:http/types/fields", "crate::http::types::Fields"),
        ("wasi:http/types/incoming-request", "crate::http::types::IncomingRequest"),
        ("wasi:http/types/outgoing-request", "crate::http::types::OutgoingRequest"),
        ("wasi:http/types/request-options", "crate::http::types::RequestOptions"),
        ("wasi:http/types/response-outparam", "crate::http::types::ResponseOutparam"),
        ("wasi:http/types/incoming-response", "crate::http::types::IncomingResponse"),
        ("wasi:http/types/incoming-body", "crate::http::types::IncomingBody"),
        ("wasi:http/types/future-trailers", "crate::http::types::FutureTrailers"),
        ("wasi:http/types/outgoing-response", "crate::http::types::OutgoingResponse"),
        ("wasi:http/types/outgoing-body", "crate::http::types::OutgoingBody"),
        ("wasi:http/types/future-incoming-response", "crate::http::types::FutureIncomingResponse"),
    ];
    generate("wit/0.2", "p2_bindings.rs", BTreeMap::from(p2.map(|(k, v)| (k.into(), v.into()))));
}

/// Generates the bindings of world `host` in `dir` into `OUT_DIR/out`.
fn generate(dir: &str, out: &str, with: BTreeMap<String, String>) {
    let drop_with = Some("crate::ctx::DropFromTable".to_string());
    let opts = wazi_bindgen::Options { with, drop_with };
    let b = wazi_bindgen::generate(Path::new(dir), "host", &opts)
        .unwrap_or_else(|e| panic!("generating the bindings of {dir}: {e:?}"));
    for f in &b.files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join(out);
    std::fs::write(out, b.source).unwrap();
}
