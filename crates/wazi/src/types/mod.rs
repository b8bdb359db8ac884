//! Types of WebAssembly values and entities.

pub(crate) mod registry;

use anyhow::{Result, bail};
use std::fmt;

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// A 32-bit integer.
    I32,
    /// A 64-bit integer.
    I64,
    /// A 32-bit float.
    F32,
    /// A 64-bit float.
    F64,
    /// A 128-bit vector (the SIMD proposal).
    V128,
    /// `funcref`, nullable.
    FuncRef,
    /// `externref`, nullable.
    ExternRef,
    /// `exnref`, nullable (the exception-handling proposal).
    ExnRef,
    /// `anyref`, nullable (the GC proposal).
    AnyRef,
    /// Any other reference type (typed function references and GC):
    /// `(ref $t)`, `(ref func)`, `(ref null nofunc)`, `eqref`, `i31ref`...
    /// The four nullable tops are always the variants above.
    Ref(TypedRef),
}

/// A reference type other than `funcref`, `externref`, `exnref` and
/// `anyref` (see [`ValType::Ref`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TypedRef {
    nullable: bool,
    heap: HeapType,
}

/// What a reference points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Any function.
    Func,
    /// The bottom of functions (only null).
    NoFunc,
    /// Any host reference (`externref`'s).
    Extern,
    /// The bottom of external references (only null).
    NoExtern,
    /// Any exception object.
    Exn,
    /// The bottom of exception references (only null).
    NoExn,
    /// Any GC value: an `i31`, a struct, an array, or an external
    /// reference converted by `any.convert_extern`.
    Any,
    /// Values `ref.eq` compares: `i31`s, structs and arrays.
    Eq,
    /// Unboxed 31-bit integers.
    I31,
    /// Any struct.
    Struct,
    /// Any array.
    Array,
    /// The bottom of GC references (only null).
    None,
    /// Values of one defined type (a function, struct or array type),
    /// named by its process-wide id.
    Concrete(u32),
}

impl HeapType {
    /// Whether every reference to `self` is one to `other`.
    pub fn matches(self, other: HeapType) -> bool {
        use HeapType::*;
        if self == other {
            return true;
        }
        match (self, other) {
            (Concrete(a), Concrete(b)) => registry::is_subtype(a, b),
            (Concrete(a), b) => {
                let k = registry::kind(a).abstract_heap();
                k == b || (k != Func && matches!(b, Eq | Any))
            }
            (NoFunc, Concrete(b)) => registry::kind(b) == registry::Kind::Func,
            (None, Concrete(b)) => registry::kind(b) != registry::Kind::Func,
            (NoFunc, Func) | (NoExtern, Extern) | (NoExn, Exn) => true,
            (None, Any | Eq | I31 | Struct | Array) => true,
            (Eq | I31 | Struct | Array, Any) => true,
            (I31 | Struct | Array, Eq) => true,
            _ => false,
        }
    }

    /// The top of this heap type's hierarchy, as a nullable reference type.
    pub(crate) fn top(self) -> ValType {
        use HeapType::*;
        match self {
            Func | NoFunc => ValType::FuncRef,
            Extern | NoExtern => ValType::ExternRef,
            Exn | NoExn => ValType::ExnRef,
            Any | Eq | I31 | Struct | Array | None => ValType::AnyRef,
            Concrete(id) => match registry::kind(id) {
                registry::Kind::Func => ValType::FuncRef,
                _ => ValType::AnyRef,
            },
        }
    }

    /// The same heap type with its ids mapped by `f`.
    fn map_ids(self, f: &impl Fn(u32) -> u32) -> HeapType {
        match self {
            HeapType::Concrete(id) => HeapType::Concrete(f(id)),
            h => h,
        }
    }
}

