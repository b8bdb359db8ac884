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
    Float32,
    /// `f64`.
    Float64,
    /// `char`: a Unicode scalar value.
    Char,
    /// `string`.
    String,
    /// `list<T>` or `list<T, N>`.
    List(List),
    /// A `record`: named fields.
    Record(Record),
    /// A `tuple`: unnamed fields.
    Tuple(Tuple),
    /// A `variant`: named cases, each with an optional payload.
    Variant(Variant),
    /// An `enum`: named cases without payloads.
    Enum(Enum),
    /// `option<T>`.
    Option(OptionType),
    /// `result<T, E>`, either side possibly absent.
    Result(ResultType),
    /// `flags`: a set of named bits.
    Flags(Flags),
    /// `own<R>`: an owned handle to a resource of the given type.
    Own(ResourceType),
    /// `borrow<R>`: a borrowed handle to a resource of the given type.
    Borrow(ResourceType),
    /// `future<T>` (`None`: `future`).
    Future(Option<Box<Type>>),
    /// `stream<T>` (`None`: `stream`).
    Stream(Option<Box<Type>>),
    /// `error-context`.
    ErrorContext,
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
            Ty::Future(t) => Type::Future(t.map(|t| Box::new(Type::new((*t).clone(), r)))),
            Ty::Stream(t) => Type::Stream(t.map(|t| Box::new(Type::new((*t).clone(), r)))),
            Ty::ErrorContext => Type::ErrorContext,
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
    /// The element type.
    pub fn ty(&self) -> Type {
        match &self.elem {
            ListElem::Dynamic(e) => Type::new((**e).clone(), self.r.clone()),
            ListElem::Fixed(t) => Type::new(t.elem.clone(), self.r.clone()),
        }
    }

    /// The length of a fixed-length list (`list<T, N>`); `None` for a
    /// list of any length.
    pub fn fixed_length(&self) -> Option<u32> {
        match &self.elem {
            ListElem::Fixed(t) => Some(t.len),
            ListElem::Dynamic(_) => None,
        }
    }
}

/// A field of a record.
pub struct Field<'a> {
    /// The field's name.
    pub name: &'a str,
    /// The field's type.
    pub ty: Type,
}

/// A `record` type.
#[derive(Clone, Debug)]
pub struct Record {
    t: Arc<abi_types::RecordTy>,
    r: Resources,
}

impl Record {
    /// The fields, in declaration order (the order of their canonical-ABI
    /// layout).
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Field<'_>> {
        self.t
            .fields
            .iter()
            .map(|(n, t)| Field { name: n, ty: Type::new(t.clone(), self.r.clone()) })
    }
}

/// A `tuple` type.
#[derive(Clone, Debug)]
pub struct Tuple {
    t: Arc<abi_types::TupleTy>,
    r: Resources,
}

impl Tuple {
    /// The element types, in order.
    pub fn types(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.t.types.iter().map(|t| Type::new(t.clone(), self.r.clone()))
    }
}

/// A case of a variant.
pub struct Case<'a> {
    /// The case's name.
    pub name: &'a str,
    /// The payload's type; `None` for a case without payload.
    pub ty: Option<Type>,
}

/// A `variant` type.
#[derive(Clone, Debug)]
pub struct Variant {
    t: Arc<abi_types::VariantTy>,
    r: Resources,
}

impl Variant {
    /// The cases, in declaration order: a case's position is its
    /// discriminant.
    pub fn cases(&self) -> impl ExactSizeIterator<Item = Case<'_>> {
        self.t.cases.iter().map(|(n, t)| Case {
            name: n,
            ty: t.as_ref().map(|t| Type::new(t.clone(), self.r.clone())),
        })
    }
}

/// An `enum` type.
#[derive(Clone, Debug)]
pub struct Enum {
    t: Arc<abi_types::EnumTy>,
}

impl Enum {
    /// The case names, in declaration order: a name's position is its
    /// discriminant.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.t.names.iter().map(|s| s.as_str())
    }
}

/// An `option<T>` type.
#[derive(Clone, Debug)]
pub struct OptionType {
    t: Arc<abi_types::OptionTy>,
    r: Resources,
}

impl OptionType {
    /// The type `T` of the `some` payload.
    pub fn ty(&self) -> Type {
        Type::new(self.t.ty.clone(), self.r.clone())
    }
}

/// A `result<T, E>` type.
#[derive(Clone, Debug)]
pub struct ResultType {
    t: Arc<abi_types::ResultTy>,
    r: Resources,
}

impl ResultType {
    /// The `ok` payload's type; `None` for `result<_, E>` and `result`.
    pub fn ok(&self) -> Option<Type> {
        self.t.ok.as_ref().map(|t| Type::new(t.clone(), self.r.clone()))
    }

    /// The `error` payload's type; `None` for `result<T>` and `result`.
    pub fn err(&self) -> Option<Type> {
        self.t.err.as_ref().map(|t| Type::new(t.clone(), self.r.clone()))
    }
}

/// A `flags` type.
#[derive(Clone, Debug)]
pub struct Flags {
    t: Arc<abi_types::FlagsTy>,
}

impl Flags {
    /// The flag names, in declaration order: the `i`th name is bit `i`.
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
            Type::Future(Some(t)) => return write!(f, "future<{t}>"),
            Type::Stream(Some(t)) => return write!(f, "stream<{t}>"),
            Type::Future(None) => "future",
            Type::Stream(None) => "stream",
            Type::ErrorContext => "error-context",
            Type::Own(_) => "own",
            Type::Borrow(_) => "borrow",
        };
        f.write_str(s)
    }
}
