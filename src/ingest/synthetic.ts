// Synthetic shop data: a catalog in named categories, shoppers, and ratings drawn
// from a hidden latent-factor model, so that a recommender has real structure to
// find (and a demo shows sensible results) without shipping any data set.
//
// rating = mean + user bias + product bias + user·product factors
//          + the user's affinity for the product's category + noise,
// mapped onto the configured scale, rounded to its steps and clipped to its range.
// Who rates what is skewed too: some shoppers are far more active, and product
// popularity follows a Zipf-like law (a few products get most of the ratings),
// leaning towards the categories each shopper likes.
import { DEFAULT_SCALE, type RatingScale } from '../store/rules.js';
import { mulberry32 } from '../model/rng.js';
import { importDataset, type ImportOptions } from './load.js';
import type { ImportResult, ProductRow, RatingRow, UserRow } from './types.js';

export interface SyntheticShopOptions {
  users: number;
  products: number;
  ratings: number;
  seed: number;
  /** Category names; a built-in catalog of eight when absent. */
  categories?: string[];
  scale?: RatingScale;
}

export interface SyntheticShop {
  users: UserRow[];
  products: ProductRow[];
  ratings: RatingRow[];
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
const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam', 'Mia', 'Noah', 'Olga', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'ES', 'IN', 'JP', 'BR', 'CA', 'AU'];

const FACTORS = 6;
/** Ratings spread over the year before this instant; fixed so output never depends on the clock. */
const LAST_RATING_AT = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;

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

export function generateSyntheticShop(options: SyntheticShopOptions): SyntheticShop {
  const { users: userCount, products: productCount, ratings: ratingCount, seed } = options;
  checkCount('users', userCount, 1);
  checkCount('products', productCount, 1);
  checkCount('ratings', ratingCount, 0);
  if (ratingCount > userCount * productCount) {
    throw new RangeError(`${ratingCount} ratings do not fit: ${userCount} users × ${productCount} products allow at most ${userCount * productCount}`);
  }
  const scale = options.scale ?? DEFAULT_SCALE;
  const categoryNames = options.categories ?? Object.keys(BUILT_IN_CATALOG);
  if (categoryNames.length === 0) throw new RangeError('categories must not be empty');
  const random = mulberry32(seed);
  const gaussian = () => {
    // Box–Muller; 1 - random() keeps log() away from 0.
    return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  };
  const vector = (sd: number, around?: Float64Array) =>
    Float64Array.from({ length: FACTORS }, (_, k) => (around ? around[k] : 0) + sd * gaussian());

  // Categories: a region of the factor space each, so that products in one are alike.
  const categoryCenters = categoryNames.map(() => vector(0.35));

  // Products.
  const padProduct = String(productCount).length;
  const nameUses = new Map<string, number>();
  const productCategory = new Int32Array(productCount);
  const productFactors: Float64Array[] = [];
  const productBias = new Float64Array(productCount);
  const popularity = new Float64Array(productCount);
  // Popularity by a Zipf law over a random order of the products.
  const rank = Array.from({ length: productCount }, (_, i) => i);
  for (let i = productCount - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rank[i], rank[j]] = [rank[j], rank[i]];
  }
  const products: ProductRow[] = [];
  for (let p = 0; p < productCount; p++) {
    const category = Math.floor(random() * categoryNames.length);
    const categoryName = categoryNames[category];
    const style = BUILT_IN_CATALOG[categoryName] ?? GENERIC_STYLE;
    productCategory[p] = category;
    productFactors.push(vector(0.3, categoryCenters[category]));
    popularity[p] = 1 / Math.pow(rank[p] + 1, 0.9);
    // Popular products are a little better liked, as in real shops.
    productBias[p] = 0.3 * gaussian() + 0.25 * (1 - rank[p] / productCount);
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

  // Users.
  const padUser = String(userCount).length;
  const users: UserRow[] = [];
  const userFactors: Float64Array[] = [];
  const userBias = new Float64Array(userCount);
  const affinity: Float64Array[] = [];
  const activity = new Float64Array(userCount);
  for (let u = 0; u < userCount; u++) {
    userFactors.push(vector(0.45));
    userBias[u] = 0.35 * gaussian();
    affinity.push(Float64Array.from(categoryNames, () => 0.6 * gaussian()));
    activity[u] = Math.exp(0.9 * gaussian());
    const firstName = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)];
    const initial = String.fromCharCode(65 + Math.floor(random() * 26));
    users.push({
      externalId: `user-${String(u + 1).padStart(padUser, '0')}`,
      name: `${firstName} ${initial}.`,
      attributes: {
        age: 18 + Math.floor(random() * 58),
        country: COUNTRIES[Math.floor(random() * COUNTRIES.length)],
        synthetic: true,
      },
    });
  }

  // Who rates what: a user by activity, then a category they lean to, then a
  // product of that category by popularity.
  const activityCdf = runningSums(activity);
  const productsByCategory = categoryNames.map(() => [] as number[]);
  for (let p = 0; p < productCount; p++) productsByCategory[productCategory[p]].push(p);
  const categoryCdfs = productsByCategory.map((members) => runningSums(members.map((p) => popularity[p])));
  const categoryPopularity = categoryCdfs.map((cdf) => (cdf.length ? cdf[cdf.length - 1] : 0));
  const userCategoryCdf = (u: number) =>
    runningSums(categoryPopularity.map((weight, c) => weight * Math.exp(1.5 * affinity[u][c])));
  const categoryCdfOfUser = new Map<number, Float64Array>();
  const rated = new Set<number>();
  const ratedByUser = new Int32Array(userCount);

  const choosePair = (): [number, number] => {
    for (;;) {
      const u = pick(activityCdf, random());
      if (ratedByUser[u] === productCount) continue;
      let cdf = categoryCdfOfUser.get(u);
      if (!cdf) categoryCdfOfUser.set(u, (cdf = userCategoryCdf(u)));
      for (let attempt = 0; attempt < 30; attempt++) {
        const c = pick(cdf, random());
        const p = productsByCategory[c][pick(categoryCdfs[c], random())];
        if (!rated.has(u * productCount + p)) return [u, p];
      }
      // This user has rated most of what they would pick: take any product they have not rated.
      const start = Math.floor(random() * productCount);
      for (let i = 0; i < productCount; i++) {
        const p = (start + i) % productCount;
        if (!rated.has(u * productCount + p)) return [u, p];
      }
    }
  };

  // Scores are made on a 1–5 scale and then mapped onto the configured one.
  const span = scale.ratingMax - scale.ratingMin;
  const ratings: RatingRow[] = [];
  for (let i = 0; i < ratingCount; i++) {
    const [u, p] = choosePair();
    rated.add(u * productCount + p);
    ratedByUser[u]++;
    let dot = 0;
    for (let k = 0; k < FACTORS; k++) dot += userFactors[u][k] * productFactors[p][k];
    const score = 3.6 + userBias[u] + productBias[p] + 2 * dot + affinity[u][productCategory[p]] + 0.5 * gaussian();
    const onScale = scale.ratingMin + ((score - 1) / 4) * span;
    const stepped = scale.ratingMin + Math.round((onScale - scale.ratingMin) / scale.ratingStep) * scale.ratingStep;
    const value = Math.min(scale.ratingMax, Math.max(scale.ratingMin, Number(stepped.toFixed(6))));
    ratings.push({
      userId: users[u].externalId,
      productId: products[p].externalId,
      value,
      timestamp: new Date(LAST_RATING_AT - Math.floor(random() * YEAR_MS / 1000) * 1000),
    });
  }
  return { users, products, ratings };
}

/** Generates a synthetic shop and bulk-loads it (one transaction, like any import). */
export async function seedShop(
  store: Parameters<typeof importDataset>[0],
  options: SyntheticShopOptions,
  importOptions: ImportOptions = {},
): Promise<ImportResult> {
  const shop = generateSyntheticShop({ ...options, scale: options.scale ?? importOptions.scale });
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
