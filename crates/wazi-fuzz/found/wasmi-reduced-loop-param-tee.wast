;; wasmi 2.0: the result of a `local.tee` (of a computed value) left on the
;; stack below a `loop` whose block parameter is a `local.get` of another local
;; reads 0 after the loop. wazi and wasmtime 48: 5. (Agrees if the tee'd value
;; is a constant, the local is the same one, the param is computed, or the
;; construct is a `block`.) Root of 1373918.
(module
  (global $g (mut i32) (i32.const 0))
  (export "g" (global $g))
  (func (export "f") (param i32) (local i32)
    local.get 0 i32.const 5 i32.add local.tee 1
    local.get 0
    loop (param i32) drop end
    global.set $g))
(invoke "f" (i32.const 0))
(assert_return (get "g") (i32.const 5))
