// One training run from start to finish, and the re-activation of an old run.
// Runs inside a worker thread (src/training/worker.ts) so the API never waits on
// it. Phases: load → train → evaluate → gate → score + write back → swap in.
// Nothing touches the served matrix until the final swap transaction.
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { modelArtifacts } from '../store/blob/index.js';
import { initBackend } from '../model/backend.js';
import { atTrainingSize, resolveConfig, type TrainingConfig } from '../model/config.js';
import { resolveEngine, runtimeFor, type EngineName } from '../model/stepper.js';
import { trainRankingModel, type EpochLog, type StopReason } from '../model/train.js';
import { scoreAllItems, scorePairsWith, type ScoreBlock } from '../model/score.js';
import { scoreAllItemsInThreads } from './scoring-threads.js';
import { memberThreads } from './member-threads.js';
import { rmse, mae, rankingMetrics } from '../model/metrics.js';
import { saveModel, loadModel } from '../model/artifacts.js';
import type { RankingEnsemble } from '../model/ranking-ensemble.js';
import type { BaselineModel } from '../model/baseline.js';
import { trainingBudgetSeconds, type TrainingSettings } from '../config.js';
import type { RatingScale } from '../store/validation.js';
import { loadTrainingSet, loadMatrixTargets, ratedBy, seenBy, type MatrixTargets, type Vocabulary } from './dataset.js';
import { OnnxScorer } from '../model/onnx/onnx-scorer.js';
import { denseOps, type DenseOps } from '../model/selection/dense-ops.js';
import { loadSelection, saveSelection, type SavedSelection } from '../model/selection/selection-artifacts.js';
import { rankRow, seenRankScore } from '../model/rank-blend.js';
import { chooseRegularization, fitSelection } from './selection.js';
import { UserVectors } from '../model/selection/sparse-products.js';
import { scoreCandidates } from '../model/retrieval/score-candidates.js';
import { retrieveCandidates, type RetrievalSummary, type ServedOrder } from './retrieval.js';
import { topIndices } from '../model/retrieval/cluster-candidates.js';
import { qualityGate } from './gate.js';
import { prepareTrainingData } from './implicit-feedback.js';
import { evaluateCatalog, type CatalogMetrics } from './catalog-evaluation.js';
import { injectedFault } from './fault-injection.js';
import { MatrixWriter, dropStaging } from './writeback.js';
import type { TrialOptions } from './worker.js';
import { withInteractionHistory } from '../model/features.js';
import { activeModelDrift } from '../monitoring/drift.js';

export const VOCABULARY_JSON = 'vocabulary.json';

export interface RunProgress {
  phase: 'starting' | 'load' | 'train' | 'select' | 'evaluate' | 'score' | 'writeBack' | 'swap';
  /** While training an ensemble: which network (1-based) of how many. */
  member?: number;
  members?: number;
  epoch?: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  loss?: number;
  valRmse?: number;
  /** Users scored so far, while scoring. */
  scored?: number;
  of?: number;
  /** Seconds left at the pace so far: of the current epoch (training) or of the scoring (set by the trainer). */
  etaSeconds?: number;
}

export interface RunEnvironment {
  pool: pg.Pool;
  settings: TrainingSettings;
  modelsDir: string;
  onProgress: (progress: RunProgress) => void;
  onEpoch: (epoch: EpochLog) => void;
  /** Raised when the run must stop (its thread was asked to): it stops at its next step. */
  signal?: AbortSignal;
}

export interface EvalMetrics {
  rmse: number;
  mae: number;
  precisionAt10: number;
  recallAt10: number;
  ndcgAt10: number;
}

/** What a run records when it ends (the registry stores it in model_runs). */
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
  phases: Record<string, number>;
  artifactPath: string;
  matrix: MatrixSummary | null;
  reason: string;
}

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

/** The full configuration a run uses: the model's hyper-parameters plus how it is judged. */
export function resolveRunConfig(overrides: Partial<TrainingConfig>, settings: TrainingSettings, scale: RatingScale) {
  const model = resolveConfig({ ...overrides, minRating: scale.ratingMin, maxRating: scale.ratingMax });
  return {
    model,
    // catalogUsers: the full-catalog evaluation scores every product for this many held-out users at most.
    evaluation: { k: 10, relevanceThreshold: settings.relevanceThreshold, catalogUsers: 2000 },
    gate: { tolerance: settings.gateTolerance },
    matrix: { maxCells: settings.matrixMaxCells, topK: settings.topK },
  };
}
export type RunConfig = ReturnType<typeof resolveRunConfig>;

