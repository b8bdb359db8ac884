//! Functions: [`Func`], host functions, [`Caller`], and [`TypedFunc`].

use crate::engine::Engine;
use crate::extern_::Extern;
use crate::store::{
    AsContext, AsContextMut, FuncEntity, FuncKind, HostFunc, InstanceData, StoreContext,
    StoreContextMut, StoreCore, StoreInner, Stored,
};
use crate::types::{FuncType, ValType};
use crate::values::{ExternRef, Val};
use anyhow::{Result, bail};
use std::marker::PhantomData;
use std::sync::Arc;

/// A function in a store: defined by wasm or by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) Stored);

impl Func {
    /// A host function with a dynamic signature: `f` receives the arguments
    /// as [`Val`]s and writes the results.
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let ctx = store.as_context_mut();
        let host = host_func_dynamic(ctx.engine(), ty, f);
        Func::from_host(&mut ctx.0.core, Arc::new(host))
    }

    /// A host function from a Rust closure; its signature comes from the
    /// closure's parameter and result types. The closure may take a
    /// [`Caller`] first and may return a `Result`.
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let ctx = store.as_context_mut();
        let host = f.into_host_func(ctx.engine());
        Func::from_host(&mut ctx.0.core, Arc::new(host))
    }

    pub(crate) fn from_host(core: &mut StoreCore, host: Arc<HostFunc>) -> Func {
        core.funcs.push(FuncEntity { ty: host.type_id, kind: FuncKind::Host(host) });
        Func(Stored { store: core.id, index: core.funcs.len() as u32 - 1 })
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let core = &store.as_context().0.core;
        let i = self.0.check(core);
        core.engine.func_type(core.funcs[i].ty)
    }

    /// Calls the function with `params`, writing its results to `results`.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let ctx = store.as_context_mut();
        let core = &mut ctx.0.core;
        let i = self.0.check(core);
        let ty = core.engine.func_type(core.funcs[i].ty);
        if params.len() != ty.params().len() {
            bail!("expected {} arguments, got {}", ty.params().len(), params.len());
        }
        if results.len() != ty.results().len() {
            bail!("expected {} results, got {}", ty.results().len(), results.len());
        }
        let mut raw = vec![0; ty.param_slots()];
        let mut slot = 0;
        for (k, (p, t)) in params.iter().zip(ty.params()).enumerate() {
            if !p.matches(t, core) {
                bail!("argument type mismatch: argument {k} is {}, expected {t}", p.ty());
            }
            p.write_slots(core, &mut raw, &mut slot);
        }
        let id = core.id;
        // SAFETY: `core` is the core of the store behind `ctx`; the writer
        // writes exactly the parameters.
        unsafe {
            core.invoke(
                i as u32,
                &mut |slots| slots[..raw.len()].copy_from_slice(&raw),
                &mut |slots| {
                    let mut slot = 0;
                    for (k, t) in ty.results().iter().enumerate() {
                        results[k] = Val::read_slots(slots, &mut slot, *t, id);
                    }
                },
            )?;
        }
        core.root_host_refs(results);
        Ok(())
    }

    /// A typed view of the function, checking its type.
    pub fn typed<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<P, R>> {
        let ty = self.ty(&store);
        let (want_p, want_r) = (P::types(), R::types());
        if ty.params() != want_p.as_slice() || ty.results() != want_r.as_slice() {
            bail!(
                "type mismatch with parameters: the function is {ty}, not {}",
                FuncType::new(want_p, want_r)
            );
        }
        Ok(TypedFunc { func: *self, _marker: PhantomData })
    }
}

/// What a host function gets to see of its caller: the store's data and
/// the calling instance's exports.
pub struct Caller<'a, T> {
    pub(crate) inner: &'a mut StoreInner<T>,
    pub(crate) caller: *const InstanceData,
}

