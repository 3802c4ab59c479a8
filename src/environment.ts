// Every environment variable the service reads, declared once: its section, what it does, its default and
// its type and range (a zod schema of the raw text). src/config.ts builds the typed configuration from them;
// docs/configuration.md is generated from them (npm run docs:config; test/config.test.ts keeps it so).
// zod rather than envalid: ranges, enums, lists and "auto" values are one schema each, with their types
// inferred, where envalid needs a custom validator for every range.
import os from 'node:os';
import { z } from 'zod';

export interface Variable<T = unknown> {
  section: string;
  /** One or two sentences, for the docs table. */
  doc: string;
  /** The default as the docs show it. */
  shown: string;
  /** The raw default when unset (may depend on the environment), or undefined for none. */
  fallback: (env: NodeJS.ProcessEnv) => string | undefined;
  schema: z.ZodType<T>;
}

const define = <T>(
  section: string,
  doc: string,
  shown: string,
  fallback: string | undefined | ((env: NodeJS.ProcessEnv) => string | undefined),
  schema: z.ZodType<T>,
): Variable<T> => ({
  section,
  doc,
  shown,
  fallback: typeof fallback === 'function' ? fallback : () => fallback,
  schema,
});

// One way to read each kind of value.
const flag = () => z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'], case: 'insensitive' });
const whole = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const number = (min: number, max = Infinity) => z.coerce.number().min(min).max(max);
const share = () => z.coerce.number().gt(0).lte(1);
const list = () =>
  z.string().transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const optionalText = () => z.string().optional();
const cores = String(os.availableParallelism());

const DATABASE = 'Database';
const SERVER = 'Server and access';
const TRAINING = 'Training';
const MATRIX = 'Prediction matrix and retrieval';
const RULES = 'Ratings and rules';
const MONITORING = 'Monitoring';

