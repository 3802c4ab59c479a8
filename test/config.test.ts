// The configuration from the environment (src/environment.ts, src/config.ts): one way to read each kind of
// value, ranges checked, every problem named at once, misspellings and old names warned about, and the
// generated docs/configuration.md in step with the declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { configurationDoc, EnvironmentError, VARIABLES } from '../src/environment.js';

const base = { NODE_ENV: 'test' };

test('booleans read one way, whichever variable: 0, no and off are false, 1, yes and on true', () => {
  for (const [raw, value] of [
    ['0', false],
    ['no', false],
    ['OFF', false],
    ['false', false],
    ['1', true],
    ['yes', true],
    ['On', true],
    ['true', true],
  ] as const) {
    const config = loadConfig({ ...base, SEED_DEMO: raw, PUBLIC_READS: raw, TRUST_PROXY: raw });
    assert.deepEqual([config.seedDemo, config.publicReads, config.trustProxy], [value, value, value], raw);
  }
  assert.throws(() => loadConfig({ ...base, SEED_DEMO: 'maybe' }), /SEED_DEMO \("maybe"\)/);
});

test('numbers are checked against their ranges, and every problem is named in one error', () => {
  assert.equal(loadConfig({ ...base, PORT: '8080' }).port, 8080);
  assert.equal(loadConfig({ ...base, PORT: '0' }).port, 0, 'any free port');
  for (const port of ['-1', '65536', '80.5', 'http'])
    assert.throws(() => loadConfig({ ...base, PORT: port }), new RegExp(`PORT \\("${port.replace('.', '\\.')}"\\)`));
  let error: unknown;
  try {
    loadConfig({ ...base, PORT: '-1', RETRIEVAL_MIN_RECALL: '2', DATABASE_POOL_SIZE: '1', CORS_ORIGINS: 'https://shop.example/path' });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof EnvironmentError);
  for (const name of ['PORT', 'RETRIEVAL_MIN_RECALL', 'DATABASE_POOL_SIZE', 'CORS_ORIGINS']) assert.match((error as Error).message, new RegExp(name));
  assert.throws(() => loadConfig({ ...base, RATING_MIN: '5', RATING_MAX: '1' }), /RATING_MIN \(5\) must be below RATING_MAX \(1\)/);
});

test('defaults: the documented ones, some depending on the environment', () => {
  const config = loadConfig(base);
  assert.equal(config.port, 4000);
  assert.equal(config.role, 'all');
  assert.equal(config.training.trainingBudgetMs, null, 'auto');
  assert.deepEqual(config.corsOrigins, [], 'no origin outside development');
  assert.equal(loadConfig({ NODE_ENV: 'development' }).corsOrigins, '*');
  assert.equal(loadConfig({ NODE_ENV: 'production' }).introspection, false);
  assert.equal(loadConfig({ ...base, TRAINING_BUDGET_S: '90' }).training.trainingBudgetMs, 90_000);
  assert.equal(loadConfig({ ...base, TRAINING_BUDGET_S: '0' }).training.trainingBudgetMs, 0);
});

test('a misspelt variable of ours is warned about, with the name it probably meant; others are not', () => {
  const { warnings } = loadConfig({ ...base, RETRIVAL_CLUSTERS: '8', DATABASE_POOLSIZE: '4', HOME: '/root', TF_CPP_MIN_LOG_LEVEL: '2' });
  assert.equal(warnings.length, 2, JSON.stringify(warnings));
  assert.match(warnings.find((w) => w.startsWith('RETRIVAL_CLUSTERS'))!, /did you mean RETRIEVAL_CLUSTERS\?/);
  assert.match(warnings.find((w) => w.startsWith('DATABASE_POOLSIZE'))!, /did you mean DATABASE_POOL_SIZE\?/);
});

test('TRAINER, the old name of ROLE, is still read as it was, with a warning', () => {
  for (const [trainer, role] of [
    ['true', 'all'],
    ['false', 'api'],
    ['only', 'trainer'],
  ] as const) {
    const config = loadConfig({ ...base, TRAINER: trainer });
    assert.equal(config.role, role);
    assert.match(config.warnings.join('\n'), /TRAINER is read as ROLE/);
  }
  assert.equal(loadConfig({ ...base, TRAINER: 'false', ROLE: 'trainer' }).role, 'trainer', 'ROLE wins');
  assert.throws(() => loadConfig({ ...base, ROLE: 'both' }), /ROLE \("both"\)/);
});

test('docs/configuration.md is generated from the declarations and lists every variable', () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '..', 'docs', 'configuration.md'), 'utf8');
  assert.equal(doc, configurationDoc(), 'run `npm run docs:config`');
  for (const name of Object.keys(VARIABLES)) assert.match(doc, new RegExp(`\\| \`${name}\` \\|`));
});