impl ValType {
    /// The reference type with these nullability and heap type.
    pub fn reference(nullable: bool, heap: HeapType) -> ValType {
        match (nullable, heap) {
            (true, HeapType::Func) => ValType::FuncRef,
            (true, HeapType::Extern) => ValType::ExternRef,
            (true, HeapType::Exn) => ValType::ExnRef,
            (true, HeapType::Any) => ValType::AnyRef,
            _ => ValType::Ref(TypedRef { nullable, heap }),
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(&self) -> bool {
        matches!(
            self,
            ValType::FuncRef
                | ValType::ExternRef
                | ValType::ExnRef
                | ValType::AnyRef
                | ValType::Ref(_)
        )
    }

    /// Whether values of this type may be references the collector traces
    /// (GC objects, exceptions, and `externref`s, which may be converted
    /// GC references): any reference type but the abstract function ones.
    /// A concrete type counts even if it is a function type: telling needs
    /// the type registry, which is locked while it lays types out, and the
    /// collector ignores function references it meets anyway.
    pub(crate) fn is_traced(&self) -> bool {
        self.as_ref().is_some_and(|(_, h)| !matches!(h, HeapType::Func | HeapType::NoFunc))
    }

    /// A reference type's nullability and heap type.
    pub fn as_ref(&self) -> Option<(bool, HeapType)> {
        match *self {
            ValType::FuncRef => Some((true, HeapType::Func)),
            ValType::ExternRef => Some((true, HeapType::Extern)),
            ValType::ExnRef => Some((true, HeapType::Exn)),
            ValType::AnyRef => Some((true, HeapType::Any)),
            ValType::Ref(r) => Some((r.nullable, r.heap)),
            _ => None,
        }
    }

    /// The type whose values this one's are represented as: a reference
    /// type's nullable top (`funcref`, `externref`, `exnref`, `anyref`),
    /// else itself.
    pub(crate) fn family(&self) -> ValType {
        match self {
            ValType::Ref(r) => r.heap.top(),
            t => *t,
        }
    }

    /// Whether every value of `self` is a value of `other` (subtyping).
    pub fn matches(&self, other: &ValType) -> bool {
        match (self.as_ref(), other.as_ref()) {
            (Some((n1, h1)), Some((n2, h2))) => (!n1 || n2) && h1.matches(h2),
            _ => self == other,
        }
    }

    /// The same type with its ids mapped by `f`.
    pub(crate) fn map_ids(self, f: &impl Fn(u32) -> u32) -> ValType {
        match self {
            ValType::Ref(r) => ValType::Ref(TypedRef { heap: r.heap.map_ids(f), ..r }),
            t => t,
        }
    }

    /// The number of 64-bit frame slots a value of this type takes.
    pub(crate) fn slots(&self) -> usize {
        if *self == ValType::V128 { 2 } else { 1 }
    }

    /// `t`, whose concrete type indices are the module's: `ids` maps
    /// those defined so far to engine-wide ids.
    pub(crate) fn from_wasmparser(t: wasmparser::ValType, ids: &[u32]) -> Result<ValType> {
        Ok(match t {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => RefType::from_wasmparser(r, ids)?.into(),
        })
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
            ValType::AnyRef => "anyref",
            ValType::Ref(r) => return r.fmt(f),
        })
    }
}

impl fmt::Display for TypedRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(ref {}", if self.nullable { "null " } else { "" })?;
        match self.heap {
            HeapType::Func => write!(f, "func)"),
            HeapType::NoFunc => write!(f, "nofunc)"),
            HeapType::Extern => write!(f, "extern)"),
            HeapType::NoExtern => write!(f, "noextern)"),
            HeapType::Exn => write!(f, "exn)"),
            HeapType::NoExn => write!(f, "noexn)"),
            HeapType::Any => write!(f, "any)"),
            HeapType::Eq => write!(f, "eq)"),
            HeapType::I31 => write!(f, "i31)"),
            HeapType::Struct => write!(f, "struct)"),
            HeapType::Array => write!(f, "array)"),
            HeapType::None => write!(f, "none)"),
            HeapType::Concrete(id) => write!(f, "(type {id}))"),
        }
    }
}

