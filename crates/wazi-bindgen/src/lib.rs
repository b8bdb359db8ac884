//! Host bindings for wazi generated from WIT.
//!
//! [`generate`] reads a WIT package directory (with its `deps/`) and, for
//! every interface a world imports, writes Rust source with:
//!
//! - the interface's types: records, variants, enums and flags through
//!   wazi's `component_*!` macros, type aliases for the rest, resources
//!   as the host types [`Options::with`] names;
//! - `NAME`, the interface's name with its package version;
//! - a `Host<T>` trait with one method per function (resource methods
//!   prefixed with the resource's name, `{resource}_drop` for each
//!   resource's destructor, by default [`Options::drop_with`]'s), taking
//!   the store;
//! - `add_to_linker(linker, host)`, which defines each function in a
//!   [`Linker`](https://docs.rs/wazi) instance typed by the trait's
//!   signatures: synchronous functions through `func_wrap`, `async` ones
//!   through `func_wrap_concurrent` (their methods give a `HostAsync`:
//!   the result at once, or a call that goes on).
//!
//! The host logic stays hand-written, in the trait's implementations. The
//! output is meant for `include!` from a build script's `OUT_DIR`.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner,
    WorldItem, WorldKey,
};

/// What [`generate`] is told besides the WIT.
#[derive(Default)]
pub struct Options {
    /// The Rust type standing for each resource, keyed by
    /// `namespace:package/interface/resource` (no version), e.g.
    /// `wasi:io/streams/input-stream` -> `crate::p2::io::InputStream`;
    /// other named types given here are used instead of generated ones
    /// (they must have the same shape, which linking checks).
    pub with: BTreeMap<String, String>,
    /// A trait (a path, generic over the store's data `T`) with a method
    /// `fn drop_resource<R: 'static>(&self, store: StoreContextMut<'_, T>,
    /// it: Resource<R>) -> anyhow::Result<()>`: when given, it is a
    /// supertrait of every `Host` with resources, and their `*_drop`
    /// methods call it unless overridden.
    pub drop_with: Option<String>,
}

/// Generated source, and the files it was generated from (for
/// `cargo:rerun-if-changed`).
pub struct Bindings {
    pub source: String,
    pub files: Vec<PathBuf>,
}

/// Generates host bindings for the imports of `world` in the WIT package
/// at `dir`.
pub fn generate(dir: &Path, world: &str, opts: &Options) -> Result<Bindings> {
    let mut resolve = Resolve::default();
    let (pkg, sources) = resolve.push_dir(dir)?;
    let world = resolve.select_world(&[pkg], Some(world))?;
    let mut g = Gen { resolve: &resolve, opts, out: String::new() };
    let mut ifaces = Vec::new();
    for (key, item) in &resolve.worlds[world].imports {
        match (key, item) {
            (WorldKey::Interface(_), WorldItem::Interface { id, .. }) => ifaces.push(*id),
            (_, WorldItem::Type { .. }) => {}
            _ => bail!(
                "world `{}`: only imports of named interfaces are supported",
                world_name(&resolve, world)
            ),
        }
    }
    // Modules nest as `namespace::package::interface`.
    let mut tree: BTreeMap<String, BTreeMap<String, Vec<InterfaceId>>> = BTreeMap::new();
    for &id in &ifaces {
        let p = &resolve.packages
            [resolve.interfaces[id].package.context("interface without package")?];
        tree.entry(p.name.namespace.clone())
            .or_default()
            .entry(p.name.name.clone())
            .or_default()
            .push(id);
    }
    for (ns, pkgs) in &tree {
        writeln!(g.out, "pub mod {} {{", snake(ns))?;
        for (pkg, ids) in pkgs {
            writeln!(g.out, "pub mod {} {{", snake(pkg))?;
            for &id in ids {
                g.interface(id).with_context(|| format!("interface {}", g.iface_name(id)))?;
            }
            writeln!(g.out, "}}")?;
        }
        writeln!(g.out, "}}")?;
    }
    g.world(&ifaces)?;
    let files = sources.paths().map(Path::to_path_buf).collect();
    Ok(Bindings { source: g.out, files })
}

fn world_name(resolve: &Resolve, id: wit_parser::WorldId) -> String {
    resolve.worlds[id].name.clone()
}

struct Gen<'a> {
    resolve: &'a Resolve,
    opts: &'a Options,
    out: String,
}

