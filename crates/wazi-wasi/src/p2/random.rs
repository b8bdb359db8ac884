//! `wasi:random`: `random`, `insecure` and `insecure-seed`.

use super::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::ctx::Wasi;
use anyhow::Result;
use wazi::component::Linker;

/// Defines `wasi:random/random`, and unless only that (`!full`) the
/// insecure interfaces.
pub(super) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    host: Wasi<T>,
    full: bool,
) -> Result<()> {
    random::add_to_linker(linker, host)?;
    if full {
        insecure::add_to_linker(linker, host)?;
        insecure_seed::add_to_linker(linker, host)?;
    }
    Ok(())
}

crate::ctx::random_host!(random::Host<T>, insecure::Host<T>, insecure_seed::Host<T>, insecure_seed);
