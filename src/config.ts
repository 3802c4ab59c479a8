// Every setting the service reads from its environment, in one place, parsed once.
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DRIFT_LIMITS, type DriftLimits } from './monitoring/drift.js';
import { MAX_ENSEMBLE_SIZE } from './model/config.js';
import { normaliseEngine, type EnginePreference } from './model/stepper.js';
import type { RatingScale } from './store/rules.js';

export interface AppConfig {
  /** PostgreSQL URL; undefined means "start the embedded PostgreSQL in dataDir". */
  databaseUrl: string | undefined;
  /** Connections the service keeps to PostgreSQL (DATABASE_POOL_SIZE), and to each read replica. */
  databasePoolSize: number;
  /** DATABASE_READ_URLS: streaming replicas for the serving reads. */
  databaseReadUrls: string[];
  /** DATABASE_READ_MAX_LAG: a replica further behind the primary than this is skipped. */
  readMaxLagMs: number;
  port: number;
  host: string;
  /** Where the embedded database and the generated admin token live. */
  dataDir: string;
  /** The local cache of saved models (models/<run id>-<hash>/); the models themselves are in PostgreSQL. */
  modelsDir: string;
  /** ADMIN_TOKEN: the bootstrap admin key; undefined (unset) makes one in dataDir. */
  adminToken: string | undefined;
  /** Origins browsers may call from (CORS_ORIGINS); '*' allows any. */
  corsOrigins: string[] | '*';
  /** Whether callers without a key get the frontend role (PUBLIC_READS). */
  publicReads: boolean;
  /** Whether introspection and the Sandbox landing page are on (INTROSPECTION). */
  introspection: boolean;
  /** Requests per minute per key, or per IP address without one (RATE_LIMIT_PER_MINUTE); 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** METRICS_PUBLIC: /metrics without a key (for a private network); otherwise a backend or admin key. */
  metricsPublic: boolean;
  /** DASHBOARD_DIR: the built dashboard app (`npm run build` writes dist/dashboard-app). */
  dashboardDir: string;
  /** Whether the service is behind a proxy whose X-Forwarded-For gives the client's address (TRUST_PROXY). */
  trustProxy: boolean;
  embeddedPgPort: number;
  ratingMin: number;
  ratingMax: number;
  /** Smallest step between allowed ratings (0.5 allows 3.5; 1 allows only whole stars). */
  ratingStep: number;
  /**
   * Whether RATING_MIN, RATING_MAX or RATING_STEP was set. The scale is the store's (src/store/rating-scale.ts):
   * a set one must agree with it; unset, the stored one is used (the three fields above then hold it once the
   * service or command has read it).
   */
  ratingScaleExplicit: boolean;
  /** What is trending (src/rules/trending.ts): events of the last windowDays, halved every halfLifeDays; weight = score added for the hottest. */
  trending: { halfLifeDays: number; windowDays: number; weight: number };
  logLevel: string;
  retrainCron: string;
  /**
   * TRAINER: whether this instance trains (true), serves the API only (false: no training threads, no
   * schedule), or trains without serving the API (only).
   */
  trainer: 'true' | 'false' | 'only';
  /** DATABASE_STATEMENT_TIMEOUT: the longest a statement of the service's own pool may run (0: no limit). */
  statementTimeoutMs: number;
  /** DRIFT_CHECK_MINUTES: how often the service checks drift (0: only when asked, and with every run). */
  driftCheckMs: number;
  /** Whether `npm start` loads demo data into an empty database. */
  seedDemo: boolean;
  training: TrainingSettings;
}

export interface RetrievalSettings {
  /** RETRIEVAL_CLUSTERS: clusters of users, each with its own candidate list. */
  clusters: number;
  /** RETRIEVAL_CANDIDATES: products proposed per cluster (doubled until the recall is met). */
  candidates: number;
  /** RETRIEVAL_PROBE: nearest clusters whose candidates a user gets. */
  probe: number;
  /** RETRIEVAL_MIN_RECALL: recall of the exhaustive top K the candidates must keep on the sample. */
  minRecall: number;
  /** RETRIEVAL_SAMPLE_USERS: users scored exhaustively to measure the recall. */
  sampleUsers: number;
}

