;; Found by `wazi-fuzz differential --seed 20261207` (run 5545128): wasmi 2.0
;; leaves global "\u{e}" at 17871409221312970751 after calling "T" then "";
;; wazi and wasmtime 48 (`wasmtime wast`) both leave 18445653358174797823, as
;; asserted here. wasmi's `select` whose condition is `ref.is_null` picks the
;; wrong operand (when a computed i32 sits below on the stack).
(module
  (type (;0;) (func (param i64) (result i32 f32 f64)))
  (type (;1;) (func (param i32) (result i64 i64 externref)))
  (global (;0;) v128 v128.const i32x4 0x051bc0e1 0x117ddcf3 0x25a48145 0x3cc55747)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (export "T" (func 0))
  (export "" (func 1))
  (export "2" (global 0))
  (export "3" (global 1))
  (export "\u{e}" (global 2))
  (export "5" (global 3))
  (export "6" (global 4))
  (export "7" (global 5))
  (func (;0;) (type 1) (param i32) (result i64 i64 externref)
    (local f64 f64 v128 v128 v128)
    ref.null func
    v128.const i32x4 0x724e832d 0x717f1ddc 0xb7d09b29 0x9e7ad9ec
    i8x16.all_true
    i32x4.splat
    i32x4.extadd_pairwise_i16x8_s
    data.drop 0
    block ;; label = @1
      i64.const -3042141527783448162
      i64.ctz
      loop (result f32) ;; label = @2
        nop
        v128.const i32x4 0xa6ff9e1c 0x9ae16d01 0x61a6bb4f 0xc5a842bb
        ref.null extern
        br 1 (;@1;)
        local.get 0
        return_call 0
        loop ;; label = @3
          local.get 0
          f64.convert_i32_s
          f64.trunc
          local.tee 1
          f64.const nan (;=NaN;)
          local.get 1
          local.get 1
          f64.eq
          select
          f64.sqrt
          local.tee 2
          f64.const nan (;=NaN;)
          local.get 2
          local.get 2
          f64.eq
          select
          i32.trunc_f64_u
          local.tee 0
          f32.const -nan:0x7ff800 (;=NaN;)
          i32.trunc_f32_u
          i32x4.splat
          i8x16.neg
          f64x2.extract_lane 1
          i64.trunc_f64_s
          i32.wrap_i64
          i32.mul
          nop
          call 0
          ref.is_null
          return_call 0
          block ;; label = @4
            i32.const -65536
            loop (result externref) ;; label = @5
              f64.const -nan:0xfffffffefffff (;=NaN;)
              loop (result funcref) ;; label = @6
                br 0 (;@6;)
                loop (result i64) ;; label = @7
                  f32.const -0x1.3b10cp+122 (;=-6543653000000000000000000000000000000;)
                  i32.const -32
                  global.get 0
                  f32.const -nan:0x5fffff (;=NaN;)
                  f32x4.replace_lane 1
                  i16x8.extadd_pairwise_i8x16_s
                  i16x8.neg
                  f64x2.convert_low_i32x4_s
                  f32x4.nearest
                  local.tee 3
                  v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
                  local.get 3
                  local.get 3
                  f32x4.eq
                  v128.bitselect
                  f32x4.nearest
                  local.tee 4
                  v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
                  local.get 4
                  local.get 4
                  f32x4.eq
                  v128.bitselect
                  f32x4.floor
                  local.tee 5
                  v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
                  local.get 5
                  local.get 5
                  f32x4.eq
                  v128.bitselect
                  i16x8.bitmask
                  i32.xor
                  local.get 0
                  f64.convert_i32_s
                  i32.trunc_sat_f64_s
                  i32.add
                  local.set 0
                  i64.const 2139095039
                  i64.extend32_s
                  i64.eqz
                  f32.const -nan (;=NaN;)
                  data.drop 0
                  i32.reinterpret_f32
                  i32.popcnt
                  i32.eqz
                  i32.xor
                  br_table 0 (;@7;) 1 (;@6;) 2 (;@5;) 3 (;@4;) 4 (;@3;) 5 (;@2;) 6 (;@1;) 0 (;@7;)
                  i32.reinterpret_f32
                  global.get 1
                  i32.xor
                  global.set 1
                  i64.const -6023415940126034591
                end
                global.get 2
                i64.xor
                global.set 2
                ref.null func
              end
              drop
              i64.reinterpret_f64
              global.get 3
              i64.xor
              global.set 3
              ref.null extern
            end
            drop
            global.get 4
            i32.xor
            global.set 4
          end
          drop
          global.get 2
          i64.xor
          global.set 2
          global.get 2
          i64.xor
          global.set 2
          global.get 2
          i64.xor
          global.set 2
          global.get 2
          i64.xor
          global.set 2
        end
        drop
        global.get 2
        i64.xor
        global.set 2
        global.get 2
        i64.xor
        global.set 2
        drop
        global.get 5
        v128.xor
        global.set 5
        f32.const -nan:0x7ffffd (;=NaN;)
      end
      i32.reinterpret_f32
      global.get 1
      i32.xor
      global.set 1
      global.get 2
      i64.xor
      global.set 2
    end
    global.get 5
    v128.xor
    global.set 5
    drop
    i64.const 35184372088831
    i64.const 576460752303423487
    ref.null extern
  )
  (func (;1;) (type 1) (param i32) (result i64 i64 externref)
    (local v128 v128 v128 v128 v128 v128 v128)
    global.get 0
    i32x4.extend_low_i16x8_u
    f32x4.sqrt
    local.tee 1
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 1
    local.get 1
    f32x4.eq
    v128.bitselect
    i32x4.extend_high_i16x8_s
    i16x8.extend_high_i8x16_u
    i16x8.neg
    f64x2.abs
    f32x4.ceil
    local.tee 2
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 2
    local.get 2
    f32x4.eq
    v128.bitselect
    i8x16.extract_lane_u 2
    i32.clz
    i32.extend16_s
    i16x8.splat
    i16x8.all_true
    i32.extend8_s
    f64.const -nan:0xfffffffffbfff (;=NaN;)
    global.get 0
    i32x4.extadd_pairwise_i16x8_s
    f32x4.convert_i32x4_s
    f64x2.ceil
    local.tee 3
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 3
    local.get 3
    f64x2.eq
    v128.bitselect
    i32x4.extract_lane 3
    call 0
    ref.is_null
    select
    ref.null extern
    ref.is_null
    f32.const 0x1.ep-146 (;=0.000000000000000000000000000000000000000000021;)
    i64.const 215442656002103577
    f64.convert_i64_u
    f64.neg
    local.get 0
    data.drop 0
    i8x16.splat
    f64x2.promote_low_f32x4
    f64x2.promote_low_f32x4
    f64x2.ceil
    local.tee 4
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 4
    local.get 4
    f64x2.eq
    v128.bitselect
    v128.const i32x4 0x8cc335e4 0x70d97d5f 0xa11d218a 0x48fff866
    nop
    i32x4.ge_s
    i32x4.extract_lane 0
    i32x4.splat
    i16x8.bitmask
    nop
    f32.convert_i32_s
    f32.abs
    f32x4.splat
    i64x2.extend_low_i32x4_s
    i16x8.extend_high_i8x16_s
    i8x16.popcnt
    i16x8.neg
    i16x8.extend_low_i8x16_s
    i64x2.extend_high_i32x4_s
    i64.const -1125899906842624
    loop (result v128) ;; label = @1
      data.drop 0
      block ;; label = @2
        ref.null extern
        global.get 0
        f64x2.sqrt
        local.tee 5
        v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
        local.get 5
        local.get 5
        f64x2.eq
        v128.bitselect
        i16x8.extend_low_i8x16_u
        f32x4.demote_f64x2_zero
        f32x4.neg
        f32x4.ceil
        local.tee 6
        v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
        local.get 6
        local.get 6
        f32x4.eq
        v128.bitselect
        i16x8.extadd_pairwise_i8x16_u
        f32x4.ceil
        local.tee 7
        v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
        local.get 7
        local.get 7
        f32x4.eq
        v128.bitselect
        global.get 5
        v128.xor
        global.set 5
        drop
      end
      v128.const i32x4 0x2151396b 0xd4930539 0xe224c731 0x6dfe10a9
    end
    global.get 5
    v128.xor
    global.set 5
    global.get 2
    i64.xor
    global.set 2
    global.get 5
    v128.xor
    global.set 5
    i64.reinterpret_f64
    global.get 3
    i64.xor
    global.set 3
    i32.reinterpret_f32
    global.get 1
    i32.xor
    global.set 1
    global.get 4
    i32.xor
    global.set 4
    global.get 2
    i64.xor
    global.set 2
    i64.reinterpret_f64
    global.get 3
    i64.xor
    global.set 3
    global.get 4
    i32.xor
    global.set 4
    i64.const -9007199254740992
    i64.const 9221120237041090560
    ref.null extern
  )
  (data (;0;) "")
)

(assert_return (invoke "T" (i32.const 0)) (i64.const 35184372088831) (i64.const 576460752303423487) (ref.null extern))
(assert_return (invoke "" (i32.const 0)) (i64.const -9007199254740992) (i64.const 9221120237041090560) (ref.null extern))
(assert_return (get "\u{e}") (i64.const 18445653358174797823))
