/** Optimizer construction and learning-rate changes, from the TrainingConfig. */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from './config.js';

export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    default:
      throw new Error(`Unknown optimizer ${String(name)}`);
  }
}

/**
 * Change the learning rate of a tfjs optimizer in place. tfjs keeps it in a protected field and
 * reads it on every step; SGD additionally caches it as a scalar tensor (`c`).
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
