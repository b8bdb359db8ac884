//! The `component-values` target: a random component value type, a
//! component whose exports take and return it, and values through the
//! canonical ABI and WAVE.
//!
//! From the input bytes: a type `T` (records, variants, enums, flags,
//! lists, tuples, options, results and every primitive, nested), and a
//! component exporting `take: func(p: T)` (its core function ignores its
//! arguments) and `give: func() -> T` (its core function returns a value,
//! or a pointer into a memory filled with input bytes). Then:
//!
//! - a random value of `T` is lowered into the guest by calling `take`
//!   (must succeed), printed in WAVE and parsed back (must print the same);
//! - the WAVE text is mutated and parsed: no panic, and what parses prints
//!   and parses back to itself;
//! - `give`'s result is lifted from hostile memory: it traps or gives a
//!   value, which must be accepted back by `take` and survive WAVE.

use crate::Outcome;
use arbitrary::Unstructured;
use std::fmt::Write as _;
use wazi::component::types::Type;
use wazi::component::{Component, Linker, Val};

/// A generated component value type.
#[derive(Debug)]
enum Ty {
    Prim(&'static str),
    List(Box<Ty>),
    Record(Vec<Ty>),
    Tuple(Vec<Ty>),
    Variant(Vec<Option<Ty>>),
    Enum(usize),
    Option(Box<Ty>),
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    Flags(usize),
}

const PRIMS: &[&str] =
    &["bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string"];

fn gen_ty(u: &mut Unstructured<'_>, depth: u32) -> arbitrary::Result<Ty> {
    if depth == 0 || u.ratio(2, 5)? {
        return Ok(Ty::Prim(u.choose(PRIMS)?));
    }
    let d = depth - 1;
    let boxed = |u: &mut Unstructured<'_>| gen_ty(u, d).map(Box::new);
    Ok(match u.int_in_range(0..=7)? {
        0 => Ty::List(boxed(u)?),
        1 => {
            Ty::Record((0..u.int_in_range(1..=4)?).map(|_| gen_ty(u, d)).collect::<Result<_, _>>()?)
        }
        2 => {
            Ty::Tuple((0..u.int_in_range(1..=4)?).map(|_| gen_ty(u, d)).collect::<Result<_, _>>()?)
        }
        3 => Ty::Variant(
            (0..u.int_in_range(1..=4)?)
                .map(|_| if u.ratio(1, 3)? { Ok(None) } else { gen_ty(u, d).map(Some) })
                .collect::<Result<_, _>>()?,
        ),
        4 => Ty::Enum(u.int_in_range(1..=5)?),
        5 => Ty::Option(boxed(u)?),
        6 => Ty::Result(
            if u.arbitrary()? { Some(boxed(u)?) } else { None },
            if u.arbitrary()? { Some(boxed(u)?) } else { None },
        ),
        _ => Ty::Flags(u.int_in_range(1..=32)?),
    })
}

/// Core wasm types of the flattened canonical ABI.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Flat {
    I32,
    I64,
    F32,
    F64,
}

impl Flat {
    fn name(self) -> &'static str {
        match self {
            Flat::I32 => "i32",
            Flat::I64 => "i64",
            Flat::F32 => "f32",
            Flat::F64 => "f64",
        }
    }
}

/// `flatten_type` of the canonical ABI.
fn flatten(ty: &Ty, out: &mut Vec<Flat>) {
    match ty {
        Ty::Prim("s64" | "u64") => out.push(Flat::I64),
        Ty::Prim("f32") => out.push(Flat::F32),
        Ty::Prim("f64") => out.push(Flat::F64),
        Ty::Prim("string") | Ty::List(_) => out.extend([Flat::I32, Flat::I32]),
        Ty::Prim(_) | Ty::Enum(_) | Ty::Flags(_) => out.push(Flat::I32),
        Ty::Record(ts) | Ty::Tuple(ts) => ts.iter().for_each(|t| flatten(t, out)),
        Ty::Variant(cases) => flatten_cases(cases.iter().map(Option::as_ref), out),
        Ty::Option(t) => flatten_cases([None, Some(&**t)].into_iter(), out),
        Ty::Result(a, b) => flatten_cases([a.as_deref(), b.as_deref()].into_iter(), out),
    }
}

