//! `wasi:http/types.fields`: headers and trailers.

use super::types::{Fields, HeaderError};
use crate::WasiCtx;
use anyhow::Result;
use http::header::{HeaderName, HeaderValue};
use wazi::component::Resource;

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
fn mutate<V>(
    ctx: &mut WasiCtx,
    f: &F,
    check: impl FnOnce() -> Result<V, HeaderError>,
    apply: impl FnOnce(&mut http::HeaderMap, V) -> Result<(), HeaderError>,
) -> Result<Result<(), HeaderError>> {
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

// The operations of `fields`, as WASI 0.2's and 0.3's surfaces define
// them. Checks run in wasmtime's order: the name, then mutability, then
// the values for `set`; the value before mutability for `append`.

/// `[constructor]fields`.
pub(crate) fn new(ctx: &mut WasiCtx) -> Result<F> {
    Ok(ctx.table.push(Fields { map: http::HeaderMap::new(), mutable: true })?)
}

/// `[static]fields.from-list`.
pub(crate) fn from_list(
    ctx: &mut WasiCtx,
    entries: Vec<(String, Vec<u8>)>,
) -> Result<Result<F, HeaderError>> {
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
            Err(e) => return Ok(Err(e)),
        }
    }
    check_size(&map, ctx.limits.max_http_fields_size)?;
    Ok(Ok(ctx.table.push(Fields { map, mutable: true })?))
}

/// `[method]fields.get`.
pub(crate) fn get(ctx: &mut WasiCtx, f: &F, name: &str) -> Result<Vec<Vec<u8>>> {
    let fields = ctx.table.get(f)?;
    Ok(match HeaderName::from_bytes(name.as_bytes()) {
        Ok(n) => fields.map.get_all(n).iter().map(|v| v.as_bytes().to_vec()).collect(),
        Err(_) => Vec::new(),
    })
}

/// `[method]fields.has`.
pub(crate) fn has(ctx: &mut WasiCtx, f: &F, name: &str) -> Result<bool> {
    let fields = ctx.table.get(f)?;
    Ok(HeaderName::from_bytes(name.as_bytes()).is_ok_and(|n| fields.map.contains_key(n)))
}

/// `[method]fields.set`.
pub(crate) fn set(
    ctx: &mut WasiCtx,
    f: &F,
    name: &str,
    values: Vec<Vec<u8>>,
) -> Result<Result<(), HeaderError>> {
    mutate(
        ctx,
        f,
        || settable_name(name),
        |map, name| {
            let values = values.iter().map(|v| value(&name, v)).collect::<Result<Vec<_>, _>>()?;
            map.remove(&name);
            for v in values {
                map.append(name.clone(), v);
            }
            Ok(())
        },
    )
}

/// `[method]fields.delete`.
pub(crate) fn delete(ctx: &mut WasiCtx, f: &F, name: &str) -> Result<Result<(), HeaderError>> {
    mutate(
        ctx,
        f,
        || settable_name(name),
        |map, name| {
            map.remove(&name);
            Ok(())
        },
    )
}

/// `[method]fields.append`.
pub(crate) fn append(
    ctx: &mut WasiCtx,
    f: &F,
    name: &str,
    v: &[u8],
) -> Result<Result<(), HeaderError>> {
    mutate(
        ctx,
        f,
        || {
            let name = settable_name(name)?;
            let v = value(&name, v)?;
            Ok((name, v))
        },
        |map, (name, v)| {
            map.append(name, v);
            Ok(())
        },
    )
}

/// `[method]fields.get-and-delete` (WASI 0.3).
pub(crate) fn get_and_delete(
    ctx: &mut WasiCtx,
    f: &F,
    name: &str,
) -> Result<Result<Vec<Vec<u8>>, HeaderError>> {
    let mut values = Vec::new();
    let r = mutate(
        ctx,
        f,
        || settable_name(name),
        |map, name| {
            values = map.get_all(&name).iter().map(|v| v.as_bytes().to_vec()).collect();
            map.remove(&name);
            Ok(())
        },
    )?;
    Ok(r.map(|()| values))
}

/// `[method]fields.entries` (WASI 0.2), `copy-all` (WASI 0.3).
pub(crate) fn entries(ctx: &mut WasiCtx, f: &F) -> Result<Vec<(String, Vec<u8>)>> {
    let fields = ctx.table.get(f)?;
    Ok(fields.map.iter().map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec())).collect())
}

/// `[method]fields.clone`: a copy the guest may change.
pub(crate) fn clone(ctx: &mut WasiCtx, f: &F) -> Result<F> {
    let map = ctx.table.get(f)?.map.clone();
    Ok(ctx.table.push(Fields { map, mutable: true })?)
}
