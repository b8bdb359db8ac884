//! `wasi:random`: `random`, `insecure` and `insecure-seed`.

use super::GetCtx;
use anyhow::Result;
use wazi::component::Linker;

/// Defines `wasi:random/random`, and unless only that (`!full`) the
/// insecure interfaces.
pub(super) fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: GetCtx<T>,
    full: bool,
) -> Result<()> {
    crate::ctx::add_random_to_linker(linker, get, super::VERSION, full, "insecure-seed")
}
