// One training run from start to finish, inside its thread (src/training/threads/run-thread.ts), and the
// re-scoring of an old run for activateModel. The run reads as its phases: load → train → select →
// evaluate → refit → (save, gate) → score + write back. Nothing touches the served matrix: the supervisor swaps
// the staging table in afterwards.
import fs from 'node:fs/promises';
import path from 'node:path';
import { modelArtifacts } from '../../store/blob/index.js';
import { initBackend } from '../../model/backend.js';
import { atTrainingSize, resolveConfig, type TrainingConfig } from '../../model/config.js';
import { resolveEngine, runtimeFor } from '../../model/stepper.js';
import { trainRankingModel, type TrainResult } from '../../model/train.js';
import { scorePairsWith } from '../../model/score.js';
import { rmse, mae, rankingMetrics } from '../../model/metrics.js';
import { saveModel, loadModel } from '../../model/artifacts.js';
import type { RatingData } from '../../model/data.js';
import { withInteractionHistory } from '../../model/features.js';
import { denseOps, type DenseOps } from '../../model/selection/dense-ops.js';
import { loadSelection, saveSelection, type SavedSelection } from '../../model/selection/selection-artifacts.js';
import { UserVectors } from '../../model/selection/sparse-products.js';
import { SelectionModel } from '../../model/selection/linear-autoencoder.js';
import type { TrainingSettings } from '../../config.js';
import { activeModelDrift } from '../../monitoring/drift.js';
import { loadTrainingSet, VOCABULARY_JSON, type TrainingSet, type Vocabulary } from '../dataset.js';
import { prepareTrainingData, type PreparedData } from '../implicit-feedback.js';
import { chooseRegularization, fitSelection } from '../selection.js';
import { evaluateCatalog, type CatalogMetrics } from '../catalog-evaluation.js';
import { qualityGate } from '../gate.js';
import { memberThreads } from '../threads/member-threads.js';
import { writeMatrix, type RunEngine } from './matrix.js';
import { phaseRunner } from './phase.js';
import type { EvalMetrics, Phases, RescoreOutcome, RunEnvironment, RunOutcome, RunRequestInThread } from './protocol.js';
import { trainingBudgetSeconds, type RunConfig } from './run-config.js';

