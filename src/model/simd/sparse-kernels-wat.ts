// The selection model's products of the sparse interaction matrix with dense blocks
// (src/model/selection/interaction-matrix.ts), in WebAssembly SIMD: on a shop of ten million interactions a
// fit multiplies by XᵀX a few times, each time ten million rows of a few hundred numbers.
export const SPARSE_KERNELS_WAT = String.raw`
;; Arguments named for arrays are byte offsets into the module's memory. X is compressed rows: user u's
;; entries are items[start[u] .. start[u+1]) with their weights (f32).
(module
  (memory (export "memory") 1)

  ;; out += Xᵀ(X·Y) for Y [numItems × m] (f64, row-major; m even), one user at a time (z: m f64 of scratch).
  (func (export "gram_times")
    (param $start i32) (param $items i32) (param $weights i32) (param $users i32)
    (param $y i32) (param $m i32) (param $out i32) (param $z i32)
    (local $u i32) (local $e i32) (local $from i32) (local $to i32) (local $j i32) (local $bytes i32)
    (local $row i32) (local $v v128)
    (local.set $bytes (i32.shl (local.get $m) (i32.const 3)))
    (block $users_done (loop $users_loop
      (br_if $users_done (i32.ge_u (local.get $u) (local.get $users)))
      (local.set $from (i32.load (i32.add (local.get $start) (i32.shl (local.get $u) (i32.const 2)))))
      (local.set $to (i32.load (i32.add (local.get $start) (i32.shl (i32.add (local.get $u) (i32.const 1)) (i32.const 2)))))
      (if (i32.lt_u (local.get $from) (local.get $to)) (then
        ;; z = 0
        (local.set $j (i32.const 0))
        (block $z_done (loop $z_loop
          (br_if $z_done (i32.ge_u (local.get $j) (local.get $bytes)))
          (v128.store (i32.add (local.get $z) (local.get $j)) (v128.const i64x2 0 0))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $z_loop)))
        ;; z = Σ_e w_e · Y[item_e]
        (local.set $e (local.get $from))
        (block $a_done (loop $a
          (br_if $a_done (i32.ge_u (local.get $e) (local.get $to)))
          (local.set $v (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $weights) (i32.shl (local.get $e) (i32.const 2)))))))
          (local.set $row (i32.add (local.get $y) (i32.mul (i32.load (i32.add (local.get $items) (i32.shl (local.get $e) (i32.const 2)))) (local.get $bytes))))
          (local.set $j (i32.const 0))
          (block $r_done (loop $r
            (br_if $r_done (i32.ge_u (local.get $j) (local.get $bytes)))
            (v128.store (i32.add (local.get $z) (local.get $j))
              (f64x2.add (v128.load (i32.add (local.get $z) (local.get $j))) (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $row) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $r)))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $a)))
        ;; out[item_e] += w_e · z
        (local.set $e (local.get $from))
        (block $b_done (loop $b
          (br_if $b_done (i32.ge_u (local.get $e) (local.get $to)))
          (local.set $v (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $weights) (i32.shl (local.get $e) (i32.const 2)))))))
          (local.set $row (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $items) (i32.shl (local.get $e) (i32.const 2)))) (local.get $bytes))))
          (local.set $j (i32.const 0))
          (block $s_done (loop $s
            (br_if $s_done (i32.ge_u (local.get $j) (local.get $bytes)))
            (v128.store (i32.add (local.get $row) (local.get $j))
              (f64x2.add (v128.load (i32.add (local.get $row) (local.get $j))) (f64x2.mul (local.get $v) (v128.load (i32.add (local.get $z) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $s)))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $b)))))
      (local.set $u (i32.add (local.get $u) (i32.const 1)))
      (br $users_loop)))
  )

  ;; out[r] = Σ_e w_e · scale[item_e] · vectors[item_e] for the n users listed in list (f32; k a multiple of 4).
  (func (export "user_vectors")
    (param $start i32) (param $items i32) (param $weights i32) (param $list i32) (param $n i32)
    (param $scale i32) (param $vectors i32) (param $k i32) (param $out i32)
    (local $r i32) (local $u i32) (local $e i32) (local $to i32) (local $item i32) (local $j i32) (local $bytes i32)
    (local $dst i32) (local $row i32) (local $v v128)
    (local.set $bytes (i32.shl (local.get $k) (i32.const 2)))
    (block $done (loop $users_loop
      (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $u (i32.load (i32.add (local.get $list) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $e (i32.load (i32.add (local.get $start) (i32.shl (local.get $u) (i32.const 2)))))
      (local.set $to (i32.load (i32.add (local.get $start) (i32.shl (i32.add (local.get $u) (i32.const 1)) (i32.const 2)))))
      (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $bytes))))
      (local.set $j (i32.const 0))
      (block $z_done (loop $z
        (br_if $z_done (i32.ge_u (local.get $j) (local.get $bytes)))
        (v128.store (i32.add (local.get $dst) (local.get $j)) (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $z)))
      (block $e_done (loop $entries
        (br_if $e_done (i32.ge_u (local.get $e) (local.get $to)))
        (local.set $item (i32.load (i32.add (local.get $items) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $v (f32x4.splat (f32.mul
          (f32.load (i32.add (local.get $weights) (i32.shl (local.get $e) (i32.const 2))))
          (f32.load (i32.add (local.get $scale) (i32.shl (local.get $item) (i32.const 2)))))))
        (local.set $row (i32.add (local.get $vectors) (i32.mul (local.get $item) (local.get $bytes))))
        (local.set $j (i32.const 0))
        (block $r_done (loop $rows
          (br_if $r_done (i32.ge_u (local.get $j) (local.get $bytes)))
          (v128.store (i32.add (local.get $dst) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $j))) (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $row) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $rows)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $entries)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $users_loop)))
  )
)
`;
