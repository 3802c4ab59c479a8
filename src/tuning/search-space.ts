// What a hyper-parameter search varies: each parameter a range (uniform, or log-uniform for scales such as a
// learning rate) or a list of values, sampled by a seeded random search. Every sampled configuration is
// checked by resolveConfig, as a retrain's would be.
import { resolveConfig, type TrainingConfig } from '../model/config.js';
import { makeRng } from '../model/rng.js';

export type ParameterRange = { min: number; max: number; log?: boolean; integer?: boolean } | { values: unknown[] };
export type SearchSpace = Record<string, ParameterRange>;

/** What a search varies when it is not told: the network's regularisation, learning rate and width. */
export const DEFAULT_SPACE: SearchSpace = {
  learningRate: { min: 5e-4, max: 5e-3, log: true },
  dropout: { min: 0.2, max: 0.6 },
  hiddenDropout: { min: 0, max: 0.4 },
  l2: { min: 0.02, max: 0.5, log: true },
  embeddingDim: { values: [16, 32, 64] },
};

const INTEGER_FIELDS = new Set(['embeddingDim', 'batchSize', 'epochs', 'ensembleSize', 'earlyStoppingPatience', 'negativesPerEvent']);

export class SearchSpaceError extends Error {
  override name = 'SearchSpaceError';
}

/** The space as given (JSON), checked: known parameters, sane ranges, and configurations resolveConfig accepts. */
export function parseSearchSpace(input: unknown, base: Partial<TrainingConfig> = {}): SearchSpace {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new SearchSpaceError('space must be an object of parameter: range, e.g. {"dropout": {"min": 0.2, "max": 0.6}}');
  const known = new Set(Object.keys(resolveConfig()));
  const space: SearchSpace = {};
  for (const [name, range] of Object.entries(input as Record<string, unknown>)) {
    if (!known.has(name) || name === 'seed' || name === 'minRating' || name === 'maxRating')
      throw new SearchSpaceError(`space.${name}: not a training parameter that can be searched`);
    const r = range as Record<string, unknown>;
    if (Array.isArray(r?.values)) {
      if (r.values.length === 0) throw new SearchSpaceError(`space.${name}.values is empty`);
      space[name] = { values: r.values };
    } else if (typeof r?.min === 'number' && typeof r?.max === 'number' && Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max) {
      if (r.log && !(r.min > 0)) throw new SearchSpaceError(`space.${name}: a log range needs min > 0`);
      space[name] = { min: r.min, max: r.max, log: r.log === true, integer: r.integer === true || INTEGER_FIELDS.has(name) };
    } else {
      throw new SearchSpaceError(`space.${name} must be {"min": a, "max": b[, "log": true]} with a ≤ b, or {"values": [...]}`);
    }
  }
  if (Object.keys(space).length === 0) throw new SearchSpaceError('space names no parameter');
  // Both ends of every range must make a valid configuration (the API's own checks).
  for (const edge of ['min', 'max'] as const) {
    const sample: Record<string, unknown> = {};
    for (const [name, range] of Object.entries(space))
      sample[name] = 'values' in range ? range.values[edge === 'min' ? 0 : range.values.length - 1] : range[edge];
    try {
      resolveConfig({ ...base, ...sample } as Partial<TrainingConfig>);
    } catch (error) {
      throw new SearchSpaceError(`space: ${(error as Error).message}`);
    }
  }
  return space;
}

/** `count` configurations drawn from the space, reproducibly from `seed`. */
export function sampleConfigurations(space: SearchSpace, count: number, seed: number): Record<string, unknown>[] {
  const rng = makeRng(seed);
  return Array.from({ length: count }, () => {
    const out: Record<string, unknown> = {};
    for (const [name, range] of Object.entries(space)) {
      if ('values' in range) out[name] = range.values[Math.floor(rng() * range.values.length)];
      else {
        const u = rng();
        let value = range.log ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min))) : range.min + u * (range.max - range.min);
        value = range.integer ? Math.round(value) : Number(value.toPrecision(4));
        out[name] = value;
      }
    }
    // A drawn step size is tried at the shop's size whatever it is (else past 100,000 rows it would hardly count).
    if ('learningRate' in out && !('largeShopLearningRate' in space)) out.largeShopLearningRate = out.learningRate;
    return out;
  });
}
