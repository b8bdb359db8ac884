//! Component value types as the canonical ABI sees them.
//!
//! Each type is converted once from the validator's representation into a
//! [`Ty`] tree whose composite nodes carry their canonical-ABI size,
//! alignment and flat count, so lifting and lowering never recompute them.
//! Resource handles refer to a component-local dense *resource index*; at
//! run time each instance maps those indices to [`ResourceType`]s.
//!
//! [`ResourceType`]: super::ResourceType

use anyhow::{Result, bail};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use wasmparser::component_types::{
    ComponentDefinedType, ComponentDefinedTypeId, ComponentFuncTypeId, ComponentValType, ResourceId,
};
use wasmparser::types::TypesRef;
use wasmparser::{PrimitiveValType, ValType};

/// Flattened values a function may take before they go through memory.
pub(crate) const MAX_FLAT_PARAMS: usize = 16;
/// Flattened values a function may return before they go through memory.
pub(crate) const MAX_FLAT_RESULTS: usize = 1;
/// Flattened parameters an `async`-lowered import takes before they go
/// through memory.
pub(crate) const MAX_FLAT_ASYNC_PARAMS: usize = 4;

/// Canonical ABI facts of a type: byte size and alignment in linear memory,
/// and the number of core values it flattens to (saturating above
/// [`MAX_FLAT_PARAMS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Abi {
    pub size: u32,
    pub align: u32,
    pub flat: u32,
}

impl Abi {
    const fn scalar(size: u32, flat: u32) -> Abi {
        Abi { size, align: size, flat }
    }
}

pub(crate) fn align_to(n: u32, align: u32) -> u32 {
    n.div_ceil(align) * align
}

/// A component value type.
#[derive(Clone, Debug)]
pub enum Ty {
    /// `bool`.
    Bool,
    /// `s8`.
    S8,
    /// `u8`.
    U8,
    /// `s16`.
    S16,
    /// `u16`.
    U16,
    /// `s32`.
    S32,
    /// `u32`.
    U32,
    /// `s64`.
    S64,
    /// `u64`.
    U64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `char`.
    Char,
    /// `string`.
    String,
    /// `list<T>`, with its element type.
    List(Arc<Ty>),
    /// `list<T, N>`.
    FixedList(Arc<FixedListTy>),
    /// `record`.
    Record(Arc<RecordTy>),
    /// `tuple`.
    Tuple(Arc<TupleTy>),
    /// `variant`.
    Variant(Arc<VariantTy>),
    /// `enum`.
    Enum(Arc<EnumTy>),
    /// `option<T>`.
    Option(Arc<OptionTy>),
    /// `result<T, E>`.
    Result(Arc<ResultTy>),
    /// `flags`.
    Flags(Arc<FlagsTy>),
    /// `own<R>`, naming `R` by its component-local resource index.
    Own(u32),
    /// `borrow<R>`, naming `R` by its component-local resource index.
    Borrow(u32),
    /// `stream<T>` (`None`: `stream`).
    Stream(Option<Arc<Ty>>),
    /// `future<T>` (`None`: `future`).
    Future(Option<Arc<Ty>>),
    /// `error-context`.
    ErrorContext,
}

#[derive(Debug)]
pub struct FixedListTy {
    pub elem: Ty,
    pub len: u32,
    pub abi: Abi,
}

#[derive(Debug)]
pub struct RecordTy {
    pub fields: Box<[(String, Ty)]>,
    pub offsets: Box<[u32]>,
    pub abi: Abi,
}

#[derive(Debug)]
pub struct TupleTy {
    pub types: Box<[Ty]>,
    pub offsets: Box<[u32]>,
    pub abi: Abi,
}

/// Where a variant-like type keeps its discriminant and payload.
#[derive(Clone, Copy, Debug)]
pub struct VariantLayout {
    /// Bytes of the discriminant (1, 2 or 4).
    pub disc_size: u32,
    /// Offset of the payload from the start of the value.
    pub payload_offset: u32,
    /// Flat values of the (joined) payload.
    pub payload_flat: u32,
    pub abi: Abi,
}

