;; Loops whose back edge steps a counter in place and branches on it: wazi
;; fuses the `i32.add` of a constant and the test that follows it into one
;; instruction (`i32_add_br_*`). The counter must hold the sum afterwards,
;; whichever way the branch goes, the sum wraps at 32 bits, and a test of
;; anything else than the stepped value must not be fused. Passes in
;; wasmtime 48 too.
(module
  ;; Counts down with `br_if` on the stepped value (non-zero).
  (func (export "down") (param i32) (result i32)
    (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 3)))
      (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
    (local.get 1))
  ;; The counter after the loop: the sum the last step wrote.
  (func (export "down_left") (param i32 i32) (result i32)
    (loop $l
      (br_if $l (local.tee 0 (i32.add (local.get 0) (local.get 1)))))
    (local.get 0))
  ;; `if` on the stepped value: taken when it is zero.
  (func (export "if_step") (param i32) (result i32)
    (if (result i32) (local.tee 0 (i32.add (local.get 0) (i32.const -2)))
      (then (i32.add (local.get 0) (i32.const 1000)))
      (else (i32.const -1))))
  ;; `br_if` out of a block on `eqz` of the stepped value.
  (func (export "until_zero") (param i32) (result i32)
    (local i32)
    (block $done
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $done (i32.eqz (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
        (br $l)))
    (local.get 1))
  ;; `i32.ne` of the stepped value and a local, in both orders.
  (func (export "up_to") (param i32) (result i32)
    (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (br_if $l (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
    (local.get 2))
  (func (export "up_to_rev") (param i32) (result i32)
    (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (local.get 1)))
      (br_if $l (i32.ne (local.get 0) (local.tee 1 (i32.add (local.get 1) (i32.const 1))))))
    (local.get 2))
  ;; `i32.ne` with a constant; steps at both ends of 16 bits and past them.
  (func (export "by4") (result i32)
    (local i32 i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 4))) (i32.const 192))))
    (i32.add (i32.mul (local.get 1) (i32.const 1000)) (local.get 0)))
  (func (export "step_max") (param i32 i32) (result i32)
    (local i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 32767))) (local.get 1))))
    (local.get 2))
  (func (export "step_min") (param i32 i32) (result i32)
    (local i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const -32768))) (local.get 1))))
    (local.get 2))
  (func (export "step_big") (param i32 i32) (result i32)
    (local i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 65536))) (local.get 1))))
    (local.get 2))
  ;; The sum wraps.
  (func (export "wrap") (result i32)
    (local i32 i32)
    (local.set 0 (i32.const 0x7ffffffe))
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 0x80000002))))
    (local.get 1))
  ;; The comparison reads the value from before the step: not a test of
  ;; the sum (a fused instruction would stop after one round).
  (func (export "old_vs_new") (param i32) (result i32)
    (local i32)
    (block $out
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $out (i32.ge_u (local.get 1) (i32.const 5)))
        (br_if $l (i32.ne (local.get 0) (local.tee 0 (i32.add (local.get 0) (i32.const 1)))))))
    (local.get 1))
  ;; The add writes another local than it reads: the test is of that one.
  (func (export "other_local") (param i32) (result i32)
    (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (local.set 1 (i32.add (local.get 0) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const 2)))
      (br_if $l (i32.ne (local.get 1) (i32.const 11))))
    (local.get 2))
  ;; A label between the step and the test.
  (func (export "label_between") (param i32) (result i32)
    (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (block)
      (br_if $l (i32.ne (local.get 1) (local.get 0))))
    (local.get 2))
  ;; A forward `i32.ne` branch (not a back edge) after a step.
  (func (export "forward_ne") (param i32) (result i32)
    (local i32)
    (block $b
      (br_if $b (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 10)))
      (local.set 1 (i32.const 100)))
    (i32.add (local.get 0) (local.get 1)))
  ;; `i32.lt_u` after adding a slot: the sieve's inner loop, with the add's
  ;; operands in both orders, a step of the counter itself, an unsigned
  ;; comparison of sums past 2^31, and the stepped value on the right
  ;; (`n < j`, not fused).
  (func (export "stride") (param i32 i32 i32) (result i32)
    (local i32)
    (loop $l
      (local.set 3 (i32.add (local.get 3) (i32.const 1)))
      (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (local.get 1))) (local.get 2))))
    (i32.add (i32.mul (local.get 3) (i32.const 1000)) (local.get 0)))
  (func (export "stride_rev") (param i32 i32 i32) (result i32)
    (local i32)
    (loop $l
      (local.set 3 (i32.add (local.get 3) (i32.const 1)))
      (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 1) (local.get 0))) (local.get 2))))
    (i32.add (i32.mul (local.get 3) (i32.const 1000)) (local.get 0)))
  (func (export "doubling") (param i32 i32) (result i32)
    (local i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (local.get 0))) (local.get 1))))
    (local.get 2))
  (func (export "right_stepped") (param i32 i32 i32) (result i32)
    (local i32)
    (loop $l
      (local.set 3 (i32.add (local.get 3) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 2) (local.tee 0 (i32.add (local.get 0) (local.get 1))))))
    (local.get 3))
  ;; `i64` counters: `ne` of two slots in both orders (wrapping past
  ;; 2^63), `eqz` out of a block.
  (func (export "up64") (param i64 i64) (result i64)
    (local i64)
    (loop $l
      (local.set 2 (i64.add (local.get 2) (i64.const 1)))
      (br_if $l (i64.ne (local.tee 0 (i64.add (local.get 0) (i64.const 3))) (local.get 1))))
    (i64.add (i64.mul (local.get 2) (i64.const 1000)) (local.get 0)))
  (func (export "up64_rev") (param i64 i64) (result i64)
    (local i64)
    (loop $l
      (local.set 2 (i64.add (local.get 2) (i64.const 1)))
      (br_if $l (i64.ne (local.get 1) (local.tee 0 (i64.add (local.get 0) (i64.const -1))))))
    (local.get 2))
  (func (export "down64") (param i64) (result i64)
    (local i64)
    (block $done
      (loop $l
        (local.set 1 (i64.add (local.get 1) (i64.const 2)))
        (br_if $done (i64.eqz (local.tee 0 (i64.add (local.get 0) (i64.const -1)))))
        (br $l)))
    (local.get 1))
  ;; A step that traps nothing but runs out of fuel would; with a memory
  ;; access in the body, the loop's counter stays right.
  (memory 1)
  (func (export "fill") (param i32) (result i32)
    (local i32)
    (loop $l
      (i32.store8 (local.get 1) (local.get 1))
      (br_if $l (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))
    (i32.add (i32.load8_u (i32.sub (local.get 0) (i32.const 1))) (local.get 1)))
)

