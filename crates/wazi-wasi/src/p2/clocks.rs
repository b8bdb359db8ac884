//! `wasi:clocks`: `monotonic-clock` and `wall-clock`.

use super::bindings::wasi::clocks::{monotonic_clock, wall_clock};
use super::io::Pollable;
use crate::ctx::Wasi;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::{Linker, Resource};

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    monotonic_clock::add_to_linker(linker, host)?;
    wall_clock::add_to_linker(linker, host)
}

impl<T: 'static> monotonic_clock::Host<T> for Wasi<T> {
    fn now(&self, mut s: StoreContextMut<'_, T>) -> Result<u64> {
        Ok(self.ctx(&mut s).monotonic_now())
    }

    fn resolution(&self, mut s: StoreContextMut<'_, T>) -> Result<u64> {
        Ok(self.ctx(&mut s).monotonic_resolution())
    }

    fn subscribe_instant(
        &self,
        mut s: StoreContextMut<'_, T>,
        when: u64,
    ) -> Result<Resource<Pollable>> {
        Ok(self.ctx(&mut s).table.push(Pollable::Deadline(when))?)
    }

    fn subscribe_duration(
        &self,
        mut s: StoreContextMut<'_, T>,
        d: u64,
    ) -> Result<Resource<Pollable>> {
        let ctx = self.ctx(&mut s);
        let when = ctx.monotonic_now().saturating_add(d);
        Ok(ctx.table.push(Pollable::Deadline(when))?)
    }
}

impl<T: 'static> wall_clock::Host<T> for Wasi<T> {
    fn now(&self, mut s: StoreContextMut<'_, T>) -> Result<wall_clock::Datetime> {
        let now = self.ctx(&mut s).wall_now();
        Ok(wall_clock::Datetime { seconds: now.as_secs(), nanoseconds: now.subsec_nanos() })
    }

    fn resolution(&self, mut s: StoreContextMut<'_, T>) -> Result<wall_clock::Datetime> {
        let res = self.ctx(&mut s).wall_resolution();
        Ok(wall_clock::Datetime { seconds: res.as_secs(), nanoseconds: res.subsec_nanos() })
    }
}