export async function trainRun(env: RunEnvironment, run: RunRequestInThread, activeRmse: number | null): Promise<RunOutcome> {
  const phases: Phases = {};
  const phase = phaseRunner(env, phases);
  const engine = await runEngine(env.settings, run.config.model);

  const data = await phase('load', () => loadRunData(env, run.config));
  const { config, set, prepared } = data;
  const budgetSeconds = trainingBudgetSeconds(env.settings, prepared.train.ratings.length);
  const trained = await phase('train', () => trainNetworks(env, run, data, engine, budgetSeconds), {
    member: 1,
    members: config.model.ensembleSize,
    epoch: 0,
    epochs: config.model.epochs,
  });

  const { k, relevanceThreshold } = config.evaluation;
  const ops = await denseOps(engine.ort, env.settings.scoringThreads);
  let catalog: CatalogMetrics;
  let selection: SavedSelection | null = null;
  let network: EvalMetrics;
  let baseline: EvalMetrics;
  try {
    // Who picks what: λ chosen on an inner hold-out, a model of the training split for the blend search.
    const picks = await phase('select', () => selectionForBlend(set, prepared, config.model, ops, { k, threshold: relevanceThreshold }));
    const evaluated = await phase('evaluate', () => evaluateRun(env, config, prepared, trained, engine, picks && { ...picks, ops }));
    ({ catalog, network, baseline } = evaluated);
    // The model served learns from every interaction, the held-out ones too.
    if (picks && evaluated.blend) {
      const blend = evaluated.blend;
      selection = await phase('refit', () => servedSelection(set, config.model, picks.choice, ops, blend, evaluated.lowPassWeight));
    }
  } finally {
    await ops.release();
  }
  if (!Number.isFinite(network.rmse)) {
    trained.model.dispose();
    throw new Error(
      `The network's validation RMSE is ${network.rmse}: it diverged. The run fails and the served matrix stays; retrain with a lower learningRate.`,
    );
  }

  const artifactDir = await saveRun(env, run.id, trained, set.vocabulary, selection);
  const outcome: Omit<RunOutcome, 'status' | 'matrix' | 'reason'> = {
    backend: engine.backend,
    config,
    dataCounts: {
      ...set.counts,
      train: prepared.train.ratings.length,
      validation: prepared.validation.ratings.length,
      negatives: prepared.negatives,
      split: prepared.split,
      profile: set.profile,
      drift: data.drift && { runId: data.drift.runId, exceeded: data.drift.exceeded, measures: data.drift.measures },
    },
    metrics: {
      baseline,
      network,
      k,
      relevanceThreshold,
      validationRatings: prepared.validation.ratings.length,
      stopped: trained.stopped,
      budgetSeconds,
      catalog,
    },
    history: trained.history,
    phases,
    artifactPath: path.basename(artifactDir),
  };
  // A tuning trial is measured and kept, never served: promoting its configuration and retraining is.
  if (run.trial) {
    trained.model.dispose();
    return {
      ...outcome,
      status: 'succeeded',
      matrix: null,
      reason: 'a tuning trial: evaluated and saved, never served (promoteConfig, then retrain, to use its configuration)',
    };
  }
  const gate = qualityGate({
    networkRmse: network.rmse,
    baselineRmse: baseline.rmse,
    activeRmse,
    tolerance: config.gate.tolerance,
    forced: run.forced,
    servedNdcg: catalog.served.ndcg,
    popularityNdcg: catalog.popularity.ndcg,
  });
  if (!gate.accept) {
    trained.model.dispose();
    return { ...outcome, status: 'rejected', matrix: null, reason: gate.reason };
  }
  try {
    const served = { model: trained.model, baseline: trained.baseline, selection, vocabulary: set.vocabulary, artifactPath: artifactDir };
    const matrix = await writeMatrix(env, run.id, served, engine, phases);
    return { ...outcome, status: 'succeeded', matrix, reason: gate.reason };
  } finally {
    trained.model.dispose();
  }
}

/** Loads a run's saved model (from the database, through the local cache) and writes its matrix to staging (for activateModel). */
export async function rescoreRun(env: RunEnvironment, run: { id: number }): Promise<RescoreOutcome> {
  const phases: Phases = {};
  const phase = phaseRunner(env, phases);
  // The scoring engine only: any configuration scores on onnxruntime where it loads.
  const engine = await runEngine(env.settings, resolveConfig());
  const saved = await phase('load', async () => {
    const artifactPath = await artifactCache(env).folder(run.id);
    const { model, baseline } = await loadModel(artifactPath);
    if (!baseline) throw new Error(`the saved model of run ${run.id} has no baseline.json`);
    const selection = await loadSelection(artifactPath);
    const vocabulary = JSON.parse(await fs.readFile(path.join(artifactPath, VOCABULARY_JSON), 'utf8')) as Vocabulary;
    return { model, baseline, selection, vocabulary, artifactPath };
  });
  try {
    return { matrix: await writeMatrix(env, run.id, saved, engine, phases), phases };
  } finally {
    saved.model.dispose();
  }
}

/** The engine, resolved once a run: onnxruntime where it loads and covers the configuration, else TensorFlow.js on its backend. */
async function runEngine(settings: TrainingSettings, model: TrainingConfig): Promise<RunEngine> {
  const tfBackend = await initBackend(settings.backend);
  const name = await resolveEngine(settings.engine, model);
  const ort = name === 'onnxruntime' ? await runtimeFor(name) : null;
  return { name, ort, backend: name === 'onnxruntime' ? name : tfBackend };
}

