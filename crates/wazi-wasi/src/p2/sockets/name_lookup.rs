//! `wasi:sockets/ip-name-lookup`: resolving host names through the host's
//! resolver, when the policy allows it.

use super::{ErrorCode, IpAddress, Network};
use crate::ctx::Wasi;
use crate::net;
use crate::p2::bindings::wasi::sockets::ip_name_lookup;
use crate::p2::io::Pollable;
use anyhow::Result;
use std::net::IpAddr;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

/// `wasi:sockets/ip-name-lookup.resolve-address-stream`.
pub(crate) struct ResolveAddressStream {
    addrs: std::vec::IntoIter<IpAddr>,
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    ip_name_lookup::add_to_linker(linker, host)
}

type Stream = Resource<ResolveAddressStream>;

impl<T: 'static> ip_name_lookup::Host<T> for Wasi<T> {
    fn resolve_addresses(
        &self,
        mut s: StoreContextMut<'_, T>,
        net: Resource<Network>,
        name: String,
    ) -> Result<Result<Stream, ErrorCode>> {
        let ctx = self.ctx(&mut s);
        ctx.table.get(&net)?;
        if !ctx.network.ip_name_lookup {
            return Ok(Err(ErrorCode::PermanentResolverFailure));
        }
        let addrs = match net::resolve(&name) {
            Ok(a) => a,
            Err(e) => return Ok(Err(e.into())),
        };
        let stream = ResolveAddressStream { addrs: addrs.into_iter() };
        Ok(Ok(ctx.table.push(stream)?))
    }

    fn resolve_address_stream_resolve_next_address(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Stream,
    ) -> Result<Result<Option<IpAddress>, ErrorCode>> {
        let stream = self.ctx(&mut s).table.get_mut(&st)?;
        Ok(Ok(stream.addrs.next().map(IpAddress::from)))
    }

    fn resolve_address_stream_subscribe(
        &self,
        mut s: StoreContextMut<'_, T>,
        st: Stream,
    ) -> Result<Resource<Pollable>> {
        let ctx = self.ctx(&mut s);
        ctx.table.get(&st)?;
        Ok(ctx.table.push_child(Pollable::Ready, &st)?)
    }
}
