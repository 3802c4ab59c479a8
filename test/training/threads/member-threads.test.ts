// Networks trained on threads of their own are the networks trained in turn,
// weight for weight; every epoch is reported, the progress bar follows one
// network at a time, and a thread that fails fails the training with its reason.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/model/backend.js';
import type { RatingData } from '../../../src/model/data.js';
import { trainRankingModel, type BatchProgress, type EpochLog, type TrainResult } from '../../../src/model/train.js';
import type { TrainingConfig } from '../../../src/model/config.js';
import { memberThreads } from '../../../src/training/threads/member-threads.js';

// A small random shop: 37 users, 23 products.
const n = 600;
const data: RatingData = {
  userIdx: Int32Array.from({ length: n }, (_, k) => (k * 7) % 37),
  itemIdx: Int32Array.from({ length: n }, (_, k) => (k * 11 + (k >> 5)) % 23),
  ratings: Float32Array.from({ length: n }, (_, k) => 1 + ((k * 13) % 5)),
  numUsers: 37,
  numItems: 23,
};
const config: Partial<TrainingConfig> = { epochs: 3, embeddingDim: 4, layerSizes: [8, 4], batchSize: 64, ensembleSize: 3, seed: 7, validationFraction: 0.2 };

before(async () => {
  await initBackend('wasm');
});

function assertSameNetworks(threaded: TrainResult, inTurn: TrainResult): void {
  assert.equal(threaded.model.members.length, inTurn.model.members.length);
  threaded.model.members.forEach((member, k) => {
    const mine = member.getWeights();
    const theirs = inTurn.model.members[k].getWeights();
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(theirs).sort());
    for (const name of Object.keys(theirs)) assert.deepEqual(Array.from(mine[name].values), Array.from(theirs[name].values), `network ${k + 1}, ${name}`);
    assert.equal(member.config.seed, inTurn.model.members[k].config.seed);
  });
  const strip = (h: EpochLog[]) => h.map(({ seconds: _seconds, ...rest }) => rest);
  assert.deepEqual(strip(threaded.history), strip(inTurn.history));
  assert.deepEqual(strip(threaded.refitHistory), strip(inTurn.refitHistory));
  assert.deepEqual(threaded.bestEpochs, inTurn.bestEpochs);
  assert.deepEqual(threaded.baseline.userBias, inTurn.baseline.userBias);
}

for (const [engine, refitFullData] of [
  ['onnxruntime', false],
  ['tfjs', false],
  ['onnxruntime', true],
] as const) {
  test(`three networks on two threads are the networks trained in turn (${engine}${refitFullData ? ', refit on all data' : ''})`, async () => {
    const inTurn = await trainRankingModel(data, { ...config, refitFullData }, { engine });
    const epochs: EpochLog[] = [];
    const batches: BatchProgress[] = [];
    const threaded = await trainRankingModel(
      data,
      { ...config, refitFullData },
      {
        engine,
        memberTrainer: memberThreads({ threads: 2, backend: 'wasm', engine }),
        onEpoch: (e) => epochs.push(e),
        onBatch: (b) => batches.push(b),
      },
    );
    try {
      assertSameNetworks(threaded, inTurn);
      // Every epoch of every network was reported as it ended (threads interleave them).
      const key = (e: EpochLog) => `${e.member}/${e.epoch}/${e.epochs}`;
      assert.deepEqual(epochs.map(key).sort(), [...inTurn.history, ...inTurn.refitHistory].map(key).sort());
      // Batch progress follows the lowest network still training: its number never goes back.
      assert.ok(batches.length > 0);
      assert.equal(batches[0].member, 1);
      for (let k = 1; k < batches.length; k++)
        assert.ok(batches[k].member >= batches[k - 1].member, `batch ${k}: network ${batches[k].member} after ${batches[k - 1].member}`);
      assert.ok(batches.every((b) => b.members === 3));
    } finally {
      inTurn.model.dispose();
      threaded.model.dispose();
    }
  });
}

test('a network whose thread fails fails the training with its reason', async () => {
  await assert.rejects(
    trainRankingModel(data, config, { memberTrainer: memberThreads({ threads: 2, backend: 'no-such-backend', engine: 'onnxruntime' }) }),
    /network \d: Unknown TF_BACKEND 'no-such-backend'/,
  );
});

test('the training budget reaches the networks on their threads', async () => {
  const threaded = await trainRankingModel(data, config, {
    memberTrainer: memberThreads({ threads: 2, backend: 'wasm', engine: 'onnxruntime' }),
    deadline: Date.now(),
  });
  try {
    assert.deepEqual(threaded.stopped, ['budget', 'budget', 'budget']);
    assert.ok(threaded.history.every((e) => e.epoch === 1));
  } finally {
    threaded.model.dispose();
  }
});

test('a run stopped mid-epoch stops its threads between steps, and the process lives on', async () => {
  // Terminating a thread while an onnxruntime call is in flight would abort this whole process (thread-stop.ts).
  for (let attempt = 0; attempt < 5; attempt++) {
    const controller = new AbortController();
    const training = trainRankingModel(
      data,
      { ...config, epochs: 50 },
      {
        memberTrainer: memberThreads({ threads: 2, backend: 'wasm', engine: 'onnxruntime' }),
        signal: controller.signal,
        onBatch: (b) => b.batch === 2 && controller.abort(new Error('stopped by the test')),
      },
    );
    await assert.rejects(training, /stopped by the test|asked to stop/);
  }
});