impl Gen<'_> {
    /// `namespace:package/interface@version`.
    fn iface_name(&self, id: InterfaceId) -> String {
        let i = &self.resolve.interfaces[id];
        let p = &self.resolve.packages[i.package.unwrap()];
        let mut s =
            format!("{}:{}/{}", p.name.namespace, p.name.name, i.name.as_deref().unwrap_or("?"));
        if let Some(v) = &p.name.version {
            write!(s, "@{v}").unwrap();
        }
        s
    }

    /// The module path of an interface, from inside another's module.
    fn iface_path(&self, id: InterfaceId) -> String {
        let i = &self.resolve.interfaces[id];
        let p = &self.resolve.packages[i.package.unwrap()];
        format!(
            "super::super::super::{}::{}::{}",
            snake(&p.name.namespace),
            snake(&p.name.name),
            snake(i.name.as_deref().unwrap_or("?"))
        )
    }

    /// Follows aliases (`use` and `type x = y`) to the defining type.
    fn original(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        id
    }

    /// The `with` key of a resource: `ns:pkg/iface/name`.
    fn resource_key(&self, id: TypeId) -> Result<String> {
        let t = &self.resolve.types[id];
        let TypeOwner::Interface(owner) = t.owner else { bail!("a resource outside an interface") };
        let i = &self.resolve.interfaces[owner];
        let p = &self.resolve.packages[i.package.unwrap()];
        Ok(format!(
            "{}:{}/{}/{}",
            p.name.namespace,
            p.name.name,
            i.name.as_deref().unwrap_or("?"),
            t.name.as_deref().unwrap_or("?")
        ))
    }

    /// The Rust type [`Options::with`] gives a named type defined here.
    fn with_ty(&self, id: TypeId) -> Option<String> {
        let t = &self.resolve.types[id];
        if matches!(t.kind, TypeDefKind::Type(_)) {
            return None;
        }
        self.opts.with.get(&self.resource_key(id).ok()?).cloned()
    }

    fn resource_ty(&self, id: TypeId) -> Result<String> {
        let id = self.original(id);
        let key = self.resource_key(id)?;
        match self.opts.with.get(&key) {
            Some(path) => Ok(path.clone()),
            None => bail!("no Rust type given for resource `{key}` (add it to `Options::with`)"),
        }
    }

    /// The Rust type of a WIT type.
    fn ty(&self, ty: &Type) -> Result<String> {
        Ok(match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::U16 => "u16".into(),
            Type::U32 => "u32".into(),
            Type::U64 => "u64".into(),
            Type::S8 => "i8".into(),
            Type::S16 => "i16".into(),
            Type::S32 => "i32".into(),
            Type::S64 => "i64".into(),
            Type::F32 => "f32".into(),
            Type::F64 => "f64".into(),
            Type::Char => "char".into(),
            Type::String => "String".into(),
            Type::ErrorContext => bail!("`error-context` is not supported by the bindings yet"),
            Type::Id(id) => self.ty_id(*id)?,
        })
    }

    fn ty_id(&self, id: TypeId) -> Result<String> {
        let t = &self.resolve.types[id];
        if let Some(name) = &t.name {
            if let TypeDefKind::Resource = t.kind {
                return self.resource_ty(id);
            }
            if let Some(path) = self.with_ty(id) {
                return Ok(path);
            }
            let TypeOwner::Interface(owner) = t.owner else {
                bail!("type `{name}` outside an interface")
            };
            return Ok(format!("{}::{}", self.iface_path(owner), camel(name)));
        }
        Ok(match &t.kind {
            TypeDefKind::Option(t) => format!("Option<{}>", self.ty(t)?),
            TypeDefKind::Result(r) => {
                format!("Result<{}, {}>", self.opt_ty(r.ok.as_ref())?, self.opt_ty(r.err.as_ref())?)
            }
            TypeDefKind::List(t) => format!("Vec<{}>", self.ty(t)?),
            TypeDefKind::Tuple(t) => {
                let mut s = String::from("(");
                for t in &t.types {
                    write!(s, "{}, ", self.ty(t)?)?;
                }
                s + ")"
            }
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => {
                format!("wazi::component::Resource<{}>", self.resource_ty(*r)?)
            }
            TypeDefKind::Future(_) => "wazi::component::FutureAny".into(),
            TypeDefKind::Stream(_) => "wazi::component::StreamAny".into(),
            TypeDefKind::Type(t) => self.ty(t)?,
            k => bail!("an anonymous `{}` is not supported by the bindings yet", k.as_str()),
        })
    }

    fn opt_ty(&self, t: Option<&Type>) -> Result<String> {
        t.map_or(Ok("()".into()), |t| self.ty(t))
    }

    /// Whether values of `ty` hold a handle (and so are neither `Clone`
    /// nor comparable).
    fn has_handle(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else { return false };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Handle(_) | TypeDefKind::Resource => true,
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.has_handle(&f.ty)),
            TypeDefKind::Variant(v) => {
                v.cases.iter().any(|c| c.ty.as_ref().is_some_and(|t| self.has_handle(t)))
            }
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.has_handle(t)),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => {
                self.has_handle(t)
            }
            TypeDefKind::Result(r) => {
                r.ok.as_ref().is_some_and(|t| self.has_handle(t))
                    || r.err.as_ref().is_some_and(|t| self.has_handle(t))
            }
            _ => false,
        }
    }

    fn interface(&mut self, id: InterfaceId) -> Result<()> {
        let iface = &self.resolve.interfaces[id];
        let name = iface.name.clone().context("an anonymous interface")?;
        writeln!(self.out, "/// `{}`.", self.iface_name(id))?;
        writeln!(self.out, "#[allow(dead_code, clippy::all)]")?;
        writeln!(self.out, "pub mod {} {{", snake(&name))?;
        writeln!(self.out, "use wazi::StoreContextMut;")?;
        writeln!(self.out, "/// The interface's name, with its version.")?;
        writeln!(self.out, "pub const NAME: &str = \"{}\";", self.iface_name(id))?;
        let mut resources = Vec::new();
        for (tname, &tid) in &iface.types {
            self.typedef(tname, tid, &mut resources)?;
        }
        // The trait.
        writeln!(self.out, "/// The host's side of `{}`.", self.iface_name(id))?;
        let (bound, default) = match &self.opts.drop_with {
            Some(t) if !resources.is_empty() => (
                format!(" + {t}<T>"),
                format!(" {{ <Self as {t}<T>>::drop_resource(self, store, it) }}"),
            ),
            _ => (String::new(), ";".to_string()),
        };
        writeln!(self.out, "pub trait Host<T: 'static>: Copy + Send + Sync + 'static{bound} {{")?;
        for (rname, rid) in &resources {
            writeln!(
                self.out,
                "/// Drops the host's `{rname}` when the guest drops its handle.\n\
                 fn {}_drop(&self, store: StoreContextMut<'_, T>, it: wazi::component::Resource<{}>) -> anyhow::Result<()>{default}",
                snake(rname),
                self.resource_ty(*rid)?
            )?;
        }
        let funcs: Vec<&Function> = iface.functions.values().collect();
        for f in &funcs {
            let sig = self.signature(f)?;
            if let Some(d) = summary(f.docs.contents.as_deref()) {
                writeln!(self.out, "/// {d}")?;
            }
            writeln!(
                self.out,
                "fn {}(&self, store: StoreContextMut<'_, T>{}) -> anyhow::Result<{}>;",
                sig.method, sig.params, sig.ret
            )?;
        }
        writeln!(self.out, "}}")?;
        // Registration.
        writeln!(self.out, "/// Defines `{}` in `linker`, calling `host`.", self.iface_name(id))?;
        writeln!(
            self.out,
            "pub fn add_to_linker<T: 'static, H: Host<T>>(linker: &mut wazi::component::Linker<T>, host: H) -> anyhow::Result<()> {{"
        )?;
        writeln!(self.out, "let mut i = linker.instance(NAME)?;")?;
        writeln!(self.out, "let _ = (&mut i, host);")?;
        for (rname, rid) in &resources {
            writeln!(
                self.out,
                "i.resource(\"{rname}\", wazi::component::ResourceType::host::<{ty}>(), move |s, rep| {{ \
                 <H as Host<T>>::{m}_drop(&host, s, wazi::component::Resource::new_own(rep)) }})?;",
                ty = self.resource_ty(*rid)?,
                m = snake(rname)
            )?;
        }
        for f in &funcs {
            let sig = self.signature(f)?;
            let call = format!("<H as Host<T>>::{}(&host, s, {})", sig.method, sig.args);
            let (rty, rval) = match (&f.result, sig.is_async) {
                (Some(_), false) => (format!("({},)", sig.result), format!("Ok(({call}?,))")),
                (None, false) => ("()".into(), call),
                (Some(_), true) => (
                    format!("wazi::component::HostAsync<T, ({},)>", sig.result),
                    format!("Ok({call}?.map(|r| (r,)))"),
                ),
                (None, true) => ("wazi::component::HostAsync<T, ()>".into(), call),
            };
            let wrap = if sig.is_async { "func_wrap_concurrent" } else { "func_wrap" };
            writeln!(
                self.out,
                "i.{wrap}(\"{}\", move |s: StoreContextMut<'_, T>, ({}): ({})| -> anyhow::Result<{rty}> {{ {rval} }})?;",
                f.name, sig.args, sig.param_tys
            )?;
        }
        writeln!(self.out, "Ok(())\n}}")?;
        writeln!(self.out, "}}")?;
        Ok(())
    }

    fn typedef(
        &mut self,
        tname: &str,
        tid: TypeId,
        resources: &mut Vec<(String, TypeId)>,
    ) -> Result<()> {
        let t = &self.resolve.types[tid];
        let rust = camel(tname);
        let doc = summary(t.docs.contents.as_deref()).unwrap_or_else(|| format!("`{tname}`."));
        if let Some(path) = self.with_ty(tid)
            && !matches!(t.kind, TypeDefKind::Resource)
        {
            writeln!(self.out, "/// {doc}\npub use {path} as {rust};")?;
            return Ok(());
        }
        match &t.kind {
            TypeDefKind::Resource => resources.push((tname.to_string(), tid)),
            TypeDefKind::Type(Type::Id(other))
                if matches!(
                    self.resolve.types[self.original(*other)].kind,
                    TypeDefKind::Resource
                ) =>
            {
                // A `use`d resource: its handles name the host type.
            }
            TypeDefKind::Record(r) => {
                let copyable = !r.fields.iter().any(|f| self.has_handle(&f.ty));
                writeln!(
                    self.out,
                    "wazi::component_record! {{\n/// {doc}\n{}\npub struct {rust} {{",
                    derives(copyable)
                )?;
                for f in &r.fields {
                    writeln!(self.out, "pub {}: {},", field(&f.name), self.ty(&f.ty)?)?;
                }
                writeln!(self.out, "}}\n}}")?;
            }
            TypeDefKind::Variant(v) => {
                let copyable =
                    !v.cases.iter().any(|c| c.ty.as_ref().is_some_and(|t| self.has_handle(t)));
                writeln!(
                    self.out,
                    "wazi::component_variant! {{\n/// {doc}\n{}\npub enum {rust} {{",
                    derives(copyable)
                )?;
                for c in &v.cases {
                    let case = case(&c.name)?;
                    match &c.ty {
                        Some(t) => writeln!(self.out, "{case}({}),", self.ty(t)?)?,
                        None => writeln!(self.out, "{case},")?,
                    }
                }
                writeln!(self.out, "}}\n}}")?;
            }
            TypeDefKind::Enum(e) => {
                writeln!(
                    self.out,
                    "wazi::component_enum! {{\n/// {doc}\n#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum {rust} {{"
                )?;
                for c in &e.cases {
                    writeln!(self.out, "{},", case(&c.name)?)?;
                }
                writeln!(self.out, "}}\n}}")?;
            }
            TypeDefKind::Flags(f) => {
                writeln!(self.out, "wazi::component_flags! {{\n/// {doc}\npub struct {rust} {{")?;
                for fl in &f.flags {
                    writeln!(self.out, "{},", field(&fl.name))?;
                }
                writeln!(self.out, "}}\n}}")?;
            }
            TypeDefKind::Type(ty) => {
                writeln!(self.out, "/// {doc}\npub type {rust} = {};", self.ty(ty)?)?
            }
            TypeDefKind::Option(_)
            | TypeDefKind::Result(_)
            | TypeDefKind::List(_)
            | TypeDefKind::Tuple(_)
            | TypeDefKind::Handle(_)
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_) => {
                // A named anonymous type: an alias of its structure.
                let mut anon = t.clone();
                anon.name = None;
                let s = self.anon(&anon.kind)?;
                writeln!(self.out, "/// {doc}\npub type {rust} = {s};")?;
            }
            k => bail!("type `{tname}`: a `{}` is not supported by the bindings yet", k.as_str()),
        }
        Ok(())
    }

    fn anon(&self, kind: &TypeDefKind) -> Result<String> {
        Ok(match kind {
            TypeDefKind::Option(t) => format!("Option<{}>", self.ty(t)?),
            TypeDefKind::Result(r) => {
                format!("Result<{}, {}>", self.opt_ty(r.ok.as_ref())?, self.opt_ty(r.err.as_ref())?)
            }
            TypeDefKind::List(t) => format!("Vec<{}>", self.ty(t)?),
            TypeDefKind::Tuple(t) => {
                let tys: Result<Vec<_>> = t.types.iter().map(|t| self.ty(t)).collect();
                format!("({},)", tys?.join(", "))
            }
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => {
                format!("wazi::component::Resource<{}>", self.resource_ty(*r)?)
            }
            TypeDefKind::Future(_) => "wazi::component::FutureAny".into(),
            TypeDefKind::Stream(_) => "wazi::component::StreamAny".into(),
            k => bail!("a `{}` is not supported here", k.as_str()),
        })
    }

    fn signature(&self, f: &Function) -> Result<Sig> {
        let (method, is_async) = match &f.kind {
            FunctionKind::Freestanding => (snake(&f.name), false),
            FunctionKind::AsyncFreestanding => (snake(&f.name), true),
            FunctionKind::Method(_) | FunctionKind::Static(_) => {
                (snake(&method_name(&f.name)), false)
            }
            FunctionKind::AsyncMethod(_) | FunctionKind::AsyncStatic(_) => {
                (snake(&method_name(&f.name)), true)
            }
            FunctionKind::Constructor(_) => {
                (format!("{}_new", snake(&method_name(&f.name))), false)
            }
            k => bail!("function `{}`: a {k:?} is not supported by the bindings yet", f.name),
        };
        let mut sig = Sig { method, is_async, ..Sig::default() };
        for p in &f.params {
            let name = param(&p.name);
            let ty = self.ty(&p.ty)?;
            write!(sig.params, ", {name}: {ty}")?;
            write!(sig.args, "{name}, ")?;
            write!(sig.param_tys, "{ty}, ")?;
        }
        sig.result = self.opt_ty(f.result.as_ref())?;
        sig.ret = if is_async {
            format!("wazi::component::HostAsync<T, {}>", sig.result)
        } else {
            sig.result.clone()
        };
        Ok(sig)
    }

    fn world(&mut self, ifaces: &[InterfaceId]) -> Result<()> {
        let paths: Vec<String> = ifaces
            .iter()
            .map(|&id| self.iface_path(id).replace("super::super::super::", ""))
            .collect();
        writeln!(self.out, "/// Every interface's name, with its version.")?;
        writeln!(self.out, "pub const INTERFACES: &[&str] = &[")?;
        for p in &paths {
            writeln!(self.out, "{p}::NAME,")?;
        }
        writeln!(self.out, "];")?;
        Ok(())
    }
}

