;; Found by `wazi-fuzz differential --seed 20261207` (run 9311595): wasmi 2.0
;; leaves global "\u{13}\u{11}a" (a v128) at
;; 75430663151235719830469632217567081329 after calling ""; wazi and wasmtime 48
;; (`wasmtime wast`) both leave the value asserted here. (Replayed alone wasmi
;; agrees: it read stale stack bits left by an earlier run, through a
;; `local.get 0` held below an `if` with block parameters whose then-arm, not
;; taken, does `local.tee 0`.)
(module
  (type (;0;) (func (param i64) (result i64)))
  (type (;1;) (func (param v128)))
  (type (;2;) (func))
  (type (;3;) (func (param f64 f32 f64)))
  (type (;4;) (func (param i64) (result externref funcref)))
  (table (;0;) 26 externref)
  (table (;1;) 935 externref)
  (global (;0;) (mut i32) i32.const 1581271181 i32.const -655008896 i32.const -1984124611 i32.const 1944742526 i32.const -1858211611 i32.const -799218180 i32.const -1949916825 i32.const 1230187881 i32.sub i32.add i32.mul i32.add i32.add i32.const 98095371 i32.sub i32.const 1987984539 i32.mul i32.sub i32.mul)
  (global (;1;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut i64) i64.const 0)
  (export "" (func 0))
  (export "1" (func 1))
  (export "2" (table 0))
  (export "3" (table 1))
  (export "4" (global 0))
  (export "\u{13}\u{11}a" (global 1))
  (export "6" (global 2))
  (export "7" (global 3))
  (export "\u{735}" (global 4))
  (export "-" (global 5))
  (func (;0;) (type 1) (param v128)
    (local v128 i32 v128 v128 f32 f64)
    data.drop 0
    local.get 0
    i32x4.bitmask
    f32.convert_i32_u
    i32.const 936
    i32.eqz
    i16x8.splat
    local.set 1
    f32.neg
    global.get 0
    v128.const i32x4 0xc796afbc 0xde28d1c4 0xf097aec7 0xede652ab
    f32.const -0x1.ab6192p-77 (;=-0.000000000000000000000011047543;)
    local.get 0
    i32.const 121731931
    i16x8.splat
    i32x4.extend_high_i16x8_u
    i64.const 4096
    table.size 1
    i32.ctz
    if (type 0) (param i64) (result i64) ;; label = @1
      i64.extend32_s
      i64.clz
      call 1
      i64.ctz
      i64.eqz
      i32.const -477060331
      i64.extend_i32_s
      local.get 1
      i8x16.neg
      local.tee 0
      f32x4.sqrt
      local.tee 3
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 3
      local.get 3
      f32x4.eq
      v128.bitselect
      f32x4.trunc
      local.tee 4
      v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000
      local.get 4
      local.get 4
      f32x4.eq
      v128.bitselect
      i16x8.extend_high_i8x16_s
      i32x4.extract_lane 0
      i64.const -713732414115540412
      loop (result v128) ;; label = @2
        data.drop 0
        local.get 2
        local.get 2
        i64.extend_i32_u
        loop (type 0) (param i64) (result i64) ;; label = @3
          f32.convert_i64_s
          f32.trunc
          local.tee 5
          f32.const nan (;=NaN;)
          local.get 5
          local.get 5
          f32.eq
          select
          i64.trunc_sat_f32_u
          f64.convert_i64_s
          loop ;; label = @4
            i64.const 1894388262741579443
            f64.reinterpret_i64
            i32.trunc_sat_f64_u
            f64.const 0x1.p-1074 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005;)
            f64.floor
            local.tee 6
            f64.const nan (;=NaN;)
            local.get 6
            local.get 6
            f64.eq
            select
            i64.const 16777216
            ref.null func
            f32.const 0x1.p-127 (;=0.000000000000000000000000000000000000005877472;)
            global.get 0
            loop (result funcref) ;; label = @5
              f32.const -0x1.cfb53ep-117 (;=-0.000000000000000000000000000000000010901722;)
              i32.const -1033741800
              v128.const i32x4 0xa390400e 0x44a3ee78 0x8bb64a74 0x22081454
              i32x4.trunc_sat_f32x4_s
              i16x8.extend_low_i8x16_s
              return_call 0
              loop (result i32) ;; label = @6
                block (result f64) ;; label = @7
                  f64.const -0x1.b75071d1f336dp-361 (;=-0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003653481205577794;)
                  f64.const 0x1.9b691c2bb5567p-787 (;=0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000019743716645730413;)
                  i64.trunc_sat_f64_u
                  i64x2.splat
                  i64x2.extend_low_i32x4_s
                  local.get 1
                  f64x2.abs
                  i32.const 1648760047
                  br 1 (;@6;)
                  f32.convert_i32_u
                  i32.reinterpret_f32
                  i32x4.splat
                  global.get 1
                  v128.xor
                  global.set 1
                  global.get 1
                  v128.xor
                  global.set 1
                  global.get 1
                  v128.xor
                  global.set 1
                end
                i64.reinterpret_f64
                global.get 2
                i64.xor
                global.set 2
                i32.const 697858711
              end
              global.get 3
              i32.xor
              global.set 3
              global.get 3
              i32.xor
              global.set 3
              i32.reinterpret_f32
              global.get 4
              i32.xor
              global.set 4
              ref.null func
            end
            drop
            global.get 3
            i32.xor
            global.set 3
            i32.reinterpret_f32
            global.get 4
            i32.xor
            global.set 4
            drop
            global.get 5
            i64.xor
            global.set 5
            drop
            global.get 3
            i32.xor
            global.set 3
          end
          i64.reinterpret_f64
          global.get 2
          i64.xor
          global.set 2
          i64.const -9067769918896358826
        end
        global.get 5
        i64.xor
        global.set 5
        global.get 3
        i32.xor
        global.set 3
        v128.const i32x4 0x0001ffff 0x00000000 0x00000000 0x7ff80000
      end
      global.get 1
      v128.xor
      global.set 1
      global.get 5
      i64.xor
      global.set 5
      global.get 3
      i32.xor
      global.set 3
      global.get 5
      i64.xor
      global.set 5
      global.get 3
      i32.xor
      global.set 3
      i64.const 7378846219906640368
    end
    global.get 5
    i64.xor
    global.set 5
    global.get 1
    v128.xor
    global.set 1
    global.get 1
    v128.xor
    global.set 1
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
    global.get 1
    v128.xor
    global.set 1
    global.get 3
    i32.xor
    global.set 3
    i32.reinterpret_f32
    global.get 4
    i32.xor
    global.set 4
  )
  (func (;1;) (type 0) (param i64) (result i64)
    (local i32 i64 v128 f32 funcref funcref v128 f64)
    local.get 3
    f64x2.ceil
    local.tee 7
    v128.const i32x4 0x00000000 0x7ff80000 0x00000000 0x7ff80000
    local.get 7
    local.get 7
    f64x2.eq
    v128.bitselect
    f32x4.extract_lane 3
    f64.promote_f32
    f32.const 0x1.bp-145 (;=0.000000000000000000000000000000000000000000038;)
    i32.reinterpret_f32
    v128.const i32x4 0xb3f8e72d 0xd6cd03f2 0xa6a3e0fb 0xb5eec70f
    i32x4.extadd_pairwise_i16x8_s
    f64x2.convert_low_i32x4_s
    i32x4.extadd_pairwise_i16x8_s
    i8x16.abs
    i16x8.extend_low_i8x16_s
    i32x4.trunc_sat_f32x4_u
    i32x4.neg
    nop
    i32x4.trunc_sat_f32x4_u
    i32x4.extadd_pairwise_i16x8_s
    i8x16.popcnt
    i16x8.extend_low_i8x16_s
    i16x8.extract_lane_u 6
    i32.rem_s
    f64.convert_i32_s
    f64.floor
    local.tee 8
    f64.const nan (;=NaN;)
    local.get 8
    local.get 8
    f64.eq
    select
    i64.reinterpret_f64
    global.get 2
    i64.xor
    global.set 2
    i64.reinterpret_f64
    global.get 2
    i64.xor
    global.set 2
    i64.const -281474976710656
  )
  (data (;0;) "h")
)

(assert_return (invoke "" (v128.const i64x2 0 0)))
(assert_return (get "\u{13}\u{11}a") (v128.const i64x2 16008232478713500903 17142435146437744028))
