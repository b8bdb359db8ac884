;; Found by `wazi-fuzz differential --seed 20261207` (run 947697): wasmi 2.0
;; leaves global "2" (a v128) at 0 after calling "" (replayed alone, at bits
;; that change from process to process); wazi and wasmtime 48
;; (`wasmtime wast`) both leave the value asserted here. wasmi loses the v128
;; `local.tee 3` left below an `if` with block parameters whose then-arm, not
;; taken, opens blocks.
(module
  (type (;0;) (func (param f32) (result f64 funcref i64)))
  (type (;1;) (func (param i64 i64 v128 v128 i64) (result v128)))
  (global (;0;) funcref ref.null func)
  (global (;1;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i64) i64.const 0)
  (global (;5;) (mut i64) i64.const 0)
  (export "" (func 0))
  (export "1" (global 0))
  (export "2" (global 1))
  (export "3" (global 2))
  (export "4" (global 3))
  (export "V" (global 4))
  (export "6" (global 5))
  (elem (;0;) externref)
  (func (;0;) (type 1) (param i64 i64 v128 v128 i64) (result v128)
    (local f32 f32 f32 v128)
    block ;; label = @1
      v128.const i32x4 0xae185038 0x63756179 0xa7f0eb49 0x5c700076
      f32x4.convert_i32x4_s
      i32x4.extadd_pairwise_i16x8_u
      local.tee 3
      ref.null extern
      global.get 0
      f64.const -nan:0xfe00000000000 (;=NaN;)
      f64.abs
      f32.const -nan:0x7fffe0 (;=NaN;)
      i32.reinterpret_f32
      f32.const 0x1.545804p+12 (;=5445.501;)
      v128.const i32x4 0xd2c7154d 0xa3b89103 0x53591bd4 0x396d093d
      f32x4.demote_f64x2_zero
      f64x2.convert_low_i32x4_s
      i32x4.trunc_sat_f64x2_u_zero
      f64x2.promote_low_f32x4
      i32x4.all_true
      i32.eqz
      i32x4.splat
      i64x2.bitmask
      i32.extend8_s
      if (type 0) (param f32) (result f64 funcref i64) ;; label = @2
        block (result v128) ;; label = @3
          elem.drop 0
          f64.const 0x1.fffffffffffffp+0 (;=1.9999999999999998;)
          i64.trunc_f64_u
          f64.convert_i64_u
          block ;; label = @4
            global.get 0
            ref.null func
            i32.const -1736922773
            ref.null extern
            data.drop 0
            elem.drop 0
            ref.null func
            i64.const -1229782938247303442
            global.get 0
            local.get 3
            i16x8.extend_low_i8x16_s
            i64x2.all_true
            i32.ctz
            f32.convert_i32_s
            f32.trunc
            local.tee 5
            f32.const nan (;=NaN;)
            local.get 5
            local.get 5
            f32.eq
            select
            i64.const 7528444309428965276
            elem.drop 0
            i64.ctz
            local.set 0
            loop ;; label = @5
              ref.null func
              ref.is_null
              i16x8.splat
              i8x16.extract_lane_u 15
              if (result i32) ;; label = @6
                data.drop 0
                f32.const -0x1.be33e8p-1 (;=-0.87148976;)
                f32.sqrt
                local.tee 6
                f32.const nan (;=NaN;)
                local.get 6
                local.get 6
                f32.eq
                select
                i64.trunc_f32_u
                local.tee 0
                f32.convert_i64_u
                f32.floor
                local.tee 7
                f32.const nan (;=NaN;)
                local.get 7
                local.get 7
                f32.eq
                select
                i32.trunc_f32_s
                if ;; label = @7
                  data.drop 0
                  loop ;; label = @8
                    v128.const i32x4 0x4353ce2e 0x9c6c4a95 0xba3ceb6b 0xe763a8d1
                    i8x16.neg
                    global.get 0
                    elem.drop 0
                    data.drop 0
                    local.get 2
                    f64x2.convert_low_i32x4_s
                    f32x4.convert_i32x4_u
                    i16x8.neg
                    global.get 0
                    block ;; label = @9
                      ref.null extern
                      local.get 3
                      f64x2.floor
                      local.tee 8
                      v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
                      local.get 8
                      local.get 8
                      f64x2.eq
                      v128.bitselect
                      global.get 1
                      v128.xor
                      global.set 1
                      drop
                    end
                    drop
                    global.get 1
                    v128.xor
                    global.set 1
                    drop
                    global.get 1
                    v128.xor
                    global.set 1
                  end
                end
                i32.const -1844785331
              else
                i32.const -1431655766
              end
              global.get 2
              i32.xor
              global.set 2
            end
            i32.reinterpret_f32
            global.get 3
            i32.xor
            global.set 3
            drop
            global.get 4
            i64.xor
            global.set 4
            drop
            drop
            global.get 2
            i32.xor
            global.set 2
            drop
            drop
          end
          i64.reinterpret_f64
          global.get 5
          i64.xor
          global.set 5
          v128.const i32x4 0x00000200 0x00000000 0xfff80000 0xffffffff
        end
        global.get 1
        v128.xor
        global.set 1
        i32.reinterpret_f32
        global.get 3
        i32.xor
        global.set 3
        f64.const 0x1.p-1052 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020722615;)
        ref.null func
        i64.const 1099511627775
      else
        i32.reinterpret_f32
        global.get 3
        i32.xor
        global.set 3
        f64.const 0x1.c7ca3ccb1230dp+835 (;=407916429199174400000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
        ref.null func
        i64.const 8693530641876744977
      end
      global.get 4
      i64.xor
      global.set 4
      drop
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      global.get 2
      i32.xor
      global.set 2
      i64.reinterpret_f64
      global.get 5
      i64.xor
      global.set 5
      drop
      drop
      global.get 1
      v128.xor
      global.set 1
    end
    v128.const i32x4 0xb773a89f 0x7bacc786 0xd1c6429d 0x45d0c5c8
  )
  (data (;0;) "<")
)

(assert_return (invoke "" (i64.const 0) (i64.const 0) (v128.const i64x2 0 0) (v128.const i64x2 0 0) (i64.const 0)) (v128.const i64x2 8911717144076724383 5030738250076406429))
(assert_return (get "2") (v128.const i64x2 344735550119427 332847080598745))
