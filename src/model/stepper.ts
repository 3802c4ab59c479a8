/**
 * What the training loop (train.ts `fit`) asks of a compute engine: take a mini-batch step, report the
 * epoch's totals, predict the validation set, hand weights in and out. Two engines implement it:
 * TensorFlow.js (tfjs-stepper.ts: every optimizer and option) and onnxruntime (onnx/onnx-stepper.ts:
 * the default configuration, several times faster).
 */
import type { TrainingConfig } from './config.js';
import type { ModelWeights, RankingModel } from './ranking-model.js';
import { loadOnnxRuntime, type Ort } from './onnx/runtime.js';

export type EngineName = 'onnxruntime' | 'tfjs';
export type EnginePreference = EngineName | 'auto';

export interface Batch {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  size: number;
}

export interface TrainingStepper {
  readonly engine: EngineName;
  /** One optimizer step on the batch's first `size` rows, its dropout masks drawn from `dropoutSeed`. */
  step(batch: Batch, dropoutSeed: number): Promise<void>;
  /** Sum of squared errors and size × loss over the steps since the last call. */
  epochTotals(): { sse: number; loss: number };
  /** Clipped predictions of the current (evaluation) weights. */
  predict(users: Int32Array, items: Int32Array): Promise<Float32Array>;
  /** Puts the weights to evaluate in place (an average, when kept); returns how to put the live ones back, or null. */
  useEvaluationWeights(): (() => void) | null;
  getWeights(): ModelWeights;
  setWeights(weights: ModelWeights): void;
  setLearningRate(learningRate: number): void;
  /** The trained network with the current weights; the stepper is spent after this. */
  finish(): RankingModel;
  dispose(): void;
}

/**
 * The network a stepper trains, and what the engine holds beside it: `finish()` hands the network out,
 * `dispose()` frees it too unless it was handed out; either frees the engine's state once.
 */
export abstract class NetworkOwner {
  private spent = false;

  protected constructor(protected readonly model: RankingModel) {}

  /** Frees what the engine holds (sessions, optimizer state). */
  protected abstract release(): void;

  finish(): RankingModel {
    this.spend();
    return this.model;
  }

  dispose(): void {
    if (this.spent) return;
    this.spend();
    this.model.dispose();
  }

  private spend(): void {
    this.spent = true;
    this.release();
  }
}

/** Whether onnxruntime's stepper covers a configuration (the rest trains on TensorFlow.js). */
export function onnxSupports(c: TrainingConfig): boolean {
  return c.optimizer === 'adam' && c.lazyAdam && c.weightAverageDecay === 0;
}

export function normaliseEngine(value: string | undefined): EnginePreference {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'onnxruntime' || v === 'onnx' || v === 'ort') return 'onnxruntime';
  if (v === 'tfjs' || v === 'tensorflow.js') return 'tfjs';
  throw new Error(`Unknown COMPUTE_ENGINE '${value}' (expected auto, onnxruntime or tfjs)`);
}

/**
 * onnxruntime for an engine preference: null for tfjs, or under auto where it does not load; asked for
 * explicitly where it does not load, an error saying so.
 */
export async function runtimeFor(preference: EnginePreference = 'auto'): Promise<Ort | null> {
  if (preference === 'tfjs') return null;
  const ort = await loadOnnxRuntime();
  if (!ort && preference === 'onnxruntime') throw new Error('COMPUTE_ENGINE=onnxruntime but onnxruntime-node does not load on this machine');
  return ort;
}

/**
 * The engine a run trains and scores on: onnxruntime when it loads here and covers the configuration,
 * else TensorFlow.js. An explicit preference that cannot be met is an error saying why.
 */
export async function resolveEngine(preference: EnginePreference, c: TrainingConfig): Promise<EngineName> {
  if (preference !== 'tfjs' && !onnxSupports(c)) {
    if (preference === 'onnxruntime') {
      throw new Error(
        'COMPUTE_ENGINE=onnxruntime covers optimizer adam with lazyAdam and no weightAverageDecay; use COMPUTE_ENGINE=auto for this configuration',
      );
    }
    return 'tfjs';
  }
  return (await runtimeFor(preference)) ? 'onnxruntime' : 'tfjs';
}
