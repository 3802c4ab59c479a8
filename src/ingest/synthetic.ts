// Synthetic shop data: a catalog in named categories, shoppers, and ratings drawn from a hidden taste and
// choice model (taste-model.ts), so that a recommender has real structure to find, a demo shows sensible
// results, and a benchmark can say how much of the learnable structure a model found: the taste model's
// own predictions are the best any model could make (the oracle).
//
// Who rates what: some shoppers are far more active than others, and each picks products in proportion to
// their popularity (a Zipf-like law) times how much they would like them, as shoppers do; so the products a
// shopper rated say what they like, and popular products are rated more and rated higher.
import { DEFAULT_SCALE, type RatingScale } from '../store/validation.js';
import { mulberry32 } from '../model/rng.js';
import { kthLargest } from '../model/top-k.js';
import { TasteModel, LAST_RATING_AT, YEAR_MS } from './taste-model.js';
import { importDataset, type ImportOptions } from './load.js';
import { fitBaseline } from '../model/baseline.js';
import type { ImportResult, ProductRow, RatingRow, UserRow } from './types.js';

export interface SyntheticShopOptions {
  users: number;
  products: number;
  ratings: number;
  seed: number;
  /** Category names; a built-in catalog of eight when absent. */
  categories?: string[];
  scale?: RatingScale;
  /** The share of the drawn ratings set aside in `heldOut` (seeded), 0 by default. */
  heldOut?: number;
}

export interface SyntheticShop {
  users: UserRow[];
  products: ProductRow[];
  ratings: RatingRow[];
  /** The ratings drawn but left out of `ratings` (SyntheticShopOptions.heldOut): for measuring a model against. */
  heldOut: RatingRow[];
  /** The hidden truth the ratings were drawn from. */
  taste: TasteModel;
}

// Seeded so that the same seed gives the same shop on every machine.
export { mulberry32 };

interface CategoryStyle {
  prices: [number, number];
  nouns: string[];
}