#[derive(Debug)]
pub struct VariantTy {
    pub cases: Box<[(String, Option<Ty>)]>,
    pub layout: VariantLayout,
}

#[derive(Debug)]
pub struct EnumTy {
    pub names: Box<[String]>,
    pub layout: VariantLayout,
}

#[derive(Debug)]
pub struct OptionTy {
    pub ty: Ty,
    pub layout: VariantLayout,
}

#[derive(Debug)]
pub struct ResultTy {
    pub ok: Option<Ty>,
    pub err: Option<Ty>,
    pub layout: VariantLayout,
}

#[derive(Debug)]
pub struct FlagsTy {
    pub names: Box<[String]>,
    pub abi: Abi,
}

impl FlagsTy {
    /// Number of 32-bit words in the flat (and, beyond 32 flags, memory)
    /// representation.
    pub fn words(&self) -> u32 {
        (self.names.len() as u32).div_ceil(32)
    }
}

impl Ty {
    /// The type's size, alignment and flat count.
    pub fn abi(&self) -> Abi {
        match self {
            Ty::Bool | Ty::S8 | Ty::U8 => Abi::scalar(1, 1),
            Ty::S16 | Ty::U16 => Abi::scalar(2, 1),
            Ty::S32
            | Ty::U32
            | Ty::F32
            | Ty::Char
            | Ty::Own(_)
            | Ty::Borrow(_)
            | Ty::Stream(_)
            | Ty::Future(_)
            | Ty::ErrorContext => Abi::scalar(4, 1),
            Ty::S64 | Ty::U64 | Ty::F64 => Abi::scalar(8, 1),
            Ty::String | Ty::List(_) => Abi { size: 8, align: 4, flat: 2 },
            Ty::FixedList(t) => t.abi,
            Ty::Record(t) => t.abi,
            Ty::Tuple(t) => t.abi,
            Ty::Variant(t) => t.layout.abi,
            Ty::Enum(t) => t.layout.abi,
            Ty::Option(t) => t.layout.abi,
            Ty::Result(t) => t.layout.abi,
            Ty::Flags(t) => t.abi,
        }
    }

    /// Appends the core types this type flattens to.
    pub fn push_flat(&self, out: &mut Vec<ValType>) {
        match self {
            Ty::Bool
            | Ty::S8
            | Ty::U8
            | Ty::S16
            | Ty::U16
            | Ty::S32
            | Ty::U32
            | Ty::Char
            | Ty::Own(_)
            | Ty::Borrow(_)
            | Ty::Stream(_)
            | Ty::Future(_)
            | Ty::ErrorContext => out.push(ValType::I32),
            Ty::S64 | Ty::U64 => out.push(ValType::I64),
            Ty::F32 => out.push(ValType::F32),
            Ty::F64 => out.push(ValType::F64),
            Ty::String | Ty::List(_) => out.extend([ValType::I32, ValType::I32]),
            Ty::FixedList(t) => {
                for _ in 0..t.len {
                    t.elem.push_flat(out);
                }
            }
            Ty::Record(t) => t.fields.iter().for_each(|(_, t)| t.push_flat(out)),
            Ty::Tuple(t) => t.types.iter().for_each(|t| t.push_flat(out)),
            Ty::Flags(t) => out.extend((0..t.words()).map(|_| ValType::I32)),
            Ty::Variant(t) => push_flat_variant(t.cases.iter().map(|(_, t)| t.as_ref()), out),
            Ty::Enum(_) => out.push(ValType::I32),
            Ty::Option(t) => push_flat_variant([None, Some(&t.ty)].into_iter(), out),
            Ty::Result(t) => push_flat_variant([t.ok.as_ref(), t.err.as_ref()].into_iter(), out),
        }
    }

