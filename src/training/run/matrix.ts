// The run's matrix: every user's row scored, ranked as the lists are served, and streamed into the run's
// staging table (src/training/writeback.ts) for the supervisor to swap in.
import type { BaselineModel } from '../../model/baseline.js';
import type { RankingEnsemble } from '../../model/ranking-ensemble.js';
import { scoreAllItems, type ScoreBlock } from '../../model/score.js';
import { OnnxScorer } from '../../model/onnx/onnx-scorer.js';
import type { Ort } from '../../model/onnx/runtime.js';
import { scoreCandidates } from '../../model/retrieval/score-candidates.js';
import { denseOps } from '../../model/selection/dense-ops.js';
import type { SavedSelection } from '../../model/selection/selection-artifacts.js';
import type { EngineName } from '../../model/stepper.js';
import { loadMatrixTargets, ratedBy, type Vocabulary } from '../dataset.js';
import { injectedFault } from '../fault-injection.js';
import { retrieveCandidates, type RetrievalSummary } from '../retrieval.js';
import { scoreAllItemsInThreads } from '../threads/scoring-threads.js';
import { MatrixWriter, dropStaging } from '../writeback.js';
import { ListRows } from './list-rows.js';
import type { MatrixSummary, Phases, RunEnvironment } from './protocol.js';

/** What computes a run: the engine, onnxruntime when it is the engine, and what the run records as its backend. */
export interface RunEngine {
  name: EngineName;
  ort: Ort | null;
  backend: string;
}

/** A trained (or reloaded) run's model, as its matrix needs it; with several scoring threads (TensorFlow.js) each loads it from `artifactPath`. */
export interface ServedModel {
  model: RankingEnsemble;
  baseline: BaselineModel;
  selection: SavedSelection | null;
  vocabulary: Vocabulary;
  artifactPath: string;
}

/**
 * Scores every (user, product) pair the user has not rated and streams it into the run's staging table:
 * the rank score each list is ordered by (the selection model's pick score blended with the predicted
 * rating) and the predicted rating. Products the model has not seen get the baseline's rating.
 */
export async function writeMatrix(
  env: RunEnvironment,
  runId: number,
  { model, baseline, selection, vocabulary, artifactPath }: ServedModel,
  engine: RunEngine,
  phases: Phases,
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

  const writer = await MatrixWriter.open(
    env.pool,
    runId,
    topK,
    users.map((u) => targets.userIds[u]),
    expectedRows,
  );
  const { ort } = engine;
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
    } else if (engine.name === 'onnxruntime') await scoreAllItems(model, users, onBlock, { clip: false, engine: engine.name, threads: scoringThreads });
    // TensorFlow.js's wasm backend computes on one thread: several scoring threads share the matrix.
    else if (scoringThreads > 1) await scoreAllItemsInThreads({ artifactPath, backend, threads: scoringThreads, clip: false }, Int32Array.from(users), onBlock);
    else await scoreAllItems(model, users, onBlock, { clip: false, engine: engine.name });
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
  // Scoring and writing interleave user by user: each phase is the time spent in it, not a span.
  phases.score = Math.round(performance.now() - started - writing) / 1000;
  phases.writeBack = Math.round(writing) / 1000;
  return { rows: writer.rows, users: users.length, products, cells, topK, retrieval, staging: writer.table };
}

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
