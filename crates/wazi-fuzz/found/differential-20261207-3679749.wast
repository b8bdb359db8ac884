;; Found by `wazi-fuzz differential --seed 20261207` (run 3679749): wasmi 2.0
;; leaves global "L\u{18}" at 18446744073701152792 after calling "" (at
;; 18446744073709541400 replayed alone); wazi and wasmtime 48 (`wasmtime wast`)
;; both leave 4800398888290615296, as asserted here. wasmi reads 0 or stale bits
;; for a `local.get 1` held below an `if` with block parameters whose then-arm,
;; not taken, does `local.set 1`.
(module
  (type (;0;) (func (param i64)))
  (type (;1;) (func (param f32) (result f32)))
  (global (;0;) f64 f64.const 0x1.060623687c8a3p-742 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000442429714495701;))
  (global (;1;) (mut i32) i32.const 692393767 i32.const 2110131284 i32.const -1995582757 i32.const 501886472 i32.const -1622167516 i32.const -10150069 i32.sub i32.mul i32.mul i32.add i32.const -454038293 i32.const -2057344618 i32.sub i32.add i32.const -1326331171 i32.mul i32.add)
  (global (;2;) (mut funcref) ref.null func)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut i64) i64.const 0)
  (global (;6;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;7;) (mut i64) i64.const 0)
  (export "" (func 0))
  (export "1" (global 0))
  (export "2" (global 1))
  (export "3" (global 2))
  (export "F\u{2}0R&j0" (global 3))
  (export "c=A\u{11}" (global 4))
  (export "L\u{18}" (global 5))
  (export "7" (global 6))
  (export "Vd6" (global 7))
  (func (;0;) (type 1) (param f32) (result f32)
    (local i64 f32 f32 f32 v128 v128 v128 f32)
    i64.const -6148914691236517206
    i64.extend8_s
    f64.convert_i64_s
    i64.const -4800398888290625512
    local.tee 1
    local.tee 1
    local.tee 1
    i64.extend16_s
    loop (result v128) ;; label = @1
      local.get 1
      f32.const 0x1.b3156ap+31 (;=3649746200;)
      f32.trunc
      local.tee 2
      f32.const nan (;=NaN;)
      local.get 2
      local.get 2
      f32.eq
      select
      global.get 2
      local.get 0
      f32.nearest
      local.tee 3
      f32.const nan (;=NaN;)
      local.get 3
      local.get 3
      f32.eq
      select
      f32.neg
      f32.abs
      f32.ceil
      local.tee 4
      f32.const nan (;=NaN;)
      local.get 4
      local.get 4
      f32.eq
      select
      f32.const -nan:0x7effff (;=NaN;)
      i64.trunc_sat_f32_s
      i64.extend16_s
      i64.eqz
      nop
      i32.clz
      f32.reinterpret_i32
      f32.neg
      f32x4.splat
      i32x4.all_true
      i32.extend16_s
      data.drop 0
      i8x16.splat
      i16x8.extend_high_i8x16_u
      i64x2.extend_low_i32x4_u
      i32x4.all_true
      i32.popcnt
      if (type 1) (param f32) (result f32) ;; label = @2
        i64.trunc_f32_s
        local.set 1
        ref.null func
        br 1 (;@1;)
        loop ;; label = @3
        end
        v128.const i32x4 0xaad5da97 0x1c1400d5 0x09867c12 0xe3be1cbb
        i8x16.extract_lane_u 5
        ref.null extern
        loop ;; label = @3
          i64.const 4503599627370496
          local.tee 1
          i64x2.splat
          f32x4.trunc
          local.tee 5
          v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
          local.get 5
          local.get 5
          f32x4.eq
          v128.bitselect
          f32x4.sqrt
          local.tee 6
          v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
          local.get 6
          local.get 6
          f32x4.eq
          v128.bitselect
          i64x2.neg
          f32x4.floor
          local.tee 7
          v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
          local.get 7
          local.get 7
          f32x4.eq
          v128.bitselect
          i32x4.all_true
          f32.convert_i32_u
          f32.ceil
          local.tee 8
          f32.const nan (;=NaN;)
          local.get 8
          local.get 8
          f32.eq
          select
          f32.const 0x1p-125 (;=0.000000000000000000000000000000000000023509887;)
          i32.trunc_sat_f32_s
          global.get 3
          i32.xor
          global.set 3
          i32.reinterpret_f32
          global.get 4
          i32.xor
          global.set 4
        end
        drop
        global.get 3
        i32.xor
        global.set 3
        drop
        f32.const 0x1.fffffcp-127 (;=0.000000000000000000000000000000000000011754942;)
      end
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      drop
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      global.get 5
      i64.xor
      global.set 5
      v128.const i32x4 0x00000007 0x00000000 0xfff80000 0xffffffff
    end
    global.get 6
    v128.xor
    global.set 6
    global.get 5
    i64.xor
    global.set 5
    i64.reinterpret_f64
    global.get 7
    i64.xor
    global.set 7
    f32.const 0x1.4d669ep-83 (;=0.00000000000000000000000013465953;)
  )
  (data (;0;) "")
)

(assert_return (invoke "" (f32.const 0)) (f32.const 0x1.4d669e0000000p-83))
(assert_return (get "L\u{18}") (i64.const 4800398888290615296))