const seconds = (since: number) => Math.round(performance.now() - since) / 1000;

export async function trainRun(
  env: RunEnvironment,
  run: { id: number; forced: boolean; config: RunConfig; trial?: TrialOptions },
  activeRmse: number | null,
): Promise<RunOutcome> {
  const phases: Record<string, number> = {};
  const tfBackend = await initBackend(env.settings.backend);
  const engine = await resolveEngine(env.settings.engine, run.config.model);
  // What computed the run: onnxruntime, or TensorFlow.js on its backend (tensorflow, wasm or cpu).
  const backend = engine === 'onnxruntime' ? engine : tfBackend;

  env.onProgress({ phase: 'load' });
  let t = performance.now();
  const set = await loadTrainingSet(env.pool, run.config.model);
  // What this run answers: how far the data had drifted from the model it may replace.
  const drift = await activeModelDrift(env.pool, env.settings.driftLimits);
  phases.load = seconds(t);
  const interactions = set.counts.ratings + set.counts.eventPairs;
  if (interactions < 20 || set.counts.ratedUsers < 2 || set.counts.ratedProducts < 2) {
    throw new Error(
      `Not enough ratings or events to train on (${set.counts.ratings} ratings and ${set.counts.eventPairs} pairs with events, by ${set.counts.ratedUsers} users on ${set.counts.ratedProducts} products; at least 20 are needed). Import or seed data first.`,
    );
  }
  const prepared = prepareTrainingData(set.interactions, run.config.model);
  const { train, validation } = prepared;
  // What the run trains with, as recorded: a large shop's without the history (historyMaxInteractions).
  const config = { ...run.config, model: atTrainingSize(run.config.model, train.ratings.length) };
  // A history is what each one did: the sampled negatives (appended last) are not in it.
  const interactedRows = train.ratings.length - prepared.negatives.train;
  const interacted = { ...train, userIdx: train.userIdx.subarray(0, interactedRows), itemIdx: train.itemIdx.subarray(0, interactedRows), ratings: train.ratings.subarray(0, interactedRows) };
  const features = config.model.interactionHistory ? withInteractionHistory(set.features, interacted) : set.features;
  train.features = validation.features = features;

  env.onProgress({ phase: 'train', member: 1, members: config.model.ensembleSize, epoch: 0, epochs: config.model.epochs });
  t = performance.now();
  const { trainingThreads } = env.settings;
  const budgetSeconds = trainingBudgetSeconds(env.settings, train.ratings.length);
  const result = await trainRankingModel(train, config.model, {
    validation,
    engine,
    signal: env.signal,
    deadline: earliest(budgetSeconds > 0 ? Date.now() + budgetSeconds * 1000 : undefined, run.trial?.deadline),
    pruneAbove: run.trial?.pruneAbove,
    memberTrainer: trainingThreads > 1 && config.model.ensembleSize > 1 ? memberThreads({ threads: trainingThreads, backend: env.settings.backend, engine }) : undefined,
    onEpoch: (e) => {
      env.onEpoch(e);
      env.onProgress({ phase: 'train', member: e.member, members: e.members, epoch: e.epoch, epochs: e.epochs, loss: e.loss, valRmse: e.valRmse });
    },
    onBatch: (b) =>
      env.onProgress({ phase: 'train', member: b.member, members: b.members, epoch: b.epoch - 1, epochs: b.epochs, batch: b.batch, batches: b.batches }),
  });
  phases.train = seconds(t);

  const { k, relevanceThreshold } = config.evaluation;
  const ops = await denseOps(await runtimeFor(engine), env.settings.scoringThreads);
  let catalog: CatalogMetrics;
  let selection: SavedSelection | null = null;
  try {
    // Who picks what: λ chosen on an inner hold-out, a model of the training split for the blend search.
    env.onProgress({ phase: 'select' });
    t = performance.now();
    const choice = config.model.selectionRank > 0 ? await chooseRegularization(prepared.trainInteractions, config.model, ops, { k, threshold: relevanceThreshold }) : null;
    const forBlend = choice ? await fitSelection(prepared.trainInteractions.data, config.model, choice, ops, config.model.seed) : null;
    phases.select = seconds(t);

    env.onProgress({ phase: 'evaluate' });
    t = performance.now();
    const evaluated = await evaluateCatalog({
      model: result.model,
      baseline: result.baseline,
      engine,
      threads: env.settings.scoringThreads,
      split: prepared.split,
      trainItems: prepared.trainItems,
      trainExcluded: prepared.trainExcluded,
      heldOut: prepared.heldOut,
      selection: forBlend && choice ? { ...forBlend, choice, ops } : null,
      k,
      threshold: relevanceThreshold,
      maxUsers: config.evaluation.catalogUsers,
      seed: config.model.seed,
    });
    catalog = evaluated.metrics;
    if (choice && evaluated.blend) {
      // The model served learns from every interaction, the held-out ones too.
      const t2 = performance.now();
      const served = await fitSelection(set.interactions.data, config.model, choice, ops, config.model.seed + 1);
      const everyone = Int32Array.from({ length: served.x.numUsers }, (_, u) => u);
      const userVectors = (await UserVectors.create(served.model, served.x)).of(everyone);
      selection = { model: served.model, userVectors, numUsers: served.x.numUsers, blend: evaluated.blend };
      phases.select = Math.round((phases.select + seconds(t2)) * 1000) / 1000;
    }
  } finally {
    await ops.release();
  }
  const evaluate = (predictions: Float32Array): EvalMetrics => {
    const ranking = rankingMetrics(
      { userIdx: validation.userIdx, itemIdx: validation.itemIdx, ratings: validation.ratings, predictions },
      { k, threshold: relevanceThreshold },
    );
    return {
      rmse: rmse(predictions, validation.ratings),
      mae: mae(predictions, validation.ratings),
      precisionAt10: ranking.precision,
      recallAt10: ranking.recall,
      ndcgAt10: ranking.ndcg,
    };
  };
  const network = evaluate(await scorePairsWith(result.model, validation.userIdx, validation.itemIdx, result.baseline, { engine, threads: env.settings.scoringThreads }));
  const baseline = evaluate(
    Float32Array.from(validation.userIdx, (u, j) => result.baseline.predict(u, validation.itemIdx[j])),
  );
  phases.evaluate = seconds(t);
  if (!Number.isFinite(network.rmse)) {
    result.model.dispose();
    throw new Error(`The network's validation RMSE is ${network.rmse}: it diverged. The run fails and the served matrix stays; retrain with a lower learningRate.`);
  }

  // Written to a scratch folder, stored in the database with its hash, then kept as the local copy.
  const cache = artifactCache(env);
  const scratch = await cache.scratchFolder(run.id);
  await saveModel(result.model, scratch, {
    baseline: result.baseline,
    history: result.history,
    bestEpoch: result.bestEpoch,
    extra: { bestEpochs: result.bestEpochs },
  });
  await fs.writeFile(path.join(scratch, VOCABULARY_JSON), JSON.stringify(set.vocabulary));
  if (selection) await saveSelection(scratch, selection);
  const { dir: artifactDir } = await cache.publish(run.id, scratch);
  const artifactPath = path.basename(artifactDir);

  const outcome: Omit<RunOutcome, 'status' | 'matrix' | 'reason'> = {
    backend,
    config,
    dataCounts: {
      ...set.counts, train: train.ratings.length, validation: validation.ratings.length, negatives: prepared.negatives, split: prepared.split,
      profile: set.profile, drift: drift && { runId: drift.runId, exceeded: drift.exceeded, measures: drift.measures },
    },
    metrics: { baseline, network, k, relevanceThreshold, validationRatings: validation.ratings.length, stopped: result.stopped, budgetSeconds, catalog },
    history: result.history,
    phases,
    artifactPath,
  };
  // A tuning trial is measured and kept, never served: promoting its configuration and retraining is.
  if (run.trial) {
    result.model.dispose();
    return { ...outcome, status: 'succeeded', matrix: null, reason: 'a tuning trial: evaluated and saved, never served (promoteConfig, then retrain, to use its configuration)' };
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
    result.model.dispose();
    return { ...outcome, status: 'rejected', matrix: null, reason: gate.reason };
  }
  const matrix = await writeMatrix(env, run.id, { model: result.model, artifactPath: artifactDir, engine, selection }, result.baseline, set.vocabulary, phases);
  result.model.dispose();
  return { ...outcome, status: 'succeeded', matrix, reason: gate.reason };
}

