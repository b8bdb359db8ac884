;; Found by `wazi-fuzz differential --seed 7071` (run 318203): after calling the
;; two functions wasmi 2.0 leaves global "3" at 2991258381; wazi and
;; wasmtime 48 (`wasmtime wast`) both leave 13, as asserted here.
(module
  (type (;0;) (func (param f64)))
  (type (;1;) (func (param externref) (result f64 externref v128)))
  (global (;0;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (export "+]I\u{154}" (func 0))
  (export "" (func 1))
  (export "\u{1f}e" (global 0))
  (export "3" (global 1))
  (export "\u{17}" (global 2))
  (export "n" (global 3))
  (export "6" (global 4))
  (elem (;0;) funcref)
  (func (;0;) (type 0) (param f64)
    (local f32 v128 f64 f64 f64)
    elem.drop 0
    br 0
    i32.const -1317193314
    loop (result i64) ;; label = @1
      br 0 (;@1;)
      elem.drop 0
      f32.const -0x1.a2bbe4p-77 (;=-0.000000000000000000000010824019;)
      block ;; label = @2
      end
      f32.nearest
      local.tee 1
      f32.const nan (;=NaN;)
      local.get 1
      local.get 1
      f32.eq
      select
      i32.const -1253454193
      i8x16.splat
      i8x16.extract_lane_s 4
      i64.extend_i32_s
      v128.const i32x4 0x007acb71 0xdbaec1ca 0xf6dd1dfe 0xa5777343
      f32x4.floor
      local.tee 2
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 2
      local.get 2
      f32x4.eq
      v128.bitselect
      global.get 0
      v128.xor
      global.set 0
      f64.const -nan:0xfff8000000000 (;=NaN;)
      f64.neg
      local.tee 0
      f64.nearest
      local.tee 3
      f64.const nan (;=NaN;)
      local.get 3
      local.get 3
      f64.eq
      select
      i64.trunc_sat_f64_u
      i64.le_u
      f32.reinterpret_i32
      i32.trunc_f32_s
      i32.extend16_s
      ref.null func
      loop (result f64) ;; label = @2
        br 2
        i32.const 262144
        if (result i64) ;; label = @3
          local.get 0
          f64.ceil
          local.tee 4
          f64.const nan (;=NaN;)
          local.get 4
          local.get 4
          f64.eq
          select
          i32.trunc_sat_f64_u
          if (result externref) ;; label = @4
            br 4
            block ;; label = @5
              loop (result f32) ;; label = @6
                nop
                local.get 0
                f64.nearest
                local.tee 5
                f64.const nan (;=NaN;)
                local.get 5
                local.get 5
                f64.eq
                select
                i64.trunc_sat_f64_s
                loop (result i64) ;; label = @7
                  i32.const 8388608
                  br_if 2 (;@5;)
                  f64.const 0x1.fffffffff8p-1037 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001358077306213;)
                  f32.const 0x1p-63 (;=0.00000000000000000010842022;)
                  i64.trunc_sat_f32_s
                  i64.ctz
                  local.get 0
                  return_call 0
                  f64.const -nan:0xffffffffe0000 (;=NaN;)
                  i64.trunc_sat_f64_u
                  v128.const i32x4 0x86872796 0xace53d7f 0x3d6ba8e9 0xb1e8ad07
                  i16x8.bitmask
                  br_if 5 (;@2;)
                  i64.clz
                  loop ;; label = @8
                    br 3 (;@5;)
                    v128.const i32x4 0x097bee3e 0xb0d70573 0x320426fb 0xf8621418
                    i32x4.all_true
                    block ;; label = @9
                      loop ;; label = @10
                        br 4 (;@6;)
                        local.get 0
                        i64.reinterpret_f64
                        f32.const 0x1.fffffep-126 (;=0.000000000000000000000000000000000000023509886;)
                        i32.trunc_sat_f32_s
                        global.get 1
                        i32.xor
                        global.set 1
                        global.get 2
                        i64.xor
                        global.set 2
                      end
                    end
                    global.get 1
                    i32.xor
                    global.set 1
                  end
                  global.get 2
                  i64.xor
                  global.set 2
                  global.get 2
                  i64.xor
                  global.set 2
                  i64.reinterpret_f64
                  global.get 3
                  i64.xor
                  global.set 3
                  i64.const 2251799813685247
                end
                global.get 2
                i64.xor
                global.set 2
                global.get 2
                i64.xor
                global.set 2
                f32.const -0x1.fffffep+124 (;=-42535293000000000000000000000000000000;)
              end
              i32.reinterpret_f32
              global.get 4
              i32.xor
              global.set 4
            end
            ref.null extern
          else
            ref.null extern
          end
          drop
          i64.const 6334508558700013267
        else
          i64.const -1954835456116647267
        end
        global.get 2
        i64.xor
        global.set 2
        f64.const 0x1.812db807a0a3p+377 (;=463159459325466400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      end
      i64.reinterpret_f64
      global.get 3
      i64.xor
      global.set 3
      drop
      global.get 1
      i32.xor
      global.set 1
      i32.reinterpret_f32
      global.get 4
      i32.xor
      global.set 4
      i64.const 2143289344
    end
    global.get 2
    i64.xor
    global.set 2
    global.get 1
    i32.xor
    global.set 1
  )
  (func (;1;) (type 0) (param f64)
    (local f64 funcref externref i32 i64 f32 f32 v128 f32 v128)
    loop (result f64) ;; label = @1
      f64.const 0x1.4a3cc2cd97584p-257 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000005570283976260798;)
      i64.trunc_f64_u
      ref.null func
      i64.const -17179869185
      local.get 2
      block ;; label = @2
        block (result f32) ;; label = @3
          i64.const 144115188075855872
          f32.convert_i64_s
          f32.sqrt
          local.tee 6
          f32.const nan (;=NaN;)
          local.get 6
          local.get 6
          f32.eq
          select
          f32.nearest
          local.tee 7
          f32.const nan (;=NaN;)
          local.get 7
          local.get 7
          f32.eq
          select
          f32.abs
          f32x4.splat
          i64x2.neg
          i8x16.extract_lane_s 0
          local.tee 4
          v128.const i32x4 0x1e0ed782 0xf1213b8a 0xe5e6afbc 0xab41a632
          i64x2.extend_high_i32x4_u
          i16x8.abs
          i8x16.all_true
          i32.eqz
          i64.extend_i32_s
          ref.null extern
          elem.drop 0
          v128.const i32x4 0xdd860864 0x26f71196 0x4a8959be 0x36ddde20
          f64x2.ceil
          local.tee 8
          v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
          local.get 8
          local.get 8
          f64x2.eq
          v128.bitselect
          i32x4.bitmask
          f32.reinterpret_i32
          f32x4.splat
          i16x8.extadd_pairwise_i8x16_s
          i16x8.extract_lane_u 2
          i32.extend8_s
          f32.convert_i32_s
          v128.const i32x4 0x04d33901 0x771933da 0xc1470b4b 0x67d8a3da
          f32x4.extract_lane 3
          f32.mul
          local.tee 9
          f32.const nan (;=NaN;)
          local.get 9
          local.get 9
          f32.eq
          select
          i32.trunc_sat_f32_u
          if (type 1) (param externref) (result f64 externref v128) ;; label = @4
            local.set 3
            loop ;; label = @5
              loop (result funcref) ;; label = @6
                br 5 (;@1;)
                block (result externref) ;; label = @7
                  block (result f32) ;; label = @8
                    br 7 (;@1;)
                    local.get 1
                    local.set 1
                    br 8
                    i64.const 34359738368
                    local.get 3
                    loop (result externref) ;; label = @9
                      block (result i64) ;; label = @10
                        f64.const 0x1.ffffffcp-1048 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000066312368;)
                        i64.reinterpret_f64
                        i32.wrap_i64
                        elem.drop 0
                        if (result i64) ;; label = @11
                          i64.const 18014398509481984
                          f32.convert_i64_s
                          f32.neg
                          f32.neg
                          f32x4.splat
                          f64x2.nearest
                          local.tee 10
                          v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
                          local.get 10
                          local.get 10
                          f64x2.eq
                          v128.bitselect
                          block (result i32) ;; label = @12
                            i32.const -433832251
                            i32.clz
                            f64.convert_i32_u
                            f32.const -0x1.499e7ep-68 (;=-0.0000000000000000000043624726;)
                            elem.drop 0
                            i32.reinterpret_f32
                            global.get 4
                            i32.xor
                            global.set 4
                            i64.reinterpret_f64
                            global.get 3
                            i64.xor
                            global.set 3
                            i32.const 7
                          end
                          global.get 1
                          i32.xor
                          global.set 1
                          global.get 0
                          v128.xor
                          global.set 0
                          i64.const -1901401642775913512
                        else
                          i64.const 144115188075855871
                        end
                      end
                      global.get 2
                      i64.xor
                      global.set 2
                      ref.null extern
                    end
                    drop
                    drop
                    global.get 2
                    i64.xor
                    global.set 2
                    f32.const 0x1.p-144 (;=0.000000000000000000000000000000000000000000045;)
                  end
                  i32.reinterpret_f32
                  global.get 4
                  i32.xor
                  global.set 4
                  ref.null extern
                end
                drop
                ref.null func
              end
              drop
            end
            f64.const 0x1.p-1037 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000067903865311;)
            ref.null extern
            v128.const i32x4 0xffffffbf 0xffffffff 0x80000000 0x00000000
          else
            drop
            f64.const 0x1p-1015 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002848094538889218;)
            ref.null extern
            v128.const i32x4 0x38a7d658 0x8e4edbfa 0x229f8af9 0xe3178e08
          end
          global.get 0
          v128.xor
          global.set 0
          drop
          i64.reinterpret_f64
          global.get 3
          i64.xor
          global.set 3
          global.get 2
          i64.xor
          global.set 2
          global.get 1
          i32.xor
          global.set 1
          f32.const 0x1.cp-147 (;=0.00000000000000000000000000000000000000000001;)
        end
        i32.reinterpret_f32
        global.get 4
        i32.xor
        global.set 4
      end
      drop
      global.get 2
      i64.xor
      global.set 2
      drop
      global.get 2
      i64.xor
      global.set 2
      f64.const 0x1.p-1066 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001265;)
    end
    i64.reinterpret_f64
    global.get 3
    i64.xor
    global.set 3
  )
)

(invoke "+]I\u{154}" (f64.const 0))
(invoke "" (f64.const 0))
(assert_return (get "3") (i32.const 13))
