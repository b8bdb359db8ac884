//! Runs `.wast` scripts (the WebAssembly spec test format) on wazi.
//!
//! One runner serves `wazi wast` and the test suite. A script stops at its
//! first failed directive; the error names the file, line and column and
//! what differed.

#![forbid(unsafe_code)]

mod component;
mod spectest;

use anyhow::{Context, Result, anyhow, bail};
use std::collections::HashMap;
use std::path::Path;
use wast::core::{NanPattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};
use wazi::component::{self as cm, Component};
use wazi::{
    AnyKind, AnyRef, Config, Engine, ExternRef, Instance, Linker, Module, Store, Trap, Val,
};

/// Counts of what a script did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Directives run (all of them passed).
    pub directives: usize,
    /// Directives not run because the caller excluded them.
    pub skipped: usize,
}

/// The state of a running script: a store, named instances, and the
/// `spectest` module.
pub struct WastContext {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently defined instance, target of unnamed invokes.
    current: Option<Current>,
    instances: HashMap<String, Current>,
    definitions: HashMap<String, Definition>,
    component_linker: cm::Linker<()>,
    /// Component instances, each in its own store (a trap poisons only
    /// its own).
    components: Vec<(Store<()>, cm::Instance)>,
    /// `ref.extern N` values, interned so equal numbers are equal refs.
    externs: HashMap<u32, ExternRef>,
}

/// What running an `invoke`, `get` or module directive produced.
enum Outcome {
    Values(Vec<Val>),
    Component(Vec<cm::Val>),
    Error(anyhow::Error),
}

/// An instance a script can invoke.
#[derive(Clone, Copy)]
enum Current {
    Core(Instance),
    /// Index into `WastContext::components`.
    Component(usize),
}

/// A compiled module or component.
#[derive(Clone)]
enum Definition {
    Module(Module),
    Component(Component),
}

impl WastContext {
    /// A context whose engine uses `config`, with `spectest` registered.
    pub fn new(config: &Config) -> Result<WastContext> {
        let engine = Engine::new(config)?;
        let mut store = Store::new(&engine, ());
        // With fuel metering on, scripts run with (practically) unlimited fuel.
        if config_consumes_fuel(&engine) {
            store.set_fuel(u64::MAX)?;
        }
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        spectest::define(&mut linker, &mut store)?;
        let component_linker = cm::Linker::new(&engine);
        Ok(WastContext {
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            component_linker,
            components: Vec::new(),
            externs: HashMap::new(),
        })
    }

