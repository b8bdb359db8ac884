//! `wazi run --invoke 'f(args)' component.wasm`: a call written in WAVE
//! (the WebAssembly Value Encoding, via the `wasm-wave` crate), its result
//! printed in WAVE, as `wasmtime run --invoke` does for components.

use crate::run::Host;
use anyhow::{Context, Result, anyhow, bail};
use std::borrow::Cow;
use wasm_wave::untyped::UntypedFuncCall;
use wasm_wave::wasm::{DisplayFuncResults, WasmType, WasmTypeKind, WasmValue, WasmValueError};
use wazi::Store;
use wazi::component::types::Type;
use wazi::component::{Component, Func, Instance, Linker, Val};

/// A component type as WAVE sees it.
#[derive(Clone)]
pub struct WaveType(pub Type);

/// A component value as WAVE sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct WaveVal(pub Val);

impl WasmType for WaveType {
    fn kind(&self) -> WasmTypeKind {
        match &self.0 {
            Type::Bool => WasmTypeKind::Bool,
            Type::S8 => WasmTypeKind::S8,
            Type::U8 => WasmTypeKind::U8,
            Type::S16 => WasmTypeKind::S16,
            Type::U16 => WasmTypeKind::U16,
            Type::S32 => WasmTypeKind::S32,
            Type::U32 => WasmTypeKind::U32,
            Type::S64 => WasmTypeKind::S64,
            Type::U64 => WasmTypeKind::U64,
            Type::Float32 => WasmTypeKind::F32,
            Type::Float64 => WasmTypeKind::F64,
            Type::Char => WasmTypeKind::Char,
            Type::String => WasmTypeKind::String,
            Type::List(_) => WasmTypeKind::List,
            Type::Record(_) => WasmTypeKind::Record,
            Type::Tuple(_) => WasmTypeKind::Tuple,
            Type::Variant(_) => WasmTypeKind::Variant,
            Type::Enum(_) => WasmTypeKind::Enum,
            Type::Option(_) => WasmTypeKind::Option,
            Type::Result(_) => WasmTypeKind::Result,
            Type::Flags(_) => WasmTypeKind::Flags,
            Type::Own(_) | Type::Borrow(_) => WasmTypeKind::Unsupported,
        }
    }

    fn list_element_type(&self) -> Option<Self> {
        match &self.0 {
            Type::List(l) => Some(WaveType(l.ty())),
            _ => None,
        }
    }

