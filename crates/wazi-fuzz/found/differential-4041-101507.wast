;; Found by `wazi-fuzz differential --seed 4041` (run 101507): wasmi 2.0 returns a
;; non-null externref from a function whose only reference inputs are null;
;; wazi and wasmtime 48 (`wasmtime wast`) both return null, as asserted here.
;; (Replayed alone wasmi agrees: it read a value left by an earlier run.)
(module
  (type (;0;) (func (param funcref) (result v128)))
  (type (;1;) (func (param i32 externref f64) (result externref)))
  (memory (;0;) 0)
  (global (;0;) i32 i32.const -498140323 i32.const 2111739677 i32.const -1506360459 i32.const 333372296 i32.const 2048932984 i32.const -1219106814 i32.sub i32.mul i32.const 1335771851 i32.mul i32.sub i32.const 653358580 i32.mul i32.sub i32.const 953791205 i32.sub i32.mul)
  (global (;1;) f32 f32.const -0x1.355e72p+61 (;=-2786547600000000000;))
  (global (;2;) (mut i32) i32.const 2085001202)
  (global (;3;) (mut i64) i64.const 0)
  (global (;4;) (mut i64) i64.const 0)
  (global (;5;) (mut i32) i32.const 0)
  (global (;6;) (mut i32) i32.const 0)
  (global (;7;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (export "\u{d}!" (func 0))
  (export "" (memory 0))
  (export "2" (global 0))
  (export "3" (global 1))
  (export "4" (global 2))
  (export "5" (global 3))
  (export "\u{13}" (global 4))
  (export "\u{2}" (global 5))
  (export "oi\u{7f}\u{17}" (global 6))
  (export "9" (global 7))
  (elem (;0;) externref)
  (func (;0;) (type 1) (param i32 externref f64) (result externref)
    (local f32 f64 f64 v128 f64)
    local.get 1
    ref.null func
    memory.size
    if (type 0) (param funcref) (result v128) ;; label = @1
      elem.drop 0
      f32.const 0x1.d26aa6p+2 (;=7.2877593;)
      ref.null func
      data.drop 0
      f64.const -0x1p+961 (;=-19490628022800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      i32.trunc_sat_f64_s
      i64.load16_s align=1
      i32.wrap_i64
      block (result v128) ;; label = @2
        global.get 1
        block ;; label = @3
          i64.const -18014398509481984
          i64.extend32_s
          data.drop 0
          i64.const -5938556693869921908
          i64x2.splat
          f32x4.extract_lane 3
          f32.nearest
          local.tee 3
          f32.const nan (;=NaN;)
          local.get 3
          local.get 3
          f32.eq
          select
          i32.trunc_f32_s
          block ;; label = @4
            i32.const -2147483648
            i32.clz
            i32.load16_s
            ref.null func
            i64.const -8013666555681512611
            local.get 2
            f64.nearest
            local.tee 4
            f64.const nan (;=NaN;)
            local.get 4
            local.get 4
            f64.eq
            select
            i64.trunc_f64_u
            i64.div_u
            f64.const 0x1.fffffffffffffp-1020 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001780059086805761;)
            f64.nearest
            local.tee 5
            f64.const nan (;=NaN;)
            local.get 5
            local.get 5
            f64.eq
            select
            ref.null func
            memory.size
            i32.eqz
            i64.load align=4
            i64.extend16_s
            f64.convert_i64_u
            nop
            i64.trunc_f64_u
            br 0 (;@4;)
            i64.ctz
            i64.const 8321502699927740422
            i64.and
            v128.const i32x4 0x759cfda2 0x02878a8b 0xaff0e9ca 0xd81c7652
            f32x4.convert_i32x4_s
            i32x4.extend_low_i16x8_u
            i32x4.extend_high_i16x8_u
            i16x8.extract_lane_s 6
            v128.load64_zero align=4
            i32x4.all_true
            i32x4.splat
            f32x4.sqrt
            local.tee 6
            v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
            local.get 6
            local.get 6
            f32x4.eq
            v128.bitselect
            ref.null func
            memory.size
            i32.clz
            block ;; label = @5
              global.get 0
              local.tee 0
              br_table 0 (;@5;) 1 (;@4;) 2 (;@3;) 1 (;@4;)
              f32.const -0x1.2f0848p+106 (;=-96034780000000000000000000000000;)
              f64.promote_f32
              f64.nearest
              local.tee 7
              f64.const nan (;=NaN;)
              local.get 7
              local.get 7
              f64.eq
              select
              i32.trunc_sat_f64_s
              f64.convert_i32_s
              block (result i64) ;; label = @6
                ref.null func
                drop
                i64.const 2251799813685248
              end
              global.get 3
              i64.xor
              global.set 3
              i64.reinterpret_f64
              global.get 4
              i64.xor
              global.set 4
            end
            global.get 5
            i32.xor
            global.set 5
            drop
            drop
            global.get 3
            i64.xor
            global.set 3
            drop
            i64.reinterpret_f64
            global.get 4
            i64.xor
            global.set 4
            global.get 3
            i64.xor
            global.set 3
            drop
            global.get 5
            i32.xor
            global.set 5
          end
          global.get 5
          i32.xor
          global.set 5
          global.get 3
          i64.xor
          global.set 3
        end
        i32.reinterpret_f32
        global.get 6
        i32.xor
        global.set 6
        v128.const i32x4 0x250f5713 0x4de0e941 0x04a3beeb 0xc0d3d66a
      end
      global.get 7
      v128.xor
      global.set 7
      global.get 5
      i32.xor
      global.set 5
      drop
      i32.reinterpret_f32
      global.get 6
      i32.xor
      global.set 6
      drop
      v128.const i32x4 0x3798f149 0x0f419cf5 0x7dcefb67 0xc4d3f0f1
    else
      drop
      v128.const i32x4 0x16d3110b 0x9998b5d0 0x25deb98e 0x1cf17115
    end
    global.get 7
    v128.xor
    global.set 7
  )
  (data (;0;) "~")
  (data (;1;) "")
)

(assert_return (invoke "\0d!" (i32.const 0) (ref.null extern) (f64.const 0)) (ref.null extern))
