//! WAVE (the WebAssembly Value Encoding, the `wasm-wave` crate) for
//! component values, with the `wave` feature: [`Type`] implements
//! `wasm_wave::wasm::WasmType` and [`Val`] implements
//! `wasm_wave::wasm::WasmValue`, as wasmtime's types do, so
//! `wasm_wave::from_str::<Val>(&ty, "...")` parses a value of a function's
//! parameter type and `wasm_wave::to_string(&val)` prints one. Resources
//! have no WAVE form (`WasmTypeKind::Unsupported`).

use super::Val;
use super::types::Type;
use std::borrow::Cow;
use wasm_wave::wasm::{WasmType, WasmTypeKind, WasmValue, WasmValueError};

/// `val` boxed, for the payloads of variants, options and results.
fn boxed(val: Option<Val>) -> Option<Box<Val>> {
    val.map(Box::new)
}

impl WasmType for Type {
    fn kind(&self) -> WasmTypeKind {
        match self {
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
            Type::Own(_)
            | Type::Borrow(_)
            | Type::Future(_)
            | Type::Stream(_)
            | Type::ErrorContext => WasmTypeKind::Unsupported,
        }
    }

    fn list_element_type(&self) -> Option<Self> {
        match self {
            Type::List(l) => Some(l.ty()),
            _ => None,
        }
    }

