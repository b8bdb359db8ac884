//! `wasi:config/store@0.2.0-rc.1`: configuration variables the host
//! passes to the guest (`wazi run -S config -S config-var=NAME=VALUE`), as
//! wasmtime 48 provides them.

use super::GetCtx;
use anyhow::Result;
use wazi::StoreContextMut;
use wazi::component::Linker;
use wazi::component_variant;

/// The version of `wasi:config` wasmtime 48 implements.
pub const CONFIG_VERSION: &str = "0.2.0-rc.1";

component_variant! {
    /// `wasi:config/store.error` (never returned: the variables are in
    /// memory).
    pub(crate) enum ConfigError {
        Upstream(String),
        Io(String),
    }
}

/// Defines `wasi:config/store`; `get` finds the context, whose
/// variables it serves.
pub fn add_config_to_linker<T: 'static>(linker: &mut Linker<T>, get: GetCtx<T>) -> Result<()> {
    let mut i = linker.instance(&format!("wasi:config/store@{CONFIG_VERSION}"))?;
    i.func_wrap("get", move |mut s: StoreContextMut<'_, T>, (key,): (String,)| {
        let vars = &get(s.data_mut()).config_vars;
        let value = vars.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
        Ok((Ok::<_, ConfigError>(value),))
    })?;
    i.func_wrap("get-all", move |mut s: StoreContextMut<'_, T>, (): ()| {
        Ok((Ok::<_, ConfigError>(get(s.data_mut()).config_vars.clone()),))
    })?;
    Ok(())
}