export const VARIABLES = {
  DATABASE_URL: define(DATABASE, 'PostgreSQL to use; unset starts the embedded one (its data in `DATA_DIR/pg`).', '(embedded)', undefined, optionalText()),
  DATABASE_POOL_SIZE: define(
    DATABASE,
    'Connections the service keeps to PostgreSQL, and to each read replica.',
    '2 × cores + 1',
    String(2 * os.availableParallelism() + 1),
    whole(2),
  ),
  DATABASE_READ_URLS: define(
    DATABASE,
    'Streaming replicas for the serving reads, comma-separated `postgresql://` URLs.',
    '(none)',
    '',
    list().pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'must be postgresql:// URLs'))),
  ),
  DATABASE_READ_MAX_LAG: define(DATABASE, 'Seconds a replica may be behind the primary and still be read.', '5', '5', number(0)),
  DATABASE_STATEMENT_TIMEOUT: define(DATABASE, "Seconds a statement of the service's pool may run (0: no limit).", '30', '30', number(0)),
  EMBEDDED_PG_PORT: define(DATABASE, 'Port of the embedded PostgreSQL (5432 is usually taken).', '54329', '54329', whole(1, 65535)),
  DATA_DIR: define(DATABASE, 'Where the embedded database and the generated admin key live.', '.data', '.data', z.string().min(1)),

  PORT: define(SERVER, 'Port the API listens on (0: any free port).', '4000', '4000', whole(0, 65535)),
  HOST: define(SERVER, 'Address the API listens on.', '0.0.0.0', '0.0.0.0', z.string().min(1)),
  ROLE: define(
    SERVER,
    '`all`: the API and training (schedule, queue); `api`: the API only; `trainer`: training without the API.',
    'all',
    (env) => legacyRole(env.TRAINER) ?? 'all',
    z.enum(['all', 'api', 'trainer']),
  ),
  ADMIN_TOKEN: define(
    SERVER,
    'The bootstrap admin key (at least 16 characters); unset, one is made at first start and kept in `DATA_DIR/admin-token`.',
    '(generated)',
    undefined,
    optionalText(),
  ),
  VISITOR_TOKEN_SECRETS: define(
    SERVER,
    'Secrets that sign visitor tokens (createVisitorToken), comma-separated: the first signs, every one verifies (to rotate, put the new one first, drop the old after the longest token lifetime). Unset: one made at first start and kept in the database.',
    '(kept in the database)',
    '',
    list(),
  ),
  PUBLIC_READS: define(SERVER, 'Callers without a key get the frontend role; `false` refuses them.', 'true', 'true', flag()),
  CORS_ORIGINS: define(
    SERVER,
    'Origins browsers may call from, comma-separated, or `*`. Unset: any in development (`NODE_ENV` unset or `development`), none otherwise.',
    'any in development, else none',
    (env) => ((env.NODE_ENV ?? 'development') === 'development' ? '*' : ''),
    list().pipe(z.array(z.string()).superRefine(checkOrigins)),
  ),
  RATE_LIMIT_PER_MINUTE: define(SERVER, 'Requests a minute per backend or admin key, or per client address (0: no limit).', '6000', '6000', whole(0)),
  TRUST_PROXY: define(SERVER, "Take the client's address from `X-Forwarded-For` (behind a load balancer).", 'false', 'false', flag()),
  INTROSPECTION: define(
    SERVER,
    'GraphQL introspection and the Sandbox landing page.',
    'false with `NODE_ENV=production`, else true',
    (env) => String(env.NODE_ENV !== 'production'),
    flag(),
  ),
  METRICS_PUBLIC: define(SERVER, 'Serve `/metrics` without a key (otherwise a backend or admin key).', 'false', 'false', flag()),
  DASHBOARD_DIR: define(
    SERVER,
    'The built dashboard app that `/dashboard` serves (`npm run build` writes it).',
    'dist/dashboard-app',
    undefined,
    optionalText(),
  ),
  LOG_LEVEL: define(
    SERVER,
    'pino level: trace, debug, info, warn, error, fatal or silent.',
    'info',
    'info',
    z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  ),
  SEED_DEMO: define(SERVER, 'Load the demo shop into an empty database at start.', 'true', 'true', flag()),

  RETRAIN_CRON: define(TRAINING, 'When the nightly run is scheduled (cron, UTC), or `off`.', '0 3 * * *', '0 3 * * *', z.string().min(1)),
  TRAINING_BUDGET_S: define(
    TRAINING,
    'Seconds of training a run may take (`auto`: 600 and 150 more a million training rows; 0: no limit); no epoch starts that would end past them, and each network keeps its best epoch.',
    'auto',
    'auto',
    z.union([z.literal('auto'), number(0)]),
  ),
  RUN_TIMEOUT: define(TRAINING, 'Seconds a whole run may take before it is stopped and failed.', '21600', '21600', number(0).pipe(z.number().gt(0))),
  RUN_HEARTBEAT_TIMEOUT: define(
    TRAINING,
    'Seconds a training thread may stay silent before it is taken for hung, stopped, and its run failed.',
    '120',
    '120',
    number(0).pipe(z.number().gt(0)),
  ),
  GATE_TOLERANCE: define(
    TRAINING,
    'How much worse (relative validation RMSE) than the active model a run may be and still be served.',
    '0.02',
    '0.02',
    number(0),
  ),
  RELEVANCE_THRESHOLD: define(
    TRAINING,
    'A held-out (implied) rating at or above this counts as relevant for precision, recall and NDCG@10.',
    '4',
    '4',
    z.coerce.number(),
  ),
  COMPUTE_ENGINE: define(
    TRAINING,
    'What trains and scores: `auto` (onnxruntime where it loads and covers the configuration, else TensorFlow.js), `onnxruntime` or `tfjs`.',
    'auto',
    'auto',
    z
      .string()
      .transform((v) => v.trim().toLowerCase())
      .pipe(z.enum(['auto', 'onnxruntime', 'onnx', 'ort', 'tfjs', 'tensorflow.js'])),
  ),
  TF_BACKEND: define(
    TRAINING,
    "TensorFlow.js's backend: `auto` (tfjs-node if installed, else wasm), `tensorflow`, `wasm` or `cpu`.",
    'auto',
    'auto',
    z.enum(['auto', 'tensorflow', 'wasm', 'cpu']),
  ),
  SCORING_THREADS: define(TRAINING, 'Threads that score the prediction matrix and the evaluation.', 'cores', cores, whole(1)),
  TRAINING_THREADS: define(TRAINING, 'Networks of the ensemble trained at once, each on a thread of its own (1: one after another).', 'all', '8', whole(1)),
  MODELS_DIR: define(
    TRAINING,
    'The local cache of saved models, `MODELS_DIR/<run id>-<hash>/` (the models themselves are in PostgreSQL).',
    'models',
    'models',
    z.string().min(1),
  ),

  MATRIX_MAX_CELLS: define(
    MATRIX,
    "Above this many users × products, retrieve candidates, rank them and keep each user's top `MATRIX_TOP_K`.",
    '20000000',
    '20000000',
    whole(1),
  ),
  MATRIX_TOP_K: define(MATRIX, 'Products kept per user past `MATRIX_MAX_CELLS`.', '500', '500', whole(1)),
  RETRIEVAL_CLUSTERS: define(MATRIX, 'Candidate retrieval: clusters of users (k-means on their embeddings).', '256', '256', whole(1)),
  RETRIEVAL_CANDIDATES: define(
    MATRIX,
    'Products proposed per cluster, and per user by the selection model (doubled until the recall is met).',
    '500',
    '500',
    whole(1),
  ),
  RETRIEVAL_PROBE: define(MATRIX, 'Nearest clusters whose candidates a user gets.', '2', '2', whole(1)),
  RETRIEVAL_MIN_RECALL: define(MATRIX, 'The recall of the exhaustive top K that the candidates must keep.', '0.95', '0.95', share()),
  RETRIEVAL_SAMPLE_USERS: define(MATRIX, 'Users ranked exhaustively to measure the recall.', '200', '200', whole(1)),

  RATING_MIN: define(
    RULES,
    'Lowest rating. The scale is stored in the database at its first start (or by an import of a format with its own); set, it must agree with it.',
    "the database's (1 in a new one)",
    undefined,
    z.coerce.number().optional(),
  ),
  RATING_MAX: define(RULES, 'Highest rating (as RATING_MIN).', "the database's (5 in a new one)", undefined, z.coerce.number().optional()),
  RATING_STEP: define(
    RULES,
    'Smallest step between ratings (as RATING_MIN).',
    "the database's (0.5 in a new one)",
    undefined,
    z.coerce.number().gt(0).optional(),
  ),
  TRENDING_HALF_LIFE_DAYS: define(RULES, 'What is trending: events halved in weight every this many days…', '7', '7', number(0).pipe(z.number().gt(0))),
  TRENDING_WINDOW_DAYS: define(RULES, '…of the last this many days.', '30', '30', number(0).pipe(z.number().gt(0))),
  TRENDING_WEIGHT: define(RULES, 'The rank score a personalized list adds for the hottest product when asked for `trending`.', '1', '1', number(0)),
  ATTRIBUTION_WINDOW_HOURS: define(
    RULES,
    "An event sent with a list's recommendationId is attributed to it when it happened at most this many hours after the list was served.",
    '24',
    '24',
    number(0).pipe(z.number().gt(0)),
  ),
  TOGETHER_WINDOW_HOURS: define(
    RULES,
    'Bought and viewed together: events of one shopper at most this many hours apart count as together…',
    '24',
    '24',
    number(0).pipe(z.number().gt(0)),
  ),
  TOGETHER_HALF_LIFE_MINUTES: define(
    RULES,
    '…each pair weighted by half for every this many minutes between them.',
    '30',
    '30',
    number(0).pipe(z.number().gt(0)),
  ),

  DRIFT_CHECK_MINUTES: define(
    MONITORING,
    'How often the service compares what arrived since the active model was trained with what it trained on (0: only when asked, and with every run).',
    '10',
    '10',
    number(0),
  ),
  DRIFT_MAX_MODEL_AGE_HOURS: define(MONITORING, 'Drift limit: hours since the active model was trained.', '48', '48', number(0)),
  DRIFT_MAX_NEW_RATINGS_SHARE: define(MONITORING, 'Drift limit: ratings given or changed since, as a share of those trained on.', '0.25', '0.25', number(0)),
  DRIFT_MAX_MEAN_SHIFT: define(MONITORING, "Drift limit: how far the new ratings' mean is from the trained-on mean.", '0.3', '0.3', number(0)),
  DRIFT_MAX_RATING_PSI: define(MONITORING, 'Drift limit: population stability index of the star distribution.', '0.2', '0.2', number(0)),
  DRIFT_MAX_CATEGORY_PSI: define(MONITORING, 'Drift limit: population stability index of the category mix.', '0.2', '0.2', number(0)),
  DRIFT_MAX_NEW_USERS_SHARE: define(MONITORING, 'Drift limit: users created since, as a share.', '0.25', '0.25', number(0)),
  DRIFT_MAX_NEW_PRODUCTS_SHARE: define(MONITORING, 'Drift limit: products created since, as a share.', '0.25', '0.25', number(0)),
  DRIFT_MIN_ARRIVALS: define(MONITORING, 'New ratings needed before the distributions are compared.', '100', '100', whole(0)),
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;
export type Environment = { [K in VariableName]: (typeof VARIABLES)[K] extends Variable<infer T> ? T : never };