#[derive(Default)]
struct Sig {
    method: String,
    is_async: bool,
    /// `, a: A, b: B`
    params: String,
    /// `a, b, `
    args: String,
    /// `A, B, `
    param_tys: String,
    /// The Rust type of the function's result (`()` without one).
    result: String,
    /// What the trait's method returns (in `anyhow::Result`).
    ret: String,
}

/// The first paragraph of a WIT doc comment, on one line.
fn summary(docs: Option<&str>) -> Option<String> {
    let para: Vec<&str> = docs?.lines().map(str::trim).take_while(|l| !l.is_empty()).collect();
    (!para.is_empty()).then(|| para.join(" "))
}

fn derives(copyable: bool) -> &'static str {
    if copyable { "#[derive(Debug, Clone)]" } else { "#[derive(Debug)]" }
}

/// `[method]r.do-it` -> `r.do-it` -> `r-do-it`; `[constructor]r` -> `r`.
fn method_name(name: &str) -> String {
    let rest = name.split_once(']').map_or(name, |(_, r)| r);
    rest.replace('.', "-")
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "yield", "abstract", "become", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "gen",
];

fn snake(s: &str) -> String {
    s.to_lowercase().replace('-', "_")
}

fn field(s: &str) -> String {
    let s = snake(s);
    if KEYWORDS.contains(&s.as_str()) { format!("r#{s}") } else { s }
}