/// A reference type: a [`ValType`] that [`ValType::is_ref`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefType {
    /// `funcref`, nullable.
    FuncRef,
    /// `externref`, nullable.
    ExternRef,
    /// `exnref` (the exception-handling proposal).
    ExnRef,
    /// `anyref` (the GC proposal).
    AnyRef,
    /// Any other reference type (see [`ValType::Ref`]).
    Ref(TypedRef),
}

impl RefType {
    pub(crate) fn from_wasmparser(r: wasmparser::RefType, ids: &[u32]) -> Result<RefType> {
        use wasmparser::{AbstractHeapType as A, HeapType as H, UnpackedIndex as U};
        let heap = match r.heap_type() {
            H::Abstract { shared: false, ty: A::Func } => HeapType::Func,
            H::Abstract { shared: false, ty: A::NoFunc } => HeapType::NoFunc,
            H::Abstract { shared: false, ty: A::Extern } => HeapType::Extern,
            H::Abstract { shared: false, ty: A::NoExtern } => HeapType::NoExtern,
            H::Abstract { shared: false, ty: A::Exn } => HeapType::Exn,
            H::Abstract { shared: false, ty: A::NoExn } => HeapType::NoExn,
            H::Abstract { shared: false, ty: A::Any } => HeapType::Any,
            H::Abstract { shared: false, ty: A::Eq } => HeapType::Eq,
            H::Abstract { shared: false, ty: A::I31 } => HeapType::I31,
            H::Abstract { shared: false, ty: A::Struct } => HeapType::Struct,
            H::Abstract { shared: false, ty: A::Array } => HeapType::Array,
            H::Abstract { shared: false, ty: A::None } => HeapType::None,
            H::Concrete(U::Module(i)) | H::Exact(U::Module(i)) => match ids.get(i as usize) {
                Some(&id) => HeapType::Concrete(id),
                None => bail!("reference to type {i}, which is not defined before"),
            },
            _ => bail!("reference type {r} is not supported (shared or stack-switching types)"),
        };
        Ok(RefType::try_from(ValType::reference(r.is_nullable(), heap)).expect("a reference"))
    }
}

impl TryFrom<ValType> for RefType {
    type Error = ValType;

    fn try_from(t: ValType) -> Result<RefType, ValType> {
        match t {
            ValType::FuncRef => Ok(RefType::FuncRef),
            ValType::ExternRef => Ok(RefType::ExternRef),
            ValType::ExnRef => Ok(RefType::ExnRef),
            ValType::AnyRef => Ok(RefType::AnyRef),
            ValType::Ref(t) => Ok(RefType::Ref(t)),
            t => Err(t),
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
            RefType::ExnRef => ValType::ExnRef,
            RefType::AnyRef => ValType::AnyRef,
            RefType::Ref(t) => ValType::Ref(t),
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ValType::from(*self).fmt(f)
    }
}

/// A function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    params: Box<[ValType]>,
    results: Box<[ValType]>,
}

impl FuncType {
    /// A function type with these parameters and results.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        FuncType { params: params.into_iter().collect(), results: results.into_iter().collect() }
    }

    /// The parameter types, in order.
    pub fn params(&self) -> &[ValType] {
        &self.params
    }

    /// The result types, in order.
    pub fn results(&self) -> &[ValType] {
        &self.results
    }

    /// Frame slots the parameters take.
    pub(crate) fn param_slots(&self) -> usize {
        self.params.iter().map(ValType::slots).sum()
    }

    /// Frame slots the results take.
    pub(crate) fn result_slots(&self) -> usize {
        self.results.iter().map(ValType::slots).sum()
    }

    /// Slots a call of this type needs at the callee's frame base: its
    /// arguments go in and its results come out there.
    pub(crate) fn call_slots(&self) -> usize {
        self.param_slots().max(self.result_slots())
    }

    pub(crate) fn from_wasmparser(t: &wasmparser::FuncType, ids: &[u32]) -> Result<FuncType> {
        let convert = |v: &[wasmparser::ValType]| {
            v.iter().map(|&v| ValType::from_wasmparser(v, ids)).collect::<Result<_>>()
        };
        Ok(FuncType { params: convert(t.params())?, results: convert(t.results())? })
    }

    fn map_ids(&self, f: &impl Fn(u32) -> u32) -> FuncType {
        FuncType {
            params: self.params.iter().map(|t| t.map_ids(f)).collect(),
            results: self.results.iter().map(|t| t.map_ids(f)).collect(),
        }
    }
}

