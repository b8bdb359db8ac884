;; Found by `wazi-fuzz differential --seed 20261216` (run 1681307, seeds as before a84e4d9): wasmi 2.0
;; leaves v128 global "C" at 0x91509a357ffffffe003fffffbfbfffff after calling "2";
;; wazi and wasmtime 48 (`wasmtime wast`) both leave 0x91509a357fffffff7fffffffc07fffff, as asserted here.
(module
  (type (;0;) (func (param v128) (result f64 f32 i32 v128)))
  (type (;1;) (func (param i32) (result f32)))
  (type (;2;) (func (param i64 f64 i32 f64) (result f64)))
  (memory (;0;) 1)
  (global (;0;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (export "p" (func 0))
  (export "" (func 1))
  (export "2" (func 2))
  (export "3" (memory 0))
  (export "C" (global 0))
  (export "J2" (global 1))
  (export "y" (global 2))
  (export "<" (global 3))
  (export "8" (global 4))
  (func (;0;) (type 1) (param i32) (result f32)
    (local externref f64 externref f64 f64 v128 v128)
    data.drop 0
    data.drop 0
    nop
    nop
    data.drop 0
    f32.const 0x1.f7f8d4p-37 (;=0.000000000014323745;)
    ref.null extern
    f64.const -0x1.ea55f15f0581p+730 (;=-10818085168634473000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    i32.const 16777216
    i64.const 7634957096722054544
    i64.store8 offset=22636
    f64.floor
    local.tee 4
    f64.const nan (;=NaN;)
    local.get 4
    local.get 4
    f64.eq
    select
    local.tee 2
    f64.ceil
    local.tee 5
    f64.const nan (;=NaN;)
    local.get 5
    local.get 5
    f64.eq
    select
    i32.trunc_f64_u
    nop
    loop (type 1) (param i32) (result f32) ;; label = @1
      f32.const -0x1.76ebf4p-13 (;=-0.0001787766;)
      i64.trunc_sat_f32_s
      loop (result funcref) ;; label = @2
        br 0 (;@2;)
        local.get 1
        br 0 (;@2;)
        f32.const 0x1.p-143 (;=0.00000000000000000000000000000000000000000009;)
        i64.trunc_f32_s
        f32.const -nan:0x7effff (;=NaN;)
        memory.size
        i32.load8_u offset=49525
        f32.const -0x1.52937cp-17 (;=-0.000010090354;)
        f32.abs
        loop (result i64) ;; label = @3
          ref.null extern
          ref.null extern
          f32.const 0x1.c00468p+112 (;=9086868600000000000000000000000000;)
          f64.const -nan:0xbffffffffffff (;=NaN;)
          ref.null func
          ref.is_null
          br_table 0 (;@3;) 1 (;@2;) 1 (;@2;)
          data.drop 0
          i64.trunc_sat_f64_s
          i64.popcnt
          i64x2.splat
          f64x2.ceil
          local.tee 6
          v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
          local.get 6
          local.get 6
          f64x2.eq
          v128.bitselect
          call 1
          v128.load32_lane offset=4650 3
          f32x4.floor
          local.tee 7
          v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
          local.get 7
          local.get 7
          f32x4.eq
          v128.bitselect
          i8x16.extract_lane_s 0
          f64.load offset=41179 align=1
          ref.null extern
          loop (result f32) ;; label = @4
            br 1 (;@3;)
            loop ;; label = @5
              ref.null extern
              i64.const 1152921504606846976
              i64.extend32_s
              f32.const 0x1.p-146 (;=0.000000000000000000000000000000000000000000011;)
              i64.trunc_sat_f32_u
              i64.eq
              memory.size
              i32.gt_u
              nop
              local.get 2
              loop (result externref) ;; label = @6
                br 2 (;@4;)
                memory.size
                v128.load64_zero offset=65045 align=2
                i8x16.abs
                i32x4.trunc_sat_f32x4_u
                i32x4.extend_low_i16x8_u
                i64x2.abs
                i16x8.extract_lane_s 0
                i64.load32_u offset=17747 align=1
                data.drop 0
                i64.extend8_s
                loop (result f32) ;; label = @7
                  loop (result v128) ;; label = @8
                    v128.const i32x4 0x154f533d 0x996d5f65 0xd8c92be6 0xa8b53161
                  end
                  global.get 0
                  v128.xor
                  global.set 0
                  f32.const 0x1.p-147 (;=0.000000000000000000000000000000000000000000006;)
                end
                i32.reinterpret_f32
                global.get 1
                i32.xor
                global.set 1
                global.get 2
                i64.xor
                global.set 2
                ref.null extern
              end
              drop
              i64.reinterpret_f64
              global.get 3
              i64.xor
              global.set 3
              global.get 4
              i32.xor
              global.set 4
              drop
            end
            f32.const -0x1.556ae2p-99 (;=-0.0000000000000000000000000000021041479;)
          end
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          drop
          i64.reinterpret_f64
          global.get 3
          i64.xor
          global.set 3
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          i64.reinterpret_f64
          global.get 3
          i64.xor
          global.set 3
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          drop
          drop
          i64.const -8402616503888769012
        end
        global.get 2
        i64.xor
        global.set 2
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 4
        i32.xor
        global.set 4
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 2
        i64.xor
        global.set 2
        drop
        ref.null func
      end
      drop
      global.get 2
      i64.xor
      global.set 2
      global.get 4
      i32.xor
      global.set 4
      f32.const 0x1.p-130 (;=0.000000000000000000000000000000000000000734684;)
    end
    i32.reinterpret_f32
    global.get 1
    i32.xor
    global.set 1
    drop
  )
  (func (;1;) (type 0) (param v128) (result f64 f32 i32 v128)
    (local f32 v128 f64 v128 v128 v128)
    data.drop 0
    f32.const -0x1.643c5p-120 (;=-0.0000000000000000000000000000000000010468823;)
    f32.trunc
    local.tee 1
    f32.const nan (;=NaN;)
    local.get 1
    local.get 1
    f32.eq
    select
    i32.trunc_f32_u
    i64.load8_u offset=16554
    local.get 0
    i16x8.extract_lane_s 1
    i32.load8_s offset=52509
    i32.ctz
    i64.load16_u offset=3529032016 align=1
    i64.le_s
    local.get 0
    local.get 0
    i32x4.gt_u
    i16x8.extract_lane_s 7
    v128.load32x2_s offset=31823
    i32x4.trunc_sat_f64x2_u_zero
    ref.null extern
    block (result f32) ;; label = @1
      f32.const 0x1.ffffep-130 (;=0.000000000000000000000000000000000000001469367;)
      i32.trunc_sat_f32_s
      v128.load64_zero offset=18043 align=2
      i32x4.neg
      f64x2.convert_low_i32x4_s
      f32x4.trunc
      local.tee 2
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 2
      local.get 2
      f32x4.eq
      v128.bitselect
      loop ;; label = @2
        i64.const 1834643804841396198
        block (result f32) ;; label = @3
          memory.size
          v128.load8_splat offset=13313
          i32x4.bitmask
          br_if 1 (;@2;)
          nop
          v128.const i32x4 0x2579b824 0x04f79e8f 0x7c52a1d2 0xc9e03818
          i8x16.extract_lane_s 6
          call 0
          i64.trunc_sat_f32_u
          data.drop 0
          loop (result i64) ;; label = @4
            ref.null func
            f64.const 0x1.e81ac0cedd826p-376 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001238780842997521;)
            f64.trunc
            local.tee 3
            f64.const nan (;=NaN;)
            local.get 3
            local.get 3
            f64.eq
            select
            ref.null func
            f64.const -0x1p+993 (;=-83711609936427130000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
            i64.trunc_f64_u
            i64.clz
            i64x2.splat
            f32x4.ceil
            local.tee 4
            v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
            local.get 4
            local.get 4
            f32x4.eq
            v128.bitselect
            i16x8.all_true
            if ;; label = @5
            end
            ref.is_null
            i32.load16_u offset=3455531945 align=1
            br_table 0 (;@4;) 2 (;@2;) 0 (;@4;)
            f64.abs
            block ;; label = @5
              memory.size
              br_if 3 (;@2;)
              ref.null func
              ref.is_null
              v128.load64_zero offset=6456 align=2
              i16x8.extract_lane_u 2
              v128.load32_splat offset=57065 align=1
              f64x2.floor
              local.tee 5
              v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
              local.get 5
              local.get 5
              f64x2.eq
              v128.bitselect
              f64x2.sqrt
              local.tee 6
              v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
              local.get 6
              local.get 6
              f64x2.eq
              v128.bitselect
              global.get 0
              v128.xor
              global.set 0
            end
            i64.reinterpret_f64
            global.get 3
            i64.xor
            global.set 3
            drop
            i64.const -5527051042558592845
          end
          global.get 2
          i64.xor
          global.set 2
          global.get 2
          i64.xor
          global.set 2
          f32.const -0x1.c3949p+62 (;=-8134948000000000000;)
        end
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 2
        i64.xor
        global.set 2
      end
      global.get 0
      v128.xor
      global.set 0
      f32.const 0x1.aaaaaap+43 (;=14660155000000;)
    end
    i32.reinterpret_f32
    global.get 1
    i32.xor
    global.set 1
    drop
    global.get 0
    v128.xor
    global.set 0
    global.get 4
    i32.xor
    global.set 4
    f64.const 0x1.bd08f4f17751fp+760 (;=10542676847199443000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    f32.const nan:0x7fffff (;=NaN;)
    i32.const -1851767728
    v128.const i32x4 0x4a4a769b 0x3bee5e14 0x3b41f8bb 0x5713fadd
  )
  (func (;2;) (type 0) (param v128) (result f64 f32 i32 v128)
    (local funcref i64 f32 f64 v128 v128 i32 v128 f32 f32 v128)
    ref.null extern
    i32.const -1380569865
    f64.convert_i32_u
    i64.trunc_f64_s
    i32.const -131073
    i8x16.splat
    block (result funcref) ;; label = @1
      v128.const i32x4 0x04181e81 0x8c305034 0x93da4ea9 0x6eaf65ca
      f32x4.ceil
      local.tee 8
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 8
      local.get 8
      f32x4.eq
      v128.bitselect
      block (result v128) ;; label = @2
        block (result v128) ;; label = @3
          i64.const 1011195284912799557
          i64.extend8_s
          i64.clz
          i32.const 2047
          i8x16.splat
          i16x8.extract_lane_s 3
          data.drop 0
          i32.clz
          i32.eqz
          f64.const 0x1.p-1052 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020722615;)
          f64.neg
          i64.trunc_f64_u
          memory.size
          ref.null extern
          i32.const 1023
          f32.convert_i32_u
          v128.const i32x4 0xf7c608b1 0x43530dc8 0x575d1367 0xbcf5a8f9
          i32x4.neg
          f64x2.promote_low_f32x4
          i32x4.neg
          i64x2.extend_high_i32x4_s
          i8x16.neg
          i16x8.extadd_pairwise_i8x16_s
          f64x2.abs
          f64x2.convert_low_i32x4_u
          memory.size
          br_table 0 (;@3;) 1 (;@2;) 0 (;@3;)
          local.tee 3
          f32.nearest
          local.tee 9
          f32.const nan (;=NaN;)
          local.get 9
          local.get 9
          f32.eq
          select
          i64.trunc_f32_s
          i64.extend32_s
          i64.clz
          f32.convert_i64_u
          i32.trunc_sat_f32_s
          call 0
          f32.floor
          local.tee 10
          f32.const nan (;=NaN;)
          local.get 10
          local.get 10
          f32.eq
          select
          f32.const 0x1.ffcp-139 (;=0.000000000000000000000000000000000000000002868;)
          i64.const 3253749905275658646
          f32.convert_i64_s
          i32.trunc_sat_f32_s
          v128.load64_zero offset=32845
          i64x2.extract_lane 0
          i64x2.splat
          loop (type 0) (param v128) (result f64 f32 i32 v128) ;; label = @4
            i64x2.extend_high_i32x4_u
            v128.const i32x4 0x27be9d41 0x241e62c9 0x56832faa 0xaf4543f6
            i16x8.extmul_high_i8x16_u
            i64x2.extend_high_i32x4_u
            f32x4.demote_f64x2_zero
            i64x2.all_true
            v128.const i32x4 0x56adb418 0xb8d5c628 0x1fcc50b7 0x4cd7a8e7
            v128.load64_lane offset=14119 align=4 1
            i32x4.extract_lane 3
            i64.load8_u offset=20197
            data.drop 0
            f32.const -0x1.2ec696p+62 (;=-5454322600000000000;)
            block ;; label = @5
              block ;; label = @6
                i32.const 651921430
                v128.load64_splat offset=33125 align=1
                i16x8.bitmask
                local.set 7
                f32.const -0x1.555554p-42 (;=-0.00000000000030316488;)
                loop ;; label = @7
                  v128.const i32x4 0x4331e03a 0x352784e7 0xf3030923 0x6dc6cbd6
                  i16x8.extend_high_i8x16_s
                  f64x2.trunc
                  local.tee 11
                  v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
                  local.get 11
                  local.get 11
                  f64x2.eq
                  v128.bitselect
                  global.get 0
                  v128.xor
                  global.set 0
                end
                i32.reinterpret_f32
                global.get 1
                i32.xor
                global.set 1
              end
            end
            i32.reinterpret_f32
            global.get 1
            i32.xor
            global.set 1
            global.get 2
            i64.xor
            global.set 2
            f64.const -0x1.8bf196d9aa541p-988 (;=-0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000059123177230571025;)
            f32.const 0x1.0004p-133 (;=0.000000000000000000000000000000000000000091841;)
            i32.const 1105473150
            v128.const i32x4 0x00000000 0xfffffffc 0x00000000 0x00008000
          end
          global.get 0
          v128.xor
          global.set 0
          global.get 4
          i32.xor
          global.set 4
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          i64.reinterpret_f64
          global.get 3
          i64.xor
          global.set 3
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          drop
          global.get 4
          i32.xor
          global.set 4
          global.get 2
          i64.xor
          global.set 2
          global.get 4
          i32.xor
          global.set 4
          global.get 2
          i64.xor
          global.set 2
          v128.const i32x4 0xf5373349 0x74b9c808 0x5707de02 0x1d9c52a3
        end
      end
      global.get 0
      v128.xor
      global.set 0
      global.get 0
      v128.xor
      global.set 0
      ref.null func
    end
    drop
    global.get 0
    v128.xor
    global.set 0
    global.get 2
    i64.xor
    global.set 2
    drop
    f64.const 0x1.p-1032 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000021729236899484;)
    f32.const 0x1.c7186cp-121 (;=0.0000000000000000000000000000000000006687026;)
    i32.const -262145
    v128.const i32x4 0x007fffff 0x00000000 0x00000400 0x00000000
  )
  (data (;0;) "")
)
(assert_trap (invoke "p" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "" (v128.const i32x4 0 0 0 0)) "out of bounds memory access")
(assert_return (invoke "2" (v128.const i32x4 0 0 0 0)) (f64.const 0x1p-1032) (f32.const 0x1.c7186cp-121) (i32.const -262145) (v128.const i32x4 0x007fffff 0x00000000 0x00000400 0x00000000))
(assert_return (get "C") (v128.const i32x4 0xc07fffff 0x7fffffff 0x7fffffff 0x91509a35))
