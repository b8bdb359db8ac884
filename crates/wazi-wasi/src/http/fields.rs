//! `wasi:http/types.fields`: headers and trailers.

use super::types::{Fields, HeaderError};
use crate::GetCtx;
use anyhow::Result;
use http::header::{HeaderName, HeaderValue};
use wazi::StoreContextMut;
use wazi::component::{Lift, Linker, Lower, Resource};

/// Header names a guest may not set (hop-by-hop and connection-level
/// headers, which the host manages), as in wasmtime.
const FORBIDDEN: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
    "http2-settings",
];

/// A name a guest may set: valid and not forbidden.
fn settable_name(name: &str) -> Result<HeaderName, HeaderError> {
    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| HeaderError::InvalidSyntax)?;
    if FORBIDDEN.contains(&name.as_str()) {
        return Err(HeaderError::Forbidden);
    }
    Ok(name)
}

/// A valid value for `name`; a `content-length` must be a number, kept in
/// its plain form (`007` is `7`).
fn value(name: &HeaderName, v: &[u8]) -> Result<HeaderValue, HeaderError> {
    if name == http::header::CONTENT_LENGTH {
        let digits = std::str::from_utf8(v).map_err(|_| HeaderError::InvalidSyntax)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HeaderError::InvalidSyntax);
        }
        let n: u64 = digits.parse().map_err(|_| HeaderError::InvalidSyntax)?;
        return Ok(HeaderValue::from(n));
    }
    HeaderValue::from_bytes(v).map_err(|_| HeaderError::InvalidSyntax)
}

/// Most entries a `fields` may hold.
const MAX_FIELDS: usize = 32 * 1024;

/// Checks `map` holds at most `max` bytes, counted as wasmtime does (each
/// name and value with the size of its host representation).
fn check_size(map: &http::HeaderMap, max: usize) -> Result<()> {
    if map.len() > MAX_FIELDS {
        anyhow::bail!("too many fields in the field map");
    }
    let names: usize =
        map.keys().map(|n| n.as_str().len() + std::mem::size_of::<HeaderName>()).sum();
    let values: usize =
        map.values().map(|v| v.as_bytes().len() + std::mem::size_of::<HeaderValue>()).sum();
    if names + values > max {
        anyhow::bail!("total size of fields exceeds limit");
    }
    Ok(())
}

/// A `header-error` of WASI 0.2 as version `E` has it.
fn err<E: From<HeaderError>>(r: Result<(), HeaderError>) -> Result<(), E> {
    r.map_err(E::from)
}

/// The headers of a message from the network, as a guest sees them: the
/// forbidden ones left out.
pub(crate) fn from_wire(mut map: http::HeaderMap) -> http::HeaderMap {
    for name in FORBIDDEN {
        map.remove(*name);
    }
    map
}

type F = Resource<Fields>;

