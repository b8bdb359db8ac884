#![no_main]
//! libFuzzer on `wazi_fuzz::wasi_p1`: any `Err` is a finding.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = wazi_fuzz::wasi_p1(data) {
        panic!("{e}");
    }
});