/** How runs are evaluated, gated and written back (the model's own hyper-parameters live in TrainingConfig). */
export interface TrainingSettings {
  /** Above users × products cells, only each user's top `topK` products are written back. */
  matrixMaxCells: number;
  topK: number;
  /** Candidate retrieval before ranking, above matrixMaxCells (src/model/retrieval). */
  retrieval: RetrievalSettings;
  /**
   * TRAINING_BUDGET_S: no epoch starts that would, at the last one's pace, end past this many seconds of training
   * (0 = no limit); each network keeps its best epoch so far. Null (unset, or `auto`): it grows with the shop
   * (trainingBudgetSeconds).
   */
  trainingBudgetMs: number | null;
  /** A run may be this much (relative) worse than the active model's validation RMSE and still be served. */
  gateTolerance: number;
  /** A held-out rating at or above this counts as relevant for precision/recall/NDCG. */
  relevanceThreshold: number;
  /** TF_BACKEND: auto (tfjs-node, else wasm), tensorflow, wasm or cpu. */
  backend: string;
  /** COMPUTE_ENGINE: auto (onnxruntime where it loads and covers the configuration, else TensorFlow.js), onnxruntime or tfjs. */
  engine: EnginePreference;
  /** Threads that score the matrix (src/training/scoring-threads.ts); 1 scores in the training thread. */
  scoringThreads: number;
  /**
   * Networks of an ensemble trained at once, each on its own thread (src/training/member-threads.ts);
   * 1 trains them in turn. Each thread holds its own copy of the ratings and of its network.
   */
  trainingThreads: number;
  /** RUN_TIMEOUT: a run still going after this long is stopped and failed. */
  runTimeoutMs: number;
  /** RUN_HEARTBEAT_TIMEOUT: a training thread silent for this long is taken for hung, stopped, and its run failed. */
  heartbeatTimeoutMs: number;
  /** DRIFT_MAX_*: when what arrived since the active model was trained counts as drift (src/monitoring/drift.ts). */
  driftLimits: DriftLimits;
}

/**
 * Few connections serve more: a PostgreSQL backend per core or two keeps every
 * core busy on short statements, and more only take turns on the same cores
 * (bench:serve on 2 cores, database and service on one machine: 5 connections
 * spent about half the PostgreSQL CPU per request of 20, and served 25–40 %
 * more requests per second). The usual rule, 2 × cores + 1, with this machine's cores.
 */
const DEFAULT_POOL_SIZE = 2 * os.availableParallelism() + 1;

function bool(name: string, fallback: boolean, env: NodeJS.ProcessEnv): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

/**
 * CORS_ORIGINS: comma-separated origins, or '*'. Unset: any origin in development (the demo), none otherwise
 * (NODE_ENV=production, or test).
 */
function corsOrigins(env: NodeJS.ProcessEnv): string[] | '*' {
  const raw = env.CORS_ORIGINS;
  if (raw === undefined) return (env.NODE_ENV ?? 'development') === 'development' ? '*' : [];
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.includes('*')) return '*';
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || parsed.origin !== origin) {
      throw new Error(`CORS_ORIGINS must list origins such as https://shop.example (scheme, host and port, no path), got "${origin}"`);
    }
  }
  return origins;
}

function trainerMode(raw: string | undefined): AppConfig['trainer'] {
  const value = (raw || 'true').toLowerCase();
  if (value === 'true' || value === 'false' || value === 'only') return value;
  throw new Error(`TRAINER must be true, false (API only) or only (training without the API), got "${raw}"`);
}

/**
 * The training budget of a run on `rows` training rows when TRAINING_BUDGET_S is auto: 10 minutes, and 2.5 more a
 * million rows. A nightly job must end, but not before a shop's network has settled: a fixed 20 minutes stopped a
 * 100,000-event shop's run (then 33 s a network-epoch) and left a 10-million-rating shop's networks at epoch 3.
 */
export function trainingBudgetSeconds(settings: { trainingBudgetMs: number | null }, rows: number): number {
  if (settings.trainingBudgetMs !== null) return settings.trainingBudgetMs / 1000;
  return Math.round(600 + 150 * (rows / 1_000_000));
}