/// Changes a guest's `fields`: `check` validates the arguments (its
/// error comes first), then an immutable `fields` refuses, then `apply`
/// runs. Growing past the size limit traps.
fn mutate<T: 'static, V>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    f: &F,
    check: impl FnOnce() -> Result<V, HeaderError>,
    apply: impl FnOnce(&mut http::HeaderMap, V) -> Result<(), HeaderError>,
) -> Result<Result<(), HeaderError>> {
    let ctx = get(s.data_mut());
    let max = ctx.limits.max_http_fields_size;
    let fields = ctx.table.get_mut(f)?;
    let v = match check() {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if !fields.mutable {
        return Ok(Err(HeaderError::Immutable));
    }
    let r = apply(&mut fields.map, v);
    check_size(&fields.map, max)?;
    Ok(r)
}

/// Defines the `fields` resource of `wasi:http/types@{version}`, whose
/// `header-error` is `E`: WASI 0.2's (`p3: false`), or WASI 0.3's, which
/// names `entries` `copy-all` and adds `get-and-delete`.
pub(crate) fn add_to_linker<T: 'static, E>(
    linker: &mut Linker<T>,
    get: GetCtx<T>,
    version: &str,
    p3: bool,
) -> Result<()>
where
    E: From<HeaderError> + Lift + Lower + Send + Sync + 'static,
{
    let mut i = linker.instance(&format!("wasi:http/types@{version}"))?;
    crate::ctx::table_resource::<T, Fields>(&mut i, "fields", get)?;
    i.func_wrap("[constructor]fields", move |mut s: StoreContextMut<'_, T>, (): ()| {
        let fields = Fields { map: http::HeaderMap::new(), mutable: true };
        Ok((get(s.data_mut()).table.push(fields)?,))
    })?;
    i.func_wrap(
        "[static]fields.from-list",
        move |mut s: StoreContextMut<'_, T>, (entries,): (Vec<(String, Vec<u8>)>,)| {
            let mut map = http::HeaderMap::new();
            for (name, v) in entries {
                let r = settable_name(&name).and_then(|n| {
                    let v = value(&n, &v)?;
                    Ok((n, v))
                });
                match r {
                    Ok((n, v)) => {
                        map.append(n, v);
                    }
                    Err(e) => return Ok((Err(E::from(e)),)),
                }
            }
            let ctx = get(s.data_mut());
            check_size(&map, ctx.limits.max_http_fields_size)?;
            Ok((Ok(ctx.table.push(Fields { map, mutable: true })?),))
        },
    )?;
    i.func_wrap(
        "[method]fields.get",
        move |mut s: StoreContextMut<'_, T>, (f, name): (F, String)| {
            let fields = get(s.data_mut()).table.get(&f)?;
            let values: Vec<Vec<u8>> = match HeaderName::from_bytes(name.as_bytes()) {
                Ok(n) => fields.map.get_all(n).iter().map(|v| v.as_bytes().to_vec()).collect(),
                Err(_) => Vec::new(),
            };
            Ok((values,))
        },
    )?;
    i.func_wrap(
        "[method]fields.has",
        move |mut s: StoreContextMut<'_, T>, (f, name): (F, String)| {
            let fields = get(s.data_mut()).table.get(&f)?;
            let has =
                HeaderName::from_bytes(name.as_bytes()).is_ok_and(|n| fields.map.contains_key(n));
            Ok((has,))
        },
    )?;
    // Checks run in wasmtime's order: the name, then mutability, then the
    // values for `set`; the value before mutability for `append`.
    i.func_wrap(
        "[method]fields.set",
        move |mut s: StoreContextMut<'_, T>, (f, name, values): (F, String, Vec<Vec<u8>>)| {
            Ok((err::<E>(mutate(
                &mut s,
                get,
                &f,
                || settable_name(&name),
                |map, name| {
                    let values =
                        values.iter().map(|v| value(&name, v)).collect::<Result<Vec<_>, _>>()?;
                    map.remove(&name);
                    for v in values {
                        map.append(name.clone(), v);
                    }
                    Ok(())
                },
            )?),))
        },
    )?;
    i.func_wrap(
        "[method]fields.delete",
        move |mut s: StoreContextMut<'_, T>, (f, name): (F, String)| {
            Ok((err::<E>(mutate(
                &mut s,
                get,
                &f,
                || settable_name(&name),
                |map, name| {
                    map.remove(&name);
                    Ok(())
                },
            )?),))
        },
    )?;
    i.func_wrap(
        "[method]fields.append",
        move |mut s: StoreContextMut<'_, T>, (f, name, v): (F, String, Vec<u8>)| {
            Ok((err::<E>(mutate(
                &mut s,
                get,
                &f,
                || {
                    let name = settable_name(&name)?;
                    let v = value(&name, &v)?;
                    Ok((name, v))
                },
                |map, (name, v)| {
                    map.append(name, v);
                    Ok(())
                },
            )?),))
        },
    )?;
    if p3 {
        i.func_wrap(
            "[method]fields.get-and-delete",
            move |mut s: StoreContextMut<'_, T>, (f, name): (F, String)| {
                let mut values = Vec::new();
                let r = mutate(
                    &mut s,
                    get,
                    &f,
                    || settable_name(&name),
                    |map, name| {
                        values = map.get_all(&name).iter().map(|v| v.as_bytes().to_vec()).collect();
                        map.remove(&name);
                        Ok(())
                    },
                )?;
                Ok((err::<E>(r).map(|()| values),))
            },
        )?;
    }
    let entries = if p3 { "[method]fields.copy-all" } else { "[method]fields.entries" };
    i.func_wrap(entries, move |mut s: StoreContextMut<'_, T>, (f,): (F,)| {
        let fields = get(s.data_mut()).table.get(&f)?;
        let entries: Vec<(String, Vec<u8>)> = fields
            .map
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect();
        Ok((entries,))
    })?;
    i.func_wrap("[method]fields.clone", move |mut s: StoreContextMut<'_, T>, (f,): (F,)| {
        let ctx = get(s.data_mut());
        let map = ctx.table.get(&f)?.map.clone();
        Ok((ctx.table.push(Fields { map, mutable: true })?,))
    })?;
    Ok(())
}
