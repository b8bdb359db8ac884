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
}

impl fmt::Display for ResourceTableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ResourceTableError::Full => "resource table has no free keys",
            ResourceTableError::NotPresent => "resource not present",
            ResourceTableError::WrongType => "resource is of another type",
        })
    }
}

impl std::error::Error for ResourceTableError {}

enum Entry {
    Free { next: u32 },
    Occupied(Box<dyn Any + Send>),
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
    pub fn new() -> ResourceTable {
        ResourceTable { entries: Vec::new(), free: 0, max: 1 << 20 }
    }

    /// Limits how many objects the table may hold.
    pub fn set_max_capacity(&mut self, max: usize) {
        self.max = max;
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| matches!(e, Entry::Occupied(_))).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores `value`, returning an owned handle to it.
    pub fn push<T: Send + 'static>(&mut self, value: T) -> Result<Resource<T>, ResourceTableError> {
        let entry = Entry::Occupied(Box::new(value));
        let rep = if self.free != 0 {
            let i = self.free - 1;
            let Entry::Free { next } = self.entries[i as usize] else { unreachable!() };
            self.free = next;
            self.entries[i as usize] = entry;
            i
        } else {
            if self.entries.len() >= self.max {
                return Err(ResourceTableError::Full);
            }
            self.entries.push(entry);
            self.entries.len() as u32 - 1
        };
        Ok(Resource::new_own(rep))
    }

    fn occupied(&self, rep: u32) -> Result<&(dyn Any + Send), ResourceTableError> {
        match self.entries.get(rep as usize) {
            Some(Entry::Occupied(b)) => Ok(&**b),
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
            Some(Entry::Occupied(b)) => b.downcast_mut().ok_or(ResourceTableError::WrongType),
            _ => Err(ResourceTableError::NotPresent),
        }
    }

    /// Any object by representation, for code that knows only that.
    pub fn get_any_mut(&mut self, rep: u32) -> Result<&mut (dyn Any + Send), ResourceTableError> {
        match self.entries.get_mut(rep as usize) {
            Some(Entry::Occupied(b)) => Ok(&mut **b),
            _ => Err(ResourceTableError::NotPresent),
        }
    }

    /// Removes and returns the object behind `handle`.
    pub fn delete<T: 'static>(&mut self, handle: Resource<T>) -> Result<T, ResourceTableError> {
        let rep = handle.rep();
        self.get::<T>(&handle)?;
        let old =
            std::mem::replace(&mut self.entries[rep as usize], Entry::Free { next: self.free });
        self.free = rep + 1;
        match old {
            Entry::Occupied(b) => match b.downcast::<T>() {
                Ok(v) => Ok(*v),
                Err(_) => unreachable!("type checked above"),
            },
            Entry::Free { .. } => unreachable!("presence checked above"),
        }
    }
}