impl<T> Caller<'_, T> {
    /// The store's user data.
    pub fn data(&self) -> &T {
        &self.inner.data
    }

    /// Throws `exception` into the calling wasm code: return the error
    /// from the host function (see [`crate::Store::throw`]).
    pub fn throw<R>(&mut self, exception: crate::ExnRef) -> Result<R, crate::ThrownException> {
        Err(self.inner.core.throw(exception))
    }

    /// Takes the pending exception (see
    /// [`crate::Store::take_pending_exception`]).
    pub fn take_pending_exception(&mut self) -> Option<crate::ExnRef> {
        self.inner.core.take_pending_exception()
    }

    /// The store's user data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data
    }

    /// The store's engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.core.engine
    }

    /// The calling instance's export `name` (typically its `memory`).
    pub fn get_export(&mut self, name: &str) -> Option<Extern> {
        if self.caller.is_null() {
            return None;
        }
        // SAFETY: the calling instance lives in this store.
        let inst = unsafe { &*self.caller };
        crate::instance::export_of(&self.inner.core, inst, name)
    }

    /// The remaining fuel, as [`crate::Store::get_fuel`].
    pub fn get_fuel(&self) -> Result<u64> {
        self.inner.core.get_fuel()
    }

    /// Sets the remaining fuel, as [`crate::Store::set_fuel`]; the calling
    /// code continues with it when the host function returns.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.inner.core.set_fuel(fuel)
    }

    /// The data this host call may copy out of the guest
    /// ([`crate::Store::set_hostcall_fuel`]).
    pub fn hostcall_fuel(&self) -> usize {
        self.inner.core.hostcall_fuel
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.inner)
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.inner)
    }
}

/// Builds a host function with a dynamic signature.
pub(crate) fn host_func_dynamic<T: 'static>(
    engine: &Engine,
    ty: FuncType,
    f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
) -> HostFunc {
    let type_id = engine.type_id(&ty);
    let slots = ty.call_slots();
    let num_results = ty.result_slots();
    let sig = ty;
    let call = move |outer: *mut (), caller: *const InstanceData, slots: &mut [u64]| {
        // SAFETY: host functions are only called with the `StoreInner<T>`
        // of a store whose data type is `T` (checked when linking).
        let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
        let id = inner.core.id;
        let mut slot = 0;
        let params: Vec<Val> =
            sig.params().iter().map(|t| Val::read_slots(slots, &mut slot, *t, id)).collect();
        // The parameters' GC references are rooted for the call only.
        let roots = inner.core.gc.host_roots.len();
        inner.core.root_host_refs(&params);
        let mut results: Vec<Val> = sig.results().iter().map(|t| Val::default_for(*t)).collect();
        let r = f(Caller { inner: &mut *inner, caller }, &params, &mut results);
        inner.core.gc.host_roots.truncate(roots);
        r?;
        let mut slot = 0;
        for (r, t) in results.iter().zip(sig.results()) {
            if !r.matches(t, &inner.core) {
                bail!("function attempted to return an incompatible value: {} for {t}", r.ty());
            }
            r.write_slots(&inner.core, slots, &mut slot);
        }
        Ok(())
    };
    HostFunc { type_id, slots, num_results, call: Box::new(call) }
}

/// A Rust type that is a WebAssembly value.
pub trait WasmTy: Sized + Send + 'static {
    /// The WebAssembly type the Rust type stands for.
    fn valtype() -> ValType;
    #[doc(hidden)]
    fn from_raw(raw: u64, store: u64) -> Self;
    #[doc(hidden)]
    fn to_raw(self, core: &StoreCore) -> u64;
    /// Reads the value from `slots` at `*k`, advancing `k` past it.
    #[doc(hidden)]
    #[inline]
    fn load_at(slots: &[u64], k: &mut usize, store: u64) -> Self {
        *k += 1;
        Self::from_raw(slots[*k - 1], store)
    }
    /// Writes the value to `slots` at `*k`, advancing `k` past it.
    #[doc(hidden)]
    #[inline]
    fn store_at(self, core: &StoreCore, slots: &mut [u64], k: &mut usize) {
        slots[*k] = self.to_raw(core);
        *k += 1;
    }
}

