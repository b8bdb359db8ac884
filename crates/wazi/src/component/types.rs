//! Component value types for embedders: what a function takes and
//! returns, for generic hosts (e.g. parsing arguments typed as text).

use super::abi_types::{self, Ty};
use super::resources::ResourceType;
use super::store::Resources;
use std::fmt;
use std::sync::Arc;

/// A component value type.
#[derive(Clone, Debug)]
pub enum Type {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    Float32,
    Float64,
    Char,
    String,
    List(List),
    Record(Record),
    Tuple(Tuple),
    Variant(Variant),
    Enum(Enum),
    Option(OptionType),
    Result(ResultType),
    Flags(Flags),
    Own(ResourceType),
    Borrow(ResourceType),
}

impl Type {
    pub(crate) fn new(ty: Ty, r: Resources) -> Type {
        let resource = |i: u32| {
            r.get(i as usize).copied().flatten().unwrap_or(ResourceType::host::<Unknown>())
        };
        match ty {
            Ty::Bool => Type::Bool,
            Ty::S8 => Type::S8,
            Ty::U8 => Type::U8,
            Ty::S16 => Type::S16,
            Ty::U16 => Type::U16,
            Ty::S32 => Type::S32,
            Ty::U32 => Type::U32,
            Ty::S64 => Type::S64,
            Ty::U64 => Type::U64,
            Ty::F32 => Type::Float32,
            Ty::F64 => Type::Float64,
            Ty::Char => Type::Char,
            Ty::String => Type::String,
            Ty::Own(i) => Type::Own(resource(i)),
            Ty::Borrow(i) => Type::Borrow(resource(i)),
            Ty::List(e) => Type::List(List { elem: ListElem::Dynamic(e), r }),
            Ty::FixedList(t) => Type::List(List { elem: ListElem::Fixed(t), r }),
            Ty::Record(t) => Type::Record(Record { t, r }),
            Ty::Tuple(t) => Type::Tuple(Tuple { t, r }),
            Ty::Variant(t) => Type::Variant(Variant { t, r }),
            Ty::Enum(t) => Type::Enum(Enum { t }),
            Ty::Option(t) => Type::Option(OptionType { t, r }),
            Ty::Result(t) => Type::Result(ResultType { t, r }),
            Ty::Flags(t) => Type::Flags(Flags { t }),
        }
    }
}

/// Stands for a resource type the instance has not bound (never seen in
/// types of instantiated functions).
struct Unknown;

#[derive(Clone, Debug)]
enum ListElem {
    Dynamic(Arc<Ty>),
    Fixed(Arc<abi_types::FixedListTy>),
}

/// A `list<T>` (or fixed-length `list<T, N>`) type.
#[derive(Clone, Debug)]
pub struct List {
    elem: ListElem,
    r: Resources,
}

impl List {
    pub fn ty(&self) -> Type {
        match &self.elem {
            ListElem::Dynamic(e) => Type::new((**e).clone(), self.r.clone()),
            ListElem::Fixed(t) => Type::new(t.elem.clone(), self.r.clone()),
        }
    }

    /// The length of a fixed-length list.
    pub fn fixed_length(&self) -> Option<u32> {
        match &self.elem {
            ListElem::Fixed(t) => Some(t.len),
            ListElem::Dynamic(_) => None,
        }
    }
}

/// A field of a record.
pub struct Field<'a> {
    pub name: &'a str,
    pub ty: Type,
}

#[derive(Clone, Debug)]
pub struct Record {
    t: Arc<abi_types::RecordTy>,
    r: Resources,
}

impl Record {
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Field<'_>> {
        self.t
            .fields
            .iter()
            .map(|(n, t)| Field { name: n, ty: Type::new(t.clone(), self.r.clone()) })
    }
}

#[derive(Clone, Debug)]
pub struct Tuple {
    t: Arc<abi_types::TupleTy>,
    r: Resources,
}

impl Tuple {
    pub fn types(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.t.types.iter().map(|t| Type::new(t.clone(), self.r.clone()))
    }
}

/// A case of a variant.
pub struct Case<'a> {
    pub name: &'a str,
    pub ty: Option<Type>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    t: Arc<abi_types::VariantTy>,
    r: Resources,
}

impl Variant {
    pub fn cases(&self) -> impl ExactSizeIterator<Item = Case<'_>> {
        self.t.cases.iter().map(|(n, t)| Case {
            name: n,
            ty: t.as_ref().map(|t| Type::new(t.clone(), self.r.clone())),
        })
    }
}

#[derive(Clone, Debug)]
pub struct Enum {
    t: Arc<abi_types::EnumTy>,
}

impl Enum {
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.t.names.iter().map(|s| s.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct OptionType {
    t: Arc<abi_types::OptionTy>,
    r: Resources,
}

impl OptionType {
    pub fn ty(&self) -> Type {
        Type::new(self.t.ty.clone(), self.r.clone())
    }
}

#[derive(Clone, Debug)]
pub struct ResultType {
    t: Arc<abi_types::ResultTy>,
    r: Resources,
}

impl ResultType {
    pub fn ok(&self) -> Option<Type> {
        self.t.ok.as_ref().map(|t| Type::new(t.clone(), self.r.clone()))
    }

    pub fn err(&self) -> Option<Type> {
        self.t.err.as_ref().map(|t| Type::new(t.clone(), self.r.clone()))
    }
}

#[derive(Clone, Debug)]
pub struct Flags {
    t: Arc<abi_types::FlagsTy>,
}

impl Flags {
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.t.names.iter().map(|s| s.as_str())
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Type::Bool => "bool",
            Type::S8 => "s8",
            Type::U8 => "u8",
            Type::S16 => "s16",
            Type::U16 => "u16",
            Type::S32 => "s32",
            Type::U32 => "u32",
            Type::S64 => "s64",
            Type::U64 => "u64",
            Type::Float32 => "f32",
            Type::Float64 => "f64",
            Type::Char => "char",
            Type::String => "string",
            Type::List(l) => return write!(f, "list<{}>", l.ty()),
            Type::Record(_) => "record",
            Type::Tuple(_) => "tuple",
            Type::Variant(_) => "variant",
            Type::Enum(_) => "enum",
            Type::Option(o) => return write!(f, "option<{}>", o.ty()),
            Type::Result(_) => "result",
            Type::Flags(_) => "flags",
            Type::Own(_) => "own",
            Type::Borrow(_) => "borrow",
        };
        f.write_str(s)
    }
}