const earliest = (...times: (number | undefined)[]) => {
  const set = times.filter((t): t is number => t !== undefined);
  return set.length ? Math.min(...set) : undefined;
};

/** A diverged network predicts NaN or infinities: such a run fails before its matrix can be served. */
function assertFinite(block: ScoreBlock, userIds: ArrayLike<number>): void {
  const { scores } = block;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      const user = userIds[block.users[Math.floor(i / block.numItems)]];
      throw new Error(
        `The network predicted ${scores[i]} for user ${user} (internal id): it diverged. The run fails and nothing of its matrix is served; ` +
          'retrain with a lower learningRate.',
      );
    }
  }
}

/** The run's saved model, as a local folder kept in step with the database (src/store/blob). */
const artifactCache = (env: RunEnvironment) => modelArtifacts(env.pool, env.modelsDir);

/** Loads a run's saved model (from the database, through the local cache) and writes its matrix to staging (for activateModel). */
export async function rescoreRun(env: RunEnvironment, run: { id: number }): Promise<{ matrix: MatrixSummary; phases: Record<string, number> }> {
  await initBackend(env.settings.backend);
  // The scoring engine only: any configuration scores on onnxruntime where it loads.
  const engine = await resolveEngine(env.settings.engine, resolveConfig());
  const phases: Record<string, number> = {};
  const t = performance.now();
  const artifactPath = await artifactCache(env).folder(run.id);
  const { model, baseline } = await loadModel(artifactPath);
  const selection = await loadSelection(artifactPath);
  const vocabulary = JSON.parse(await fs.readFile(path.join(artifactPath, VOCABULARY_JSON), 'utf8')) as Vocabulary;
  phases.load = seconds(t);
  if (!baseline) throw new Error(`the saved model of run ${run.id} has no baseline.json`);
  try {
    return { matrix: await writeMatrix(env, run.id, { model, artifactPath, engine, selection }, baseline, vocabulary, phases), phases };
  } finally {
    model.dispose();
  }
}

