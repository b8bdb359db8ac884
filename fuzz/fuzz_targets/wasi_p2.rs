#![no_main]
//! libFuzzer on `wazi_fuzz::wasi_p2`: any `Err` is a finding.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = wazi_fuzz::wasi_p2(data) {
        panic!("{e}");
    }
});
