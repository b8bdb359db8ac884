//! `wasi:clocks@0.3`: `monotonic-clock` and `system-clock`.

use super::VERSION as V;
use crate::GetCtx;
use anyhow::{Result, bail};
use std::time::Duration;
use wazi::StoreContextMut;
use wazi::component::{HostCall, HostPending, Linker, Val};

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
        // Waits are timers of the store's event loop: other tasks run
        // meanwhile, and the waiting one goes on once its time has come.
        i.func_new_concurrent("wait-until", move |mut s, params| {
            let Some(Val::U64(when)) = params.first() else { bail!("expected a mark") };
            let now = get(s.data_mut()).monotonic_now();
            let at = std::time::Instant::now() + Duration::from_nanos(when.saturating_sub(now));
            Ok(HostCall::Pending(HostPending::at(at, None)))
        })?;
        i.func_new_concurrent("wait-for", |_, params| {
            let Some(Val::U64(how_long)) = params.first() else { bail!("expected a duration") };
            let at = std::time::Instant::now() + Duration::from_nanos(*how_long);
            Ok(HostCall::Pending(HostPending::at(at, None)))
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
