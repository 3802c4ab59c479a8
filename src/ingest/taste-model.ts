// The hidden truth behind a synthetic shop (synthetic.ts): each shopper's taste and how they choose.
//
//   taste(u, p)  = 1.2·f_u·f_p                     (three latent factors; products near their category's)
//   score(u, p)  = 2.6 + b_u + b_p + taste(u, p) + 0.8·ε,  ε ~ N(0, 1), on a 1–5 scale
//   rating       = score mapped onto the shop's scale, rounded to its step, clipped to its range
//   P(u picks p) ∝ popularity_p · exp(1.5·taste(u, p))  (a Zipf-like popularity, leaning to what they like)
//
// Few factors, so that tens of ratings a shopper are enough to learn theirs: with more, most of what the
// oracle knows is beyond any model of a shop this sparse (a matrix factorization closed a tenth of the gap
// with eight factors and 50 ratings a shopper, half of it with three).
//
// With these constants a shop looks like MovieLens: a mean rating near 3.6, the bias baseline's RMSE well
// above the noise floor (the oracle below), and the best lists several times as good as the most popular
// products' (docs/benchmarks.md has the figures). The oracle knows every parameter: its expected rating is the best
// prediction any model can make, and its list (pick probability × probability of a rating at or above a
// threshold) the best ranking.
import type { RatingScale } from '../store/validation.js';
import { mulberry32 } from '../model/rng.js';

const FACTORS = 3;
const TASTE_WEIGHT = 1.2;
/** How close a product's factors are to its category's (the rest is its own). */
const CATEGORY_PULL = 0.8;
const OWN_SPREAD = 0.6;
const MEAN_SCORE = 2.6;
const NOISE_SD = 0.8;
/** How strongly shoppers pick what they would like. */
const CHOICE_STRENGTH = 1.5;
const POPULARITY_EXPONENT = 0.9;
/** Spread of how much more often some shoppers rate than others (log-normal). */
const ACTIVITY_SD = 0.5;

/** Ratings spread over the year before this instant; fixed so output never depends on the clock. */
export const LAST_RATING_AT = Date.UTC(2026, 0, 1);
export const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Φ, the standard normal CDF (Abramowitz & Stegun 26.2.17, error below 7.5e-8). WHY our own: JS has no erf. */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = poly * Math.exp((-x * x) / 2) * 0.3989422804014327;
  return x >= 0 ? 1 - tail : tail;
}

export class TasteModel {
  private constructor(
    readonly users: number,
    readonly products: number,
    readonly scale: RatingScale,
    readonly productCategory: Int32Array,
    private readonly userFactors: Float64Array,
    private readonly productFactors: Float64Array,
    private readonly userBias: Float64Array,
    private readonly productBias: Float64Array,
    private readonly logPopularity: Float64Array,
    /** How much more often each shopper rates than others (log-normal). */
    readonly activity: Float64Array,
  ) {}

  /** The taste model of a seed: the same on every machine, and without drawing any rating. */
  static fromSeed(o: { users: number; products: number; categories: number; seed: number; scale: RatingScale }): TasteModel {
    const random = mulberry32(o.seed);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const centres = Float64Array.from({ length: o.categories * FACTORS }, gaussian);
    const productCategory = new Int32Array(o.products);
    const productFactors = new Float64Array(o.products * FACTORS);
    const productBias = new Float64Array(o.products);
    const logPopularity = new Float64Array(o.products);
    // Popularity by a Zipf law over a random order of the products.
    const rank = Array.from({ length: o.products }, (_, i) => i);
    for (let i = o.products - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rank[i], rank[j]] = [rank[j], rank[i]];
    }
    for (let p = 0; p < o.products; p++) {
      const c = Math.floor(random() * o.categories);
      productCategory[p] = c;
      for (let k = 0; k < FACTORS; k++)
        productFactors[p * FACTORS + k] = (CATEGORY_PULL * centres[c * FACTORS + k] + OWN_SPREAD * gaussian()) / Math.sqrt(FACTORS);
      logPopularity[p] = -POPULARITY_EXPONENT * Math.log(rank[p] + 1);
      // Popular products are a little better liked, as in real shops.
      productBias[p] = 0.3 * gaussian() + 0.25 * (1 - rank[p] / o.products);
    }
    const userFactors = Float64Array.from({ length: o.users * FACTORS }, gaussian);
    const userBias = Float64Array.from({ length: o.users }, () => 0.35 * gaussian());
    const activity = Float64Array.from({ length: o.users }, () => Math.exp(ACTIVITY_SD * gaussian()));
    return new TasteModel(o.users, o.products, o.scale, productCategory, userFactors, productFactors, userBias, productBias, logPopularity, activity);
  }

  /** The personal part of u's score for p: what a model has to learn beyond the biases. */
  taste(u: number, p: number): number {
    let dot = 0;
    for (let k = 0; k < FACTORS; k++) dot += this.userFactors[u * FACTORS + k] * this.productFactors[p * FACTORS + k];
    return TASTE_WEIGHT * dot;
  }

  /** The score's mean on the 1–5 scale, before noise. */
  private meanScore(u: number, p: number): number {
    return MEAN_SCORE + this.userBias[u] + this.productBias[p] + this.taste(u, p);
  }

  /** log of u's weight for picking p. */
  logPickWeight(u: number, p: number): number {
    return this.logPopularity[p] + CHOICE_STRENGTH * this.taste(u, p);
  }

  /** A rating of p by u on the shop's scale, for noise `e` (a standard normal draw). */
  draw(u: number, p: number, e: number): number {
    return this.onScale(this.meanScore(u, p) + NOISE_SD * e);
  }

  private onScale(score: number): number {
    const { ratingMin, ratingMax, ratingStep } = this.scale;
    const value = ratingMin + ((score - 1) / 4) * (ratingMax - ratingMin);
    const stepped = ratingMin + Math.round((value - ratingMin) / ratingStep) * ratingStep;
    return Math.min(ratingMax, Math.max(ratingMin, Number(stepped.toFixed(6))));
  }

  /** The probability that u's rating of p is at least `threshold` (on the shop's scale). */
  atLeast(u: number, p: number, threshold: number): number {
    const { ratingMin, ratingMax, ratingStep } = this.scale;
    if (threshold <= ratingMin) return 1;
    // The rating is ≥ threshold when the value before rounding is ≥ threshold − step/2.
    const value = threshold - ratingStep / 2;
    const score = 1 + ((value - ratingMin) / (ratingMax - ratingMin)) * 4;
    return 1 - normalCdf((score - this.meanScore(u, p)) / NOISE_SD);
  }

  /** The expected rating of p by u: the best prediction a model could make (rounding and clipping included). */
  expectedRating(u: number, p: number): number {
    const { ratingMin, ratingMax, ratingStep } = this.scale;
    const mean = this.meanScore(u, p);
    const sd = NOISE_SD;
    // P(rating ≥ v) for each step v above the lowest: E = min + Σ step·P(rating ≥ v).
    let expected = ratingMin;
    for (let v = ratingMin + ratingStep; v <= ratingMax + 1e-9; v += ratingStep) {
      const score = 1 + ((v - ratingStep / 2 - ratingMin) / (ratingMax - ratingMin)) * 4;
      expected += ratingStep * (1 - normalCdf((score - mean) / sd));
    }
    return expected;
  }

  /** The oracle's list score of p for u: how likely u is to pick it times how likely they rate it ≥ threshold. */
  oracleScore(u: number, p: number, threshold: number): number {
    return Math.exp(this.logPickWeight(u, p)) * this.atLeast(u, p, threshold);
  }
}
