//! Canonical ABI corner cases with hand-written components: strings in
//! `utf16` and `latin1+utf16` crossing to the host and between components
//! of different encodings, and guests that return invalid values (each
//! must trap with the canonical ABI's error, never panic the host).

use wazi::component::{Component, Linker, Val};
use wazi::{Engine, Store};

/// A component exporting `echo(string) -> string` lifted with `encoding`:
/// the core function copies the string into a fresh allocation, so the
/// result is lowered back from the guest's own memory.
fn echo_component(encoding: &str) -> String {
    format!("(component {})", echo_body(encoding))
}

/// The definitions of [`echo_component`].
fn echo_body(encoding: &str) -> String {
    format!(
        r#"
  (core module $m
    (memory (export "mem") 16)
    (global $next (mut i32) (i32.const 1024))
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      (global.set $next (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
      (local.set $r (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (if (i32.ne (local.get 0) (i32.const 0))
        (then (memory.copy (local.get $r) (local.get 0) (local.get 1))))
      (local.get $r))
    ;; echo(ptr, len) -> retptr: (ptr, len) at 0, the bytes copied.
    ;; Tagged latin1+utf16 lengths count 2-byte units once untagged.
    (func (export "echo") (param $p i32) (param $len i32) (result i32)
      (local $bytes i32) (local $new i32)
      (local.set $bytes (local.get $len))
      (if (i32.lt_s (local.get $len) (i32.const 0))
        (then (local.set $bytes (i32.shl (i32.and (local.get $len) (i32.const 0x7fffffff)) (i32.const 1)))))
      (if (i32.eq (i32.const {unit}) (i32.const 2))
        (then (local.set $bytes (i32.shl (local.get $len) (i32.const 1)))))
      (local.set $new (call $realloc (i32.const 0) (i32.const 0) (i32.const 2) (local.get $bytes)))
      (memory.copy (local.get $new) (local.get $p) (local.get $bytes))
      (i32.store (i32.const 0) (local.get $new))
      (i32.store (i32.const 4) (local.get $len))
      (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") string-encoding={encoding}
      (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))"#,
        unit = if encoding == "utf16" { 2 } else { 1 },
    )
}

const SAMPLES: &[&str] =
    &["", "a", "plain ascii", "Latin-1: é ü ÿ", "BMP: ☃ €", "astral: 😀🍰", "mixed é ☃ 😀 x"];

#[test]
fn host_strings_in_every_encoding() {
    let engine = Engine::default();
    for enc in ["utf8", "utf16", "latin1+utf16"] {
        let component = Component::new(&engine, echo_component(enc)).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let echo = instance.get_typed_func::<(&str,), (String,)>(&mut store, "echo").unwrap();
        for s in SAMPLES {
            let (r,) = echo.call(&mut store, (s,)).unwrap();
            assert_eq!(&r, s, "{enc}");
        }
        let long = "é☃😀".repeat(3000);
        assert_eq!(echo.call(&mut store, (&long,)).unwrap().0, long, "{enc}");
    }
}

/// `$D` (lowering with `caller`) calls `$C`'s `echo` (lifted with
/// `callee`) with a string from its memory and checks the answer against
/// the expected bytes in `caller`'s encoding.
fn cross_component(caller: &str, callee: &str, bytes: &[u8], len: i32) -> String {
    let data: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    format!(
        r#"(component
  (component $C {callee_component})
  (component $D
    (import "echo" (func $echo (param "s" string) (result string)))
    (core module $libc
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 2048))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $r i32)
        (global.set $next (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
        (local.set $r (global.get $next))
        (global.set $next (i32.add (global.get $next) (local.get 3)))
        (if (i32.ne (local.get 0) (i32.const 0))
          (then (memory.copy (local.get $r) (local.get 0) (local.get 1))))
        (local.get $r)))
    (core instance $libc (instantiate $libc))
    (core func $echo' (canon lower (func $echo) string-encoding={caller}
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
    (core module $main
      (import "" "mem" (memory 1))
      (import "" "echo" (func $echo (param i32 i32 i32)))
      (data (i32.const 256) "{data}")
      (func (export "run") (result i32)
        (local $p i32) (local $i i32) (local $n i32)
        (call $echo (i32.const 256) (i32.const {len}) (i32.const 8))
        (if (i32.ne (i32.load (i32.const 12)) (i32.const {len})) (then (return (i32.const 1))))
        (local.set $p (i32.load (i32.const 8)))
        (local.set $n (i32.const {nbytes}))
        (block $done (loop $l
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (if (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $i)))
                      (i32.load8_u (i32.add (i32.const 256) (local.get $i))))
            (then (return (i32.const 2))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
        (i32.const 42)))
    (core instance $main (instantiate $main (with "" (instance
      (export "mem" (memory $libc "mem")) (export "echo" (func $echo'))))))
    (func (export "run") (result u32) (canon lift (core func $main "run"))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "echo" (func $c "echo"))))
  (func (export "run") (alias export $d "run")))"#,
        callee_component = echo_body(callee),
        nbytes = bytes.len(),
    )
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

#[test]
fn strings_cross_between_encodings() {
    let engine = Engine::default();
    let cases: Vec<(&str, Vec<u8>, i32)> = vec![
        ("utf8", "héllo ☃ 😀".as_bytes().to_vec(), "héllo ☃ 😀".len() as i32),
        ("utf16", utf16("héllo ☃ 😀"), "héllo ☃ 😀".encode_utf16().count() as i32),
        // Latin-1 fits: stays 1 byte per character.
        ("latin1+utf16", "héllo".chars().map(|c| c as u8).collect(), 5),
        // Outside Latin-1: tagged UTF-16.
        ("latin1+utf16", utf16("h☃ 😀"), ("h☃ 😀".encode_utf16().count() as u32 | 1 << 31) as i32),
    ];
    for (caller, bytes, len) in &cases {
        for callee in ["utf8", "utf16", "latin1+utf16"] {
            let wat = cross_component(caller, callee, bytes, *len);
            let component = Component::new(&engine, &wat)
                .unwrap_or_else(|e| panic!("{caller}->{callee}: {e:#}"));
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
            let run = instance.get_typed_func::<(), (u32,)>(&mut store, "run").unwrap();
            let (r,) = run.call(&mut store, ()).unwrap();
            assert_eq!(r, 42, "{caller} -> {callee} -> {caller} changed the string (code {r})");
        }
    }
}

/// A component whose export `f` returns the core value `value` as a
/// value of type `ty`; memory holds `data` at 64.
fn bad_result(ty: &str, core_results: &str, body: &str, data: &str) -> String {
    format!(
        r#"(component
  (type $t' {ty})
  (export $t "t" (type $t'))
  (core module $m
    (memory (export "mem") 1)
    (data (i32.const 64) "{data}")
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 512))
    (func (export "f") (result {core_results}) {body}))
  (core instance $i (instantiate $m))
  (func (export "f") (result $t)
    (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))"#
    )
}

#[test]
fn invalid_values_from_guests_trap() {
    let engine = Engine::default();
    // (type, core body returning the flat result or a return pointer,
    // data at 64, expected error; None: valid).
    let cases: [(&str, &str, &str, Option<&str>); 14] = [
        ("(option u8)", "(i32.const 0)", "", None),
        (
            "(variant (case \"a\") (case \"b\" u32))",
            "(i32.store8 (i32.const 0) (i32.const 7)) (i32.const 0)",
            "",
            Some("invalid variant discriminant"),
        ),
        ("(enum \"x\" \"y\")", "(i32.const 2)", "", Some("invalid variant discriminant")),
        (
            "(option u8)",
            "(i32.store8 (i32.const 0) (i32.const 2)) (i32.const 0)",
            "",
            Some("invalid variant discriminant"),
        ),
        (
            "(result u32 (error string))",
            "(i32.store8 (i32.const 0) (i32.const 9)) (i32.const 0)",
            "",
            Some("invalid variant discriminant"),
        ),
        ("char", "(i32.const 0xd800)", "", Some("invalid `char` bit pattern")),
        ("char", "(i32.const 0x110000)", "", Some("invalid `char` bit pattern")),
        (
            "string",
            "(i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 2)) (i32.const 0)",
            "\\c3\\28",
            Some("invalid utf-8"),
        ),
        (
            "string",
            "(i32.store (i32.const 0) (i32.const 65530)) (i32.store (i32.const 4) (i32.const 100)) (i32.const 0)",
            "",
            Some("out of bounds"),
        ),
        (
            "(list u32)",
            "(i32.store (i32.const 0) (i32.const 65528)) (i32.store (i32.const 4) (i32.const 4)) (i32.const 0)",
            "",
            Some("out of bounds"),
        ),
        (
            "(list u32)",
            "(i32.store (i32.const 0) (i32.const 65)) (i32.store (i32.const 4) (i32.const 1)) (i32.const 0)",
            "",
            Some("not aligned"),
        ),
        (
            "(list u8)",
            "(i32.store (i32.const 0) (i32.const 0)) (i32.store (i32.const 4) (i32.const -1)) (i32.const 0)",
            "",
            Some("out of bounds"),
        ),
        ("(tuple u64 u64)", "(i32.const 65528)", "", Some("out of bounds")),
        ("(tuple u64 u64)", "(i32.const 4)", "", Some("not aligned")),
    ];
    for (ty, body, data, expected) in cases {
        let results = "i32";
        let wat = bad_result(ty, results, body, data);
        let component =
            Component::new(&engine, &wat).unwrap_or_else(|e| panic!("{ty}: {e:#}\n{wat}"));
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let f = instance.get_func(&mut store, "f").unwrap();
        let mut out = vec![Val::Bool(false)];
        let r = f.call(&mut store, &[], &mut out);
        match expected {
            None => assert!(r.is_ok(), "{ty}: {r:?}"),
            Some(msg) => {
                let e = r.expect_err(ty);
                assert!(format!("{e:#}").contains(msg), "{ty}: expected {msg:?}, got {e:#}");
            }
        }
    }
}

#[test]
fn dangling_and_mistyped_handles_trap() {
    let engine = Engine::default();
    let wat = r#"(component
      (type $a (resource (rep i32)))
      (type $b (resource (rep i32)))
      (core func $new-a (canon resource.new $a))
      (core func $rep-a (canon resource.rep $a))
      (core func $drop-a (canon resource.drop $a))
      (core func $rep-b (canon resource.rep $b))
      (core func $new-b (canon resource.new $b))
      (core module $m
        (import "" "new-a" (func $new-a (param i32) (result i32)))
        (import "" "rep-a" (func $rep-a (param i32) (result i32)))
        (import "" "drop-a" (func $drop-a (param i32)))
        (import "" "rep-b" (func $rep-b (param i32) (result i32)))
        (import "" "new-b" (func $new-b (param i32) (result i32)))
        (func (export "never-made") (result i32) (call $rep-a (i32.const 7)))
        (func (export "after-drop") (result i32)
          (local $h i32)
          (local.set $h (call $new-a (i32.const 100)))
          (call $drop-a (local.get $h))
          (call $rep-a (local.get $h)))
        (func (export "wrong-type") (result i32)
          (call $rep-b (call $new-a (i32.const 5))))
        (func (export "ok") (result i32)
          (call $rep-b (call $new-b (i32.const 9)))))
      (core instance $i (instantiate $m (with "" (instance
        (export "new-a" (func $new-a)) (export "rep-a" (func $rep-a))
        (export "drop-a" (func $drop-a)) (export "rep-b" (func $rep-b))
        (export "new-b" (func $new-b))))))
      (func (export "never-made") (result u32) (canon lift (core func $i "never-made")))
      (func (export "after-drop") (result u32) (canon lift (core func $i "after-drop")))
      (func (export "wrong-type") (result u32) (canon lift (core func $i "wrong-type")))
      (func (export "ok") (result u32) (canon lift (core func $i "ok"))))"#;
    let component = Component::new(&engine, wat).unwrap();
    for (name, expected) in [
        ("ok", None),
        ("never-made", Some("unknown handle index 7")),
        ("after-drop", Some("unknown handle index 1")),
        ("wrong-type", Some("used with the wrong type")),
    ] {
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let f = instance.get_typed_func::<(), (u32,)>(&mut store, name).unwrap();
        match (f.call(&mut store, ()), expected) {
            (Ok((v,)), None) => assert_eq!(v, 9),
            (Err(e), Some(msg)) => assert!(format!("{e:#}").contains(msg), "{name}: {e:#}"),
            (r, _) => panic!("{name}: unexpected {r:?}"),
        }
    }
}

/// A callee whose `realloc` logs `(old size, alignment, new size)` of each
/// call: the transcoding steps are the canonical ABI's, which a guest can
/// observe.
fn realloc_log_component(caller: &str, callee: &str, bytes: &[u8], len: u32) -> String {
    let data: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    format!(
        r#"(component
  (component $C
    (core module $m
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 1024))
      (global $log (mut i32) (i32.const 64))
      (func (export "realloc") (param $old i32) (param $osize i32) (param $align i32) (param $nsize i32) (result i32)
        (local $r i32)
        (i32.store (global.get $log) (local.get $osize))
        (i32.store offset=4 (global.get $log) (local.get $align))
        (i32.store offset=8 (global.get $log) (local.get $nsize))
        (global.set $log (i32.add (global.get $log) (i32.const 12)))
        (global.set $next (i32.and (i32.add (global.get $next) (i32.const 7)) (i32.const -8)))
        (local.set $r (global.get $next))
        (global.set $next (i32.add (global.get $next) (local.get $nsize)))
        (if (local.get $old) (then (memory.copy (local.get $r) (local.get $old) (local.get $osize))))
        (local.get $r))
      (func (export "take") (param i32 i32) (result i32) (local.get 1))
      (func (export "log") (result i32)
        (i32.store (i32.const 0) (i32.const 64))
        (i32.store (i32.const 4) (i32.div_u (i32.sub (global.get $log) (i32.const 64)) (i32.const 4)))
        (i32.const 0)))
    (core instance $i (instantiate $m))
    (func (export "take") (param "s" string) (result u32)
      (canon lift (core func $i "take") string-encoding={callee}
        (memory (core memory $i "mem")) (realloc (core func $i "realloc"))))
    (func (export "log") (result (list u32))
      (canon lift (core func $i "log") (memory (core memory $i "mem")))))
  (component $D
    (import "take" (func $take (param "s" string) (result u32)))
    (core module $libc (memory (export "mem") 1))
    (core instance $libc (instantiate $libc))
    (core func $take' (canon lower (func $take) string-encoding={caller}
      (memory (core memory $libc "mem"))))
    (core module $main
      (import "" "mem" (memory 1))
      (import "" "take" (func $take (param i32 i32) (result i32)))
      (data (i32.const 256) "{data}")
      (func (export "run") (result i32) (call $take (i32.const 256) (i32.const {len}))))
    (core instance $main (instantiate $main (with "" (instance
      (export "mem" (memory $libc "mem")) (export "take" (func $take'))))))
    (func (export "run") (result u32) (canon lift (core func $main "run"))))
  (instance $c (instantiate $C))
  (instance $d (instantiate $D (with "take" (func $c "take"))))
  (func (export "run") (alias export $d "run"))
  (func (export "log") (alias export $c "log")))"#
    )
}

#[test]
fn transcoding_reallocs_follow_the_spec() {
    let engine = Engine::default();
    // (caller encoding, callee encoding, source bytes, source length,
    //  expected length in the callee, expected realloc calls).
    let s = "hé☃";
    type Case = (&'static str, &'static str, Vec<u8>, u32, u32, Vec<u32>);
    let cases: Vec<Case> = vec![
        // utf16 -> utf8: optimistic 1 byte a unit, then 3 a unit, then shrink.
        ("utf16", "utf8", utf16(s), 3, 6, vec![0, 1, 3, 3, 1, 9, 9, 1, 6]),
        // utf8 -> utf16: worst case 2 bytes a byte, then shrink.
        ("utf8", "utf16", s.as_bytes().to_vec(), 6, 3, vec![0, 2, 12, 12, 2, 6]),
        // utf8 -> latin1+utf16: Latin-1 first, inflated, then shrunk.
        (
            "utf8",
            "latin1+utf16",
            s.as_bytes().to_vec(),
            6,
            3 | 1 << 31,
            vec![0, 2, 6, 6, 2, 12, 12, 2, 6],
        ),
        // latin1 -> latin1+utf16: copied as is.
        ("latin1+utf16", "latin1+utf16", vec![b'h', 0xe9], 2, 2, vec![0, 2, 2]),
        // utf16 (tagged) -> latin1+utf16 with only Latin-1 code points:
        // UTF-16 first, then deflated.
        ("latin1+utf16", "latin1+utf16", utf16("hé"), 2 | 1 << 31, 2, vec![0, 2, 4, 4, 1, 2]),
        // utf8 -> utf8: one exact copy.
        ("utf8", "utf8", s.as_bytes().to_vec(), 6, 6, vec![0, 1, 6]),
    ];
    for (caller, callee, bytes, len, want_len, want_log) in cases {
        let wat = realloc_log_component(caller, callee, &bytes, len);
        let component = Component::new(&engine, &wat).unwrap_or_else(|e| panic!("{e:#}"));
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let run = instance.get_typed_func::<(), (u32,)>(&mut store, "run").unwrap();
        assert_eq!(run.call(&mut store, ()).unwrap().0, want_len, "{caller} -> {callee}");
        let log = instance.get_typed_func::<(), (Vec<u32>,)>(&mut store, "log").unwrap();
        assert_eq!(log.call(&mut store, ()).unwrap().0, want_log, "{caller} -> {callee}");
    }
}

#[test]
fn discriminant_sizes_follow_case_counts() {
    let engine = Engine::default();
    // (cases, bytes at the returned pointer, expected case, offset of the u8)
    for (n, data, case) in
        [(256usize, "\\ff\\07", 255usize), (257, "\\00\\01\\07", 256), (2, "\\01\\07", 1)]
    {
        let names: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
        let wat = format!(
            r#"(component
  (type $e' (enum {}))
  (export $e "e" (type $e'))
  (core module $m
    (memory (export "mem") 1)
    (data (i32.const 16) "{data}")
    (func (export "f") (result i32) (i32.const 16)))
  (core instance $i (instantiate $m))
  (func (export "f") (result (tuple $e u8))
    (canon lift (core func $i "f") (memory (core memory $i "mem")))))"#,
            names.join(" ")
        );
        let component = Component::new(&engine, &wat).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let f = instance.get_func(&mut store, "f").unwrap();
        let mut out = vec![Val::Bool(false)];
        f.call(&mut store, &[], &mut out).unwrap();
        assert_eq!(
            out[0],
            Val::Tuple(vec![Val::Enum(format!("c{case}")), Val::U8(7)]),
            "{n} cases"
        );
    }
}
