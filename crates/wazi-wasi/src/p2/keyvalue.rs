//! `wasi:keyvalue@0.2.0-draft` (`store`, `atomics`, `batch`) with the
//! in-memory provider wasmtime 48 has (`wazi run -S keyvalue -S
//! keyvalue-in-memory-data=KEY=VALUE`): `open("")` gives a bucket holding
//! a copy of the preset data; any other identifier is `no-such-store`.
//! Each bucket is the guest's own: what it writes lives as long as the
//! bucket.

use super::GetCtx;
use anyhow::Result;
use std::collections::BTreeMap;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};
use wazi::{component_record, component_variant};

/// The version of `wasi:keyvalue` wasmtime 48 implements.
pub const KEYVALUE_VERSION: &str = "0.2.0-draft";

component_variant! {
    /// `wasi:keyvalue/store.error`.
    pub(crate) enum KvError {
        NoSuchStore,
        AccessDenied,
        Other(String),
    }
}

component_record! {
    /// `wasi:keyvalue/store.key-response`.
    pub(crate) struct KeyResponse {
        pub keys: Vec<String>,
        pub cursor: Option<u64>,
    }
}

/// A bucket of the in-memory provider.
pub(crate) struct Bucket {
    data: BTreeMap<String, Vec<u8>>,
}

type B = Resource<Bucket>;

/// Runs `f` on the bucket behind `b`; a dangling handle traps.
fn with<T: 'static, R>(
    s: &mut StoreContextMut<'_, T>,
    get: GetCtx<T>,
    b: &B,
    f: impl FnOnce(&mut BTreeMap<String, Vec<u8>>) -> Result<R, KvError>,
) -> Result<(Result<R, KvError>,)> {
    let bucket = get(s.data_mut()).table.get_mut(b)?;
    Ok((f(&mut bucket.data),))
}

/// `atomics.increment`: the value is a decimal number (0 when absent).
fn increment(
    data: &mut BTreeMap<String, Vec<u8>>,
    key: String,
    delta: u64,
) -> Result<u64, KvError> {
    let other = |e: &dyn std::fmt::Display| KvError::Other(e.to_string());
    let value = data.entry(key).or_insert_with(|| b"0".to_vec());
    let text = std::str::from_utf8(value).map_err(|e| other(&e))?;
    let n: u64 = text.parse().map_err(|e| other(&e))?;
    let n = n.checked_add(delta).ok_or_else(|| other(&"overflow incrementing value"))?;
    *value = n.to_string().into_bytes();
    Ok(n)
}

/// Defines the three interfaces; `get` finds the context, whose preset
/// data new buckets copy.
pub fn add_keyvalue_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = KEYVALUE_VERSION;
    {
        let mut i = linker.instance(&format!("wasi:keyvalue/store@{v}"))?;
        super::table_resource::<T, Bucket>(&mut i, "bucket", get)?;
        i.func_wrap("open", move |mut s: StoreContextMut<'_, T>, (id,): (String,)| {
            let ctx = get(s.data_mut());
            if !id.is_empty() {
                return Ok((Err(KvError::NoSuchStore),));
            }
            let data = ctx.keyvalue_data.iter().cloned().collect();
            Ok((Ok(ctx.table.push(Bucket { data })?),))
        })?;
        i.func_wrap("[method]bucket.get", move |mut s, (b, key): (B, String)| {
            with(&mut s, get, &b, |d| Ok(d.get(&key).cloned()))
        })?;
        i.func_wrap("[method]bucket.set", move |mut s, (b, key, value): (B, String, Vec<u8>)| {
            with(&mut s, get, &b, |d| {
                d.insert(key, value);
                Ok(())
            })
        })?;
        i.func_wrap("[method]bucket.delete", move |mut s, (b, key): (B, String)| {
            with(&mut s, get, &b, |d| {
                d.remove(&key);
                Ok(())
            })
        })?;
        i.func_wrap("[method]bucket.exists", move |mut s, (b, key): (B, String)| {
            with(&mut s, get, &b, |d| Ok(d.contains_key(&key)))
        })?;
        i.func_wrap("[method]bucket.list-keys", move |mut s, (b, cursor): (B, Option<u64>)| {
            with(&mut s, get, &b, |d| {
                // The cursor is the guest's: past the end it lists nothing.
                let skip = usize::try_from(cursor.unwrap_or(0)).unwrap_or(usize::MAX);
                let keys = d.keys().skip(skip).cloned().collect();
                Ok(KeyResponse { keys, cursor: None })
            })
        })?;
    }
    linker.instance(&format!("wasi:keyvalue/atomics@{v}"))?.func_wrap(
        "increment",
        move |mut s, (b, key, delta): (B, String, u64)| {
            with(&mut s, get, &b, |d| increment(d, key, delta))
        },
    )?;
    let mut i = linker.instance(&format!("wasi:keyvalue/batch@{v}"))?;
    i.func_wrap("get-many", move |mut s, (b, keys): (B, Vec<String>)| {
        with(&mut s, get, &b, |d| {
            Ok(keys
                .into_iter()
                .map(|k| {
                    let v = d.get(&k).cloned();
                    v.map(|v| (k, v))
                })
                .collect::<Vec<_>>())
        })
    })?;
    i.func_wrap("set-many", move |mut s, (b, kvs): (B, Vec<(String, Vec<u8>)>)| {
        with(&mut s, get, &b, |d| {
            d.extend(kvs);
            Ok(())
        })
    })?;
    i.func_wrap("delete-many", move |mut s, (b, keys): (B, Vec<String>)| {
        with(&mut s, get, &b, |d| {
            for k in keys {
                d.remove(&k);
            }
            Ok(())
        })
    })?;
    Ok(())
}
