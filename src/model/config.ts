/** The one configuration object that drives the ranking model and its training. */

export type OptimizerName = 'adam' | 'sgd' | 'adagrad';

/** How much each kind of event says a shopper likes a product, 0 (nothing: ignored) to 1 (as the top rating). */
export interface EventWeights {
  view: number;
  cart: number;
  wishlist: number;
  purchase: number;
}

export interface TrainingConfig {
  /** Width of the user and product embeddings. */
  embeddingDim: number;
  /** Hidden layer widths of the ranking head (relu); a final Dense(1) follows. */
  layerSizes: number[];
  optimizer: OptimizerName;
  /** The optimizer's step size on a shop of up to SMALL_SHOP_ROWS training rows. */
  learningRate: number;
  /**
   * The step size from LARGE_SHOP_ROWS training rows on (between the two sizes it moves log-linearly from
   * learningRate): a large shop takes many more steps an epoch, and at the small shops' rate its networks
   * drifted away from the baseline instead of learning (atTrainingSize).
   */
  largeShopLearningRate: number;
  /** Multiplies the learning rate after every epoch (1 = constant). */
  learningRateDecay: number;
  /**
   * Also multiplies the learning rate after every epoch whose validation RMSE did not improve
   * (reduce-on-plateau; 1 = off). Needs a validation split.
   */
  plateauDecay: number;
  /**
   * With optimizer 'adam': update the embedding and bias tables lazily (only the rows in the batch,
   * as TF's LazyAdam / PyTorch's SparseAdam; see optimizer.ts). Off = tfjs' dense Adam on the whole
   * tables. sgd and adagrad already leave rows outside the batch untouched.
   */
  lazyAdam: boolean;
  /**
   * Decay per step of an exponential moving average of the weights (Polyak averaging; 0 = off).
   * When on, the averaged weights are validated, kept and returned (see optimizer.ts WeightAverage).
   */
  weightAverageDecay: number;
  batchSize: number;
  /** Maximum number of epochs (of each network, when ensembleSize > 1). */
  epochs: number;
  /**
   * An epoch trains on at most this many rows, a slice of successive shuffled passes over the training rows
   * (0 = whole passes): a large shop is then validated, kept at its best and stopped early every this many
   * rows rather than once a pass of many minutes.
   */
  epochRows: number;
  /**
   * Networks trained alike from different seeds (seed + 1000·k) on the same split; the model
   * predicts the mean of their predictions. Training and scoring do this many times the work (on
   * TRAINING_THREADS and SCORING_THREADS threads).
   */
  ensembleSize: number;
  /** L2 penalty on the embedding rows (and bias terms) used in a batch, per example. */
  l2: number;
  /** L2 penalty on the dense kernels (sum of squares, per batch). */
  l2Dense: number;
  /** Embeddings start uniform in ±embeddingInitScale (Keras' default is 0.05). */
  embeddingInitScale: number;
  /** Dropout rate on the concatenated embeddings (training only; 0 = off). */
  dropout: number;
  /** Dropout rate after every hidden (relu) layer of the ranking head (training only; 0 = off). */
  hiddenDropout: number;
  /** Add global mean + user bias + product bias to the network output. */
  useBias: boolean;
  /**
   * Also add the dot product of the user and product vectors to the output (a generalised-MF term beside
   * the MLP, as in NeuMF). The MLP learns multiplicative interactions slowly; this term gives them directly,
   * and with interactionHistory it makes the output SVD++'s. Off = the pure TFRS ranking network.
   */
  dotProduct: boolean;
  /** Stop after this many epochs without a better validation RMSE (0 = never stop early). */
  earlyStoppingPatience: number;
  /**
   * An epoch counts as better, for patience and the plateau's decay, when its validation RMSE is at least this
   * share below the last one that did (the best weights are kept whatever the gain).
   */
  minImprovement: number;
  /**
   * Also stop once this many ratings have been trained on without a better validation RMSE (at least
   * two epochs; 0 = epochs only). On a large shop one epoch is many steps: eight epochs of patience
   * would mostly train past the best one.
   */
  patienceRatings: number;
  /** Fraction of the training ratings held out (seeded) for validation when none is given. */
  validationFraction: number;
  /** Keep the weights of the epoch with the best validation RMSE. */
  restoreBestWeights: boolean;
  /**
   * After early stopping on the carved-out validation split, train a fresh model on all training
   * ratings for the best epoch count (the split only chooses the epoch count).
   */
  refitFullData: boolean;
  /** Predictions are clipped to [minRating, maxRating] (the prediction matrix keeps them unclipped, for their order). */
  minRating: number;
  maxRating: number;
  /** Regularisation of the baseline's user/product biases (used to initialise bias terms). */
  baselineReg: number;
  /**
   * Events as implicit ratings: a (user, product) pair with events and no rating is trained on as
   * minRating + weight × (maxRating − minRating), the weight of its strongest event.
   */
  eventWeights: EventWeights;
  /**
   * For every pair learnt from events, this many products the user never interacted with are trained
   * on as minRating (sampled negatives), so that the network learns what a shopper does not pick.
   */
  negativesPerEvent: number;
  /**
   * Learn an embedding for each feature token of users and products (src/model/features.ts), added (as a
   * mean) to the id embedding. onnxruntime's stepper only; on TensorFlow.js they are left out.
   */
  features: boolean;
  /**
   * Add to each user's vector the pooled (sum / √n) embeddings of the products they were trained on, one
   * per product and rating level, and to each product's those of its users: SVD++'s implicit feedback with
   * GC-MC's messages per rating value. Built from the training split; onnxruntime's stepper only.
   */
  interactionHistory: boolean;
  /**
   * Past this many training interactions a run trains without interactionHistory and dotProduct (0 = no
   * limit): an epoch's cost grows with the histories' lengths, and the large-shop figures hold without them.
   */
  historyMaxInteractions: number;
  /**
   * A training step pools at most this many of an entity's history (or feature) tokens, a random window of
   * them scaled up to the whole (src/model/onnx/token-pool.ts): a popular product's history costs this many
   * rows a batch, not its every shopper. Scoring pools them all.
   */
  historyTokensPerStep: number;
  /**
   * Width of the selection model's vectors (src/model/selection: who picks what, a denoising linear
   * autoencoder of the interactions), whose pick score the lists are ranked by, blended with the predicted
   * rating; 0 = none (lists by predicted rating alone, as before it existed).
   */
  selectionRank: number;
  /**
   * Rank of the low-pass filter added to the selection model's pick score (src/model/selection/low-pass.ts:
   * the catalog's broad tastes), in a measure each run chooses on its validation split (none where it does not
   * help); 0 = none. Taken down to a multiple of 4.
   */
  lowPassRank: number;
  seed: number;
}