    /// Runs the script in file `path`.
    pub fn run_file(&mut self, path: &Path) -> Result<Summary> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        self.run_buffer(&path.display().to_string(), &text)
    }

    /// Runs the script `text`, named `filename` in messages.
    pub fn run_buffer(&mut self, filename: &str, text: &str) -> Result<Summary> {
        self.run_buffer_skipping(filename, text, |_| false)
    }

    /// Runs the script `text`, leaving out the directives that start on a
    /// (1-based) line for which `skip` returns true.
    pub fn run_buffer_skipping(
        &mut self,
        filename: &str,
        text: &str,
        skip: impl Fn(usize) -> bool,
    ) -> Result<Summary> {
        let mut lexer = Lexer::new(text);
        lexer.allow_confusing_unicode(true);
        let buf = ParseBuffer::new_with_lexer(lexer).map_err(|mut e| {
            e.set_path(Path::new(filename));
            e.set_text(text);
            anyhow!("{e}")
        })?;
        let wast = parser::parse::<Wast<'_>>(&buf).map_err(|mut e| {
            e.set_path(Path::new(filename));
            e.set_text(text);
            anyhow!("{e}")
        })?;
        let mut summary = Summary::default();
        for directive in wast.directives {
            let span = directive.span();
            let (line, col) = span.linecol_in(text);
            if skip(line + 1) {
                summary.skipped += 1;
                continue;
            }
            self.directive(directive).with_context(|| {
                format!("{filename}:{}:{}: directive failed", line + 1, col + 1)
            })?;
            summary.directives += 1;
        }
        Ok(summary)
    }

    fn directive(&mut self, d: WastDirective<'_>) -> Result<()> {
        use WastDirective as D;
        match d {
            D::Module(mut module) => {
                let (name, bytes) = quote_bytes(&mut module)?;
                let module = self.compile(&bytes)?;
                let instance = self.instantiate(&module)?;
                self.define_instance(name, instance);
            }
            D::ModuleDefinition(mut module) => {
                let (name, bytes) = quote_bytes(&mut module)?;
                let module = self.compile(&bytes)?;
                if let Some(name) = name {
                    self.definitions.insert(name, module);
                }
            }
            D::ModuleInstance { instance, module, .. } => {
                let def = module.context("module instance without a module name")?.name();
                let module = self
                    .definitions
                    .get(def)
                    .with_context(|| format!("no module definition named `{def}`"))?
                    .clone();
                let inst = self.instantiate(&module)?;
                self.define_instance(instance.map(|i| i.name().to_string()), inst);
            }
            D::Register { name, module, .. } => match self.instance(module.map(|m| m.name()))? {
                Current::Core(inst) => {
                    self.linker.instance(&mut self.store, name, inst)?;
                }
                Current::Component(_) => bail!("registering component instances is not supported"),
            },
            D::Invoke(invoke) => {
                if let Outcome::Error(e) = self.invoke(&invoke)? {
                    return Err(e.context("invoke failed"));
                }
            }
            D::AssertReturn { exec, results, .. } => match self.execute(exec)? {
                Outcome::Values(values) => self.check_results(&values, &results)?,
                Outcome::Component(values) => {
                    if values.len() != results.len() {
                        bail!("expected {} results, got {values:?}", results.len());
                    }
                    for (v, e) in values.iter().zip(&results) {
                        component::check(v, e)?;
                    }
                }
                Outcome::Error(e) => bail!("expected a return, got an error: {e:?}"),
            },
            D::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Outcome::Values(values) => {
                    bail!("expected a trap ({message}), got the values {values:?}")
                }
                Outcome::Component(values) => {
                    bail!("expected a trap ({message}), got the values {values:?}")
                }
                Outcome::Error(e) => check_error_message(&e, message)?,
            },
            D::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Outcome::Values(_) | Outcome::Component(_) => {
                    bail!("expected stack exhaustion, got a return")
                }
                Outcome::Error(e) => {
                    if e.downcast_ref::<Trap>() != Some(&Trap::StackOverflow) {
                        bail!("expected stack exhaustion ({message}), got: {e:?}");
                    }
                }
            },
            D::AssertInvalid { mut module, message, .. }
            | D::AssertMalformed { mut module, message, .. } => {
                let result = quote_bytes(&mut module).and_then(|(_, bytes)| self.compile(&bytes));
                if result.is_ok() {
                    bail!("expected the module to fail to load ({message}), but it loaded");
                }
            }
            D::AssertUnlinkable { module, message, .. } => {
                let mut module = QuoteWat::Wat(module);
                let (_, bytes) = quote_bytes(&mut module)?;
                let module = self.compile(&bytes)?;
                if self.instantiate(&module).is_ok() {
                    bail!("expected the module to fail to link ({message}), but it linked");
                }
            }
            D::AssertInvalidCustom { .. } | D::AssertMalformedCustom { .. } => {
                bail!("custom-section assertions are not supported")
            }
            D::AssertException { exec, .. } => match self.execute(exec)? {
                Outcome::Values(values) => {
                    bail!("expected an exception, got the values {values:?}")
                }
                Outcome::Component(values) => {
                    bail!("expected an exception, got the values {values:?}")
                }
                Outcome::Error(e) => {
                    if !e.root_cause().is::<wazi::ThrownException>() {
                        bail!("expected an exception, got: {e:?}");
                    }
                    if self.store.take_pending_exception().is_none() {
                        bail!("an exception was thrown but none is pending");
                    }
                }
            },
            D::AssertSuspension { .. } => {
                bail!(
                    "assert_suspension needs the stack-switching proposal, which is not supported"
                )
            }
            D::Thread(_) | D::Wait { .. } => {
                bail!("threads in scripts need the threads proposal, which is not supported")
            }
        }
        Ok(())
    }

    fn compile(&self, bytes: &[u8]) -> Result<Definition> {
        Ok(if cm::is_component(bytes) {
            Definition::Component(Component::from_binary(&self.engine, bytes)?)
        } else {
            Definition::Module(Module::from_binary(&self.engine, bytes)?)
        })
    }

    fn instantiate(&mut self, def: &Definition) -> Result<Current> {
        Ok(match def {
            Definition::Module(m) => Current::Core(self.linker.instantiate(&mut self.store, m)?),
            Definition::Component(c) => {
                let mut store = Store::new(&self.engine, ());
                if config_consumes_fuel(&self.engine) {
                    store.set_fuel(u64::MAX)?;
                }
                let inst = self.component_linker.instantiate(&mut store, c)?;
                self.components.push((store, inst));
                Current::Component(self.components.len() - 1)
            }
        })
    }

    fn define_instance(&mut self, name: Option<String>, instance: Current) {
        if let Some(name) = name {
            self.instances.insert(name, instance);
        }
        self.current = Some(instance);
    }

    fn instance(&self, name: Option<&str>) -> Result<Current> {
        match name {
            Some(name) => self
                .instances
                .get(name)
                .copied()
                .with_context(|| format!("no instance named `{name}`")),
            None => self.current.context("no module instantiated yet"),
        }
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Outcome> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(wat) => {
                let mut module = QuoteWat::Wat(wat);
                let (_, bytes) = quote_bytes(&mut module)?;
                let module = self.compile(&bytes)?;
                Ok(match self.instantiate(&module) {
                    Ok(_) => Outcome::Values(Vec::new()),
                    Err(e) => Outcome::Error(e),
                })
            }
            WastExecute::Get { module, global, .. } => {
                let Current::Core(inst) = self.instance(module.map(|m| m.name()))? else {
                    bail!("`get` of a component instance");
                };
                let g = inst
                    .get_global(&self.store, global)
                    .with_context(|| format!("no global export `{global}`"))?;
                Ok(Outcome::Values(vec![g.get(&mut self.store)]))
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Outcome> {
        let inst = match self.instance(invoke.module.map(|m| m.name()))? {
            Current::Core(inst) => inst,
            Current::Component(i) => return self.invoke_component(i, invoke),
        };
        let func = inst
            .get_func(&self.store, invoke.name)
            .with_context(|| format!("no function export `{}`", invoke.name))?;
        let args = invoke.args.iter().map(|a| self.arg(a)).collect::<Result<Vec<_>>>()?;
        let ty = func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        Ok(match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Values(results),
            Err(e) => Outcome::Error(e),
        })
    }

    fn invoke_component(&mut self, i: usize, invoke: &WastInvoke<'_>) -> Result<Outcome> {
        let (store, inst) = &mut self.components[i];
        let func = inst
            .get_func(&mut *store, invoke.name)
            .with_context(|| format!("no function export `{}`", invoke.name))?;
        let args = invoke.args.iter().map(component::arg).collect::<Result<Vec<_>>>()?;
        let mut results = vec![cm::Val::Bool(false); func.results(&*store).len()];
        Ok(match func.call(&mut *store, &args, &mut results) {
            Ok(()) => Outcome::Component(results),
            Err(e) => Outcome::Error(e),
        })
    }

    fn arg(&mut self, arg: &WastArg<'_>) -> Result<Val> {
        let WastArg::Core(arg) = arg else { bail!("component values are not core arguments") };
        Ok(match arg {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(v.bits),
            WastArgCore::F64(v) => Val::F64(v.bits),
            WastArgCore::RefNull(wast::core::HeapType::Abstract { ty, .. }) => match ty {
                wast::core::AbstractHeapType::Func => Val::FuncRef(None),
                wast::core::AbstractHeapType::Extern => Val::ExternRef(None),
                wast::core::AbstractHeapType::Exn => Val::ExnRef(None),
                wast::core::AbstractHeapType::NoFunc => Val::FuncRef(None),
                wast::core::AbstractHeapType::NoExtern => Val::ExternRef(None),
                wast::core::AbstractHeapType::NoExn => Val::ExnRef(None),
                wast::core::AbstractHeapType::Any
                | wast::core::AbstractHeapType::Eq
                | wast::core::AbstractHeapType::I31
                | wast::core::AbstractHeapType::Struct
                | wast::core::AbstractHeapType::Array
                | wast::core::AbstractHeapType::None => Val::AnyRef(None),
                other => bail!("unsupported null reference type {other:?}"),
            },
            WastArgCore::V128(c) => Val::V128(u128::from_le_bytes(c.to_le_bytes()).into()),
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(self.extern_ref(*n))),
            WastArgCore::RefHost(n) => {
                let e = self.extern_ref(*n);
                Val::AnyRef(Some(AnyRef::convert_extern(&self.store, e)))
            }
            other => bail!("unsupported argument {other:?}"),
        })
    }

    fn extern_ref(&mut self, n: u32) -> ExternRef {
        *self.externs.entry(n).or_insert_with(|| ExternRef::new(&mut self.store, n))
    }

    /// The number an external reference made by the script carries.
    fn host_data(&self, r: ExternRef) -> Option<u32> {
        r.data(&self.store)?.downcast_ref::<u32>().copied()
    }

    fn check_results(&self, values: &[Val], expected: &[WastRet<'_>]) -> Result<()> {
        if values.len() != expected.len() {
            bail!("expected {} results, got {}: {values:?}", expected.len(), values.len());
        }
        for (i, (v, e)) in values.iter().zip(expected).enumerate() {
            let WastRet::Core(e) = e else { bail!("component results in a core assertion") };
            if !self.matches(v, e) {
                bail!("result {i} differs: expected {e:?}, got {v:?}");
            }
        }
        Ok(())
    }

    fn matches(&self, v: &Val, e: &WastRetCore<'_>) -> bool {
        match (v, e) {
            (_, WastRetCore::Either(alternatives)) => {
                alternatives.iter().any(|e| self.matches(v, e))
            }
            (Val::I32(a), WastRetCore::I32(b)) => a == b,
            (Val::I64(a), WastRetCore::I64(b)) => a == b,
            (Val::F32(a), WastRetCore::F32(p)) => f32_matches(*a, p),
            (Val::F64(a), WastRetCore::F64(p)) => f64_matches(*a, p),
            (Val::V128(a), WastRetCore::V128(p)) => v128_matches(a.as_u128(), p),
            (Val::FuncRef(f), WastRetCore::RefNull(_)) => f.is_none(),
            (Val::ExternRef(r), WastRetCore::RefNull(_)) => r.is_none(),
            (Val::ExnRef(r), WastRetCore::RefNull(_)) => r.is_none(),
            (Val::FuncRef(f), WastRetCore::RefFunc(None)) => f.is_some(),
            (Val::ExternRef(r), WastRetCore::RefExtern(None)) => r.is_some(),
            (Val::ExternRef(Some(r)), WastRetCore::RefExtern(Some(n))) => {
                self.host_data(*r) == Some(*n)
            }
            (Val::AnyRef(r), WastRetCore::RefNull(_)) => r.is_none(),
            (Val::AnyRef(Some(r)), WastRetCore::RefHost(n)) => {
                self.host_data(ExternRef::convert_any(&self.store, *r)) == Some(*n)
            }
            (Val::AnyRef(Some(r)), e) => {
                let kind = r.kind(&self.store).ok();
                match e {
                    WastRetCore::RefAny => true,
                    WastRetCore::RefEq => kind.is_some_and(|k| k != AnyKind::Extern),
                    WastRetCore::RefI31 => kind == Some(AnyKind::I31),
                    WastRetCore::RefStruct => kind == Some(AnyKind::Struct),
                    WastRetCore::RefArray => kind == Some(AnyKind::Array),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

fn f32_matches(a: u32, p: &NanPattern<wast::token::F32>) -> bool {
    match p {
        NanPattern::CanonicalNan => a & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => f32::from_bits(a).is_nan() && a & 0x0040_0000 != 0,
        NanPattern::Value(b) => a == b.bits,
    }
}

fn f64_matches(a: u64, p: &NanPattern<wast::token::F64>) -> bool {
    match p {
        NanPattern::CanonicalNan => a & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => f64::from_bits(a).is_nan() && a & 0x0008_0000_0000_0000 != 0,
        NanPattern::Value(b) => a == b.bits,
    }
}

/// Whether vector `a` matches `p` lane by lane.
fn v128_matches(a: u128, p: &wast::core::V128Pattern) -> bool {
    use wast::core::V128Pattern as P;
    let bytes = a.to_le_bytes();
    let lane = |k: usize, n: usize| {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&bytes[k * n..k * n + n]);
        u64::from_le_bytes(b)
    };
    match p {
        P::I8x16(v) => v.iter().enumerate().all(|(k, x)| lane(k, 1) as u8 == *x as u8),
        P::I16x8(v) => v.iter().enumerate().all(|(k, x)| lane(k, 2) as u16 == *x as u16),
        P::I32x4(v) => v.iter().enumerate().all(|(k, x)| lane(k, 4) as u32 == *x as u32),
        P::I64x2(v) => v.iter().enumerate().all(|(k, x)| lane(k, 8) == *x as u64),
        P::F32x4(v) => v.iter().enumerate().all(|(k, p)| f32_matches(lane(k, 4) as u32, p)),
        P::F64x2(v) => v.iter().enumerate().all(|(k, p)| f64_matches(lane(k, 8), p)),
    }
}

fn config_consumes_fuel(engine: &Engine) -> bool {
    Store::new(engine, ()).get_fuel().is_ok()
}

/// The module's name and binary encoding.
fn quote_bytes(module: &mut QuoteWat<'_>) -> Result<(Option<String>, Vec<u8>)> {
    let name = match module {
        QuoteWat::Wat(Wat::Module(m)) => m.id.map(|id| id.name().to_string()),
        QuoteWat::Wat(Wat::Component(c)) => c.id.map(|id| id.name().to_string()),
        _ => None,
    };
    let bytes = module.encode().map_err(|e| anyhow!("{e}"))?;
    Ok((name, bytes))
}

/// Checks a trap's message contains the one the script expects.
fn check_error_message(e: &anyhow::Error, expected: &str) -> Result<()> {
    let actual = format!("{e:?}");
    if actual.contains(expected) {
        return Ok(());
    }
    // The spec's wording for a few traps differs from wazi's (and wasmtime's).
    let alias = match expected {
        "unreachable" => Some("unreachable"),
        "undefined element" => Some("out of bounds table access"),
        "uninitialized element 2" | "uninitialized" => Some("uninitialized element"),
        "indirect call signature mismatch" => Some("indirect call type mismatch"),
        "null function reference"
        | "null array reference"
        | "null structure reference"
        | "null i31 reference" => Some("null reference"),
        "unaligned atomic" => Some("misaligned memory access"),
        "expected shared memory" => Some("atomic wait on non-shared memory"),
        _ => None,
    };
    if alias.is_some_and(|a| actual.contains(a)) {
        return Ok(());
    }
    bail!("expected a trap containing \"{expected}\", got: {actual}")
}

/// Runs a `.wast` file with the default configuration.
pub fn run_file(path: &Path) -> Result<Summary> {
    WastContext::new(&Config::default())?.run_file(path)
}
