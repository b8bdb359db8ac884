#![no_main]
//! libFuzzer on `wazi_fuzz::async_abi`: any `Err` is a finding.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = wazi_fuzz::async_abi(data) {
        panic!("{e}");
    }
});