/// A discriminant, then every case's flattening joined position by
/// position.
fn flatten_cases<'a>(cases: impl Iterator<Item = Option<&'a Ty>>, out: &mut Vec<Flat>) {
    let mut joined: Vec<Flat> = Vec::new();
    for case in cases.flatten() {
        let mut f = Vec::new();
        flatten(case, &mut f);
        for (i, t) in f.into_iter().enumerate() {
            match joined.get_mut(i) {
                None => joined.push(t),
                Some(j) if *j == t => {}
                Some(j) if matches!((*j, t), (Flat::I32, Flat::F32) | (Flat::F32, Flat::I32)) => {
                    *j = Flat::I32
                }
                Some(j) => *j = Flat::I64,
            }
        }
    }
    out.push(Flat::I32);
    out.extend(joined);
}

/// Component text for a type: named types (records, variants, enums,
/// flags) are defined and exported (exported functions may only name
/// exported types), the others written in place.
struct Types {
    defs: String,
    n: usize,
}

impl Types {
    fn text(&mut self, ty: &Ty) -> String {
        let named = |this: &mut Types, body: String| {
            let n = this.n;
            this.n += 1;
            writeln!(this.defs, "  (type $t{n} {body})\n  (export $t{n}' \"t{n}\" (type $t{n}))")
                .unwrap();
            format!("$t{n}'")
        };
        let labels = |n: usize| (0..n).map(|i| format!(" \"a{i}\"")).collect::<String>();
        match ty {
            Ty::Prim(p) => p.to_string(),
            Ty::List(t) => format!("(list {})", self.text(t)),
            Ty::Tuple(ts) => {
                let inner: Vec<String> = ts.iter().map(|t| self.text(t)).collect();
                format!("(tuple {})", inner.join(" "))
            }
            Ty::Option(t) => format!("(option {})", self.text(t)),
            Ty::Result(a, b) => {
                let mut s = "(result".to_string();
                if let Some(a) = a {
                    write!(s, " {}", self.text(a)).unwrap();
                }
                if let Some(b) = b {
                    write!(s, " (error {})", self.text(b)).unwrap();
                }
                s + ")"
            }
            Ty::Record(fs) => {
                let fields: Vec<String> = fs
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("(field \"a{i}\" {})", self.text(t)))
                    .collect();
                named(self, format!("(record {})", fields.join(" ")))
            }
            Ty::Variant(cs) => {
                let cases: Vec<String> = cs
                    .iter()
                    .enumerate()
                    .map(|(i, t)| match t {
                        Some(t) => format!("(case \"a{i}\" {})", self.text(t)),
                        None => format!("(case \"a{i}\")"),
                    })
                    .collect();
                named(self, format!("(variant {})", cases.join(" ")))
            }
            Ty::Enum(n) => named(self, format!("(enum{})", labels(*n))),
            Ty::Flags(n) => named(self, format!("(flags{})", labels(*n))),
        }
    }
}