/// What a struct field or array element holds: a value, or a packed
/// integer (`i8`, `i16`) read back with sign or zero extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    /// An 8-bit integer.
    I8,
    /// A 16-bit integer.
    I16,
    /// A value of a value type.
    Val(ValType),
}

impl StorageType {
    /// The type of the values read from and written to this storage.
    pub fn unpacked(&self) -> ValType {
        match self {
            StorageType::I8 | StorageType::I16 => ValType::I32,
            StorageType::Val(t) => *t,
        }
    }

    /// Bytes an element takes in a data segment (`array.new_data`).
    pub(crate) fn byte_size(&self) -> usize {
        match self {
            StorageType::I8 => 1,
            StorageType::I16 => 2,
            StorageType::Val(ValType::I64 | ValType::F64) => 8,
            StorageType::Val(ValType::V128) => 16,
            StorageType::Val(_) => 4,
        }
    }

    fn from_wasmparser(t: wasmparser::StorageType, ids: &[u32]) -> Result<StorageType> {
        Ok(match t {
            wasmparser::StorageType::I8 => StorageType::I8,
            wasmparser::StorageType::I16 => StorageType::I16,
            wasmparser::StorageType::Val(v) => StorageType::Val(ValType::from_wasmparser(v, ids)?),
        })
    }

    fn map_ids(self, f: &impl Fn(u32) -> u32) -> StorageType {
        match self {
            StorageType::Val(t) => StorageType::Val(t.map_ids(f)),
            s => s,
        }
    }
}

impl fmt::Display for StorageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageType::I8 => f.write_str("i8"),
            StorageType::I16 => f.write_str("i16"),
            StorageType::Val(t) => t.fmt(f),
        }
    }
}

/// A struct field's or array element's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldType {
    /// What it holds.
    pub storage: StorageType,
    /// Whether `struct.set` / `array.set` may change it.
    pub mutable: bool,
}

impl FieldType {
    fn from_wasmparser(t: &wasmparser::FieldType, ids: &[u32]) -> Result<FieldType> {
        Ok(FieldType {
            storage: StorageType::from_wasmparser(t.element_type, ids)?,
            mutable: t.mutable,
        })
    }

    fn map_ids(self, f: &impl Fn(u32) -> u32) -> FieldType {
        FieldType { storage: self.storage.map_ids(f), ..self }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mutable { write!(f, "(mut {})", self.storage) } else { self.storage.fmt(f) }
    }
}

/// A struct type (the GC proposal): its fields in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StructType {
    fields: Box<[FieldType]>,
}

impl StructType {
    /// A struct type with these fields.
    pub fn new(fields: impl IntoIterator<Item = FieldType>) -> StructType {
        StructType { fields: fields.into_iter().collect() }
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[FieldType] {
        &self.fields
    }
}

/// An array type (the GC proposal): its element type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArrayType {
    element: FieldType,
}

impl ArrayType {
    /// An array type of `element`s.
    pub fn new(element: FieldType) -> ArrayType {
        ArrayType { element }
    }

    /// The element type.
    pub fn element(&self) -> &FieldType {
        &self.element
    }
}

/// A defined type's definition: a function, struct or array type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CompositeType {
    Func(FuncType),
    Struct(StructType),
    Array(ArrayType),
}

/// A defined type as declared: its definition, whether it is final, and
/// its declared supertype (an id).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SubType {
    pub is_final: bool,
    pub supertype: Option<u32>,
    pub composite: CompositeType,
}

