;; wasmi 2.0: `select` whose condition is `ref.is_null` picks the wrong operand
;; when a computed i32 sits below on the stack. wazi and wasmtime: g = 1; wasmi: 2.
(module (global (mut i64) (i64.const 7)) (export "g" (global 0))
 (func (export "f") (param i32 externref)
   local.get 0 i32.eqz
   i64.const 1 i64.const 2 local.get 1 ref.is_null select global.set 0 drop))
(invoke "f" (i32.const 0) (ref.null extern))
(assert_return (get "g") (i64.const 1))
