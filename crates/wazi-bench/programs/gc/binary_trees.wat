;; binary-trees from the Computer Language Benchmarks Game, on WebAssembly
;; GC structs: allocate and walk perfect binary trees of many depths, with
;; one long-lived tree alive throughout. `run n` returns the sum of every
;; check (the node counts the benchmark prints), so engines can be compared
;; by one number; `depth-check d` the node count of one tree of depth d.
;; Also `list-churn n`: builds a linked list of n nodes n/1000 times,
;; keeping only the last one, and returns the sum of the last one's values.
(module
  (type $node (struct (field $left (ref null $node)) (field $right (ref null $node))))
  (type $cell (struct (field $value i32) (field $next (ref null $cell))))

  (func $make (param $depth i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $depth))
      (then (struct.new $node (ref.null $node) (ref.null $node)))
      (else
        (struct.new $node
          (call $make (i32.sub (local.get $depth) (i32.const 1)))
          (call $make (i32.sub (local.get $depth) (i32.const 1)))))))

  (func $check (param $t (ref null $node)) (result i32)
    (local $l (ref null $node))
    (local.set $l (struct.get $node $left (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $check (local.get $l))
                   (call $check (struct.get $node $right (local.get $t))))))))

  (func (export "depth-check") (param $d i32) (result i32)
    (call $check (call $make (local.get $d))))

  (func (export "run") (param $n i32) (result i32)
    (local $sum i32) (local $long (ref null $node)) (local $d i32)
    (local $iters i32) (local $i i32)
    ;; The stretch tree, one deeper than the rest.
    (local.set $sum (call $check (call $make (i32.add (local.get $n) (i32.const 1)))))
    (local.set $long (call $make (local.get $n)))
    (local.set $d (i32.const 4))
    (block $done
      (loop $depths
        (br_if $done (i32.gt_s (local.get $d) (local.get $n)))
        (local.set $iters
          (i32.shl (i32.const 1)
            (i32.add (i32.sub (local.get $n) (local.get $d)) (i32.const 4))))
        (local.set $i (i32.const 0))
        (loop $trees
          (local.set $sum
            (i32.add (local.get $sum) (call $check (call $make (local.get $d)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $trees (i32.lt_s (local.get $i) (local.get $iters))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $depths)))
    (i32.add (local.get $sum) (call $check (local.get $long))))

  (func (export "list-churn") (param $n i32) (result i32)
    (local $list (ref null $cell)) (local $round i32) (local $i i32) (local $sum i32)
    (loop $rounds
      (local.set $list (ref.null $cell))
      (local.set $i (i32.const 0))
      (loop $build
        (local.set $list (struct.new $cell (local.get $i) (local.get $list)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $build (i32.lt_s (local.get $i) (local.get $n))))
      (local.set $round (i32.add (local.get $round) (i32.const 1)))
      (br_if $rounds (i32.lt_s (local.get $round) (i32.div_s (local.get $n) (i32.const 1000)))))
    (block $end
      (loop $walk
        (br_if $end (ref.is_null (local.get $list)))
        (local.set $sum (i32.add (local.get $sum) (struct.get $cell $value (local.get $list))))
        (local.set $list (struct.get $cell $next (local.get $list)))
        (br $walk)))
    (local.get $sum))
)
