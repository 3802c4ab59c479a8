// The experiment's arithmetic: the sticky split and the shopper-level comparison, against known answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketOf, variantOf } from '../../src/experiments/assignment.js';
import { compare, ratioEstimate, winnerOf, type VariantTotals } from '../../src/experiments/statistics.js';
import { mulberry32 } from '../../src/model/rng.js';

test('shoppers are split by their shares, the same way every time, and anew for each experiment', () => {
  const variants = [
    { name: 'a', runId: 1, share: 0.5 },
    { name: 'b', runId: null, share: 0.3 },
  ];
  const counts = { a: 0, b: 0, none: 0 };
  let moved = 0;
  for (let k = 0; k < 20_000; k++) {
    const id = `shopper-${k}`;
    const variant = variantOf(variants, 'salt-1', id);
    assert.equal(variantOf(variants, 'salt-1', id), variant, 'sticky');
    counts[(variant?.name ?? 'none') as keyof typeof counts]++;
    if (variantOf(variants, 'salt-2', id) !== variant) moved++;
  }
  // Binomial standard deviations are about 70 here: within 4 of them.
  assert.ok(Math.abs(counts.a - 10_000) < 300 && Math.abs(counts.b - 6_000) < 300 && Math.abs(counts.none - 4_000) < 300, JSON.stringify(counts));
  // Another salt reshuffles: P(same) = 0.5² + 0.3² + 0.2² = 0.38.
  assert.ok(Math.abs(moved / 20_000 - 0.62) < 0.02, String(moved));
  const b = bucketOf('s', 'x');
  assert.ok(b >= 0 && b < 1);
});

/** Adds a shopper shown `n` products (10 to 30) acting on each with probability `p`. */
function addShopper(t: VariantTotals, p: number, random: () => number): void {
  const n = 10 * (1 + Math.floor(random() * 3));
  let x = 0;
  for (let k = 0; k < n; k++) if (random() < p) x++;
  t.users++;
  t.sumX += x;
  t.sumN += n;
  t.sumXX += x * x;
  t.sumNN += n * n;
  t.sumXN += x * n;
}

const none = (): VariantTotals => ({ users: 0, sumX: 0, sumN: 0, sumXX: 0, sumNN: 0, sumXN: 0 });

function simulate(users: number, p: number, seed: number): VariantTotals {
  const random = mulberry32(seed);
  const t = none();
  for (let u = 0; u < users; u++) addShopper(t, p, random);
  return t;
}

test('the ratio and its delta-method variance match a binomial where shoppers act independently', () => {
  const t = simulate(4000, 0.1, 1);
  const { value, variance } = ratioEstimate(t);
  assert.ok(Math.abs(value - 0.1) < 0.005, String(value));
  // Independent trials: Var ≈ p(1 − p) / Σn.
  const binomial = (0.1 * 0.9) / t.sumN;
  assert.ok(Math.abs(variance / binomial - 1) < 0.15, `${variance} against ${binomial}`);
  assert.ok(Number.isNaN(ratioEstimate({ ...t, users: 1 }).variance));
});

test('equal variants: no false winner however often the analysis is read; a real lift is found, with the sample size it needs', (t) => {
  // 100 A/A experiments, each read after every 100 shoppers a variant up to 2,000: the always-valid p-value
  // crosses 5 % in at most 5 % of them in expectation, where a fixed-sample z-test read as often crosses it in
  // about a quarter (computed here beside it, from the same totals).
  let everWon = 0;
  let zEverWon = 0;
  for (let seed = 0; seed < 100; seed++) {
    const random = mulberry32(1000 + seed);
    const [a, b] = [none(), none()];
    let [won, zWon] = [false, false];
    for (let look = 1; look <= 20; look++) {
      for (let u = 0; u < 100; u++) {
        addShopper(a, 0.05, random);
        addShopper(b, 0.05, random);
      }
      if (compare(a, b, 0.05, 0.1).pValue! < 0.05) won = true;
      const [ra, rb] = [ratioEstimate(a), ratioEstimate(b)];
      if (Math.abs(rb.value - ra.value) / Math.sqrt(ra.variance + rb.variance) > 1.959964) zWon = true;
    }
    if (won) everWon++;
    if (zWon) zEverWon++;
  }
  t.diagnostic(`A/A experiments with a false winner at some look: sequential test ${everWon} of 100, fixed-sample z-test ${zEverWon} of 100`);
  assert.ok(everWon <= 8, `${everWon} of 100 A/A experiments named a winner at some look`);
  assert.ok(zEverWon >= 15, `the z-test read as often named ${zEverWon} of 100: this setting should show why the test is sequential`);
  const lift = compare(simulate(2000, 0.05, 7), simulate(2000, 0.07, 8), 0.05, 0.2);
  assert.ok(lift.pValue! < 1e-4 && lift.low > 0 && lift.high > lift.low, JSON.stringify(lift));
  assert.equal(lift.usersNeeded, 0);
  const small = compare(simulate(50, 0.05, 9), simulate(50, 0.05, 10), 0.05, 0.05);
  assert.ok(small.usersNeeded! > 1000, JSON.stringify(small));
  // The interval and the p-value agree: 0 is outside exactly when p < alpha.
  const near = compare(simulate(800, 0.05, 11), simulate(800, 0.058, 12), 0.05, 0.2);
  assert.equal(near.low > 0 || near.high < 0, near.pValue! < 0.05, JSON.stringify(near));
  assert.equal(compare(simulate(1, 0.05, 1), simulate(1, 0.05, 2), 0.05, 0.1).pValue, null);
});

test('the winner: the best significantly better variant, the control when all are worse, else none', () => {
  const c = (difference: number, pValue: number | null) => ({ difference, low: 0, high: 0, pValue, usersNeeded: 0 });
  assert.equal(winnerOf(['a', 'b', 'c'], [1, 2, 3], [null, c(1, 0.001), c(2, 0.001)], 0.025), 'c');
  assert.equal(winnerOf(['a', 'b', 'c'], [1, 2, 3], [null, c(1, 0.001), c(2, 0.03)], 0.025), 'b');
  assert.equal(winnerOf(['a', 'b'], [2, 1], [null, c(-1, 0.001)], 0.05), 'a');
  assert.equal(winnerOf(['a', 'b'], [2, 1], [null, c(-1, 0.2)], 0.05), null);
  assert.equal(winnerOf(['a', 'b'], [2, 1], [null, c(0, null)], 0.05), null);
});
