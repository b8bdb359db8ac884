;; Found by `wazi-fuzz differential --seed 3032` (run 14648): wasmi 2.0 leaves
;; global "6" at 3345276708653147609 after calling "1"; wazi and wasmtime 48
;; (`wasmtime wast`) both leave it at 0, which this script asserts.
(module
  (type (;0;) (func (param f64 i32) (result f64)))
  (type (;1;) (func (param f32 i32) (result i64)))
  (type (;2;) (func (param i32)))
  (type (;3;) (func (param i64 f32 f32 i32 i32 v128 v128)))
  (table (;0;) i64 1 funcref)
  (global (;0;) (mut f32) f32.const -0x1.926bb8p+83 (;=-15203027000000000000000000;))
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (func 2))
  (export "3" (func 3))
  (export "4" (table 0))
  (export "5" (global 0))
  (export "6" (global 1))
  (export "9\u{1f}" (global 2))
  (export "L6" (global 3))
  (export "-\u{1b}" (global 4))
  (export "z\u{14}" (global 5))
  (func (;0;) (type 3) (param i64 f32 f32 i32 i32 v128 v128)
    (local v128 v128 v128 f32 f64)
    i64.const -7136724002060520313
    v128.const i32x4 0x4dde3430 0x1d5b0f21 0x23aee96b 0x95b844ff
    f32x4.sqrt
    local.tee 7
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 7
    local.get 7
    f32x4.eq
    v128.bitselect
    f32x4.convert_i32x4_u
    f32x4.neg
    i64x2.all_true
    f64.convert_i32_u
    i64.trunc_f64_u
    i64.le_s
    i64.extend_i32_u
    loop (result i32) ;; label = @1
      global.get 0
      i64.trunc_sat_f32_s
      local.get 5
      i16x8.bitmask
      i32x4.splat
      i16x8.extend_high_i8x16_s
      i32x4.trunc_sat_f64x2_u_zero
      f32x4.sqrt
      local.tee 8
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 8
      local.get 8
      f32x4.eq
      v128.bitselect
      f32x4.neg
      f32x4.trunc
      local.tee 9
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 9
      local.get 9
      f32x4.eq
      v128.bitselect
      i32x4.bitmask
      i32.extend8_s
      br 1
      local.set 4
      table.get 0
      ref.is_null
      f32.convert_i32_u
      f32.ceil
      local.tee 10
      f32.const nan (;=NaN;)
      local.get 10
      local.get 10
      f32.eq
      select
      i32.reinterpret_f32
      local.set 4
      f32.const 0x1.p-133 (;=0.000000000000000000000000000000000000000091835;)
      i32.trunc_f32_u
      i16x8.splat
      i8x16.abs
      f64x2.promote_low_f32x4
      i8x16.abs
      i16x8.all_true
      f64.const -nan:0xffffffffe0000 (;=NaN;)
      f64.sqrt
      local.tee 11
      f64.const nan (;=NaN;)
      local.get 11
      local.get 11
      f64.eq
      select
      i32.trunc_sat_f64_s
      i32.eq
      i32.ctz
      i64.extend_i32_s
      f64.reinterpret_i64
      f64.neg
      data.drop 0
      i32.trunc_sat_f64_s
      f32.convert_i32_u
      data.drop 0
      ref.null extern
      table.size 0
      i64.eqz
      i64.extend_i32_u
      table.size 0
      i64.and
      f32.convert_i64_s
      f32.const 0x1.fffcp-135 (;=0.000000000000000000000000000000000000000045916;)
      f32.gt
      i32.popcnt
      i32.const 440859078
      br 1
      i32.const -1693459910
      i32.rem_u
      f64.convert_i32_u
      table.size 0
      f64.const 0x1.fffffffffffffp-896 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000037857669957336787;)
      loop (result f32) ;; label = @2
        block (result f64) ;; label = @3
          f64.const 0x1p-959 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020522684006491881;)
        end
        i64.reinterpret_f64
        global.get 1
        i64.xor
        global.set 1
        f32.const -nan:0x7ffc00 (;=NaN;)
      end
      i32.reinterpret_f32
      global.get 2
      i32.xor
      global.set 2
      i64.reinterpret_f64
      global.get 1
      i64.xor
      global.set 1
      global.get 3
      i64.xor
      global.set 3
      i64.reinterpret_f64
      global.get 1
      i64.xor
      global.set 1
      global.get 4
      i32.xor
      global.set 4
      drop
      i32.reinterpret_f32
      global.get 2
      i32.xor
      global.set 2
      i32.const -257
    end
    global.get 4
    i32.xor
    global.set 4
    global.get 3
    i64.xor
    global.set 3
  )
  (func (;1;) (type 0) (param f64 i32) (result f64)
    (local f32 f64 v128 v128)
    global.get 0
    f32.trunc
    local.tee 2
    f32.const nan (;=NaN;)
    local.get 2
    local.get 2
    f32.eq
    select
    local.get 0
    f64.const -nan:0xffffffff80000 (;=NaN;)
    i64.trunc_sat_f64_s
    ref.null extern
    ref.is_null
    i32.popcnt
    loop (type 2) (param i32) ;; label = @1
      local.get 1
      if (type 2) (param i32) ;; label = @2
        data.drop 0
        global.get 0
        i64.trunc_f32_s
        f64.reinterpret_i64
        loop (result v128) ;; label = @3
          block (result externref) ;; label = @4
            loop (result i32) ;; label = @5
              ref.null func
              data.drop 0
              table.size 0
              i64.eqz
              i8x16.splat
              i16x8.extend_low_i8x16_s
              i32x4.extend_low_i16x8_s
              f32x4.convert_i32x4_s
              f64x2.convert_low_i32x4_u
              i64x2.extend_high_i32x4_s
              i16x8.bitmask
              i32.extend8_s
              local.set 1
              ref.is_null
              local.set 1
              f64.const -nan:0xbffffffffffff (;=NaN;)
              local.set 0
              i64.const 131071
              local.get 1
              table.size 0
              table.get 0
              global.get 0
              f64.promote_f32
              f64.sqrt
              local.tee 3
              f64.const nan (;=NaN;)
              local.get 3
              local.get 3
              f64.eq
              select
              table.size 0
              ref.null func
              i64.const -536870913
              block (result i64) ;; label = @6
                i64.const 137438953472
                data.drop 0
                i32.const -428336120
                br_if 3 (;@3;)
                global.get 0
                i64.trunc_sat_f32_u
                i32.wrap_i64
                i32.ctz
                local.get 0
                i32.trunc_f64_u
                f64.convert_i32_u
                i32.const 16
                i32.popcnt
                call 3
                table.size 0
                block (result f64) ;; label = @7
                  block ;; label = @8
                    f32.const 0x1.d448c8p+44 (;=32180252000000;)
                    i32.const 1792272013
                    i16x8.splat
                    i64x2.extend_low_i32x4_u
                    f64x2.ceil
                    local.tee 4
                    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
                    local.get 4
                    local.get 4
                    f64x2.eq
                    v128.bitselect
                    f32x4.nearest
                    local.tee 5
                    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
                    local.get 5
                    local.get 5
                    f32x4.eq
                    v128.bitselect
                    i64x2.bitmask
                    br 3 (;@5;)
                    i32.ctz
                    i32.popcnt
                    i32.const -1565831849
                    i32.const -1121758230
                    i32.const -8193
                    global.get 4
                    i32.xor
                    global.set 4
                    global.get 4
                    i32.xor
                    global.set 4
                    global.get 4
                    i32.xor
                    global.set 4
                    global.get 4
                    i32.xor
                    global.set 4
                    i32.reinterpret_f32
                    global.get 2
                    i32.xor
                    global.set 2
                  end
                  f64.const -0x1.329ceb38e2e5cp+722 (;=-26424538904998220000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                end
                i64.reinterpret_f64
                global.get 1
                i64.xor
                global.set 1
                global.get 3
                i64.xor
                global.set 3
                i64.reinterpret_f64
                global.get 1
                i64.xor
                global.set 1
                global.get 4
                i32.xor
                global.set 4
              end
              global.get 3
              i64.xor
              global.set 3
              global.get 3
              i64.xor
              global.set 3
              drop
              global.get 3
              i64.xor
              global.set 3
              i64.reinterpret_f64
              global.get 1
              i64.xor
              global.set 1
              drop
              global.get 4
              i32.xor
              global.set 4
              global.get 3
              i64.xor
              global.set 3
              i32.const -1436620963
            end
            global.get 4
            i32.xor
            global.set 4
            ref.null extern
          end
          drop
          v128.const i32x4 0xffffffff 0x000007ff 0x00000000 0x00000002
        end
        global.get 5
        v128.xor
        global.set 5
        i64.reinterpret_f64
        global.get 1
        i64.xor
        global.set 1
        global.get 4
        i32.xor
        global.set 4
      else
        global.get 4
        i32.xor
        global.set 4
      end
    end
    global.get 3
    i64.xor
    global.set 3
    i64.reinterpret_f64
    global.get 1
    i64.xor
    global.set 1
    i32.reinterpret_f32
    global.get 2
    i32.xor
    global.set 2
    f64.const 0x1.9557dc04a068bp-524 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000028831364687254607;)
  )
  (func (;2;) (type 0) (param f64 i32) (result f64)
    (local f32 f32 f32 f32 f32 f64 v128)
    local.get 2
    local.tee 2
    block (result f64) ;; label = @1
      i32.const -243315373
      nop
      i32.const 8388608
      i32.extend8_s
      if ;; label = @2
        i64.const 2097151
        i64.clz
        i64.extend8_s
        i64.extend8_s
        ref.null func
        local.get 2
        f32.abs
        i32.reinterpret_f32
        local.set 1
        v128.const i32x4 0xe4bb4711 0x52db0571 0xccefea30 0x877dfaff
        data.drop 1
        f32x4.extract_lane 0
        i32.reinterpret_f32
        i32.eqz
        f32.convert_i32_u
        f32.floor
        local.tee 3
        f32.const nan (;=NaN;)
        local.get 3
        local.get 3
        f32.eq
        select
        data.drop 0
        f32.trunc
        local.tee 4
        f32.const nan (;=NaN;)
        local.get 4
        local.get 4
        f32.eq
        select
        f32.floor
        local.tee 5
        f32.const nan (;=NaN;)
        local.get 5
        local.get 5
        f32.eq
        select
        local.get 1
        i32.ctz
        i32.const 1127299564
        f32.convert_i32_s
        f32.floor
        local.tee 6
        f32.const nan (;=NaN;)
        local.get 6
        local.get 6
        f32.eq
        select
        block ;; label = @3
          i64.const -67108864
          i64.popcnt
          ref.null extern
          v128.const i32x4 0xf1ea4c0c 0xbea5c870 0x3ec1d2d5 0xe610a5d0
          i16x8.abs
          i8x16.all_true
          i32.ctz
          local.get 1
          i32.ne
          global.get 0
          i32.const 1188297784
          br 1 (;@2;)
          f32.convert_i32_u
          local.get 1
          ref.null func
          block (result i32) ;; label = @4
            f64.const 0x1.00a16a13b033fp+198 (;=402723978230370950000000000000000000000000000000000000000000;)
            local.set 0
            data.drop 1
            v128.const i32x4 0x0db0f963 0xc876e31f 0xe47428fb 0x20893337
            loop (result funcref) ;; label = @5
              f64.const 0x1.749a6939866d7p-820 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020816616119794936;)
              data.drop 1
              f64.sqrt
              local.tee 7
              f64.const nan (;=NaN;)
              local.get 7
              local.get 7
              f64.eq
              select
              local.tee 0
              f64.const 0x1.p-1030 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008691694759794;)
              f64.copysign
              v128.const i32x4 0x5980b3e2 0x4095fcef 0xa17743c6 0x0925f42c
              i32x4.extadd_pairwise_i16x8_u
              i64x2.extend_high_i32x4_u
              i32x4.extend_high_i16x8_u
              f32x4.floor
              local.tee 8
              v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
              local.get 8
              local.get 8
              f32x4.eq
              v128.bitselect
              global.get 5
              v128.xor
              global.set 5
              i64.reinterpret_f64
              global.get 1
              i64.xor
              global.set 1
              ref.null func
            end
            drop
            global.get 5
            v128.xor
            global.set 5
            i32.const 8388608
          end
          global.get 4
          i32.xor
          global.set 4
          drop
          global.get 4
          i32.xor
          global.set 4
          i32.reinterpret_f32
          global.get 2
          i32.xor
          global.set 2
          i32.reinterpret_f32
          global.get 2
          i32.xor
          global.set 2
          global.get 4
          i32.xor
          global.set 4
          drop
          global.get 3
          i64.xor
          global.set 3
        end
        i32.reinterpret_f32
        global.get 2
        i32.xor
        global.set 2
        global.get 4
        i32.xor
        global.set 4
        i32.reinterpret_f32
        global.get 2
        i32.xor
        global.set 2
        drop
        global.get 3
        i64.xor
        global.set 3
      end
      global.get 4
      i32.xor
      global.set 4
      f64.const -nan:0xff00000000000 (;=NaN;)
    end
    i64.reinterpret_f64
    global.get 1
    i64.xor
    global.set 1
    i32.reinterpret_f32
    global.get 2
    i32.xor
    global.set 2
    f64.const 0x1.ffffcp-1056 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000259032;)
  )
  (func (;3;) (type 0) (param f64 i32) (result f64)
    (local v128 v128 f32 f32 f32)
    block (result externref) ;; label = @1
      i64.const 7022600534862372623
      f64.reinterpret_i64
      i64.trunc_sat_f64_u
      table.get 0
      v128.const i32x4 0xc7c89543 0x48c18a36 0xd3e21850 0x7f0d6dc6
      v128.const i32x4 0x1418225e 0x44082038 0xf53165e8 0x43095d9c
      i16x8.le_s
      f64x2.trunc
      local.tee 2
      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
      local.get 2
      local.get 2
      f64x2.eq
      v128.bitselect
      i16x8.extend_high_i8x16_s
      f32x4.abs
      f32.const 0x1.fcp-143 (;=0.000000000000000000000000000000000000000000178;)
      i64.const 35184372088832
      i64.clz
      f64.reinterpret_i64
      i32.trunc_f64_u
      i32.clz
      f64.const 0x1.fbc935b2986d5p-691 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000019306952714338232;)
      f32.const -0x1.f646d6p-118 (;=-0.0000000000000000000000000000000000059042343;)
      v128.const i32x4 0xee2458b9 0x7c50129d 0xc03ce390 0xb37b1519
      i16x8.all_true
      f64.const 0x1.p-1060 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008095;)
      local.get 1
      i32.popcnt
      i32.clz
      block ;; label = @2
        v128.const i32x4 0x69befd19 0xa386ed39 0x65a0e3b2 0xc2c5c6f3
        i16x8.abs
        f32x4.trunc
        local.tee 3
        v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
        local.get 3
        local.get 3
        f32x4.eq
        v128.bitselect
        i32x4.extract_lane 3
        f32.convert_i32_u
        ref.null extern
        f32.const -nan:0x7f0000 (;=NaN;)
        f32.ceil
        local.tee 4
        f32.const nan (;=NaN;)
        local.get 4
        local.get 4
        f32.eq
        select
        f32.floor
        local.tee 5
        f32.const nan (;=NaN;)
        local.get 5
        local.get 5
        f32.eq
        select
        f32.ceil
        local.tee 6
        f32.const nan (;=NaN;)
        local.get 6
        local.get 6
        f32.eq
        select
        i64.trunc_f32_u
        block ;; label = @3
          data.drop 1
          data.drop 1
          block (result f32) ;; label = @4
            table.size 0
            i64.eqz
            i32.popcnt
            global.get 4
            i32.xor
            global.set 4
            f32.const 0x1.fffcp-135 (;=0.000000000000000000000000000000000000000045916;)
          end
          i32.reinterpret_f32
          global.get 2
          i32.xor
          global.set 2
        end
        global.get 3
        i64.xor
        global.set 3
        drop
        i32.reinterpret_f32
        global.get 2
        i32.xor
        global.set 2
      end
      global.get 4
      i32.xor
      global.set 4
      i64.reinterpret_f64
      global.get 1
      i64.xor
      global.set 1
      global.get 4
      i32.xor
      global.set 4
      i32.reinterpret_f32
      global.get 2
      i32.xor
      global.set 2
      i64.reinterpret_f64
      global.get 1
      i64.xor
      global.set 1
      global.get 4
      i32.xor
      global.set 4
      i32.reinterpret_f32
      global.get 2
      i32.xor
      global.set 2
      global.get 5
      v128.xor
      global.set 5
      drop
      ref.null extern
    end
    drop
    f64.const 0x1.ffffep-1055 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000518065;)
  )
  (data (;0;) "")
  (data (;1;) "\9e\5c")
)

(invoke "" (i64.const 0) (f32.const 0) (f32.const 0) (i32.const 0) (i32.const 0) (v128.const i64x2 0 0) (v128.const i64x2 0 0))
(assert_return (get "6") (i64.const 0))
(invoke "1" (f64.const 0) (i32.const 0))
(assert_return (get "6") (i64.const 0))
