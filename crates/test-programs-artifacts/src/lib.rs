//! Paths of the guest programs built from `crates/test-programs`, one
//! constant per program (`P1_HELLO` for `src/bin/p1_hello.rs`), and `ALL`.

include!(concat!(env!("OUT_DIR"), "/guests.rs"));
