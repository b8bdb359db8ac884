;; Found by `wazi-fuzz differential --seed 20261209` (run 1615205): wasmi 2.0
;; leaves global "5" at 3961408125713217161298203181109 after calling ""
;; (other values in other processes; replayed alone the run is skipped for a
;; limit); wazi and wasmtime 48 (`wasmtime wast`) both leave 0, as asserted
;; here. wasmi reads 0 or stale bits for the v128 `local.get 0` held below an
;; `if (param f64) (result f32 i64)` whose then-arm, not taken, opens blocks.
(module
  (type (;0;) (func (param v128 f32)))
  (type (;1;) (func (param i64 f32 i32) (result v128 i64)))
  (type (;2;) (func (param f64) (result f32 i64)))
  (memory (;0;) 0)
  (global (;0;) (mut funcref) ref.func 2)
  (global (;1;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut i32) i32.const 0)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (func 2))
  (export "3" (memory 0))
  (export "4" (global 0))
  (export "5" (global 1))
  (export "O" (global 2))
  (export "7" (global 3))
  (export "o}k" (global 4))
  (export "t\u{18}\u{c}L0" (global 5))
  (elem (;0;) funcref)
  (elem (;1;) externref)
  (elem (;2;) declare funcref)
  (elem (;3;) declare funcref)
  (elem (;4;) externref)
  (func (;0;) (type 0) (param v128 f32)
    (local f32 f64 f64 v128)
    memory.size
    i32.const -1139639135
    i32.ne
    if ;; label = @1
      ref.null extern
      ref.func 2
      global.get 0
      ref.null extern
      f32.const 0x1.p-133 (;=0.000000000000000000000000000000000000000091835;)
      f32.ceil
      local.tee 2
      f32.const nan (;=NaN;)
      local.get 2
      local.get 2
      f32.eq
      select
      i32.trunc_f32_s
      memory.grow
      f64.load align=1
      i32.trunc_sat_f64_u
      i64.const -2240159055021263039
      i64.extend32_s
      local.get 0
      f64.const 0x1.p-1030 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008691694759794;)
      f64.trunc
      local.tee 3
      f64.const nan (;=NaN;)
      local.get 3
      local.get 3
      f64.eq
      select
      v128.const i32x4 0x2fd09553 0xf6cdaacb 0x8317ccd7 0xb816d190
      i8x16.popcnt
      i32x4.extadd_pairwise_i16x8_u
      i8x16.abs
      i16x8.extend_high_i8x16_s
      i8x16.extract_lane_u 12
      v128.load16_splat align=1
      i32x4.bitmask
      if (type 2) (param f64) (result f32 i64) ;; label = @2
        f64.nearest
        local.tee 4
        f64.const nan (;=NaN;)
        local.get 4
        local.get 4
        f64.eq
        select
        memory.size
        i64.const -140737488355329
        ref.func 2
        i64.const -562949953421312
        elem.drop 2
        i32.wrap_i64
        block (result i32) ;; label = @3
          i32.const -2147483648
          br_table 2 (;@1;) 3 3
          f32.const 0x1.dbd43p+15 (;=60906.094;)
          i32.trunc_sat_f32_u
          v128.load32_splat
          f32x4.abs
          f64x2.convert_low_i32x4_s
          f32x4.extract_lane 0
          i64.trunc_sat_f32_s
          i64x2.splat
          f64.const -0x1.eeeeeeeeeeeeep+751 (;=-22899894549927040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
          memory.size
          block ;; label = @4
            memory.size
            f64.convert_i32_s
            f64.const 0x1.ffffep-1055 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000518065;)
            block (type 2) (param f64) (result f32 i64) ;; label = @5
              i64.trunc_sat_f64_u
              i64.eqz
              i32.clz
              v128.load32x2_s align=2
              ref.null func
              block (result f64) ;; label = @6
                i64.const 3313679204907919300
                i32.const -1275068416
                i64.load16_u
                i64.mul
                f64.convert_i64_s
                br 2 (;@4;)
                i64.reinterpret_f64
                i64.popcnt
                elem.drop 3
                f64.convert_i64_s
                ref.null func
                global.set 0
                memory.size
                v128.load32_splat align=1
                f64x2.sqrt
                local.tee 5
                v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
                local.get 5
                local.get 5
                f64x2.eq
                v128.bitselect
                i16x8.abs
                i64x2.extend_high_i32x4_u
                global.get 1
                v128.xor
                global.set 1
              end
              i64.reinterpret_f64
              global.get 2
              i64.xor
              global.set 2
              drop
              global.get 1
              v128.xor
              global.set 1
              f32.const -nan:0x7f8000 (;=NaN;)
              i64.const 33554432
            end
            global.get 3
            i64.xor
            global.set 3
            i32.reinterpret_f32
            global.get 4
            i32.xor
            global.set 4
            i64.reinterpret_f64
            global.get 2
            i64.xor
            global.set 2
          end
          global.get 5
          i32.xor
          global.set 5
          i64.reinterpret_f64
          global.get 2
          i64.xor
          global.set 2
          global.get 1
          v128.xor
          global.set 1
          i32.const -16384
        end
        global.get 5
        i32.xor
        global.set 5
        global.get 5
        i32.xor
        global.set 5
        drop
        global.get 3
        i64.xor
        global.set 3
        global.get 5
        i32.xor
        global.set 5
        i64.reinterpret_f64
        global.get 2
        i64.xor
        global.set 2
        f32.const -0x1.5daf6cp+16 (;=-89519.42;)
        i64.const -988411967264017237
      else
        i64.reinterpret_f64
        global.get 2
        i64.xor
        global.set 2
        f32.const 0x1.d7342cp+102 (;=9333153000000000000000000000000;)
        i64.const -7611025397544941345
      end
      global.get 3
      i64.xor
      global.set 3
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      global.get 1
      v128.xor
      global.set 1
      global.get 3
      i64.xor
      global.set 3
      global.get 5
      i32.xor
      global.set 5
      drop
      drop
      drop
      drop
    end
  )
  (func (;1;) (type 2) (param f64) (result f32 i64)
    (local v128 f64 f64 f64 f64)
    loop (result i32) ;; label = @1
      global.get 0
      local.get 0
      i32.trunc_f64_s
      v128.load32_zero align=1
      i32x4.extend_high_i16x8_s
      v128.const i32x4 0x8016834b 0xd7909d21 0x25a0ff80 0x57e4c535
      f64x2.sub
      local.tee 1
      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
      local.get 1
      local.get 1
      f64x2.eq
      v128.bitselect
      f64x2.convert_low_i32x4_u
      i16x8.bitmask
      br_table 0 (;@1;) 0 (;@1;)
      memory.size
      i64.load8_u
      i64.extend32_s
      f64.reinterpret_i64
      call 1
      block (result funcref) ;; label = @2
        i32.const -1428850843
        br 1 (;@1;)
        v128.load8x8_s offset=1806106714 align=4
        i64x2.extend_low_i32x4_u
        f64x2.neg
        f32x4.neg
        v128.not
        i32.const 1073741824
        i64.load8_s
        elem.drop 2
        f64.reinterpret_i64
        f64.neg
        ref.func 2
        i64.const 549755813887
        i64.const -4194305
        f64.convert_i64_s
        f64.nearest
        local.tee 2
        f64.const nan (;=NaN;)
        local.get 2
        local.get 2
        f64.eq
        select
        f64.floor
        local.tee 3
        f64.const nan (;=NaN;)
        local.get 3
        local.get 3
        f64.eq
        select
        i64.trunc_f64_s
        elem.drop 0
        i64.rem_u
        local.get 0
        f64.neg
        i64.trunc_f64_u
        i64.sub
        f64.convert_i64_u
        i64.trunc_sat_f64_s
        elem.drop 0
        f32.convert_i64_s
        i64.trunc_f32_s
        i64.popcnt
        i64.const 65535
        i64.rem_s
        ref.null extern
        loop (result i64) ;; label = @3
          i32.const 8388607
          f32.convert_i32_u
          i64.trunc_f32_u
          block (result f32) ;; label = @4
            i32.const 1064022681
            i32.ctz
            i32.const -981916266
            i32.eq
            i32.load16_u align=1
            v128.load16_splat align=1
            f32.const -nan:0x77ffff (;=NaN;)
            i64.trunc_sat_f32_s
            i64.extend8_s
            br 3 (;@1;)
            f64.convert_i64_u
            f64.trunc
            local.tee 4
            f64.const nan (;=NaN;)
            local.get 4
            local.get 4
            f64.eq
            select
            f64.floor
            local.tee 5
            f64.const nan (;=NaN;)
            local.get 5
            local.get 5
            f64.eq
            select
            local.tee 0
            i64.reinterpret_f64
            global.get 2
            i64.xor
            global.set 2
            global.get 1
            v128.xor
            global.set 1
            f32.const 0x1.75fb1cp+93 (;=14467685000000000000000000000;)
          end
          i32.reinterpret_f32
          global.get 4
          i32.xor
          global.set 4
        end
        global.get 3
        i64.xor
        global.set 3
        drop
        global.get 3
        i64.xor
        global.set 3
        drop
        i64.reinterpret_f64
        global.get 2
        i64.xor
        global.set 2
        global.get 1
        v128.xor
        global.set 1
        ref.null func
      end
      drop
      global.get 3
      i64.xor
      global.set 3
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      drop
      i32.const 67108863
    end
    global.get 5
    i32.xor
    global.set 5
    f32.const 0x1.fffp-137 (;=0.000000000000000000000000000000000000000011478;)
    i64.const 4096
  )
  (func (;2;) (type 0) (param v128 f32)
    memory.size
    return
    i64.const -7700631009981192427
    i64.extend32_s
    i64.const 872415232
    f32.convert_i64_u
    i32.reinterpret_f32
    global.get 5
    i32.xor
    global.set 5
    global.get 3
    i64.xor
    global.set 3
    global.get 5
    i32.xor
    global.set 5
  )
)

(assert_return (invoke "" (v128.const i64x2 0 0) (f32.const 0)))
(assert_return (get "5") (v128.const i64x2 0 0))
