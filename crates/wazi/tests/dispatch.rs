//! The threaded dispatch backend relies on LLVM turning every handler's
//! final call into a jump. If one handler were compiled as a real call, each
//! execution of it would leave a native stack frame behind, and a long loop
//! would overflow the native stack. This test runs a loop that executes
//! (almost) every instruction form 20,000 times on a thread whose native
//! stack is 256 KiB: any handler that leaks a frame crashes it.
//!
//! Under the portable loop backend (debug builds) it checks the same
//! program's results, which is a test of those handlers too.

use wazi::*;

const INT_BINOPS: &[&str] = &[
    "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl", "shr_s",
    "shr_u", "rotl", "rotr", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s",
    "ge_u",
];
const INT_CMPS: &[&str] =
    &["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
const FLOAT_BINOPS: &[&str] =
    &["add", "sub", "mul", "div", "min", "max", "copysign", "eq", "ne", "lt", "gt", "le", "ge"];
const FLOAT_CMPS: &[&str] = &["eq", "ne", "lt", "gt", "le", "ge"];
const INT_UNOPS: &[&str] = &["clz", "ctz", "popcnt", "eqz", "extend8_s", "extend16_s"];
const FLOAT_UNOPS: &[&str] = &["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"];

fn body() -> String {
    let mut b = String::new();
    // Binary operators in all operand forms: slot/slot, slot/imm, imm/slot.
    for (t, acc) in [("i32", "$ai"), ("i64", "$al")] {
        for op in INT_BINOPS {
            let c = format!("({t}.const 3)");
            let dst = if INT_CMPS.contains(op) { "$ai" } else { acc };
            b += &format!("(local.set {dst} ({t}.{op} (local.get $x{t}) (local.get $y{t})))\n");
            b += &format!("(local.set {dst} ({t}.{op} (local.get $x{t}) {c}))\n");
            b += &format!("(local.set {dst} ({t}.{op} {c} (local.get $y{t})))\n");
        }
        for op in INT_UNOPS {
            let dst = if *op == "eqz" { "$ai" } else { acc };
            b += &format!("(local.set {dst} ({t}.{op} (local.get $x{t})))\n");
        }
        for op in INT_CMPS {
            b += &format!("(block (br_if 0 ({t}.{op} (local.get $x{t}) (local.get $y{t}))))\n");
            b += &format!("(block (br_if 0 ({t}.{op} (local.get $x{t}) ({t}.const 5))))\n");
            b += &format!(
                "(if ({t}.{op} (local.get $x{t}) (local.get $y{t})) (then (local.set $ai (i32.const 1))))\n"
            );
        }
        b += &format!("(block (br_if 0 ({t}.eqz (local.get $x{t}))))\n");
        b += &format!("(if ({t}.eqz (local.get $x{t})) (then (nop)))\n");
    }
    for t in ["f32", "f64"] {
        for op in FLOAT_BINOPS {
            let cmp = FLOAT_CMPS.contains(op);
            let dst = if cmp { "$ai".to_string() } else { format!("$x{t}") };
            b += &format!("(local.set {dst} ({t}.{op} (local.get $x{t}) (local.get $y{t})))\n");
            b += &format!("(local.set {dst} ({t}.{op} (local.get $x{t}) ({t}.const 1.5)))\n");
            b += &format!("(local.set {dst} ({t}.{op} ({t}.const 1.5) (local.get $y{t})))\n");
        }
        for op in FLOAT_UNOPS {
            b += &format!("(local.set $x{t} ({t}.{op} (local.get $y{t})))\n");
        }
        for op in FLOAT_CMPS {
            b += &format!("(block (br_if 0 ({t}.{op} (local.get $x{t}) (local.get $y{t}))))\n");
        }
    }
    // Conversions.
    for conv in [
        "(local.set $ai (i32.wrap_i64 (local.get $xi64)))",
        "(local.set $al (i64.extend_i32_s (local.get $xi32)))",
        "(local.set $al (i64.extend_i32_u (local.get $xi32)))",
        "(local.set $al (i64.extend8_s (local.get $xi64)))",
        "(local.set $al (i64.extend16_s (local.get $xi64)))",
        "(local.set $al (i64.extend32_s (local.get $xi64)))",
        "(local.set $ai (i32.trunc_f32_s (f32.const 3.5)))",
        "(local.set $ai (i32.trunc_f32_u (f32.const 3.5)))",
        "(local.set $ai (i32.trunc_f64_s (f64.const 3.5)))",
        "(local.set $ai (i32.trunc_f64_u (f64.const 3.5)))",
        "(local.set $al (i64.trunc_f32_s (f32.const 3.5)))",
        "(local.set $al (i64.trunc_f32_u (f32.const 3.5)))",
        "(local.set $al (i64.trunc_f64_s (f64.const 3.5)))",
        "(local.set $al (i64.trunc_f64_u (f64.const 3.5)))",
        "(local.set $ai (i32.trunc_sat_f32_s (local.get $xf32)))",
        "(local.set $ai (i32.trunc_sat_f32_u (local.get $xf32)))",
        "(local.set $ai (i32.trunc_sat_f64_s (local.get $xf64)))",
        "(local.set $ai (i32.trunc_sat_f64_u (local.get $xf64)))",
        "(local.set $al (i64.trunc_sat_f32_s (local.get $xf32)))",
        "(local.set $al (i64.trunc_sat_f32_u (local.get $xf32)))",
        "(local.set $al (i64.trunc_sat_f64_s (local.get $xf64)))",
        "(local.set $al (i64.trunc_sat_f64_u (local.get $xf64)))",
        "(local.set $xf32 (f32.convert_i32_s (local.get $xi32)))",
        "(local.set $xf32 (f32.convert_i32_u (local.get $xi32)))",
        "(local.set $xf32 (f32.convert_i64_s (local.get $xi64)))",
        "(local.set $xf32 (f32.convert_i64_u (local.get $xi64)))",
        "(local.set $xf32 (f32.demote_f64 (local.get $xf64)))",
        "(local.set $xf64 (f64.convert_i32_s (local.get $xi32)))",
        "(local.set $xf64 (f64.convert_i32_u (local.get $xi32)))",
        "(local.set $xf64 (f64.convert_i64_s (local.get $xi64)))",
        "(local.set $xf64 (f64.convert_i64_u (local.get $xi64)))",
        "(local.set $xf64 (f64.promote_f32 (local.get $xf32)))",
    ] {
        b += conv;
        b += "\n";
    }
    // Memory: every load and store form, slot, constant and immediate.
    for (load, t) in [
        ("i32.load", "i32"),
        ("i64.load", "i64"),
        ("f32.load", "f32"),
        ("f64.load", "f64"),
        ("i32.load8_s", "i32"),
        ("i32.load8_u", "i32"),
        ("i32.load16_s", "i32"),
        ("i32.load16_u", "i32"),
        ("i64.load8_s", "i64"),
        ("i64.load8_u", "i64"),
        ("i64.load16_s", "i64"),
        ("i64.load16_u", "i64"),
        ("i64.load32_s", "i64"),
        ("i64.load32_u", "i64"),
    ] {
        let dst = match t {
            "i32" => "$ai",
            "i64" => "$al",
            "f32" => "$xf32",
            _ => "$xf64",
        };
        b += &format!("(local.set {dst} ({load} offset=8 (local.get $addr)))\n");
        b += &format!("(local.set {dst} ({load} (i32.const 64)))\n");
    }
    for (store, v, c) in [
        ("i32.store", "$xi32", "(i32.const 7)"),
        ("i64.store", "$xi64", "(i64.const 7)"),
        ("f32.store", "$xf32", "(f32.const 7)"),
        ("f64.store", "$xf64", "(f64.const 7)"),
        ("i32.store8", "$xi32", "(i32.const 7)"),
        ("i32.store16", "$xi32", "(i32.const 7)"),
        ("i64.store8", "$xi64", "(i64.const 7)"),
        ("i64.store16", "$xi64", "(i64.const 7)"),
        ("i64.store32", "$xi64", "(i64.const 7)"),
    ] {
        b += &format!("({store} offset=16 (local.get $addr) (local.get {v}))\n");
        b += &format!("({store} offset=16 (local.get $addr) {c})\n");
        b += &format!("({store} (i32.const 128) (local.get {v}))\n");
    }
    b += "(local.set $ai (memory.size))\n";
    b += "(local.set $ai (memory.grow (i32.const 0)))\n";
    b += "(memory.fill (i32.const 256) (local.get $xi32) (i32.const 16))\n";
    b += "(memory.copy (i32.const 512) (i32.const 256) (i32.const 16))\n";
    b += "(memory.init $d (i32.const 1024) (i32.const 0) (i32.const 4))\n";
    // Globals, references, tables.
    b += "(global.set $g (i32.add (global.get $g) (i32.const 1)))\n";
    b += "(global.set $g (i32.const 3))\n";
    b += "(local.set $ai (ref.is_null (ref.func $leaf)))\n";
    b += "(table.set $t (i32.const 1) (table.get $t (i32.const 0)))\n";
    b += "(local.set $ai (table.size $t))\n";
    b += "(local.set $ai (table.grow $t (ref.null func) (i32.const 0)))\n";
    b += "(table.fill $t (i32.const 2) (ref.func $leaf) (i32.const 2))\n";
    b += "(table.copy $t $t (i32.const 4) (i32.const 2) (i32.const 2))\n";
    b += "(table.init $t $e (i32.const 6) (i32.const 0) (i32.const 1))\n";
    // Calls of every kind, branches, select.
    b += "(local.set $ai (call $leaf (local.get $xi32)))\n";
    b += "(local.set $ai (call $imported (local.get $xi32)))\n";
    b += "(local.set $ai (call $tail (local.get $xi32)))\n";
    b += "(local.set $ai (call_indirect $t (type $sig) (local.get $xi32) (i32.const 0)))\n";
    b += "(local.set $ai (call $multi))\n";
    b += "(local.set $ai (select (local.get $xi32) (local.get $yi32) (local.get $ai)))\n";
    b += "(block (block (block (br_table 0 1 2 (i32.and (local.get $n) (i32.const 3))))))\n";
    b += "(local.set $ai (block (result i32) (br_table 0 0 (i32.const 1) (local.get $xi32))))\n";
    b + &gc_body()
}

/// The GC instructions (structs, arrays of every element width, i31,
/// casts, conversions); they fold into `$ai`.
fn gc_body() -> String {
    let lines = [
        "(local.set $s (struct.new $st (local.get $xi32) (local.get $xi32) (v128.const i64x2 1 2)))",
        "(local.set $s2 (struct.new_default $st))",
        "(struct.set $st 0 (local.get $s) (i32.add (struct.get $st 0 (local.get $s)) (i32.const 1)))",
        "(struct.set $st 1 (local.get $s2) (local.get $xi32))",
        "(struct.set $st 2 (local.get $s2) (struct.get $st 2 (local.get $s)))",
        "(local.set $ai (i32.add (local.get $ai) (struct.get_s $st 1 (local.get $s))))",
        "(local.set $ai (i32.add (local.get $ai) (struct.get_u $st 1 (local.get $s2))))",
        "(local.set $arr (array.new $at (local.get $xi32) (i32.const 8)))",
        "(local.set $arr2 (array.new_default $at (i32.const 8)))",
        "(local.set $arr2 (array.new_fixed $at 3 (i32.const 1) (i32.const 2) (local.get $xi32)))",
        "(local.set $b8 (array.new_data $a8 $d (i32.const 0) (i32.const 4)))",
        "(local.set $b16 (array.new_data $a16 $d (i32.const 0) (i32.const 2)))",
        "(local.set $fr (array.new_elem $af $e (i32.const 0) (i32.const 1)))",
        "(local.set $vs (array.new $av (v128.const i64x2 3 4) (i32.const 4)))",
        "(array.set $at (local.get $arr) (i32.const 1) (local.get $xi32))",
        "(local.set $ai (i32.add (local.get $ai) (array.get $at (local.get $arr) (i32.const 1))))",
        "(local.set $ai (i32.add (local.get $ai) (array.get_s $a8 (local.get $b8) (i32.const 2))))",
        "(local.set $ai (i32.add (local.get $ai) (array.get_u $a16 (local.get $b16) (i32.const 1))))",
        "(array.set $a8 (local.get $b8) (i32.const 0) (i32.const -1))",
        "(local.set $ai (i32.add (local.get $ai) (array.get_u $a8 (local.get $b8) (i32.const 0))))",
        "(local.set $ai (i32.add (local.get $ai) (array.get_s $a16 (local.get $b16) (i32.const 0))))",
        "(array.set $av (local.get $vs) (i32.const 1) (array.get $av (local.get $vs) (i32.const 0)))",
        "(local.set $ai (i32.add (local.get $ai) (array.len (local.get $arr2))))",
        "(array.fill $at (local.get $arr) (i32.const 0) (local.get $xi32) (i32.const 2))",
        "(array.fill $av (local.get $vs) (i32.const 2) (v128.const i64x2 5 6) (i32.const 2))",
        "(array.copy $at $at (local.get $arr) (i32.const 0) (local.get $arr2) (i32.const 1) (i32.const 2))",
        "(array.copy $av $av (local.get $vs) (i32.const 0) (local.get $vs) (i32.const 1) (i32.const 2))",
        "(array.init_data $a8 $d (local.get $b8) (i32.const 0) (i32.const 1) (i32.const 2))",
        "(array.init_elem $af $e (local.get $fr) (i32.const 0) (i32.const 0) (i32.const 1))",
        "(local.set $ai (i32.add (local.get $ai) (array.get $at (local.get $arr) (i32.const 0))))",
        "(local.set $ai (i32.add (local.get $ai) (i31.get_s (ref.i31 (local.get $xi32)))))",
        "(local.set $ai (i32.add (local.get $ai) (i31.get_u (ref.i31 (i32.const -1)))))",
        "(local.set $any (any.convert_extern (extern.convert_any (local.get $s))))",
        "(local.set $ai (i32.add (local.get $ai) (ref.test (ref $st) (local.get $any))))",
        "(local.set $ai (i32.add (local.get $ai) (ref.test (ref null $at) (local.get $any))))",
        "(local.set $s2 (ref.cast (ref $st) (local.get $any)))",
        "(local.set $ai (i32.add (local.get $ai) (ref.eq (local.get $s) (local.get $s2))))",
        "(drop (block $b (result anyref) (br_on_cast $b anyref (ref $st) (local.get $any))))",
        "(drop (block $b (result anyref) (br_on_cast_fail $b anyref (ref $at) (local.get $any))))",
    ];
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn module_text() -> String {
    format!(
        r#"(module
  (import "host" "f" (func $imported (param i32) (result i32)))
  (type $sig (func (param i32) (result i32)))
  (type $st (struct (field (mut i32)) (field (mut i8)) (field (mut v128))))
  (type $at (array (mut i32)))
  (type $a8 (array (mut i8)))
  (type $a16 (array (mut i16)))
  (type $av (array (mut v128)))
  (type $af (array (mut funcref)))
  (memory 1)
  (data $d "abcd")
  (global $g (mut i32) (i32.const 0))
  (table $t 8 funcref)
  (elem $e func $leaf)
  (elem (i32.const 0) func $leaf)
  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $tail (param i32) (result i32) (return_call $leaf (local.get 0)))
  (func $tail_i (param i32) (result i32) (return_call_indirect $t (type $sig) (local.get 0) (i32.const 0)))
  (func $tail_h (param i32) (result i32) (return_call $imported (local.get 0)))
  (func $multi (result i32) (local i32) (return (i32.const 1)))
  (func (export "run") (param $n i32) (result i32)
    (local $ai i32) (local $al i64)
    (local $xi32 i32) (local $yi32 i32) (local $xi64 i64) (local $yi64 i64)
    (local $xf32 f32) (local $yf32 f32) (local $xf64 f64) (local $yf64 f64)
    (local $addr i32) (local $sum i32)
    (local $s (ref null $st)) (local $s2 (ref null $st)) (local $any anyref)
    (local $arr (ref null $at)) (local $arr2 (ref null $at)) (local $b8 (ref null $a8))
    (local $b16 (ref null $a16)) (local $vs (ref null $av)) (local $fr (ref null $af))
    (local.set $addr (i32.const 32))
    (loop $l
      (local.set $xi32 (i32.add (local.get $n) (i32.const 11)))
      (local.set $yi32 (i32.const 5))
      (local.set $xi64 (i64.extend_i32_u (local.get $xi32)))
      (local.set $yi64 (i64.const 7))
      (local.set $xf32 (f32.const 2.5)) (local.set $yf32 (f32.const -1.25))
      (local.set $xf64 (f64.const 2.5)) (local.set $yf64 (f64.const -1.25))
      {}
      (local.set $ai (call $tail_i (local.get $ai)))
      (local.set $ai (call $tail_h (local.get $ai)))
      (local.set $sum (i32.add (local.get $sum) (local.get $ai)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum)))"#,
        body()
    )
}

fn run(iterations: i32) -> i32 {
    let engine = Engine::default();
    let module = Module::new(&engine, module_text()).unwrap();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "f", |x: i32| x.wrapping_mul(3)).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    run.call(&mut store, iterations).unwrap()
}

#[test]
fn every_handler_dispatches_without_growing_the_native_stack() {
    let result = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| (run(1), run(20_000)))
        .unwrap()
        .join()
        .expect("the interpreter overflowed a small native stack");
    // The loop is deterministic: a change in any handler's semantics shows.
    assert_ne!(result.0, 0);
    assert_ne!(result.1, result.0);
}