/** Older names still read, with what they became. */
export const RENAMED: Record<string, { to: VariableName; note: string }> = {
  TRAINER: { to: 'ROLE', note: 'TRAINER=true is ROLE=all, TRAINER=false ROLE=api, TRAINER=only ROLE=trainer' },
};

/** TRAINER's values as a ROLE, when it is set and ROLE is not. */
function legacyRole(trainer: string | undefined): string | undefined {
  if (trainer === undefined || trainer === '') return undefined;
  const value = trainer.toLowerCase();
  return value === 'true' ? 'all' : value === 'false' ? 'api' : value === 'only' ? 'trainer' : `TRAINER=${trainer}`;
}

function checkOrigins(origins: string[], ctx: z.RefinementCtx): void {
  if (origins.includes('*')) return;
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || parsed.origin !== origin)
      ctx.addIssue({ code: 'custom', message: `must list origins such as https://shop.example (scheme, host and port, no path), got "${origin}"` });
  }
}

/** Prefixes of this service's variables: a name with one of them that is not declared is probably misspelt. */
const PREFIXES = [
  'DATABASE_',
  'RATE_LIMIT',
  'RATING_',
  'RETRIEVAL_',
  'MATRIX_',
  'TRAINING_',
  'TRENDING_',
  'TOGETHER_',
  'ATTRIBUTION_',
  'VISITOR_',
  'DRIFT_',
  'RUN_',
  'EMBEDDED_PG',
  'SCORING_',
  'METRICS_',
  'DASHBOARD_',
  'SEED_',
  'ADMIN_',
  'GATE_',
  'RELEVANCE_',
  'RETRAIN_',
  'MODELS_',
  'COMPUTE_',
  'PUBLIC_READ',
  'CORS_',
  'INTROSPECT',
];

