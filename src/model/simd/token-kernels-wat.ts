// The kernels' WebAssembly text, as a module so that it ships with the compiled service (tsc copies no .wat).
// What they do and why: the comments below.
export const TOKEN_KERNELS_WAT = String.raw`
;; The hot loops of pooling tokens into entities' vectors during training (src/model/onnx/token-pool.ts),
;; in WebAssembly SIMD: a step pools, scatters and updates tens of thousands of 32-float rows, where plain
;; JavaScript reached 0.3 billion floats a second and these loops 8.
;;
;; Every argument named for an array is a byte offset into the module's memory; d (the rows' width) is a
;; multiple of 4. Per distinct entity s of a step: base[s] is where its tokens start in tokens, count[s]
;; how many it has, offset[s] and length[s] the window of them the step pools (cyclic), scale[s] what a
;; token's row is multiplied by.
(module
  (memory (export "memory") 1)

  ;; out[s] += scale[s] · Σ_{k < length[s]} table[tokens[base[s] + (offset[s] + k) mod count[s]]], for s < n.
  ;; acc is scratch of d floats.
  (func (export "pool")
    (param $table i32) (param $d i32) (param $tokens i32) (param $base i32) (param $count i32) (param $offset i32)
    (param $length i32) (param $scale i32) (param $n i32) (param $out i32) (param $acc i32)
    (local $s i32) (local $k i32) (local $pos i32) (local $cnt i32) (local $len i32) (local $first i32)
    (local $row i32) (local $j i32) (local $bytes i32) (local $factor v128) (local $dst i32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $entities_done (loop $entities
      (br_if $entities_done (i32.ge_u (local.get $s) (local.get $n)))
      ;; acc = 0
      (local.set $j (i32.const 0))
      (block $z_done (loop $z
        (br_if $z_done (i32.ge_u (local.get $j) (local.get $bytes)))
        (v128.store (i32.add (local.get $acc) (local.get $j)) (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $z)))
      (local.set $cnt (i32.load (i32.add (local.get $count) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $len (i32.load (i32.add (local.get $length) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $first (i32.load (i32.add (local.get $base) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $pos (i32.load (i32.add (local.get $offset) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $k (i32.const 0))
      (block $tokens_done (loop $tokens_loop
        (br_if $tokens_done (i32.ge_u (local.get $k) (local.get $len)))
        (local.set $row (i32.add (local.get $table)
          (i32.mul (i32.load (i32.add (local.get $tokens) (i32.shl (i32.add (local.get $first) (local.get $pos)) (i32.const 2)))) (local.get $bytes))))
        (local.set $j (i32.const 0))
        (block $r_done (loop $r
          (br_if $r_done (i32.ge_u (local.get $j) (local.get $bytes)))
          (v128.store (i32.add (local.get $acc) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $acc) (local.get $j))) (v128.load (i32.add (local.get $row) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $r)))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (if (i32.ge_u (local.get $pos) (local.get $cnt)) (then (local.set $pos (i32.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $tokens_loop)))
      ;; out[s] += scale[s] · acc
      (local.set $factor (f32x4.splat (f32.load (i32.add (local.get $scale) (i32.shl (local.get $s) (i32.const 2))))))
      (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $s) (local.get $bytes))))
      (local.set $j (i32.const 0))
      (block $o_done (loop $o
        (br_if $o_done (i32.ge_u (local.get $j) (local.get $bytes)))
        (v128.store (i32.add (local.get $dst) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $j)))
            (f32x4.mul (local.get $factor) (v128.load (i32.add (local.get $acc) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $o)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $entities)))
  )

  ;; The gradient on the pooled windows shared out over their tokens: for each token of s's window,
  ;; tokenGrad[token] += scale[s] · grads[s] and tokenWeight[token] += weight[s]; touched[token] (a byte)
  ;; marks the tokens of the step (a first touch sets rather than adds). Gradients are kept by token, not in
  ;; order of first sight, so that adam below walks the tables in order: on a 100,000-row table the step's
  ;; rows scattered across memory cost more than the arithmetic.
  (func (export "scatter")
    (param $d i32) (param $tokens i32) (param $base i32) (param $count i32) (param $offset i32) (param $length i32)
    (param $scale i32) (param $weight i32) (param $grads i32) (param $n i32)
    (param $touched i32) (param $tokenWeight i32) (param $tokenGrad i32)
    (local $s i32) (local $k i32) (local $pos i32) (local $cnt i32) (local $len i32) (local $first i32)
    (local $token i32) (local $j i32) (local $bytes i32)
    (local $factor v128) (local $w f32) (local $src i32) (local $dst i32) (local $flag i32)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (block $entities_done (loop $entities
      (br_if $entities_done (i32.ge_u (local.get $s) (local.get $n)))
      (local.set $cnt (i32.load (i32.add (local.get $count) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $len (i32.load (i32.add (local.get $length) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $first (i32.load (i32.add (local.get $base) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $pos (i32.load (i32.add (local.get $offset) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $factor (f32x4.splat (f32.load (i32.add (local.get $scale) (i32.shl (local.get $s) (i32.const 2))))))
      (local.set $w (f32.load (i32.add (local.get $weight) (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $src (i32.add (local.get $grads) (i32.mul (local.get $s) (local.get $bytes))))
      (local.set $k (i32.const 0))
      (block $tokens_done (loop $tokens_loop
        (br_if $tokens_done (i32.ge_u (local.get $k) (local.get $len)))
        (local.set $token (i32.load (i32.add (local.get $tokens) (i32.shl (i32.add (local.get $first) (local.get $pos)) (i32.const 2)))))
        (local.set $dst (i32.add (local.get $tokenGrad) (i32.mul (local.get $token) (local.get $bytes))))
        (local.set $flag (i32.add (local.get $touched) (local.get $token)))
        (if (i32.eqz (i32.load8_u (local.get $flag)))
          (then
            (i32.store8 (local.get $flag) (i32.const 1))
            (f32.store (i32.add (local.get $tokenWeight) (i32.shl (local.get $token) (i32.const 2))) (local.get $w))
            (local.set $j (i32.const 0))
            (block $c_done (loop $c
              (br_if $c_done (i32.ge_u (local.get $j) (local.get $bytes)))
              (v128.store (i32.add (local.get $dst) (local.get $j)) (f32x4.mul (local.get $factor) (v128.load (i32.add (local.get $src) (local.get $j)))))
              (local.set $j (i32.add (local.get $j) (i32.const 16)))
              (br $c))))
          (else
            (f32.store (i32.add (local.get $tokenWeight) (i32.shl (local.get $token) (i32.const 2)))
              (f32.add (f32.load (i32.add (local.get $tokenWeight) (i32.shl (local.get $token) (i32.const 2)))) (local.get $w)))
            (local.set $j (i32.const 0))
            (block $a_done (loop $a
              (br_if $a_done (i32.ge_u (local.get $j) (local.get $bytes)))
              (v128.store (i32.add (local.get $dst) (local.get $j))
                (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $j))) (f32x4.mul (local.get $factor) (v128.load (i32.add (local.get $src) (local.get $j))))))
              (local.set $j (i32.add (local.get $j) (i32.const 16)))
              (br $a)))))
        (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
        (if (i32.ge_u (local.get $pos) (local.get $cnt)) (then (local.set $pos (i32.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $tokens_loop)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $entities)))
  )

  ;; For each touched token of the table (numTokens rows, walked in order): its gradient plus its L2
  ;; (2·l2·weight·row), Adam's step on its row (moments m and v, bias corrections c1 and c2, as
  ;; src/model/onnx/adam.ts), and its mark cleared. Returns Σ weight·‖row‖² (the L2 term of the loss, before
  ;; the step).
  (func (export "adam")
    (param $table i32) (param $m i32) (param $v i32) (param $d i32) (param $numTokens i32)
    (param $touched i32) (param $tokenWeight i32) (param $tokenGrad i32)
    (param $l2 f32) (param $lr f32) (param $b1 f32) (param $b2 f32) (param $eps f32) (param $c1 f32) (param $c2 f32) (result f64)
    (local $token i32) (local $j i32) (local $bytes i32) (local $row i32) (local $g i32)
    (local $w v128) (local $grad v128) (local $mj v128) (local $vj v128) (local $squares v128) (local $weight f32)
    (local $reg f64) (local $l2w v128) (local $B1 v128) (local $B2 v128) (local $A1 v128) (local $A2 v128)
    (local $LR v128) (local $EPS v128) (local $C1 v128) (local $C2 v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $A1 (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $A2 (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $LR (f32x4.splat (local.get $lr)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (block $tokens_done (loop $tokens
      (br_if $tokens_done (i32.ge_u (local.get $token) (local.get $numTokens)))
      (if (i32.load8_u (i32.add (local.get $touched) (local.get $token))) (then
        (i32.store8 (i32.add (local.get $touched) (local.get $token)) (i32.const 0))
        (local.set $weight (f32.load (i32.add (local.get $tokenWeight) (i32.shl (local.get $token) (i32.const 2)))))
        (local.set $l2w (f32x4.splat (f32.mul (f32.mul (f32.const 2) (local.get $l2)) (local.get $weight))))
        (local.set $row (i32.mul (local.get $token) (local.get $bytes)))
        (local.set $g (i32.add (local.get $tokenGrad) (local.get $row)))
        (local.set $squares (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $r_done (loop $r
          (br_if $r_done (i32.ge_u (local.get $j) (local.get $bytes)))
          (local.set $w (v128.load (i32.add (i32.add (local.get $table) (local.get $row)) (local.get $j))))
          (local.set $squares (f32x4.add (local.get $squares) (f32x4.mul (local.get $w) (local.get $w))))
          (local.set $grad (f32x4.add (v128.load (i32.add (local.get $g) (local.get $j))) (f32x4.mul (local.get $l2w) (local.get $w))))
          (local.set $mj (f32x4.add (f32x4.mul (local.get $B1) (v128.load (i32.add (i32.add (local.get $m) (local.get $row)) (local.get $j))))
                                    (f32x4.mul (local.get $A1) (local.get $grad))))
          (local.set $vj (f32x4.add (f32x4.mul (local.get $B2) (v128.load (i32.add (i32.add (local.get $v) (local.get $row)) (local.get $j))))
                                    (f32x4.mul (local.get $A2) (f32x4.mul (local.get $grad) (local.get $grad)))))
          (v128.store (i32.add (i32.add (local.get $m) (local.get $row)) (local.get $j)) (local.get $mj))
          (v128.store (i32.add (i32.add (local.get $v) (local.get $row)) (local.get $j)) (local.get $vj))
          (v128.store (i32.add (i32.add (local.get $table) (local.get $row)) (local.get $j))
            (f32x4.sub (local.get $w)
              (f32x4.div (f32x4.mul (local.get $LR) (f32x4.div (local.get $mj) (local.get $C1)))
                         (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vj) (local.get $C2))) (local.get $EPS)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $r)))
        (local.set $reg (f64.add (local.get $reg) (f64.mul (f64.promote_f32 (local.get $weight))
          (f64.promote_f32 (f32.add (f32.add (f32x4.extract_lane 0 (local.get $squares)) (f32x4.extract_lane 1 (local.get $squares)))
                                    (f32.add (f32x4.extract_lane 2 (local.get $squares)) (f32x4.extract_lane 3 (local.get $squares))))))))))
      (local.set $token (i32.add (local.get $token) (i32.const 1)))
      (br $tokens)))
    (local.get $reg)
  )
)
`;
