//! Start-up: compile and instantiate a multi-megabyte Rust-built module in
//! wazi and in wasmi 2.0, in each translation mode, in the same process.
//! Imports (WASI) are defined as functions that trap; nothing runs.

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;
use wazi_bench::STARTUP;

fn wazi_startup(mode: wazi::CompilationMode) -> impl FnMut() {
    let mut config = wazi::Config::new();
    config.compilation_mode(mode);
    let engine = wazi::Engine::new(&config).unwrap();
    move || {
        let module = wazi::Module::new(&engine, STARTUP).unwrap();
        let mut linker = wazi::Linker::<()>::new(&engine);
        linker.define_unknown_imports_as_traps(&module).unwrap();
        let mut store = wazi::Store::new(&engine, ());
        linker.instantiate(&mut store, &module).unwrap();
    }
}

fn wasmi_startup(mode: wasmi::CompilationMode) -> impl FnMut() {
    let mut config = wasmi::Config::default();
    config.compilation_mode(mode);
    let engine = wasmi::Engine::new(&config);
    move || {
        let module = wasmi::Module::new(&engine, STARTUP).unwrap();
        let mut linker = wasmi::Linker::<()>::new(&engine);
        for import in module.imports() {
            if let wasmi::ExternType::Func(ty) = import.ty() {
                linker
                    .func_new(import.module(), import.name(), ty.clone(), |_, _, _| {
                        Err(wasmi::Error::new("not available"))
                    })
                    .unwrap();
            }
        }
        let mut store = wasmi::Store::new(&engine, ());
        linker.instantiate_and_start(&mut store, &module).unwrap();
    }
}

fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    let modes = [
        ("eager", wazi::CompilationMode::Eager, wasmi::CompilationMode::Eager),
        (
            "lazy-translation",
            wazi::CompilationMode::LazyTranslation,
            wasmi::CompilationMode::LazyTranslation,
        ),
        ("lazy", wazi::CompilationMode::Lazy, wasmi::CompilationMode::Lazy),
    ];
    for (name, wz, wm) in modes {
        let mut f = wazi_startup(wz);
        group.bench_function(format!("wazi/{name}"), |b| b.iter(&mut f));
        let mut f = wasmi_startup(wm);
        group.bench_function(format!("wasmi/{name}"), |b| b.iter(&mut f));
    }
    group.finish();
}

criterion_group!(benches, startup);
criterion_main!(benches);