/// The component: `take` and `give` over `ty`, with `memory` (input bytes)
/// at address 0 and `give`'s core result `ret` (a pointer when the result
/// does not fit one core value).
fn component_text(ty: &Ty, memory: &[u8], ret: u64) -> String {
    let mut flat = Vec::new();
    flatten(ty, &mut flat);
    let params = if flat.len() > 16 { vec![Flat::I32] } else { flat.clone() };
    let result = if let [one] = flat[..] { one } else { Flat::I32 };
    let value = match result {
        Flat::I32 => format!("(i32.const {})", ret as u32 as i32),
        Flat::I64 => format!("(i64.const {})", ret as i64),
        Flat::F32 => format!("(f32.reinterpret_i32 (i32.const {}))", ret as u32 as i32),
        Flat::F64 => format!("(f64.reinterpret_i64 (i64.const {}))", ret as i64),
    };
    let data: String = memory.iter().map(|b| format!("\\{b:02x}")).collect();
    let param_text: String = params.iter().map(|p| format!(" {}", p.name())).collect();
    let mut types = Types { defs: String::new(), n: 0 };
    let t = types.text(ty);
    format!(
        r#"(component
  (core module $m
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 8192))
    (data (i32.const 0) "{data}")
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (block $fits
        (br_if $fits (i32.le_u (global.get $bump) (i32.shl (memory.size) (i32.const 16))))
        (br_if $fits (i32.ne (i32.const -1) (memory.grow
          (i32.add (i32.const 1) (i32.shr_u (global.get $bump) (i32.const 16))))))
        unreachable)
      (local.get $p))
    (func (export "take") (param{param_text}))
    (func (export "give") (result {result}) {value}))
  (core instance $i (instantiate $m))
{defs}  (func $take (param "p" {t})
    (canon lift (core func $i "take") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (export "take" (func $take) (func (param "p" {t})))
  (func $give (result {t})
    (canon lift (core func $i "give") (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
  (export "give" (func $give) (func (result {t}))))"#,
        result = result.name(),
        defs = types.defs,
    )
}

/// A random value of `ty`.
fn gen_val(u: &mut Unstructured<'_>, ty: &Ty) -> arbitrary::Result<Val> {
    let label = |i: usize| format!("a{i}");
    let boxed = |u: &mut Unstructured<'_>, t: &Ty| gen_val(u, t).map(Box::new);
    Ok(match ty {
        Ty::Prim(p) => match *p {
            "bool" => Val::Bool(u.arbitrary()?),
            "s8" => Val::S8(u.arbitrary()?),
            "u8" => Val::U8(u.arbitrary()?),
            "s16" => Val::S16(u.arbitrary()?),
            "u16" => Val::U16(u.arbitrary()?),
            "s32" => Val::S32(u.arbitrary()?),
            "u32" => Val::U32(u.arbitrary()?),
            "s64" => Val::S64(u.arbitrary()?),
            "u64" => Val::U64(u.arbitrary()?),
            "f32" => Val::Float32(f32::from_bits(u.arbitrary()?)),
            "f64" => Val::Float64(f64::from_bits(u.arbitrary()?)),
            "char" => Val::Char(u.arbitrary()?),
            _ => {
                let len = u.int_in_range(0..=40)?;
                Val::String((0..len).map(|_| u.arbitrary::<char>()).collect::<Result<_, _>>()?)
            }
        },
        Ty::List(t) => {
            Val::List((0..u.int_in_range(0..=5)?).map(|_| gen_val(u, t)).collect::<Result<_, _>>()?)
        }
        Ty::Record(ts) => Val::Record(
            ts.iter()
                .enumerate()
                .map(|(i, t)| Ok((label(i), gen_val(u, t)?)))
                .collect::<Result<_, _>>()?,
        ),
        Ty::Tuple(ts) => Val::Tuple(ts.iter().map(|t| gen_val(u, t)).collect::<Result<_, _>>()?),
        Ty::Variant(cs) => {
            let i = u.choose_index(cs.len())?;
            let payload = match &cs[i] {
                Some(t) => Some(boxed(u, t)?),
                None => None,
            };
            Val::Variant(label(i), payload)
        }
        Ty::Enum(n) => Val::Enum(label(u.choose_index(*n)?)),
        Ty::Option(t) => Val::Option(if u.arbitrary()? { Some(boxed(u, t)?) } else { None }),
        Ty::Result(a, b) => {
            let side = |u: &mut Unstructured<'_>, t: &Option<Box<Ty>>| match t {
                Some(t) => boxed(u, t).map(Some),
                None => Ok(None),
            };
            Val::Result(if u.arbitrary()? { Ok(side(u, a)?) } else { Err(side(u, b)?) })
        }
        Ty::Flags(n) => {
            let mut names = Vec::new();
            for i in 0..*n {
                if u.arbitrary()? {
                    names.push(label(i));
                }
            }
            Val::Flags(names)
        }
    })
}

/// `text` parsed as a `ty` and printed again, if it parses.
fn reparse(ty: &Type, text: &str) -> Result<Option<String>, String> {
    match wasm_wave::from_str::<Val>(ty, text) {
        Ok(v) => wasm_wave::to_string(&v).map(Some).map_err(|e| format!("printing {v:?}: {e}")),
        Err(_) => Ok(None),
    }
}

/// `v` printed in WAVE must parse back as `ty` and print the same.
fn wave_round_trip(ty: &Type, v: &Val) -> Result<String, String> {
    let text = wasm_wave::to_string(v).map_err(|e| format!("printing {v:?}: {e}"))?;
    match reparse(ty, &text)? {
        Some(again) if again == text => Ok(text),
        Some(again) => Err(format!("WAVE {text:?} parsed and printed as {again:?}")),
        None => Err(format!("WAVE {text:?} of {v:?} does not parse back")),
    }
}

/// The `component-values` target.
pub fn component_values(data: &[u8]) -> Result<Outcome, String> {
    let mut u = Unstructured::new(data);
    let Ok(ty) = gen_ty(&mut u, 4) else { return Ok(Outcome::Skipped("input")) };
    let Ok(memory) = u.bytes(u.len().min(4096) / 2) else { return Ok(Outcome::Skipped("input")) };
    let memory = memory.to_vec();
    let ret = match u.int_in_range(0..=3) {
        // An address in the data, often aligned, or anything.
        Ok(0..=2) => {
            u.int_in_range(0..=4100u64).unwrap_or(0) & !(u.int_in_range(0..=7u64).unwrap_or(0))
        }
        _ => u.arbitrary().unwrap_or(0),
    };
    let text = component_text(&ty, &memory, ret);
    let engine = wazi::Engine::default();
    let component = Component::new(&engine, &text)
        .map_err(|e| format!("wazi refused a generated component: {e:#}\n{text}"))?;
    let linker: Linker<()> = Linker::new(&engine);
    let mut store = wazi::Store::new(&engine, ());
    let instance =
        linker.instantiate(&mut store, &component).map_err(|e| format!("instantiation: {e:#}"))?;
    let take = instance.get_func(&mut store, "take").ok_or("no take")?;
    let give = instance.get_func(&mut store, "give").ok_or("no give")?;
    let param_ty = take.params(&store).remove(0).1;

    // A value down into the guest, and through WAVE.
    let Ok(v) = gen_val(&mut u, &ty) else { return Ok(Outcome::Skipped("input")) };
    take.call(&mut store, std::slice::from_ref(&v), &mut [])
        .map_err(|e| format!("lowering {v:?} failed: {e:#}"))?;
    let text = wave_round_trip(&param_ty, &v)?;

    // Mutated WAVE: parses or not, never panics; what parses is stable.
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..u.int_in_range(1..=4).unwrap_or(1) {
        let at = u.choose_index(chars.len() + 1).unwrap_or(0);
        match u.int_in_range(0..=2).unwrap_or(0) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 if at < chars.len() => chars[at] = u.arbitrary().unwrap_or('x'),
            _ => chars.insert(
                at,
                *u.choose(&[
                    '(', ')', '[', ']', '{', '}', ',', '"', '\\', '-', '1', 'e', ' ', ':', '\'',
                ])
                .unwrap_or(&','),
            ),
        }
    }
    let mutated: String = chars.into_iter().collect();
    if let Some(printed) = reparse(&param_ty, &mutated)? {
        match reparse(&param_ty, &printed)? {
            Some(again) if again == printed => {}
            other => {
                return Err(format!("WAVE {mutated:?} printed as {printed:?}, then {other:?}"));
            }
        }
    }

    // A value up from hostile memory: a trap, or a value of the type.
    let mut result = [Val::Bool(false)];
    match give.call(&mut store, &[], &mut result) {
        // A trap, or a lifting check reported as an error rather than a
        // trap (an unaligned pointer, bytes that are not UTF-8): both fine,
        // as long as it is reported, not a panic.
        Err(_) => {}
        Ok(()) => {
            let [v] = result;
            take.call(&mut store, std::slice::from_ref(&v), &mut [])
                .map_err(|e| format!("a lifted value does not lower: {v:?}: {e:#}"))?;
            wave_round_trip(&param_ty, &v)?;
        }
    }
    Ok(Outcome::Agreed)
}
