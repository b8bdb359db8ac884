//! Resources: runtime resource types, per-instance handle tables, and the
//! host's view of handles ([`Resource<T>`], [`ResourceAny`]).

use super::store::{ComponentStore, Components, InstanceId};
use anyhow::{Result, bail};
use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;

/// The largest handle index the canonical ABI allows (`2^28 - 1`).
const MAX_HANDLE: u32 = (1 << 28) - 1;

/// A resource type at run time. Host resource types are identified by a
/// Rust type; each instantiation of a component that defines a resource
/// creates a new guest resource type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceType(pub(crate) ResourceKind);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ResourceKind {
    Host(TypeId),
    /// Index into the store's guest resource types.
    Guest {
        store: u64,
        index: u32,
    },
}

impl ResourceType {
    /// The resource type of host type `T` (the one [`Resource<T>`] uses).
    pub fn host<T: 'static>() -> ResourceType {
        ResourceType(ResourceKind::Host(TypeId::of::<T>()))
    }

    pub(crate) fn desc(&self) -> &'static str {
        match self.0 {
            ResourceKind::Host(_) => "host resource",
            ResourceKind::Guest { .. } => "guest-defined resource",
        }
    }
}

/// One entry of a component instance's handle table.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    Free {
        next: u32,
    },
    Own {
        ty: ResourceType,
        rep: u32,
        lends: u32,
    },
    Borrow {
        ty: ResourceType,
        rep: u32,
        scope: u32,
        lends: u32,
    },
    /// A waitable, waitable set or error context (the store's async
    /// object with this id, see `concurrent`).
    Async(u32),
}

/// The `handles` table of a component instance: index 0 is reserved, freed
/// indices are reused last-freed first.
#[derive(Debug)]
pub(crate) struct HandleTable {
    slots: Vec<Slot>,
    /// Head of the free list (0: empty).
    free: u32,
}

impl Default for HandleTable {
    fn default() -> HandleTable {
        HandleTable { slots: vec![Slot::Free { next: 0 }], free: 0 }
    }
}

/// What removing a handle found.
pub(crate) enum Removed {
    Own { rep: u32 },
    Borrow { scope: u32 },
}

impl HandleTable {
    pub fn insert(&mut self, slot: Slot) -> Result<u32> {
        if self.free != 0 {
            let i = self.free;
            let Slot::Free { next } = self.slots[i as usize] else { unreachable!() };
            self.free = next;
            self.slots[i as usize] = slot;
            return Ok(i);
        }
        let i = self.slots.len() as u32;
        if i > MAX_HANDLE {
            bail!("cannot allocate another handle: index overflow");
        }
        self.slots.push(slot);
        Ok(i)
    }

    /// Slot `i`, if it holds a handle.
    pub fn peek(&self, i: u32) -> Option<&Slot> {
        self.slots.get(i as usize).filter(|s| !matches!(s, Slot::Free { .. }))
    }

    fn get_mut(&mut self, i: u32) -> Result<&mut Slot> {
        match self.slots.get_mut(i as usize) {
            Some(Slot::Free { .. }) | None => bail!("unknown handle index {i}"),
            Some(s) => Ok(s),
        }
    }

    /// Adds async object `obj`.
    pub fn insert_async(&mut self, obj: u32) -> Result<u32> {
        self.insert(Slot::Async(obj))
    }

    /// The async object at `i` (a trap if there is none).
    pub fn get_async(&self, i: u32) -> Result<u32> {
        match self.slots.get(i as usize) {
            Some(Slot::Async(o)) => Ok(*o),
            Some(Slot::Free { .. }) | None => bail!("unknown handle index {i}"),
            Some(_) => bail!("handle index {i} is a resource, not an async value"),
        }
    }

    /// Removes the async object at `i`.
    pub fn remove_async(&mut self, i: u32) -> Result<u32> {
        let o = self.get_async(i)?;
        self.free(i);
        Ok(o)
    }

    fn free(&mut self, i: u32) {
        self.slots[i as usize] = Slot::Free { next: self.free };
        self.free = i;
    }

    fn check_type(i: u32, expected: ResourceType, found: ResourceType) -> Result<()> {
        if expected != found {
            let found = if expected.desc() == found.desc() {
                format!("a different {}", found.desc())
            } else {
                found.desc().to_string()
            };
            bail!(
                "handle index {i} used with the wrong type, expected {} but found {found}",
                expected.desc()
            );
        }
        Ok(())
    }

