//! Declarative macros that give user types a component type:
//! [`component_record!`](crate::component_record),
//! [`component_variant!`](crate::component_variant),
//! [`component_enum!`](crate::component_enum) and
//! [`component_flags!`](crate::component_flags).
//!
//! Rust names map to WIT names: `snake_case` fields and flags and
//! `CamelCase` cases become `kebab-case`, compared without regard to case
//! (so `DnsTimeout` is WIT's `DNS-timeout`; names in one type are unique
//! regardless of case).

use anyhow::{Result, bail};

/// `foo_bar` -> `foo-bar`.
pub fn kebab_from_snake(s: &str) -> String {
    s.trim_start_matches("r#").replace('_', "-")
}

/// `FooBar` -> `foo-bar`.
pub fn kebab_from_camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, c) in s.trim_start_matches("r#").chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks a type's names are the expected ones, in order.
pub fn check_names<'a>(
    what: &str,
    actual: impl ExactSizeIterator<Item = &'a str>,
    expected: &[String],
) -> Result<()> {
    if actual.len() != expected.len() {
        bail!(
            "type mismatch: expected a {what} with {} names, found {}",
            expected.len(),
            actual.len()
        );
    }
    for (a, e) in actual.zip(expected) {
        if !a.eq_ignore_ascii_case(e) {
            bail!("type mismatch: expected {what} name `{e}`, found `{a}`");
        }
    }
    Ok(())
}

