/**
 * The training step on TensorFlow.js: every optimizer (adam, sgd, adagrad), lazy or dense Adam, weight
 * averaging. The epoch's loss totals stay tensors until the epoch ends (no sync per batch).
 */
import * as tf from './tf.js';
import type { TrainingConfig } from './config.js';
import { EmbeddingTower } from './embedding-tower.js';
import { LazyAdam, WeightAverage, makeOptimizer, setLearningRate, uniqueIds, type SparseGradient } from './optimizer.js';
import type { ModelWeights, RankingModel } from './ranking-model.js';
import { rankingLoss } from './ranking-task.js';
import { NetworkOwner, type Batch, type TrainingStepper } from './stepper.js';

export class TfjsStepper extends NetworkOwner implements TrainingStepper {
  readonly engine = 'tfjs' as const;
  private readonly optimizer: tf.Optimizer;
  /** Lazy Adam: the embedding/bias tables go to LazyAdam (rows in the batch only), the head to tfjs' Adam. */
  private readonly lazy: LazyAdam | null;
  private readonly varList: tf.Variable[];
  private readonly trained: tf.Variable[];
  private readonly average: WeightAverage | null;
  private readonly userStamp: Int32Array;
  private readonly itemStamp: Int32Array;
  private sseParts: tf.Scalar[] = [];
  private lossParts: tf.Scalar[] = [];

  constructor(c: TrainingConfig, model: RankingModel) {
    super(model);
    this.optimizer = makeOptimizer(c.optimizer, c.learningRate);
    this.lazy = c.optimizer === 'adam' && c.lazyAdam ? new LazyAdam(c.learningRate) : null;
    this.varList = this.lazy ? model.head.variables() : model.trainableVariables();
    this.trained = model.trainableVariables();
    this.average = c.weightAverageDecay > 0 ? new WeightAverage(this.trained, c.weightAverageDecay) : null;
    this.userStamp = new Int32Array(model.numUsers);
    this.itemStamp = new Int32Array(model.numItems);
  }

  async step({ users: ub, items: ib, ratings: yb, size }: Batch, dropoutSeed: number): Promise<void> {
    const { model } = this;
    if (this.lazy) {
      const bl = this.lazyStep(ub, ib, yb, size, dropoutSeed);
      this.sseParts.push(bl.sse);
      this.lossParts.push(bl.loss);
    } else {
      tf.tidy(() => {
        const users = tf.tensor1d(ub.subarray(0, size), 'int32');
        const items = tf.tensor1d(ib.subarray(0, size), 'int32');
        const y = tf.tensor1d(yb.subarray(0, size), 'float32');
        let sse: tf.Scalar | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const f = model.forward(users, items, { training: true, dropoutSeed });
          const t = rankingLoss(f.predictions, y, f.regularization);
          sse = tf.keep(t.sse);
          return t.loss;
        }, this.varList);
        this.optimizer.applyGradients(grads);
        this.sseParts.push(tf.keep(sse!));
        this.lossParts.push(tf.keep(tf.mul(value, size) as tf.Scalar));
      });
    }
    this.average?.update();
  }

  /**
   * One step with lazy Adam: gather the batch's unique user/product rows, differentiate the loss
   * w.r.t. those rows (the gather from them back-propagates as a segment sum over the unique rows, i.e.
   * the sparse gradient) and the head's variables, then update the rows with LazyAdam and the head
   * with tfjs' Adam. Returns the batch's kept SSE and size × loss scalars.
   */
  private lazyStep(ub: Int32Array, ib: Int32Array, yb: Float32Array, size: number, dropoutSeed: number): { sse: tf.Scalar; loss: tf.Scalar } {
    const { model, lazy } = this;
    const headVars = this.varList;
    const u = uniqueIds(ub, size, this.userStamp);
    const i = uniqueIds(ib, size, this.itemStamp);
    return tf.tidy(() => {
      const uIds = tf.tensor1d(u.unique, 'int32');
      const iIds = tf.tensor1d(i.unique, 'int32');
      const uLocal = tf.tensor1d(u.local, 'int32');
      const iLocal = tf.tensor1d(i.local, 'int32');
      const y = tf.tensor1d(yb.subarray(0, size), 'float32');
      const uRows = model.user.lookup(uIds);
      const iRows = model.item.lookup(iIds);
      const rowTensors = [uRows.embedding, iRows.embedding, ...(uRows.bias && iRows.bias ? [uRows.bias, iRows.bias] : [])];
      let sse: tf.Scalar | null = null;
      // Differentiate w.r.t. the gathered rows and the head's variables (same tensor objects as used inside).
      const { value, grads } = tf.valueAndGrads((..._xs: tf.Tensor[]) => {
        const f = model.forwardLookups(EmbeddingTower.lookupRows(uRows, uLocal), EmbeddingTower.lookupRows(iRows, iLocal), {
          training: true,
          dropoutSeed,
        });
        const t = rankingLoss(f.predictions, y, f.regularization);
        sse = tf.keep(t.sse);
        return t.loss;
      })([...rowTensors, ...headVars]);
      const nRows = rowTensors.length;
      const headGrads: tf.NamedTensorMap = {};
      headVars.forEach((v, k) => (headGrads[v.name] = grads[nRows + k]));
      this.optimizer.applyGradients(headGrads);
      const sparse: SparseGradient[] = [
        { variable: model.user.embeddings, indices: uIds, gradient: grads[0] },
        { variable: model.item.embeddings, indices: iIds, gradient: grads[1] },
      ];
      if (nRows === 4) {
        sparse.push({ variable: model.user.biases!, indices: uIds, gradient: grads[2] });
        sparse.push({ variable: model.item.biases!, indices: iIds, gradient: grads[3] });
      }
      lazy!.applySparseGradients(sparse);
      return { sse: sse!, loss: tf.mul(value, size) as tf.Scalar };
    });
  }

  epochTotals() {
    if (this.sseParts.length === 0) return { sse: 0, loss: 0 };
    const totals = tf.tidy(() => tf.stack([tf.addN(this.sseParts), tf.addN(this.lossParts)]));
    const [sse, loss] = totals.dataSync();
    totals.dispose();
    tf.dispose([...this.sseParts, ...this.lossParts]);
    this.sseParts = [];
    this.lossParts = [];
    return { sse, loss };
  }

  async predict(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    return this.model.predictArrays(users, items);
  }

  useEvaluationWeights() {
    if (!this.average) return null;
    const live = this.model.getWeights();
    this.average.averaged().forEach((s, k) => this.trained[k].assign(s));
    return () => this.model.setWeights(live);
  }

  getWeights(): ModelWeights {
    return this.model.getWeights();
  }

  setWeights(weights: ModelWeights): void {
    this.model.setWeights(weights);
  }

  setLearningRate(learningRate: number): void {
    setLearningRate(this.optimizer, learningRate);
    if (this.lazy) this.lazy.learningRate = learningRate;
  }

  protected release(): void {
    this.optimizer.dispose();
    this.lazy?.dispose();
    this.average?.dispose();
    tf.dispose([...this.sseParts, ...this.lossParts]);
  }
}
