//! The `component-structure` target: components of random shape, made
//! the way the toolchains make them. `wit-smith` generates WIT packages
//! (interfaces, worlds, resources with methods and constructors, `use`s
//! across packages, every value type); each world becomes a component
//! through `wit-component`, with a core module whose functions all trap.
//! wazi must load it, a linker must instantiate it with every import
//! stubbed (functions that trap, resources of the host), the instance
//! must export what the world exports, and every exported function whose
//! parameters it can make must be callable: arguments lowered, then the
//! guest's trap reported, never a panic, never a return.

use crate::Outcome;
use arbitrary::Unstructured;
use wazi::component::Val;
use wazi::component::types::Type;

/// What a value generator gives: `None` when the type holds something
/// only a running guest can give (a handle, a future, a stream).
type Made<T> = arbitrary::Result<Option<T>>;

/// The value `$made` made, or `None` from the enclosing generator.
macro_rules! made {
    ($made:expr) => {
        match $made? {
            Some(v) => v,
            None => return Ok(None),
        }
    };
}

/// Random values of `types`, in order.
fn values(
    u: &mut Unstructured<'_>,
    types: impl IntoIterator<Item = Type>,
    depth: u32,
) -> Made<Vec<Val>> {
    let mut out = Vec::new();
    for t in types {
        out.push(made!(value(u, &t, depth + 1)));
    }
    Ok(Some(out))
}

/// A case's payload: none for a case without one.
fn payload(u: &mut Unstructured<'_>, ty: Option<Type>, depth: u32) -> Made<Option<Box<Val>>> {
    Ok(Some(match ty {
        Some(t) => Some(Box::new(made!(value(u, &t, depth + 1)))),
        None => None,
    }))
}

/// A random value of `ty`.
fn value(u: &mut Unstructured<'_>, ty: &Type, depth: u32) -> Made<Val> {
    Ok(Some(match ty {
        Type::Bool => Val::Bool(u.arbitrary()?),
        Type::S8 => Val::S8(u.arbitrary()?),
        Type::U8 => Val::U8(u.arbitrary()?),
        Type::S16 => Val::S16(u.arbitrary()?),
        Type::U16 => Val::U16(u.arbitrary()?),
        Type::S32 => Val::S32(u.arbitrary()?),
        Type::U32 => Val::U32(u.arbitrary()?),
        Type::S64 => Val::S64(u.arbitrary()?),
        Type::U64 => Val::U64(u.arbitrary()?),
        Type::Float32 => Val::Float32(u.arbitrary()?),
        Type::Float64 => Val::Float64(u.arbitrary()?),
        Type::Char => Val::Char(u.arbitrary()?),
        Type::String => Val::String(u.arbitrary()?),
        Type::List(l) => {
            let n = match l.fixed_length() {
                Some(n) => n as usize,
                None if depth > 3 => 0,
                None => u.int_in_range(0..=3)?,
            };
            Val::List(made!(values(u, std::iter::repeat_n(l.ty(), n), depth)))
        }
        Type::Record(r) => {
            let names: Vec<String> = r.fields().map(|f| f.name.to_string()).collect();
            let vals = made!(values(u, r.fields().map(|f| f.ty), depth));
            Val::Record(names.into_iter().zip(vals).collect())
        }
        Type::Tuple(t) => Val::Tuple(made!(values(u, t.types(), depth))),
        Type::Variant(v) => {
            let cases: Vec<_> = v.cases().map(|c| (c.name.to_string(), c.ty)).collect();
            let (name, ty) = cases[u.choose_index(cases.len())?].clone();
            Val::Variant(name, made!(payload(u, ty, depth)))
        }
        Type::Enum(e) => {
            let names: Vec<&str> = e.names().collect();
            Val::Enum(names[u.choose_index(names.len())?].to_string())
        }
        Type::Option(o) => match u.arbitrary()? {
            false => Val::Option(None),
            true => Val::Option(made!(payload(u, Some(o.ty()), depth))),
        },
        Type::Result(r) => {
            let ok: bool = u.arbitrary()?;
            let side = made!(payload(u, if ok { r.ok() } else { r.err() }, depth));
            Val::Result(if ok { Ok(side) } else { Err(side) })
        }
        Type::Flags(f) => {
            let mut set = Vec::new();
            for name in f.names() {
                if u.arbitrary()? {
                    set.push(name.to_string());
                }
            }
            Val::Flags(set)
        }
        _ => return Ok(None),
    }))
}

/// The component a world of the package becomes, as `wasm-tools
/// component new` would make it from a module with trapping functions.
fn world_component(
    resolve: &wit_parser::Resolve,
    world: wit_parser::WorldId,
) -> Result<Vec<u8>, String> {
    let abi = wit_parser::ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync);
    let mut module = wit_component::dummy_module(resolve, world, abi);
    wit_component::embed_component_metadata(
        &mut module,
        resolve,
        world,
        wit_component::StringEncoding::UTF8,
        false,
    )
    .map_err(|e| format!("{e:#}"))?;
    wit_component::ComponentEncoder::default()
        .module(&module)
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| format!("{e:#}"))
}

/// A random WIT package through wazi, each of its worlds as a component.
pub fn component_structure(data: &[u8]) -> Result<Outcome, String> {
    Ok(match structure_reached(data)? {
        Reached { worlds: 0, .. } => Outcome::Skipped("no world encoded"),
        _ => Outcome::Agreed,
    })
}

