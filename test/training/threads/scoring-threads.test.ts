// Scoring the matrix on several threads gives the same blocks, in the same
// order, as scoring it on one; a thread that cannot load the model fails the
// whole scoring with its reason instead of hanging it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../src/model/backend.js';
import { saveModel } from '../../../src/model/artifacts.js';
import { scoreAllItems, type ScoreBlock } from '../../../src/model/score.js';
import { trainRankingModel, type TrainResult } from '../../../src/model/train.js';
import { scoreAllItemsInThreads } from '../../../src/training/threads/scoring-threads.js';

let dir: string;
let trained: TrainResult;

before(async () => {
  await initBackend('wasm');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'scoring-threads-'));
  // A small random shop: 37 users (an uneven number of blocks), 23 products.
  const n = 600;
  const userIdx = Int32Array.from({ length: n }, (_, k) => (k * 7) % 37);
  const itemIdx = Int32Array.from({ length: n }, (_, k) => (k * 11 + (k >> 5)) % 23);
  const ratings = Float32Array.from({ length: n }, (_, k) => 1 + ((k * 13) % 5));
  trained = await trainRankingModel(
    { userIdx, itemIdx, ratings, numUsers: 37, numItems: 23 },
    { epochs: 2, embeddingDim: 4, layerSizes: [8, 4], ensembleSize: 2, seed: 1 },
  );
  await saveModel(trained.model, dir);
});
after(async () => {
  trained?.model.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

async function collect(run: (onBlock: (block: ScoreBlock) => void) => Promise<void>): Promise<ScoreBlock[]> {
  const blocks: ScoreBlock[] = [];
  await run((block) => void blocks.push(block));
  return blocks;
}

// Scoring threads are TensorFlow.js's way to use several cores (onnxruntime has threads of its own).
test('three threads give the blocks one thread gives, in user order', async () => {
  const users = Int32Array.from({ length: 37 }, (_, k) => 36 - k); // any order the writer asks for
  const one = await collect((onBlock) => scoreAllItems(trained.model, users, onBlock, { usersPerBlock: 4, engine: 'tfjs' }));
  const three = await collect((onBlock) => scoreAllItemsInThreads({ artifactPath: dir, backend: 'wasm', threads: 3, usersPerBlock: 4 }, users, onBlock));
  assert.equal(three.length, 10);
  assert.deepEqual(
    three.map((b) => Array.from(b.users)),
    one.map((b) => Array.from(b.users)),
  );
  three.forEach((block, k) => assert.deepEqual(Array.from(block.scores), Array.from(one[k].scores), `block ${k}`));
  // Unclipped, as the matrix is written: the same again.
  const oneRaw = await collect((onBlock) => scoreAllItems(trained.model, users, onBlock, { usersPerBlock: 4, clip: false, engine: 'tfjs' }));
  const threeRaw = await collect((onBlock) =>
    scoreAllItemsInThreads({ artifactPath: dir, backend: 'wasm', threads: 3, usersPerBlock: 4, clip: false }, users, onBlock),
  );
  threeRaw.forEach((block, k) => assert.deepEqual(Array.from(block.scores), Array.from(oneRaw[k].scores), `unclipped block ${k}`));
});

test('a slow consumer gets every block, in order (threads wait for it)', async () => {
  const users = Int32Array.from({ length: 37 }, (_, k) => k);
  const seen: number[] = [];
  await scoreAllItemsInThreads({ artifactPath: dir, backend: 'wasm', threads: 2, usersPerBlock: 1 }, users, async (block) => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    seen.push(...block.users);
  });
  assert.deepEqual(seen, Array.from(users));
});

test('a thread that cannot load the model fails the scoring with its reason', async () => {
  await assert.rejects(
    scoreAllItemsInThreads({ artifactPath: path.join(dir, 'missing'), backend: 'wasm', threads: 2 }, Int32Array.from([0, 1, 2]), () => {}),
    /scoring thread: .*model\.json/,
  );
});
