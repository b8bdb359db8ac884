;; wasmi 2.0: a `local.get` left on the stack below an `if` that takes block
;; parameters reads 0 (in a fresh process; stale stack bits otherwise) after
;; the `if`, when the then-arm (not taken here) opens a block/loop or sets that
;; local. wazi and wasmtime 48: 5. Root of 947697, 3679749, 123987, 1380818,
;; 7393883, 9311595.
(module
  (global $g (mut i64) (i64.const 0))
  (export "g" (global $g))
  (func (export "block") (param i32) (local i64)
    i64.const 5 local.set 1
    local.get 1  f32.const 1  local.get 0
    if (param f32) (result f32) block end end
    drop global.set $g)
  (func (export "set") (param i32) (local i64)
    i64.const 5 local.set 1
    local.get 1  f32.const 1  local.get 0
    if (param f32) (result f32) i64.const 9 local.set 1 end
    drop global.set $g))
(invoke "block" (i32.const 0))
(assert_return (get "g") (i64.const 5))
(invoke "set" (i32.const 0))
(assert_return (get "g") (i64.const 5))
