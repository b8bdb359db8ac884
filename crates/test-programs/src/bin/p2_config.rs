//! A command reading `wasi:config/store@0.2.0-rc.1` (as wasmtime 48 has
//! it): prints `get` of each argument, then every variable, sorted.

wit_bindgen::generate!({
    inline: r#"
        package wazi:config-guest;

        world guest {
            import wasi:config/store@0.2.0-rc.1;
        }

        package wasi:config@0.2.0-rc.1 {
            interface store {
                variant error { upstream(string), io(string) }
                get: func(key: string) -> result<option<string>, error>;
                get-all: func() -> result<list<tuple<string, string>>, error>;
            }
        }
    "#,
    world: "guest",
    generate_all,
});

use self::wasi::config::store;

fn main() {
    for key in std::env::args().skip(1) {
        match store::get(&key) {
            Ok(Some(v)) => println!("{key} = {v}"),
            Ok(None) => println!("{key} is not set"),
            Err(e) => println!("{key}: error {e:?}"),
        }
    }
    match store::get_all() {
        Ok(mut all) => {
            all.sort();
            for (k, v) in all {
                println!("all: {k}={v}");
            }
        }
        Err(e) => println!("get-all: error {e:?}"),
    }
}
