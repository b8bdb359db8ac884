//! `wazi run --invoke 'f(args)' component.wasm`: a call written in WAVE
//! (the WebAssembly Value Encoding, via the `wasm-wave` crate), its result
//! printed in WAVE, as `wasmtime run --invoke` does for components.

use crate::run::Host;
use anyhow::{Context, Result, anyhow, bail};
use wasm_wave::untyped::UntypedFuncCall;
use wasm_wave::wasm::DisplayFuncResults;
use wazi::Store;
use wazi::component::{Component, Func, Instance, Linker, Val};

/// Finds the function `name` (`f`, `iface.f`, `ns:pkg/iface.f@1.0.0`)
/// among the instance's exports: a bare name is looked up at the root,
/// then in every exported instance, and must be unambiguous.
fn find_func(
    store: &mut Store<Host>,
    instance: &Instance,
    component: &Component,
    call: &UntypedFuncCall<'_>,
) -> Result<Func> {
    let item = call
        .item_name()
        .with_context(|| format!("parsing `{}` as a wit item name", call.name()))?;
    if let Some(iface) = item.instance_name() {
        let idx = instance
            .get_export_index(&mut *store, None, &iface)
            .and_then(|i| instance.get_export_index(&mut *store, Some(&i), &item.name));
        return idx
            .and_then(|i| instance.get_func(&mut *store, &i))
            .ok_or_else(|| anyhow!("No exported func named `{item}` in component."));
    }
    if let Some(f) = instance.get_func(&mut *store, item.name.as_str()) {
        return Ok(f);
    }
    let mut found = Vec::new();
    for iface in component.export_names() {
        let Some(i) = instance.get_export_index(&mut *store, None, iface) else { continue };
        let Some(f) = instance.get_export_index(&mut *store, Some(&i), &item.name) else {
            continue;
        };
        if let Some(f) = instance.get_func(&mut *store, &f) {
            found.push((iface.to_string(), f));
        }
    }
    match found.len() {
        0 => bail!("No exported func named `{}` in component.", item.name),
        1 => Ok(found.remove(0).1),
        _ => bail!(
            "Multiple exports named `{}`: {}. FIXME: This case can be resolved by including an interface name in the invoke argument.",
            item.name,
            found.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Instantiates `component`, calls the function `call` names with its
/// WAVE arguments, and prints the result in WAVE.
pub fn invoke_component(
    store: &mut Store<Host>,
    linker: &Linker<Host>,
    component: &Component,
    call: &str,
) -> Result<()> {
    let parsed = UntypedFuncCall::parse(call).map_err(|e| anyhow!("{e}")).with_context(|| {
        format!("Failed to parse invoke '{call}': see `wazi run --help` for the syntax")
    })?;
    let instance = linker.instantiate(&mut *store, component)?;
    let func = find_func(store, &instance, component, &parsed)?;
    let types: Vec<_> = func.params(&*store).into_iter().map(|(_, t)| t).collect();
    let params: Vec<Val> = parsed
        .to_wasm_params(types.iter())
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("while interpreting parameters in invoke \"{call}\""))?;
    let mut results = vec![Val::Bool(false); func.results(&*store).len()];
    func.call(&mut *store, &params, &mut results)?;
    println!("{}", DisplayFuncResults(&results));
    Ok(())
}
