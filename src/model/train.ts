/**
 * Training loop for the ranking model: seeded shuffling, mini-batch steps with the configured
 * optimizer, per-epoch validation RMSE, early stopping (restoring the best epoch), LR decay.
 * No global state besides the tf backend, so it can run inside a worker thread.
 */
import type { EntityFeatures } from './features.js';
import { fitBaseline, type BaselineModel } from './baseline.js';
import { effectiveBatchSize, effectivePatience, resolveConfig, type TrainingConfig } from './config.js';
import { assertRatingData, splitValidation, type RatingData } from './data.js';
import { rmse } from './metrics.js';
import { RankingModel, type ModelWeights } from './ranking-model.js';
import { RankingEnsemble } from './ranking-ensemble.js';
import { makeRng, permutation } from './rng.js';
import { resolveEngine, runtimeFor, type Batch, type EnginePreference, type TrainingStepper } from './stepper.js';
import { TfjsStepper } from './tfjs-stepper.js';
import { OnnxStepper } from './onnx/onnx-stepper.js';

/** Which network of the ensemble (config.ensembleSize) a log line is about; 1-based. */
export interface MemberTag {
  member: number;
  members: number;
}

export interface EpochLog extends MemberTag {
  epoch: number; // 1-based
  epochs: number;
  /** RMSE over the epoch's training batches (running, with dropout, unclipped). */
  trainRmse: number;
  /** RMSE on the validation set after the epoch (clipped predictions); NaN without validation. */
  valRmse: number;
  /** Mean training objective (MSE + regularisation) over the epoch. */
  loss: number;
  seconds: number;
  learningRate: number;
}

export interface BatchProgress extends MemberTag {
  epoch: number;
  epochs: number;
  batch: number; // 1-based
  batches: number;
  ratingsSeen: number;
}

export interface TrainOptions {
  onEpoch?: (e: EpochLog) => void;
  onBatch?: (p: BatchProgress) => void;
  /** Validation data; when absent, config.validationFraction of `data` is held out (seeded). */
  validation?: RatingData;
  /** Aborts between batches (throws an AbortError). */
  signal?: AbortSignal;
  /** The compute engine (default auto: onnxruntime where it loads and covers the configuration). */
  engine?: EnginePreference;
  /** Date.now() that no epoch may end after (TRAINING_BUDGET_S): training stops before an epoch as long as the last would pass it; the best epoch so far is kept. */
  deadline?: number;
  /**
   * Early stopping of a bad tuning trial (median stopping rule): from epoch PRUNE_AFTER_EPOCHS on, training stops
   * once the best validation RMSE so far is above pruneAbove[epoch − 1] (the median of the earlier trials' best so far
   * at that epoch).
   */
  pruneAbove?: number[];
}

/** Epochs every trial gets before it may be pruned: the first epochs of good and bad configurations look alike. */
export const PRUNE_AFTER_EPOCHS = 3;

/** Why a network stopped training. */
export type StopReason = 'epochs' | 'patience' | 'budget' | 'pruned';

export interface TrainResult {
  /** The trained network, or networks when config.ensembleSize > 1. */
  model: RankingEnsemble;
  /** The bias baseline fitted on the same training rows (fallback for unknown users/products). */
  baseline: BaselineModel;
  /** Every epoch of every network, network by network. */
  history: EpochLog[];
  /** 1-based epoch whose weights the (first) network holds (by validation RMSE). */
  bestEpoch: number;
  /** Why each network stopped (its first fit; a refit runs its epochs). */
  stopped: StopReason[];
  /** The same for each network of the ensemble. */
  bestEpochs: number[];
  /** When config.refitFullData: the epochs of the final refits on all of `data` (no validation). */
  refitHistory: EpochLog[];
  config: TrainingConfig;
}

/** The rows a run trains on: `train` and `validation` (carved from `data` unless given). */
export interface TrainingSplit {
  /** All the training ratings (what a refit trains on). */
  data: RatingData;
  train: RatingData;
  validation: RatingData | null;
  /** True when `validation` was carved out of `data` (so a refit on all of `data` is possible). */
  carved: boolean;
}

/** One trained network of the ensemble. */
export interface TrainedMember {
  /** 0-based position in the ensemble. */
  member: number;
  model: RankingModel;
  history: EpochLog[];
  refitHistory: EpochLog[];
  bestEpoch: number;
  stopped: StopReason;
}

/**
 * Trains the given networks (0-based) of an ensemble and returns them in the order asked. The
 * default trains them one after another in this thread; src/training/member-threads.ts trains them
 * on threads of their own.
 */
