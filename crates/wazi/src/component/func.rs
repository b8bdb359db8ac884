//! Calls across the component boundary: into lifted functions (from the
//! host or from another component), out of components through lowered
//! imports, and the `resource.*` built-ins.

use super::abi::{Cx, FlatSrc, What};
use super::abi_types::FuncTy;
use super::resources::{Removed, ResourceKind, ResourceType, Slot};
use super::store::{Components, FuncData, InstanceId, LiftedFunc, Options, Resources, Task};
use super::values::{self, Val};
use crate::func::Func as CoreFunc;
use crate::store::{AsContext, AsContextMut, HostFunc, StoreCore, StoreInner, Stored};
use crate::trap::Trap;
use crate::types::{FuncType, ValType};
use anyhow::{Context, Result, bail};
use std::any::Any;
use std::sync::Arc;

/// A component function in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Func(pub(crate) Stored);

/// Where lowered arguments go: flat core values, or a tuple in memory.
pub(crate) enum ArgDest<'a> {
    Flat(&'a mut Vec<u64>),
    Memory(u32),
}

/// Where a lifted result comes from.
pub(crate) enum ResultSrc<'a> {
    Flat(&'a [u64]),
    Memory(u32),
}

/// What a lowered import calls.
pub(crate) enum Callee {
    Lifted(Arc<LiftedFunc>),
    /// The linker's `HostComponentFunc<T>` (see `super::linker`).
    Host(Arc<dyn Any + Send + Sync>),
}

/// A `canon lower` definition bound to its instance.
pub(crate) struct LowerSite {
    pub opts: Options,
    pub ty: Arc<FuncTy>,
    pub resources: Resources,
    pub callee: Callee,
}

impl LowerSite {
    /// Index of the return pointer among the core parameters.
    pub fn retptr_index(&self) -> usize {
        if self.ty.params_spill_for(self.opts.async_) {
            1
        } else {
            self.ty.params_abi.flat as usize
        }
    }
}

