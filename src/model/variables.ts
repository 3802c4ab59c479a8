import * as tf from './tf.js';

/** A trainable tf.Variable from plain values (auto-named: several models may coexist). */
export function makeVariable<R extends tf.Rank>(values: Float32Array, shape: number[]): tf.Variable<R> {
  const init = tf.tensor(values, shape, 'float32');
  const v = tf.variable(init, true) as tf.Variable<R>;
  init.dispose();
  return v;
}