export const DEFAULT_TRAINING_CONFIG: Readonly<TrainingConfig> = Object.freeze({
  embeddingDim: 32,
  layerSizes: [256, 64],
  optimizer: 'adam',
  learningRate: 4e-3,
  largeShopLearningRate: 1e-3,
  learningRateDecay: 1,
  // On a large shop a constant rate wandered about its best validation RMSE for epochs; halving it at each
  // epoch without a better one settled networks lower, there and on MovieLens (docs/benchmarks.md).
  plateauDecay: 0.5,
  lazyAdam: true,
  weightAverageDecay: 0,
  // Large batches: each step pools a batch's distinct users' and products' histories once, so a larger batch
  // pools fewer rows an epoch, at the same test RMSE (docs/benchmarks.md).
  batchSize: 2048,
  epochs: 40,
  epochRows: 2_000_000,
  // Two networks, one a core: a third on two cores costs much more time than it gains (docs/benchmarks.md).
  ensembleSize: 2,
  l2: 0.1,
  l2Dense: 0,
  dropout: 0.5,
  hiddenDropout: 0.2,
  embeddingInitScale: 0.05,
  useBias: true,
  dotProduct: true,
  // With the history the validation RMSE peaks within a few epochs and then rises: more patience trains past
  // the best for nothing.
  earlyStoppingPatience: 3,
  minImprovement: 0.001,
  patienceRatings: 4_000_000,
  validationFraction: 0.05,
  restoreBestWeights: true,
  refitFullData: false,
  minRating: 1,
  maxRating: 5,
  baselineReg: 10,
  eventWeights: { view: 0.4, cart: 0.7, wishlist: 0.6, purchase: 1 },
  negativesPerEvent: 4,
  features: true,
  interactionHistory: true,
  historyMaxInteractions: 0,
  historyTokensPerStep: 64,
  selectionRank: 256,
  lowPassRank: 48,
  seed: 42,
}) as Readonly<TrainingConfig>;

