;; Found by `wazi-fuzz differential --seed 20261211` (run 1856046): wasmi 2.0
;; leaves global "4" at 18158513697557839871 (0xfbffffffffffffff) after calling
;; "2"; wazi and wasmtime 48 (`wasmtime wast`) both leave 288230376151711744
;; (0x0400000000000000, the bits of f64 0x1p-959), as asserted here.
;; wasmi reads all ones instead of 0 for the f64 `local.get 0` held just below
;; an `if (param f64) (result f64)` whose then-arm, not taken, opens a block:
;; wasmi-reduced-if-params. Export "3" is not invoked here.
(module
  (type (;0;) (func (param f64) (result f64)))
  (global (;0;) (mut i64) i64.const 0)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i64) i64.const 0)
  (export "\u{7f}" (func 0))
  (export "" (func 1))
  (export "2" (func 2))
  (export "3" (func 3))
  (export "4" (global 0))
  (export "\u{648}g" (global 1))
  (export "6" (global 2))
  (export "7" (global 3))
  (export "8" (global 4))
  (elem (;0;) func)
  (elem (;1;) declare funcref)
  (func (;0;) (type 0) (param f64) (result f64)
    (local v128 f64 v128 v128 v128 f64)
    v128.const i32x4 0x441424b5 0x22eb1de6 0xd638e3e4 0x2e68d377
    f64x2.floor
    local.tee 1
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 1
    local.get 1
    f64x2.eq
    v128.bitselect
    i32x4.extadd_pairwise_i16x8_s
    i64.const 8937012756070393352
    f64.reinterpret_i64
    elem.drop 1
    f64.abs
    f64.abs
    f64.floor
    local.tee 2
    f64.const nan (;=NaN;)
    local.get 2
    local.get 2
    f64.eq
    select
    i64.trunc_f64_u
    i32.wrap_i64
    i16x8.replace_lane 7
    i32x4.abs
    f32x4.sqrt
    local.tee 3
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 3
    local.get 3
    f32x4.eq
    v128.bitselect
    i8x16.bitmask
    i8x16.splat
    i8x16.neg
    f64x2.sqrt
    local.tee 4
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 4
    local.get 4
    f64x2.eq
    v128.bitselect
    i16x8.extract_lane_s 1
    i32.popcnt
    i32.const 2097151
    if (result f32) ;; label = @1
      elem.drop 0
      elem.drop 0
      block (result i64) ;; label = @2
        i32.const -33
        i64.const 2305843009213693951
        br 0 (;@2;)
        f64.convert_i32_u
        i64.trunc_sat_f64_u
        i64.extend32_s
        i64.popcnt
        i64.popcnt
        i64.extend8_s
        f64.reinterpret_i64
        i32.const -959081452
        block (result v128) ;; label = @3
          elem.drop 0
          block (result v128) ;; label = @4
            block ;; label = @5
            end
            loop ;; label = @5
              br 0 (;@5;)
              local.get 0
              f64.const 0x1.008df2f1b038cp-762 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004131264066341876;)
              f32.demote_f64
              v128.const i32x4 0x8bca0cef 0x168553ac 0x1d7df26e 0x2db412e5
              f64x2.nearest
              local.tee 5
              v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
              local.get 5
              local.get 5
              f64x2.eq
              v128.bitselect
              i64x2.neg
              i16x8.extadd_pairwise_i8x16_s
              i32x4.trunc_sat_f32x4_u
              f32x4.neg
              i16x8.extadd_pairwise_i8x16_s
              i64.const 7199567035169787647
              i64.clz
              i32.wrap_i64
              i32.popcnt
              br 0 (;@5;)
              i64.const -4097
              f64.convert_i64_u
              f64.trunc
              local.tee 6
              f64.const nan (;=NaN;)
              local.get 6
              local.get 6
              f64.eq
              select
              v128.const i32x4 0x2d1f49b0 0x3f17692b 0x20d11773 0xec7aeb8c
              f64x2.extract_lane 0
              local.get 0
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              global.get 1
              i32.xor
              global.set 1
              global.get 2
              v128.xor
              global.set 2
              i32.reinterpret_f32
              global.get 3
              i32.xor
              global.set 3
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
            end
            v128.const i32x4 0x00000000 0x10000000 0xffffffff 0x0000000f
          end
        end
        global.get 2
        v128.xor
        global.set 2
        global.get 1
        i32.xor
        global.set 1
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
        i64.const 16
      end
      global.get 4
      i64.xor
      global.set 4
      f32.const -0x1p+127 (;=-170141180000000000000000000000000000000;)
    else
      f32.const 0x1.885d42p-116 (;=0.00000000000000000000000000000000001844888;)
    end
    i32.reinterpret_f32
    global.get 3
    i32.xor
    global.set 3
    global.get 1
    i32.xor
    global.set 1
    f64.const 0x1.ccb03b04ebf03p-860 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000023408362871541656;)
  )
  (func (;1;) (type 0) (param f64) (result f64)
    v128.const i32x4 0x26e7ead7 0x39c89fd2 0x4711134d 0x18187cf9
    i16x8.extadd_pairwise_i8x16_s
    global.get 2
    v128.xor
    global.set 2
    f64.const 0x1.p-1056 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001295163;)
  )
  (func (;2;) (type 0) (param f64) (result f64)
    (local f32 funcref f32 f64 f32 v128 f32 v128)
    local.get 0
    f32.const -inf (;=-inf;)
    f32.nearest
    local.tee 3
    f32.const nan (;=NaN;)
    local.get 3
    local.get 3
    f32.eq
    select
    local.get 0
    f64.sqrt
    local.tee 4
    f64.const nan (;=NaN;)
    local.get 4
    local.get 4
    f64.eq
    select
    i32.trunc_sat_f64_u
    i64.extend_i32_s
    i64.extend32_s
    nop
    f64.reinterpret_i64
    f64.const -0x1.6122c44d5ee3ap+858 (;=-2651173020169602500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    f64.const -0x1.1e4af49c093fap+715 (;=-192760193157743300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    f64.ne
    f32.convert_i32_u
    i64.trunc_f32_s
    local.get 0
    f64.const 0x1p-959 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020522684006491881;)
    local.get 1
    f32.nearest
    local.tee 5
    f32.const nan (;=NaN;)
    local.get 5
    local.get 5
    f32.eq
    select
    i32.trunc_sat_f32_s
    if (type 0) (param f64) (result f64) ;; label = @1
      block (result i32) ;; label = @2
        nop
        i32.const -134217728
        i32.const 1023
        br_if 0 (;@2;)
        br 0 (;@2;)
        i32.const -839479939
        i32.extend8_s
        f32.convert_i32_s
        i32.reinterpret_f32
        i64.extend_i32_s
        v128.const i32x4 0x277dec5a 0xbafd3905 0x35cab573 0x88782ccd
        f64x2.trunc
        local.tee 6
        v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
        local.get 6
        local.get 6
        f64x2.eq
        v128.bitselect
        elem.drop 1
        ref.null func
        f64.const -0x1.61ea557bcf317p-321 (;=-0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003236166415368709;)
        br 2
        ref.null extern
        local.get 0
        i64.trunc_f64_u
        i64.extend32_s
        i64.eqz
        i64.extend_i32_s
        loop ;; label = @3
          f64.const -nan:0xfc00000000000 (;=NaN;)
          i64.trunc_f64_s
          i32.wrap_i64
          ref.null extern
          block (result v128) ;; label = @4
            ref.null func
            block (result f32) ;; label = @5
              local.get 0
              i64.trunc_sat_f64_s
              loop (result funcref) ;; label = @6
                elem.drop 1
                ref.null extern
                f32.const -0x1.ee924ep-106 (;=-0.000000000000000000000000000000023812752;)
                f32.const 0x1.fffffep-120 (;=0.0000000000000000000000000000000000015046327;)
                f32.nearest
                local.tee 7
                f32.const nan (;=NaN;)
                local.get 7
                local.get 7
                f32.eq
                select
                local.set 1
                i64.const 17592186044416
                i64x2.splat
                i16x8.neg
                f64x2.floor
                local.tee 8
                v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
                local.get 8
                local.get 8
                f64x2.eq
                v128.bitselect
                global.get 2
                v128.xor
                global.set 2
                i32.reinterpret_f32
                global.get 3
                i32.xor
                global.set 3
                drop
                ref.null func
              end
              drop
              global.get 4
              i64.xor
              global.set 4
              f32.const 0x1.d015bep+41 (;=3986459200000;)
            end
            i32.reinterpret_f32
            global.get 3
            i32.xor
            global.set 3
            drop
            v128.const i32x4 0xe935d8f1 0xe6ddc848 0x8f4582d5 0x9f6bec60
          end
          drop
          drop
          global.get 1
          i32.xor
          global.set 1
        end
        global.get 4
        i64.xor
        global.set 4
        drop
        drop
        global.get 2
        v128.xor
        global.set 2
        drop
        i32.const 0
      end
      global.get 1
      i32.xor
      global.set 1
    end
    i64.reinterpret_f64
    global.get 0
    i64.xor
    global.set 0
    i64.reinterpret_f64
    global.get 0
    i64.xor
    global.set 0
    global.get 4
    i64.xor
    global.set 4
    i64.reinterpret_f64
    global.get 0
    i64.xor
    global.set 0
    i32.reinterpret_f32
    global.get 3
    i32.xor
    global.set 3
  )
  (func (;3;) (type 0) (param f64) (result f64)
    (local v128 f32 v128 f64)
    local.get 0
    f64.const -nan:0xffffffffdffff (;=NaN;)
    f64.le
    f32.const -nan:0x7effff (;=NaN;)
    f64.promote_f32
    local.set 0
    i64.extend_i32_s
    f64.const 0x1.fffffffffffffp-1016 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000028480945388892175;)
    i32.const 906687918
    block (result funcref) ;; label = @1
      elem.drop 0
      i64.const -262145
      elem.drop 1
      i64.extend8_s
      i32.wrap_i64
      f32.reinterpret_i32
      f32.const -nan:0x7fefff (;=NaN;)
      f32.add
      local.tee 2
      f32.const nan (;=NaN;)
      local.get 2
      local.get 2
      f32.eq
      select
      i64.trunc_f32_s
      f64.convert_i64_s
      loop ;; label = @2
        local.get 1
        f32x4.convert_i32x4_u
        i32x4.abs
        i8x16.abs
        i32x4.trunc_sat_f64x2_s_zero
        v128.const i32x4 0x64858872 0x2e061410 0x076733f4 0x9ff46aa3
        i64x2.abs
        i16x8.min_s
        i16x8.bitmask
        i16x8.splat
        i16x8.extract_lane_u 5
        i32.extend16_s
        loop (result f64) ;; label = @3
          i64.const 7765507304848789896
          nop
          v128.const i32x4 0xf1c0f98a 0x2588efea 0x01fc0aa5 0xe3ea36bf
          br 1 (;@2;)
          f64x2.ceil
          local.tee 3
          v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
          local.get 3
          local.get 3
          f64x2.eq
          v128.bitselect
          f64x2.neg
          i8x16.extract_lane_u 15
          block ;; label = @4
            local.get 0
            elem.drop 0
            i32.trunc_f64_s
            f32.reinterpret_i32
            i64.trunc_f32_s
            elem.drop 0
            f64.const -0x1.d6be6f9ecb75dp-520 (;=-0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005357312521210558;)
            i32.const 8192
            block (result i32) ;; label = @5
              f32.const -0x1.bd77cp+24 (;=-29194176;)
              f32.const nan:0x7fffff (;=NaN;)
              i64.trunc_sat_f32_s
              i64.popcnt
              i64.clz
              block ;; label = @6
                block ;; label = @7
                  f64.const -0x1.9cedb23f63ccdp+654 (;=-120573552995811890000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                  f64.neg
                  f64.floor
                  local.tee 4
                  f64.const nan (;=NaN;)
                  local.get 4
                  local.get 4
                  f64.eq
                  select
                  call 3
                  ref.null func
                  v128.const i32x4 0x0cd9ac6e 0xd2ad13c2 0x4026bd0f 0xed8e780a
                  f32x4.convert_i32x4_s
                  f64x2.promote_low_f32x4
                  i64x2.bitmask
                  ref.null extern
                  v128.const i32x4 0x46d3c60a 0x5a76ebac 0x230dd42a 0xf27edf0d
                  i16x8.extend_low_i8x16_s
                  i64x2.all_true
                  i64.extend_i32_s
                  i32.const -143685106
                  global.get 1
                  i32.xor
                  global.set 1
                  global.get 4
                  i64.xor
                  global.set 4
                  drop
                  global.get 1
                  i32.xor
                  global.set 1
                  drop
                  i64.reinterpret_f64
                  global.get 0
                  i64.xor
                  global.set 0
                end
              end
              global.get 4
              i64.xor
              global.set 4
              i32.reinterpret_f32
              global.get 3
              i32.xor
              global.set 3
              i32.const -866614431
            end
            global.get 1
            i32.xor
            global.set 1
            global.get 1
            i32.xor
            global.set 1
            i64.reinterpret_f64
            global.get 0
            i64.xor
            global.set 0
            global.get 4
            i64.xor
            global.set 4
          end
          global.get 1
          i32.xor
          global.set 1
          global.get 4
          i64.xor
          global.set 4
          f64.const -0x1.24eb70915659cp-353 (;=-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006236201305134308;)
        end
        i64.reinterpret_f64
        global.get 0
        i64.xor
        global.set 0
        global.get 1
        i32.xor
        global.set 1
      end
      i64.reinterpret_f64
      global.get 0
      i64.xor
      global.set 0
      ref.null func
    end
    drop
    global.get 1
    i32.xor
    global.set 1
    i64.reinterpret_f64
    global.get 0
    i64.xor
    global.set 0
    global.get 4
    i64.xor
    global.set 4
    f64.const 0x1.fffffffffffffp-768 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000012882297539194265;)
  )
)


(assert_trap (invoke "\u{7f}" (f64.const 0)) "integer overflow")
(assert_return (invoke "" (f64.const 0)) (f64.const 0x1p-1056))
(assert_return (invoke "2" (f64.const 0)) (f64.const 0))
(assert_return (get "4") (i64.const 288230376151711744))
