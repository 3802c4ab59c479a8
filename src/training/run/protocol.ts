// What a run's thread and its supervisor say to each other (src/training/threads/run-thread.ts and
// src/training/supervisor.ts), and what a run reports: its progress, its outcome, its matrix.
import type pg from 'pg';
import type { TrainingSettings } from '../../config.js';
import type { EpochLog, StopReason } from '../../model/train.js';
import type { CatalogMetrics } from '../catalog-evaluation.js';
import type { RetrievalSummary } from '../retrieval.js';
import type { RunConfig } from './run-config.js';

/**
 * The phases of a run, in order (src/training/run/train-run.ts): `select` fits the selection model on the
 * training split, `refit` the one served on every interaction; `swap` is the supervisor's.
 */
export const RUN_PHASES = ['load', 'train', 'select', 'evaluate', 'refit', 'score', 'writeBack', 'swap'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface RunProgress {
  phase: 'starting' | RunPhase;
  /** While training an ensemble: which network (1-based) of how many. */
  member?: number;
  members?: number;
  /** Epochs done so far (0 during the first). */
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  loss?: number;
  valRmse?: number;
  /** Users scored so far, while scoring. */
  scored?: number;
  of?: number;
  /** Seconds left at the pace so far: of the current epoch (training) or of the scoring (set by the supervisor). */
  etaSeconds?: number;
}

/** What a run has to work with inside its thread. */
export interface RunEnvironment {
  pool: pg.Pool;
  settings: TrainingSettings;
  modelsDir: string;
  onProgress: (progress: RunProgress) => void;
  onEpoch: (epoch: EpochLog) => void;
  /** Raised when the run must stop (its thread was asked to): it stops at its next step. */
  signal?: AbortSignal;
}

/** A tuning trial: trained and evaluated like any run, pruned when it falls behind, never served. */
export interface TrialOptions {
  pruneAbove?: number[];
  /** Date.now() past which the search's budget is spent: the trial stops at an epoch boundary before. */
  deadline?: number;
}

export interface RunRequestInThread {
  id: number;
  forced: boolean;
  config: RunConfig;
  trial?: TrialOptions;
}

export type RunJob = { kind: 'train'; run: RunRequestInThread; activeRmse: number | null } | { kind: 'rescore'; run: { id: number } };

export interface RunThreadInput {
  job: RunJob;
  databaseUrl: string;
  settings: TrainingSettings;
  modelsDir: string;
}

export type RunThreadMessage =
  | { type: 'heartbeat' }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'epoch'; epoch: EpochLog }
  | { type: 'done'; result: RunOutcome | RescoreOutcome }
  | { type: 'error'; message: string; stack?: string };

export interface EvalMetrics {
  rmse: number;
  mae: number;
  precisionAt10: number;
  recallAt10: number;
  ndcgAt10: number;
}

/** What a run records when it ends (src/training/registry.ts stores it in model_runs). */
export interface RunOutcome {
  status: 'succeeded' | 'rejected';
  backend: string;
  config: object;
  dataCounts: object;
  metrics: {
    baseline: EvalMetrics;
    network: EvalMetrics;
    k: number;
    relevanceThreshold: number;
    validationRatings: number;
    stopped: StopReason[];
    /** The training budget the run had (TRAINING_BUDGET_S, or what it grew to with the shop); 0: none. */
    budgetSeconds: number;
    /** Top K of the whole catalog for the held-out users: the served lists, the network's, the selection model's, popularity and the baseline. */
    catalog: CatalogMetrics;
  };
  history: EpochLog[];
  phases: Phases;
  artifactPath: string;
  /** The matrix in its staging table, for the supervisor to swap in; null when nothing is to be served. */
  matrix: MatrixSummary | null;
  reason: string;
}

/** A finished run's matrix scored again from its saved model (activateModel). */
export interface RescoreOutcome {
  matrix: MatrixSummary;
  phases: Phases;
}

/** Seconds each phase took. */
export type Phases = Partial<Record<RunPhase, number>>;

export interface MatrixSummary {
  rows: number;
  users: number;
  products: number;
  cells: number;
  /** Set when the matrix was cut to each user's top K products. */
  topK: number | null;
  /** Set when candidates were retrieved before ranking (past MATRIX_MAX_CELLS, on onnxruntime). */
  retrieval: RetrievalSummary | null;
  /** The staging table holding it, until it is swapped in. */
  staging: string;
}