(assert_return (invoke "down" (i32.const 5)) (i32.const 15))
(assert_return (invoke "down" (i32.const 1)) (i32.const 3))
(assert_return (invoke "down_left" (i32.const 10) (i32.const -2)) (i32.const 0))
(assert_return (invoke "down_left" (i32.const 1) (i32.const -1)) (i32.const 0))
(assert_return (invoke "if_step" (i32.const 2)) (i32.const -1))
(assert_return (invoke "if_step" (i32.const 7)) (i32.const 1005))
(assert_return (invoke "if_step" (i32.const 0)) (i32.const 998))
(assert_return (invoke "until_zero" (i32.const 4)) (i32.const 4))
(assert_return (invoke "until_zero" (i32.const 1)) (i32.const 1))
(assert_return (invoke "up_to" (i32.const 10)) (i32.const 45))
(assert_return (invoke "up_to" (i32.const 1)) (i32.const 0))
(assert_return (invoke "up_to_rev" (i32.const 10)) (i32.const 45))
(assert_return (invoke "up_to_rev" (i32.const 3)) (i32.const 3))
(assert_return (invoke "by4") (i32.const 48192))
(assert_return (invoke "step_max" (i32.const 0) (i32.const 98301)) (i32.const 3))
(assert_return (invoke "step_min" (i32.const 0) (i32.const -98304)) (i32.const 3))
(assert_return (invoke "step_big" (i32.const 0) (i32.const 196608)) (i32.const 3))
(assert_return (invoke "wrap") (i32.const 4))
(assert_return (invoke "old_vs_new" (i32.const 0)) (i32.const 5))
(assert_return (invoke "other_local" (i32.const 0)) (i32.const 6))
(assert_return (invoke "label_between" (i32.const 7)) (i32.const 7))
(assert_return (invoke "forward_ne" (i32.const 9)) (i32.const 110))
(assert_return (invoke "forward_ne" (i32.const 3)) (i32.const 4))
(assert_return (invoke "fill" (i32.const 200)) (i32.const 399))
(assert_return (invoke "stride" (i32.const 0) (i32.const 3) (i32.const 10)) (i32.const 4012))
(assert_return (invoke "stride" (i32.const 5) (i32.const 7) (i32.const 1)) (i32.const 1012))
(assert_return (invoke "stride_rev" (i32.const 0) (i32.const 3) (i32.const 10)) (i32.const 4012))
(assert_return (invoke "stride" (i32.const 0x7ffffff0) (i32.const 0x10) (i32.const 0x80000020)) (i32.const 0x80000bd8))
(assert_return (invoke "stride" (i32.const 0xfffffff0) (i32.const 0x20) (i32.const 0x100)) (i32.const 9272))
(assert_return (invoke "doubling" (i32.const 1) (i32.const 1000)) (i32.const 10))
(assert_return (invoke "doubling" (i32.const 1) (i32.const 0x80000000)) (i32.const 31))
(assert_return (invoke "right_stepped" (i32.const 10) (i32.const -3) (i32.const 2)) (i32.const 3))
(assert_return (invoke "up64" (i64.const 0) (i64.const 30)) (i64.const 10030))
(assert_return (invoke "up64" (i64.const 0x7ffffffffffffffe) (i64.const 0x8000000000000004)) (i64.const 0x80000000000007d4))
(assert_return (invoke "up64_rev" (i64.const 10) (i64.const 4)) (i64.const 6))
(assert_return (invoke "down64" (i64.const 5)) (i64.const 10))
