//! `wasi:sockets/ip-name-lookup`: resolving host names through the host's
//! resolver, when the policy allows it.

use super::{ErrorCode, IpAddress, Network, SockResult};
use crate::p2::io::Pollable;
use crate::p2::{GetCtx, VERSION, table_resource};
use anyhow::Result;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

/// `wasi:sockets/ip-name-lookup.resolve-address-stream`.
pub(crate) struct ResolveAddressStream {
    addrs: std::vec::IntoIter<IpAddr>,
}

/// A name to look up, or the address it already is.
fn parse_host(name: &str) -> SockResult<Result<IpAddr, String>> {
    if let Ok(v4) = name.parse::<Ipv4Addr>() {
        return Ok(Ok(IpAddr::V4(v4)));
    }
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']'))
        && let Ok(v6) = inner.parse::<Ipv6Addr>()
    {
        return Ok(Ok(IpAddr::V6(v6)));
    }
    if let Ok(v6) = name.parse::<Ipv6Addr>() {
        return Ok(Ok(IpAddr::V6(v6)));
    }
    // A domain: the characters a URL host may hold.
    let forbidden = |c: char| c.is_control() || c.is_whitespace() || "#%/:<>?@[\\]^|".contains(c);
    if name.is_empty() || name.chars().any(forbidden) {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(Err(name.to_ascii_lowercase()))
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let mut i = linker.instance(&format!("wasi:sockets/ip-name-lookup@{VERSION}"))?;
    table_resource::<T, ResolveAddressStream>(&mut i, "resolve-address-stream", get)?;
    i.func_wrap(
        "resolve-addresses",
        move |mut s: StoreContextMut<'_, T>, (net, name): (Resource<Network>, String)| {
            let ctx = get(s.data_mut());
            ctx.table.get(&net)?;
            if !ctx.network.ip_name_lookup {
                return Ok((Err(ErrorCode::PermanentResolverFailure),));
            }
            let addrs = match parse_host(&name) {
                Err(e) => return Ok((Err(e),)),
                Ok(Ok(ip)) => vec![ip],
                Ok(Err(domain)) => {
                    use std::net::ToSocketAddrs;
                    match (domain.as_str(), 0).to_socket_addrs() {
                        Ok(a) => a.map(|a| a.ip().to_canonical()).collect(),
                        Err(_) => return Ok((Err(ErrorCode::NameUnresolvable),)),
                    }
                }
            };
            let stream = ResolveAddressStream { addrs: addrs.into_iter() };
            Ok((Ok(ctx.table.push(stream)?),))
        },
    )?;
    i.func_wrap(
        "[method]resolve-address-stream.resolve-next-address",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<ResolveAddressStream>,)| {
            let stream = get(s.data_mut()).table.get_mut(&st)?;
            Ok((Ok::<_, ErrorCode>(stream.addrs.next().map(IpAddress::from)),))
        },
    )?;
    i.func_wrap(
        "[method]resolve-address-stream.subscribe",
        move |mut s: StoreContextMut<'_, T>, (st,): (Resource<ResolveAddressStream>,)| {
            let ctx = get(s.data_mut());
            ctx.table.get(&st)?;
            Ok((ctx.table.push_child(Pollable::Ready, &st)?,))
        },
    )?;
    Ok(())
}
