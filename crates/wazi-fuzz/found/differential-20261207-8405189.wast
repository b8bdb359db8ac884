;; Found by `wazi-fuzz differential --seed 20261207` (run 8405189): wasmi 2.0
;; returns v128 18410715280977166336 (0xff800000ff800000) from ""; wazi and
;; wasmtime 48 (`wasmtime wast`) both return 0, as asserted here. (Replayed
;; alone wasmi agrees: it read stale stack bits left by an earlier run. Its
;; `br_table` to distinct targets loses the v128 it carries when the value
;; must move down the stack.)
(module
  (type (;0;) (func (param v128)))
  (type (;1;) (func (param v128 f32 f32 f32 funcref) (result v128)))
  (global (;0;) (mut f64) f64.const 0x1.36d01b63699bcp-758 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008007968975154505;))
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (export "" (func 0))
  (export "1" (global 0))
  (export "E\u{13}" (global 1))
  (export "\u{4b9}\u{1c}h\u{e}6@\u{18}" (global 2))
  (export "GO/" (global 3))
  (export "\u{a}l" (global 4))
  (func (;0;) (type 1) (param v128 f32 f32 f32 funcref) (result v128)
    (local v128 f32 externref f64 f64 f64 f64)
    block (result v128) ;; label = @1
      block (result externref) ;; label = @2
        v128.const i32x4 0x313f57ea 0x84c54f05 0x12813f47 0x86eff80a
        i64x2.extend_high_i32x4_s
        f64x2.convert_low_i32x4_u
        f32x4.extract_lane 2
        i32.trunc_sat_f32_u
        f32.convert_i32_u
        local.get 6
        local.get 0
        i64.const -4611686018427387905
        i64.eqz
        i32x4.replace_lane 2
        f64x2.convert_low_i32x4_s
        f32x4.abs
        global.get 0
        f64.trunc
        local.tee 9
        f64.const nan (;=NaN;)
        local.get 9
        local.get 9
        f64.eq
        select
        i32.trunc_sat_f64_u
        br_table 1 (;@1;) 2 2
        i32.trunc_f32_u
        i64.extend_i32_u
        f64.const -nan:0xfff7fffffffff (;=NaN;)
        global.get 0
        local.set 8
        data.drop 0
        i64.trunc_f64_u
        data.drop 2
        i64.ctz
        i64.gt_s
        i32.eqz
        loop ;; label = @3
          i64.const 68719476735
          i64.extend8_s
          f64.const -nan:0xffff7ffffffff (;=NaN;)
          f32.demote_f64
          ref.null func
          local.tee 4
          f64.const -0x1.cdd55d616c388p+868 (;=-3550435782612682000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
          local.set 8
          global.get 0
          v128.const i32x4 0xd668f1ce 0xd03a66db 0x49feaf21 0x0757ccfd
          f64x2.convert_low_i32x4_s
          i64x2.all_true
          i16x8.splat
          i64x2.bitmask
          br_if 0 (;@3;)
          local.get 1
          i32.reinterpret_f32
          i64.extend_i32_s
          data.drop 2
          br 0 (;@3;)
          f64.const 0x1.fffffffffff8p-1029 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000347667790391745;)
          f64.neg
          ref.null func
          local.get 5
          data.drop 1
          i64x2.extend_low_i32x4_s
          i32x4.extend_high_i16x8_u
          i64x2.bitmask
          global.get 0
          ref.null extern
          ref.null func
          block ;; label = @4
          end
          local.get 1
          local.tee 2
          i32.trunc_f32_s
          global.get 0
          i64.reinterpret_f64
          i32.const 1914494418
          if ;; label = @4
            global.get 0
            f64.sqrt
            local.tee 10
            f64.const nan (;=NaN;)
            local.get 10
            local.get 10
            f64.eq
            select
            f64.const -0x1.e287af7e8ade8p-676 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006011838493563998;)
            block ;; label = @5
              block ;; label = @6
                global.get 0
                local.tee 8
                f64.nearest
                local.tee 11
                f64.const nan (;=NaN;)
                local.get 11
                local.get 11
                f64.eq
                select
                i32.trunc_f64_u
                f64.const -0x1.dbe9f92dd133dp+24 (;=-31189497.178973425;)
                i64.trunc_f64_u
                global.get 1
                i64.xor
                global.set 1
                global.get 2
                i32.xor
                global.set 2
              end
            end
            i64.reinterpret_f64
            global.get 3
            i64.xor
            global.set 3
            i64.reinterpret_f64
            global.get 3
            i64.xor
            global.set 3
          end
          global.get 1
          i64.xor
          global.set 1
          global.get 2
          i32.xor
          global.set 2
          drop
          drop
          i64.reinterpret_f64
          global.get 3
          i64.xor
          global.set 3
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
          drop
          i32.reinterpret_f32
          global.get 4
          i32.xor
          global.set 4
          global.get 1
          i64.xor
          global.set 1
        end
        global.get 2
        i32.xor
        global.set 2
        i32.reinterpret_f32
        global.get 4
        i32.xor
        global.set 4
        ref.null extern
      end
      drop
      v128.const i32x4 0x4a853b51 0x63d64a20 0x2594e32d 0xf90f7b71
    end
  )
  (data (;0;) "\a0\ff")
  (data (;1;) "\dd")
  (data (;2;) "")
  (data (;3;) "")
  (data (;4;) "")
)

(assert_return (invoke "" (v128.const i64x2 0 0) (f32.const 0) (f32.const 0) (f32.const 0) (ref.null func)) (v128.const i64x2 0 0))