    /// Whether values of the type may hold a `borrow` handle.
    pub fn contains_borrow(&self) -> bool {
        match self {
            Ty::Borrow(_) => true,
            Ty::List(t) => t.contains_borrow(),
            Ty::FixedList(t) => t.elem.contains_borrow(),
            Ty::Record(t) => t.fields.iter().any(|(_, t)| t.contains_borrow()),
            Ty::Tuple(t) => t.types.iter().any(|t| t.contains_borrow()),
            Ty::Variant(t) => {
                t.cases.iter().any(|(_, t)| t.as_ref().is_some_and(Ty::contains_borrow))
            }
            Ty::Option(t) => t.ty.contains_borrow(),
            Ty::Result(t) => {
                t.ok.as_ref().is_some_and(Ty::contains_borrow)
                    || t.err.as_ref().is_some_and(Ty::contains_borrow)
            }
            _ => false,
        }
    }

    /// A short description for error messages (`list`, `record`, ...).
    pub fn desc(&self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::S8 => "s8",
            Ty::U8 => "u8",
            Ty::S16 => "s16",
            Ty::U16 => "u16",
            Ty::S32 => "s32",
            Ty::U32 => "u32",
            Ty::S64 => "s64",
            Ty::U64 => "u64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::Char => "char",
            Ty::String => "string",
            Ty::List(_) => "list",
            Ty::FixedList(_) => "list<_, N>",
            Ty::Record(_) => "record",
            Ty::Tuple(_) => "tuple",
            Ty::Variant(_) => "variant",
            Ty::Enum(_) => "enum",
            Ty::Option(_) => "option",
            Ty::Result(_) => "result",
            Ty::Flags(_) => "flags",
            Ty::Own(_) => "own",
            Ty::Borrow(_) => "borrow",
            Ty::Stream(_) => "stream",
            Ty::Future(_) => "future",
            Ty::ErrorContext => "error-context",
        }
    }

    /// Whether the type is a number (the element types a component may
    /// both read and write of one stream or future).
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Ty::S8
                | Ty::U8
                | Ty::S16
                | Ty::U16
                | Ty::S32
                | Ty::U32
                | Ty::S64
                | Ty::U64
                | Ty::F32
                | Ty::F64
        )
    }

    /// Structural equality (resources by their component-local index).
    pub fn same(&self, other: &Ty) -> bool {
        fn opt(a: &Option<Ty>, b: &Option<Ty>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a.same(b),
                _ => false,
            }
        }
        fn opt_arc(a: &Option<Arc<Ty>>, b: &Option<Arc<Ty>>) -> bool {
            match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => a.same(b),
                _ => false,
            }
        }
        match (self, other) {
            (Ty::List(a), Ty::List(b)) => a.same(b),
            (Ty::FixedList(a), Ty::FixedList(b)) => a.len == b.len && a.elem.same(&b.elem),
            (Ty::Record(a), Ty::Record(b)) => {
                a.fields.len() == b.fields.len()
                    && a.fields
                        .iter()
                        .zip(b.fields.iter())
                        .all(|(x, y)| x.0 == y.0 && x.1.same(&y.1))
            }
            (Ty::Tuple(a), Ty::Tuple(b)) => {
                a.types.len() == b.types.len()
                    && a.types.iter().zip(b.types.iter()).all(|(x, y)| x.same(y))
            }
            (Ty::Variant(a), Ty::Variant(b)) => {
                a.cases.len() == b.cases.len()
                    && a.cases
                        .iter()
                        .zip(b.cases.iter())
                        .all(|(x, y)| x.0 == y.0 && opt(&x.1, &y.1))
            }
            (Ty::Enum(a), Ty::Enum(b)) => a.names == b.names,
            (Ty::Flags(a), Ty::Flags(b)) => a.names == b.names,
            (Ty::Option(a), Ty::Option(b)) => a.ty.same(&b.ty),
            (Ty::Result(a), Ty::Result(b)) => opt(&a.ok, &b.ok) && opt(&a.err, &b.err),
            (Ty::Own(a), Ty::Own(b)) | (Ty::Borrow(a), Ty::Borrow(b)) => a == b,
            (Ty::Stream(a), Ty::Stream(b)) | (Ty::Future(a), Ty::Future(b)) => opt_arc(a, b),
            (a, b) => {
                std::mem::discriminant(a) == std::mem::discriminant(b)
                    && !matches!(
                        a,
                        Ty::List(_)
                            | Ty::FixedList(_)
                            | Ty::Record(_)
                            | Ty::Tuple(_)
                            | Ty::Variant(_)
                            | Ty::Enum(_)
                            | Ty::Flags(_)
                            | Ty::Option(_)
                            | Ty::Result(_)
                            | Ty::Own(_)
                            | Ty::Borrow(_)
                            | Ty::Stream(_)
                            | Ty::Future(_)
                    )
            }
        }
    }
}

