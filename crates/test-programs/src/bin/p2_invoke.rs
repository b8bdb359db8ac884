//! `wazi:test/values` with no imports beyond WASI, for `wazi run --invoke`.

wit_bindgen::generate!({ path: "wit", world: "values-only" });

include!("../values_impl.rs");

export!(G);

fn main() {
    println!("p2_invoke is a library of exports; call them with --invoke");
}
