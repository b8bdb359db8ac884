//! What a guest may change of a request's target and of a response, for
//! WASI 0.2's and 0.3's resources alike: each setter checks its value as
//! wasmtime does and answers `result<_, _>` (an `Err` leaves the message
//! as it was).

use super::types::{Method, Scheme};
use anyhow::Result;
use wazi::component::Resource;

/// Stores `v` in `field` of resource `r` if it is `valid`.
pub(crate) fn set<R: 'static, V>(
    ctx: &mut crate::WasiCtx,
    r: &Resource<R>,
    v: V,
    valid: fn(&V) -> bool,
    field: fn(&mut R) -> &mut V,
) -> Result<Result<(), ()>> {
    if !valid(&v) {
        return Ok(Err(()));
    }
    *field(ctx.table.get_mut(r)?) = v;
    Ok(Ok(()))
}

pub(crate) fn valid_status(c: &u16) -> bool {
    http::StatusCode::from_u16(*c).is_ok()
}

pub(crate) fn valid_method(m: &Method) -> bool {
    match m {
        Method::Other(name) => http::Method::from_bytes(name.as_bytes()).is_ok(),
        _ => true,
    }
}

pub(crate) fn valid_path_with_query(p: &Option<String>) -> bool {
    p.as_ref().is_none_or(|p| p.parse::<http::uri::PathAndQuery>().is_ok())
}

pub(crate) fn valid_scheme(s: &Option<Scheme>) -> bool {
    match s {
        Some(Scheme::Other(name)) => http::uri::Scheme::try_from(name.as_str()).is_ok(),
        _ => true,
    }
}

/// A valid `host[:port]`.
pub(crate) fn valid_authority(a: &Option<String>) -> bool {
    a.as_ref().is_none_or(|a| a.parse::<http::uri::Authority>().is_ok())
}