fn push_flat_variant<'a>(cases: impl Iterator<Item = Option<&'a Ty>>, out: &mut Vec<ValType>) {
    out.push(ValType::I32);
    let start = out.len();
    let mut tmp = Vec::new();
    for t in cases.flatten() {
        tmp.clear();
        t.push_flat(&mut tmp);
        for (i, ft) in tmp.iter().enumerate() {
            match out.get_mut(start + i) {
                Some(slot) => *slot = join(*slot, *ft),
                None => out.push(*ft),
            }
        }
    }
}

fn join(a: ValType, b: ValType) -> ValType {
    match (a, b) {
        _ if a == b => a,
        (ValType::I32, ValType::F32) | (ValType::F32, ValType::I32) => ValType::I32,
        _ => ValType::I64,
    }
}

fn record_layout<'a>(types: impl Iterator<Item = &'a Ty>) -> (Box<[u32]>, Abi) {
    let (mut size, mut align, mut flat) = (0u32, 1u32, 0u32);
    let mut offsets = Vec::new();
    for t in types {
        let a = t.abi();
        size = align_to(size, a.align);
        offsets.push(size);
        size += a.size;
        align = align.max(a.align);
        flat = flat.saturating_add(a.flat);
    }
    (offsets.into(), Abi { size: align_to(size, align), align, flat })
}

fn variant_layout<'a>(n: usize, payloads: impl Iterator<Item = Option<&'a Ty>>) -> VariantLayout {
    // The smallest integer holding the case indices 0..n-1.
    let disc_size = match n {
        0..=0x100 => 1,
        0x101..=0x1_0000 => 2,
        _ => 4,
    };
    let (mut max_size, mut max_align, mut max_flat) = (0u32, 1u32, 0u32);
    for t in payloads.flatten() {
        let a = t.abi();
        max_size = max_size.max(a.size);
        max_align = max_align.max(a.align);
        max_flat = max_flat.max(a.flat);
    }
    let payload_offset = align_to(disc_size, max_align);
    let align = disc_size.max(max_align);
    VariantLayout {
        disc_size,
        payload_offset,
        payload_flat: max_flat,
        abi: Abi {
            size: align_to(payload_offset + max_size, align),
            align,
            flat: max_flat.saturating_add(1),
        },
    }
}

impl RecordTy {
    pub fn new(fields: Vec<(String, Ty)>) -> RecordTy {
        let (offsets, abi) = record_layout(fields.iter().map(|(_, t)| t));
        RecordTy { fields: fields.into(), offsets, abi }
    }
}

impl TupleTy {
    pub fn new(types: Vec<Ty>) -> TupleTy {
        let (offsets, abi) = record_layout(types.iter());
        TupleTy { types: types.into(), offsets, abi }
    }
}

impl VariantTy {
    pub fn new(cases: Vec<(String, Option<Ty>)>) -> VariantTy {
        let layout = variant_layout(cases.len(), cases.iter().map(|(_, t)| t.as_ref()));
        VariantTy { cases: cases.into(), layout }
    }
}

impl EnumTy {
    pub fn new(names: Vec<String>) -> EnumTy {
        EnumTy { layout: variant_layout(names.len(), std::iter::empty()), names: names.into() }
    }
}

impl OptionTy {
    pub fn new(ty: Ty) -> OptionTy {
        OptionTy { layout: variant_layout(2, [Some(&ty)].into_iter()), ty }
    }
}