impl Func {
    fn data<'a>(&self, core: &'a StoreCore) -> &'a FuncData {
        &core.ext.components().funcs[self.0.check(core)]
    }

    pub(crate) fn ty_of(&self, core: &StoreCore) -> (Arc<FuncTy>, Resources) {
        match self.data(core) {
            FuncData::Lifted(l) => (l.ty.clone(), l.resources.clone()),
            FuncData::Host { ty, resources, .. } => (ty.clone(), resources.clone()),
        }
    }

    /// Calls the function with `params`, writing its result (if any) to
    /// `results`.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let inner = store.as_context_mut().0;
        let core = &mut inner.core;
        let data = self.data(core).clone();
        let (ty, _) = self.ty_of(core);
        if params.len() != ty.params.len() {
            bail!("expected {} argument(s), got {}", ty.params.len(), params.len());
        }
        let want = ty.result.is_some() as usize;
        if results.len() != want {
            bail!("expected {want} result(s), got {}", results.len());
        }
        let resources = self.ty_of(core).1;
        for ((name, t), v) in ty.params.iter().zip(params) {
            values::typecheck(t, v, &resources, &core.ext.components_mut().host_handles)
                .with_context(|| format!("type mismatch with parameter `{name}`"))?;
        }
        match data {
            FuncData::Lifted(f) if f.ty.async_ => {
                let v = super::concurrent::call_from_host(core, &f, params)?;
                if let (Some(slot), Some(v)) = (results.first_mut(), v) {
                    *slot = v;
                }
                Ok(())
            }
            FuncData::Lifted(f) => {
                let r = call_lifted(
                    core,
                    &f,
                    None,
                    |cx, dest| lower_params(cx, &f.ty, params, dest),
                    |cx, src| lift_result(cx, &f.ty, src),
                    |_, v| Ok(v),
                )?;
                if let (Some(slot), Some(v)) = (results.first_mut(), r) {
                    *slot = v;
                }
                Ok(())
            }
            FuncData::Host { dynamic, .. } => dynamic(core.outer, params, results),
        }
    }

    /// Starts a call of this `async` function with `params`: it runs until
    /// it first blocks, then goes on while the store's event loop runs
    /// ([`run_concurrent`](super::run_concurrent), or another call), so
    /// one instance may serve several calls at once. The result is in the
    /// returned [`ConcurrentCall`](super::ConcurrentCall) once it returned.
    pub fn call_concurrent(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
    ) -> Result<super::ConcurrentCall> {
        let core = &mut store.as_context_mut().0.core;
        let FuncData::Lifted(f) = self.data(core).clone() else {
            bail!("only functions a component exports can be called concurrently");
        };
        if !f.ty.async_ {
            bail!("`call_concurrent` calls `async` functions only");
        }
        let (ty, resources) = self.ty_of(core);
        if params.len() != ty.params.len() {
            bail!("expected {} argument(s), got {}", ty.params.len(), params.len());
        }
        for ((name, t), v) in ty.params.iter().zip(params) {
            values::typecheck(t, v, &resources, &core.ext.components_mut().host_handles)
                .with_context(|| format!("type mismatch with parameter `{name}`"))?;
        }
        super::concurrent::start_from_host(core, &f, params)
    }

    /// A typed view of the function, checking its type.
    pub fn typed<Params, Results>(
        &self,
        store: impl AsContext,
    ) -> Result<super::TypedFunc<Params, Results>>
    where
        Params: super::typed::ComponentNamedList + super::typed::Lower,
        Results: super::typed::ComponentNamedList + super::typed::Lift,
    {
        let core = &store.as_context().0.core;
        let (ty, resources) = self.ty_of(core);
        Params::typecheck(&ty.params_tuple, &resources).context("type mismatch with parameters")?;
        Results::typecheck(&ty.results_tuple, &resources).context("type mismatch with results")?;
        Ok(super::TypedFunc::new(*self))
    }

    /// The function's parameters: names and types.
    pub fn params(&self, store: impl AsContext) -> Vec<(String, super::types::Type)> {
        let core = &store.as_context().0.core;
        let (ty, resources) = self.ty_of(core);
        ty.params
            .iter()
            .map(|(n, t)| (n.clone(), super::types::Type::new(t.clone(), resources.clone())))
            .collect()
    }

    /// The function's result types (none or one).
    pub fn results(&self, store: impl AsContext) -> Vec<super::types::Type> {
        let core = &store.as_context().0.core;
        let (ty, resources) = self.ty_of(core);
        ty.result.iter().map(|t| super::types::Type::new(t.clone(), resources.clone())).collect()
    }
}

/// Lowers `params` (of `ty`) into the callee.
pub(crate) fn lower_params(
    cx: &mut Cx<'_>,
    ty: &FuncTy,
    params: &[Val],
    dest: ArgDest<'_>,
) -> Result<()> {
    if params.len() != ty.params.len() {
        bail!("expected {} argument(s), got {}", ty.params.len(), params.len());
    }
    match dest {
        ArgDest::Flat(out) => {
            for ((_, t), v) in ty.params.iter().zip(params) {
                values::lower_flat(cx, t, v, out)?;
            }
        }
        ArgDest::Memory(ptr) => {
            for (((_, t), v), off) in ty.params.iter().zip(params).zip(ty.param_offsets.iter()) {
                values::store(cx, t, v, ptr + off)?;
            }
        }
    }
    Ok(())
}

/// Lifts the parameters of a lowered call from the caller's core values.
pub(crate) fn lift_params(cx: &mut Cx<'_>, ty: &FuncTy, slots: &[u64]) -> Result<Vec<Val>> {
    let mut out = Vec::with_capacity(ty.params.len());
    if ty.params_spill_for(cx.opts.async_) {
        let ptr = slots[0] as u32;
        let a = ty.params_abi;
        cx.check_range(ptr, a.size as u64, a.align, What::Pointer)?;
        for ((_, t), off) in ty.params.iter().zip(ty.param_offsets.iter()) {
            out.push(values::load(cx, t, ptr + off)?);
        }
    } else {
        let mut src = FlatSrc::new(slots);
        for (_, t) in ty.params.iter() {
            out.push(values::lift_flat(cx, t, &mut src)?);
        }
    }
    Ok(out)
}

