/**
 * The ranking task: mean squared error between predicted and true ratings, plus the L2 penalties,
 * as in tfrs.tasks.Ranking(loss=MeanSquaredError()).
 */
import * as tf from './tf.js';

export interface TaskLoss {
  /** Objective to minimise (MSE + regularisation). */
  loss: tf.Scalar;
  /** Sum of squared errors of the batch (no regularisation), for the running train RMSE. */
  sse: tf.Scalar;
}

export function rankingLoss(predictions: tf.Tensor1D, ratings: tf.Tensor1D, regularization: tf.Scalar | null): TaskLoss {
  const sqErr = tf.squaredDifference(predictions, ratings);
  const sse = tf.sum(sqErr) as tf.Scalar;
  const mse = tf.div(sse, predictions.shape[0]) as tf.Scalar;
  return { loss: regularization ? (tf.add(mse, regularization) as tf.Scalar) : mse, sse };
}
