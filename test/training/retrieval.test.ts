// Past MATRIX_MAX_CELLS a run retrieves candidates before ranking: through the real server, job queue,
// worker thread, onnxruntime and PostgreSQL, the recall it records is checked here against exhaustive
// ranking by the saved model (its networks' ratings blended with its selection model's pick scores), and
// what is served is each user's best products among them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { initBackend } from '../../src/model/backend.js';
import { loadModel } from '../../src/model/artifacts.js';
import { loadOnnxRuntime } from '../../src/model/onnx/runtime.js';
import { OnnxScorer } from '../../src/model/onnx/onnx-scorer.js';
import { planCandidates, topIndices } from '../../src/model/retrieval/cluster-candidates.js';
import { loadSelection } from '../../src/model/selection/selection-artifacts.js';
import { rankRow } from '../../src/model/rank-blend.js';

const TOP_K = 15;
let api: TestApi;

before(async () => {
  // 200 users × 400 products = 80,000 cells, past the limit of 10,000: candidates, then the top 15 of them.
  api = await startTestApi({
    MATRIX_MAX_CELLS: '10000',
    MATRIX_TOP_K: String(TOP_K),
    RETRIEVAL_CLUSTERS: '8',
    RETRIEVAL_CANDIDATES: '40',
    RETRIEVAL_PROBE: '1',
  });
  await seedShop(api.db.store, { users: 200, products: 400, ratings: 8000, seed: 11 });
});
after(async () => {
  await api?.close();
});

test('a run past MATRIX_MAX_CELLS ranks retrieved candidates, records their recall and serves the top K of them', async () => {
  const started = await api.gql('mutation { retrain(config: { epochs: 6, ensembleSize: 2, seed: 3 }) { id } }');
  const id = started.data.retrain.id;
  let run: any;
  for (const deadline = Date.now() + 240_000; ; ) {
    run = (await api.gql(`query($id: ID!) { modelRun(id: $id) { status error backend matrix artifactPath } }`, { id })).data.modelRun;
    if (!['QUEUED', 'RUNNING'].includes(run.status)) break;
    assert.ok(Date.now() < deadline, 'the run ends');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run));
  assert.equal(run.backend, 'onnxruntime');
  const { matrix } = run;
  assert.equal(matrix.topK, TOP_K);
  const { retrieval } = matrix;
  assert.ok(retrieval, JSON.stringify(matrix));
  assert.equal(retrieval.clusters, 8);
  assert.equal(retrieval.minRecall, 0.95);
  assert.ok(retrieval.recall >= 0.95, `recall ${retrieval.recall}`);
  console.log(`# retrieval: ${JSON.stringify(retrieval)}`);
  // 40 of 400 products a cluster (and a user's 40 best picks), doubled while the recall was short of 0.95:
  // short of the whole catalog, or it would not be retrieval.
  assert.ok([40, 80, 160].includes(retrieval.candidates), String(retrieval.candidates));

  // Every user has up to K rows, none of them a rated pair.
  const { rows: counts } = await api.db.store.pool.query(
    `SELECT sum(n)::int AS rows, max(n)::int AS most, (SELECT count(*)::int FROM predictions p JOIN ratings r USING (user_id, product_id)) AS rated
     FROM (SELECT user_id, count(*) AS n FROM predictions GROUP BY user_id) t`,
  );
  assert.equal(counts[0].most, TOP_K);
  assert.equal(counts[0].rated, 0);
  assert.equal(counts[0].rows, matrix.rows);

  // The recall recorded is the recall measured again here: exhaustive top K of the saved model against what is served.
  await initBackend('wasm');
  const ort = (await loadOnnxRuntime())!;
  const { model } = await loadModel(path.join(api.modelsDir, run.artifactPath));
  const selection = (await loadSelection(path.join(api.modelsDir, run.artifactPath)))!;
  assert.ok(selection, 'the run saved its selection model');
  const vocabulary = (await import(path.join(api.modelsDir, run.artifactPath, 'vocabulary.json'), { with: { type: 'json' } })).default as {
    users: string[];
    products: string[];
  };
  const scorer = OnnxScorer.of(ort, model);
  try {
    const { rows: served } = await api.db.store.pool.query<{ user: string; products: string[]; rated: string[] }>(
      `SELECT u.external_id AS user, array_agg(pr.external_id) AS products,
              ARRAY(SELECT p2.external_id FROM ratings r JOIN products p2 ON p2.id = r.product_id WHERE r.user_id = u.id) AS rated
       FROM predictions m JOIN users u ON u.id = m.user_id JOIN products pr ON pr.id = m.product_id GROUP BY u.id, u.external_id`,
    );
    const itemIndex = new Map(vocabulary.products.map((p, i) => [p, i]));
    let recall = 0;
    const { rank } = selection.model;
    for (const { user, products, rated } of served) {
      const u = vocabulary.users.indexOf(user);
      const ratings = await scorer.block(Int32Array.of(u));
      const picks = selection.model.scores(selection.userVectors.subarray(u * rank, (u + 1) * rank));
      const scores = rankRow(selection.blend, picks, ratings, model.config, new Float32Array(ratings.length));
      for (const p of rated) scores[itemIndex.get(p)!] = -Infinity;
      const truth = new Set(Array.from(topIndices(scores, TOP_K), (i) => vocabulary.products[i]));
      recall += products.filter((p) => truth.has(p)).length / truth.size;
    }
    recall /= served.length;
    assert.ok(recall >= 0.9, `served lists keep ${recall} of the exhaustive top ${TOP_K}`);
    assert.ok(Math.abs(recall - retrieval.recall) < 0.05, `recall over every user ${recall}, recorded on a sample ${retrieval.recall}`);
  } finally {
    await scorer.release();
    model.dispose();
  }
});