impl ResultTy {
    pub fn new(ok: Option<Ty>, err: Option<Ty>) -> ResultTy {
        ResultTy { layout: variant_layout(2, [ok.as_ref(), err.as_ref()].into_iter()), ok, err }
    }
}

impl FlagsTy {
    pub fn new(names: Vec<String>) -> FlagsTy {
        let n = names.len() as u32;
        let abi = match n {
            0..=8 => Abi::scalar(1, 1),
            9..=16 => Abi::scalar(2, 1),
            _ => Abi { size: 4 * n.div_ceil(32), align: 4, flat: n.div_ceil(32) },
        };
        FlagsTy { names: names.into(), abi }
    }
}

impl FixedListTy {
    pub fn new(elem: Ty, len: u32) -> FixedListTy {
        let a = elem.abi();
        let abi = Abi {
            size: a.size.saturating_mul(len),
            align: a.align,
            flat: a.flat.saturating_mul(len),
        };
        FixedListTy { elem, len, abi }
    }
}

/// A component function type with the ABI facts of its parameter tuple and
/// result.
#[derive(Debug)]
pub(crate) struct FuncTy {
    /// Declared `async`: the callee may block before it returns.
    pub async_: bool,
    pub params: Box<[(String, Ty)]>,
    pub result: Option<Ty>,
    /// Layout of the parameters as a tuple (used when they spill to memory).
    pub params_abi: Abi,
    pub param_offsets: Box<[u32]>,
    pub result_abi: Abi,
    /// The parameters as a tuple type, and the result as a tuple of zero
    /// or one types: the typed path lifts and lowers them as tuples.
    pub params_tuple: Ty,
    pub results_tuple: Ty,
    /// The core type of `canon lower` of this type and its id in the type
    /// registry, made on first use (instantiations lower the same
    /// imports again and again).
    pub lowered: std::sync::OnceLock<(crate::types::FuncType, u32)>,
}

impl FuncTy {
    pub fn new(params: Vec<(String, Ty)>, result: Option<Ty>) -> FuncTy {
        let (param_offsets, params_abi) = record_layout(params.iter().map(|(_, t)| t));
        let result_abi = result.as_ref().map_or(Abi { size: 0, align: 1, flat: 0 }, Ty::abi);
        let params_tuple =
            Ty::Tuple(Arc::new(TupleTy::new(params.iter().map(|(_, t)| t.clone()).collect())));
        let results_tuple = Ty::Tuple(Arc::new(TupleTy::new(result.iter().cloned().collect())));
        FuncTy {
            async_: false,
            params: params.into(),
            result,
            params_abi,
            param_offsets,
            result_abi,
            params_tuple,
            results_tuple,
            lowered: std::sync::OnceLock::new(),
        }
    }

    /// Whether parameters travel through memory (more than 16 flat values).
    pub fn params_spill(&self) -> bool {
        self.params_abi.flat as usize > MAX_FLAT_PARAMS
    }

    /// Whether a call's parameters travel through memory: above 4 flat
    /// values for an `async` lowering (`async_`), above 16 otherwise.
    pub fn params_spill_for(&self, async_: bool) -> bool {
        let max = if async_ { MAX_FLAT_ASYNC_PARAMS } else { MAX_FLAT_PARAMS };
        self.params_abi.flat as usize > max
    }

    /// Whether a lowered call's result travels through memory: always for
    /// an `async` lowering (`async_`), above 1 flat value otherwise.
    pub fn result_spills_for(&self, async_: bool) -> bool {
        if async_ { self.result.is_some() } else { self.result_spills() }
    }

    /// Whether the result travels through memory (more than 1 flat value).
    pub fn result_spills(&self) -> bool {
        self.result_abi.flat as usize > MAX_FLAT_RESULTS
    }