/// Defines a struct that is a component `record`.
///
/// ```
/// wazi::component_record! {
///     #[derive(Debug, Clone, PartialEq)]
///     pub struct Point { pub x: i32, pub y: i32 }
/// }
/// ```
#[macro_export]
macro_rules! component_record {
    ($(#[$attr:meta])* $vis:vis struct $name:ident {
        $($(#[$fattr:meta])* $fvis:vis $field:ident : $fty:ty),* $(,)?
    }) => {
        $(#[$attr])* $vis struct $name { $($(#[$fattr])* $fvis $field: $fty),* }

        impl $crate::component::ComponentType for $name {
            fn typecheck(
                ty: &$crate::component::__internal::Ty,
                r: &$crate::component::__internal::ResourceTypes,
            ) -> $crate::component::__internal::Result<()> {
                use $crate::component::__internal as i;
                let i::Ty::Record(t) = ty else {
                    i::bail!("type mismatch: expected `record`, found `{}`", ty);
                };
                i::check_names(
                    "record field",
                    t.fields.iter().map(|(n, _)| n.as_str()),
                    &[$(i::kebab_from_snake(stringify!($field))),*],
                )?;
                let mut fields = t.fields.iter();
                $(<$fty as $crate::component::ComponentType>::typecheck(&fields.next().unwrap().1, r)?;)*
                Ok(())
            }
        }

        impl $crate::component::Lift for $name {
            fn lift(
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                src: &mut $crate::component::__internal::FlatSrc<'_>,
            ) -> $crate::component::__internal::Result<Self> {
                let $crate::component::__internal::Ty::Record(t) = ty else { unreachable!() };
                let mut fields = t.fields.iter();
                Ok($name { $($field: <$fty as $crate::component::Lift>::lift(
                    cx, &fields.next().unwrap().1, src)?),* })
            }
            fn load(
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<Self> {
                let $crate::component::__internal::Ty::Record(t) = ty else { unreachable!() };
                let mut fields = t.fields.iter().zip(t.offsets.iter());
                Ok($name { $($field: {
                    let ((_, ft), off) = fields.next().unwrap();
                    <$fty as $crate::component::Lift>::load(cx, ft, ptr + off)?
                }),* })
            }
        }

        impl $crate::component::Lower for $name {
            fn lower(
                &self,
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                dst: &mut Vec<u64>,
            ) -> $crate::component::__internal::Result<()> {
                let $crate::component::__internal::Ty::Record(t) = ty else { unreachable!() };
                let mut fields = t.fields.iter();
                $($crate::component::Lower::lower(&self.$field, cx, &fields.next().unwrap().1, dst)?;)*
                Ok(())
            }
            fn store(
                &self,
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<()> {
                let $crate::component::__internal::Ty::Record(t) = ty else { unreachable!() };
                let mut fields = t.fields.iter().zip(t.offsets.iter());
                $({
                    let ((_, ft), off) = fields.next().unwrap();
                    $crate::component::Lower::store(&self.$field, cx, ft, ptr + off)?;
                })*
                Ok(())
            }
        }
    };
}

/// Defines an enum that is a component `variant`: each case has at most
/// one payload.
///
/// ```
/// wazi::component_variant! {
///     #[derive(Debug, Clone, PartialEq)]
///     pub enum Shape { Circle(f64), Square(f64), Empty }
/// }
/// ```
#[macro_export]
macro_rules! component_variant {
    ($(#[$attr:meta])* $vis:vis enum $name:ident {
        $($(#[$cattr:meta])* $case:ident $(($payload:ty))?),* $(,)?
    }) => {
        $(#[$attr])* $vis enum $name { $($(#[$cattr])* $case $(($payload))?),* }

        impl $crate::component::ComponentType for $name {
            fn typecheck(
                ty: &$crate::component::__internal::Ty,
                r: &$crate::component::__internal::ResourceTypes,
            ) -> $crate::component::__internal::Result<()> {
                use $crate::component::__internal as i;
                let i::Ty::Variant(t) = ty else {
                    i::bail!("type mismatch: expected `variant`, found `{}`", ty);
                };
                i::check_names(
                    "variant case",
                    t.cases.iter().map(|(n, _)| n.as_str()),
                    &[$(i::kebab_from_camel(stringify!($case))),*],
                )?;
                let mut cases = t.cases.iter();
                $({
                    let (name, cty) = cases.next().unwrap();
                    $crate::component_variant!(@check cty, r, name $(, $payload)?);
                })*
                Ok(())
            }
        }

        impl $crate::component::Lift for $name {
            #[allow(unused_assignments)]
            fn lift(
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                src: &mut $crate::component::__internal::FlatSrc<'_>,
            ) -> $crate::component::__internal::Result<Self> {
                use $crate::component::__internal as i;
                let i::Ty::Variant(t) = ty else { unreachable!() };
                let d = src.pop() as u32;
                let mut k = 0u32;
                $(
                    if d == k {
                        let cty = t.cases[k as usize].1.as_ref();
                        let used = cty.map_or(0, |c| c.abi().flat);
                        let v = $crate::component_variant!(@lift $name, $case, cx, cty, src $(, $payload)?);
                        src.skip(t.layout.payload_flat - used);
                        return Ok(v);
                    }
                    k += 1;
                )*
                Err($crate::Trap::InvalidDiscriminant.into())
            }
            #[allow(unused_assignments)]
            fn load(
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<Self> {
                use $crate::component::__internal as i;
                let i::Ty::Variant(t) = ty else { unreachable!() };
                let n = t.layout.disc_size as usize;
                let mut b = [0u8; 4];
                b[..n].copy_from_slice(cx.bytes(ptr, n)?);
                let d = u32::from_le_bytes(b);
                let at = ptr + t.layout.payload_offset;
                let mut k = 0u32;
                $(
                    if d == k {
                        let cty = t.cases[k as usize].1.as_ref();
                        return Ok($crate::component_variant!(@load $name, $case, cx, cty, at $(, $payload)?));
                    }
                    k += 1;
                )*
                Err($crate::Trap::InvalidDiscriminant.into())
            }
        }

        impl $crate::component::Lower for $name {
            #[allow(unused_assignments, unused_variables)]
            fn lower(
                &self,
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                dst: &mut Vec<u64>,
            ) -> $crate::component::__internal::Result<()> {
                use $crate::component::__internal as i;
                let i::Ty::Variant(t) = ty else { unreachable!() };
                let mut k = 0u64;
                $(
                    $crate::component_variant!(@lower self, $name, $case, cx, t, k, dst $(, $payload)?);
                    k += 1;
                )*
                Ok(())
            }
            #[allow(unused_assignments, unused_variables)]
            fn store(
                &self,
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<()> {
                use $crate::component::__internal as i;
                let i::Ty::Variant(t) = ty else { unreachable!() };
                let mut k = 0u32;
                $(
                    $crate::component_variant!(@store self, $name, $case, cx, t, k, ptr $(, $payload)?);
                    k += 1;
                )*
                Ok(())
            }
        }
    };
    (@check $cty:ident, $r:ident, $name:ident) => {
        if $cty.is_some() {
            $crate::component::__internal::bail!("type mismatch: case `{}` has a payload", $name);
        }
    };
    (@check $cty:ident, $r:ident, $name:ident, $payload:ty) => {
        match $cty {
            Some(c) => <$payload as $crate::component::ComponentType>::typecheck(c, $r)?,
            None => $crate::component::__internal::bail!("type mismatch: case `{}` has no payload", $name),
        }
    };
    (@lift $name:ident, $case:ident, $cx:ident, $cty:ident, $src:ident) => { $name::$case };
    (@lift $name:ident, $case:ident, $cx:ident, $cty:ident, $src:ident, $payload:ty) => {
        $name::$case(<$payload as $crate::component::Lift>::lift($cx, $cty.unwrap(), $src)?)
    };
    (@load $name:ident, $case:ident, $cx:ident, $cty:ident, $at:ident) => { $name::$case };
    (@load $name:ident, $case:ident, $cx:ident, $cty:ident, $at:ident, $payload:ty) => {
        $name::$case(<$payload as $crate::component::Lift>::load($cx, $cty.unwrap(), $at)?)
    };
    (@lower $self:ident, $name:ident, $case:ident, $cx:ident, $t:ident, $k:ident, $dst:ident) => {
        if let $name::$case = $self {
            $dst.push($k);
            $dst.resize($dst.len() + $t.layout.payload_flat as usize, 0);
            return Ok(());
        }
    };
    (@lower $self:ident, $name:ident, $case:ident, $cx:ident, $t:ident, $k:ident, $dst:ident, $payload:ty) => {
        if let $name::$case(v) = $self {
            $dst.push($k);
            let start = $dst.len();
            $crate::component::Lower::lower(v, $cx, $t.cases[$k as usize].1.as_ref().unwrap(), $dst)?;
            $dst.resize(start + $t.layout.payload_flat as usize, 0);
            return Ok(());
        }
    };
    (@store $self:ident, $name:ident, $case:ident, $cx:ident, $t:ident, $k:ident, $ptr:ident) => {
        if let $name::$case = $self {
            let n = $t.layout.disc_size as usize;
            $cx.bytes_mut($ptr, n)?.copy_from_slice(&$k.to_le_bytes()[..n]);
            return Ok(());
        }
    };
    (@store $self:ident, $name:ident, $case:ident, $cx:ident, $t:ident, $k:ident, $ptr:ident, $payload:ty) => {
        if let $name::$case(v) = $self {
            let n = $t.layout.disc_size as usize;
            $cx.bytes_mut($ptr, n)?.copy_from_slice(&$k.to_le_bytes()[..n]);
            let pt = $t.cases[$k as usize].1.as_ref().unwrap();
            $crate::component::Lower::store(v, $cx, pt, $ptr + $t.layout.payload_offset)?;
            return Ok(());
        }
    };
}

/// Defines a fieldless enum that is a component `enum`.
///
/// ```
/// wazi::component_enum! {
///     #[derive(Debug, Clone, Copy, PartialEq)]
///     pub enum Color { Red, Green, Blue }
/// }
/// ```
#[macro_export]
macro_rules! component_enum {
    ($(#[$attr:meta])* $vis:vis enum $name:ident { $($(#[$cattr:meta])* $case:ident),* $(,)? }) => {
        $(#[$attr])* $vis enum $name { $($(#[$cattr])* $case),* }

        impl $name {
            const CASES: &'static [$name] = &[$($name::$case),*];
            fn index(&self) -> u32 {
                let mut k = 0u32;
                $(
                    if let $name::$case = self {
                        return k;
                    }
                    k += 1;
                )*
                unreachable!("{k}")
            }
        }

        impl $crate::component::ComponentType for $name {
            fn typecheck(
                ty: &$crate::component::__internal::Ty,
                _: &$crate::component::__internal::ResourceTypes,
            ) -> $crate::component::__internal::Result<()> {
                use $crate::component::__internal as i;
                let i::Ty::Enum(t) = ty else {
                    i::bail!("type mismatch: expected `enum`, found `{}`", ty);
                };
                i::check_names(
                    "enum case",
                    t.names.iter().map(|n| n.as_str()),
                    &[$(i::kebab_from_camel(stringify!($case))),*],
                )
            }
        }

        impl $crate::component::Lift for $name {
            fn lift(
                _: &mut $crate::component::__internal::Cx<'_>,
                _: &$crate::component::__internal::Ty,
                src: &mut $crate::component::__internal::FlatSrc<'_>,
            ) -> $crate::component::__internal::Result<Self> {
                let d = src.pop() as u32 as usize;
                match Self::CASES.get(d) {
                    Some(c) => Ok(*c),
                    None => Err($crate::Trap::InvalidDiscriminant.into()),
                }
            }
            fn load(
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<Self> {
                let $crate::component::__internal::Ty::Enum(t) = ty else { unreachable!() };
                let n = t.layout.disc_size as usize;
                let mut b = [0u8; 4];
                b[..n].copy_from_slice(cx.bytes(ptr, n)?);
                match Self::CASES.get(u32::from_le_bytes(b) as usize) {
                    Some(c) => Ok(*c),
                    None => Err($crate::Trap::InvalidDiscriminant.into()),
                }
            }
        }

        impl $crate::component::Lower for $name {
            fn lower(
                &self,
                _: &mut $crate::component::__internal::Cx<'_>,
                _: &$crate::component::__internal::Ty,
                dst: &mut Vec<u64>,
            ) -> $crate::component::__internal::Result<()> {
                dst.push(self.index() as u64);
                Ok(())
            }
            fn store(
                &self,
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<()> {
                let $crate::component::__internal::Ty::Enum(t) = ty else { unreachable!() };
                let n = t.layout.disc_size as usize;
                cx.bytes_mut(ptr, n)?.copy_from_slice(&self.index().to_le_bytes()[..n]);
                Ok(())
            }
        }
    };
}

/// Defines a struct of `bool`s that is a component `flags` type.
///
/// ```
/// wazi::component_flags! {
///     pub struct Perms { read, write, exec }
/// }
/// let p = Perms { read: true, ..Perms::default() };
/// assert!(p.read && !p.write);
/// ```
#[macro_export]
macro_rules! component_flags {
    ($(#[$attr:meta])* $vis:vis struct $name:ident { $($flag:ident),* $(,)? }) => {
        $(#[$attr])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        $vis struct $name { $(pub $flag: bool),* }

        impl $name {
            fn to_words(&self) -> Vec<u32> {
                let bits = [$(self.$flag),*];
                let mut words = vec![0u32; bits.len().div_ceil(32).max(1)];
                for (i, b) in bits.iter().enumerate() {
                    if *b {
                        words[i / 32] |= 1 << (i % 32);
                    }
                }
                words
            }
            #[allow(unused_assignments)]
            fn from_words(words: &[u32]) -> Self {
                let mut i = 0usize;
                let mut out = Self::default();
                $(
                    out.$flag = words[i / 32] & (1 << (i % 32)) != 0;
                    i += 1;
                )*
                out
            }
        }

        impl $crate::component::ComponentType for $name {
            fn typecheck(
                ty: &$crate::component::__internal::Ty,
                _: &$crate::component::__internal::ResourceTypes,
            ) -> $crate::component::__internal::Result<()> {
                use $crate::component::__internal as i;
                let i::Ty::Flags(t) = ty else {
                    i::bail!("type mismatch: expected `flags`, found `{}`", ty);
                };
                i::check_names(
                    "flag",
                    t.names.iter().map(|n| n.as_str()),
                    &[$(i::kebab_from_snake(stringify!($flag))),*],
                )
            }
        }

        impl $crate::component::Lift for $name {
            fn lift(
                _: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                src: &mut $crate::component::__internal::FlatSrc<'_>,
            ) -> $crate::component::__internal::Result<Self> {
                let $crate::component::__internal::Ty::Flags(t) = ty else { unreachable!() };
                let words: Vec<u32> = (0..t.words()).map(|_| src.pop() as u32).collect();
                Ok(Self::from_words(&words))
            }
            fn load(
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<Self> {
                let $crate::component::__internal::Ty::Flags(t) = ty else { unreachable!() };
                let size = t.abi.size as usize;
                let mut bytes = cx.bytes(ptr, size)?.to_vec();
                bytes.resize(size.max(4).div_ceil(4) * 4, 0);
                let words: Vec<u32> = bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                Ok(Self::from_words(&words))
            }
        }

        impl $crate::component::Lower for $name {
            fn lower(
                &self,
                _: &mut $crate::component::__internal::Cx<'_>,
                _: &$crate::component::__internal::Ty,
                dst: &mut Vec<u64>,
            ) -> $crate::component::__internal::Result<()> {
                dst.extend(self.to_words().into_iter().map(|w| w as u64));
                Ok(())
            }
            fn store(
                &self,
                cx: &mut $crate::component::__internal::Cx<'_>,
                ty: &$crate::component::__internal::Ty,
                ptr: u32,
            ) -> $crate::component::__internal::Result<()> {
                let $crate::component::__internal::Ty::Flags(t) = ty else { unreachable!() };
                let size = t.abi.size as usize;
                let bytes: Vec<u8> = self.to_words().iter().flat_map(|w| w.to_le_bytes()).collect();
                cx.bytes_mut(ptr, size)?.copy_from_slice(&bytes[..size]);
                Ok(())
            }
        }
    };
}