impl WasmTy for crate::V128 {
    fn valtype() -> ValType {
        ValType::V128
    }
    fn from_raw(raw: u64, _: u64) -> Self {
        crate::V128::from(raw as u128)
    }
    fn to_raw(self, _: &StoreCore) -> u64 {
        self.as_u128() as u64
    }
    fn load_at(slots: &[u64], k: &mut usize, _: u64) -> Self {
        *k += 2;
        crate::V128::from((slots[*k - 1] as u128) << 64 | slots[*k - 2] as u128)
    }
    fn store_at(self, _: &StoreCore, slots: &mut [u64], k: &mut usize) {
        slots[*k] = self.as_u128() as u64;
        slots[*k + 1] = (self.as_u128() >> 64) as u64;
        *k += 2;
    }
}

macro_rules! wasm_ty_num {
    ($($t:ty => $v:ident, $from:expr, $to:expr;)*) => {$(
        impl WasmTy for $t {
            fn valtype() -> ValType { ValType::$v }
            #[inline]
            fn from_raw(raw: u64, _: u64) -> Self { ($from)(raw) }
            #[inline]
            fn to_raw(self, _: &StoreCore) -> u64 { ($to)(self) }
        }
    )*};
}

wasm_ty_num! {
    i32 => I32, |r: u64| r as u32 as i32, |v: i32| v as u32 as u64;
    u32 => I32, |r: u64| r as u32, |v: u32| v as u64;
    i64 => I64, |r: u64| r as i64, |v: i64| v as u64;
    u64 => I64, |r: u64| r, |v: u64| v;
    f32 => F32, |r: u64| f32::from_bits(r as u32), |v: f32| v.to_bits() as u64;
    f64 => F64, |r: u64| f64::from_bits(r), |v: f64| v.to_bits();
}

impl WasmTy for Option<Func> {
    fn valtype() -> ValType {
        ValType::FuncRef
    }
    fn from_raw(raw: u64, store: u64) -> Self {
        (raw != 0).then(|| Func(Stored { store, index: (raw - 1) as u32 }))
    }
    fn to_raw(self, core: &StoreCore) -> u64 {
        self.map_or(0, |f| f.0.check(core) as u64 + 1)
    }
}

impl WasmTy for Option<ExternRef> {
    fn valtype() -> ValType {
        ValType::ExternRef
    }
    fn from_raw(raw: u64, store: u64) -> Self {
        (raw != 0).then(|| ExternRef::from_raw(raw, store))
    }
    fn to_raw(self, core: &StoreCore) -> u64 {
        self.map_or(0, |e| e.to_raw(core))
    }
}

/// A list of WebAssembly values: a [`WasmTy`] or a tuple of them.
pub trait WasmParams: Sized + Send + 'static {
    /// The WebAssembly types of the list, in order.
    fn types() -> Vec<ValType>;
    #[doc(hidden)]
    fn store(self, core: &StoreCore, slots: &mut [u64]);
    #[doc(hidden)]
    fn load(slots: &[u64], store: u64) -> Self;
}

/// The results of a typed function: the same lists as [`WasmParams`].
pub trait WasmResults: WasmParams {}
impl<T: WasmParams> WasmResults for T {}

impl<T: WasmTy> WasmParams for T {
    fn types() -> Vec<ValType> {
        vec![T::valtype()]
    }
    fn store(self, core: &StoreCore, slots: &mut [u64]) {
        self.store_at(core, slots, &mut 0);
    }
    fn load(slots: &[u64], store: u64) -> Self {
        T::load_at(slots, &mut 0, store)
    }
}

macro_rules! tuples {
    ($mac:ident) => {
        $mac!();
        $mac!(A1);
        $mac!(A1 A2);
        $mac!(A1 A2 A3);
        $mac!(A1 A2 A3 A4);
        $mac!(A1 A2 A3 A4 A5);
        $mac!(A1 A2 A3 A4 A5 A6);
        $mac!(A1 A2 A3 A4 A5 A6 A7);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15);
        $mac!(A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15 A16);
    };
}