export type MemberTrainer = (split: TrainingSplit, config: TrainingConfig, members: number[], opts: TrainOptions) => Promise<TrainedMember[]>;

export async function trainRankingModel(
  data: RatingData,
  config: Partial<TrainingConfig> = {},
  opts: TrainOptions & { memberTrainer?: MemberTrainer } = {},
): Promise<TrainResult> {
  const c = resolveConfig(config);
  const split = prepareSplit(data, c, opts.validation);
  const members = Array.from({ length: c.ensembleSize }, (_, m) => m);
  const trained = await (opts.memberTrainer ?? trainMembersInTurn)(split, c, members, opts);
  const refit = c.refitFullData && split.carved;
  const baseline = fitBaseline(refit ? split.data : split.train, baselineOptions(c));
  return {
    model: new RankingEnsemble(trained.map((t) => t.model)),
    baseline,
    history: trained.flatMap((t) => t.history),
    bestEpoch: trained[0].bestEpoch,
    bestEpochs: trained.map((t) => t.bestEpoch),
    stopped: trained.map((t) => t.stopped),
    refitHistory: trained.flatMap((t) => t.refitHistory),
    config: c,
  };
}

/** Checks the data and carves the validation split (seeded) when none is given. */
export function prepareSplit(data: RatingData, c: TrainingConfig, validation?: RatingData): TrainingSplit {
  assertRatingData(data, 'training data');
  if (validation) {
    assertRatingData(validation, 'validation data');
    return { data, train: data, validation, carved: false };
  }
  if (c.validationFraction > 0) {
    const s = splitValidation(data, c.validationFraction, c.seed);
    if (s.validation.ratings.length) return { data, train: s.train, validation: s.validation, carved: true };
  }
  return { data, train: data, validation: null, carved: false };
}

const trainMembersInTurn: MemberTrainer = async (split, c, members, opts) => {
  const trained: TrainedMember[] = [];
  try {
    for (const m of members) trained.push(await trainMember(split, c, m, opts));
  } catch (err) {
    for (const t of trained) t.model.dispose();
    throw err;
  }
  return trained;
};

/**
 * Network `member` (0-based) of the ensemble: same split and hyper-parameters as the others, another
 * seed for the initialisation, shuffling and dropout. With refitFullData, early stopping on the
 * carved split chooses the epoch count and a fresh network trains on all of `data` for that many.
 */
export async function trainMember(split: TrainingSplit, c: TrainingConfig, member: number, opts: TrainOptions = {}): Promise<TrainedMember> {
  const config = memberConfig(c, member);
  const tag: MemberTag = { member: member + 1, members: c.ensembleSize };
  const first = await fit(split.train, split.validation, config, c.epochs, opts, tag);
  const { stopped } = first;
  if (!(c.refitFullData && split.carved)) return { member, model: first.model, history: first.history, refitHistory: [], bestEpoch: first.bestEpoch, stopped };
  first.model.dispose();
  const refit = await fit(split.data, null, config, first.bestEpoch, { ...opts, deadline: undefined }, tag);
  return { member, model: refit.model, history: first.history, refitHistory: refit.history, bestEpoch: first.bestEpoch, stopped };
}

/** The configuration network `member` of an ensemble trains with. */
export function memberConfig(c: TrainingConfig, member: number): TrainingConfig {
  return { ...c, seed: c.seed + MEMBER_SEED_STRIDE * member };
}

const baselineOptions = (c: TrainingConfig) => ({ regUser: c.baselineReg, regItem: c.baselineReg, minRating: c.minRating, maxRating: c.maxRating });

/** Network k of an ensemble trains with seed + k × this. */
const MEMBER_SEED_STRIDE = 1000;

