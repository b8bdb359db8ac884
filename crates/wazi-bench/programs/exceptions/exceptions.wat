;; Exception kernels: the same call chain (three frames deep) run `n`
;; times inside a `try_table`, either throwing every time (`throwing`) or
;; never (`not-throwing`), and a `try_table` entered around cheap work in a
;; hot loop (`enter-only`). Each returns a checksum.
(module
  (tag $e (param i32))
  (func $leaf (param i32) (result i32)
    (if (i32.and (local.get 0) (i32.const 0x40000000))
      (then (throw $e (i32.add (local.get 0) (i32.const 1)))))
    (i32.mul (local.get 0) (i32.const 3)))
  (func $mid (param i32) (result i32)
    (i32.add (call $leaf (local.get 0)) (i32.const 1)))
  (func $top (param i32) (result i32)
    (i32.xor (call $mid (local.get 0)) (i32.const 5)))
  (func $run (param $n i32) (param $flag i32) (result i32) (local $sum i32)
    (loop $l
      (local.set $sum
        (i32.add (local.get $sum)
          (block $h (result i32)
            (try_table (result i32) (catch $e $h)
              (call $top (i32.or (local.get $n) (local.get $flag)))))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  (func (export "throwing") (param i32) (result i32)
    (call $run (local.get 0) (i32.const 0x40000000)))
  (func (export "not-throwing") (param i32) (result i32)
    (call $run (local.get 0) (i32.const 0)))
  (func (export "enter-only") (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h)
          (local.set $sum (i32.add (local.get $sum) (i32.mul (local.get $n) (local.get $n)))))
        (i32.const 0))
      (drop)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum)))