/** More networks than this would multiply the nightly job's time for little gain. */
export const MAX_ENSEMBLE_SIZE = 8;
/** Wider selection vectors cost the fit (catalog × rank²) more than they add (u1: 256 as good as 512). */
export const MAX_SELECTION_RANK = 1024;

/** Fill in defaults and validate. */
export function resolveConfig(partial: Partial<TrainingConfig> = {}): TrainingConfig {
  const c: TrainingConfig = { ...DEFAULT_TRAINING_CONFIG, layerSizes: [...DEFAULT_TRAINING_CONFIG.layerSizes] };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (c as unknown as Record<string, unknown>)[k] = v;
  }
  c.layerSizes = [...c.layerSizes];
  // Weights not given keep their defaults (a partial override such as { view: 0 } is allowed).
  c.eventWeights = { ...DEFAULT_TRAINING_CONFIG.eventWeights, ...Object.fromEntries(Object.entries(partial.eventWeights ?? {}).filter(([, v]) => v != null)) };
  for (const [type, weight] of Object.entries(c.eventWeights)) {
    if (!(typeof weight === 'number' && weight >= 0 && weight <= 1)) throw new Error(`TrainingConfig.eventWeights.${type} must be in [0, 1], got ${weight}`);
  }
  if (!Number.isInteger(c.negativesPerEvent) || c.negativesPerEvent < 0 || c.negativesPerEvent > 50) {
    throw new Error(`TrainingConfig.negativesPerEvent must be an integer in [0, 50], got ${c.negativesPerEvent}`);
  }
  const positiveInt = (name: keyof TrainingConfig) => {
    const v = c[name] as number;
    if (!Number.isInteger(v) || v <= 0) throw new Error(`TrainingConfig.${name} must be a positive integer, got ${v}`);
  };
  positiveInt('embeddingDim');
  positiveInt('batchSize');
  positiveInt('epochs');
  positiveInt('ensembleSize');
  if (c.ensembleSize > MAX_ENSEMBLE_SIZE) throw new Error(`TrainingConfig.ensembleSize must be at most ${MAX_ENSEMBLE_SIZE}, got ${c.ensembleSize}`);
  if (!c.layerSizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error('TrainingConfig.layerSizes must be positive integers');
  if (!['adam', 'sgd', 'adagrad'].includes(c.optimizer)) throw new Error(`Unknown optimizer ${c.optimizer}`);
  if (!(c.learningRate > 0) || !(c.largeShopLearningRate > 0)) throw new Error('TrainingConfig.learningRate and largeShopLearningRate must be > 0');
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error('TrainingConfig.dropout must be in [0, 1)');
  if (!(c.hiddenDropout >= 0 && c.hiddenDropout < 1)) throw new Error('TrainingConfig.hiddenDropout must be in [0, 1)');
  if (!(c.learningRateDecay > 0) || !(c.plateauDecay > 0 && c.plateauDecay <= 1))
    throw new Error('TrainingConfig.learningRateDecay must be > 0 and plateauDecay in (0, 1]');
  if (!(c.weightAverageDecay >= 0 && c.weightAverageDecay < 1)) throw new Error('TrainingConfig.weightAverageDecay must be in [0, 1)');
  if (!(c.validationFraction >= 0 && c.validationFraction < 1)) throw new Error('TrainingConfig.validationFraction must be in [0, 1)');
  if (!(c.maxRating > c.minRating)) throw new Error('TrainingConfig.maxRating must exceed minRating');
  if (!(c.embeddingInitScale >= 0)) throw new Error('TrainingConfig.embeddingInitScale must be >= 0');
  if (c.l2 < 0 || c.l2Dense < 0) throw new Error('TrainingConfig.l2 must be >= 0');
  if (!Number.isInteger(c.earlyStoppingPatience) || c.earlyStoppingPatience < 0) throw new Error('earlyStoppingPatience must be an integer >= 0');
  if (!(c.minImprovement >= 0 && c.minImprovement < 0.1)) throw new Error(`TrainingConfig.minImprovement must be in [0, 0.1), got ${c.minImprovement}`);
  if (!Number.isInteger(c.epochRows) || c.epochRows < 0) throw new Error(`TrainingConfig.epochRows must be an integer >= 0, got ${c.epochRows}`);
  if (!Number.isInteger(c.patienceRatings) || c.patienceRatings < 0) throw new Error('TrainingConfig.patienceRatings must be an integer >= 0');
  if (!Number.isInteger(c.historyMaxInteractions) || c.historyMaxInteractions < 0)
    throw new Error('TrainingConfig.historyMaxInteractions must be an integer >= 0');
  if (!Number.isInteger(c.historyTokensPerStep) || c.historyTokensPerStep < 1)
    throw new Error(`TrainingConfig.historyTokensPerStep must be a positive integer, got ${c.historyTokensPerStep}`);
  if (!Number.isInteger(c.selectionRank) || c.selectionRank < 0 || c.selectionRank > MAX_SELECTION_RANK)
    throw new Error(`TrainingConfig.selectionRank must be an integer in [0, ${MAX_SELECTION_RANK}], got ${c.selectionRank}`);
  if (!Number.isInteger(c.lowPassRank) || c.lowPassRank < 0 || c.lowPassRank > MAX_SELECTION_RANK)
    throw new Error(`TrainingConfig.lowPassRank must be an integer in [0, ${MAX_SELECTION_RANK}], got ${c.lowPassRank}`);
  return c;
}

