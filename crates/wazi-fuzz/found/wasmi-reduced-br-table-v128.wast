;; wasmi 2.0: `br_table` with distinct targets carrying a v128 that must move
;; down the stack (an operand below it is discarded) delivers 0 (or stale
;; bits) instead of the value. wazi and wasmtime: all ones.
(module (func (export "f") (param v128 i32) (result v128)
  block (result v128)
    block (result v128)
      v128.const i64x2 7 7
      local.get 0 v128.not
      local.get 1
      br_table 1 0
    end
  end))
(assert_return (invoke "f" (v128.const i64x2 0 0) (i32.const 0)) (v128.const i64x2 -1 -1))
