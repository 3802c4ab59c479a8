/**
 * Dense layer op, y = act(x·W + b), with a hand-written backward pass.
 *
 * WHY: the default gradient of tf.matMul asks BatchMatMul for transposed operands
 * (dW = xᵀ·dy via transposeA, dx = dy·Wᵀ via transposeB). On the wasm backend that kernel is
 * several times slower with a transpose flag than when the operand is transposed first
 * (docs/benchmarks.md). Here the backward transposes explicitly, then multiplies.
 * The forward uses the fused matmul + bias + relu kernel (one pass over the output).
 */
import * as tf from './tf.js';

export type Activation = 'relu' | 'linear';

const denseOps = new Map<Activation, (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D>();

function makeDenseOp(activation: Activation) {
  return tf.customGrad<tf.Tensor2D>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y: tf.Tensor2D = tf.fused.matMul({ a: x, b: w, bias: b, activation: activation === 'relu' ? 'relu' : 'linear' }) as tf.Tensor2D;
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (g: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // relu'(z) = 1 where z > 0  ⇔  y > 0.
        const dz = activation === 'relu' ? tf.mul(g, tf.step(ys)) : g;
        const dx = tf.matMul(dz, tf.transpose(ws));
        const dw = tf.matMul(tf.transpose(xs), dz);
        const db = tf.sum(dz, 0);
        return [dx, dw, db];
      },
    };
  }) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
}

/** y = act(x·W + b); differentiable w.r.t. x, W and b (W and b may be tf.Variables). */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  let op = denseOps.get(activation);
  if (!op) {
    op = makeDenseOp(activation);
    denseOps.set(activation, op);
  }
  return op(x, w, b);
}

/** Reference implementation with tfjs' default gradients (for tests). */
export function denseReference(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  return activation === 'relu' ? tf.relu(z) : z;
}
