/**
 * Benchmark of the ranking model on a MovieLens 100K split.
 *
 *   npx tsx bench/model.ts --data ../shared/data/ml-100k --split u1 [--epochs N] [--set key=value ...]
 *
 * Trains on <split>.base (validation carved from it, seeded), evaluates the network and the bias
 * baseline on <split>.test, times full-matrix scoring. Progress → stderr; one JSON line → stdout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '../src/model/tf.js';
import { initBackend } from '../src/model/backend.js';
import { resolveConfig, type TrainingConfig } from '../src/model/config.js';
import type { RatingData } from '../src/model/data.js';
import { mae, rankingMetrics, rmse } from '../src/model/metrics.js';
import { scoreAllItems, scorePairs } from '../src/model/score.js';
import { trainRankingModel } from '../src/model/train.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/ml-100k' },
    split: { type: 'string', default: 'u1' },
    epochs: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    backend: { type: 'string' },
    'users-per-block': { type: 'string' },
    'score-runs': { type: 'string', default: '3' },
  },
});

const log = (...a: unknown[]) => console.error(...a);

interface Raw {
  u: Int32Array;
  i: Int32Array;
  r: Float32Array;
}

function readRatings(file: string): Raw {
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const u = new Int32Array(lines.length);
  const i = new Int32Array(lines.length);
  const r = new Float32Array(lines.length);
  lines.forEach((line, k) => {
    const [a, b, c] = line.split('\t');
    u[k] = Number(a);
    i[k] = Number(b);
    r[k] = Number(c);
  });
  return { u, i, r };
}

function counts(dir: string, base: Raw, test: Raw): { users: number; items: number } {
  const info = path.join(dir, 'u.info');
  if (fs.existsSync(info)) {
    const t = fs.readFileSync(info, 'utf8');
    const users = Number(/(\d+)\s+users/.exec(t)?.[1]);
    const items = Number(/(\d+)\s+items/.exec(t)?.[1]);
    if (users > 0 && items > 0) return { users, items };
  }
  const max = (a: Int32Array, b: Int32Array) => Math.max(...a, ...b);
  return { users: max(base.u, test.u), items: max(base.i, test.i) };
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function parseSet(items: string[]): Partial<TrainingConfig> {
  const out: Record<string, unknown> = {};
  for (const kv of items) {
    const eq = kv.indexOf('=');
    if (eq < 0) throw new Error(`--set expects key=value, got ${kv}`);
    const k = kv.slice(0, eq);
    const v = kv.slice(eq + 1);
    try {
      out[k] = JSON.parse(v);
    } catch {
      out[k] = v;
    }
  }
  return out as Partial<TrainingConfig>;
}

async function main() {
  const backend = await initBackend(values.backend ?? process.env.TF_BACKEND ?? 'auto');
  const dir = path.resolve(values.data!);
  const split = values.split!;
  const baseRaw = readRatings(path.join(dir, `${split}.base`));
  const testRaw = readRatings(path.join(dir, `${split}.test`));
  const { users: numUsers, items: numItems } = counts(dir, baseRaw, testRaw);
  // Dense indices = id − 1 (MovieLens ids are 1..N). Test users/products never seen in training → −1 (baseline fallback).
  const seenU = new Uint8Array(numUsers);
  const seenI = new Uint8Array(numItems);
  const train: RatingData = {
    userIdx: baseRaw.u.map((x) => x - 1),
    itemIdx: baseRaw.i.map((x) => x - 1),
    ratings: baseRaw.r,
    numUsers,
    numItems,
  };
  for (let k = 0; k < train.ratings.length; k++) {
    seenU[train.userIdx[k]] = 1;
    seenI[train.itemIdx[k]] = 1;
  }
  const testU = testRaw.u.map((x) => (seenU[x - 1] ? x - 1 : -1));
  const testI = testRaw.i.map((x) => (seenI[x - 1] ? x - 1 : -1));
  let unseen = 0;
  for (let k = 0; k < testU.length; k++) if (testU[k] < 0 || testI[k] < 0) unseen++;

  const config = resolveConfig({ ...(values.epochs ? { epochs: Number(values.epochs) } : {}), ...parseSet(values.set ?? []) });
  log(
    `backend=${backend} split=${split} train=${train.ratings.length} test=${testU.length} (unseen user/item pairs: ${unseen}) users=${numUsers} items=${numItems}`,
  );
  log(`config ${JSON.stringify(config)}`);

  const t0 = performance.now();
  const result = await trainRankingModel(train, config, {
    onEpoch: (e) =>
      log(
        `${e.members > 1 ? `network ${e.member}/${e.members} ` : ''}epoch ${e.epoch}/${e.epochs} loss=${e.loss.toFixed(4)} trainRmse=${e.trainRmse.toFixed(4)} valRmse=${e.valRmse.toFixed(4)} ${e.seconds.toFixed(2)}s lr=${e.learningRate.toExponential(2)}`,
      ),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const { model, baseline, history, bestEpoch, bestEpochs, refitHistory } = result;

  // Test-set evaluation (the only use of the test set).
  const pred = scorePairs(model, testU, testI, baseline);
  const basePred = baseline.predictArrays(testU, testI);
  const testRmse = rmse(pred, testRaw.r);
  const baselineTestRmse = rmse(basePred, testRaw.r);
  const ranking = rankingMetrics({ userIdx: testRaw.u, itemIdx: testRaw.i, ratings: testRaw.r, predictions: pred }, { k: 10, threshold: 4 });
  const baselineRanking = rankingMetrics({ userIdx: testRaw.u, itemIdx: testRaw.i, ratings: testRaw.r, predictions: basePred }, { k: 10, threshold: 4 });

  // Reference: the raw (unsplit) forward pass over all training ratings.
  const f0 = performance.now();
  model.predictArrays(train.userIdx, train.itemIdx);
  const forwardSeconds = (performance.now() - f0) / 1000;

  // Full-matrix scoring (every user × every product).
  const allUsers = Int32Array.from({ length: numUsers }, (_, k) => k);
  const perBlock = values['users-per-block'] ? Number(values['users-per-block']) : undefined;
  const scoreTimes: number[] = [];
  let checksum = 0;
  for (let run = 0; run < Number(values['score-runs']); run++) {
    const s0 = performance.now();
    checksum = 0;
    await scoreAllItems(
      model,
      allUsers,
      (b) => {
        checksum += b.scores[0];
      },
      { usersPerBlock: perBlock },
    );
    scoreTimes.push((performance.now() - s0) / 1000);
  }
  const scoringSeconds = scoreTimes.length ? median(scoreTimes) : NaN;
  const pairs = numUsers * numItems;
  const epochSeconds = [...history, ...refitHistory].map((h) => h.seconds);
  const nPhase = train.ratings.length - Math.round(train.ratings.length * config.validationFraction);
  const ratingsTrained = history.length * nPhase + refitHistory.length * train.ratings.length;
  log(
    `test RMSE ${testRmse.toFixed(4)} (baseline ${baselineTestRmse.toFixed(4)}), best epoch ${bestEpoch}, scoring ${scoringSeconds.toFixed(2)}s, tensors ${tf.memory().numTensors}`,
  );

  const out = {
    backend,
    split,
    testRmse: round(testRmse, 4),
    baselineTestRmse: round(baselineTestRmse, 4),
    testMae: round(mae(pred, testRaw.r), 4),
    baselineTestMae: round(mae(basePred, testRaw.r), 4),
    precisionAt10: round(ranking.precision, 4),
    recallAt10: round(ranking.recall, 4),
    ndcgAt10: round(ranking.ndcg, 4),
    baselineNdcgAt10: round(baselineRanking.ndcg, 4),
    medianEpochSeconds: round(median(epochSeconds), 3),
    networks: model.members.length,
    epochs: history.length,
    refitEpochs: refitHistory.length,
    bestEpoch,
    bestEpochs,
    bestValRmse: round(history[bestEpoch - 1]?.valRmse ?? NaN, 4),
    trainSeconds: round(trainSeconds, 2),
    trainRatingsPerSecond: Math.round(ratingsTrained / epochSeconds.reduce((a, b) => a + b, 0)),
    scoringSeconds: round(scoringSeconds, 3),
    scoringPairs: pairs,
    scoringPairsPerSecond: Math.round(pairs / scoringSeconds),
    referenceForwardSeconds80k: round(forwardSeconds, 3),
    config,
  };
  void checksum;
  process.stdout.write(JSON.stringify(out) + '\n');
  model.dispose();
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
