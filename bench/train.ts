// `npm run bench:train -- --data ../shared/data/ml-100k --split u1 [--epochs N] [--set key=value ...]`
// The whole nightly job on a MovieLens split, through the real code: imports
// u.item, u.user and <split>.base into a fresh database, runs a training run
// (worker thread, validation carved from the training data, baseline, gate,
// COPY write-back, swap), then evaluates the saved model and its baseline on
// <split>.test, and times a raw binary COPY of the very rows written back into
// a bare table: the machine's limit for writing them. One JSON line on stdout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { loadConfig } from '../src/config.js';
import { importDataset } from '../src/ingest/load.js';
import { readMovieLens } from '../src/ingest/movielens.js';
import { RowProblems } from '../src/ingest/problems.js';
import { createStore } from '../src/store/db.js';
import { migrate } from '../src/store/migrate.js';
import { requestRun } from '../src/training/registry.js';
import { RunSupervisor } from '../src/training/supervisor.js';
import { VOCABULARY_JSON } from '../src/training/dataset.js';
import { BinaryRowEncoder } from '../src/training/writeback.js';
import type { Vocabulary } from '../src/training/dataset.js';
import { loadModel } from '../src/model/artifacts.js';
import { initBackend } from '../src/model/backend.js';
import { scoreAllItems, scorePairs } from '../src/model/score.js';
import { rmse, mae } from '../src/model/metrics.js';
import { benchLogger, benchServer, median, round, withFreshDatabase } from './support.js';

const log = benchLogger('train');
const options = new Command()
  .option('--data <dir>', 'the ml-100k folder', '../shared/data/ml-100k')
  .option('--split <name>', 'u1 … u5, ua or ub', 'u1')
  .option('--epochs <n>', 'maximum epochs (default: the model default)')
  .option('--set <key=value...>', 'other TrainingConfig overrides (JSON values)', [])
  .option('--copy-runs <n>', 'raw COPY repetitions', '3')
  .parse()
  .opts<{ data: string; split: string; epochs?: string; set: string[]; copyRuns: string }>();

const dataDir = path.resolve(options.data);
const testFile = path.join(dataDir, `${options.split}.test`);
for (const file of ['u.item', 'u.user', `${options.split}.base`, `${options.split}.test`]) {
  if (!fs.existsSync(path.join(dataDir, file))) {
    console.error(`error: ${path.join(dataDir, file)} not found: --data must be the ml-100k folder`);
    process.exit(1);
  }
}
const overrides: Record<string, unknown> = {};
for (const kv of options.set) {
  const [key, ...rest] = kv.split('=');
  overrides[key] = JSON.parse(rest.join('='));
}
if (options.epochs) overrides.epochs = Number(options.epochs);