/**
 * Scores every (user, product) pair the user has not rated and streams it into the run's staging table:
 * the rank score each list is ordered by (the selection model's pick score blended with the predicted
 * rating) and the predicted rating. Products the model has not seen get the baseline's rating. With several
 * scoring threads (TensorFlow.js) each loads the model saved at `artifactPath`.
 */
async function writeMatrix(
  env: RunEnvironment,
  runId: number,
  { model, artifactPath, engine, selection }: { model: RankingEnsemble; artifactPath: string; engine: EngineName; selection: SavedSelection | null },
  baseline: BaselineModel,
  vocabulary: Vocabulary,
  phases: Record<string, number>,
): Promise<MatrixSummary> {
  env.onProgress({ phase: 'score', scored: 0, of: vocabulary.users.length });
  const started = performance.now();
  const targets = await loadMatrixTargets(env.pool, vocabulary);
  // Model indices of the users still in the store, in ascending internal id (the writer's order).
  const users: number[] = [];
  targets.userIds.forEach((id, u) => id >= 0 && users.push(u));
  users.sort((a, b) => targets.userIds[a] - targets.userIds[b]);
  const products = targets.productIds.filter((id) => id >= 0).length;
  const cells = users.length * products;
  const topK = cells > env.settings.matrixMaxCells ? env.settings.topK : null;
  const expectedRows = topK === null ? cells : users.length * Math.min(topK, products);

  const writer = await MatrixWriter.open(env.pool, runId, topK, users.map((u) => targets.userIds[u]), expectedRows);
  const ort = await runtimeFor(engine);
  const ops = await denseOps(ort, env.settings.scoringThreads);
  const lists = new ListRows(targets, selection, model.config, ops);
  let writing = 0;
  let retrieval: RetrievalSummary | null = null;
  try {
    const ratings = new Float32Array(targets.productIds.length);
    const ranks = new Float32Array(targets.productIds.length);
    let scored = 0;
    const progress = (n: number) => {
      scored += n;
      if (scored % 256 < n) env.onProgress({ phase: 'score', scored, of: users.length });
    };
    const onBlock = async (block: ScoreBlock) => {
      env.signal?.throwIfAborted();
      // Test-only (fault-injection.ts): one prediction spoilt, as a diverged network would.
      if (scored === 0 && injectedFault('nan', runId)) block.scores[0] = Number.NaN;
      assertFinite(block, targets.userIds);
      const picks = await lists.picks(block.users);
      const w = performance.now();
      for (let r = 0; r < block.users.length; r++) {
        const u = block.users[r];
        ratings.set(block.scores.subarray(r * block.numItems, (r + 1) * block.numItems));
        if (targets.productIds.length > targets.known) ratings.fill(baseline.predict(u, -1), targets.known);
        lists.rank(u, picks?.subarray(r * block.numItems, (r + 1) * block.numItems) ?? null, ratings, ranks);
        await writer.writeUser({ userId: targets.userIds[u], productIds: targets.productIds, scores: ranks, ratings, rated: ratedBy(targets.rated, u) });
      }
      progress(block.users.length);
      writing += performance.now() - w;
    };
    const { scoringThreads, backend } = env.settings;
    // Unclipped: the matrix orders each user's products; the API clips what it shows (see ScoreAllOptions.clip).
    if (topK !== null && ort) {
      // Past MATRIX_MAX_CELLS: candidates first, then the network ranks only those.
      const scorer = OnnxScorer.of(ort, model, scoringThreads);
      try {
        const sorted = Int32Array.from(users);
        const { source, summary } = await retrieveCandidates(ort, scorer, sorted, lists.servedOrder(scorer), topK, env.settings.retrieval, runId);
        retrieval = summary;
        const unknown = targets.productIds.subarray(targets.known);
        await scoreCandidates(scorer, sorted, source, async ({ user, items, scores }) => {
          env.signal?.throwIfAborted();
          if (scored === 0 && injectedFault('nan', runId)) scores[0] = Number.NaN;
          assertFinite({ users: Int32Array.of(user), numItems: scores.length, scores }, targets.userIds);
          const w = performance.now();
          // Products added since training: the baseline's score, beside the candidates.
          const productIds = new Int32Array(items.length + unknown.length);
          const all = new Float32Array(productIds.length);
          for (let j = 0; j < items.length; j++) productIds[j] = targets.productIds[items[j]];
          all.set(scores);
          productIds.set(unknown, items.length);
          all.fill(baseline.predict(user, -1), items.length);
          const ranked = lists.rankCandidates(user, items, productIds, all);
          await writer.writeUser({ userId: targets.userIds[user], productIds, scores: ranked, ratings: all, rated: ratedBy(targets.rated, user) });
          progress(1);
          writing += performance.now() - w;
        });
      } finally {
        await scorer.release();
      }
    } else if (engine === 'onnxruntime') await scoreAllItems(model, users, onBlock, { clip: false, engine, threads: scoringThreads });
    // TensorFlow.js's wasm backend computes on one thread: several scoring threads share the matrix.
    else if (scoringThreads > 1) await scoreAllItemsInThreads({ artifactPath, backend, threads: scoringThreads, clip: false }, Int32Array.from(users), onBlock);
    else await scoreAllItems(model, users, onBlock, { clip: false, engine });
    env.onProgress({ phase: 'writeBack' });
    const w = performance.now();
    await writer.finish();
    writing += performance.now() - w;
  } catch (error) {
    await writer.abort();
    await dropStaging(env.pool, writer.table).catch(() => {});
    throw error;
  } finally {
    await ops.release();
  }
  phases.score = Math.round(performance.now() - started - writing) / 1000;
  phases.writeBack = Math.round(writing) / 1000;
  return { rows: writer.rows, users: users.length, products, cells, topK, retrieval, staging: writer.table };
}

