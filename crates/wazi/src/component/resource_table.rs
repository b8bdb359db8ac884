//! [`ResourceTable`]: host objects behind [`Resource<T>`] handles.

use super::resources::Resource;
use std::any::Any;
use std::fmt;

/// Why a [`ResourceTable`] operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceTableError {
    /// The table is full.
    Full,
    /// No object has this handle.
    NotPresent,
    /// The object has another type than the handle says.
    WrongType,
    /// The object still has children (see [`ResourceTable::push_child`]).
    HasChildren,
}

impl fmt::Display for ResourceTableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceTableError::Full => "resource table has no free keys",
            ResourceTableError::NotPresent => "resource not present",
            ResourceTableError::WrongType => "resource is of another type",
            ResourceTableError::HasChildren => "resource has children",
        })
    }
}

impl std::error::Error for ResourceTableError {}

enum Entry {
    Free { next: u32 },
    Occupied(Occupied),
}

struct Occupied {
    value: Box<dyn Any + Send>,
    /// The entry this one is a child of.
    parent: Option<u32>,
    /// How many live children this entry has.
    children: u32,
}

/// A table of host objects, indexed by the representation of the
/// [`Resource<T>`] handles given to guests. Freed slots are reused.
pub struct ResourceTable {
    entries: Vec<Entry>,
    /// Head of the free list, plus one (0: empty).
    free: u32,
    max: usize,
}

impl Default for ResourceTable {
    fn default() -> Self {
        ResourceTable::new()
    }
}

impl fmt::Debug for ResourceTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceTable").field("len", &self.len()).finish()
    }
}

impl ResourceTable {
    /// An empty table that may hold up to 1,000,000 objects (wasmtime's
    /// default).
    pub fn new() -> ResourceTable {
        ResourceTable { entries: Vec::new(), free: 0, max: 1_000_000 }
    }

    /// Limits how many objects the table may hold.
    pub fn set_max_capacity(&mut self, max: usize) {
        self.max = max;
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| matches!(e, Entry::Occupied(_))).count()
    }

    /// Whether no object is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores `value`, returning an owned handle to it.
    pub fn push<T: Send + 'static>(&mut self, value: T) -> Result<Resource<T>, ResourceTableError> {
        self.insert(Occupied { value: Box::new(value), parent: None, children: 0 })
            .map(Resource::new_own)
    }

    /// Stores `value` as a child of `parent`: `parent` cannot be deleted
    /// while the child lives (a stream of a body, the headers of a request).
    pub fn push_child<T: Send + 'static, U: 'static>(
        &mut self,
        value: T,
        parent: &Resource<U>,
    ) -> Result<Resource<T>, ResourceTableError> {
        let p = parent.rep();
        self.occupied(p)?;
        let rep = self.insert(Occupied { value: Box::new(value), parent: Some(p), children: 0 })?;
        if let Some(Entry::Occupied(o)) = self.entries.get_mut(p as usize) {
            o.children += 1;
        }
        Ok(Resource::new_own(rep))
    }

    fn insert(&mut self, entry: Occupied) -> Result<u32, ResourceTableError> {
        let entry = Entry::Occupied(entry);
        if self.free != 0 {
            let i = self.free - 1;
            let Entry::Free { next } = self.entries[i as usize] else { unreachable!() };
            self.free = next;
            self.entries[i as usize] = entry;
            Ok(i)
        } else {
            if self.entries.len() >= self.max {
                return Err(ResourceTableError::Full);
            }
            self.entries.push(entry);
            Ok(self.entries.len() as u32 - 1)
        }
    }

    fn occupied(&self, rep: u32) -> Result<&(dyn Any + Send), ResourceTableError> {
        match self.entries.get(rep as usize) {
            Some(Entry::Occupied(o)) => Ok(&*o.value),
            _ => Err(ResourceTableError::NotPresent),
        }
    }

    /// The object behind `handle`.
    pub fn get<T: 'static>(&self, handle: &Resource<T>) -> Result<&T, ResourceTableError> {
        self.occupied(handle.rep())?.downcast_ref().ok_or(ResourceTableError::WrongType)
    }

    /// The object behind `handle`, mutably.
    pub fn get_mut<T: 'static>(
        &mut self,
        handle: &Resource<T>,
    ) -> Result<&mut T, ResourceTableError> {
        match self.entries.get_mut(handle.rep() as usize) {
            Some(Entry::Occupied(o)) => o.value.downcast_mut().ok_or(ResourceTableError::WrongType),
            _ => Err(ResourceTableError::NotPresent),
        }
    }

    /// Any object by representation, for code that knows only that.
    pub fn get_any_mut(&mut self, rep: u32) -> Result<&mut (dyn Any + Send), ResourceTableError> {
        match self.entries.get_mut(rep as usize) {
            Some(Entry::Occupied(o)) => Ok(&mut *o.value),
            _ => Err(ResourceTableError::NotPresent),
        }
    }

    /// Removes and returns the object behind `handle`; an object with live
    /// children stays ([`ResourceTableError::HasChildren`]).
    pub fn delete<T: 'static>(&mut self, handle: Resource<T>) -> Result<T, ResourceTableError> {
        let rep = handle.rep();
        self.get::<T>(&handle)?;
        if let Some(Entry::Occupied(o)) = self.entries.get(rep as usize)
            && o.children > 0
        {
            return Err(ResourceTableError::HasChildren);
        }
        let old =
            std::mem::replace(&mut self.entries[rep as usize], Entry::Free { next: self.free });
        self.free = rep + 1;
        let Entry::Occupied(o) = old else { unreachable!("presence checked above") };
        if let Some(p) = o.parent
            && let Some(Entry::Occupied(parent)) = self.entries.get_mut(p as usize)
        {
            parent.children -= 1;
        }
        match o.value.downcast::<T>() {
            Ok(v) => Ok(*v),
            Err(_) => unreachable!("type checked above"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_outlive_their_children() {
        let mut t = ResourceTable::new();
        let body = t.push(String::from("body")).unwrap();
        let stream = t.push_child(7u32, &body).unwrap();
        let other = t.push_child(8u32, &body).unwrap();
        let body_again = Resource::<String>::new_own(body.rep());
        assert_eq!(t.delete(body_again), Err(ResourceTableError::HasChildren));
        assert_eq!(t.get(&body).map(String::as_str), Ok("body"));
        assert_eq!(t.delete(stream), Ok(7));
        let body_again = Resource::<String>::new_own(body.rep());
        assert_eq!(t.delete(body_again), Err(ResourceTableError::HasChildren));
        assert_eq!(t.delete(other), Ok(8));
        assert_eq!(t.delete(body).as_deref(), Ok("body"));
        assert!(t.is_empty());
        // A child of a missing parent is refused; the last freed slot is
        // reused first.
        let gone = Resource::<String>::new_own(0);
        assert_eq!(t.push_child(1u8, &gone).err(), Some(ResourceTableError::NotPresent));
        assert_eq!(t.push(1u8).unwrap().rep(), 0);
    }
}
