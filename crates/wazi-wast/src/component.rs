//! Component values in scripts: arguments to [`Val`]s, and checking
//! results against the expected ones.

use anyhow::{Result, bail};
use wast::component::WastVal;
use wast::core::{NanPattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};
use wazi::component::Val;

/// The value of a component argument.
pub fn arg(a: &WastArg<'_>) -> Result<Val> {
    match a {
        WastArg::Component(v) => val(v),
        // `f32.const` and `f64.const` parse as core arguments.
        WastArg::Core(WastArgCore::F32(f)) => Ok(Val::Float32(f32::from_bits(f.bits))),
        WastArg::Core(WastArgCore::F64(f)) => Ok(Val::Float64(f64::from_bits(f.bits))),
        WastArg::Core(other) => bail!("core argument {other:?} passed to a component function"),
        _ => bail!("unsupported argument"),
    }
}

fn val(v: &WastVal<'_>) -> Result<Val> {
    Ok(match v {
        WastVal::Bool(b) => Val::Bool(*b),
        WastVal::U8(x) => Val::U8(*x),
        WastVal::S8(x) => Val::S8(*x),
        WastVal::U16(x) => Val::U16(*x),
        WastVal::S16(x) => Val::S16(*x),
        WastVal::U32(x) => Val::U32(*x),
        WastVal::S32(x) => Val::S32(*x),
        WastVal::U64(x) => Val::U64(*x),
        WastVal::S64(x) => Val::S64(*x),
        WastVal::F32(f) => Val::Float32(f32::from_bits(f.bits)),
        WastVal::F64(f) => Val::Float64(f64::from_bits(f.bits)),
        WastVal::Char(c) => Val::Char(*c),
        WastVal::String(s) => Val::String(s.to_string()),
        WastVal::List(items) => Val::List(items.iter().map(val).collect::<Result<_>>()?),
        WastVal::Map(entries) => Val::List(
            entries
                .iter()
                .map(|(k, v)| Ok(Val::Tuple(vec![val(k)?, val(v)?])))
                .collect::<Result<_>>()?,
        ),
        WastVal::Record(fields) => Val::Record(
            fields.iter().map(|(n, v)| Ok((n.to_string(), val(v)?))).collect::<Result<_>>()?,
        ),
        WastVal::Tuple(items) => Val::Tuple(items.iter().map(val).collect::<Result<_>>()?),
        WastVal::Variant(name, payload) => Val::Variant(name.to_string(), payload_val(payload)?),
        WastVal::Enum(name) => Val::Enum(name.to_string()),
        WastVal::Option(v) => Val::Option(payload_val(v)?),
        WastVal::Result(r) => Val::Result(match r {
            Ok(v) => Ok(payload_val(v)?),
            Err(v) => Err(payload_val(v)?),
        }),
        WastVal::Flags(names) => Val::Flags(names.iter().map(|n| n.to_string()).collect()),
    })
}

fn payload_val(v: &Option<Box<WastVal<'_>>>) -> Result<Option<Box<Val>>> {
    v.as_deref().map(|v| val(v).map(Box::new)).transpose()
}

/// Checks `actual` is the `expected` result.
pub fn check(actual: &Val, expected: &WastRet<'_>) -> Result<()> {
    let ok = match expected {
        WastRet::Component(e) => matches(actual, e),
        WastRet::Core(WastRetCore::F32(p)) => match actual {
            Val::Float32(a) => nan_match(a.is_nan(), a.to_bits() as u64, p, |b| b.bits as u64),
            _ => false,
        },
        WastRet::Core(WastRetCore::F64(p)) => match actual {
            Val::Float64(a) => nan_match(a.is_nan(), a.to_bits(), p, |b| b.bits),
            _ => false,
        },
        WastRet::Core(other) => bail!("core result {other:?} expected of a component function"),
        _ => bail!("unsupported expected result"),
    };
    if !ok {
        bail!("expected {expected:?}, got {actual:?}");
    }
    Ok(())
}

fn nan_match<F>(is_nan: bool, bits: u64, p: &NanPattern<F>, f: impl Fn(&F) -> u64) -> bool {
    match p {
        NanPattern::CanonicalNan | NanPattern::ArithmeticNan => is_nan,
        NanPattern::Value(v) => bits == f(v),
    }
}

fn matches(a: &Val, e: &WastVal<'_>) -> bool {
    match (a, e) {
        (Val::Bool(a), WastVal::Bool(e)) => a == e,
        (Val::U8(a), WastVal::U8(e)) => a == e,
        (Val::S8(a), WastVal::S8(e)) => a == e,
        (Val::U16(a), WastVal::U16(e)) => a == e,
        (Val::S16(a), WastVal::S16(e)) => a == e,
        (Val::U32(a), WastVal::U32(e)) => a == e,
        (Val::S32(a), WastVal::S32(e)) => a == e,
        (Val::U64(a), WastVal::U64(e)) => a == e,
        (Val::S64(a), WastVal::S64(e)) => a == e,
        (Val::Float32(a), WastVal::F32(e)) => {
            let e = f32::from_bits(e.bits);
            if e.is_nan() { a.is_nan() } else { a.to_bits() == e.to_bits() }
        }
        (Val::Float64(a), WastVal::F64(e)) => {
            let e = f64::from_bits(e.bits);
            if e.is_nan() { a.is_nan() } else { a.to_bits() == e.to_bits() }
        }
        (Val::Char(a), WastVal::Char(e)) => a == e,
        (Val::String(a), WastVal::String(e)) => a == e,
        (Val::List(a), WastVal::List(e)) | (Val::Tuple(a), WastVal::Tuple(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(a, e)| matches(a, e))
        }
        (Val::List(a), WastVal::Map(e)) => {
            a.len() == e.len()
                && a.iter().zip(e).all(|(a, (k, v))| match a {
                    Val::Tuple(kv) if kv.len() == 2 => matches(&kv[0], k) && matches(&kv[1], v),
                    _ => false,
                })
        }
        (Val::Record(a), WastVal::Record(e)) => {
            a.len() == e.len()
                && a.iter().zip(e).all(|((an, av), (en, ev))| an == en && matches(av, ev))
        }
        (Val::Variant(an, ap), WastVal::Variant(en, ep)) => an == en && payload(ap, ep),
        (Val::Enum(a), WastVal::Enum(e)) => a == e,
        (Val::Option(a), WastVal::Option(e)) => payload(a, e),
        (Val::Result(Ok(a)), WastVal::Result(Ok(e)))
        | (Val::Result(Err(a)), WastVal::Result(Err(e))) => payload(a, e),
        (Val::Flags(a), WastVal::Flags(e)) => {
            let mut a: Vec<&str> = a.iter().map(|s| s.as_str()).collect();
            let mut e: Vec<&str> = e.to_vec();
            a.sort_unstable();
            e.sort_unstable();
            a == e
        }
        _ => false,
    }
}

fn payload(a: &Option<Box<Val>>, e: &Option<Box<WastVal<'_>>>) -> bool {
    match (a, e) {
        (None, None) => true,
        (Some(a), Some(e)) => matches(a, e),
        _ => false,
    }
}