/** The closest declared name (for "did you mean"), by edit distance. */
function closest(name: string): string | null {
  let best: string | null = null;
  let distance = Infinity;
  for (const candidate of Object.keys(VARIABLES)) {
    const d = editDistance(name, candidate);
    if (d < distance) [best, distance] = [candidate, d];
  }
  return distance <= Math.max(2, Math.floor(name.length / 4)) ? best : null;
}

/** Levenshtein distance. WHY our own: a dozen lines, for one "did you mean" at start. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** LOG_LEVEL as the logger needs it before the configuration is read: `silent` under NODE_ENV=test unless set; an invalid one is info (and refused by readEnvironment). */
export function logLevelOf(env: NodeJS.ProcessEnv, fallback = env.NODE_ENV === 'test' ? 'silent' : 'info'): string {
  const parsed = VARIABLES.LOG_LEVEL.schema.safeParse(env.LOG_LEVEL || fallback);
  return parsed.success ? parsed.data : 'info';
}

export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/**
 * Every declared variable parsed from `env` (its default where unset or empty); all problems at once in one
 * error, naming each variable. `warnings`: names that look like ours but are not, and renamed ones in use.
 */
export function readEnvironment(env: NodeJS.ProcessEnv): { values: Environment; warnings: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(VARIABLES) as [VariableName, Variable][]) {
    const raw = env[name] === undefined || env[name] === '' ? variable.fallback(env) : env[name];
    const parsed = variable.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`${name}${env[name] === undefined ? '' : ` ("${env[name]}")`}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new EnvironmentError(`Invalid configuration: ${problems.join('; ')}`);
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (name in VARIABLES) continue;
    const renamed = RENAMED[name];
    if (renamed) warnings.push(`${name} is read as ${renamed.to} (${renamed.note}); set ${renamed.to} instead`);
    else {
      const guess = closest(name);
      // One of our prefixes, or (a long name) a letter or two from one of our names: probably meant as ours.
      const ours = PREFIXES.some((prefix) => name.startsWith(prefix)) || (guess !== null && name.length >= 8 && editDistance(name, guess) <= 2);
      if (!ours) continue;
      warnings.push(`${name} is not a setting of this service and is ignored${guess ? ` (did you mean ${guess}?)` : ''}`);
    }
  }
  return { values: values as Environment, warnings };
}

/** docs/configuration.md: every variable, by section (generated; npm run docs:config). */
export function configurationDoc(): string {
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/environment.ts by `npm run docs:config`; test/config.test.ts keeps the two the same. -->',
    '',
    'Every setting is an environment variable. Booleans are `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`);',
    'a value out of its range, or of the wrong kind, stops the service (or a command) at start with a message',
    'naming each such variable, and a variable that looks like one of these but is not (a misspelling) is',
    'logged as a warning. `TRAINER` is still read, as `ROLE`.',
    '',
    configurationTable(),
  ].join('\n');
}

/** The configuration tables, one section a table. */
export function configurationTable(): string {
  const sections = new Map<string, [string, Variable][]>();
  for (const [name, variable] of Object.entries(VARIABLES) as [string, Variable][]) {
    if (!sections.has(variable.section)) sections.set(variable.section, []);
    sections.get(variable.section)!.push([name, variable]);
  }
  const escapeCell = (text: string) => text.replace(/\|/g, '\\|');
  const out: string[] = [];
  for (const [section, variables] of sections) {
    out.push(`## ${section}`, '', '| variable | default | meaning |', '|---|---|---|');
    for (const [name, variable] of variables) out.push(`| \`${name}\` | ${escapeCell(variable.shown)} | ${escapeCell(variable.doc)} |`);
    out.push('');
  }
  return out.join('\n');
}
