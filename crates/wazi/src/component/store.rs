//! Component-model state kept in a store: component instances (flags and
//! handle tables), component functions, resource types and active calls.

use super::abi_types::FuncTy;
use super::resources::{HandleTable, ResourceType};
use crate::store::extension::Extension;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// Index of a component instance in its store.
pub(crate) type InstanceId = u32;

/// A host resource destructor, type-erased over the store's data: it gets
/// the `StoreInner<T>` and the resource's representation.
pub(crate) type HostDtor = dyn Fn(*mut (), u32) -> anyhow::Result<()> + Send + Sync;

#[derive(Default)]
pub(crate) struct ComponentStore {
    pub instances: Vec<InstanceState>,
    pub funcs: Vec<FuncData>,
    pub guest_resources: Vec<GuestResource>,
    pub host_dtors: HashMap<TypeId, Arc<HostDtor>>,
    /// Calls into lifted functions not finished yet (a slab: ids are
    /// reused): each counts the borrow handles it has been lent and not
    /// yet dropped.
    pub tasks: Vec<Task>,
    free_tasks: Vec<u32>,
    /// Threads, tasks' async state, waitables, streams and futures.
    pub a: super::concurrent::AsyncState,
    /// Handles of resources the host holds (`ResourceAny`).
    pub host_handles: HandleTable,
    /// Exports of instances the embedder instantiated (`Instance` handles).
    pub exported: Vec<Arc<super::instance::InstanceValue>>,
}

/// The runtime state of one component instance.
pub(crate) struct InstanceState {
    pub parent: Option<InstanceId>,
    pub may_enter: bool,
    pub may_leave: bool,
    pub handles: HandleTable,
    /// `backpressure.inc` minus `backpressure.dec`.
    pub backpressure: u32,
    /// Async calls waiting for backpressure to end.
    pub waiting_to_enter: u32,
    /// The thread holding the instance's exclusive lock, if any.
    pub exclusive: Option<super::concurrent::ThreadId>,
    /// The instance's `threads` table (index 0 is reserved).
    pub threads: Vec<Option<super::concurrent::ThreadId>>,
}

/// A resource type defined by a component instance.
pub(crate) struct GuestResource {
    /// The instance that defined it (its `impl`).
    pub instance: InstanceId,
    /// Store index of the core destructor function, if any.
    pub dtor: Option<u32>,
}

#[derive(Default)]
pub(crate) struct Task {
    pub borrows: u32,
    /// Explicit threads of a synchronous call still running.
    pub threads: u32,
    /// The synchronous call returned (its explicit threads run on).
    pub returned: bool,
    /// The call's async state, for calls of `async` functions.
    pub a: Option<Box<super::concurrent::AsyncTask>>,
}

/// String encodings of `canonopt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StringEncoding {
    Utf8,
    Utf16,
    CompactUtf16,
}

/// Canonical options bound to store entities.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// The component instance the definition belongs to.
    pub instance: InstanceId,
    /// Store index of the memory.
    pub memory: Option<u32>,
    /// Store index of the `realloc` function.
    pub realloc: Option<u32>,
    /// Store index of the `post-return` function.
    pub post_return: Option<u32>,
    pub encoding: StringEncoding,
    /// `async`: the async ABI.
    pub async_: bool,
    /// Store index of the `callback` function.
    pub callback: Option<u32>,
}

/// A component function in a store.
#[derive(Clone)]
pub(crate) enum FuncData {
    /// A core function lifted by `canon lift`.
    Lifted(Arc<LiftedFunc>),
    /// A host function; `func` is the linker's `HostComponentFunc<T>`, `dynamic`
    /// calls it with values.
    Host {
        func: Arc<dyn Any + Send + Sync>,
        dynamic: Arc<DynamicFn>,
        ty: Arc<FuncTy>,
        resources: Resources,
    },
}

/// A host function called with values; it gets the `StoreInner<T>`.
pub(crate) type DynamicFn =
    dyn Fn(*mut (), &[super::Val], &mut [super::Val]) -> anyhow::Result<()> + Send + Sync;

/// Run-time resource types of a component, by its dense resource index.
pub(crate) type Resources = Arc<[Option<ResourceType>]>;

pub(crate) struct LiftedFunc {
    /// Store index of the core function.
    pub core: u32,
    pub ty: Arc<FuncTy>,
    pub opts: Options,
    pub resources: Resources,
}

impl ComponentStore {
    pub fn new_instance(&mut self, parent: Option<InstanceId>) -> InstanceId {
        self.instances.push(InstanceState {
            parent,
            may_enter: true,
            may_leave: true,
            handles: HandleTable::default(),
            backpressure: 0,
            waiting_to_enter: 0,
            exclusive: None,
            threads: vec![None],
        });
        self.instances.len() as InstanceId - 1
    }

    /// A new task.
    pub fn alloc_task(&mut self, task: Task) -> usize {
        match self.free_tasks.pop() {
            Some(i) => {
                self.tasks[i as usize] = task;
                i as usize
            }
            None => {
                self.tasks.push(task);
                self.tasks.len() - 1
            }
        }
    }

    /// Frees task `i`.
    pub fn free_task(&mut self, i: usize) {
        self.tasks[i] = Task::default();
        self.free_tasks.push(i as u32);
    }

    /// Instance `i` and its ancestors, innermost first.
    pub fn self_and_ancestors(&self, i: InstanceId) -> Vec<InstanceId> {
        let mut out = vec![i];
        let mut cur = self.instances[i as usize].parent;
        while let Some(p) = cur {
            out.push(p);
            cur = self.instances[p as usize].parent;
        }
        out
    }

    /// The instances a call from `caller` into `callee` enters.
    pub fn entering_set(&self, callee: InstanceId, caller: Option<InstanceId>) -> Vec<InstanceId> {
        let mut set = self.self_and_ancestors(callee);
        if let Some(c) = caller {
            let held = self.self_and_ancestors(c);
            set.retain(|i| !held.contains(i));
        }
        set
    }
}

/// The component model's state in a store, kept in the store's
/// [`Extension`] slot (the engine core does not name it).
pub(crate) trait Components {
    /// The store's component state.
    fn components(&self) -> &ComponentStore;
    /// The store's component state, mutably.
    fn components_mut(&mut self) -> &mut ComponentStore;
}

impl Components for Extension {
    fn components(&self) -> &ComponentStore {
        self.get()
    }

    fn components_mut(&mut self) -> &mut ComponentStore {
        self.get_mut()
    }
}
