//! What a guest may change of a request's target and of a response, for
//! WASI 0.2's and 0.3's resources alike: each setter checks its value as
//! wasmtime does and answers `result<_, _>` (an `Err` leaves the message
//! as it was).

use super::types::{Method, Scheme};
use crate::GetCtx;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::{Lift, LinkerInstance, Resource};

/// Defines `[method]{resource}.set-{part}` on resource type `R`, storing a
/// valid value in `field`.
fn setter<T: 'static, R: 'static, V: Lift + Send + Sync + 'static>(
    i: &mut LinkerInstance<'_, T>,
    name: String,
    get: GetCtx<T>,
    valid: fn(&V) -> bool,
    field: fn(&mut R) -> &mut V,
) -> Result<()> {
    i.func_wrap(&name, move |mut s: StoreContextMut<'_, T>, (r, v): (Resource<R>, V)| {
        Ok((set(get(s.data_mut()), &r, v, valid, field)?,))
    })
}

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

/// Where a request resource keeps its target.
pub(crate) struct TargetFields<R> {
    pub(crate) method: fn(&mut R) -> &mut Method,
    pub(crate) path_with_query: fn(&mut R) -> &mut Option<String>,
    pub(crate) scheme: fn(&mut R) -> &mut Option<Scheme>,
    pub(crate) authority: fn(&mut R) -> &mut Option<String>,
}

/// Defines the setters of a request's method, path and query, scheme and
/// authority on resource `resource` (type `R`).
pub(crate) fn add_request_setters<T: 'static, R: 'static>(
    i: &mut LinkerInstance<'_, T>,
    resource: &str,
    get: GetCtx<T>,
    f: TargetFields<R>,
) -> Result<()> {
    let name = |part: &str| format!("[method]{resource}.set-{part}");
    setter(i, name("method"), get, valid_method, f.method)?;
    setter(i, name("path-with-query"), get, valid_path_with_query, f.path_with_query)?;
    setter(i, name("scheme"), get, valid_scheme, f.scheme)?;
    setter(i, name("authority"), get, valid_authority, f.authority)
}

/// Defines `[method]{resource}.set-status-code` (a code hyper takes).
pub(crate) fn add_status_setter<T: 'static, R: 'static>(
    i: &mut LinkerInstance<'_, T>,
    resource: &str,
    get: GetCtx<T>,
    status: fn(&mut R) -> &mut u16,
) -> Result<()> {
    setter(i, format!("[method]{resource}.set-status-code"), get, valid_status, status)
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
