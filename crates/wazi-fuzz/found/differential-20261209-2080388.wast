;; Found by `wazi-fuzz differential --seed 20261209` (run 2080388): wasmi 2.0
;; leaves global "8" at 808464432 after calling "" (0 when replayed alone);
;; wazi and wasmtime 48 (`wasmtime wast`) both leave 25, as asserted here.
;; wasmi reads 0 or stale bits for the i32 `local.tee 1` (= i32.clz of
;; table.size 112) held below an `if (param f64) (result f32 v128)` whose
;; then-arm, not taken, sets local 1 and opens blocks: wasmi-reduced-if-params.
;; Export "1" never returns (the fuzz target stops it through fuel), so it is
;; not invoked here.
(module
  (type (;0;) (func (param f64) (result f32 v128)))
  (table (;0;) 112 externref)
  (memory (;0;) i64 3)
  (global (;0;) (mut i64) i64.const 0)
  (global (;1;) (mut i32) i32.const 0)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (func 2))
  (export "3" (table 0))
  (export "4" (memory 0))
  (export "5" (global 0))
  (export "I" (global 1))
  (export "\u{b7}" (global 2))
  (export "8" (global 3))
  (export "B\u{e}" (global 4))
  (func (;0;) (type 0) (param f64) (result f32 v128)
    (local i32 i32 f64 f64 f64 f64 f64 f32)
    loop ;; label = @1
      loop ;; label = @2
        memory.size
        f32.load offset=156276 align=1
        table.size 0
        i32.clz
        local.tee 1
        f64.const 0x1.5d8a70777de22p-936 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000023506173777435535;)
        local.tee 0
        f64.nearest
        local.tee 3
        f64.const nan (;=NaN;)
        local.get 3
        local.get 3
        f64.eq
        select
        f32.const -0x1.7e922ap+10 (;=-1530.2838;)
        f64.promote_f32
        f64.sub
        local.tee 4
        f64.const nan (;=NaN;)
        local.get 4
        local.get 4
        f64.eq
        select
        f64.ceil
        local.tee 5
        f64.const nan (;=NaN;)
        local.get 5
        local.get 5
        f64.eq
        select
        local.get 2
        i32.popcnt
        if (type 0) (param f64) (result f32 v128) ;; label = @3
          call 2
          i32x4.extract_lane 0
          local.tee 1
          f64.convert_i32_u
          i64.trunc_f64_s
          i32.load8_u offset=165844
          i32.clz
          f64.const -nan:0xfffffffffe000 (;=NaN;)
          block (type 0) (param f64) (result f32 v128) ;; label = @4
            i64.trunc_f64_u
            loop ;; label = @5
              ref.null extern
              i32.const 418234944
              local.get 2
              i32.const 8388607
              i32.add
              i32.sub
              f32.const -0x1.f090dcp-116 (;=-0.000000000000000000000000000000000023348414;)
              table.size 0
              local.get 1
              i32.ctz
              f32.reinterpret_i32
              f32.const -0x1.dd9a9ep+121 (;=-4959723200000000000000000000000000000;)
              data.drop 0
              i64.trunc_sat_f32_s
              i64.load32_u offset=189395 align=2
              i64.load16_u offset=11255513283903964439
              br 3 (;@2;)
              i32.load8_u offset=174072
              f32.reinterpret_i32
              f32.eq
              i32.extend8_s
              f64.convert_i32_s
              f64.nearest
              local.tee 6
              f64.const nan (;=NaN;)
              local.get 6
              local.get 6
              f64.eq
              select
              f64.floor
              local.tee 7
              f64.const nan (;=NaN;)
              local.get 7
              local.get 7
              f64.eq
              select
              f64.const 0x1.p-1063 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001012;)
              f32.const 0x1.p-133 (;=0.000000000000000000000000000000000000000091835;)
              i64.trunc_sat_f32_s
              local.get 0
              f64.neg
              table.size 0
              i64.extend_i32_s
              i64.ctz
              f32.load offset=178385 align=2
              f32.trunc
              local.tee 8
              f32.const nan (;=NaN;)
              local.get 8
              local.get 8
              f32.eq
              select
              table.size 0
              f64.convert_i32_u
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              i32.reinterpret_f32
              global.get 1
              i32.xor
              global.set 1
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              global.get 2
              i64.xor
              global.set 2
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              i64.reinterpret_f64
              global.get 0
              i64.xor
              global.set 0
              global.get 3
              i32.xor
              global.set 3
              i32.reinterpret_f32
              global.get 1
              i32.xor
              global.set 1
              global.get 3
              i32.xor
              global.set 3
              drop
            end
            global.get 2
            i64.xor
            global.set 2
            f32.const 0x1.1bf546p+39 (;=609795400000;)
            v128.const i32x4 0x00000000 0xffffff80 0xffe00000 0xffffffff
          end
          global.get 4
          v128.xor
          global.set 4
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          global.get 3
          i32.xor
          global.set 3
          v128.const i32x4 0x01000000 0x00000000 0xffffffff 0xffffffbf
        else
          i64.reinterpret_f64
          global.get 0
          i64.xor
          global.set 0
          f32.const 0x1p-63 (;=0.00000000000000000010842022;)
          v128.const i32x4 0x2d25e4e3 0x2c5ed723 0xd2f5b210 0x2aa3233b
        end
        global.get 4
        v128.xor
        global.set 4
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 3
        i32.xor
        global.set 3
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
      end
    end
    f32.const 0x1.6a9398p+67 (;=209011140000000000000;)
    v128.const i32x4 0xffff8000 0xffffffff 0x00000000 0xffffc000
  )
  (func (;1;) (type 0) (param f64) (result f32 v128)
    (local f64 f32 f32 v128 v128 v128)
    local.get 0
    f64.floor
    local.tee 1
    f64.const nan (;=NaN;)
    local.get 1
    local.get 1
    f64.eq
    select
    loop (type 0) (param f64) (result f32 v128) ;; label = @1
      f64.neg
      i64.trunc_f64_s
      f32.const -0x1.36fa82p+38 (;=-333910670000;)
      block ;; label = @2
        loop (result externref) ;; label = @3
          f32.const -0x1.7c88ap-104 (;=-0.000000000000000000000000000000073288123;)
          i32.trunc_sat_f32_s
          f32.convert_i32_s
          f32.trunc
          local.tee 2
          f32.const nan (;=NaN;)
          local.get 2
          local.get 2
          f32.eq
          select
          f32.const 0x1.8d0788p-124 (;=0.00000000000000000000000000000000000007292279;)
          i32.trunc_f32_s
          i32.popcnt
          table.get 0
          table.size 0
          i32.ctz
          i32.const 266373592
          block ;; label = @4
            local.get 0
            i64.trunc_sat_f64_s
            i32.wrap_i64
            f64.const 0x1.p-1044 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005304989477;)
            i64.trunc_f64_s
            v128.load32x2_s offset=102846
            ref.null extern
            v128.const i32x4 0x7b8cdd5d 0x5f150955 0x01d03c9b 0xbecb3933
            i64.const -7290965289908762819
            i64.extend32_s
            i64.load16_s offset=1524 align=1
            f64.const 0x1.d8652e3cc95f8p-918 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008327785396640701;)
            f32.const -0x1.da9e6ep-117 (;=-0.000000000000000000000000000000000011158236;)
            f32.const 0x1.4bfcp+59 (;=747562350000000000;)
            f32.min
            local.tee 3
            f32.const nan (;=NaN;)
            local.get 3
            local.get 3
            f32.eq
            select
            i32.trunc_sat_f32_s
            i8x16.splat
            i16x8.extend_low_i8x16_u
            f32x4.convert_i32x4_s
            i8x16.neg
            br 1 (;@3;)
            f32x4.ceil
            local.tee 4
            v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
            local.get 4
            local.get 4
            f32x4.eq
            v128.bitselect
            i32x4.trunc_sat_f64x2_s_zero
            i32x4.abs
            i16x8.extend_low_i8x16_s
            i8x16.neg
            f64x2.floor
            local.tee 5
            v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
            local.get 5
            local.get 5
            f64x2.eq
            v128.bitselect
            i64x2.bitmask
            f32.const 0x1.8002p-132 (;=0.000000000000000000000000000000000000000275512;)
            i32.trunc_f32_s
            f32.convert_i32_s
            i32.const 1436477854
            i32.eqz
            i64.const 4194304
            v128.load32_zero offset=4794
            i16x8.extadd_pairwise_i8x16_s
            f32x4.demote_f64x2_zero
            f32x4.abs
            local.get 0
            i64.trunc_sat_f64_u
            v128.load16x4_u offset=106961
            f32x4.ge
            i16x8.abs
            i32x4.trunc_sat_f32x4_s
            f32x4.neg
            br 1 (;@3;)
            f32x4.ceil
            local.tee 6
            v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
            local.get 6
            local.get 6
            f32x4.eq
            v128.bitselect
            global.get 4
            v128.xor
            global.set 4
            global.get 3
            i32.xor
            global.set 3
            i32.reinterpret_f32
            global.get 1
            i32.xor
            global.set 1
            global.get 3
            i32.xor
            global.set 3
            i64.reinterpret_f64
            global.get 0
            i64.xor
            global.set 0
            global.get 2
            i64.xor
            global.set 2
            global.get 4
            v128.xor
            global.set 4
            drop
            global.get 4
            v128.xor
            global.set 4
            global.get 3
            i32.xor
            global.set 3
          end
          global.get 3
          i32.xor
          global.set 3
          global.get 3
          i32.xor
          global.set 3
          drop
          i32.reinterpret_f32
          global.get 1
          i32.xor
          global.set 1
          ref.null extern
        end
        drop
      end
      i32.reinterpret_f32
      global.get 1
      i32.xor
      global.set 1
      global.get 2
      i64.xor
      global.set 2
      f32.const 0x1.7fff8p-132 (;=0.000000000000000000000000000000000000000275505;)
      v128.const i32x4 0x0f05298c 0xd4cb88df 0x48788121 0x79901e2c
    end
  )
  (func (;2;) (type 0) (param f64) (result f32 v128)
    (local i64 v128 f32 v128 v128 f64)
    i64.const -262145
    v128.load16_splat offset=169458
    i32x4.extadd_pairwise_i16x8_u
    block ;; label = @1
      block (result externref) ;; label = @2
        br 1 (;@1;)
        f32.const 0x1.788d5ap-123 (;=0.00000000000000000000000000000000000013832342;)
        i64.trunc_sat_f32_u
        v128.load8x8_s offset=138222 align=1
        f32x4.extract_lane 0
        f32x4.splat
        i16x8.extadd_pairwise_i8x16_s
        f32x4.sqrt
        local.tee 2
        v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
        local.get 2
        local.get 2
        f32x4.eq
        v128.bitselect
        table.size 0
        f32.convert_i32_s
        br 1 (;@1;)
        f32.trunc
        local.tee 3
        f32.const nan (;=NaN;)
        local.get 3
        local.get 3
        f32.eq
        select
        local.get 0
        f64.neg
        local.get 1
        i32.load offset=99196 align=2
        br_table 1 (;@1;) 1 (;@1;)
        f64.const -nan:0xffffffffff7ff (;=NaN;)
        local.set 0
        br 1 (;@1;)
        return_call 1
        f64x2.sqrt
        local.tee 4
        v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
        local.get 4
        local.get 4
        f64x2.eq
        v128.bitselect
        i32x4.extadd_pairwise_i16x8_s
        i8x16.popcnt
        table.size 0
        f32.const -nan:0x7c0000 (;=NaN;)
        v128.const i32x4 0xee9b2596 0x08e9c487 0x0c24cf9a 0x9c261e26
        i32x4.trunc_sat_f64x2_u_zero
        f64x2.ceil
        local.tee 5
        v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
        local.get 5
        local.get 5
        f64x2.eq
        v128.bitselect
        i64x2.extend_high_i32x4_u
        i32x4.extend_low_i16x8_u
        i64x2.extend_high_i32x4_u
        local.get 0
        f64.sqrt
        local.tee 6
        f64.const nan (;=NaN;)
        local.get 6
        local.get 6
        f64.eq
        select
        return_call 0
        table.size 0
        i8x16.splat
        i32x4.add
        f64.const -0x1.836b315a0cb98p+992 (;=-63342665861771690000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
        i64.trunc_f64_s
        i64x2.replace_lane 0
        i64x2.extend_low_i32x4_u
        f32x4.neg
        f32x4.extract_lane 3
        i32.trunc_sat_f32_u
        global.get 3
        i32.xor
        global.set 3
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 4
        v128.xor
        global.set 4
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 3
        i32.xor
        global.set 3
        global.get 4
        v128.xor
        global.set 4
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        i32.reinterpret_f32
        global.get 1
        i32.xor
        global.set 1
        global.get 4
        v128.xor
        global.set 4
        ref.null extern
      end
      drop
    end
    global.get 4
    v128.xor
    global.set 4
    f32.const 0x1.8001p-132 (;=0.000000000000000000000000000000000000000275509;)
    v128.const i32x4 0xaa363808 0x951b1f29 0x0bd88bfe 0x2beca31f
  )
  (data (;0;) (i64.const 0) "")
)


(assert_return (invoke "" (f64.const 0))
  (f32.const 0x1.6a9398p+67)
  (v128.const i32x4 0xffff8000 0xffffffff 0x00000000 0xffffc000))
(assert_return (get "8") (i32.const 25))