/** Training rows up to which learningRate is used as it is. */
export const SMALL_SHOP_ROWS = 100_000;
/** Training rows from which largeShopLearningRate is used. */
export const LARGE_SHOP_ROWS = 1_000_000;

/** The step size for `rows` training rows: learningRate, largeShopLearningRate, or log-linearly between them. */
export function learningRateAt(c: Pick<TrainingConfig, 'learningRate' | 'largeShopLearningRate'>, rows: number): number {
  if (rows <= SMALL_SHOP_ROWS) return c.learningRate;
  if (rows >= LARGE_SHOP_ROWS) return c.largeShopLearningRate;
  const t = Math.log(rows / SMALL_SHOP_ROWS) / Math.log(LARGE_SHOP_ROWS / SMALL_SHOP_ROWS);
  return Math.exp((1 - t) * Math.log(c.learningRate) + t * Math.log(c.largeShopLearningRate));
}

/**
 * The configuration a run on `interactions` training interactions trains with, as it records it: the step
 * size for its size (learningRateAt), and without the history and the dot product past historyMaxInteractions.
 */
export function atTrainingSize(c: TrainingConfig, interactions: number): TrainingConfig {
  const sized = { ...c, learningRate: learningRateAt(c, interactions), largeShopLearningRate: learningRateAt(c, interactions) };
  if (c.historyMaxInteractions === 0 || interactions <= c.historyMaxInteractions) return sized;
  return { ...sized, interactionHistory: false, dotProduct: false };
}

/** Steps an epoch takes at least: a small shop's epoch of one 2048-row batch would learn next to nothing. */
export const MIN_STEPS_PER_EPOCH = 8;

/** The batch size for `ratings` training ratings: batchSize, smaller where an epoch would take fewer than MIN_STEPS_PER_EPOCH steps (never below 64). */
export function effectiveBatchSize(c: Pick<TrainingConfig, 'batchSize'>, ratings: number): number {
  return Math.min(c.batchSize, Math.max(64, Math.ceil(ratings / MIN_STEPS_PER_EPOCH)));
}

/** Epochs without improvement before stopping, for `ratings` training ratings an epoch (0 = never). */
export function effectivePatience(c: TrainingConfig, ratings: number): number {
  if (c.earlyStoppingPatience === 0 || c.patienceRatings === 0) return c.earlyStoppingPatience;
  return Math.min(c.earlyStoppingPatience, Math.max(2, Math.ceil(c.patienceRatings / Math.max(1, ratings))));
}
