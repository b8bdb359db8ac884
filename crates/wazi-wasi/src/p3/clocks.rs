//! `wasi:clocks@0.3`: `monotonic-clock` and `system-clock`.

use super::VERSION as V;
use crate::GetCtx;
use anyhow::Result;
use std::time::Duration;
use wazi::StoreContextMut;
use wazi::component::Linker;

wazi::component_record! {
    /// `wasi:clocks/system-clock.instant`.
    pub struct Instant { pub seconds: i64, pub nanoseconds: u32 }
}

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    {
        let mut i = linker.instance(&format!("wasi:clocks/monotonic-clock@{V}"))?;
        i.func_wrap("now", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).monotonic_now(),))
        })?;
        i.func_wrap("get-resolution", move |mut s: StoreContextMut<'_, T>, (): ()| {
            Ok((get(s.data_mut()).monotonic_resolution(),))
        })?;
        i.func_wrap("wait-until", move |mut s: StoreContextMut<'_, T>, (when,): (u64,)| {
            let now = get(s.data_mut()).monotonic_now();
            std::thread::sleep(Duration::from_nanos(when.saturating_sub(now)));
            Ok(())
        })?;
        i.func_wrap("wait-for", |_: StoreContextMut<'_, T>, (how_long,): (u64,)| {
            std::thread::sleep(Duration::from_nanos(how_long));
            Ok(())
        })?;
    }
    let mut i = linker.instance(&format!("wasi:clocks/system-clock@{V}"))?;
    i.func_wrap("now", move |mut s: StoreContextMut<'_, T>, (): ()| {
        let now = get(s.data_mut()).wall_now();
        Ok((Instant { seconds: now.as_secs() as i64, nanoseconds: now.subsec_nanos() },))
    })?;
    i.func_wrap("get-resolution", move |mut s: StoreContextMut<'_, T>, (): ()| {
        let res = get(s.data_mut()).wall_resolution();
        Ok((res.as_nanos() as u64,))
    })?;
    Ok(())
}
