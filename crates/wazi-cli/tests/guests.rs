//! Every guest program in `crates/test-programs` is exercised by a host
//! test: its constant (`P1_HELLO` for `p1_hello.rs`) appears in a test file.

use std::path::Path;

#[test]
fn every_guest_has_a_host_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut sources = String::new();
    for krate in std::fs::read_dir(root.join("crates")).unwrap() {
        let tests = krate.unwrap().path().join("tests");
        let Ok(files) = std::fs::read_dir(&tests) else { continue };
        for f in files {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("guests.rs") {
                sources.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    assert!(!test_programs_artifacts::ALL.is_empty());
    for path in test_programs_artifacts::ALL {
        let name = Path::new(path).file_stem().unwrap().to_str().unwrap().to_uppercase();
        assert!(sources.contains(&name), "guest {name} is not used by any test");
    }
}