/// Lifts a lifted function's result.
pub(crate) fn lift_result(cx: &mut Cx<'_>, ty: &FuncTy, src: ResultSrc<'_>) -> Result<Option<Val>> {
    let Some(t) = &ty.result else { return Ok(None) };
    Ok(Some(match src {
        ResultSrc::Flat(vals) => values::lift_flat(cx, t, &mut FlatSrc::new(vals))?,
        ResultSrc::Memory(ptr) => values::load(cx, t, ptr)?,
    }))
}

/// Lowers the result of a lowered call into the caller: into `slots[0]`,
/// or through the return pointer.
pub(crate) fn lower_result(
    cx: &mut Cx<'_>,
    ty: &FuncTy,
    retptr: usize,
    v: Option<&Val>,
    slots: &mut [u64],
) -> Result<()> {
    let (Some(t), Some(v)) = (&ty.result, v) else { return Ok(()) };
    if ty.result_spills_for(cx.opts.async_) {
        let ptr = slots[retptr] as u32;
        let a = ty.result_abi;
        cx.check_range(ptr, a.size as u64, a.align, What::Pointer)?;
        values::store(cx, t, v, ptr)
    } else {
        let mut out = Vec::with_capacity(1);
        values::lower_flat(cx, t, v, &mut out)?;
        slots[0] = out.first().copied().unwrap_or(0);
        Ok(())
    }
}

/// Calls lifted function `f` from `caller` (`None`: the host), following
/// `canon lift`: enter the instance, lower the arguments, run the core
/// function, lift the result, check the borrows given to the callee were
/// dropped, hand the result over, then run `post-return`.
pub(crate) fn call_lifted<R, O>(
    core: &mut StoreCore,
    f: &LiftedFunc,
    caller: Option<InstanceId>,
    write_args: impl FnOnce(&mut Cx<'_>, ArgDest<'_>) -> Result<()>,
    lift: impl FnOnce(&mut Cx<'_>, ResultSrc<'_>) -> Result<R>,
    deliver: impl FnOnce(&mut StoreCore, R) -> Result<O>,
) -> Result<O> {
    let entering = check_enter(core.ext.components(), f.opts.instance, caller)?;
    let comps = core.ext.components_mut();
    for &i in &entering {
        comps.instances[i as usize].may_enter = false;
    }
    let task = comps.alloc_task(Task::default());
    let fused = caller.is_some();
    let mut args_refused = false;
    let thread = super::concurrent::enter_sync(core, task, f.opts.instance);
    let r = run_lifted(core, f, fused, task, write_args, lift, deliver, &mut args_refused);
    super::concurrent::leave_sync(core, thread);
    // On a trap the instance stays entered: it cannot be entered again. An
    // argument the host got wrong (an error, not a trap, before the callee
    // ran) leaves it usable.
    // Explicit threads the call started may outlive it: the last one to
    // end frees the task then.
    let comps = core.ext.components_mut();
    if comps.tasks[task].threads > 0 {
        comps.tasks[task].returned = true;
    } else {
        comps.free_task(task);
    }
    let host_error =
        args_refused && r.as_ref().err().is_some_and(|e| e.downcast_ref::<Trap>().is_none());
    if r.is_ok() || host_error {
        for &i in &entering {
            core.ext.components_mut().instances[i as usize].may_enter = true;
        }
    }
    r
}

/// The instances a call from `caller` into `callee` enters, checked to
/// be enterable (`Store.lift`'s `may_enter_from`).
pub(crate) fn check_enter(
    comps: &super::store::ComponentStore,
    callee: InstanceId,
    caller: Option<InstanceId>,
) -> Result<Vec<InstanceId>> {
    // Like wasmtime, a call between an instance and itself or one of its
    // ancestors traps whatever the flags say: reentrance through such a
    // call is never allowed.
    if let Some(c) = caller
        && (comps.self_and_ancestors(c).contains(&callee)
            || comps.self_and_ancestors(callee).contains(&c))
    {
        return Err(Trap::CannotEnterComponent.into());
    }
    let entering = comps.entering_set(callee, caller);
    if entering.iter().any(|&i| !comps.instances[i as usize].may_enter) {
        return Err(Trap::CannotEnterComponent.into());
    }
    Ok(entering)
}

