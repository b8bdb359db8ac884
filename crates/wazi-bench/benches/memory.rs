//! Memory cost: heap bytes of one instantiated small module, and bytes of
//! bytecode per byte of wasm code. Prints a report; not timed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use wazi_bench::{KERNELS, STARTUP};

/// Counts live heap bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Size of the code section (function bodies) of a module.
fn code_bytes(wasm: &[u8]) -> usize {
    let mut total = 0;
    for payload in wasmparser_lite::payloads(wasm) {
        total += payload;
    }
    total
}

/// Just enough of the binary format to find the code section's size.
mod wasmparser_lite {
    pub fn payloads(wasm: &[u8]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = 8;
        while i < wasm.len() {
            let id = wasm[i];
            i += 1;
            let (size, n) = leb(&wasm[i..]);
            i += n;
            if id == 10 {
                out.push(size);
            }
            i += size;
        }
        out
    }

    fn leb(b: &[u8]) -> (usize, usize) {
        let (mut v, mut shift, mut i) = (0usize, 0, 0);
        loop {
            let byte = b[i];
            v |= ((byte & 0x7f) as usize) << shift;
            i += 1;
            if byte & 0x80 == 0 {
                return (v, i);
            }
            shift += 7;
        }
    }
}

fn main() {
    // A small module, instantiated: everything the engine allocates for it
    // except the linear memory itself (17 pages for these kernels).
    let engine = wazi::Engine::default();
    let before = live();
    let module = wazi::Module::new(&engine, KERNELS).unwrap();
    let after_module = live();
    let mut store = wazi::Store::new(&engine, ());
    let instance = wazi::Instance::new(&mut store, &module, &[]).unwrap();
    let after_instance = live();
    let memory = instance.get_memory(&store, "memory").unwrap().data_size(&store);
    println!("small module ({} bytes of wasm):", KERNELS.len());
    println!("  Module::new:       {} bytes", after_module - before);
    println!(
        "  Store + Instance:  {} bytes, of which linear memory {} bytes, other {} bytes",
        after_instance - after_module,
        memory,
        after_instance - after_module - memory
    );
    let fib = instance.get_typed_func::<i32, i64>(&mut store, "fib").unwrap();
    let before_call = live();
    fib.call(&mut store, 10).unwrap();
    println!(
        "  first call:        {} bytes of address space reserved for the wasm stack \
         (slots and frame records; the OS backs only touched pages)",
        live() - before_call
    );
    drop((store, module));

    // Bytecode per byte of wasm code, translating every function.
    let mut config = wazi::Config::new();
    config.compilation_mode(wazi::CompilationMode::Eager);
    let engine = wazi::Engine::new(&config).unwrap();
    for (name, wasm) in [("kernels.wasm", KERNELS), ("startup.wasm", STARTUP)] {
        let module = wazi::Module::new(&engine, wasm).unwrap();
        let (bytes, funcs) = module.translated_size();
        let code = code_bytes(wasm);
        println!(
            "{name}: {funcs} functions, {code} bytes of wasm code -> {bytes} bytes of bytecode \
             ({:.2} bytes per wasm byte)",
            bytes as f64 / code as f64
        );
    }
}
