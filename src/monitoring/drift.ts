// Drift watch: what arrived since the active model was trained against what it was trained on — how many
// ratings, their mean and distribution, the share of new users and products, the mix of categories — and
// the model's age, each against a limit. The reference is the profile each run records of its data (in the
// same snapshot it trains on); the check runs with every run and on a timer, and feeds GraphQL and /metrics.
import type pg from 'pg';
import type { Logger } from '../log.js';

/** What a run trained on, or what arrived since (`since` set), as counts per rating star and per category. */
export interface DataProfile {
  /** When the snapshot was taken (a run's data), or the start of the window (arrivals). */
  at: string;
  ratings: number;
  meanRating: number | null;
  /** Ratings per star (value rounded), e.g. { "4": 120 }. */
  stars: Record<string, number>;
  /** Ratings and events per product category ("(none)" without one). */
  categories: Record<string, number>;
  events: number;
  users: number;
  products: number;
  /** Arrivals only: users and products created in the window. */
  newUsers?: number;
  newProducts?: number;
}

export interface DriftLimits {
  modelAgeHours: number;
  /** New or changed ratings, as a share of those trained on. */
  newRatingsShare: number;
  /** Stars between the mean of the new ratings and the trained-on mean. */
  meanShift: number;
  /** Population stability index of the star distribution, and of the category mix (0.2: a significant shift). */
  ratingPsi: number;
  categoryPsi: number;
  newUsersShare: number;
  newProductsShare: number;
  /** Fewer new ratings (or interactions) than this leave the distribution measures out: too few to say. */
  minArrivals: number;
}

export const DEFAULT_DRIFT_LIMITS: DriftLimits = {
  modelAgeHours: 48,
  newRatingsShare: 0.25,
  meanShift: 0.3,
  ratingPsi: 0.2,
  categoryPsi: 0.2,
  newUsersShare: 0.25,
  newProductsShare: 0.25,
  minArrivals: 100,
};

export type DriftMeasureName = Exclude<keyof DriftLimits, 'minArrivals'>;

export interface DriftMeasure {
  name: DriftMeasureName;
  /** null: not measurable yet (too few arrivals). */
  value: number | null;
  limit: number;
  exceeded: boolean;
}

export interface DriftReport {
  runId: number;
  checkedAt: string;
  trainedOn: DataProfile;
  arrived: DataProfile;
  measures: DriftMeasure[];
  /** Whether any measure passed its limit: retraining is due. */
  exceeded: boolean;
}

const PROFILE_COLUMNS = `
  count(*)::int AS ratings, avg(r.value)::float8 AS "meanRating",
  (SELECT coalesce(jsonb_object_agg(star, n), '{}') FROM (SELECT round(value)::int AS star, count(*)::int AS n FROM ratings WHERE $WHERE_R GROUP BY 1) s) AS stars,
  (SELECT coalesce(jsonb_object_agg(category, n), '{}') FROM (
     SELECT coalesce(p.category, '(none)') AS category, count(*)::int AS n
     FROM (SELECT product_id FROM ratings WHERE $WHERE_R UNION ALL SELECT product_id FROM events WHERE $WHERE_E) x JOIN products p ON p.id = x.product_id GROUP BY 1) c) AS categories,
  (SELECT count(*)::int FROM events WHERE $WHERE_E) AS events,
  (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM products) AS products`;

/** The whole store, as a run trains on it (run inside its snapshot: now() is the snapshot's time). */
export const TRAINING_PROFILE_SQL = `SELECT now() AS at, ${PROFILE_COLUMNS.replaceAll('$WHERE_R', 'true').replaceAll('$WHERE_E', 'true')} FROM ratings r`;

/** What arrived after $1: ratings given or changed, events that happened, users and products created. */
export const ARRIVALS_SQL = `SELECT $1::timestamptz AS at, ${PROFILE_COLUMNS.replaceAll('$WHERE_R', 'updated_at > $1').replaceAll('$WHERE_E', 'occurred_at > $1')},
  (SELECT count(*)::int FROM users WHERE created_at > $1) AS "newUsers", (SELECT count(*)::int FROM products WHERE created_at > $1) AS "newProducts"
FROM ratings r WHERE r.updated_at > $1`;

export async function trainingProfile(client: pg.PoolClient | pg.Pool): Promise<DataProfile> {
  const { rows } = await client.query<DataProfile & { at: Date }>(TRAINING_PROFILE_SQL);
  return { ...rows[0], at: rows[0].at.toISOString() };
}

export async function arrivalsSince(pool: pg.Pool, since: string): Promise<DataProfile> {
  const { rows } = await pool.query<DataProfile & { at: Date }>(ARRIVALS_SQL, [since]);
  return { ...rows[0], at: rows[0].at.toISOString() };
}

