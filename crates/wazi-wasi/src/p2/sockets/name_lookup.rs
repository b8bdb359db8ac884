//! `wasi:sockets/ip-name-lookup`: resolving host names through the host's
//! resolver, when the policy allows it.

use super::{ErrorCode, IpAddress, Network};
use crate::net;
use crate::p2::io::Pollable;
use crate::p2::{GetCtx, VERSION, table_resource};
use anyhow::Result;
use std::net::IpAddr;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

/// `wasi:sockets/ip-name-lookup.resolve-address-stream`.
pub(crate) struct ResolveAddressStream {
    addrs: std::vec::IntoIter<IpAddr>,
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
            let addrs = match net::resolve(&name) {
                Ok(a) => a,
                Err(e) => return Ok((Err(e.into()),)),
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