const server = await benchServer(log);
const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-train-'));
try {
  const result = await withFreshDatabase(server, 'bench_train', async (url) => {
    await migrate(url);
    const store = createStore(url);
    try {
      let t = performance.now();
      const { dataset } = readMovieLens(dataDir, { ratingsFile: `${options.split}.base`, problems: new RowProblems() });
      const imported = await importDataset(store, dataset);
      const importSeconds = (performance.now() - t) / 1000;
      log.info({ seconds: round(importSeconds), ratings: imported }, `imported ${options.split}.base`);

      const config = { ...loadConfig(), modelsDir };
      const supervisor = new RunSupervisor(store, config, log);
      const { run } = await requestRun(store.prisma, { trigger: 'cli', force: true, config: overrides });
      t = performance.now();
      const done = await supervisor.execute(run.id, {
        onEpoch: (e) =>
          log.info(
            `${e.members > 1 ? `network ${e.member}/${e.members}, ` : ''}epoch ${e.epoch}/${e.epochs} ${e.seconds.toFixed(2)} s, validation RMSE ${e.valRmse.toFixed(4)}`,
          ),
      });
      const jobSeconds = (performance.now() - t) / 1000;
      if (done?.status !== 'succeeded') throw new Error(`the run did not succeed: ${JSON.stringify(done)}`);

      // Test-set evaluation of the saved model, exactly as it will be served.
      await initBackend(config.training.backend);
      // The registry keeps the artifact's folder relative to the models folder.
      const artifactDir = path.join(modelsDir, done.artifactPath!);
      const { model, baseline } = await loadModel(artifactDir);
      const vocabulary = JSON.parse(fs.readFileSync(path.join(artifactDir, VOCABULARY_JSON), 'utf8')) as Vocabulary;
      const users = new Map(vocabulary.users.map((id, i) => [id, i]));
      const products = new Map(vocabulary.products.map((id, i) => [id, i]));
      const lines = fs
        .readFileSync(testFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      const u = Int32Array.from(lines, ([user]) => users.get(user) ?? -1);
      const i = Int32Array.from(lines, ([, item]) => products.get(item) ?? -1);
      const truth = Float32Array.from(lines, ([, , r]) => Number(r));
      const network = scorePairs(model, u, i, baseline!);
      const base = Float32Array.from(u, (uu, k) => baseline!.predict(uu, i[k]));

      // The scoring kernel alone, every user × every product, on both engines (no write-back).
      const everyone = Int32Array.from({ length: model.numUsers }, (_, k) => k);
      const scoringAlone: Record<string, number> = {};
      for (const engine of ['onnxruntime', 'tfjs'] as const) {
        const s = performance.now();
        await scoreAllItems(model, everyone, () => {}, { engine, clip: false, threads: config.training.scoringThreads });
        scoringAlone[engine] = round((performance.now() - s) / 1000);
      }

      // The machine's limit: the same rows, binary COPY into a bare table.
      const client = await store.pool.connect();
      const chunks: Buffer[] = [];
      const written = await client.query<[number, number, number, number]>({
        text: 'SELECT user_id, product_id, score, rating FROM predictions',
        rowMode: 'array',
      });
      const encoder = new BinaryRowEncoder(async (chunk) => void chunks.push(chunk));
      await encoder.header();
      for (const [user, product, score, rating] of written.rows) encoder.row(user, product, score, rating);
      await encoder.trailer();
      const copySeconds: number[] = [];
      for (let k = 0; k < Number(options.copyRuns); k++) {
        await client.query('DROP TABLE IF EXISTS raw_copy; CREATE TABLE raw_copy (user_id integer, product_id integer, score real, rating real)');
        const c = performance.now();
        await pipeline(Readable.from(chunks), client.query(copyFrom('COPY raw_copy FROM STDIN (FORMAT binary)')));
        copySeconds.push((performance.now() - c) / 1000);
      }
      client.release();

      const phases = done.phases as Record<string, number>;
      const matrix = done.matrix as { rows: number; cells: number; users: number; products: number; retrieval: object | null };
      const history = done.history as { seconds: number; valRmse: number }[];
      const rawCopySeconds = median(copySeconds);
      const networks = (done.config as { model: { ensembleSize: number } }).model.ensembleSize;
      return {
        split: options.split,
        backend: done.backend,
        networks,
        // Networks trained at once (TRAINING_THREADS); medianEpochSeconds is wall time, so it grows with this on few cores.
        trainingThreads: Math.min(config.training.trainingThreads, networks),
        epochs: history.length,
        testRmse: round(rmse(network, truth), 4),
        baselineTestRmse: round(rmse(base, truth), 4),
        testMae: round(mae(network, truth), 4),
        validationRmse: round((done.metrics as { network: { rmse: number } }).network.rmse, 4),
        medianEpochSeconds: round(median(history.map((e) => e.seconds))),
        scoreSeconds: phases.score,
        // The whole matrix scored again without writing it: onnxruntime on SCORING_THREADS threads, TensorFlow.js (wasm) on one.
        matrixScoringSeconds: scoringAlone,
        pairsScoredPerSecond: Math.round(matrix.cells / phases.score),
        writeBackSeconds: phases.writeBack,
        rowsWrittenBack: matrix.rows,
        // Past MATRIX_MAX_CELLS: the candidate retrieval and its measured recall of the exhaustive top K.
        retrieval: matrix.retrieval,
        rowsWrittenPerSecond: Math.round(matrix.rows / phases.writeBack),
        rawCopySeconds: round(rawCopySeconds),
        rawCopyRowsPerSecond: Math.round(matrix.rows / rawCopySeconds),
        writeBackVsRawCopy: round(phases.writeBack / rawCopySeconds, 2),
        phases,
        jobSeconds: round(jobSeconds),
        importSeconds: round(importSeconds),
      };
    } finally {
      await store.close();
    }
  });
  console.log(JSON.stringify(result));
} finally {
  fs.rmSync(modelsDir, { recursive: true, force: true });
  await server.stop();
}
