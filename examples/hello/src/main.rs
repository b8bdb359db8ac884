//! Greets, lists its arguments, and counts the files in the directory it
//! is given (`--dir DIR::data`), so the README's first command shows WASI
//! at work.

fn main() {
    println!("Hello, World!");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        println!("arguments: {}", args.join(" "));
    }
    if let Ok(entries) = std::fs::read_dir("/data") {
        println!("/data holds {} entries", entries.count());
    }
}