impl SubType {
    /// `t`, whose type indices are the module's: `ids` maps each index
    /// defined so far (and the indices of `t`'s own recursion group, to
    /// `registry::LOCAL + i`) to an id.
    pub(crate) fn from_wasmparser(t: &wasmparser::SubType, ids: &[u32]) -> Result<SubType> {
        if t.composite_type.shared {
            bail!("shared types (the shared-everything threads proposal) are not supported");
        }
        if t.composite_type.descriptor_idx.is_some() || t.composite_type.describes_idx.is_some() {
            bail!("descriptor types (the custom-descriptors proposal) are not supported");
        }
        let composite = match &t.composite_type.inner {
            wasmparser::CompositeInnerType::Func(f) => {
                CompositeType::Func(FuncType::from_wasmparser(f, ids)?)
            }
            wasmparser::CompositeInnerType::Struct(s) => CompositeType::Struct(StructType {
                fields: s
                    .fields
                    .iter()
                    .map(|f| FieldType::from_wasmparser(f, ids))
                    .collect::<Result<_>>()?,
            }),
            wasmparser::CompositeInnerType::Array(a) => {
                CompositeType::Array(ArrayType { element: FieldType::from_wasmparser(&a.0, ids)? })
            }
            wasmparser::CompositeInnerType::Cont(_) => {
                bail!("continuation types (the stack-switching proposal) are not supported")
            }
        };
        let supertype = match t.supertype_idxs.first().map(|i| i.unpack()) {
            None => None,
            Some(wasmparser::UnpackedIndex::Module(i)) => match ids.get(i as usize) {
                Some(&id) => Some(id),
                None => bail!("supertype {i} is not defined before"),
            },
            Some(other) => bail!("unexpected supertype index {other:?}"),
        };
        Ok(SubType { is_final: t.is_final, supertype, composite })
    }

    /// The same type with its ids mapped by `f`.
    pub(crate) fn map_ids(&self, f: &impl Fn(u32) -> u32) -> SubType {
        SubType {
            is_final: self.is_final,
            supertype: self.supertype.map(f),
            composite: match &self.composite {
                CompositeType::Func(t) => CompositeType::Func(t.map_ids(f)),
                CompositeType::Struct(s) => CompositeType::Struct(StructType {
                    fields: s.fields.iter().map(|t| t.map_ids(f)).collect(),
                }),
                CompositeType::Array(a) => {
                    CompositeType::Array(ArrayType { element: a.element.map_ids(f) })
                }
            },
        }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(func")?;
        if !self.params.is_empty() {
            write!(f, " (param")?;
            for p in self.params.iter() {
                write!(f, " {p}")?;
            }
            write!(f, ")")?;
        }
        if !self.results.is_empty() {
            write!(f, " (result")?;
            for r in self.results.iter() {
                write!(f, " {r}")?;
            }
            write!(f, ")")?;
        }
        write!(f, ")")
    }
}

/// Whether a global can be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Immutable (`(global i32)`).
    Const,
    /// Mutable (`(global (mut i32))`).
    Var,
}

/// A global's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    content: ValType,
    mutability: Mutability,
}

impl GlobalType {
    /// A global holding values of type `content`.
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType { content, mutability }
    }

    /// The type of the global's value.
    pub fn content(&self) -> &ValType {
        &self.content
    }

    /// Whether the global can be set.
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }

    pub(crate) fn from_wasmparser(g: &wasmparser::GlobalType, ids: &[u32]) -> Result<GlobalType> {
        if g.shared {
            bail!("shared globals need the threads proposal, which is not supported");
        }
        Ok(GlobalType {
            content: ValType::from_wasmparser(g.content_type, ids)?,
            mutability: if g.mutable { Mutability::Var } else { Mutability::Const },
        })
    }
}

impl fmt::Display for GlobalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutability {
            Mutability::Const => write!(f, "(global {})", self.content),
            Mutability::Var => write!(f, "(global (mut {}))", self.content),
        }
    }
}

