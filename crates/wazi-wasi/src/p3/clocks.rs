//! `wasi:clocks@0.3`: `monotonic-clock` and `system-clock`.

use super::bindings::wasi::clocks::{monotonic_clock, system_clock};
use crate::ctx::Wasi;
use anyhow::Result;
use std::time::Duration;
use wazi::StoreContextMut;
use wazi::component::{HostAsync, HostPending, Linker};

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    monotonic_clock::add_to_linker(linker, host)?;
    system_clock::add_to_linker(linker, host)
}

impl<T: 'static> monotonic_clock::Host<T> for Wasi<T> {
    fn now(&self, mut s: StoreContextMut<'_, T>) -> Result<u64> {
        Ok(self.ctx(&mut s).monotonic_now())
    }

    fn get_resolution(&self, mut s: StoreContextMut<'_, T>) -> Result<u64> {
        Ok(self.ctx(&mut s).monotonic_resolution())
    }

    // Waits are timers of the store's event loop: other tasks run
    // meanwhile, and the waiting one goes on once its time has come.
    fn wait_until(&self, mut s: StoreContextMut<'_, T>, when: u64) -> Result<HostAsync<T, ()>> {
        let now = self.ctx(&mut s).monotonic_now();
        let at = std::time::Instant::now() + Duration::from_nanos(when.saturating_sub(now));
        Ok(HostAsync::Pending(HostPending::at(at, None)))
    }

    fn wait_for(&self, _: StoreContextMut<'_, T>, how_long: u64) -> Result<HostAsync<T, ()>> {
        let at = std::time::Instant::now() + Duration::from_nanos(how_long);
        Ok(HostAsync::Pending(HostPending::at(at, None)))
    }
}

impl<T: 'static> system_clock::Host<T> for Wasi<T> {
    fn now(&self, mut s: StoreContextMut<'_, T>) -> Result<system_clock::Instant> {
        let now = self.ctx(&mut s).wall_now();
        Ok(system_clock::Instant { seconds: now.as_secs() as i64, nanoseconds: now.subsec_nanos() })
    }

    fn get_resolution(&self, mut s: StoreContextMut<'_, T>) -> Result<u64> {
        Ok(self.ctx(&mut s).wall_resolution().as_nanos() as u64)
    }
}