/**
 * Each user's row of the matrix from their predicted ratings: their pick scores (from the users' vectors
 * saved with the run's selection model), the blend, and what they viewed or carted counted as the blend says.
 */
class ListRows {
  private readonly position = new Map<number, number>();
  /** The last two blocks of pick rows, by user: candidates are ranked in the order retrieval read them in. */
  private readonly recentPicks: Map<number, Float32Array>[] = [];

  constructor(
    private readonly targets: MatrixTargets,
    private readonly selection: SavedSelection | null,
    private readonly scale: { minRating: number; maxRating: number },
    private readonly ops: DenseOps,
  ) {
    targets.productIds.forEach((id, j) => id >= 0 && this.position.set(id, j));
  }

  /** Pick scores of every model product for `users`: [users.length × model products], or null without a selection model. */
  async picks(users: Int32Array): Promise<Float32Array | null> {
    const s = this.selection;
    if (!s) return null;
    const { rank, numItems } = s.model;
    const vectors = new Float32Array(users.length * rank);
    users.forEach((u, r) => vectors.set(s.userVectors.subarray(u * rank, (u + 1) * rank), r * rank));
    const rows = rank === 0 ? new Float32Array(users.length * numItems) : await this.ops.dots(vectors, s.model.vectors, users.length, rank, numItems);
    this.recentPicks.unshift(new Map(Array.from(users, (u, r) => [u, rows.subarray(r * numItems, (r + 1) * numItems)])));
    this.recentPicks.length = Math.min(2, this.recentPicks.length);
    return rows;
  }

