//! `wasi:random`: `random`, `insecure` and `insecure-seed`.

use super::GetCtx;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::Linker;

/// Defines `wasi:random/random`, and unless only that (`!full`) the
/// insecure interfaces.
pub(super) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: GetCtx<T>,
    full: bool,
) -> Result<()> {
    let v = super::VERSION;
    // Insecure randomness comes from the same secure source.
    let ifaces = [
        ("random", "get-random-bytes", "get-random-u64"),
        ("insecure", "get-insecure-random-bytes", "get-insecure-random-u64"),
    ];
    for (iface, f_bytes, f_u64) in ifaces.into_iter().take(if full { 2 } else { 1 }) {
        let mut i = linker.instance(&format!("wasi:random/{iface}@{v}"))?;
        i.func_wrap(f_bytes, move |mut s: StoreContextMut<'_, T>, (len,): (u64,)| {
            Ok((get(s.data_mut()).random_vec(len)?,))
        })?;
        i.func_wrap(f_u64, move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).random_u64()?,))
        })?;
    }
    if !full {
        return Ok(());
    }
    linker.instance(&format!("wasi:random/insecure-seed@{v}"))?.func_wrap(
        "insecure-seed",
        move |mut s: StoreContextMut<'_, T>, (): ()| {
            let seed = get(s.data_mut()).insecure_seed;
            Ok(((seed as u64, (seed >> 64) as u64),))
        },
    )?;
    Ok(())
}