fn param(s: &str) -> String {
    match s {
        "self" => "self_".into(),
        s => field(s),
    }
}

fn camel(s: &str) -> String {
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => {
                    f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect::<String>()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// A case name, checked to map back to the WIT name as wazi's macros
/// compare them (`CamelCase` to `kebab-case`, ignoring ASCII case).
fn case(s: &str) -> Result<String> {
    let c = camel(s);
    let mut back = String::new();
    for (i, ch) in c.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            back.push('-');
        }
        back.extend(ch.to_lowercase());
    }
    if !back.eq_ignore_ascii_case(s) {
        bail!("case `{s}` has no Rust name that maps back to it");
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_as_the_macros_compare_them() {
        assert_eq!(camel("would-block"), "WouldBlock");
        assert_eq!(case("HTTP-request-URI-too-long").unwrap(), "HttpRequestUriTooLong");
        assert!(case("http-1-1").is_err());
        assert_eq!(field("type"), "r#type");
        assert_eq!(param("self"), "self_");
        assert_eq!(method_name("[method]descriptor.read-via-stream"), "descriptor-read-via-stream");
        assert_eq!(method_name("[constructor]fields"), "fields");
    }
}

#[cfg(test)]
mod generate_tests {
    use super::*;

    /// A package of every kind of type and function the generator
    /// handles, in a fresh directory.
    fn package(dir: &Path) {
        std::fs::write(
            dir.join("t.wit"),
            r#"package t:t@1.2.3;
interface types {
  resource thing {
    constructor(n: u32);
    get: func() -> u32;
    merge: static func(a: own<thing>, b: borrow<thing>) -> thing;
    wait: async func(ms: u64) -> result<string, code>;
  }
  record point { x: s32, y: s32, %type: u8 }
  variant code { io, other(option<string>), HTTP-request-denied }
  enum color { red, dark-green }
  flags perms { read, write-all }
  type pair = tuple<u8, point>;
  sum: func(p: list<point>, c: color, f: perms) -> option<pair>;
  pipe: func(s: stream<u8>) -> future<result<_, code>>;
  sleep: async func(ms: u64);
}
interface user {
  use types.{thing, point};
  take: func(t: borrow<thing>, p: point);
}
world w { import user; }
"#,
        )
        .unwrap();
    }

    fn with() -> Options {
        let with = BTreeMap::from([("t:t/types/thing".to_string(), "crate::Thing".to_string())]);
        Options { with, drop_with: None }
    }

    #[test]
    fn every_function_is_registered_with_its_type() {
        let dir = tempfile::tempdir().unwrap();
        package(dir.path());
        let b = generate(dir.path(), "w", &with()).unwrap();
        let src = &b.source;
        // `user` pulls in `types`; both are defined, with their versions.
        assert!(src.contains(r#"pub const NAME: &str = "t:t/types@1.2.3";"#), "{src}");
        assert!(src.contains(r#"pub const NAME: &str = "t:t/user@1.2.3";"#));
        for name in [
            "[constructor]thing",
            "[method]thing.get",
            "[static]thing.merge",
            "sum",
            "pipe",
            "take",
        ] {
            assert!(src.contains(&format!("i.func_wrap(\"{name}\"")), "{name} in {src}");
        }
        for name in ["[method]thing.wait", "sleep"] {
            assert!(src.contains(&format!("i.func_wrap_concurrent(\"{name}\"")), "{name}");
        }
        assert!(src.contains("fn thing_drop("));
        assert!(src.contains("fn thing_new(&self, store: StoreContextMut<'_, T>, n: u32)"));
        assert!(src.contains("-> anyhow::Result<wazi::component::HostAsync<T, ()>>;"));
        assert!(src.contains("pub r#type: u8,"));
        assert!(src.contains("HttpRequestDenied,"));
        assert!(src.contains("DarkGreen,"));
        assert!(src.contains("write_all,"));
        assert!(src.contains("wazi::component::StreamAny"));
        assert!(src.contains("wazi::component::Resource<crate::Thing>"));
        assert_eq!(b.files.len(), 1);
    }

    #[test]
    fn destructors_default_to_the_drop_with_trait() {
        let dir = tempfile::tempdir().unwrap();
        package(dir.path());
        let opts = Options { drop_with: Some("crate::Drops".into()), ..with() };
        let src = generate(dir.path(), "w", &opts).unwrap().source;
        // `types` has a resource: its trait requires the drop trait and
        // its destructor defaults to it; `user` has none.
        assert!(src.contains(
            "pub trait Host<T: 'static>: Copy + Send + Sync + 'static + crate::Drops<T> {"
        ));
        assert!(src.contains("{ <Self as crate::Drops<T>>::drop_resource(self, store, it) }"));
        assert!(src.contains("pub trait Host<T: 'static>: Copy + Send + Sync + 'static {"));
    }

    #[test]
    fn a_resource_without_a_rust_type_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        package(dir.path());
        let err = generate(dir.path(), "w", &Options::default()).err().unwrap();
        let msg = format!("{err:#}");
        assert!(msg.contains("no Rust type given for resource `t:t/types/thing`"), "{msg}");
    }
}