macro_rules! params_tuple {
    ($($a:ident)*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<$($a: WasmTy),*> WasmParams for ($($a,)*) {
            fn types() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            fn store(self, core: &StoreCore, slots: &mut [u64]) {
                let ($($a,)*) = self;
                let mut k = 0;
                $($a.store_at(core, slots, &mut k);)*
            }
            #[allow(clippy::unused_unit)]
            fn load(slots: &[u64], store: u64) -> Self {
                let mut k = 0;
                $(let $a = $a::load_at(slots, &mut k, store);)*
                ($($a,)*)
            }
        }
    };
}
tuples!(params_tuple);

/// What a host closure may return: results, or a `Result` of them.
pub trait WasmRet {
    /// The results, without the `Result`.
    type Results: WasmResults;
    #[doc(hidden)]
    fn into_result(self) -> Result<Self::Results>;
}

impl<R: WasmResults> WasmRet for R {
    type Results = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

impl<R: WasmResults> WasmRet for Result<R> {
    type Results = R;
    fn into_result(self) -> Result<R> {
        self
    }
}

/// A Rust closure usable as a host function.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host_func(self, engine: &Engine) -> HostFunc;
}

macro_rules! into_func {
    ($($a:ident)*) => {
        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<T: 'static, F, $($a: WasmTy,)* R: WasmRet> IntoFunc<T, (Caller<'_, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
        {
            fn into_host_func(self, engine: &Engine) -> HostFunc {
                let ty = FuncType::new([$($a::valtype()),*], <R::Results as WasmParams>::types());
                let call = move |outer: *mut (), caller: *const InstanceData, slots: &mut [u64]| {
                    // SAFETY: see `host_func_dynamic`.
                    let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
                    let id = inner.core.id;
                    let mut k = 0;
                    $(let $a = $a::load_at(slots, &mut k, id);)*
                    let r = self(Caller { inner: &mut *inner, caller }, $($a),*).into_result()?;
                    r.store(&inner.core, slots);
                    Ok(())
                };
                typed_host_func(engine, ty, Box::new(call))
            }
        }

        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments)]
        impl<T: 'static, F, $($a: WasmTy,)* R: WasmRet> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
        {
            fn into_host_func(self, engine: &Engine) -> HostFunc {
                let ty = FuncType::new([$($a::valtype()),*], <R::Results as WasmParams>::types());
                let call = move |outer: *mut (), _caller: *const InstanceData, slots: &mut [u64]| {
                    // SAFETY: see `host_func_dynamic`.
                    let inner = unsafe { &mut *(outer as *mut StoreInner<T>) };
                    let id = inner.core.id;
                    let mut k = 0;
                    $(let $a = $a::load_at(slots, &mut k, id);)*
                    let r = self($($a),*).into_result()?;
                    r.store(&inner.core, slots);
                    Ok(())
                };
                typed_host_func(engine, ty, Box::new(call))
            }
        }
    };
}
tuples!(into_func);

fn typed_host_func(engine: &Engine, ty: FuncType, call: Box<crate::store::HostFn>) -> HostFunc {
    HostFunc {
        type_id: engine.type_id(&ty),
        slots: ty.call_slots(),
        num_results: ty.result_slots(),
        call,
    }
}

/// A function whose type is checked once, called without [`Val`] boxing.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for TypedFunc<P, R> {}

impl<P: WasmParams, R: WasmResults> TypedFunc<P, R> {
    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }

    /// Calls the function.
    pub fn call(&self, mut store: impl AsContextMut, params: P) -> Result<R> {
        let ctx = store.as_context_mut();
        let core = &mut ctx.0.core;
        let i = self.func.0.check(core);
        // Up to 16 parameters of up to two slots each (`v128`).
        let mut raw = [0u64; 32];
        params.store(core, &mut raw);
        let n = raw.len();
        let id = core.id;
        let mut out = None;
        // SAFETY: the type was checked in `Func::typed`; the writer writes
        // the parameters only.
        unsafe {
            core.invoke(
                i as u32,
                &mut |slots| {
                    let k = slots.len().min(n);
                    slots[..k].copy_from_slice(&raw[..k])
                },
                &mut |slots| out = Some(R::load(slots, id)),
            )?;
        }
        Ok(out.expect("results were read"))
    }
}
