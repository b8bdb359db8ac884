;; Found by `wazi-fuzz differential --seed 20261209` (run 1373918): wasmi 2.0
;; leaves global "jZb" at 3039902922 (0xb5313cca) after calling "" then "1";
;; wazi and wasmtime 48 (`wasmtime wast`) both leave 4044389578 (0xf1107cca),
;; as asserted here. The difference is 0x44214000, the bits of 645.0: in "1",
;; `f32.convert_i64_u (table.size) local.tee 0` is held below a
;; `loop (param f32)` whose parameter is `local.get 1`, and wasmi reads that
;; held value back as 0 after the loop (see wasmi-reduced-loop-param-tee.wast).
(module
  (type (;0;) (func (param f32) (result f64 f64)))
  (type (;1;) (func (result f32 i64 externref v128)))
  (type (;2;) (func (result v128 f64)))
  (table (;0;) 645 externref)
  (global (;0;) (mut i32) i32.const 0)
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i64) i64.const 0)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (table 0))
  (export "jZb" (global 0))
  (export "S=3" (global 1))
  (export "6" (global 2))
  (export "66" (global 3))
  (export "d\u{61d}\u{16}\u{22}.B" (global 4))
  (elem (;0;) declare func)
  (elem (;1;) funcref)
  (func (;0;) (type 0) (param f32) (result f64 f64)
    (local i32 i32 v128 v128 v128)
    table.size 0
    i32.ctz
    nop
    loop (type 2) (result v128 f64) ;; label = @1
      v128.const i32x4 0x6abd2705 0x9a99de02 0x8b0dbaf9 0xafa8c988
      i32x4.extend_high_i16x8_u
      f32x4.trunc
      local.tee 3
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 3
      local.get 3
      f32x4.eq
      v128.bitselect
      i32x4.extend_high_i16x8_s
      i8x16.bitmask
      local.tee 1
      i64.const -70368744177664
      i64.ctz
      loop (type 1) (result f32 i64 externref v128) ;; label = @2
        block ;; label = @3
          ref.null extern
          ref.null extern
          v128.const i32x4 0x837361a2 0x8fb687f0 0xe986fbfe 0x5c3a81ec
          i16x8.extadd_pairwise_i8x16_u
          i32x4.bitmask
          local.get 1
          i64.extend_i32_u
          f32.convert_i64_u
          i32.const 262144
          f64.const -0x1.fffffffffffffp+0 (;=-1.9999999999999998;)
          f32.const 0x1.fffffep-96 (;=0.000000000000000000000000000025243547;)
          i32.trunc_sat_f32_s
          i16x8.splat
          v128.not
          local.get 2
          br_table 0 (;@3;) 1 (;@2;) 2 (;@1;) 0 (;@3;)
          local.get 0
          local.set 0
          i64x2.all_true
          i64.extend_i32_u
          f32.const -nan:0x7ff7ff (;=NaN;)
          i64.trunc_sat_f32_u
          i64.gt_s
          i64.extend_i32_u
          i64.extend8_s
          i64.clz
          i32.wrap_i64
          v128.const i32x4 0x47b8e7be 0x36289509 0x12f9c024 0xad715fde
          f64x2.sqrt
          local.tee 4
          v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
          local.get 4
          local.get 4
          f64x2.eq
          v128.bitselect
          f64x2.ceil
          local.tee 5
          v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
          local.get 5
          local.get 5
          f64x2.eq
          v128.bitselect
          i32x4.trunc_sat_f32x4_s
          f64x2.promote_low_f32x4
          f64x2.promote_low_f32x4
          f64x2.neg
          i64x2.extend_low_i32x4_s
          i16x8.extend_low_i8x16_s
          i32x4.extend_low_i16x8_s
          i32x4.extend_low_i16x8_u
          f64.const 0x1.96543e60c3eddp+587 (;=803980269586022700000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
          f32.demote_f64
          i64.const -7461185415204734113
          i64.clz
          i64x2.splat
          i16x8.extract_lane_s 7
          i8x16.splat
          i32.const 1141937421
          local.get 2
          i64.extend_i32_u
          f64.reinterpret_i64
          loop (type 2) (result v128 f64) ;; label = @4
            f32.const -0x1.fffffep+127 (;=-340282350000000000000000000000000000000;)
            f64.promote_f32
            loop ;; label = @5
              table.size 0
              i64.const -8615784843745351754
              f64.reinterpret_i64
              i32.trunc_f64_s
              i32.eqz
              i32.and
              table.get 0
              block (type 2) (result v128 f64) ;; label = @6
                local.get 0
                i64.trunc_f32_u
                i64.popcnt
                f32.convert_i64_s
                elem.drop 0
                i64.trunc_f32_u
                f32.convert_i64_s
                i32.reinterpret_f32
                global.get 0
                i32.xor
                global.set 0
                v128.const i32x4 0xfe0a3485 0x12852f5f 0xa6e7ce7e 0xff5f7757
                f64.const 0x1.ee56d4f0561eap-636 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006771857818530932;)
              end
              i64.reinterpret_f64
              global.get 1
              i64.xor
              global.set 1
              global.get 2
              v128.xor
              global.set 2
              drop
            end
            i64.reinterpret_f64
            global.get 1
            i64.xor
            global.set 1
            v128.const i32x4 0xefffffff 0xffffffff 0x00000000 0x00010000
            f64.const 0x1.f82a9d8e1fad9p-49 (;=0.0000000000000034983576216529448;)
          end
          i64.reinterpret_f64
          global.get 1
          i64.xor
          global.set 1
          global.get 2
          v128.xor
          global.set 2
          i64.reinterpret_f64
          global.get 1
          i64.xor
          global.set 1
          global.get 3
          i32.xor
          global.set 3
          global.get 2
          v128.xor
          global.set 2
          i32.reinterpret_f32
          global.get 0
          i32.xor
          global.set 0
          global.get 2
          v128.xor
          global.set 2
          global.get 3
          i32.xor
          global.set 3
          i64.reinterpret_f64
          global.get 1
          i64.xor
          global.set 1
          global.get 3
          i32.xor
          global.set 3
          i32.reinterpret_f32
          global.get 0
          i32.xor
          global.set 0
          global.get 3
          i32.xor
          global.set 3
          drop
          drop
        end
        f32.const 0x1.p-139 (;=0.000000000000000000000000000000000000000001435;)
        i64.const -6429152570919194096
        ref.null extern
        v128.const i32x4 0xf0000000 0xffffffff 0xffff8000 0xffffffff
      end
      global.get 2
      v128.xor
      global.set 2
      drop
      global.get 4
      i64.xor
      global.set 4
      i32.reinterpret_f32
      global.get 0
      i32.xor
      global.set 0
      global.get 4
      i64.xor
      global.set 4
      global.get 3
      i32.xor
      global.set 3
      v128.const i32x4 0x3fffffff 0x00000000 0x00000000 0xfffffe00
      f64.const 0x1.d927eed9e127ap+663 (;=70737792192374110000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    end
    i64.reinterpret_f64
    global.get 1
    i64.xor
    global.set 1
    global.get 2
    v128.xor
    global.set 2
    global.get 3
    i32.xor
    global.set 3
    f64.const 0x1.fffffffffffffp-960 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002052268400649188;)
    f64.const -nan:0xfff7fffffffff (;=NaN;)
  )
  (func (;1;) (type 0) (param f32) (result f64 f64)
    (local f32 f32 f32 v128)
    i64.const -5978137351499191312
    loop (type 1) (result f32 i64 externref v128) ;; label = @1
      block (type 1) (result f32 i64 externref v128) ;; label = @2
        ref.null func
        i32.const 308862823
        loop (type 2) (result v128 f64) ;; label = @3
          ref.null extern
          ref.is_null
          i32.eqz
          f64.convert_i32_u
          block (type 1) (result f32 i64 externref v128) ;; label = @4
            table.size 0
            local.get 0
            i32.const -21770525
            i16x8.splat
            i8x16.popcnt
            i32x4.trunc_sat_f32x4_s
            i64x2.extend_high_i32x4_u
            i32x4.extend_low_i16x8_s
            i8x16.abs
            i16x8.extadd_pairwise_i8x16_s
            f64.const -0x1.101ae1a064462p-655 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007109669381396846;)
            loop (result f32) ;; label = @5
              elem.drop 1
              f32.const -0x1.96c626p+7 (;=-203.38701;)
              table.size 0
              i64.extend_i32_s
              f32.convert_i64_u
              local.tee 0
              local.get 1
              loop (type 0) (param f32) (result f64 f64) ;; label = @6
                i64.trunc_sat_f32_s
                i64.ctz
                local.get 0
                i32.trunc_sat_f32_u
                i32.extend16_s
                local.get 0
                i32.const 1008078342
                i32.const 1917985995
                table.size 0
                i32.clz
                i32.extend16_s
                i32.xor
                i64.extend_i32_u
                i64.const -2199023255552
                i64.extend8_s
                i64.shl
                f32.convert_i64_u
                i32.const 8388608
                i64.extend_i32_s
                i64.eqz
                i32.extend8_s
                i32.popcnt
                ref.null func
                loop (result i64) ;; label = @7
                  loop (result f64) ;; label = @8
                    f64.const 0x1.fffffffffcp-1036 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000271615461243;)
                    f32.const -0x1.ec6c8p+24 (;=-32271488;)
                    f32.trunc
                    local.tee 2
                    f32.const nan (;=NaN;)
                    local.get 2
                    local.get 2
                    f32.eq
                    select
                    f32.nearest
                    local.tee 3
                    f32.const nan (;=NaN;)
                    local.get 3
                    local.get 3
                    f32.eq
                    select
                    v128.const i32x4 0x5f9e996b 0xd15fa093 0xd323d062 0x087ad78e
                    i64x2.all_true
                    i64.extend_i32_u
                    table.size 0
                    v128.const i32x4 0x53377df4 0xf7c66cbf 0x5e6a3866 0x3010aba6
                    f32x4.sqrt
                    local.tee 4
                    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
                    local.get 4
                    local.get 4
                    f32x4.eq
                    v128.bitselect
                    block (result i64) ;; label = @9
                      block (type 2) (result v128 f64) ;; label = @10
                        loop (type 2) (result v128 f64) ;; label = @11
                          block ;; label = @12
                            i64.const 8733960778101389083
                            f64.convert_i64_u
                            loop (type 1) (result f32 i64 externref v128) ;; label = @13
                              nop
                              v128.const i32x4 0x78241e72 0xb887b416 0x4ee74923 0xa75d57a2
                              i16x8.extadd_pairwise_i8x16_u
                              table.size 0
                              i8x16.shr_s
                              i8x16.neg
                              f32x4.abs
                              i16x8.extadd_pairwise_i8x16_s
                              f64x2.abs
                              global.get 2
                              v128.xor
                              global.set 2
                              f32.const -0x1.6c74acp-16 (;=-0.000021723255;)
                              i64.const -5446882251683818345
                              ref.null extern
                              v128.const i32x4 0xefffffff 0xffffffff 0xfffff800 0xffffffff
                            end
                            global.get 2
                            v128.xor
                            global.set 2
                            drop
                            global.get 4
                            i64.xor
                            global.set 4
                            i32.reinterpret_f32
                            global.get 0
                            i32.xor
                            global.set 0
                            i64.reinterpret_f64
                            global.get 1
                            i64.xor
                            global.set 1
                          end
                          v128.const i32x4 0x17775b9e 0xddc270eb 0x7697ea58 0xc369e22c
                          f64.const 0x1.49f5fccaddea3p+921 (;=22848016601991505000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
                        end
                      end
                      i64.reinterpret_f64
                      global.get 1
                      i64.xor
                      global.set 1
                      global.get 2
                      v128.xor
                      global.set 2
                      i64.const 3865256584391478692
                    end
                    global.get 4
                    i64.xor
                    global.set 4
                    global.get 2
                    v128.xor
                    global.set 2
                    global.get 3
                    i32.xor
                    global.set 3
                    global.get 4
                    i64.xor
                    global.set 4
                    i32.reinterpret_f32
                    global.get 0
                    i32.xor
                    global.set 0
                  end
                  i64.reinterpret_f64
                  global.get 1
                  i64.xor
                  global.set 1
                  i64.const 872415232
                end
                global.get 4
                i64.xor
                global.set 4
                drop
                global.get 3
                i32.xor
                global.set 3
                i32.reinterpret_f32
                global.get 0
                i32.xor
                global.set 0
                global.get 3
                i32.xor
                global.set 3
                i32.reinterpret_f32
                global.get 0
                i32.xor
                global.set 0
                global.get 3
                i32.xor
                global.set 3
                global.get 4
                i64.xor
                global.set 4
                f64.const 0x1.7234f1151e63ap-1006 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000021087679513390254;)
                f64.const 0x1.p-1037 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000067903865311;)
              end
              i64.reinterpret_f64
              global.get 1
              i64.xor
              global.set 1
              i64.reinterpret_f64
              global.get 1
              i64.xor
              global.set 1
              i32.reinterpret_f32
              global.get 0
              i32.xor
              global.set 0
            end
            i32.reinterpret_f32
            global.get 0
            i32.xor
            global.set 0
            i64.reinterpret_f64
            global.get 1
            i64.xor
            global.set 1
            global.get 2
            v128.xor
            global.set 2
            i32.reinterpret_f32
            global.get 0
            i32.xor
            global.set 0
            global.get 3
            i32.xor
            global.set 3
            f32.const 0x1.ffep-138 (;=0.000000000000000000000000000000000000000005738;)
            i64.const 9218868437227405311
            ref.null extern
            v128.const i32x4 0x792d4dac 0x2d9c4895 0x779810e5 0x9bcedd51
          end
          global.get 2
          v128.xor
          global.set 2
          drop
          global.get 4
          i64.xor
          global.set 4
          i32.reinterpret_f32
          global.get 0
          i32.xor
          global.set 0
          i64.reinterpret_f64
          global.get 1
          i64.xor
          global.set 1
          v128.const i32x4 0x879e163e 0x99de0844 0xe343aa14 0xea625038
          f64.const 0x1.ffffffffep-1039 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000033951932655;)
        end
        i64.reinterpret_f64
        global.get 1
        i64.xor
        global.set 1
        global.get 2
        v128.xor
        global.set 2
        global.get 3
        i32.xor
        global.set 3
        drop
        f32.const 0x1.ff78f4p-126 (;=0.000000000000000000000000000000000000023485664;)
        i64.const 7660651795967890585
        ref.null extern
        v128.const i32x4 0x5131dc42 0xc9aa18d1 0xd7baabba 0x9000e7aa
      end
    end
    global.get 2
    v128.xor
    global.set 2
    drop
    global.get 4
    i64.xor
    global.set 4
    i32.reinterpret_f32
    global.get 0
    i32.xor
    global.set 0
    global.get 4
    i64.xor
    global.set 4
    f64.const 0x1.e8f79d69521ccp+576 (;=472408067092440740000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    f64.const 0x1.p-1049 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000016578092;)
  )
)

(assert_return (invoke "" (f32.const 0)) (f64.const 0x1.fffffffffffffp-960) (f64.const -nan:0xfff7fffffffff))
(assert_return (invoke "1" (f32.const 0)) (f64.const 0x1.e8f79d69521ccp+576) (f64.const 0x0.0000002000000p-1022))
(assert_return (get "jZb") (i32.const 4044389578))
