;; Found by `wazi-fuzz differential --seed 20261211` (run 1534000): wasmi 2.0
;; leaves global "4" at 2143289352 (0x7fc00008) after calling ""; wazi and
;; wasmtime 48 (`wasmtime wast`) both leave 8, as asserted here.
;; wasmi reads the stale bits 0x7fc00000 (a NaN constant) instead of 0 for the
;; i32 `local.get 2` held below an `if (param f64 i32) (result f64)` whose
;; then-arm, not taken, opens blocks: wasmi-reduced-if-params.
(module
  (type (;0;) (func (param f64 i32) (result f64)))
  (global (;0;) (mut i32) i32.const 133490013 i32.const -60495874 i32.const -1549867532 i32.const 2019306062 i32.add i32.sub i32.const 2090014559 i32.mul i32.add i32.const 2000285339 i32.mul i32.const 938643267 i32.const -1344890488 i32.mul i32.add)
  (global (;1;) (mut externref) ref.null extern)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i64) i64.const 0)
  (global (;5;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;6;) (mut i32) i32.const 0)
  (export "" (func 0))
  (export "1" (global 0))
  (export "2" (global 1))
  (export "3" (global 2))
  (export "4" (global 3))
  (export "9C\u{13}" (global 4))
  (export " \u{6}" (global 5))
  (export "\u{7}" (global 6))
  (elem (;0;) externref)
  (elem (;1;) externref)
  (func (;0;) (type 0) (param f64 i32) (result f64)
    (local i32 v128 v128)
    global.get 0
    i32x4.splat
    f32x4.nearest
    local.tee 3
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 3
    local.get 3
    f32x4.eq
    v128.bitselect
    i64x2.extend_high_i32x4_u
    f32x4.sqrt
    local.tee 4
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 4
    local.get 4
    f32x4.eq
    v128.bitselect
    i16x8.extadd_pairwise_i8x16_s
    i32x4.extend_low_i16x8_s
    i16x8.extract_lane_s 0
    local.set 2
    i64.const 5191743509742059576
    f32.const -0x1p+113 (;=-10384594000000000000000000000000000;)
    block ;; label = @1
      block (result v128) ;; label = @2
        local.get 2
        i64.const 8157018166029690920
        i64.extend32_s
        f64.convert_i64_s
        v128.const i32x4 0x2afb4fb2 0x5773da40 0x48740a85 0xe535a248
        i32x4.bitmask
        local.get 1
        if (type 0) (param f64 i32) (result f64) ;; label = @3
          i32.extend8_s
          block ;; label = @4
            i64.const -7818412704406933787
            block (result funcref) ;; label = @5
              ref.null func
              br 0 (;@5;)
              block (result externref) ;; label = @6
                local.get 2
                f32.const 0x1.efa5fap-9 (;=0.0037814968;)
                i32.trunc_f32_u
                i32.lt_u
                i64.extend_i32_s
                i32.const -661422761
                i32.extend16_s
                i64.const 4096
                global.get 2
                i64.xor
                global.set 2
                global.get 3
                i32.xor
                global.set 3
                global.get 2
                i64.xor
                global.set 2
                ref.null extern
              end
              drop
              ref.null func
            end
            drop
            global.get 2
            i64.xor
            global.set 2
          end
          global.get 3
          i32.xor
          global.set 3
        else
          global.get 3
          i32.xor
          global.set 3
        end
        i64.reinterpret_f64
        global.get 4
        i64.xor
        global.set 4
        global.get 3
        i32.xor
        global.set 3
        v128.const i32x4 0x00000000 0x00000001 0xffffffff 0x007fffff
      end
      global.get 5
      v128.xor
      global.set 5
    end
    i32.reinterpret_f32
    global.get 6
    i32.xor
    global.set 6
    global.get 2
    i64.xor
    global.set 2
    f64.const -0x1.70139ce7c99f8p-439 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001012815087125196;)
  )
  (data (;0;) "\d4\d7")
)


(assert_return (invoke "" (f64.const 0) (i32.const 0))
  (f64.const -0x1.70139ce7c99f8p-439))
(assert_return (get "4") (i32.const 8))
