// The analysis of an A/B test. Shoppers are what is randomized, so a shopper is the unit: each variant's
// metric is a ratio (events per product shown, summed over its shoppers) whose variance comes from the
// shoppers' totals by the delta method; one shopper's many lists are not counted as independent trials,
// which would make chance differences look significant. Each variant is compared with the first (the
// control) by a mixture sequential probability ratio test (mSPRT, Johari et al. 2017, as Optimizely's stats
// engine): its p-value and confidence interval stay valid however often experiment(id) is read, where a
// fixed-sample z-test read every day would name a false winner far more often than 5 %. The 5 % is split
// between the comparisons (Bonferroni).
/** One variant's shoppers, summed (EXPERIMENT_TOTALS_SQL): x = the metric's events (or revenue), n = products shown. */
export interface VariantTotals {
  users: number;
  sumX: number;
  sumN: number;
  sumXX: number;
  sumNN: number;
  sumXN: number;
}

export interface RatioEstimate {
  value: number;
  /** The estimate's variance (delta method); NaN with fewer than two shoppers. */
  variance: number;
}

export interface Comparison {
  /** value − the control's value. */
  difference: number;
  /** The always-valid confidence interval of the difference at 1 − alpha. */
  low: number;
  high: number;
  /** Always valid (mSPRT); null until both variants have two shoppers with lists. */
  pValue: number | null;
  /** More shoppers each of the two variants needs for an 80 % chance of detecting a relative change of minDetectableEffect; 0 once it has them. */
  usersNeeded: number | null;
}

export const ALPHA = 0.05;
const POWER_Z = 0.8416212335729143; // Φ⁻¹(0.8)

export function ratioEstimate(t: VariantTotals): RatioEstimate {
  if (t.users === 0 || t.sumN === 0) return { value: 0, variance: Number.NaN };
  const value = t.sumX / t.sumN;
  if (t.users < 2) return { value, variance: Number.NaN };
  const k = t.users;
  const mx = t.sumX / k;
  const mn = t.sumN / k;
  const vx = (t.sumXX - k * mx * mx) / (k - 1);
  const vn = (t.sumNN - k * mn * mn) / (k - 1);
  const cxn = (t.sumXN - k * mx * mn) / (k - 1);
  // Var(x̄/n̄) ≈ (σx² − 2Rσxn + R²σn²) / (k n̄²)
  const variance = Math.max(0, (vx - 2 * value * cxn + value * value * vn) / (k * mn * mn));
  return { value, variance };
}

/**
 * log Λ, the mixture likelihood ratio of "the difference is θ + something" against "it is θ" for an observed
 * difference `d` with variance `v`, the alternative's effect drawn from N(0, τ²).
 */
function logLikelihoodRatio(d: number, v: number, tau2: number, theta = 0): number {
  return 0.5 * Math.log(v / (v + tau2)) + (tau2 * (d - theta) ** 2) / (2 * v * (v + tau2));
}

/** `variant` against `control`, at significance `alpha` (already split between the comparisons). */
export function compare(control: VariantTotals, variant: VariantTotals, alpha: number, minDetectableEffect: number): Comparison {
  const a = ratioEstimate(control);
  const b = ratioEstimate(variant);
  const difference = b.value - a.value;
  const v = a.variance + b.variance;
  if (!Number.isFinite(v)) return { difference, low: Number.NaN, high: Number.NaN, pValue: null, usersNeeded: null };
  // The mixture's spread is the effect the shop said is worth finding, relative to both variants' value
  // together (the control's alone may be 0: a list nobody bought from).
  const pooled = (control.sumX + variant.sumX) / (control.sumN + variant.sumN);
  const effect = minDetectableEffect * Math.max(pooled, Number.EPSILON);
  const tau2 = effect * effect;
  if (v === 0) return { difference, low: difference, high: difference, pValue: difference === 0 ? 1 : 0, usersNeeded: 0 };
  const pValue = Math.min(1, Math.exp(-logLikelihoodRatio(difference, v, tau2)));
  // Every θ the test would not reject: |d − θ| below this.
  const half = Math.sqrt(((2 * v * (v + tau2)) / tau2) * (Math.log(1 / alpha) + 0.5 * Math.log((v + tau2) / v)));
  // Per-shopper variance, so that the variance with k shoppers a variant is about unit / k.
  const unit = a.variance * control.users + b.variance * variant.users;
  const have = Math.min(control.users, variant.users);
  return { difference, low: difference - half, high: difference + half, pValue, usersNeeded: Math.max(0, usersFor(unit, effect, tau2, alpha) - have) };
}

/** Shoppers per variant for an 80 % chance that a true difference of `effect` is detected (the smallest, by doubling then bisection). */
function usersFor(unit: number, effect: number, tau2: number, alpha: number): number {
  const detects = (k: number) => {
    const v = unit / k;
    // The difference observed in 80 % of experiments with this effect, at least.
    const d = effect - POWER_Z * Math.sqrt(v);
    return d > 0 && logLikelihoodRatio(d, v, tau2) >= Math.log(1 / alpha);
  };
  if (unit === 0) return 0;
  let high = 2;
  while (!detects(high)) {
    high *= 2;
    if (high > 2 ** 40) return Number.MAX_SAFE_INTEGER;
  }
  let low = high / 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (detects(mid)) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * The winner, by name: the best variant significantly better than the control; the control when every other
 * variant is significantly worse; null while the data cannot tell.
 */
export function winnerOf(names: readonly string[], values: readonly number[], comparisons: readonly (Comparison | null)[], alpha: number): string | null {
  let best: number | null = null;
  for (let k = 1; k < names.length; k++) {
    const c = comparisons[k];
    if (c?.pValue != null && c.pValue < alpha && c.difference > 0 && (best === null || values[k] > values[best])) best = k;
  }
  if (best !== null) return names[best];
  const allWorse = names.length > 1 && comparisons.slice(1).every((c) => c?.pValue != null && c.pValue < alpha && c.difference < 0);
  return allWorse ? names[0] : null;
}