    /// `lift_own`: takes the handle out of the table.
    pub fn lift_own(&mut self, i: u32, ty: ResourceType) -> Result<u32> {
        match *self.get_mut(i)? {
            Slot::Own { ty: t, rep, lends } => {
                Self::check_type(i, ty, t)?;
                if lends != 0 {
                    bail!("cannot remove owned resource while borrowed");
                }
                self.free(i);
                Ok(rep)
            }
            Slot::Borrow { ty: t, .. } => {
                Self::check_type(i, ty, t)?;
                bail!("cannot lift own resource from a borrow")
            }
            Slot::Async(_) => bail!("handle index {i} is not a resource"),
            Slot::Free { .. } => unreachable!(),
        }
    }

    /// `lift_borrow`: the representation; the handle's lend count is
    /// raised until the call ends ([`HandleTable::undo_lend`]).
    pub fn lend(&mut self, i: u32, ty: ResourceType) -> Result<u32> {
        match self.get_mut(i)? {
            Slot::Own { ty: t, rep, lends } | Slot::Borrow { ty: t, rep, lends, .. } => {
                Self::check_type(i, ty, *t)?;
                *lends += 1;
                Ok(*rep)
            }
            Slot::Async(_) => bail!("handle index {i} is not a resource"),
            Slot::Free { .. } => unreachable!(),
        }
    }

    pub fn undo_lend(&mut self, i: u32) {
        if let Some(Slot::Own { lends, .. } | Slot::Borrow { lends, .. }) =
            self.slots.get_mut(i as usize)
        {
            *lends = lends.saturating_sub(1);
        }
    }

    /// The resource type of handle `i`.
    pub fn type_of(&mut self, i: u32) -> Result<ResourceType> {
        match *self.get_mut(i)? {
            Slot::Own { ty, .. } | Slot::Borrow { ty, .. } => Ok(ty),
            Slot::Async(_) => bail!("handle index {i} is not a resource"),
            Slot::Free { .. } => unreachable!(),
        }
    }

    /// `resource.rep`: the representation of a handle of type `ty`.
    pub fn rep(&mut self, i: u32, ty: ResourceType) -> Result<u32> {
        match *self.get_mut(i)? {
            Slot::Own { ty: t, rep, .. } | Slot::Borrow { ty: t, rep, .. } => {
                Self::check_type(i, ty, t)?;
                Ok(rep)
            }
            Slot::Async(_) => bail!("handle index {i} is not a resource"),
            Slot::Free { .. } => unreachable!(),
        }
    }

    /// `resource.drop`: removes a handle of type `ty`.
    pub fn remove(&mut self, i: u32, ty: ResourceType) -> Result<Removed> {
        let removed = match *self.get_mut(i)? {
            Slot::Own { ty: t, rep, lends } => {
                Self::check_type(i, ty, t)?;
                if lends != 0 {
                    bail!("cannot remove owned resource while borrowed");
                }
                Removed::Own { rep }
            }
            Slot::Borrow { ty: t, scope, lends, .. } => {
                Self::check_type(i, ty, t)?;
                if lends != 0 {
                    bail!("cannot remove borrowed resource while it is lent");
                }
                Removed::Borrow { scope }
            }
            Slot::Async(_) => bail!("handle index {i} is not a resource"),
            Slot::Free { .. } => unreachable!(),
        };
        self.free(i);
        Ok(removed)
    }
}

/// A handle to a host resource of type `T`, as host functions receive and
/// return them: `rep` is the host's own index for the object (typically in
/// a [`ResourceTable`](super::ResourceTable)).
pub struct Resource<T> {
    rep: u32,
    own: bool,
    _marker: PhantomData<fn() -> T>,
}

impl<T: 'static> Resource<T> {
    /// An owned handle to host object `rep`; lowering it gives ownership
    /// to the guest.
    pub fn new_own(rep: u32) -> Resource<T> {
        Resource { rep, own: true, _marker: PhantomData }
    }

    /// A borrowed handle to host object `rep`.
    pub fn new_borrow(rep: u32) -> Resource<T> {
        Resource { rep, own: false, _marker: PhantomData }
    }

    /// The host's index for the object (the representation the guest
    /// never sees).
    pub fn rep(&self) -> u32 {
        self.rep
    }

    /// Whether this handle owns its resource.
    pub fn owned(&self) -> bool {
        self.own
    }

    pub(crate) fn from_parts(rep: u32, own: bool) -> Resource<T> {
        Resource { rep, own, _marker: PhantomData }
    }
}

