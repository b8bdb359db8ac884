//! `wasi:random@0.3`: the same sources as WASI 0.2's.

use super::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::ctx::Wasi;
use anyhow::Result;
use wazi::component::Linker;

pub(super) fn add_to_linker<T: 'static>(linker: &mut Linker<T>, host: Wasi<T>) -> Result<()> {
    random::add_to_linker(linker, host)?;
    insecure::add_to_linker(linker, host)?;
    insecure_seed::add_to_linker(linker, host)
}

crate::ctx::random_host!(
    random::Host<T>,
    insecure::Host<T>,
    insecure_seed::Host<T>,
    get_insecure_seed
);
