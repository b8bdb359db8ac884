;; Found by `wazi-fuzz differential --seed 20261207` (run 7393883): wasmi 2.0
;; leaves global "P" at 4194628519 after calling "" then "1"; wazi and
;; wasmtime 48 (`wasmtime wast`) both leave 63, as asserted here. (Replayed
;; alone wasmi agrees: it read stale stack bits left by an earlier run, through
;; a `local.get 0` held below an `if` with block parameters whose then-arm, not
;; taken, opens a block.)
(module
  (type (;0;) (func (param f32) (result f32 v128)))
  (table (;0;) 996 1000 externref)
  (global (;0;) (mut i32) i32.const 0)
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (table 0))
  (export "P" (global 0))
  (export "o" (global 1))
  (export "5" (global 2))
  (export "6" (global 3))
  (export "7" (global 4))
  (func (;0;) (type 0) (param f32) (result f32 v128)
    (local i32 f64 f32 i32 i64 f64 i64 v128 v128 v128 v128 v128 f64 f32)
    i32.const 367821173
    i32.const -358276618
    f64.convert_i32_s
    i64.const -16385
    data.drop 0
    i64.ctz
    i64.extend32_s
    f64.convert_i64_u
    table.size 0
    select
    f64x2.splat
    i32x4.neg
    f64x2.promote_low_f32x4
    v128.not
    f32x4.ceil
    local.tee 8
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 8
    local.get 8
    f32x4.eq
    v128.bitselect
    f64x2.sqrt
    local.tee 9
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 9
    local.get 9
    f64x2.eq
    v128.bitselect
    f32x4.sqrt
    local.tee 10
    v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
    local.get 10
    local.get 10
    f32x4.eq
    v128.bitselect
    f32x4.convert_i32x4_u
    i32x4.extadd_pairwise_i16x8_s
    i32x4.trunc_sat_f64x2_s_zero
    i16x8.extend_low_i8x16_s
    f64x2.sqrt
    local.tee 11
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 11
    local.get 11
    f64x2.eq
    v128.bitselect
    f32x4.neg
    f64x2.neg
    f64x2.floor
    local.tee 12
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 12
    local.get 12
    f64x2.eq
    v128.bitselect
    i64x2.bitmask
    if ;; label = @1
      local.get 2
      i64.const 4420265555836136183
      i64.ctz
      local.get 3
      i32.trunc_sat_f32_u
      f64.convert_i32_u
      ref.null func
      br 0 (;@1;)
      i32.const -1131422624
      f32.convert_i32_u
      i32.trunc_f32_u
      i32.extend8_s
      loop (result i64) ;; label = @2
        f64.const -0x1.86e04bbdcfd21p-609 (;=-0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007186738681576015;)
        i64.trunc_sat_f64_s
        f64.convert_i64_s
        f64.ceil
        local.tee 13
        f64.const nan (;=NaN;)
        local.get 13
        local.get 13
        f64.eq
        select
        f32.demote_f64
        local.get 0
        i32.const 1497044765
        f32.reinterpret_i32
        return_call 1
        i64x2.extend_low_i32x4_s
        table.size 0
        f32.convert_i32_s
        i32.trunc_f32_s
        i64x2.shl
        f64x2.convert_low_i32x4_u
        i64x2.extract_lane 0
        i64.extend16_s
        data.drop 0
        local.set 5
        f32.add
        local.tee 14
        f32.const nan (;=NaN;)
        local.get 14
        local.get 14
        f32.eq
        select
        i32.reinterpret_f32
        global.get 0
        i32.xor
        global.set 0
        i32.reinterpret_f32
        global.get 0
        i32.xor
        global.set 0
        i64.const -2251799813685249
      end
      global.get 1
      i64.xor
      global.set 1
      global.get 2
      i32.xor
      global.set 2
      drop
      i64.reinterpret_f64
      global.get 3
      i64.xor
      global.set 3
      global.get 1
      i64.xor
      global.set 1
      i64.reinterpret_f64
      global.get 3
      i64.xor
      global.set 3
    end
    global.get 2
    i32.xor
    global.set 2
    f32.const -0x1.604cccp+1 (;=-2.7523437;)
    v128.const i32x4 0x00000000 0x00000010 0xffffffff 0x0000ffff
  )
  (func (;1;) (type 0) (param f32) (result f32 v128)
    (local f32 i64 f32 i32 f64 v128 v128 v128)
    data.drop 0
    v128.const i32x4 0x26c70f27 0xffacc9d8 0x7c78646a 0x58444448
    i64.const -4238162799350361453
    local.tee 2
    i64.eqz
    local.tee 4
    i32x4.shr_s
    i32x4.bitmask
    loop (result f64) ;; label = @1
      loop ;; label = @2
        table.size 0
        block (result f32) ;; label = @3
          block (result i64) ;; label = @4
            f32.const 0x1.p-138 (;=0.00000000000000000000000000000000000000000287;)
            i32.trunc_sat_f32_s
            local.get 3
            f64.promote_f32
            i64.trunc_f64_s
            i32.const 515597169
            if (result f64) ;; label = @5
              loop ;; label = @6
                local.get 4
                loop ;; label = @7
                  ref.null func
                  i32.const -134217729
                  loop (result i32) ;; label = @8
                    data.drop 0
                    loop (result externref) ;; label = @9
                      ref.null func
                      local.get 0
                      i32.const 512693033
                      i32.extend16_s
                      table.size 0
                      i32.mul
                      f32.const 0x1p-63 (;=0.00000000000000000010842022;)
                      i32.reinterpret_f32
                      i32.ge_u
                      f32.convert_i32_s
                      v128.const i32x4 0xe2d5237d 0xc222e17b 0x4e0a2ab7 0xb0cf2dd8
                      i32x4.trunc_sat_f32x4_s
                      f32x4.ceil
                      local.tee 6
                      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
                      local.get 6
                      local.get 6
                      f32x4.eq
                      v128.bitselect
                      f32x4.sqrt
                      local.tee 7
                      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
                      local.get 7
                      local.get 7
                      f32x4.eq
                      v128.bitselect
                      f64x2.abs
                      i32x4.extend_low_i16x8_u
                      i32x4.trunc_sat_f64x2_u_zero
                      i8x16.extract_lane_u 2
                      i32.extend8_s
                      if (type 0) (param f32) (result f32 v128) ;; label = @10
                        i64.trunc_sat_f32_s
                        i32.wrap_i64
                        local.set 4
                        v128.const i32x4 0x1256186c 0x71da85ee 0xd55b2133 0xcd190bf6
                        i16x8.extend_low_i8x16_u
                        loop ;; label = @11
                          block ;; label = @12
                            nop
                            i64.const -1982581601826418302
                            local.get 5
                            i64.const -32768
                            table.size 0
                            local.set 4
                            local.get 1
                            local.tee 3
                            call 1
                            i64x2.extend_high_i32x4_u
                            i32x4.abs
                            i16x8.abs
                            i16x8.extend_high_i8x16_u
                            i64x2.extend_high_i32x4_s
                            f64x2.floor
                            local.tee 8
                            v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
                            local.get 8
                            local.get 8
                            f64x2.eq
                            v128.bitselect
                            i64x2.extend_high_i32x4_s
                            i32x4.all_true
                            f32.convert_i32_u
                            i64.const -144115188075855872
                            ref.null extern
                            f64.const 0x1.b5dbe52683895p-364 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004551723363941047;)
                            f32.const 0x1.73a94ep+110 (;=1884546900000000000000000000000000;)
                            f64.promote_f32
                            local.get 0
                            v128.const i32x4 0xb0f1a676 0x50a1aa81 0xcc9bee1e 0x3375889f
                            i32x4.neg
                            data.drop 0
                            global.get 4
                            v128.xor
                            global.set 4
                            i32.reinterpret_f32
                            global.get 0
                            i32.xor
                            global.set 0
                            i64.reinterpret_f64
                            global.get 3
                            i64.xor
                            global.set 3
                            drop
                            drop
                            global.get 1
                            i64.xor
                            global.set 1
                            i32.reinterpret_f32
                            global.get 0
                            i32.xor
                            global.set 0
                            i32.reinterpret_f32
                            global.get 0
                            i32.xor
                            global.set 0
                            global.get 1
                            i64.xor
                            global.set 1
                            i64.reinterpret_f64
                            global.get 3
                            i64.xor
                            global.set 3
                            global.get 1
                            i64.xor
                            global.set 1
                          end
                        end
                        global.get 4
                        v128.xor
                        global.set 4
                        f32.const -0x1.9488cp-8 (;=-0.0061727017;)
                        v128.const i32x4 0x0a5620dd 0x1380bd84 0x41b6bb41 0x5c7a16cf
                      else
                        v128.const i32x4 0x94727412 0xcea33f75 0x67940cf3 0xb5054973
                      end
                      global.get 4
                      v128.xor
                      global.set 4
                      i32.reinterpret_f32
                      global.get 0
                      i32.xor
                      global.set 0
                      i32.reinterpret_f32
                      global.get 0
                      i32.xor
                      global.set 0
                      drop
                      ref.null extern
                    end
                    drop
                    i32.const 8
                  end
                  global.get 2
                  i32.xor
                  global.set 2
                  global.get 2
                  i32.xor
                  global.set 2
                  drop
                end
                global.get 2
                i32.xor
                global.set 2
              end
              f64.const -0x1.5b6769d73a84ap+457 (;=-505013300388331400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
            else
              f64.const -nan:0xfdfffffffffff (;=NaN;)
            end
            i64.reinterpret_f64
            global.get 3
            i64.xor
            global.set 3
            global.get 1
            i64.xor
            global.set 1
            global.get 2
            i32.xor
            global.set 2
            i64.const -1725416389956470565
          end
          global.get 1
          i64.xor
          global.set 1
          f32.const 0x1.f8p-144 (;=0.000000000000000000000000000000000000000000088;)
        end
        i32.reinterpret_f32
        global.get 0
        i32.xor
        global.set 0
        global.get 2
        i32.xor
        global.set 2
      end
      f64.const 0x1.0ffec9d0d902p-220 (;=0.0000000000000000000000000000000000000000000000000000000000000000006305540732400319;)
    end
    i64.reinterpret_f64
    global.get 3
    i64.xor
    global.set 3
    global.get 2
    i32.xor
    global.set 2
    f32.const 0x1.d60e22p-122 (;=0.00000000000000000000000000000000000034534202;)
    v128.const i32x4 0x8b455b8c 0xacff5bf4 0x67eabb1f 0x01293d2f
  )
  (data (;0;) "")
)

(assert_return (invoke "" (f32.const 0)) (f32.const -0x1.604ccc0000000p+1) (v128.const i64x2 68719476736 281474976710655))
(assert_return (invoke "1" (f32.const 0)) (f32.const 0x1.d60e220000000p-122) (v128.const i64x2 12465783399451548556 83665341899258655))
(assert_return (get "P") (i32.const 63))