/// What one input reached.
#[derive(Default)]
struct Reached {
    /// Worlds made into components and instantiated.
    worlds: u32,
    /// Their imports and exports.
    items: u32,
    /// Exported functions called (with the arguments lowered).
    calls: u32,
}

fn structure_reached(data: &[u8]) -> Result<Reached, String> {
    let mut reached = Reached::default();
    let mut u = Unstructured::new(data);
    // Packages with something in them: wit-smith's own ranges start at
    // empty interfaces and worlds, which most inputs then are. The
    // synchronous ABI (the async one is `async-abi`'s).
    let mut config = || -> arbitrary::Result<wit_smith::Config> {
        Ok(wit_smith::Config {
            max_packages: u.int_in_range(1..=4)?,
            max_type_size: u.int_in_range(10..=200)?,
            max_interface_items: u.int_in_range(2..=12)?,
            max_world_items: u.int_in_range(2..=10)?,
            max_type_parts: u.int_in_range(1..=6)?,
            max_resource_items: u.int_in_range(0..=6)?,
            futures: u.arbitrary()?,
            streams: u.arbitrary()?,
            error_context: u.arbitrary()?,
            fixed_length_lists: u.arbitrary()?,
            ..wit_smith::Config::default()
        })
    };
    let Ok(config) = config() else { return Ok(reached) };
    // wit-smith's own failures (it panics on some WIT it makes) are not
    // wazi's.
    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wit_smith::smith(&config, &mut u)
    }));
    let Ok(Ok(package)) = made else { return Ok(reached) };
    let (resolve, pkg) = match wit_component::decode(&package) {
        Ok(wit_component::DecodedWasm::WitPackage(resolve, pkg)) => (resolve, pkg),
        _ => return Ok(reached),
    };
    let engine = wazi::Engine::default();
    for &world in resolve.packages[pkg].worlds.values() {
        let Ok(bytes) = world_component(&resolve, world) else { continue };
        let component = wazi::component::Component::new(&engine, &bytes)
            .map_err(|e| format!("wazi refused a valid component: {e:#}"))?;
        let mut linker = wazi::component::Linker::<()>::new(&engine);
        linker
            .define_unknown_imports_as_traps(&component)
            .map_err(|e| format!("stubbing the imports failed: {e:#}"))?;
        let mut store = wazi::Store::new(&engine, ());
        let mut instance = linker
            .instantiate(&mut store, &component)
            .map_err(|e| format!("instantiation with stubbed imports failed: {e:#}"))?;
        let w = &resolve.worlds[world];
        reached.worlds += 1;
        reached.items += (w.imports.len() + w.exports.len()) as u32;
        // What the world exports, the instance exports; every function
        // traps in the guest once its arguments are lowered.
        for (key, item) in &resolve.worlds[world].exports {
            let name = resolve.name_world_key(key);
            let Some(mut export) = instance.get_export_index(&store, None, &name) else {
                return Err(format!("the instance does not export `{name}`"));
            };
            let funcs: Vec<String> = match item {
                wit_parser::WorldItem::Function(_) => vec![String::new()],
                wit_parser::WorldItem::Interface { id, .. } => {
                    resolve.interfaces[*id].functions.keys().cloned().collect()
                }
                wit_parser::WorldItem::Type { .. } => Vec::new(),
            };
            for f in funcs {
                let func = if f.is_empty() {
                    instance.get_func(&store, &export)
                } else {
                    let Some(i) = instance.get_export_index(&store, Some(&export), &f) else {
                        return Err(format!("`{name}` does not export `{f}`"));
                    };
                    instance.get_func(&store, &i)
                };
                let func = func.ok_or_else(|| format!("`{name}` `{f}` is not a function"))?;
                let mut args = Vec::new();
                for (_, ty) in func.params(&store) {
                    match value(&mut u, &ty, 0) {
                        Ok(Some(v)) => args.push(v),
                        _ => break,
                    }
                }
                if args.len() != func.params(&store).len() {
                    continue;
                }
                reached.calls += 1;
                let mut results = vec![Val::Bool(false); func.results(&store).len()];
                if func.call(&mut store, &args, &mut results).is_ok() {
                    return Err(format!("`{name}` `{f}` returned, but its body traps"));
                }
                // A trap leaves the instance unusable: the next call gets a
                // fresh one, so that it too gets as far as lowering.
                store = wazi::Store::new(&engine, ());
                instance = linker
                    .instantiate(&mut store, &component)
                    .map_err(|e| format!("instantiating again failed: {e:#}"))?;
                export = instance
                    .get_export_index(&store, None, &name)
                    .ok_or_else(|| format!("the instance does not export `{name}`"))?;
            }
        }
    }
    Ok(reached)
}

#[cfg(test)]
mod reach {
    /// The random packages make components with many imports and exports,
    /// and their exported functions get called.
    #[test]
    fn structures_reach_far() {
        let mut rng = crate::Rng(5);
        let mut total = super::Reached::default();
        for _ in 0..500 {
            let r = super::structure_reached(&rng.input()).unwrap();
            total.worlds += r.worlds;
            total.items += r.items;
            total.calls += r.calls;
        }
        let super::Reached { worlds, items, calls } = total;
        // wit-smith adds each world item with even odds, so most worlds
        // are small; this seed gives 872 worlds, 451 items, 83 calls.
        assert!(worlds >= 400 && items >= 250 && calls >= 40, "{worlds} {items} {calls}");
    }
}
