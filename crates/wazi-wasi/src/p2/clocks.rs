//! `wasi:clocks`: `monotonic-clock` and `wall-clock`.

use super::GetCtx;
use super::io::Pollable;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::Linker;

wazi::component_record! {
    /// `wasi:clocks/wall-clock.datetime`.
    pub struct Datetime { pub seconds: u64, pub nanoseconds: u32 }
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let v = super::VERSION;
    {
        let mut i = linker.instance(&format!("wasi:clocks/monotonic-clock@{v}"))?;
        i.func_wrap("now", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).monotonic_now(),))
        })?;
        i.func_wrap("resolution", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).monotonic_resolution(),))
        })?;
        i.func_wrap("subscribe-instant", move |mut s: StoreContextMut<'_, T>, (when,): (u64,)| {
            let ctx = get(s.data_mut());
            Ok((ctx.table.push(Pollable::Deadline(when))?,))
        })?;
        i.func_wrap("subscribe-duration", move |mut s: StoreContextMut<'_, T>, (d,): (u64,)| {
            let ctx = get(s.data_mut());
            let when = ctx.monotonic_now().saturating_add(d);
            Ok((ctx.table.push(Pollable::Deadline(when))?,))
        })?;
    }
    let mut i = linker.instance(&format!("wasi:clocks/wall-clock@{v}"))?;
    i.func_wrap("now", move |mut s: StoreContextMut<'_, T>, (): ()| {
        let now = get(s.data_mut()).wall_now();
        Ok((Datetime { seconds: now.as_secs(), nanoseconds: now.subsec_nanos() },))
    })?;
    i.func_wrap("resolution", move |mut s: StoreContextMut<'_, T>, (): ()| {
        let res = get(s.data_mut()).wall_resolution();
        Ok((Datetime { seconds: res.as_secs(), nanoseconds: res.subsec_nanos() },))
    })?;
    Ok(())
}
