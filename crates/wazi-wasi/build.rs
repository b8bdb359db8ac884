//! Generates the host bindings of WASI 0.3 from the WIT in `wit/0.3`
//! (`wazi-bindgen`): one `Host` trait per interface and its linker
//! registration, implemented by hand in `src/p3`.

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
    let opts = wazi_bindgen::Options { with };
    let b = wazi_bindgen::generate(Path::new("wit/0.3"), "host", &opts)
        .unwrap_or_else(|e| panic!("generating WASI 0.3 bindings: {e:?}"));
    for f in &b.files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("p3_bindings.rs");
    std::fs::write(out, b.source).unwrap();
}
