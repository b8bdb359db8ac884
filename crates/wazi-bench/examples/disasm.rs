//! Prints the wazi bytecode of every function of a module, for reading
//! what a benchmark kernel runs: `cargo run --release -p wazi-bench
//! --example disasm -- FILE.wasm [FUNC_INDEX]`.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        anyhow::bail!("usage: disasm FILE.wasm [FUNC_INDEX]");
    };
    let mut config = wazi::Config::new();
    config.compilation_mode(wazi::CompilationMode::Eager);
    let engine = wazi::Engine::new(&config)?;
    let module = wazi::Module::new(&engine, std::fs::read(path)?)?;
    let only = args.get(2).map(|s| s.parse::<u32>()).transpose()?;
    for index in 0.. {
        if only.is_some_and(|o| o != index) {
            if only.is_some_and(|o| index > o) {
                break;
            }
            continue;
        }
        match module.disassemble(index) {
            Ok(listing) => println!("func {index}:\n{listing}"),
            Err(_) => break,
        }
    }
    Ok(())
}