/// A table's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    element: RefType,
    min: u32,
    max: Option<u32>,
    /// Indexed by `i64` (the memory64 proposal's 64-bit tables).
    table64: bool,
}

impl TableType {
    /// A 32-bit table of `element`s, with limits in elements.
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> TableType {
        TableType { element, min, max, table64: false }
    }

    /// A 64-bit table (indexed by `i64`). Its sizes stay below 2^32
    /// elements in wazi.
    pub fn new64(element: RefType, min: u32, max: Option<u32>) -> TableType {
        TableType { element, min, max, table64: true }
    }

    /// Whether the table is indexed by `i64`.
    pub fn is_64(&self) -> bool {
        self.table64
    }

    /// The same type with another minimum (a table's current size).
    pub(crate) fn with_minimum(self, min: u32) -> TableType {
        TableType { min, ..self }
    }

    /// The type of the table's elements.
    pub fn element(&self) -> &RefType {
        &self.element
    }

    /// The minimum size in elements (the current size, for a type read
    /// from a live table).
    pub fn minimum(&self) -> u32 {
        self.min
    }

    /// The maximum size in elements, if any.
    pub fn maximum(&self) -> Option<u32> {
        self.max
    }

    pub(crate) fn from_wasmparser(t: &wasmparser::TableType, ids: &[u32]) -> Result<TableType> {
        if t.shared {
            bail!("shared tables need the threads proposal, which is not supported");
        }
        // 64-bit tables hold fewer than 2^32 elements here too: a larger
        // minimum cannot be allocated, a larger maximum never bites.
        let min = u32::try_from(t.initial)
            .map_err(|_| anyhow::anyhow!("table minimum size {} is too large", t.initial))?;
        Ok(TableType {
            element: RefType::from_wasmparser(t.element_type, ids)?,
            min,
            max: t.maximum.map(|m| m.min(u32::MAX as u64) as u32),
            table64: t.table64,
        })
    }
}

impl fmt::Display for TableType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(table {}{}", if self.table64 { "i64 " } else { "" }, self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        write!(f, " {})", self.element)
    }
}

/// A linear memory's type: its limits in pages of 64 KiB, or of the page
/// size the custom-page-sizes proposal gives it (1 byte or 64 KiB).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    min: u64,
    max: Option<u64>,
    page_size_log2: u8,
    is64: bool,
    shared: bool,
}

impl MemoryType {
    /// A memory of 64 KiB pages.
    pub fn new(min: u32, max: Option<u32>) -> MemoryType {
        MemoryType {
            min: min as u64,
            max: max.map(u64::from),
            page_size_log2: 16,
            is64: false,
            shared: false,
        }
    }

    /// A shared memory (the threads proposal) of 64 KiB pages: it must have
    /// a maximum.
    pub fn shared(min: u32, max: u32) -> MemoryType {
        MemoryType { shared: true, ..MemoryType::new(min, Some(max)) }
    }

    /// Whether the memory is shared between threads.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// A 64-bit memory (the memory64 proposal) of 64 KiB pages.
    pub fn new64(min: u64, max: Option<u64>) -> MemoryType {
        MemoryType { min, max, page_size_log2: 16, is64: true, shared: false }
    }

    /// Whether addresses are 64-bit (memory64).
    pub fn is_64(&self) -> bool {
        self.is64
    }

    /// The same limits in pages of `2^log2` bytes (0 or 16, the sizes the
    /// custom-page-sizes proposal allows).
    pub fn with_page_size_log2(self, log2: u8) -> Result<MemoryType> {
        if log2 != 0 && log2 != 16 {
            bail!("page size of 2^{log2} bytes: only 1 and 65536 are valid");
        }
        Ok(MemoryType { page_size_log2: log2, ..self })
    }

    /// The same type with minimum `min`.
    pub(crate) fn with_minimum(self, min: u64) -> MemoryType {
        MemoryType { min, ..self }
    }

