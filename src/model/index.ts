/** Public API of the model core. */
export { initBackend, wasmDistDir, type BackendName, type BackendPreference } from './backend.js';
export { registerWasmExtraKernels } from './wasm-kernels.js';
export { DEFAULT_TRAINING_CONFIG, resolveConfig, type OptimizerName, type TrainingConfig } from './config.js';
export { assertRatingData, meanRating, splitValidation, subset, type RatingData } from './data.js';
export { BaselineModel, fitBaseline, type BaselineOptions, type BaselineParams } from './baseline.js';
export { RankingModel, type ForwardOptions, type ForwardResult, type ModelWeights } from './ranking-model.js';
export { RankingEnsemble } from './ranking-ensemble.js';
export { EmbeddingTower } from './embedding-tower.js';
export { RankingHead } from './ranking-head.js';
export { rankingLoss } from './ranking-task.js';
export { dense, type Activation } from './dense.js';
export { trainRankingModel, type BatchProgress, type EpochLog, type TrainOptions, type TrainResult } from './train.js';
export { scoreAllItems, scorePairs, type ScoreAllOptions, type ScoreBlock } from './score.js';
export { mae, rankingMetrics, rmse, type HeldOut, type RankingMetricOptions, type RankingMetrics } from './metrics.js';
export {
  buildLayersModel,
  fileSystemLoadHandler,
  loadModel,
  saveModel,
  type LoadedArtifacts,
  type ModelMetadata,
  type SaveOptions,
} from './artifacts.js';