    fn record_fields(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Self)> + '_> {
        match self {
            Type::Record(r) => Box::new(r.fields().map(|f| (Cow::Borrowed(f.name), f.ty))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn tuple_element_types(&self) -> Box<dyn Iterator<Item = Self> + '_> {
        match self {
            Type::Tuple(t) => Box::new(t.types()),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn variant_cases(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Option<Self>)> + '_> {
        match self {
            Type::Variant(v) => Box::new(v.cases().map(|c| (Cow::Borrowed(c.name), c.ty))),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn enum_cases(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Type::Enum(e) => Box::new(e.names().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }

    fn option_some_type(&self) -> Option<Self> {
        match self {
            Type::Option(o) => Some(o.ty()),
            _ => None,
        }
    }

    fn result_types(&self) -> Option<(Option<Self>, Option<Self>)> {
        match self {
            Type::Result(r) => Some((r.ok(), r.err())),
            _ => None,
        }
    }

    fn flags_names(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Type::Flags(f) => Box::new(f.names().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }
}

impl WasmValue for Val {
    type Type = Type;

    fn kind(&self) -> WasmTypeKind {
        match self {
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
            Val::Resource(_) | Val::Future(_) | Val::Stream(_) | Val::ErrorContext(_) => {
                WasmTypeKind::Unsupported
            }
        }
    }

    fn make_bool(val: bool) -> Self {
        Val::Bool(val)
    }
    fn make_s8(val: i8) -> Self {
        Val::S8(val)
    }
    fn make_s16(val: i16) -> Self {
        Val::S16(val)
    }
    fn make_s32(val: i32) -> Self {
        Val::S32(val)
    }
    fn make_s64(val: i64) -> Self {
        Val::S64(val)
    }
    fn make_u8(val: u8) -> Self {
        Val::U8(val)
    }
    fn make_u16(val: u16) -> Self {
        Val::U16(val)
    }
    fn make_u32(val: u32) -> Self {
        Val::U32(val)
    }
    fn make_u64(val: u64) -> Self {
        Val::U64(val)
    }
    fn make_f32(val: f32) -> Self {
        Val::Float32(val)
    }
    fn make_f64(val: f64) -> Self {
        Val::Float64(val)
    }
    fn make_char(val: char) -> Self {
        Val::Char(val)
    }
    fn make_string(val: Cow<'_, str>) -> Self {
        Val::String(val.into_owned())
    }
    fn make_list(_: &Type, vals: impl IntoIterator<Item = Self>) -> Result<Self, WasmValueError> {
        Ok(Val::List(vals.into_iter().collect()))
    }
    fn make_record<'a>(
        _: &Type,
        fields: impl IntoIterator<Item = (&'a str, Self)>,
    ) -> Result<Self, WasmValueError> {
        Ok(Val::Record(fields.into_iter().map(|(n, v)| (n.to_string(), v)).collect()))
    }
    fn make_tuple(_: &Type, vals: impl IntoIterator<Item = Self>) -> Result<Self, WasmValueError> {
        Ok(Val::Tuple(vals.into_iter().collect()))
    }
    fn make_variant(_: &Type, case: &str, val: Option<Self>) -> Result<Self, WasmValueError> {
        Ok(Val::Variant(case.to_string(), boxed(val)))
    }
    fn make_enum(_: &Type, case: &str) -> Result<Self, WasmValueError> {
        Ok(Val::Enum(case.to_string()))
    }
    fn make_option(_: &Type, val: Option<Self>) -> Result<Self, WasmValueError> {
        Ok(Val::Option(boxed(val)))
    }
    fn make_result(
        _: &Type,
        val: Result<Option<Self>, Option<Self>>,
    ) -> Result<Self, WasmValueError> {
        Ok(Val::Result(match val {
            Ok(v) => Ok(boxed(v)),
            Err(e) => Err(boxed(e)),
        }))
    }
    fn make_flags<'a>(
        _: &Type,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, WasmValueError> {
        Ok(Val::Flags(names.into_iter().map(str::to_string).collect()))
    }

    fn unwrap_bool(&self) -> bool {
        matches!(self, Val::Bool(true))
    }
    fn unwrap_s8(&self) -> i8 {
        if let Val::S8(v) = *self { v } else { 0 }
    }
    fn unwrap_s16(&self) -> i16 {
        if let Val::S16(v) = *self { v } else { 0 }
    }
    fn unwrap_s32(&self) -> i32 {
        if let Val::S32(v) = *self { v } else { 0 }
    }
    fn unwrap_s64(&self) -> i64 {
        if let Val::S64(v) = *self { v } else { 0 }
    }
    fn unwrap_u8(&self) -> u8 {
        if let Val::U8(v) = *self { v } else { 0 }
    }
    fn unwrap_u16(&self) -> u16 {
        if let Val::U16(v) = *self { v } else { 0 }
    }
    fn unwrap_u32(&self) -> u32 {
        if let Val::U32(v) = *self { v } else { 0 }
    }
    fn unwrap_u64(&self) -> u64 {
        if let Val::U64(v) = *self { v } else { 0 }
    }
    fn unwrap_f32(&self) -> f32 {
        if let Val::Float32(v) = *self { v } else { 0.0 }
    }
    fn unwrap_f64(&self) -> f64 {
        if let Val::Float64(v) = *self { v } else { 0.0 }
    }
    fn unwrap_char(&self) -> char {
        if let Val::Char(v) = *self { v } else { '\0' }
    }
    fn unwrap_string(&self) -> Cow<'_, str> {
        match self {
            Val::String(s) => Cow::Borrowed(s),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_list(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match self {
            Val::List(items) => Box::new(items.iter().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_record(&self) -> Box<dyn Iterator<Item = (Cow<'_, str>, Cow<'_, Self>)> + '_> {
        match self {
            Val::Record(fields) => {
                Box::new(fields.iter().map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v))))
            }
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_tuple(&self) -> Box<dyn Iterator<Item = Cow<'_, Self>> + '_> {
        match self {
            Val::Tuple(items) => Box::new(items.iter().map(Cow::Borrowed)),
            _ => Box::new(std::iter::empty()),
        }
    }
    fn unwrap_variant(&self) -> (Cow<'_, str>, Option<Cow<'_, Self>>) {
        match self {
            Val::Variant(n, p) => (Cow::Borrowed(n.as_str()), p.as_deref().map(Cow::Borrowed)),
            _ => (Cow::Borrowed(""), None),
        }
    }
    fn unwrap_enum(&self) -> Cow<'_, str> {
        match self {
            Val::Enum(n) => Cow::Borrowed(n.as_str()),
            _ => Cow::Borrowed(""),
        }
    }
    fn unwrap_option(&self) -> Option<Cow<'_, Self>> {
        match self {
            Val::Option(v) => v.as_deref().map(Cow::Borrowed),
            _ => None,
        }
    }
    fn unwrap_result(&self) -> Result<Option<Cow<'_, Self>>, Option<Cow<'_, Self>>> {
        match self {
            Val::Result(Ok(v)) => Ok(v.as_deref().map(Cow::Borrowed)),
            Val::Result(Err(e)) => Err(e.as_deref().map(Cow::Borrowed)),
            _ => Ok(None),
        }
    }
    fn unwrap_flags(&self) -> Box<dyn Iterator<Item = Cow<'_, str>> + '_> {
        match self {
            Val::Flags(f) => Box::new(f.iter().map(|s| Cow::Borrowed(s.as_str()))),
            _ => Box::new(std::iter::empty()),
        }
    }
}
