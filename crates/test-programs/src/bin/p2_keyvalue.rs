//! A command using `wasi:keyvalue@0.2.0-draft` (as wasmtime 48 has it):
//! opens the in-memory store, reads the preset keys given as arguments,
//! writes, increments, lists, deletes, and tries another store.

wit_bindgen::generate!({
    inline: r#"
        package wazi:keyvalue-guest;

        world guest {
            import wasi:keyvalue/store@0.2.0-draft;
            import wasi:keyvalue/atomics@0.2.0-draft;
            import wasi:keyvalue/batch@0.2.0-draft;
        }

        package wasi:keyvalue@0.2.0-draft {
            interface store {
                variant error { no-such-store, access-denied, other(string) }
                record key-response { keys: list<string>, cursor: option<u64> }
                open: func(identifier: string) -> result<bucket, error>;
                resource bucket {
                    get: func(key: string) -> result<option<list<u8>>, error>;
                    set: func(key: string, value: list<u8>) -> result<_, error>;
                    delete: func(key: string) -> result<_, error>;
                    exists: func(key: string) -> result<bool, error>;
                    list-keys: func(cursor: option<u64>) -> result<key-response, error>;
                }
            }
            interface atomics {
                use store.{bucket, error};
                increment: func(bucket: borrow<bucket>, key: string, delta: u64) -> result<u64, error>;
            }
            interface batch {
                use store.{bucket, error};
                get-many: func(bucket: borrow<bucket>, keys: list<string>) -> result<list<option<tuple<string, list<u8>>>>, error>;
                set-many: func(bucket: borrow<bucket>, key-values: list<tuple<string, list<u8>>>) -> result<_, error>;
                delete-many: func(bucket: borrow<bucket>, keys: list<string>) -> result<_, error>;
            }
        }
    "#,
    world: "guest",
    generate_all,
});

use self::wasi::keyvalue::{atomics, batch, store};

fn show(v: Option<Vec<u8>>) -> String {
    v.map_or("<none>".into(), |v| String::from_utf8_lossy(&v).into_owned())
}

fn main() {
    let b = store::open("").expect("the in-memory store");
    for key in std::env::args().skip(1) {
        println!("{key}: {}", show(b.get(&key).unwrap()));
    }
    b.set("new", b"value").unwrap();
    println!(
        "exists new: {}, exists gone: {}",
        b.exists("new").unwrap(),
        b.exists("gone").unwrap()
    );
    println!("increment: {:?}", atomics::increment(&b, "count", 5));
    println!("increment: {:?}", atomics::increment(&b, "count", 7));
    println!("increment text: {:?}", atomics::increment(&b, "new", 1).is_err());
    batch::set_many(&b, &[("x".into(), b"1".to_vec()), ("y".into(), b"2".to_vec())]).unwrap();
    let many = batch::get_many(&b, &["x".into(), "nope".into(), "y".into()]).unwrap();
    println!(
        "get-many: {:?}",
        many.iter().map(|e| e.as_ref().map(|(k, _)| k.clone())).collect::<Vec<_>>()
    );
    batch::delete_many(&b, &["x".into()]).unwrap();
    b.delete("y").unwrap();
    let mut keys = b.list_keys(None).unwrap().keys;
    keys.sort();
    println!("keys: {keys:?}");
    println!("past the end: {:?}", b.list_keys(Some(1000)).unwrap().keys);
    println!("other store: {:?}", store::open("elsewhere").err());
    // A new bucket starts from the preset data again.
    let fresh = store::open("").unwrap();
    println!("fresh new: {}", show(fresh.get("new").unwrap()));
}
