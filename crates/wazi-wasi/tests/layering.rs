//! The WASI crate's layering (ARCHITECTURE.md, "WASI"): the
//! version-independent core at the crate root names neither version's
//! surface, and neither surface names the other. `lib.rs` declares and
//! re-exports both, so it is the one exception.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Lines of code (comments dropped) of `file` that name `crate::{surface}`
/// (also as `super::{surface}` from a file at the root, or in a `use
/// crate::{...}` group).
fn names_surface(file: &Path, surface: &str) -> Vec<String> {
    let src = std::fs::read_to_string(file).unwrap();
    let at_root = file.parent().is_some_and(|d| d.ends_with("src"));
    src.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .filter(|l| {
            l.contains(&format!("crate::{surface}"))
                || (at_root && l.contains(&format!("super::{surface}")))
                || (l.contains("crate::{")
                    && l.split(['{', ',', '}']).any(|s| {
                        let s = s.trim();
                        s == surface || s.starts_with(&format!("{surface}::"))
                    }))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn the_core_names_no_surface_and_surfaces_not_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        if rel == Path::new("lib.rs") {
            continue;
        }
        for surface in ["p1", "p2", "p3"] {
            if rel.starts_with(surface) {
                continue;
            }
            for line in names_surface(f, surface) {
                wrong.push(format!("{}: {}", rel.display(), line.trim()));
            }
        }
    }
    assert!(files.len() > 20, "only {} sources found", files.len());
    assert!(wrong.is_empty(), "imports against the layering:\n{}", wrong.join("\n"));
}

#[test]
fn the_check_sees_each_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("src");
    std::fs::create_dir(&root).unwrap();
    let f = root.join("ctx.rs");
    std::fs::write(
        &f,
        "use crate::p1::Fds;\n// crate::p2 in a comment\nuse crate::{fs, p2::NetworkPolicy};\nfn f() { super::p2::x(); }\n",
    )
    .unwrap();
    assert_eq!(names_surface(&f, "p1").len(), 1);
    assert_eq!(names_surface(&f, "p2").len(), 2);
}