    /// The core signature of an `async` `canon lift` (`lower == false`,
    /// with or without `callback`) or `canon lower` (`lower == true`).
    pub fn async_core_signature(
        &self,
        lower: bool,
        callback: bool,
    ) -> (Vec<ValType>, Vec<ValType>) {
        let max = if lower { MAX_FLAT_ASYNC_PARAMS } else { MAX_FLAT_PARAMS };
        let mut params = Vec::new();
        if self.params_abi.flat as usize > max {
            params.push(ValType::I32);
        } else {
            self.params.iter().for_each(|(_, t)| t.push_flat(&mut params));
        }
        if lower {
            if self.result_abi.flat > 0 {
                params.push(ValType::I32);
            }
            (params, vec![ValType::I32])
        } else {
            (params, if callback { vec![ValType::I32] } else { vec![] })
        }
    }

    /// The core signature of `canon lift` (`lower == false`) or `canon
    /// lower` (`lower == true`) of this type.
    pub fn core_signature(&self, lower: bool) -> (Vec<ValType>, Vec<ValType>) {
        let mut params = Vec::new();
        if self.params_spill() {
            params.push(ValType::I32);
        } else {
            self.params.iter().for_each(|(_, t)| t.push_flat(&mut params));
        }
        let mut results = Vec::new();
        if self.result_spills() {
            if lower {
                params.push(ValType::I32);
            } else {
                results.push(ValType::I32);
            }
        } else if let Some(t) = &self.result {
            t.push_flat(&mut results);
        }
        (params, results)
    }
}

/// Converts validator types of one component into [`Ty`]s, numbering the
/// resources it meets.
pub(crate) struct TypeConverter {
    defined: HashMap<ComponentDefinedTypeId, Ty>,
    funcs: HashMap<ComponentFuncTypeId, Arc<FuncTy>>,
    /// Dense index of each resource met so far.
    pub resources: HashMap<ResourceId, u32>,
    pub resource_ids: Vec<ResourceId>,
}

impl TypeConverter {
    pub fn new() -> TypeConverter {
        TypeConverter {
            defined: HashMap::new(),
            funcs: HashMap::new(),
            resources: HashMap::new(),
            resource_ids: Vec::new(),
        }
    }

    pub fn resource_index(&mut self, id: ResourceId) -> u32 {
        *self.resources.entry(id).or_insert_with(|| {
            self.resource_ids.push(id);
            self.resource_ids.len() as u32 - 1
        })
    }

    pub fn func(&mut self, types: TypesRef<'_>, id: ComponentFuncTypeId) -> Result<Arc<FuncTy>> {
        if let Some(f) = self.funcs.get(&id) {
            return Ok(f.clone());
        }
        let ft = &types[id];
        let mut params = Vec::with_capacity(ft.params.len());
        for (n, t) in ft.params.iter() {
            params.push((n.to_string(), self.valtype(types, *t)?));
        }
        let result = ft.result.map(|t| self.valtype(types, t)).transpose()?;
        let mut f = FuncTy::new(params, result);
        f.async_ = ft.async_;
        let f = Arc::new(f);
        self.funcs.insert(id, f.clone());
        Ok(f)
    }

    pub fn valtype(&mut self, types: TypesRef<'_>, ty: ComponentValType) -> Result<Ty> {
        match ty {
            ComponentValType::Primitive(p) => primitive(p),
            ComponentValType::Type(id) => self.defined(types, id),
        }
    }

