//! The two engines the execution benchmarks compare, behind one trait:
//! each instance is made once, translating eagerly, and called again and
//! again.

/// Calls kernel `export` with `arg`: returns the result's bits.
pub trait Runner {
    fn call(&mut self, arg: i32) -> u64;
}

pub struct Wazi {
    store: wazi::Store<()>,
    func: wazi::Func,
}

impl Wazi {
    pub fn new(wasm: &[u8], export: &str) -> Wazi {
        let mut config = wazi::Config::new();
        config.compilation_mode(wazi::CompilationMode::Eager);
        let engine = wazi::Engine::new(&config).unwrap();
        let module = wazi::Module::new(&engine, wasm).unwrap();
        let mut store = wazi::Store::new(&engine, ());
        let instance = wazi::Instance::new(&mut store, &module, &[]).unwrap();
        let func = instance.get_func(&store, export).unwrap();
        Wazi { store, func }
    }
}

impl Runner for Wazi {
    fn call(&mut self, arg: i32) -> u64 {
        let ty = self.func.ty(&self.store);
        let mut out = [wazi::Val::default_for(ty.results()[0])];
        self.func.call(&mut self.store, &[wazi::Val::I32(arg)], &mut out).unwrap();
        match out[0] {
            wazi::Val::I32(v) => v as u32 as u64,
            wazi::Val::I64(v) => v as u64,
            wazi::Val::F32(v) => v as u64,
            wazi::Val::F64(v) => v,
            _ => unreachable!("kernels return numbers"),
        }
    }
}

pub struct Wasmi {
    store: wasmi::Store<()>,
    func: wasmi::Func,
}

impl Wasmi {
    pub fn new(wasm: &[u8], export: &str) -> Wasmi {
        let mut config = wasmi::Config::default();
        config.compilation_mode(wasmi::CompilationMode::Eager);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, wasm).unwrap();
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        let func = instance.get_func(&store, export).unwrap();
        Wasmi { store, func }
    }
}

impl Runner for Wasmi {
    fn call(&mut self, arg: i32) -> u64 {
        let ty = self.func.ty(&self.store);
        let mut out = [wasmi::Val::default_for_ty(ty.results()[0])];
        self.func.call(&mut self.store, &[wasmi::Val::I32(arg)], &mut out).unwrap();
        match out[0] {
            wasmi::Val::I32(v) => v as u32 as u64,
            wasmi::Val::I64(v) => v as u64,
            wasmi::Val::F32(v) => v.to_bits() as u64,
            wasmi::Val::F64(v) => v.to_bits(),
            _ => unreachable!(),
        }
    }
}