impl<T> fmt::Debug for Resource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resource").field("rep", &self.rep).field("own", &self.own).finish()
    }
}

/// A handle of any resource type held by the host, as the dynamic API
/// ([`Val`]) and typed functions taking `ResourceAny` carry it. It indexes
/// the store's table of host-held handles, so a handle that was given away
/// (an `own` passed to a guest) or dropped cannot be used again.
///
/// [`Val`]: super::Val
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceAny {
    pub(crate) ty: ResourceType,
    /// Index in the store's host handle table, or (inside a
    /// component-to-component call) the representation itself.
    pub(crate) handle: u32,
    pub(crate) own: bool,
    /// `handle` is a representation in transit between two components.
    pub(crate) direct: bool,
}

impl ResourceAny {
    /// The handle's resource type.
    pub fn ty(&self) -> ResourceType {
        self.ty
    }

    /// Whether this is an `own` handle (else a `borrow`).
    pub fn owned(&self) -> bool {
        self.own
    }

    /// A handle for host resource `r`, held by the host in `store`.
    pub fn try_from_resource<T: 'static>(
        r: Resource<T>,
        mut store: impl crate::AsContextMut,
    ) -> Result<ResourceAny> {
        let comps = store.as_context_mut().0.core.ext.components_mut();
        let ty = ResourceType::host::<T>();
        let slot = if r.owned() {
            Slot::Own { ty, rep: r.rep(), lends: 0 }
        } else {
            Slot::Borrow { ty, rep: r.rep(), scope: 0, lends: 0 }
        };
        let handle = comps.host_handles.insert(slot)?;
        Ok(ResourceAny { ty, handle, own: r.owned(), direct: false })
    }

    /// A borrowed typed view of the host resource this handle names (own
    /// or borrow), leaving the handle in the store's table; fails for other
    /// resource types.
    pub fn borrow_resource<T: 'static>(&self, store: impl crate::AsContext) -> Result<Resource<T>> {
        if self.ty != ResourceType::host::<T>() {
            bail!("resource type mismatch");
        }
        if self.direct {
            return Ok(Resource::from_parts(self.handle, false));
        }
        let comps = store.as_context().0.core.ext.components();
        match comps.host_handles.peek(self.handle) {
            Some(Slot::Own { rep, .. } | Slot::Borrow { rep, .. }) => {
                Ok(Resource::from_parts(*rep, false))
            }
            _ => bail!("unknown handle index {}", self.handle),
        }
    }

    /// Converts to a typed host handle, taking it out of the store's table;
    /// fails for other resource types.
    pub fn try_into_resource<T: 'static>(
        self,
        mut store: impl crate::AsContextMut,
    ) -> Result<Resource<T>> {
        if self.ty != ResourceType::host::<T>() {
            bail!("resource type mismatch");
        }
        let comps = store.as_context_mut().0.core.ext.components_mut();
        match comps.host_handles.remove(self.handle, self.ty)? {
            Removed::Own { rep } => Ok(Resource::from_parts(rep, true)),
            Removed::Borrow { .. } => bail!("a borrowed handle cannot become a `Resource`"),
        }
    }

    /// Drops the handle: for an owned one, the resource's destructor runs.
    pub fn resource_drop(self, mut store: impl crate::AsContextMut) -> Result<()> {
        if self.direct {
            bail!("this handle is not held by the host");
        }
        let inner = store.as_context_mut().0;
        match inner.core.ext.components_mut().host_handles.remove(self.handle, self.ty)? {
            Removed::Own { rep } => super::func::run_dtor(&mut inner.core, self.ty, rep, None),
            Removed::Borrow { .. } => Ok(()),
        }
    }
}

impl ComponentStore {
    /// The table of instance `i`.
    pub(crate) fn handles(&mut self, i: InstanceId) -> &mut HandleTable {
        &mut self.instances[i as usize].handles
    }
}
