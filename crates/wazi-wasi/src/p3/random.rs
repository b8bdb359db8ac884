//! `wasi:random@0.3`: the same sources as WASI 0.2's.

use super::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::ctx::Wasi;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::Linker;

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    random::add_to_linker(linker, host)?;
    insecure::add_to_linker(linker, host)?;
    insecure_seed::add_to_linker(linker, host)
}

impl<T: 'static> random::Host<T> for Wasi<T> {
    fn get_random_bytes(&self, mut s: StoreContextMut<'_, T>, len: u64) -> Result<Vec<u8>> {
        self.ctx(&mut s).random_vec(len)
    }

    fn get_random_u64(&self, mut s: StoreContextMut<'_, T>) -> Result<u64> {
        self.ctx(&mut s).random_u64()
    }
}

impl<T: 'static> insecure::Host<T> for Wasi<T> {
    fn get_insecure_random_bytes(
        &self,
        mut s: StoreContextMut<'_, T>,
        len: u64,
    ) -> Result<Vec<u8>> {
        self.ctx(&mut s).random_vec(len)
    }

    fn get_insecure_random_u64(&self, mut s: StoreContextMut<'_, T>) -> Result<u64> {
        self.ctx(&mut s).random_u64()
    }
}

impl<T: 'static> insecure_seed::Host<T> for Wasi<T> {
    fn get_insecure_seed(&self, mut s: StoreContextMut<'_, T>) -> Result<(u64, u64)> {
        Ok(self.ctx(&mut s).insecure_seed_pair())
    }
}
