;; Found by `wazi-fuzz differential --seed 20261207` (run 1380818): wasmi 2.0
;; leaves global "+k\u{b}{A\u{7}" at 9227698068207639704 after calling "2";
;; wazi and wasmtime 48 (`wasmtime wast`) both leave 9219046005501911911 (all
;; bits flipped from wasmi's), as asserted here. (Replayed alone wasmi agrees:
;; it read stale stack bits left by an earlier run, through a `local.get` held
;; below an `if` with block parameters whose then-arm, not taken, has a loop.)
(module
  (type (;0;) (func (param externref) (result f32)))
  (memory (;0;) 1)
  (global (;0;) (mut i32) i32.const 0)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;4;) (mut i64) i64.const 0)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (func 2))
  (export "3" (func 3))
  (export "4" (memory 0))
  (export "5" (global 0))
  (export "\u{a}" (global 1))
  (export "+k\u{b}{A\u{7}" (global 2))
  (export "@" (global 3))
  (export "\u{478}K#" (global 4))
  (func (;0;) (type 0) (param externref) (result f32)
    (local f64)
    data.drop 2
    memory.size
    i64.load16_u offset=35517 align=1
    f64.reinterpret_i64
    block (result f64) ;; label = @1
      i32.const 536870912
      block (result i64) ;; label = @2
        i32.const -551036810
        i64.load32_u offset=39641 align=1
        i64.eqz
        v128.load32x2_s offset=7290 align=2
        f32x4.neg
        i32x4.abs
        i8x16.extract_lane_s 8
        f64.convert_i32_u
        loop (result v128) ;; label = @3
          i32.const 1042867132
          v128.load16_splat offset=58 align=1
          i8x16.abs
          i8x16.neg
          loop ;; label = @4
            i64.const -36028797018963968
            i64.popcnt
            memory.size
            i32.load16_u offset=15437
            i64.load8_u offset=18808
            i64.add
            local.get 0
            br 1 (;@3;)
            data.drop 1
            memory.size
            block ;; label = @5
              block ;; label = @6
                br 1 (;@5;)
                i64.const 288230376151711743
                i64.const -281474976710657
                ref.null extern
                local.tee 0
                f32.const 0x1.p-143 (;=0.00000000000000000000000000000000000000000009;)
                block ;; label = @7
                  memory.size
                  v128.const i32x4 0x4f0503d2 0x1549fef1 0x7b9250fd 0x119460fd
                  i32x4.trunc_sat_f64x2_s_zero
                  i32.const 65552
                  local.get 0
                  return_call 2
                  loop (result v128) ;; label = @8
                    f64.const -nan:0xffffe00000000 (;=NaN;)
                    f64.trunc
                    local.tee 1
                    f64.const nan (;=NaN;)
                    local.get 1
                    local.get 1
                    f64.eq
                    select
                    loop ;; label = @9
                      br 4 (;@5;)
                      br 1 (;@8;)
                      block (result v128) ;; label = @10
                        ref.null extern
                        br 3 (;@7;)
                        local.set 0
                        memory.size
                        memory.grow
                        v128.load32x2_u offset=40854 align=1
                        i64x2.all_true
                        loop ;; label = @11
                          ref.null extern
                          ref.null func
                          ref.null extern
                          local.tee 0
                          br 3 (;@8;)
                          memory.size
                          f32.convert_i32_u
                          br 2 (;@9;)
                          f32.const 0x1p-123 (;=0.00000000000000000000000000000000000009403955;)
                          loop (result f64) ;; label = @12
                            memory.size
                            i64.load offset=10971 align=1
                            f64.const -0x1.96fa66abf6b33p-365 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000021153522090657623;)
                            i32.trunc_f64_s
                            block (result f32) ;; label = @13
                              data.drop 0
                              i64.const 2199023255552
                              i64.eqz
                              global.get 0
                              i32.xor
                              global.set 0
                              f32.const nan:0x3e74 (;=NaN;)
                            end
                            i32.reinterpret_f32
                            global.get 1
                            i32.xor
                            global.set 1
                            global.get 0
                            i32.xor
                            global.set 0
                            drop
                            f64.const -0x1.0c34f03c62a81p+37 (;=-143992424332.33206;)
                          end
                          i64.reinterpret_f64
                          global.get 2
                          i64.xor
                          global.set 2
                          i32.reinterpret_f32
                          global.get 1
                          i32.xor
                          global.set 1
                          i32.reinterpret_f32
                          global.get 1
                          i32.xor
                          global.set 1
                          drop
                          drop
                          drop
                        end
                        drop
                        v128.const i32x4 0x33ca62bf 0xab65b0b9 0xea00101a 0xeeb12d49
                      end
                      global.get 3
                      v128.xor
                      global.set 3
                    end
                    i64.reinterpret_f64
                    global.get 2
                    i64.xor
                    global.set 2
                    v128.const i32x4 0x00000000 0x00004000 0x003fffff 0x00000000
                  end
                  global.get 3
                  v128.xor
                  global.set 3
                  i32.reinterpret_f32
                  global.get 1
                  i32.xor
                  global.set 1
                  global.get 0
                  i32.xor
                  global.set 0
                  global.get 3
                  v128.xor
                  global.set 3
                  global.get 0
                  i32.xor
                  global.set 0
                end
                i32.reinterpret_f32
                global.get 1
                i32.xor
                global.set 1
                drop
                global.get 4
                i64.xor
                global.set 4
                global.get 4
                i64.xor
                global.set 4
              end
            end
            global.get 0
            i32.xor
            global.set 0
            drop
            global.get 4
            i64.xor
            global.set 4
          end
        end
        global.get 3
        v128.xor
        global.set 3
        i64.reinterpret_f64
        global.get 2
        i64.xor
        global.set 2
        i64.const 8011290451510387997
      end
      global.get 4
      i64.xor
      global.set 4
      global.get 0
      i32.xor
      global.set 0
      f64.const 0x1.e891b3f6367acp+836 (;=874505313048775300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    end
    i64.reinterpret_f64
    global.get 2
    i64.xor
    global.set 2
    i64.reinterpret_f64
    global.get 2
    i64.xor
    global.set 2
    f32.const 0x1.ffffep-130 (;=0.000000000000000000000000000000000000001469367;)
  )
  (func (;1;) (type 0) (param externref) (result f32)
    i32.const -2063122663
    f64.load offset=21879 align=4
    i32.const 740087121
    i64.load32_s offset=48320 align=1
    i32.wrap_i64
    i32.load16_u offset=27353
    block ;; label = @1
      memory.size
      loop (result f64) ;; label = @2
        i64.const 70368744177664
        f32.const 0x1.fffffep-96 (;=0.000000000000000000000000000025243547;)
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 4
        i64.xor
        global.set 4
        f64.const -nan:0xfffffffffc000 (;=NaN;)
      end
      i64.reinterpret_f64
      global.get 2
      i64.xor
      global.set 2
      global.get 0
      i32.xor
      global.set 0
    end
    global.get 0
    i32.xor
    global.set 0
    i64.reinterpret_f64
    global.get 2
    i64.xor
    global.set 2
    f32.const 0x1.7b059ep+83 (;=14319044000000000000000000;)
  )
  (func (;2;) (type 0) (param externref) (result f32)
    (local f64 v128 v128 v128 v128 v128)
    f64.const nan:0xa17f55ece367 (;=NaN;)
    local.get 1
    memory.size
    i32.popcnt
    v128.load32x2_u offset=46003 align=2
    f32x4.demote_f64x2_zero
    i16x8.extract_lane_u 7
    f32.load offset=53995 align=2
    f32x4.splat
    ref.null extern
    memory.size
    i32.load8_s offset=39692
    memory.grow
    i32.load16_u offset=43
    if (type 0) (param externref) (result f32) ;; label = @1
      i32.const -1090143557
      i32.load16_s offset=12440
      i32.const 7
      v128.load8x8_u offset=58307
      v128.load64_lane offset=38188 align=2 1
      i16x8.extend_high_i8x16_s
      i64x2.extend_low_i32x4_s
      f64x2.floor
      local.tee 2
      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
      local.get 2
      local.get 2
      f64x2.eq
      v128.bitselect
      i32x4.extend_low_i16x8_u
      i16x8.extract_lane_u 2
      i32.load offset=4923 align=1
      v128.load32_splat offset=39731 align=1
      f32x4.floor
      local.tee 3
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 3
      local.get 3
      f32x4.eq
      v128.bitselect
      i16x8.extadd_pairwise_i8x16_u
      i32x4.extadd_pairwise_i16x8_s
      f64x2.nearest
      local.tee 4
      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
      local.get 4
      local.get 4
      f64x2.eq
      v128.bitselect
      f32x4.sqrt
      local.tee 5
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 5
      local.get 5
      f32x4.eq
      v128.bitselect
      f32x4.neg
      block ;; label = @2
        i32.const 131072
        f64.convert_i32_u
        i64.trunc_sat_f64_u
        i64.extend32_s
        f32.const 0x1p-95 (;=0.00000000000000000000000000002524355;)
        f32.neg
        i32.trunc_sat_f32_s
        i32.popcnt
        f32.convert_i32_s
        i64.trunc_f32_s
        i64.le_s
        v128.load16x4_s offset=40046 align=4
        f64x2.neg
        i32x4.trunc_sat_f32x4_u
        i32x4.extadd_pairwise_i16x8_u
        i32x4.extend_low_i16x8_s
        f32x4.sqrt
        local.tee 6
        v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
        local.get 6
        local.get 6
        f32x4.eq
        v128.bitselect
        block (result f32) ;; label = @3
          loop ;; label = @4
            f64.const 0x1.d595b88eb1f5fp+726 (;=647516681532107600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
            i64.trunc_f64_u
            loop (result f64) ;; label = @5
              v128.const i32x4 0x21e27c91 0x34cd6509 0x4f230790 0xd1454305
              i16x8.neg
              i64x2.all_true
              v128.load64_splat offset=36333
              i32x4.extend_high_i16x8_s
              block ;; label = @6
                block ;; label = @7
                  memory.size
                  f64.convert_i32_s
                  i32.trunc_f64_s
                  br_if 3 (;@4;)
                  v128.const i32x4 0xf67c326c 0xaa85a2ab 0xaff4b11f 0x3bf4cdfe
                  i64x2.extend_high_i32x4_u
                  i64x2.extend_low_i32x4_s
                  global.get 3
                  v128.xor
                  global.set 3
                end
              end
              global.get 3
              v128.xor
              global.set 3
              f64.const -nan:0xfff7fffffffff (;=NaN;)
            end
            i64.reinterpret_f64
            global.get 2
            i64.xor
            global.set 2
            global.get 4
            i64.xor
            global.set 4
          end
          f32.const 0x1.2c38ap+8 (;=300.2212;)
        end
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 3
        v128.xor
        global.set 3
      end
      global.get 3
      v128.xor
      global.set 3
      drop
      f32.const 0x1.46675p-121 (;=0.00000000000000000000000000000000000047960693;)
    else
      drop
      f32.const 0x1.6e7328p-14 (;=0.00008736845;)
    end
    i32.reinterpret_f32
    global.get 1
    i32.xor
    global.set 1
    global.get 3
    v128.xor
    global.set 3
    i64.reinterpret_f64
    global.get 2
    i64.xor
    global.set 2
    i64.reinterpret_f64
    global.get 2
    i64.xor
    global.set 2
    f32.const -nan:0x3fffff (;=NaN;)
  )
  (func (;3;) (type 0) (param externref) (result f32)
    (local v128 v128 i32 v128 v128 v128 v128 v128 f64 v128 v128)
    f32.const 0x1.4c557ap-27 (;=0.000000009672189;)
    memory.size
    i32.load8_u offset=17501
    i16x8.splat
    block ;; label = @1
      i32.const -2097153
      v128.load8_splat offset=5223
      i64x2.abs
      f64x2.trunc
      local.tee 4
      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
      local.get 4
      local.get 4
      f64x2.eq
      v128.bitselect
      f64x2.trunc
      local.tee 5
      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
      local.get 5
      local.get 5
      f64x2.eq
      v128.bitselect
      i32x4.extadd_pairwise_i16x8_u
      f32x4.ceil
      local.tee 6
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 6
      local.get 6
      f32x4.eq
      v128.bitselect
      f64x2.convert_low_i32x4_u
      i64x2.abs
      f32x4.abs
      i32x4.extend_high_i16x8_u
      f64x2.abs
      f32x4.convert_i32x4_u
      f32.const -0x1.5cac5cp-112 (;=-0.00000000000000000000000000000000026231262;)
      return
      i64x2.extend_low_i32x4_s
      v128.not
      i32x4.extract_lane 0
      nop
      v128.load32_splat offset=13764
      br 0 (;@1;)
      f32x4.trunc
      local.tee 7
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 7
      local.get 7
      f32x4.eq
      v128.bitselect
      f64x2.floor
      local.tee 8
      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
      local.get 8
      local.get 8
      f64x2.eq
      v128.bitselect
      i16x8.abs
      i64.const 1099511627776
      loop ;; label = @2
        f64.const 0x1.bd80ecda07a16p+305 (;=113438361180904150000000000000000000000000000000000000000000000000000000000000000000000000000;)
        f64.trunc
        local.tee 9
        f64.const nan (;=NaN;)
        local.get 9
        local.get 9
        f64.eq
        select
        memory.size
        i64.load32_s offset=5293 align=2
        block (result f64) ;; label = @3
          loop ;; label = @4
            memory.size
            v128.load32_zero offset=1650 align=1
            i16x8.all_true
            v128.const i32x4 0x5a6a609d 0x42060c04 0xff45c87c 0xf4cf4fb6
            i16x8.neg
            f64x2.nearest
            local.tee 10
            v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
            local.get 10
            local.get 10
            f64x2.eq
            v128.bitselect
            ref.null extern
            i64.const -8589934593
            i64.const 262144
            i64.popcnt
            i64.popcnt
            i64.lt_s
            loop (result v128) ;; label = @5
              v128.const i32x4 0xc19624cd 0x49926236 0x0bb2bb17 0xa81e1af7
              f64x2.nearest
              local.tee 11
              v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
              local.get 11
              local.get 11
              f64x2.eq
              v128.bitselect
            end
            global.get 3
            v128.xor
            global.set 3
            global.get 0
            i32.xor
            global.set 0
            drop
            global.get 3
            v128.xor
            global.set 3
            global.get 0
            i32.xor
            global.set 0
          end
          f64.const -0x1.9c48de4e563c2p+470 (;=-4909702239444522000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
        end
        i64.reinterpret_f64
        global.get 2
        i64.xor
        global.set 2
        global.get 4
        i64.xor
        global.set 4
        i64.reinterpret_f64
        global.get 2
        i64.xor
        global.set 2
      end
      global.get 4
      i64.xor
      global.set 4
      global.get 3
      v128.xor
      global.set 3
    end
    global.get 3
    v128.xor
    global.set 3
  )
  (data (;0;) "")
  (data (;1;) "")
  (data (;2;) (i32.const 4784) "J")
)

(assert_trap (invoke "" (ref.null extern)) "out of bounds memory access")
(assert_trap (invoke "1" (ref.null extern)) "out of bounds memory access")
(assert_return (invoke "2" (ref.null extern)) (f32.const -nan:0x3fffff))
(assert_return (get "+k\u{b}{A\u{7}") (i64.const 9219046005501911911))