    fn record_fields(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Self)> + '_> {
        match &self.0 {
            Type::Record(r) => {
                Box::new(r.fields().map(|f| (Cow::Borrowed(f.name), WaveType(f.ty))))
            }
            _ => Box::new(std::iter::empty()),
        }
    }

    fn tuple_element_types(&self) -> Box<dyn Iterator<Item = Self> + '_> {
        match &self.0 {
            Type::Tuple(t) => Box::new(t.types().map(WaveType)),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn variant_cases(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Option<Self>)> + '_> {
        match &self.0 {
            Type::Variant(v) => {
                Box::new(v.cases().map(|c| (Cow::Borrowed(c.name), c.ty.map(WaveType))))
            }
            _ => Box::new(std::iter::empty()),
        }
    }

    fn enum_cases(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match &self.0 {
            Type::Enum(e) => Box::new(e.names().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn option_some_type(&self) -> Option<Self> {
        match &self.0 {
            Type::Option(o) => Some(WaveType(o.ty())),
            _ => None,
        }
    }

    fn result_types(&self) -> Option<(Option<Self>, Option<Self>)> {
        match &self.0 {
            Type::Result(r) => Some((r.ok().map(WaveType), r.err().map(WaveType))),
            _ => None,
        }
    }

    fn flags_names(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match &self.0 {
            Type::Flags(f) => Box::new(f.names().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }
}

fn boxed(v: Option<WaveVal>) -> Option<Box<Val>> {
    v.map(|v| Box::new(v.0))
}

fn cow(v: &Val) -> Cow<'_, WaveVal> {
    Cow::Owned(WaveVal(v.clone()))
}

impl WasmValue for WaveVal {
    type Type = WaveType;

    fn kind(&self) -> WasmTypeKind {
        match &self.0 {
            Val::Bool(_) => WasmTypeKind::Bool,
            Val::S8(_) => WasmTypeKind::S8,
            Val::U8(_) => WasmTypeKind::U8,
            Val::S16(_) => WasmTypeKind::S16,
            Val::U16(_) => WasmTypeKind::U16,
            Val::S32(_) => WasmTypeKind::S32,
            Val::U32(_) => WasmTypeKind::U32,
            Val::S64(_) => WasmTypeKind::S64,
            Val::U64(_) => WasmTypeKind::U64,
            Val::Float32(_) => WasmTypeKind::F32,
            Val::Float64(_) => WasmTypeKind::F64,
            Val::Char(_) => WasmTypeKind::Char,
            Val::String(_) => WasmTypeKind::String,
            Val::List(_) => WasmTypeKind::List,
            Val::Record(_) => WasmTypeKind::Record,
            Val::Tuple(_) => WasmTypeKind::Tuple,
            Val::Variant(..) => WasmTypeKind::Variant,
            Val::Enum(_) => WasmTypeKind::Enum,
            Val::Option(_) => WasmTypeKind::Option,
            Val::Result(_) => WasmTypeKind::Result,
            Val::Flags(_) => WasmTypeKind::Flags,
            Val::Resource(_) => WasmTypeKind::Unsupported,
        }
    }

    fn make_bool(val: bool) -> Self {
        WaveVal(Val::Bool(val))
    }
    fn make_s8(val: i8) -> Self {
        WaveVal(Val::S8(val))
    }
    fn make_s16(val: i16) -> Self {
        WaveVal(Val::S16(val))
    }
    fn make_s32(val: i32) -> Self {
        WaveVal(Val::S32(val))
    }
    fn make_s64(val: i64) -> Self {
        WaveVal(Val::S64(val))
    }
    fn make_u8(val: u8) -> Self {
        WaveVal(Val::U8(val))
    }
    fn make_u16(val: u16) -> Self {
        WaveVal(Val::U16(val))
    }
    fn make_u32(val: u32) -> Self {
        WaveVal(Val::U32(val))
    }
    fn make_u64(val: u64) -> Self {
        WaveVal(Val::U64(val))
    }
    fn make_f32(val: f32) -> Self {
        WaveVal(Val::Float32(val))
    }
    fn make_f64(val: f64) -> Self {
        WaveVal(Val::Float64(val))
    }
    fn make_char(val: char) -> Self {
        WaveVal(Val::Char(val))
    }
    fn make_string(val: Cow<'_, str>) -> Self {
        WaveVal(Val::String(val.into_owned()))
    }
    fn make_list(
        _: &WaveType,
        vals: impl IntoIterator<Item = Self>,
    ) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::List(vals.into_iter().map(|v| v.0).collect())))
    }
    fn make_record<'a>(
        _: &WaveType,
        fields: impl IntoIterator<Item = (&'a str, Self)>,
    ) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::Record(fields.into_iter().map(|(n, v)| (n.to_string(), v.0)).collect())))
    }
    fn make_tuple(
        _: &WaveType,
        vals: impl IntoIterator<Item = Self>,
    ) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::Tuple(vals.into_iter().map(|v| v.0).collect())))
    }
    fn make_variant(_: &WaveType, case: &str, val: Option<Self>) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::Variant(case.to_string(), boxed(val))))
    }
    fn make_enum(_: &WaveType, case: &str) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::Enum(case.to_string())))
    }
    fn make_option(_: &WaveType, val: Option<Self>) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::Option(boxed(val))))
    }
    fn make_result(
        _: &WaveType,
        val: Result<Option<Self>, Option<Self>>,
    ) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::Result(match val {
            Ok(v) => Ok(boxed(v)),
            Err(e) => Err(boxed(e)),
        })))
    }
    fn make_flags<'a>(
        _: &WaveType,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, WasmValueError> {
        Ok(WaveVal(Val::Flags(names.into_iter().map(str::to_string).collect())))
    }

    fn unwrap_bool(&self) -> bool {
        matches!(self.0, Val::Bool(true))
    }
    fn unwrap_s8(&self) -> i8 {
        if let Val::S8(v) = self.0 { v } else { 0 }
    }
    fn unwrap_s16(&self) -> i16 {
        if let Val::S16(v) = self.0 { v } else { 0 }
    }
    fn unwrap_s32(&self) -> i32 {
        if let Val::S32(v) = self.0 { v } else { 0 }
    }
    fn unwrap_s64(&self) -> i64 {
        if let Val::S64(v) = self.0 { v } else { 0 }
    }
    fn unwrap_u8(&self) -> u8 {
        if let Val::U8(v) = self.0 { v } else { 0 }
    }
    fn unwrap_u16(&self) -> u16 {
        if let Val::U16(v) = self.0 { v } else { 0 }
    }
    fn unwrap_u32(&self) -> u32 {
        if let Val::U32(v) = self.0 { v } else { 0 }
    }
    fn unwrap_u64(&self) -> u64 {
        if let Val::U64(v) = self.0 { v } else { 0 }
    }
    fn unwrap_f32(&self) -> f32 {
        if let Val::Float32(v) = self.0 { v } else { 0.0 }
    }
    fn unwrap_f64(&self) -> f64 {
        if let Val::Float64(v) = self.0 { v } else { 0.0 }
    }
    fn unwrap_char(&self) -> char {
        if let Val::Char(v) = self.0 { v } else { '\0' }
    }
    fn unwrap_string(&self) -> Cow<'_, str> {
        match &self.0 {
            Val::String(s) => Cow::Borrowed(s),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_list(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match &self.0 {
            Val::List(items) => Box::new(items.iter().map(cow)),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_record(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Cow<'_, Self>)> + '_> {
        match &self.0 {
            Val::Record(fields) => {
                Box::new(fields.iter().map(|(n, v)| (Cow::Borrowed(n.as_str()), cow(v))))
            }
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_tuple(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match &self.0 {
            Val::Tuple(items) => Box::new(items.iter().map(cow)),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_variant(&self) -> (Cow<'_, str>, Option<Cow<'_, Self>>) {
        match &self.0 {
            Val::Variant(n, p) => (Cow::Borrowed(n.as_str()), p.as_deref().map(cow)),
            _ => (Cow::Borrowed(""), None),
        }
    }
    fn unwrap_enum(&self) -> Cow<'_, str> {
        match &self.0 {
            Val::Enum(n) => Cow::Borrowed(n.as_str()),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_option(&self) -> Option<Cow<'_, Self>> {
        match &self.0 {
            Val::Option(v) => v.as_deref().map(cow),
            _ => None,
        }
    }
    fn unwrap_result(&self) -> Result<Option<Cow<'_, Self>>, Option<Cow<'_, Self>>> {
        match &self.0 {
            Val::Result(Ok(v)) => Ok(v.as_deref().map(cow)),
            Val::Result(Err(e)) => Err(e.as_deref().map(cow)),
            _ => Ok(None),
        }
    }
    fn unwrap_flags(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match &self.0 {
            Val::Flags(f) => Box::new(f.iter().map(|s| Cow::Borrowed(s.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }
}

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
    let types: Vec<WaveType> = func.params(&*store).into_iter().map(|(_, t)| WaveType(t)).collect();
    let params: Vec<WaveVal> = parsed
        .to_wasm_params(types.iter())
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("while interpreting parameters in invoke \"{call}\""))?;
    let params: Vec<Val> = params.into_iter().map(|v| v.0).collect();
    let mut results = vec![Val::Bool(false); func.results(&*store).len()];
    func.call(&mut *store, &params, &mut results)?;
    let results: Vec<WaveVal> = results.into_iter().map(WaveVal).collect();
    println!("{}", DisplayFuncResults(&results));
    Ok(())
}
