//! Exceptions in the embedding API (the exception-handling proposal):
//! [`Tag`], [`ExnRef`] and [`ThrownException`].
//!
//! As in wasmtime, an exception that wasm code does not catch reaches the
//! host as an error whose root cause is [`ThrownException`]; the exception
//! itself waits in the store, from which [`Store::take_pending_exception`]
//! takes it. A host function throws by creating an exception
//! ([`ExnRef::new`]) and returning the error [`Store::throw`] (or
//! [`Caller::throw`]) gives; wasm code then catches it like one it threw.
//! An error returned through several host and wasm frames keeps its
//! exception pending until some wasm handler catches it.
//!
//! [`Store::take_pending_exception`]: crate::Store::take_pending_exception
//! [`Store::throw`]: crate::Store::throw
//! [`Caller::throw`]: crate::Caller::throw

use crate::store::{AsContext, AsContextMut, Store, StoreCore, Stored, TagEntity};
pub use crate::trap::ThrownException;
use crate::types::TagType;
use crate::values::Val;
use anyhow::{Result, bail};

/// An exception tag in a store: what `throw` names and `catch` matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) Stored);

impl Tag {
    /// A new tag of type `ty`, distinct from every other tag.
    pub fn new(mut store: impl AsContextMut, ty: &TagType) -> Result<Tag> {
        let core = &mut store.as_context_mut().0.core;
        if !ty.ty().results().is_empty() {
            bail!("a tag's function type must have no results");
        }
        Ok(Tag(Stored {
            store: core.id,
            index: core.new_tag(ty.clone(), crate::types::registry::func_type_id(ty.ty())),
        }))
    }

    /// The tag's type.
    pub fn ty(&self, store: impl AsContext) -> TagType {
        let core = &store.as_context().0.core;
        core.tags[self.0.check(core)].ty.clone()
    }

    /// Whether `self` and `other` are the same tag.
    pub fn eq(a: &Tag, b: &Tag, _store: impl AsContext) -> bool {
        a == b
    }
}

impl StoreCore {
    /// A tag of type `ty`, whose function type has id `type_id`.
    pub(crate) fn new_tag(&mut self, ty: TagType, type_id: u32) -> u32 {
        self.tags.push(TagEntity { ty, type_id });
        self.tags.len() as u32 - 1
    }
}

/// A reference to an exception object. Exceptions the host can see (made
/// by [`ExnRef::new`], taken as the pending exception, or read from wasm
/// values) stay alive as long as their store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExnRef {
    store: u64,
    raw: u64,
}

impl ExnRef {
    /// A new exception of tag `tag` carrying `fields` (of the tag's
    /// parameter types).
    pub fn new(mut store: impl AsContextMut, tag: &Tag, fields: &[Val]) -> Result<ExnRef> {
        let core = &mut store.as_context_mut().0.core;
        let t = tag.0.check(core);
        let ty = core.tags[t].ty.ty().clone();
        if ty.params().len() != fields.len() {
            bail!("tag expects {} fields, got {}", ty.params().len(), fields.len());
        }
        let mut payload = vec![0; ty.param_slots()];
        let mut k = 0;
        for (v, t) in fields.iter().zip(ty.params()) {
            if !v.matches(t, core) {
                bail!("exception field of type {t} cannot hold a {}", v.ty());
            }
            v.write_slots(core, &mut payload, &mut k);
        }
        let raw = core.new_exception(t as u32, &payload, core.host_gc_point());
        core.exns.pin(raw);
        Ok(ExnRef { store: core.id, raw })
    }

    /// The exception's tag.
    pub fn tag(&self, store: impl AsContext) -> Result<Tag> {
        let core = &store.as_context().0.core;
        let o = self.object(core)?;
        Ok(Tag(Stored { store: core.id, index: o.tag }))
    }

    /// The exception's fields.
    pub fn fields(&self, store: impl AsContext) -> Result<Vec<Val>> {
        let core = &store.as_context().0.core;
        let o = self.object(core)?;
        let ty = core.tags[o.tag as usize].ty.ty();
        let mut k = 0;
        Ok(ty.params().iter().map(|t| Val::read_slots(&o.payload, &mut k, *t, core.id)).collect())
    }

    /// Field `index` of the exception.
    pub fn field(&self, store: impl AsContext, index: usize) -> Result<Val> {
        let fields = self.fields(store)?;
        match fields.get(index) {
            Some(v) => Ok(*v),
            None => bail!("exception has no field {index}"),
        }
    }

    fn object<'a>(&self, core: &'a StoreCore) -> Result<&'a crate::store::exceptions::ExnObject> {
        assert_eq!(self.store, core.id, "object used with the wrong store");
        match core.exns.get(self.raw) {
            Some(o) => Ok(o),
            None => bail!("exception reference is no longer alive"),
        }
    }

    /// The reference as it lives in a slot.
    pub(crate) fn to_raw(self, core: &StoreCore) -> u64 {
        assert_eq!(self.store, core.id, "object used with the wrong store");
        self.raw
    }

    pub(crate) fn from_raw(raw: u64, store: u64) -> ExnRef {
        ExnRef { store, raw }
    }
}

impl StoreCore {
    /// Makes `exn` the pending exception; returns the error that throws it.
    pub(crate) fn throw(&mut self, exn: ExnRef) -> ThrownException {
        let raw = exn.to_raw(self);
        self.pending_exception = raw;
        ThrownException
    }

    pub(crate) fn take_pending_exception(&mut self) -> Option<ExnRef> {
        let raw = std::mem::take(&mut self.pending_exception);
        if raw == 0 {
            return None;
        }
        self.exns.pin(raw);
        Some(ExnRef::from_raw(raw, self.id))
    }

    /// Roots the references among `vals`, which the host holds now:
    /// exceptions are pinned, GC references join the current root scope
    /// (see [`crate::AnyRef`]).
    pub(crate) fn root_host_refs(&mut self, vals: &[Val]) {
        for v in vals {
            match v {
                Val::ExnRef(Some(e)) => self.exns.pin(e.raw),
                Val::AnyRef(Some(_)) | Val::ExternRef(Some(_)) => {
                    let raw = v.to_raw(self);
                    if self.gc.get(raw).is_some() {
                        self.gc.host_roots.push(raw);
                    }
                }
                _ => {}
            }
        }
    }
}

impl<T> Store<T> {
    /// Throws `exception`: makes it the pending exception and returns the
    /// error that, returned from a host function, throws it into the
    /// calling wasm code.
    pub fn throw<R>(&mut self, exception: ExnRef) -> Result<R, ThrownException> {
        Err(self.inner.core.throw(exception))
    }

    /// Takes the exception that wasm code threw and did not catch (a call
    /// failed with [`ThrownException`]).
    pub fn take_pending_exception(&mut self) -> Option<ExnRef> {
        self.inner.core.take_pending_exception()
    }
}