#[allow(clippy::too_many_arguments)]
fn run_lifted<R, O>(
    core: &mut StoreCore,
    f: &LiftedFunc,
    fused: bool,
    task: usize,
    write_args: impl FnOnce(&mut Cx<'_>, ArgDest<'_>) -> Result<()>,
    lift: impl FnOnce(&mut Cx<'_>, ResultSrc<'_>) -> Result<R>,
    deliver: impl FnOnce(&mut StoreCore, R) -> Result<O>,
    args_refused: &mut bool,
) -> Result<O> {
    let flat = lower_args(core, f, fused, task, write_args, args_refused)?;
    let nresults = (f.ty.result_spills() || f.ty.result_abi.flat > 0) as usize;
    let mut results = [0u64; 1];
    // SAFETY: `core` is the core of a live store (every caller reaches it
    // through one); the flat arguments match the lifted core function's
    // signature, which validation checked against the lifted type.
    unsafe {
        core.invoke(f.core, &mut |s| s[..flat.len()].copy_from_slice(&flat), &mut |s| {
            results[..nresults].copy_from_slice(&s[..nresults])
        })?;
    }
    let results = &results[..nresults];
    let value = lift_results(core, f, fused, results, lift)?;
    if core.ext.components_mut().tasks[task].borrows > 0 {
        bail!("borrow handles still remain at the end of the call");
    }
    let out = deliver(core, value)?;
    post_return(core, f, results)?;
    Ok(out)
}

/// Lowers the arguments of a call of lifted `f` (task `task`) into its
/// instance: flat, or through memory its `realloc` gives when they spill.
/// `args_refused` tells a failure of `write_args` (the caller's values)
/// from one of the callee.
pub(crate) fn lower_args(
    core: &mut StoreCore,
    f: &LiftedFunc,
    fused: bool,
    task: usize,
    write_args: impl FnOnce(&mut Cx<'_>, ArgDest<'_>) -> Result<()>,
    args_refused: &mut bool,
) -> Result<Vec<u64>> {
    let mut flat = Vec::with_capacity(16);
    let mut cx = Cx::new(core, &f.opts, &f.resources, fused);
    cx.task = Some(task);
    let r = if f.ty.params_spill() {
        let a = f.ty.params_abi;
        let ptr = cx.realloc(0, 0, a.align, a.size, What::List)?;
        flat.push(ptr as u64);
        write_args(&mut cx, ArgDest::Memory(ptr))
    } else {
        write_args(&mut cx, ArgDest::Flat(&mut flat))
    };
    if r.is_err() {
        *args_refused = true;
    }
    r.map(|()| flat)
}

/// Lifts the result of lifted `f` from its core `results` (a pointer to it
/// when it spills).
pub(crate) fn lift_results<R>(
    core: &mut StoreCore,
    f: &LiftedFunc,
    fused: bool,
    results: &[u64],
    lift: impl FnOnce(&mut Cx<'_>, ResultSrc<'_>) -> Result<R>,
) -> Result<R> {
    let mut cx = Cx::new(core, &f.opts, &f.resources, fused);
    if f.ty.result_spills() {
        let ptr = results[0] as u32;
        let a = f.ty.result_abi;
        cx.check_range(ptr, a.size as u64, a.align, What::Pointer)?;
        lift(&mut cx, ResultSrc::Memory(ptr))
    } else {
        lift(&mut cx, ResultSrc::Flat(results))
    }
}

/// Runs `f`'s `post-return`, if any, with its core `results`; the instance
/// may not be left meanwhile.
pub(crate) fn post_return(core: &mut StoreCore, f: &LiftedFunc, results: &[u64]) -> Result<()> {
    let Some(post) = f.opts.post_return else { return Ok(()) };
    let inst = f.opts.instance as usize;
    core.ext.components_mut().instances[inst].may_leave = false;
    // SAFETY: `core` is the core of a live store; `post-return` takes the
    // core results (validated).
    let r = unsafe {
        core.invoke(post, &mut |s| s[..results.len()].copy_from_slice(results), &mut |_| {})
    };
    core.ext.components_mut().instances[inst].may_leave = true;
    r
}

