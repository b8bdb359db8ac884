#![no_main]
//! libFuzzer on `wazi_fuzz::component_structure`: any `Err` is a finding.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = wazi_fuzz::component_structure(data) {
        panic!("{e}");
    }
});