/** Population stability index of `actual` against `expected` (counts per bucket), with empty buckets smoothed. */
export function psi(expected: Record<string, number>, actual: Record<string, number>): number {
  const buckets = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  const total = (counts: Record<string, number>) => buckets.reduce((s, b) => s + (counts[b] ?? 0), 0);
  const [te, ta] = [total(expected), total(actual)];
  if (te === 0 || ta === 0) return 0;
  const floor = 1e-4;
  let sum = 0;
  for (const b of buckets) {
    const e = Math.max(floor, (expected[b] ?? 0) / te);
    const a = Math.max(floor, (actual[b] ?? 0) / ta);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}

/** Each measure of `arrived` against `trainedOn`, at `now`. */
export function compareProfiles(runId: number, trainedOn: DataProfile, arrived: DataProfile, limits: DriftLimits, now = new Date()): DriftReport {
  const enough = arrived.ratings >= limits.minArrivals;
  const interactions = arrived.ratings + arrived.events;
  const share = (n: number | undefined, of: number) => (of > 0 ? (n ?? 0) / of : 0);
  const values: Record<DriftMeasureName, number | null> = {
    modelAgeHours: (now.getTime() - Date.parse(trainedOn.at)) / 3_600_000,
    newRatingsShare: share(arrived.ratings, trainedOn.ratings),
    meanShift: enough && arrived.meanRating !== null && trainedOn.meanRating !== null ? Math.abs(arrived.meanRating - trainedOn.meanRating) : null,
    ratingPsi: enough ? psi(trainedOn.stars, arrived.stars) : null,
    categoryPsi: interactions >= limits.minArrivals ? psi(trainedOn.categories, arrived.categories) : null,
    newUsersShare: share(arrived.newUsers, arrived.users),
    newProductsShare: share(arrived.newProducts, arrived.products),
  };
  const measures = (Object.keys(values) as DriftMeasureName[]).map((name) => {
    const value = values[name];
    return { name, value, limit: limits[name], exceeded: value !== null && value > limits[name] };
  });
  return { runId, checkedAt: now.toISOString(), trainedOn, arrived, measures, exceeded: measures.some((m) => m.exceeded) };
}

const ACTIVE_RUN_SQL = 'SELECT id FROM model_runs WHERE active';
const ACTIVE_PROFILE_SQL = `SELECT id, data_counts -> 'profile' AS profile FROM model_runs WHERE active`;

/** The active model's drift now; null without an active model that recorded its data. */
export async function activeModelDrift(pool: pg.Pool, limits: DriftLimits): Promise<DriftReport | null> {
  const { rows } = await pool.query<{ id: number; profile: DataProfile | null }>(ACTIVE_PROFILE_SQL);
  const active = rows[0];
  return active?.profile ? compareProfiles(active.id, active.profile, await arrivalsSince(pool, active.profile.at), limits) : null;
}

/** The active model's drift, checked every `everyMs` (and on demand, at most every few seconds). */
export class DriftWatch {
  private last: { report: DriftReport | null; at: number } | null = null;
  private pending: Promise<DriftReport | null> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pool: pg.Pool,
    private readonly limits: DriftLimits,
    private readonly log: Logger,
  ) {}

  /**
   * The latest report, at most `maxAgeMs` old and of the model active now (another one activated since is
   * checked at once); null without an active model that recorded its data.
   */
  async report(maxAgeMs = 2_000): Promise<DriftReport | null> {
    if (this.last && Date.now() - this.last.at <= maxAgeMs) {
      const { rows } = await this.pool.query<{ id: number }>(ACTIVE_RUN_SQL);
      if ((rows[0]?.id ?? null) === (this.last.report?.runId ?? null)) return this.last.report;
    }
    this.pending ??= this.check().finally(() => (this.pending = null));
    return this.pending;
  }

  /** The last report computed (for /metrics, which must not query on every scrape). */
  latest(): DriftReport | null {
    return this.last?.report ?? null;
  }

  start(everyMs: number): void {
    const tick = () => void this.report(0).catch((error) => this.log.warn({ err: error }, 'drift check failed; it is tried again at the next interval'));
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<DriftReport | null> {
    const report = await activeModelDrift(this.pool, this.limits);
    const wasExceeded = this.last?.report?.exceeded ?? false;
    this.last = { report, at: Date.now() };
    if (report?.exceeded && !wasExceeded) {
      const passed = report.measures.filter((m) => m.exceeded).map((m) => `${m.name} ${m.value!.toFixed(3)} > ${m.limit}`);
      this.log.warn(
        { runId: report.runId, drift: passed },
        `the data drifted from what the active model was trained on (${passed.join(', ')}): retrain (npm run cli -- train) or wait for the nightly run`,
      );
    }
    return report;
  }
}