/// A lowered import calling a lifted function of another component.
fn guest_to_guest(
    core: &mut StoreCore,
    site: &LowerSite,
    f: &LiftedFunc,
    slots: &mut [u64],
) -> Result<()> {
    let caller = site.opts.instance;
    // The callee is entered before anything is lifted from the caller.
    check_enter(core.ext.components(), f.opts.instance, Some(caller))?;
    // Strings carry their source encoding and length across (as hints),
    // which decide how the receiving side allocates them.
    let (args, lenders, hints) = {
        let mut cx = Cx::new(core, &site.opts, &site.resources, true);
        let args = lift_params(&mut cx, &site.ty, slots)?;
        (args, std::mem::take(&mut cx.lenders), std::mem::take(&mut cx.hints_out))
    };
    let retptr = site.retptr_index();
    let r = call_lifted(
        core,
        f,
        Some(caller),
        |cx, dest| {
            cx.hints_in = hints.into();
            lower_params(cx, &f.ty, &args, dest)
        },
        |cx, src| Ok((lift_result(cx, &f.ty, src)?, std::mem::take(&mut cx.hints_out))),
        |core, (v, hints)| {
            let mut cx = Cx::new(core, &site.opts, &site.resources, true);
            cx.hints_in = hints.into();
            lower_result(&mut cx, &site.ty, retptr, v.as_ref(), slots)
        },
    );
    for i in lenders {
        core.ext.components_mut().handles(caller).undo_lend(i);
    }
    r
}

/// The core type of a lowered function.
pub(crate) fn core_type(ty: &FuncTy, lower: bool) -> FuncType {
    let conv = |t: &wasmparser::ValType| match t {
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        _ => ValType::I32,
    };
    let (p, r) = ty.core_signature(lower);
    FuncType::new(p.iter().map(conv), r.iter().map(conv))
}

fn core_func(core: &mut StoreCore, ty: &FuncType, call: Box<crate::store::HostFn>) -> CoreFunc {
    let type_id = core.engine.type_id(ty);
    core_func_of(core, ty, type_id, call)
}

/// [`core_func`], with the type's registry id known.
fn core_func_of(
    core: &mut StoreCore,
    ty: &FuncType,
    type_id: u32,
    call: Box<crate::store::HostFn>,
) -> CoreFunc {
    let host = HostFunc { type_id, slots: ty.call_slots(), num_results: ty.result_slots(), call };
    CoreFunc::from_host(core, Arc::new(host))
}

/// The core function `canon lower` makes of `site`.
pub(crate) fn lower<T: 'static>(core: &mut StoreCore, site: LowerSite) -> Result<CoreFunc> {
    let lowered = site.ty.clone();
    let async_ty;
    let (ty, type_id) = if site.opts.async_ {
        async_ty = super::concurrent::async_lower_type(&lowered);
        (&async_ty, core.engine.type_id(&async_ty))
    } else {
        let (ty, id) = lowered.lowered.get_or_init(|| {
            let ty = core_type(&lowered, true);
            let id = core.engine.type_id(&ty);
            (ty, id)
        });
        (ty, *id)
    };
    let is_async = super::concurrent::is_async_call(&site);
    let site = Arc::new(site);
    let host = match &site.callee {
        Callee::Host(h) => match h.clone().downcast::<super::linker::HostComponentFunc<T>>() {
            Ok(h) => Some(h),
            Err(_) => bail!("host function defined for a store of another data type"),
        },
        Callee::Lifted(_) => None,
    };
    let call = move |outer: *mut (), _: *const crate::store::InstanceData, slots: &mut [u64]| {
        // SAFETY: core functions of a store are only called with that
        // store's `StoreInner<T>`, and this one was made for a `T` store.
        let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
        let inst = site.opts.instance as usize;
        if !inner.core.ext.components_mut().instances[inst].may_leave {
            return Err(Trap::CannotLeaveComponent.into());
        }
        match (&site.callee, &host) {
            // Host functions run to their end: an async lowering of one
            // has always returned.
            (_, Some(h)) if site.opts.async_ && !h.concurrent => {
                (h.entry)(inner, &site, slots)?;
                slots[0] = 2;
                Ok(())
            }
            (_, Some(h)) => (h.entry)(inner, &site, slots),
            (Callee::Lifted(f), None) if is_async => {
                super::concurrent::lower_call(&mut inner.core, &site, f, slots)
            }
            (Callee::Lifted(f), None) => guest_to_guest(&mut inner.core, &site, f, slots),
            (Callee::Host(_), None) => unreachable!("host callee resolved above"),
        }
    };
    Ok(core_func_of(core, ty, type_id, Box::new(call)))
}