test("candidate lists are each cluster's best products, merged over the nearest clusters", async () => {
  await initBackend('wasm');
  const ort = (await loadOnnxRuntime())!;
  const { rows } = await api.db.store.pool.query<{ artifact_path: string }>('SELECT artifact_path FROM model_runs WHERE active');
  const { model } = await loadModel(path.join(api.modelsDir, rows[0].artifact_path));
  const scorer = OnnxScorer.of(ort, model);
  try {
    const users = Int32Array.from({ length: model.numUsers }, (_, u) => u);
    const one = await planCandidates(ort, scorer.members, users, { clusters: 6, candidates: 30, probe: 1, seed: 1 });
    const two = await planCandidates(ort, scorer.members, users, { clusters: 6, candidates: 30, probe: 2, seed: 1 });
    let widened = 0;
    for (let k = 0; k < users.length; k++) {
      const a = one.candidatesOf(k);
      const b = two.candidatesOf(k);
      assert.equal(a.length, 30);
      assert.ok(b.length >= 30 && b.length <= 60, `user ${k}: ${b.length} candidates from two clusters`);
      if (b.length > 30) widened++;
      const merged = new Set(b);
      for (const item of a) assert.ok(merged.has(item), `user ${k}: its own cluster's candidates are among the merged ones`);
      for (let j = 1; j < b.length; j++) assert.ok(b[j] > b[j - 1], 'ascending, no repeats');
    }
    // Neighbouring clusters may propose the same products, but not all of them for every user.
    assert.ok(widened > 0, 'some users get products from their second cluster');
  } finally {
    await scorer.release();
    model.dispose();
  }
});

test('unratedProductScores pages past the stored top K through every unrated product, scored on the fly', async () => {
  const { rows } = await api.db.store.pool.query<{ user: string; unrated: number; stored: string[] }>(
    `SELECT u.external_id AS user,
            (SELECT count(*)::int FROM products) - (SELECT count(*)::int FROM ratings r WHERE r.user_id = u.id) AS unrated,
            ARRAY(SELECT p.external_id FROM predictions m JOIN products p ON p.id = m.product_id WHERE m.user_id = u.id ORDER BY m.score DESC, m.product_id DESC) AS stored
     FROM users u WHERE EXISTS (SELECT 1 FROM predictions m WHERE m.user_id = u.id) ORDER BY u.id LIMIT 1`,
  );
  const { user, unrated, stored } = rows[0];
  const seen: { id: string; score: number; rankScore: number }[] = [];
  let after: string | null = null;
  let total = -1;
  for (let pages = 0; pages < 20; pages++) {
    const res: any = await api.gql(
      `query($u: ID!, $after: String) { unratedProductScores(userId: $u, first: 100, after: $after) { totalCount edges { cursor node { score rankScore product { id } } } pageInfo { hasNextPage endCursor } } }`,
      { u: user, after },
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const page = res.data.unratedProductScores;
    total = page.totalCount;
    seen.push(...page.edges.map((e: any) => ({ id: e.node.product.id, score: e.node.score, rankScore: e.node.rankScore })));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  assert.equal(total, unrated);
  assert.equal(seen.length, unrated, 'every unrated product, once');
  assert.equal(new Set(seen.map((s) => s.id)).size, unrated);
  assert.deepEqual(
    seen.slice(0, stored.length).map((s) => s.id),
    stored,
    'the stored top K first, in its order',
  );
  const past = seen.slice(stored.length);
  for (let k = 1; k < past.length; k++) assert.ok(past[k].rankScore <= past[k - 1].rankScore, 'then the rest, best first');
  // What is past the list scores the same as the API's score() of that pair.
  const probe = past[Math.floor(past.length / 2)];
  const { data } = await api.gql('query($u: ID!, $p: ID!) { score(userId: $u, productId: $p) }', { u: user, p: probe.id });
  assert.ok(Math.abs(data.score - probe.score) < 1e-4, `${data.score} vs ${probe.score}`);
});