async function fit(
  train: RatingData,
  validation: RatingData | null,
  c: TrainingConfig,
  epochs: number,
  opts: TrainOptions,
  tag: MemberTag,
): Promise<{ model: RankingModel; history: EpochLog[]; bestEpoch: number; stopped: StopReason }> {
  const n = train.ratings.length;
  // An epoch is a slice of the stream of shuffled passes: a large shop is validated every epochRows rows.
  const perEpoch = c.epochRows > 0 ? Math.min(n, c.epochRows) : n;
  const patience = effectivePatience(c, perEpoch);
  let stopped: StopReason = 'epochs';
  if (n === 0) throw new Error('no training ratings');

  const baseline = fitBaseline(train, baselineOptions(c));
  const initial = new RankingModel(c, train.numUsers, train.numItems, {
    globalMean: baseline.globalMean,
    userBias: baseline.userBias,
    itemBias: baseline.itemBias,
  });
  const batchSize = effectiveBatchSize(c, n);
  const stepper = await makeStepper({ ...c, batchSize }, initial, opts.engine, train.features);
  const rng = makeRng(c.seed + 1);
  const batches = Math.ceil(perEpoch / batchSize);
  let order = permutation(n, rng);
  let position = 0;
  /** The next row of the current pass; a new shuffled pass when it is used up. */
  const nextRow = () => {
    if (position === n) {
      order = permutation(n, rng);
      position = 0;
    }
    return order[position++];
  };
  const history: EpochLog[] = [];
  let best = Infinity;
  let mark = Infinity;
  let bestEpoch = 0;
  let bestWeights: ModelWeights | null = null;
  let sinceBest = 0;
  let lr = c.learningRate;
  const batch: Batch = { users: new Int32Array(batchSize), items: new Int32Array(batchSize), ratings: new Float32Array(batchSize), size: 0 };

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      for (let b = 0; b < batches; b++) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
        const start = b * batchSize;
        const size = Math.min(batchSize, perEpoch - start);
        for (let k = 0; k < size; k++) {
          const r = nextRow();
          batch.users[k] = train.userIdx[r];
          batch.items[k] = train.itemIdx[r];
          batch.ratings[k] = train.ratings[r];
        }
        batch.size = size;
        await stepper.step(batch, Math.floor(rng() * 2 ** 31));
        opts.onBatch?.({ ...tag, epoch, epochs: epochs, batch: b + 1, batches, ratingsSeen: start + size });
      }
      const totals = stepper.epochTotals();

      let valRmse = NaN;
      const restoreLive = validation ? stepper.useEvaluationWeights() : null;
      if (validation) valRmse = rmse(await stepper.predict(validation.userIdx, validation.itemIdx), validation.ratings);
      const log: EpochLog = {
        ...tag,
        epoch,
        epochs: epochs,
        trainRmse: Math.sqrt(totals.sse / perEpoch),
        valRmse,
        loss: totals.loss / perEpoch,
        seconds: (performance.now() - t0) / 1000,
        learningRate: lr,
      };
      history.push(log);
      opts.onEpoch?.(log);

      if (validation) {
        if (valRmse < best - 1e-5) {
          best = valRmse;
          bestEpoch = epoch;
          if (c.restoreBestWeights) bestWeights = stepper.getWeights();
        }
        // Patience counts from the last epoch better by minImprovement: creeping gains do not keep a network going.
        if (valRmse < Math.min(mark * (1 - c.minImprovement), mark - 1e-5)) {
          mark = valRmse;
          sinceBest = 0;
        } else if (patience > 0 && ++sinceBest >= patience) {
          if (restoreLive && !bestWeights) bestWeights = stepper.getWeights(); // keep the averaged weights
          stopped = 'patience';
          break;
        }
        restoreLive?.();
      } else {
        bestEpoch = epoch;
      }
      const plateau = validation !== null && sinceBest > 0 && c.plateauDecay !== 1;
      if (c.learningRateDecay !== 1 || plateau) {
        lr *= c.learningRateDecay * (plateau ? c.plateauDecay : 1);
        stepper.setLearningRate(lr);
      }
      const bar = opts.pruneAbove?.[epoch - 1];
      if (validation && bar !== undefined && epoch >= PRUNE_AFTER_EPOCHS && epoch < epochs && best > bar) {
        stopped = 'pruned';
        break;
      }
      // Another epoch like this one would end past the budget: stop now rather than overrun it.
      if (opts.deadline !== undefined && Date.now() + (performance.now() - t0) > opts.deadline && epoch < epochs) {
        stopped = 'budget';
        break;
      }
      // Let a worker thread's message port / the event loop breathe between epochs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const averaged = c.weightAverageDecay > 0;
    if (bestWeights && (averaged || bestEpoch !== history.length)) stepper.setWeights(bestWeights);
    else if (averaged) stepper.useEvaluationWeights(); // no validation (or no restoring): the final averaged weights
    if (!validation || !c.restoreBestWeights) bestEpoch = history.length;
    return { model: stepper.finish(), history, bestEpoch, stopped };
  } finally {
    stepper.dispose();
  }
}

/** The stepper of the engine resolveEngine chooses for `c`. */
export async function makeStepper(
  c: TrainingConfig,
  initial: RankingModel,
  engine: EnginePreference = 'auto',
  features?: EntityFeatures,
): Promise<TrainingStepper> {
  if ((await resolveEngine(engine, c)) === 'onnxruntime') return OnnxStepper.create((await runtimeFor('onnxruntime'))!, c, initial, 1, features);
  return new TfjsStepper(c, initial);
}