#[derive(Clone, Copy)]
pub(crate) enum ResourceOp {
    New,
    Drop,
    Rep,
}

/// The core function of `canon resource.new`, `resource.drop` or
/// `resource.rep` for resource type `rt` in instance `inst`.
pub(crate) fn resource_builtin<T: 'static>(
    core: &mut StoreCore,
    op: ResourceOp,
    rt: ResourceType,
    inst: InstanceId,
) -> CoreFunc {
    let ty = match op {
        ResourceOp::New | ResourceOp::Rep => FuncType::new([ValType::I32], [ValType::I32]),
        ResourceOp::Drop => FuncType::new([ValType::I32], []),
    };
    let call = move |outer: *mut (), _: *const crate::store::InstanceData, slots: &mut [u64]| {
        // SAFETY: as in `lower`.
        let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
        let core = &mut inner.core;
        let arg = slots[0] as u32;
        match op {
            ResourceOp::New => {
                if !core.ext.components_mut().instances[inst as usize].may_leave {
                    return Err(Trap::CannotLeaveComponent.into());
                }
                let i = core.ext.components_mut().handles(inst).insert(Slot::Own {
                    ty: rt,
                    rep: arg,
                    lends: 0,
                })?;
                slots[0] = i as u64;
            }
            ResourceOp::Rep => {
                slots[0] = core.ext.components_mut().handles(inst).rep(arg, rt)? as u64;
            }
            ResourceOp::Drop => {
                if !core.ext.components_mut().instances[inst as usize].may_leave {
                    return Err(Trap::CannotLeaveComponent.into());
                }
                match core.ext.components_mut().handles(inst).remove(arg, rt)? {
                    Removed::Own { rep } => run_dtor(core, rt, rep, Some(inst))?,
                    Removed::Borrow { scope } => {
                        if let Some(t) = core.ext.components_mut().tasks.get_mut(scope as usize) {
                            t.borrows = t.borrows.saturating_sub(1);
                        }
                    }
                }
            }
        }
        Ok(())
    };
    core_func(core, &ty, Box::new(call))
}

/// Runs the destructor of resource `rep` of type `rt`, as called from
/// `caller` (`None`: the host).
pub(crate) fn run_dtor(
    core: &mut StoreCore,
    rt: ResourceType,
    rep: u32,
    caller: Option<InstanceId>,
) -> Result<()> {
    match rt.0 {
        ResourceKind::Host(tid) => {
            if let Some(d) = core.ext.components_mut().host_dtors.get(&tid).cloned() {
                d(core.outer, rep)?;
            }
            Ok(())
        }
        ResourceKind::Guest { index, .. } => {
            let gr = &core.ext.components_mut().guest_resources[index as usize];
            let (impl_inst, dtor) = (gr.instance, gr.dtor);
            // Even without a destructor the call enters the implementation
            // (a missing destructor is an empty function), so reentrance
            // traps alike.
            let comps = core.ext.components_mut();
            let entering = comps.entering_set(impl_inst, caller);
            if entering.iter().any(|&i| !comps.instances[i as usize].may_enter) {
                return Err(Trap::CannotEnterComponent.into());
            }
            let Some(dtor) = dtor else { return Ok(()) };
            for &i in &entering {
                comps.instances[i as usize].may_enter = false;
            }
            // SAFETY: as in `run_lifted`; destructors take the i32 rep.
            unsafe { core.invoke(dtor, &mut |s| s[0] = rep as u64, &mut |_| {})? };
            for &i in &entering {
                core.ext.components_mut().instances[i as usize].may_enter = true;
            }
            Ok(())
        }
    }
}