    /// Bytes per page.
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }

    /// The most pages a memory of this page size can have (4 GiB, less one
    /// byte for 1-byte pages so that the size fits an `i32`). A 64-bit
    /// memory stays below 4 GiB in wazi, by one page: its addresses are
    /// checked by clamping them to 32 bits (see `addr64`), which is exact
    /// only while no byte lives at address `u32::MAX`.
    pub(crate) fn max_pages(&self) -> u64 {
        match (self.page_size_log2, self.is64) {
            (0, false) => u32::MAX as u64,
            (0, true) => u32::MAX as u64 - 65536,
            (_, false) => 65536,
            (_, true) => 65535,
        }
    }

    /// The minimum size in pages (the current size, for a type read from
    /// a live memory).
    pub fn minimum(&self) -> u64 {
        self.min
    }

    /// The maximum size in pages, if any.
    pub fn maximum(&self) -> Option<u64> {
        self.max
    }

    pub(crate) fn from_wasmparser(m: &wasmparser::MemoryType) -> Result<MemoryType> {
        let ty = MemoryType {
            min: m.initial,
            max: m.maximum,
            page_size_log2: 16,
            is64: m.memory64,
            shared: m.shared,
        };
        match m.page_size_log2 {
            Some(log2) => ty.with_page_size_log2(log2 as u8),
            None => Ok(ty),
        }
    }
}

impl fmt::Display for MemoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(memory {}{}", if self.is64 { "i64 " } else { "" }, self.min)?;
        if let Some(max) = self.max {
            write!(f, " {max}")?;
        }
        if self.shared {
            write!(f, " shared")?;
        }
        if self.page_size_log2 != 16 {
            write!(f, " (pagesize {})", self.page_size())?;
        }
        write!(f, ")")
    }
}

/// The type of an exception tag (the exception-handling proposal): the
/// types of the values an exception with this tag carries, as the
/// parameters of a function type with no results.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    ty: FuncType,
}

impl TagType {
    /// A tag whose exceptions carry values of `ty`'s parameter types.
    pub fn new(ty: FuncType) -> TagType {
        TagType { ty }
    }

    /// The function type whose parameters are the payload's types.
    pub fn ty(&self) -> &FuncType {
        &self.ty
    }
}

impl fmt::Display for TagType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(tag")?;
        if !self.ty.params().is_empty() {
            write!(f, " (param")?;
            for p in self.ty.params() {
                write!(f, " {p}")?;
            }
            write!(f, ")")?;
        }
        write!(f, ")")
    }
}

/// The type of an import or export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternType {
    /// A function's type.
    Func(FuncType),
    /// A global's type.
    Global(GlobalType),
    /// A table's type.
    Table(TableType),
    /// A memory's type.
    Memory(MemoryType),
    /// An exception tag.
    Tag(TagType),
}

impl ExternType {
    /// A word for the kind of entity: "function", "global"...
    pub fn kind(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "function",
            ExternType::Global(_) => "global",
            ExternType::Table(_) => "table",
            ExternType::Memory(_) => "memory",
            ExternType::Tag(_) => "tag",
        }
    }
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => t.fmt(f),
            ExternType::Global(t) => t.fmt(f),
            ExternType::Table(t) => t.fmt(f),
            ExternType::Memory(t) => t.fmt(f),
            ExternType::Tag(t) => t.fmt(f),
        }
    }
}

/// An import of a module.
#[derive(Clone, Debug)]
pub struct ImportType<'a> {
    pub(crate) module: &'a str,
    pub(crate) name: &'a str,
    pub(crate) ty: ExternType,
}

impl<'a> ImportType<'a> {
    /// The module name, the first part of the import's name.
    pub fn module(&self) -> &'a str {
        self.module
    }

    /// The field name, the second part of the import's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The type the module declares for the import.
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// An export of a module.
#[derive(Clone, Debug)]
pub struct ExportType<'a> {
    pub(crate) name: &'a str,
    pub(crate) ty: ExternType,
}

impl<'a> ExportType<'a> {
    /// The export's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The type the module declares for the export.
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}