interface RunData {
  /** What the run trains with, as recorded: a large shop's without the history when historyMaxInteractions says so. */
  config: RunConfig;
  set: TrainingSet;
  prepared: PreparedData;
  drift: Awaited<ReturnType<typeof activeModelDrift>>;
}

async function loadRunData(env: RunEnvironment, runConfig: RunConfig): Promise<RunData> {
  const set = await loadTrainingSet(env.pool, runConfig.model);
  // What this run answers: how far the data had drifted from the model it may replace.
  const drift = await activeModelDrift(env.pool, env.settings.driftLimits);
  const interactions = set.counts.ratings + set.counts.eventPairs;
  if (interactions < 20 || set.counts.ratedUsers < 2 || set.counts.ratedProducts < 2) {
    throw new Error(
      `Not enough ratings or events to train on (${set.counts.ratings} ratings and ${set.counts.eventPairs} pairs with events, by ${set.counts.ratedUsers} users on ${set.counts.ratedProducts} products; at least 20 are needed). Import or seed data first.`,
    );
  }
  const prepared = prepareTrainingData(set.interactions, runConfig.model);
  const { train, validation } = prepared;
  const config = { ...runConfig, model: atTrainingSize(runConfig.model, train.ratings.length) };
  // A history is what each one did: the sampled negatives (appended last) are not in it.
  const interactedRows = train.ratings.length - prepared.negatives.train;
  const interacted: RatingData = {
    ...train,
    userIdx: train.userIdx.subarray(0, interactedRows),
    itemIdx: train.itemIdx.subarray(0, interactedRows),
    ratings: train.ratings.subarray(0, interactedRows),
  };
  train.features = validation.features = config.model.interactionHistory ? withInteractionHistory(set.features, interacted) : set.features;
  return { config, set, prepared, drift };
}

function trainNetworks(
  env: RunEnvironment,
  run: RunRequestInThread,
  { config, prepared }: RunData,
  engine: RunEngine,
  budgetSeconds: number,
): Promise<TrainResult> {
  const { trainingThreads } = env.settings;
  return trainRankingModel(prepared.train, config.model, {
    validation: prepared.validation,
    engine: engine.name,
    signal: env.signal,
    deadline: earliest(budgetSeconds > 0 ? Date.now() + budgetSeconds * 1000 : undefined, run.trial?.deadline),
    pruneAbove: run.trial?.pruneAbove,
    memberTrainer:
      trainingThreads > 1 && config.model.ensembleSize > 1
        ? memberThreads({ threads: trainingThreads, backend: env.settings.backend, engine: engine.name })
        : undefined,
    onEpoch: (e) => {
      env.onEpoch(e);
      env.onProgress({ phase: 'train', member: e.member, members: e.members, epoch: e.epoch, epochs: e.epochs, loss: e.loss, valRmse: e.valRmse });
    },
    onBatch: (b) =>
      env.onProgress({ phase: 'train', member: b.member, members: b.members, epoch: b.epoch - 1, epochs: b.epochs, batch: b.batch, batches: b.batches }),
  });
}

/** The selection model's λ (on an inner hold-out) and a model of the training split, which the blend is chosen with; null when selectionRank is 0. */
async function selectionForBlend(set: TrainingSet, prepared: PreparedData, c: TrainingConfig, ops: DenseOps, evaluation: { k: number; threshold: number }) {
  if (c.selectionRank === 0) return null;
  const choice = await chooseRegularization(prepared.trainInteractions, c, ops, evaluation);
  return { choice, ...(await fitSelection(prepared.trainInteractions.data, c, choice, ops, c.seed, { lowPass: true, itemFeatures: set.features?.items })) };
}
type SelectionForBlend = NonNullable<Awaited<ReturnType<typeof selectionForBlend>>>;

