// `npm run bench:network -- --users 100000 --products 4000 --ratings 1000000 [--epochs 2] [--set key=value ...]`
// The ranking network alone, in memory (no database): a synthetic shop drawn from its taste model, 5 % of it
// held out, the network trained on the rest with the history (as a run does, without attribute features), and
// each epoch's training and validation RMSE beside the bias baseline's and the taste model's own (the oracle)
// on the held-out ratings. For questions such as "does this step size learn on this shape of shop". One JSON line.
import { Command, InvalidArgumentError } from 'commander';
import { fitBaseline } from '../src/model/baseline.js';
import { resolveConfig } from '../src/model/config.js';
import type { RatingData } from '../src/model/data.js';
import { withInteractionHistory } from '../src/model/features.js';
import { rmse } from '../src/model/metrics.js';
import { trainRankingModel, type EpochLog } from '../src/model/train.js';
import { generateSyntheticShop } from '../src/ingest/synthetic.js';
import { benchLogger, round } from './support.js';

const log = benchLogger('network');
const whole = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
};
const options = new Command()
  .requiredOption('--users <n>', 'shoppers', whole)
  .requiredOption('--products <n>', 'products', whole)
  .requiredOption('--ratings <n>', 'ratings', whole)
  .option('--epochs <n>', 'epochs of one network', whole, 3)
  .option('--seed <n>', 'the synthetic shop', whole, 7)
  .option('--set <key=value...>', 'TrainingConfig overrides (JSON values)', [])
  .parse()
  .opts<{ users: number; products: number; ratings: number; epochs: number; seed: number; set: string[] }>();
const overrides: Record<string, unknown> = {};
for (const kv of options.set) {
  const [key, ...rest] = kv.split('=');
  overrides[key] = JSON.parse(rest.join('='));
}

const shop = generateSyntheticShop({ users: options.users, products: options.products, ratings: options.ratings, seed: options.seed, heldOut: 0.05 });
const userIndex = new Map(shop.users.map((u, k) => [u.externalId, k]));
const productIndex = new Map(shop.products.map((p, k) => [p.externalId, k]));
const asData = (rows: typeof shop.ratings): RatingData => ({
  userIdx: Int32Array.from(rows, (r) => userIndex.get(r.userId)!),
  itemIdx: Int32Array.from(rows, (r) => productIndex.get(r.productId)!),
  ratings: Float32Array.from(rows, (r) => r.value),
  numUsers: options.users,
  numItems: options.products,
});
const train = asData(shop.ratings);
const validation = asData(shop.heldOut);
const oracleRmse = rmse(
  Float32Array.from(validation.userIdx, (u, k) => shop.taste.expectedRating(u, validation.itemIdx[k])),
  validation.ratings,
);
const baseline = fitBaseline(train, { regUser: 10, regItem: 10, minRating: 1, maxRating: 5 });
const baselineRmse = rmse(
  Float32Array.from(validation.userIdx, (u, k) => baseline.predict(u, validation.itemIdx[k])),
  validation.ratings,
);
log.info({ oracleRmse: round(oracleRmse, 4), baselineRmse: round(baselineRmse, 4) }, 'shop drawn');

const config = resolveConfig({ features: false, ensembleSize: 1, epochs: options.epochs, ...overrides });
if (config.interactionHistory) train.features = validation.features = withInteractionHistory(undefined, train);
const epochs: EpochLog[] = [];
const trained = await trainRankingModel(train, config, {
  validation,
  engine: 'onnxruntime',
  onEpoch: (e) => {
    epochs.push(e);
    log.info({ epoch: e.epoch, trainRmse: round(e.trainRmse, 4), valRmse: round(e.valRmse, 4), seconds: round(e.seconds) }, 'epoch');
  },
});
trained.model.dispose();
console.log(
  JSON.stringify({
    shop: { users: options.users, products: options.products, ratings: options.ratings, seed: options.seed },
    overrides,
    oracleRmse: round(oracleRmse, 4),
    baselineRmse: round(baselineRmse, 4),
    epochs: epochs.map((e) => ({ epoch: e.epoch, trainRmse: round(e.trainRmse, 4), valRmse: round(e.valRmse, 4), seconds: round(e.seconds) })),
  }),
);
