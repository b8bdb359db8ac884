#![no_main]
//! libFuzzer on `wazi_fuzz::wasi_p2_calls`: any `Err` is a finding.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = wazi_fuzz::wasi_p2_calls(data) {
        panic!("{e}");
    }
});
