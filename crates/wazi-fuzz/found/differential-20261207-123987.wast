;; Found by `wazi-fuzz differential --seed 20261207` (run 123987): wasmi 2.0
;; leaves global "4" at 4611686018427387909 (0x4000000000000005) after calling
;; ""; wazi and wasmtime 48 (`wasmtime wast`) both leave 5, as asserted here.
;; (Replayed alone wasmi agrees: it read stale stack bits left by an earlier
;; run, through a `local.get` held below an `if` with block parameters whose
;; then-arm, not taken, opens a loop.)
(module
  (type (;0;) (func (param i64)))
  (table (;0;) 414 funcref)
  (global (;0;) (mut funcref) ref.func 0)
  (global (;1;) (mut i64) i64.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;5;) (mut i32) i32.const 0)
  (export "" (func 0))
  (export "1" (table 0))
  (export "2" (global 0))
  (export "3" (global 1))
  (export "4" (global 2))
  (export "0r" (global 3))
  (export "6" (global 4))
  (export "\u{10}" (global 5))
  (func (;0;) (type 0) (param i64)
    (local f32 f32 f32 f32)
    ref.null func
    i64.const -8339281477123691287
    data.drop 0
    i32.wrap_i64
    i32.clz
    local.get 0
    f64.const 0x1.p-1068 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000316;)
    f64.const -nan:0xffffc00000000 (;=NaN;)
    table.size 0
    local.get 0
    local.set 0
    select
    f32.demote_f64
    i64.const 140737488355327
    i64.popcnt
    block (type 0) (param i64) ;; label = @1
      i64.popcnt
      global.get 0
      ref.is_null
      i64.extend_i32_s
      i64.extend32_s
      f32.convert_i64_u
      f32.floor
      local.tee 1
      f32.const nan (;=NaN;)
      local.get 1
      local.get 1
      f32.eq
      select
      f32.trunc
      local.tee 2
      f32.const nan (;=NaN;)
      local.get 2
      local.get 2
      f32.eq
      select
      i32.trunc_sat_f32_s
      f32.convert_i32_s
      f32.const 0x1.d40562p-47 (;=0.000000000000012990193;)
      f32.min
      local.tee 3
      f32.const nan (;=NaN;)
      local.get 3
      local.get 3
      f32.eq
      select
      i32.trunc_f32_u
      if (type 0) (param i64) ;; label = @2
        i64.ctz
        ref.func 0
        loop ;; label = @3
          table.size 0
          data.drop 0
          i16x8.splat
          i32x4.extract_lane 2
          i32.popcnt
          f64.const 0x1.5555555555555p+342 (;=11945305291614955000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
          block ;; label = @4
            br 2 (;@2;)
            f32.const 0x1p-123 (;=0.00000000000000000000000000000000000009403955;)
            f32.const -nan:0x7ffdff (;=NaN;)
            f32.sub
            local.tee 4
            f32.const nan (;=NaN;)
            local.get 4
            local.get 4
            f32.eq
            select
            i32.trunc_sat_f32_s
            f64.convert_i32_s
            table.size 0
            f32.reinterpret_i32
            f32x4.splat
            i32x4.trunc_sat_f32x4_s
            i32x4.neg
            i8x16.neg
            local.get 0
            ref.null func
            br 3 (;@1;)
            ref.null extern
            block ;; label = @5
              i32.const -16384
              f64.convert_i32_s
              local.get 0
              f64.reinterpret_i64
              i64.trunc_f64_u
              block (type 0) (param i64) ;; label = @6
                local.get 0
                call 0
                v128.const i32x4 0x57f658ef 0x45fccd5f 0x78bd151d 0x0b0df264
                table.size 0
                f64.const -nan:0xffffffffffffb (;=NaN;)
                ref.null extern
                br 5 (;@1;)
                local.get 0
                i32.const 1209298633
                local.get 0
                loop ;; label = @7
                  block (result f64) ;; label = @8
                    f64.const 0x1.fdfffffcp-1044 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001056853372;)
                  end
                  i64.reinterpret_f64
                  global.get 1
                  i64.xor
                  global.set 1
                end
                global.get 2
                i64.xor
                global.set 2
                global.get 3
                i32.xor
                global.set 3
                global.get 2
                i64.xor
                global.set 2
                drop
                i64.reinterpret_f64
                global.get 1
                i64.xor
                global.set 1
                global.get 3
                i32.xor
                global.set 3
                global.get 4
                v128.xor
                global.set 4
                global.get 2
                i64.xor
                global.set 2
              end
              i64.reinterpret_f64
              global.get 1
              i64.xor
              global.set 1
            end
            drop
            drop
            global.get 2
            i64.xor
            global.set 2
            global.get 4
            v128.xor
            global.set 4
            i64.reinterpret_f64
            global.get 1
            i64.xor
            global.set 1
          end
          i64.reinterpret_f64
          global.get 1
          i64.xor
          global.set 1
          global.get 3
          i32.xor
          global.set 3
        end
        drop
        global.get 2
        i64.xor
        global.set 2
      else
        global.get 2
        i64.xor
        global.set 2
      end
    end
    i32.reinterpret_f32
    global.get 5
    i32.xor
    global.set 5
    global.get 2
    i64.xor
    global.set 2
    global.get 3
    i32.xor
    global.set 3
    drop
  )
  (data (;0;) "")
)

(assert_return (invoke "" (i64.const 0)))
(assert_return (get "4") (i64.const 5))
