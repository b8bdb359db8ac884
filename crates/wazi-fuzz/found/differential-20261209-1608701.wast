;; Found by `wazi-fuzz differential --seed 20261209` (run 1608701): wasmi 2.0
;; traps "integer overflow" in ""; wazi and wasmtime 48 (`wasmtime wast`) both
;; return (1780932943, 2858157215), as asserted here. wasmi's `select` whose
;; condition is `ref.is_null` (of the null externref param) picks the wrong f64
;; (the huge one from the v128 lane), so `i32.trunc_f64_u` overflows. (The
;; fuzzer's later calls, "1" and "2", hit its fuel limit and are left out.)
(module
  (type (;0;) (func (param externref i32) (result i32 i32)))
  (global (;0;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (func 2))
  (export "`" (global 0))
  (export "4" (global 2))
  (export "8" (global 3))
  (export "6" (global 4))
  (func (;0;) (type 0) (param externref i32) (result i32 i32)
    (local f64 v128 f64)
    i64.const -5274555837268296734
    v128.const i32x4 0xcfc06678 0x78c18872 0x5eb509f2 0x953961e4
    i16x8.extract_lane_s 7
    i32.popcnt
    i32.extend16_s
    f64.convert_i32_s
    f64.floor
    local.tee 2
    f64.const nan (;=NaN;)
    local.get 2
    local.get 2
    f64.eq
    select
    i64.reinterpret_f64
    i64.shr_u
    f64.const -0x1.cc1f8f53f09f2p-548 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001950727554609623;)
    v128.const i32x4 0x82303c1a 0x598e3ab3 0x316f132b 0x0c18d763
    f32x4.floor
    local.tee 3
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 3
    local.get 3
    f32x4.eq
    v128.bitselect
    i64x2.extract_lane 0
    f64.reinterpret_i64
    local.get 0
    ref.is_null
    select
    f64.ceil
    local.tee 4
    f64.const nan (;=NaN;)
    local.get 4
    local.get 4
    f64.eq
    select
    i32.trunc_f64_u
    i32.const -1023070921
    i16x8.splat
    i16x8.extend_high_i8x16_u
    f32x4.demote_f64x2_zero
    f32x4.convert_i32x4_u
    i64x2.bitmask
    i32.gt_s
    i64.const -72057594037927936
    i64x2.splat
    i16x8.extend_high_i8x16_s
    f64x2.promote_low_f32x4
    f64x2.abs
    i8x16.bitmask
    i32.rotl
    ref.null func
    f32.const -0x1.fffffep+0 (;=-1.9999999;)
    i64.trunc_f32_s
    v128.const i32x4 0x6779d4ad 0xc2edfeef 0x7ee57b27 0xdfa24c1c
    global.get 0
    v128.xor
    global.set 0
    global.get 1
    i64.xor
    global.set 1
    drop
    global.get 2
    i32.xor
    global.set 2
    global.get 1
    i64.xor
    global.set 1
    i32.const 1780932943
    i32.const -1436810081
  )
  (func (;1;) (type 0) (param externref i32) (result i32 i32)
    (local v128 v128)
    data.drop 0
    local.get 1
    v128.const i32x4 0x957d923a 0x42ffda34 0x0cf1de4e 0xda893988
    i16x8.bitmask
    i32.const -16777216
    i32x4.splat
    f32x4.ceil
    local.tee 3
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 3
    local.get 3
    f32x4.eq
    v128.bitselect
    i64x2.abs
    i16x8.neg
    i8x16.extract_lane_s 1
    i32.ctz
    i32.ge_s
    f32.const 0x1.p-149 (;=0.000000000000000000000000000000000000000000001;)
    i32.const 32768
    f32.const 0x1.fffffp-129 (;=0.000000000000000000000000000000000000002938734;)
    i32.trunc_sat_f32_s
    i32.eq
    f32.reinterpret_i32
    block (result f64) ;; label = @1
      i32.const -513
      local.get 1
      f32.reinterpret_i32
      i64.trunc_sat_f32_u
      i64.ctz
      f32.convert_i64_s
      v128.const i32x4 0x931b3353 0xa90b47e2 0x6c4ec9ea 0x12db8a46
      i64x2.extend_high_i32x4_u
      f64x2.neg
      i64x2.extend_low_i32x4_s
      i32x4.extract_lane 0
      f32.convert_i32_s
      f64.const 0x1.ffp-1043 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002117851268;)
      i32.trunc_f64_s
      data.drop 1
      i32.ctz
      if ;; label = @2
        i64.const 8870180207056456519
        local.get 2
        i32x4.trunc_sat_f32x4_u
        block ;; label = @3
          br 1 (;@2;)
          v128.const i32x4 0xfbe6b37d 0x3e1e2808 0x111ffc76 0xa380b51b
          i32x4.extadd_pairwise_i16x8_u
          i64.const 9007199254740991
          i32.wrap_i64
          i64.extend_i32_u
          loop (result i64) ;; label = @4
            br 0 (;@4;)
            local.get 0
            br 0 (;@4;)
            ref.null extern
            loop ;; label = @5
              f32.const -0x1.8a3fa8p+75 (;=-58180833000000000000000;)
              i64.trunc_sat_f32_s
              f64.const 0x1.fffffffffffffp-768 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000012882297539194265;)
              loop ;; label = @6
                f64.const -nan:0xffffffffffffe (;=NaN;)
                i64.trunc_f64_u
                f64.reinterpret_i64
                f32.const 0x1.fffep-134 (;=0.000000000000000000000000000000000000000091834;)
                f32.abs
                i64.trunc_sat_f32_u
                i64.clz
                i64.ctz
                f32.convert_i64_u
                i32.const 1570272870
                if (result funcref) ;; label = @7
                  block (result f64) ;; label = @8
                    loop ;; label = @9
                      local.get 1
                      f64.convert_i32_u
                      nop
                      i64.reinterpret_f64
                      global.get 3
                      i64.xor
                      global.set 3
                    end
                    f64.const -nan:0xffffffff80000 (;=NaN;)
                  end
                  i64.reinterpret_f64
                  global.get 3
                  i64.xor
                  global.set 3
                  ref.null func
                else
                  ref.null func
                end
                drop
                i32.reinterpret_f32
                global.get 4
                i32.xor
                global.set 4
                i64.reinterpret_f64
                global.get 3
                i64.xor
                global.set 3
              end
              drop
              global.get 1
              i64.xor
              global.set 1
            end
            drop
            drop
            i64.const 137438953472
          end
          global.get 1
          i64.xor
          global.set 1
          global.get 1
          i64.xor
          global.set 1
          global.get 0
          v128.xor
          global.set 0
        end
        global.get 0
        v128.xor
        global.set 0
        global.get 1
        i64.xor
        global.set 1
      end
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      global.get 2
      i32.xor
      global.set 2
      f64.const -nan:0xfffbfffffffff (;=NaN;)
    end
    i64.reinterpret_f64
    global.get 3
    i64.xor
    global.set 3
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
  )
  (func (;2;) (type 0) (param externref i32) (result i32 i32)
    (local i64 f64 f64)
    f32.const -0x1.10a1fep-84 (;=-0.00000000000000000000000005505775;)
    i64.trunc_f32_u
    i64.clz
    loop ;; label = @1
      data.drop 3
      data.drop 3
      i64.const -4056534936739816470
      i32.wrap_i64
      f32.convert_i32_s
      br 0 (;@1;)
      ref.null func
      nop
      i64.const 6369833725435157759
      v128.const i32x4 0x3c918e64 0xf4a9ea34 0xcf98812f 0x1d86bf80
      i64.const -6350933400014409708
      i64.ctz
      i32.wrap_i64
      i32.const -1964245424
      local.set 1
      i32.eqz
      i16x8.shl
      i64.const -4850376798678024192
      i64x2.replace_lane 1
      local.get 2
      f32.convert_i64_s
      i64.trunc_sat_f32_u
      f64.const 0x1.fa22a581cc301p-433 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008913300996543193;)
      i32.const -1396216039
      local.set 1
      f64.trunc
      local.tee 3
      f64.const nan (;=NaN;)
      local.get 3
      local.get 3
      f64.eq
      select
      data.drop 0
      i64.trunc_f64_s
      i64.rotr
      i64.extend8_s
      i64.ctz
      local.get 1
      f64.const 0x1.d331bda18ddd2p+534 (;=102630218752904240000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      f64x2.splat
      i64x2.bitmask
      i32.shr_u
      ref.null func
      ref.is_null
      br_table 0 (;@1;) 0 (;@1;)
      f64.const 0x1.p-1038 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000339519326554;)
      br 0 (;@1;)
      local.get 0
      i32.const -32769
      data.drop 2
      f32.reinterpret_i32
      i32.trunc_f32_u
      i32.ctz
      br 0 (;@1;)
      br_table 0 (;@1;) 0 (;@1;)
      ref.is_null
      i32.extend8_s
      block ;; label = @2
        i32.const 385314220
        local.tee 1
        f32.convert_i32_u
        i64.trunc_f32_u
        i64.extend16_s
        local.get 0
        data.drop 3
        block ;; label = @3
          i32.const -1048577
          local.tee 1
          local.tee 1
          i64.const 5329566282855828458
          v128.const i32x4 0xa97d6fca 0xb5d22c6a 0x8be08986 0x22b107aa
          i32x4.all_true
          f64.convert_i32_u
          f64.sqrt
          local.tee 4
          f64.const nan (;=NaN;)
          local.get 4
          local.get 4
          f64.eq
          select
          i64.trunc_sat_f64_u
          i64.or
          ref.null extern
          v128.const i32x4 0x43d04af9 0x4e70eb71 0xd71b2198 0x37e4afba
          i64x2.extend_low_i32x4_u
          i32x4.extend_low_i16x8_s
          global.get 0
          v128.xor
          global.set 0
          drop
          global.get 1
          i64.xor
          global.set 1
          global.get 2
          i32.xor
          global.set 2
        end
        drop
        global.get 1
        i64.xor
        global.set 1
      end
      global.get 2
      i32.xor
      global.set 2
      i64.reinterpret_f64
      global.get 3
      i64.xor
      global.set 3
      global.get 2
      i32.xor
      global.set 2
      global.get 1
      i64.xor
      global.set 1
      global.get 0
      v128.xor
      global.set 0
      global.get 1
      i64.xor
      global.set 1
      drop
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
    end
    global.get 1
    i64.xor
    global.set 1
    i32.const -2129533245
    i32.const 385070150
  )
  (data (;0;) "$")
  (data (;1;) "\c8\8d")
  (data (;2;) "V")
  (data (;3;) "")
)

(assert_return (invoke "" (ref.null extern) (i32.const 0)) (i32.const 1780932943) (i32.const 2858157215))
