//! A component exporting `wazi:test/values` (every kind of value in and
//! out, more than 16 parameters, large strings, resources) and
//! `wazi:test/host-user`, which calls the host's `wazi:test/host`.

wit_bindgen::generate!({ path: "wit", world: "values-guest" });

include!("../values_impl.rs");

use wazi::test::host;

impl exports::wazi::test::host_user::Guest for G {
    fn use_host(name: String) -> u32 {
        host::log(&format!("hello, {name}"));
        let blob = host::Blob::new(name.as_bytes());
        assert_eq!(blob.read(), name.as_bytes());
        host::add(blob.size(), 1000)
    }
}

export!(G);

fn main() {
    println!("p2_values is a library of exports");
}