function num(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const root = process.cwd();
  const dataDir = path.resolve(root, env.DATA_DIR || '.data');
  const config: AppConfig = {
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: num('DATABASE_POOL_SIZE', DEFAULT_POOL_SIZE, env),
    databaseReadUrls: (env.DATABASE_READ_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean),
    readMaxLagMs: num('DATABASE_READ_MAX_LAG', 5, env) * 1000,
    port: num('PORT', 4000, env),
    host: env.HOST || '0.0.0.0',
    dataDir,
    modelsDir: path.resolve(root, env.MODELS_DIR || 'models'),
    adminToken: env.ADMIN_TOKEN,
    corsOrigins: corsOrigins(env),
    publicReads: bool('PUBLIC_READS', true, env),
    introspection: bool('INTROSPECTION', env.NODE_ENV !== 'production', env),
    rateLimitPerMinute: num('RATE_LIMIT_PER_MINUTE', 6_000, env),
    trustProxy: bool('TRUST_PROXY', false, env),
    metricsPublic: bool('METRICS_PUBLIC', false, env),
    dashboardDir: path.resolve(root, env.DASHBOARD_DIR || path.join(import.meta.dirname, '..', 'dist', 'dashboard-app')),
    embeddedPgPort: num('EMBEDDED_PG_PORT', 54329, env),
    ratingMin: num('RATING_MIN', 1, env),
    ratingMax: num('RATING_MAX', 5, env),
    ratingStep: num('RATING_STEP', 0.5, env),
    trending: {
      halfLifeDays: num('TRENDING_HALF_LIFE_DAYS', 7, env),
      windowDays: num('TRENDING_WINDOW_DAYS', 30, env),
      weight: num('TRENDING_WEIGHT', 1, env),
    },
    ratingScaleExplicit: ['RATING_MIN', 'RATING_MAX', 'RATING_STEP'].some((name) => env[name] !== undefined && env[name] !== ''),
    logLevel: env.LOG_LEVEL || 'info',
    retrainCron: env.RETRAIN_CRON || '0 3 * * *',
    seedDemo: env.SEED_DEMO !== 'false',
    driftCheckMs: num('DRIFT_CHECK_MINUTES', 10, env) * 60_000,
    statementTimeoutMs: num('DATABASE_STATEMENT_TIMEOUT', 30, env) * 1000,
    trainer: trainerMode(env.TRAINER),
    training: {
      matrixMaxCells: num('MATRIX_MAX_CELLS', 20_000_000, env),
      topK: num('MATRIX_TOP_K', 500, env),
      retrieval: {
        clusters: num('RETRIEVAL_CLUSTERS', 256, env),
        candidates: num('RETRIEVAL_CANDIDATES', 500, env),
        probe: num('RETRIEVAL_PROBE', 2, env),
        minRecall: num('RETRIEVAL_MIN_RECALL', 0.95, env),
        sampleUsers: num('RETRIEVAL_SAMPLE_USERS', 200, env),
      },
      trainingBudgetMs: env.TRAINING_BUDGET_S === undefined || env.TRAINING_BUDGET_S === '' || env.TRAINING_BUDGET_S === 'auto' ? null : num('TRAINING_BUDGET_S', 0, env) * 1000,
      gateTolerance: num('GATE_TOLERANCE', 0.02, env),
      relevanceThreshold: num('RELEVANCE_THRESHOLD', 4, env),
      backend: env.TF_BACKEND || 'auto',
      engine: normaliseEngine(env.COMPUTE_ENGINE),
      scoringThreads: num('SCORING_THREADS', os.availableParallelism(), env),
      // Every network at once, even beyond the cores: on 2 cores three networks trained in 140 s on three
      // threads and 190 s on two, where the third network trained alone on one core (bench:train, u1).
      trainingThreads: num('TRAINING_THREADS', MAX_ENSEMBLE_SIZE, env),
      runTimeoutMs: num('RUN_TIMEOUT', 6 * 3600, env) * 1000,
      heartbeatTimeoutMs: num('RUN_HEARTBEAT_TIMEOUT', 120, env) * 1000,
      driftLimits: {
        modelAgeHours: num('DRIFT_MAX_MODEL_AGE_HOURS', DEFAULT_DRIFT_LIMITS.modelAgeHours, env),
        newRatingsShare: num('DRIFT_MAX_NEW_RATINGS_SHARE', DEFAULT_DRIFT_LIMITS.newRatingsShare, env),
        meanShift: num('DRIFT_MAX_MEAN_SHIFT', DEFAULT_DRIFT_LIMITS.meanShift, env),
        ratingPsi: num('DRIFT_MAX_RATING_PSI', DEFAULT_DRIFT_LIMITS.ratingPsi, env),
        categoryPsi: num('DRIFT_MAX_CATEGORY_PSI', DEFAULT_DRIFT_LIMITS.categoryPsi, env),
        newUsersShare: num('DRIFT_MAX_NEW_USERS_SHARE', DEFAULT_DRIFT_LIMITS.newUsersShare, env),
        newProductsShare: num('DRIFT_MAX_NEW_PRODUCTS_SHARE', DEFAULT_DRIFT_LIMITS.newProductsShare, env),
        minArrivals: num('DRIFT_MIN_ARRIVALS', DEFAULT_DRIFT_LIMITS.minArrivals, env),
      },
    },
  };
  if (config.ratingMin >= config.ratingMax) {
    throw new Error(`RATING_MIN (${config.ratingMin}) must be below RATING_MAX (${config.ratingMax})`);
  }
  for (const url of config.databaseReadUrls) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`DATABASE_READ_URLS must list postgresql:// URLs, got one that is not`);
  }
  for (const [name, value] of [['RUN_TIMEOUT', config.training.runTimeoutMs], ['RUN_HEARTBEAT_TIMEOUT', config.training.heartbeatTimeoutMs]] as const) {
    if (!(value > 0)) throw new Error(`${name} must be a positive number of seconds, got ${value / 1000}`);
  }
  if (!Number.isInteger(config.rateLimitPerMinute) || config.rateLimitPerMinute < 0) {
    throw new Error(`RATE_LIMIT_PER_MINUTE must be a whole number (0 turns the limit off), got ${config.rateLimitPerMinute}`);
  }
  if (config.ratingStep <= 0) throw new Error('RATING_STEP must be positive');
  if (!(config.trending.halfLifeDays > 0 && config.trending.windowDays > 0 && config.trending.weight >= 0)) throw new Error('TRENDING_HALF_LIFE_DAYS and TRENDING_WINDOW_DAYS must be positive and TRENDING_WEIGHT at least 0');
  if (!Number.isInteger(config.databasePoolSize) || config.databasePoolSize < 2) {
    throw new Error(`DATABASE_POOL_SIZE must be a whole number of at least 2, got ${config.databasePoolSize}`);
  }
  const { retrieval } = config.training;
  for (const [name, value] of [['RETRIEVAL_CLUSTERS', retrieval.clusters], ['RETRIEVAL_CANDIDATES', retrieval.candidates], ['RETRIEVAL_PROBE', retrieval.probe], ['RETRIEVAL_SAMPLE_USERS', retrieval.sampleUsers]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got ${value}`);
  }
  if (!(retrieval.minRecall > 0 && retrieval.minRecall <= 1)) throw new Error(`RETRIEVAL_MIN_RECALL must be in (0, 1], got ${retrieval.minRecall}`);
  const budget = config.training.trainingBudgetMs;
  if (budget !== null && !(budget >= 0)) throw new Error(`TRAINING_BUDGET_S must be auto, 0 (no limit) or a number of seconds, got ${budget / 1000}`);
  for (const [name, value] of [['SCORING_THREADS', config.training.scoringThreads], ['TRAINING_THREADS', config.training.trainingThreads]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got ${value}`);
  }
  return config;
}

/** The rating scale a configuration holds. */
export function scaleOf(config: Pick<AppConfig, 'ratingMin' | 'ratingMax' | 'ratingStep'>): RatingScale {
  return { ratingMin: config.ratingMin, ratingMax: config.ratingMax, ratingStep: config.ratingStep };
}