/** The run's catalog metrics (the blend chosen with them), and the RMSE and top-10 metrics of the network and its baseline on the validation split. */
async function evaluateRun(
  env: RunEnvironment,
  config: RunConfig,
  prepared: PreparedData,
  trained: TrainResult,
  engine: RunEngine,
  selection: (SelectionForBlend & { ops: DenseOps }) | null,
) {
  const { k, relevanceThreshold: threshold } = config.evaluation;
  const { validation } = prepared;
  const {
    metrics: catalog,
    blend,
    lowPassWeight,
  } = await evaluateCatalog({
    model: trained.model,
    baseline: trained.baseline,
    engine: engine.name,
    threads: env.settings.scoringThreads,
    split: prepared.split,
    trainItems: prepared.trainItems,
    trainExcluded: prepared.trainExcluded,
    heldOut: prepared.heldOut,
    selection,
    k,
    threshold,
    maxUsers: config.evaluation.catalogUsers,
    seed: config.model.seed,
  });
  const measure = (predictions: Float32Array): EvalMetrics => {
    const ranking = rankingMetrics({ userIdx: validation.userIdx, itemIdx: validation.itemIdx, ratings: validation.ratings, predictions }, { k, threshold });
    return {
      rmse: rmse(predictions, validation.ratings),
      mae: mae(predictions, validation.ratings),
      precisionAt10: ranking.precision,
      recallAt10: ranking.recall,
      ndcgAt10: ranking.ndcg,
    };
  };
  const network = measure(
    await scorePairsWith(trained.model, validation.userIdx, validation.itemIdx, trained.baseline, {
      engine: engine.name,
      threads: env.settings.scoringThreads,
    }),
  );
  const baseline = measure(Float32Array.from(validation.userIdx, (u, j) => trained.baseline.predict(u, validation.itemIdx[j])));
  return { catalog, blend, lowPassWeight, network, baseline };
}

/** The selection model the run serves: refitted on every interaction, with each user's vector saved beside it. */
async function servedSelection(
  set: TrainingSet,
  c: TrainingConfig,
  choice: SelectionForBlend['choice'],
  ops: DenseOps,
  blend: SavedSelection['blend'],
  lowPassWeight: number,
): Promise<SavedSelection> {
  const served = await fitSelection(set.interactions.data, c, choice, ops, c.seed + 1, { lowPass: lowPassWeight > 0, itemFeatures: set.features?.items });
  const model = served.lowPass
    ? SelectionModel.joined([
        { model: served.model, weight: 1 },
        { model: served.lowPass, weight: lowPassWeight },
      ])
    : served.model;
  const everyone = Int32Array.from({ length: served.x.numUsers }, (_, u) => u);
  const userVectors = (await UserVectors.create(model, served.x)).of(everyone);
  return { model, userVectors, numUsers: served.x.numUsers, blend };
}

/** Written to a scratch folder, stored in the database with its hash, then kept as the local copy; its folder. */
async function saveRun(env: RunEnvironment, runId: number, trained: TrainResult, vocabulary: Vocabulary, selection: SavedSelection | null): Promise<string> {
  const cache = artifactCache(env);
  const scratch = await cache.scratchFolder(runId);
  await saveModel(trained.model, scratch, {
    baseline: trained.baseline,
    history: trained.history,
    bestEpoch: trained.bestEpoch,
    extra: { bestEpochs: trained.bestEpochs },
  });
  await fs.writeFile(path.join(scratch, VOCABULARY_JSON), JSON.stringify(vocabulary));
  if (selection) await saveSelection(scratch, selection);
  return (await cache.publish(runId, scratch)).dir;
}

/** The run's saved model, as a local folder kept in step with the database (src/store/blob). */
const artifactCache = (env: RunEnvironment) => modelArtifacts(env.pool, env.modelsDir);

const earliest = (...times: (number | undefined)[]) => {
  const set = times.filter((t): t is number => t !== undefined);
  return set.length ? Math.min(...set) : undefined;
};