const BUILT_IN_CATALOG: Record<string, CategoryStyle> = {
  Books: { prices: [6, 45], nouns: ['Novel', 'Cookbook', 'Field Guide', 'Atlas', 'Memoir', 'Anthology', 'Poetry Collection'] },
  Electronics: { prices: [15, 900], nouns: ['Headphones', 'Speaker', 'Charger', 'Tablet', 'Camera', 'Keyboard', 'Smartwatch'] },
  'Home & Kitchen': { prices: [8, 320], nouns: ['Blender', 'Kettle', 'Skillet', 'Lamp', 'Knife Set', 'Toaster', 'Coffee Maker'] },
  Toys: { prices: [5, 90], nouns: ['Puzzle', 'Building Set', 'Plush Bear', 'Board Game', 'Kite', 'Robot Kit', 'Train Set'] },
  Sports: { prices: [10, 260], nouns: ['Yoga Mat', 'Running Shoes', 'Tennis Racket', 'Water Bottle', 'Backpack', 'Dumbbells'] },
  Beauty: { prices: [4, 95], nouns: ['Face Cream', 'Shampoo', 'Perfume', 'Lip Balm', 'Serum', 'Hair Dryer'] },
  Garden: { prices: [6, 210], nouns: ['Hose', 'Planter', 'Pruning Shears', 'Seed Kit', 'Bird Feeder', 'Lawn Chair'] },
  Grocery: { prices: [2, 35], nouns: ['Coffee Beans', 'Olive Oil', 'Green Tea', 'Dark Chocolate', 'Honey', 'Pasta'] },
};
const GENERIC_STYLE: CategoryStyle = { prices: [5, 120], nouns: ['Item', 'Set', 'Kit', 'Pack', 'Bundle', 'Edition'] };
const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Essential', 'Premium', 'Smart', 'Travel', 'Vintage', 'Everyday', 'Pro', 'Mini'];
const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloe',
  'Dev',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemi',
  'Liam',
  'Mia',
  'Noah',
  'Olga',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tara',
];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'ES', 'IN', 'JP', 'BR', 'CA', 'AU'];

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number ≥ ${min}, got ${value}`);
}

/** Index drawn with probability proportional to weights, given their running sums. */
function pick(cumulative: Float64Array, random: number): number {
  const target = random * cumulative[cumulative.length - 1];
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (cumulative[mid] > target) high = mid;
    else low = mid + 1;
  }
  return low;
}

function runningSums(weights: ArrayLike<number>): Float64Array {
  const sums = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) sums[i] = total += weights[i];
  return sums;
}

/** The catalog's and the shoppers' rows (names, categories, prices, attributes) for a taste model. */
function catalogRows(taste: TasteModel, categoryNames: string[], random: () => number): { users: UserRow[]; products: ProductRow[] } {
  const padProduct = String(taste.products).length;
  const nameUses = new Map<string, number>();
  const products: ProductRow[] = [];
  for (let p = 0; p < taste.products; p++) {
    const categoryName = categoryNames[taste.productCategory[p]];
    const style = BUILT_IN_CATALOG[categoryName] ?? GENERIC_STYLE;
    const baseName = `${ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]} ${style.nouns[Math.floor(random() * style.nouns.length)]}`;
    const uses = (nameUses.get(baseName) ?? 0) + 1;
    nameUses.set(baseName, uses);
    const [low, high] = style.prices;
    // Prices spread log-uniformly over the category's range, ending in .99.
    const price = Math.max(0.99, Math.floor(low * Math.pow(high / low, random())) + 0.99);
    products.push({
      externalId: `product-${String(p + 1).padStart(padProduct, '0')}`,
      name: uses === 1 ? baseName : `${baseName} ${uses}`,
      category: categoryName,
      price,
      attributes: { synthetic: true },
    });
  }
  const padUser = String(taste.users).length;
  const users: UserRow[] = [];
  for (let u = 0; u < taste.users; u++) {
    const firstName = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)];
    const initial = String.fromCharCode(65 + Math.floor(random() * 26));
    users.push({
      externalId: `user-${String(u + 1).padStart(padUser, '0')}`,
      name: `${firstName} ${initial}.`,
      attributes: { age: 18 + Math.floor(random() * 58), country: COUNTRIES[Math.floor(random() * COUNTRIES.length)], synthetic: true },
    });
  }
  return { users, products };
}

/**
 * The `n` products user `u` picks: without replacement, each with probability proportional to its pick
 * weight (Gumbel top-n: the n largest of log weight + Gumbel noise).
 */
function picksOf(taste: TasteModel, u: number, n: number, random: () => number, keys: Float64Array): Int32Array {
  const products = taste.products;
  for (let p = 0; p < products; p++) keys[p] = taste.logPickWeight(u, p) - Math.log(-Math.log(1 - random()));
  if (n >= products) return Int32Array.from({ length: products }, (_, p) => p);
  const bar = kthLargest(Float64Array.from(keys), n);
  const out = new Int32Array(n);
  let k = 0;
  for (let p = 0; p < products && k < n; p++) if (keys[p] >= bar) out[k++] = p;
  return out;
}

export function generateSyntheticShop(options: SyntheticShopOptions): SyntheticShop {
  const { users: userCount, products: productCount, ratings: ratingCount, seed } = options;
  checkCount('users', userCount, 1);
  checkCount('products', productCount, 1);
  checkCount('ratings', ratingCount, 0);
  if (ratingCount > userCount * productCount) {
    throw new RangeError(`${ratingCount} ratings do not fit: ${userCount} users × ${productCount} products allow at most ${userCount * productCount}`);
  }
  const heldOutShare = options.heldOut ?? 0;
  if (!(heldOutShare >= 0 && heldOutShare < 1)) throw new RangeError(`heldOut must be in [0, 1), got ${heldOutShare}`);
  const scale = options.scale ?? DEFAULT_SCALE;
  const categoryNames = options.categories ?? Object.keys(BUILT_IN_CATALOG);
  if (categoryNames.length === 0) throw new RangeError('categories must not be empty');
  const taste = TasteModel.fromSeed({ users: userCount, products: productCount, categories: categoryNames.length, seed, scale });
  // Streams of their own, so the taste model can be rebuilt from the seed without drawing the ratings.
  const { users, products } = catalogRows(taste, categoryNames, mulberry32(seed ^ 0x0c47a109));
  const random = mulberry32(seed ^ 0x5eed1e55);

  // How many each shopper rates: shoppers drawn by activity, none beyond the whole catalog.
  const activityCdf = runningSums(taste.activity);
  const counts = new Int32Array(userCount);
  for (let i = 0; i < ratingCount; ) {
    const u = pick(activityCdf, random());
    if (counts[u] === productCount) continue;
    counts[u]++;
    i++;
  }
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const ratings: RatingRow[] = [];
  const heldOut: RatingRow[] = [];
  const keys = new Float64Array(productCount);
  for (let u = 0; u < userCount; u++) {
    if (counts[u] === 0) continue;
    for (const p of picksOf(taste, u, counts[u], random, keys)) {
      const row: RatingRow = {
        userId: users[u].externalId,
        productId: products[p].externalId,
        value: taste.draw(u, p, gaussian()),
        timestamp: new Date(LAST_RATING_AT - Math.floor((random() * YEAR_MS) / 1000) * 1000),
      };
      (heldOutShare > 0 && random() < heldOutShare ? heldOut : ratings).push(row);
    }
  }
  return { users, products, ratings, heldOut, taste };
}

/** How much structure a model can find in a shop: its taste model's error (the noise floor) beside the bias baseline's. */
export interface TasteReport {
  /** Ratings the two were measured on: the held-out ones, or (none held out) a seeded tenth of the shop's. */
  ratings: number;
  heldOut: boolean;
  oracleRmse: number;
  baselineRmse: number;
  /** (baseline − oracle) / baseline: how far below the baseline a model can get. */
  gapShare: number;
}

/** The oracle's and the bias baseline's RMSE on the shop's held-out ratings (the baseline fitted on the rest). */
export function tasteReport(shop: SyntheticShop): TasteReport {
  const userIndex = new Map(shop.users.map((u, k) => [u.externalId, k]));
  const productIndex = new Map(shop.products.map((p, k) => [p.externalId, k]));
  let fit = shop.ratings;
  let measured = shop.heldOut;
  if (measured.length === 0) {
    const random = mulberry32(0x7a57e);
    const tenth = shop.ratings.map(() => random() < 0.1);
    fit = shop.ratings.filter((_, k) => !tenth[k]);
    measured = shop.ratings.filter((_, k) => tenth[k]);
  }
  const { ratingMin, ratingMax } = shop.taste.scale;
  const baseline = fitBaseline(
    {
      userIdx: Int32Array.from(fit, (r) => userIndex.get(r.userId)!),
      itemIdx: Int32Array.from(fit, (r) => productIndex.get(r.productId)!),
      ratings: Float32Array.from(fit, (r) => r.value),
      numUsers: shop.users.length,
      numItems: shop.products.length,
    },
    { regUser: 10, regItem: 10, minRating: ratingMin, maxRating: ratingMax },
  );
  let oracle = 0;
  let bias = 0;
  for (const r of measured) {
    const u = userIndex.get(r.userId)!;
    const p = productIndex.get(r.productId)!;
    oracle += (shop.taste.expectedRating(u, p) - r.value) ** 2;
    bias += (baseline.predict(u, p) - r.value) ** 2;
  }
  const n = Math.max(1, measured.length);
  const oracleRmse = Math.sqrt(oracle / n);
  const baselineRmse = Math.sqrt(bias / n);
  return { ratings: measured.length, heldOut: shop.heldOut.length > 0, oracleRmse, baselineRmse, gapShare: (baselineRmse - oracleRmse) / baselineRmse };
}

/** Generates a synthetic shop and bulk-loads it (one transaction, like any import), less its held-out ratings. */
export async function seedShop(
  store: Parameters<typeof importDataset>[0],
  options: SyntheticShopOptions,
  importOptions: ImportOptions = {},
  onShop: (shop: SyntheticShop) => void = () => {},
): Promise<ImportResult> {
  const shop = generateSyntheticShop({ ...options, scale: options.scale ?? importOptions.scale });
  onShop(shop);
  return importDataset(
    store,
    {
      users: { name: 'synthetic users', rows: shop.users, totalRows: shop.users.length },
      products: { name: 'synthetic products', rows: shop.products, totalRows: shop.products.length },
      ratings: { name: 'synthetic ratings', rows: shop.ratings, totalRows: shop.ratings.length },
      createMissingUsers: false,
      createMissingProducts: false,
    },
    { ...importOptions, scale: importOptions.scale ?? options.scale },
  );
}

/** The shop `npm start` loads into an empty database (the README's examples run on it). */
export const DEMO_SHOP = { users: 300, products: 400, ratings: 12_000, seed: 42 };
