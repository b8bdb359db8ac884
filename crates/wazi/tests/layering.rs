//! The engine crate's layering (ARCHITECTURE.md, "Layers"): three
//! subsystems with imports in one direction,
//!
//! component model  ->  embedding API  ->  engine core
//!
//! The engine core (decoding, translation, bytecode, execution, store)
//! names neither the embedding API nor the component model; the embedding
//! API does not name the component model. The component model keeps its
//! state in the store's extension slot, which the core holds without
//! knowing its type.
//!
//! The test reads the sources and resolves every `crate::`, `$crate::` and
//! `super::` path (including `use crate::{a, b}` groups and inline `mod`
//! blocks) to the top-level module it lands in. A path to an item
//! re-exported at the crate root (`crate::Val`) counts as the embedding
//! API, since the root re-exports are the public API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Core,
    Api,
    Component,
}

/// The layer of each top-level module of `crates/wazi/src`.
fn layer_of(top: &str) -> Option<Layer> {
    Some(match top {
        "code" | "config" | "disasm" | "engine" | "exec" | "ir" | "isa" | "module" | "store"
        | "translate" | "trap" | "types" => Layer::Core,
        "exception" | "extern_" | "func" | "gc" | "instance" | "linker" | "values" => Layer::Api,
        "component" => Layer::Component,
        _ => return None,
    })
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without comments (line comments, doc comments and block
/// comments), with string literals kept: paths in strings are rare and
/// would only make the check stricter.
fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The identifier starting at `i`, and where it ends.
fn ident(b: &[u8], i: usize) -> (&str, usize) {
    let mut j = i;
    while j < b.len() && is_ident(b[j]) {
        j += 1;
    }
    (std::str::from_utf8(&b[i..j]).unwrap(), j)
}

/// Skips whitespace.
fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Inline `mod name {` blocks: for each byte offset where the enclosing
/// inline-module path changes, the new path.
fn inline_modules(src: &str) -> Vec<(usize, Vec<String>)> {
    let b = src.as_bytes();
    let (mut depth, mut stack, mut marks) = (0usize, Vec::<(usize, String)>::new(), Vec::new());
    let mut pending: Option<String> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'm' && src[i..].starts_with("mod ") && (i == 0 || !is_ident(b[i - 1])) {
            let (name, j) = ident(b, ws(b, i + 4));
            let k = ws(b, j);
            if !name.is_empty() && b.get(k) == Some(&b'{') {
                pending = Some(name.to_string());
                i = k;
                continue;
            }
        }
        if c == b'{' {
            depth += 1;
            if let Some(name) = pending.take() {
                stack.push((depth, name));
                marks.push((i, stack.iter().map(|(_, n)| n.clone()).collect()));
            }
        } else if c == b'}' {
            if stack.last().is_some_and(|(d, _)| *d == depth) {
                stack.pop();
                marks.push((i, stack.iter().map(|(_, n)| n.clone()).collect()));
            }
            depth = depth.saturating_sub(1);
        }
        i += 1;
    }
    marks
}

/// Every top-level module (or root item) a file's paths land in, with the
/// line of each.
fn references(file: &Path, root: &Path) -> Vec<(String, usize)> {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut me: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    if me.last().is_some_and(|s| s == "mod" || s == "lib") {
        me.pop();
    }
    let src = strip_comments(&std::fs::read_to_string(file).unwrap());
    let marks = inline_modules(&src);
    let b = src.as_bytes();
    let line_of = |pos: usize| src[..pos].bytes().filter(|&c| c == b'\n').count() + 1;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = |kw: &str| src[i..].starts_with(kw) && (i == 0 || !is_ident(b[i - 1]));
        let (mut path, mut j) = if starts("crate::") {
            (Vec::new(), i + "crate::".len())
        } else if starts("super::") {
            let inline = marks.iter().rev().find(|(p, _)| *p <= i).map(|(_, m)| m.clone());
            let mut here = me.clone();
            here.extend(inline.unwrap_or_default());
            let mut j = i;
            while src[j..].starts_with("super::") {
                here.pop();
                j += "super::".len();
            }
            (here, j)
        } else {
            i += 1;
            continue;
        };
        let line = line_of(i);
        if path.is_empty() {
            // The next segment names the top-level module, or a group.
            j = ws(b, j);
            if b.get(j) == Some(&b'{') {
                let end = src[j..].find('}').map_or(b.len(), |e| j + e);
                for item in src[j + 1..end].split(',') {
                    let name = item.trim().split("::").next().unwrap_or("").trim();
                    if !name.is_empty() && name != "self" {
                        out.push((name.to_string(), line));
                    }
                }
                i = end;
                continue;
            }
            let (name, _) = ident(b, j);
            if !name.is_empty() {
                path.push(name.to_string());
            }
        }
        if let Some(top) = path.first() {
            out.push((top.clone(), line));
        }
        i = j.max(i + 1);
    }
    out
}

#[test]
fn imports_go_one_way_between_subsystems() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    let mut checked = BTreeMap::<Layer, usize>::new();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap();
        let top = rel.iter().next().unwrap().to_string_lossy();
        let top = top.trim_end_matches(".rs");
        if top == "lib" {
            continue;
        }
        let from = layer_of(top).unwrap_or_else(|| {
            panic!("{}: a new top-level module: give it a layer in this test", rel.display())
        });
        *checked.entry(from).or_default() += 1;
        for (target, line) in references(f, &root) {
            // A root item (a re-export, or a macro exported at the root)
            // belongs to the public API; lower-case names are modules.
            let to = match layer_of(&target) {
                Some(l) => l,
                None if target.starts_with(|c: char| c.is_ascii_uppercase()) => Layer::Api,
                None => continue,
            };
            if to > from {
                wrong.push(format!(
                    "{}:{line}: {from:?} module names {target} ({to:?})",
                    rel.display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering:\n{}", wrong.join("\n"));
    // The walk saw every subsystem (a broken walk would pass vacuously).
    assert!(checked[&Layer::Core] >= 20 && checked[&Layer::Api] >= 5, "{checked:?}");
    assert!(checked[&Layer::Component] >= 10, "{checked:?}");
}

/// The resolver itself: a core file naming the component model, in each
/// spelling, is caught.
#[test]
fn the_resolver_sees_every_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("store")).unwrap();
    let f = root.join("store/x.rs");
    std::fs::write(
        &f,
        "use crate::component::store::X;\n\
         use crate::{exec, func::Func};\n\
         // crate::component in a comment does not count\n\
         fn f() { super::super::instance::g(); let _ = crate::Val::I32(1); }\n\
         mod inner { use super::super::shared::S; }\n",
    )
    .unwrap();
    let got = references(&f, root);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["component", "exec", "func", "instance", "Val", "store"], "{got:?}");
}