  /** The served order as candidate retrieval needs it (src/training/retrieval.ts), ratings from `scorer`. */
  servedOrder(scorer: OnnxScorer): ServedOrder {
    const { known } = this.targets;
    return {
      topPicks: async (users, count) => {
        const picks = await this.picks(users);
        if (!picks) return null;
        const numItems = picks.length / users.length;
        return Array.from(users, (u, r) => {
          const row = picks.slice(r * numItems, (r + 1) * numItems);
          // What the user rated or bought takes no candidate's place.
          for (const id of ratedBy(this.targets.rated, u)) {
            const j = this.position.get(id);
            if (j !== undefined && j < known) row[j] = -Infinity;
          }
          return topIndices(row, count);
        });
      },
      exhaustive: async (u) => {
        const users = Int32Array.of(u);
        const ratings = new Float32Array(this.targets.productIds.length);
        ratings.set(await scorer.block(users));
        const out = new Float32Array(ratings.length);
        this.rank(u, await this.picks(users), ratings, out);
        for (const id of ratedBy(this.targets.rated, u)) {
          const j = this.position.get(id);
          if (j !== undefined) out[j] = -Infinity;
        }
        for (let j = 0; j < known; j++) if (this.targets.productIds[j] < 0) out[j] = -Infinity;
        return out.subarray(0, known);
      },
    };
  }

  /** Rank scores of user `u` over every product (aligned with targets.productIds) into `out`. */
  rank(u: number, picks: Float32Array | null, ratings: Float32Array, out: Float32Array): void {
    const blend = this.selection?.blend ?? null;
    const known = this.targets.known;
    rankRow(blend, picks, ratings.subarray(0, known), this.scale, out);
    // Products the model has not seen: no pick score yet.
    rankRow(blend, null, ratings.subarray(known), this.scale, out.subarray(known));
    for (const id of seenBy(this.targets, u)) {
      const j = this.position.get(id);
      if (j !== undefined) out[j] = seenRankScore(blend, picks && j < known ? picks[j] : 0, ratings[j], this.scale);
    }
  }

  /** Rank scores of user `u`'s candidates (model indices `items`, then products the model has not seen; `productIds` their internal ids). */
  rankCandidates(u: number, items: Int32Array, productIds: Int32Array, ratings: Float32Array): Float32Array {
    const s = this.selection;
    const picks = new Float32Array(productIds.length);
    const row = this.recentPicks.find((block) => block.has(u))?.get(u);
    if (row) for (let j = 0; j < items.length; j++) picks[j] = row[items[j]];
    else if (s && s.model.rank > 0) {
      const { rank, vectors } = s.model;
      const user = s.userVectors.subarray(u * rank, (u + 1) * rank);
      for (let j = 0; j < items.length; j++) {
        let dot = 0;
        const at = items[j] * rank;
        for (let c = 0; c < rank; c++) dot += user[c] * vectors[at + c];
        picks[j] = dot;
      }
    }
    const out = rankRow(s?.blend ?? null, picks, ratings, this.scale, new Float32Array(productIds.length));
    const seen = seenBy(this.targets, u);
    if (seen.length > 0) {
      const at = new Map<number, number>();
      productIds.forEach((id, j) => at.set(id, j));
      for (const id of seen) {
        const j = at.get(id);
        if (j !== undefined) out[j] = seenRankScore(s?.blend ?? null, picks[j], ratings[j], this.scale);
      }
    }
    return out;
  }
}