    fn defined(&mut self, types: TypesRef<'_>, id: ComponentDefinedTypeId) -> Result<Ty> {
        if let Some(t) = self.defined.get(&id) {
            return Ok(t.clone());
        }
        let ty = match &types[id] {
            ComponentDefinedType::Primitive(p) => primitive(*p)?,
            ComponentDefinedType::Record(r) => {
                let mut fields = Vec::with_capacity(r.fields.len());
                for (n, t) in r.fields.iter() {
                    fields.push((n.to_string(), self.valtype(types, *t)?));
                }
                Ty::Record(Arc::new(RecordTy::new(fields)))
            }
            ComponentDefinedType::Variant(v) => {
                let mut cases = Vec::with_capacity(v.cases.len());
                for (n, c) in v.cases.iter() {
                    cases.push((n.to_string(), c.ty.map(|t| self.valtype(types, t)).transpose()?));
                }
                Ty::Variant(Arc::new(VariantTy::new(cases)))
            }
            ComponentDefinedType::List { element, .. } => {
                Ty::List(Arc::new(self.valtype(types, *element)?))
            }
            ComponentDefinedType::Map { key, value, .. } => {
                // A map is a list of key/value tuples in the canonical ABI.
                let k = self.valtype(types, *key)?;
                let v = self.valtype(types, *value)?;
                Ty::List(Arc::new(Ty::Tuple(Arc::new(TupleTy::new(vec![k, v])))))
            }
            ComponentDefinedType::FixedLengthList { element, length, .. } => {
                let elem = self.valtype(types, *element)?;
                Ty::FixedList(Arc::new(FixedListTy::new(elem, *length)))
            }
            ComponentDefinedType::Tuple(t) => {
                let mut tys = Vec::with_capacity(t.types.len());
                for t in t.types.iter() {
                    tys.push(self.valtype(types, *t)?);
                }
                Ty::Tuple(Arc::new(TupleTy::new(tys)))
            }
            ComponentDefinedType::Flags(names) => {
                Ty::Flags(Arc::new(FlagsTy::new(names.iter().map(|n| n.to_string()).collect())))
            }
            ComponentDefinedType::Enum(names) => {
                Ty::Enum(Arc::new(EnumTy::new(names.iter().map(|n| n.to_string()).collect())))
            }
            ComponentDefinedType::Option { ty, .. } => {
                Ty::Option(Arc::new(OptionTy::new(self.valtype(types, *ty)?)))
            }
            ComponentDefinedType::Result { ok, err, .. } => {
                let ok = ok.map(|t| self.valtype(types, t)).transpose()?;
                let err = err.map(|t| self.valtype(types, t)).transpose()?;
                Ty::Result(Arc::new(ResultTy::new(ok, err)))
            }
            ComponentDefinedType::Own(r) => Ty::Own(self.resource_index(r.resource())),
            ComponentDefinedType::Borrow(r) => Ty::Borrow(self.resource_index(r.resource())),
            ComponentDefinedType::Future { ty, .. } => {
                Ty::Future(ty.map(|t| self.valtype(types, t)).transpose()?.map(Arc::new))
            }
            ComponentDefinedType::Stream { ty, .. } => {
                Ty::Stream(ty.map(|t| self.valtype(types, t)).transpose()?.map(Arc::new))
            }
            #[allow(unreachable_patterns)]
            other => bail!("unsupported component type: {other:?}"),
        };
        self.defined.insert(id, ty.clone());
        Ok(ty)
    }
}

fn primitive(p: PrimitiveValType) -> Result<Ty> {
    Ok(match p {
        PrimitiveValType::Bool => Ty::Bool,
        PrimitiveValType::S8 => Ty::S8,
        PrimitiveValType::U8 => Ty::U8,
        PrimitiveValType::S16 => Ty::S16,
        PrimitiveValType::U16 => Ty::U16,
        PrimitiveValType::S32 => Ty::S32,
        PrimitiveValType::U32 => Ty::U32,
        PrimitiveValType::S64 => Ty::S64,
        PrimitiveValType::U64 => Ty::U64,
        PrimitiveValType::F32 => Ty::F32,
        PrimitiveValType::F64 => Ty::F64,
        PrimitiveValType::Char => Ty::Char,
        PrimitiveValType::String => Ty::String,
        PrimitiveValType::ErrorContext => Ty::ErrorContext,
    })
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::List(t) => write!(f, "list<{t}>"),
            Ty::FixedList(t) => write!(f, "list<{}, {}>", t.elem, t.len),
            Ty::Option(t) => write!(f, "option<{}>", t.ty),
            Ty::Tuple(t) => {
                f.write_str("tuple<")?;
                for (i, t) in t.types.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str(">")
            }
            Ty::Result(t) => match (&t.ok, &t.err) {
                (None, None) => f.write_str("result"),
                (Some(o), None) => write!(f, "result<{o}>"),
                (None, Some(e)) => write!(f, "result<_, {e}>"),
                (Some(o), Some(e)) => write!(f, "result<{o}, {e}>"),
            },
            other => f.write_str(other.desc()),
        }
    }
}
