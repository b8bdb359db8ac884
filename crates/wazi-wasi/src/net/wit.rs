//! The WIT types of socket addresses, the same in WASI 0.2 and 0.3, and
//! their host forms.

use super::Family;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use wazi::{component_enum, component_record, component_variant};

component_enum! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum IpAddressFamily { Ipv4, Ipv6 }
}

component_variant! {
    #[derive(Clone, Debug)]
    pub enum IpAddress { Ipv4((u8, u8, u8, u8)), Ipv6((u16, u16, u16, u16, u16, u16, u16, u16)) }
}

component_record! {
    #[derive(Clone, Debug)]
    pub struct Ipv4SocketAddress { pub port: u16, pub address: (u8, u8, u8, u8) }
}

component_record! {
    #[derive(Clone, Debug)]
    pub struct Ipv6SocketAddress {
        pub port: u16,
        pub flow_info: u32,
        pub address: (u16, u16, u16, u16, u16, u16, u16, u16),
        pub scope_id: u32,
    }
}

component_variant! {
    #[derive(Clone, Debug)]
    pub enum IpSocketAddress { Ipv4(Ipv4SocketAddress), Ipv6(Ipv6SocketAddress) }
}

impl From<IpAddressFamily> for Family {
    fn from(f: IpAddressFamily) -> Family {
        match f {
            IpAddressFamily::Ipv4 => Family::Ipv4,
            IpAddressFamily::Ipv6 => Family::Ipv6,
        }
    }
}

impl From<Family> for IpAddressFamily {
    fn from(f: Family) -> IpAddressFamily {
        match f {
            Family::Ipv4 => IpAddressFamily::Ipv4,
            Family::Ipv6 => IpAddressFamily::Ipv6,
        }
    }
}

impl From<IpSocketAddress> for SocketAddr {
    fn from(a: IpSocketAddress) -> SocketAddr {
        match a {
            IpSocketAddress::Ipv4(a) => {
                let (x0, x1, x2, x3) = a.address;
                SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(x0, x1, x2, x3), a.port))
            }
            IpSocketAddress::Ipv6(a) => {
                let (x0, x1, x2, x3, x4, x5, x6, x7) = a.address;
                let ip = Ipv6Addr::new(x0, x1, x2, x3, x4, x5, x6, x7);
                SocketAddr::V6(SocketAddrV6::new(ip, a.port, a.flow_info, a.scope_id))
            }
        }
    }
}

impl From<SocketAddr> for IpSocketAddress {
    fn from(a: SocketAddr) -> IpSocketAddress {
        match a {
            SocketAddr::V4(a) => {
                let [x0, x1, x2, x3] = a.ip().octets();
                IpSocketAddress::Ipv4(Ipv4SocketAddress {
                    port: a.port(),
                    address: (x0, x1, x2, x3),
                })
            }
            SocketAddr::V6(a) => {
                let [x0, x1, x2, x3, x4, x5, x6, x7] = a.ip().segments();
                IpSocketAddress::Ipv6(Ipv6SocketAddress {
                    port: a.port(),
                    flow_info: a.flowinfo(),
                    address: (x0, x1, x2, x3, x4, x5, x6, x7),
                    scope_id: a.scope_id(),
                })
            }
        }
    }
}

impl From<IpAddr> for IpAddress {
    fn from(a: IpAddr) -> IpAddress {
        match a {
            IpAddr::V4(a) => {
                let [x0, x1, x2, x3] = a.octets();
                IpAddress::Ipv4((x0, x1, x2, x3))
            }
            IpAddr::V6(a) => {
                let [x0, x1, x2, x3, x4, x5, x6, x7] = a.segments();
                IpAddress::Ipv6((x0, x1, x2, x3, x4, x5, x6, x7))
            }
        }
    }
}
