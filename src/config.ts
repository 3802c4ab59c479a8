// The service's configuration, typed, from its environment (each variable is declared in src/environment.ts).
import path from 'node:path';
import type { DriftLimits } from './monitoring/drift.js';
import { MAX_ENSEMBLE_SIZE } from './model/config.js';
import { normaliseEngine, type EnginePreference } from './model/stepper.js';
import { DEFAULT_SCALE, type RatingScale } from './store/validation.js';
import { EnvironmentError, readEnvironment } from './environment.js';

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
  /** VISITOR_TOKEN_SECRETS: the first signs visitor tokens, each verifies; empty: the database's own (src/access/visitor-tokens.ts). */
  visitorTokenSecrets: string[];
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
  /** Bought and viewed together (src/serving/sources/together.ts): events within windowHours, pairs halved every halfLifeMinutes apart. */
  together: { windowHours: number; halfLifeMinutes: number };
  /** Events at most this long after a list was served are attributed to it (src/attribution). */
  attributionWindowHours: number;
  retrainCron: string;
  /** ROLE: the API and training (all), the API only (api: no training threads, no schedule), or training without the API (trainer). */
  role: 'all' | 'api' | 'trainer';
  /** What the environment holds that the service does not read (misspelt names, renamed ones): logged at start. */
  warnings: string[];
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
   * (trainingBudgetSeconds, src/training/run/run-config.ts).
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

/** The configuration of `env` (src/environment.ts declares every variable); throws, naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const { values: v, warnings } = readEnvironment(env);
  const root = process.cwd();
  if (v.RATING_MIN !== undefined && v.RATING_MAX !== undefined && v.RATING_MIN >= v.RATING_MAX) {
    throw new EnvironmentError(`Invalid configuration: RATING_MIN (${v.RATING_MIN}) must be below RATING_MAX (${v.RATING_MAX})`);
  }
  const seconds = (value: number) => value * 1000;
  return {
    databaseUrl: v.DATABASE_URL || undefined,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    databaseReadUrls: v.DATABASE_READ_URLS,
    readMaxLagMs: seconds(v.DATABASE_READ_MAX_LAG),
    port: v.PORT,
    host: v.HOST,
    dataDir: path.resolve(root, v.DATA_DIR),
    modelsDir: path.resolve(root, v.MODELS_DIR),
    adminToken: v.ADMIN_TOKEN,
    visitorTokenSecrets: v.VISITOR_TOKEN_SECRETS,
    corsOrigins: v.CORS_ORIGINS.includes('*') ? '*' : v.CORS_ORIGINS,
    publicReads: v.PUBLIC_READS,
    introspection: v.INTROSPECTION,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    trustProxy: v.TRUST_PROXY,
    metricsPublic: v.METRICS_PUBLIC,
    dashboardDir: path.resolve(root, v.DASHBOARD_DIR ?? path.join(import.meta.dirname, '..', 'dist', 'dashboard-app')),
    embeddedPgPort: v.EMBEDDED_PG_PORT,
    ratingMin: v.RATING_MIN ?? DEFAULT_SCALE.ratingMin,
    ratingMax: v.RATING_MAX ?? DEFAULT_SCALE.ratingMax,
    ratingStep: v.RATING_STEP ?? DEFAULT_SCALE.ratingStep,
    ratingScaleExplicit: v.RATING_MIN !== undefined || v.RATING_MAX !== undefined || v.RATING_STEP !== undefined,
    trending: { halfLifeDays: v.TRENDING_HALF_LIFE_DAYS, windowDays: v.TRENDING_WINDOW_DAYS, weight: v.TRENDING_WEIGHT },
    together: { windowHours: v.TOGETHER_WINDOW_HOURS, halfLifeMinutes: v.TOGETHER_HALF_LIFE_MINUTES },
    attributionWindowHours: v.ATTRIBUTION_WINDOW_HOURS,
    retrainCron: v.RETRAIN_CRON,
    seedDemo: v.SEED_DEMO,
    driftCheckMs: v.DRIFT_CHECK_MINUTES * 60_000,
    statementTimeoutMs: seconds(v.DATABASE_STATEMENT_TIMEOUT),
    role: v.ROLE,
    warnings,
    training: {
      matrixMaxCells: v.MATRIX_MAX_CELLS,
      topK: v.MATRIX_TOP_K,
      retrieval: {
        clusters: v.RETRIEVAL_CLUSTERS,
        candidates: v.RETRIEVAL_CANDIDATES,
        probe: v.RETRIEVAL_PROBE,
        minRecall: v.RETRIEVAL_MIN_RECALL,
        sampleUsers: v.RETRIEVAL_SAMPLE_USERS,
      },
      trainingBudgetMs: v.TRAINING_BUDGET_S === 'auto' ? null : seconds(v.TRAINING_BUDGET_S),
      gateTolerance: v.GATE_TOLERANCE,
      relevanceThreshold: v.RELEVANCE_THRESHOLD,
      backend: v.TF_BACKEND,
      engine: normaliseEngine(v.COMPUTE_ENGINE),
      scoringThreads: v.SCORING_THREADS,
      trainingThreads: Math.min(v.TRAINING_THREADS, MAX_ENSEMBLE_SIZE),
      runTimeoutMs: seconds(v.RUN_TIMEOUT),
      heartbeatTimeoutMs: seconds(v.RUN_HEARTBEAT_TIMEOUT),
      driftLimits: {
        modelAgeHours: v.DRIFT_MAX_MODEL_AGE_HOURS,
        newRatingsShare: v.DRIFT_MAX_NEW_RATINGS_SHARE,
        meanShift: v.DRIFT_MAX_MEAN_SHIFT,
        ratingPsi: v.DRIFT_MAX_RATING_PSI,
        categoryPsi: v.DRIFT_MAX_CATEGORY_PSI,
        newUsersShare: v.DRIFT_MAX_NEW_USERS_SHARE,
        newProductsShare: v.DRIFT_MAX_NEW_PRODUCTS_SHARE,
        minArrivals: v.DRIFT_MIN_ARRIVALS,
      },
    },
  };
}

/** The rating scale a configuration holds. */
export function scaleOf(config: Pick<AppConfig, 'ratingMin' | 'ratingMax' | 'ratingStep'>): RatingScale {
  return { ratingMin: config.ratingMin, ratingMax: config.ratingMax, ratingStep: config.ratingStep };
}
