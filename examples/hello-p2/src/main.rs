//! The component of the README's first command, built for `wasm32-wasip2`.

fn main() {
    println!("Hello, World!");
}
