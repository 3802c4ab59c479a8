// Prometheus metrics of one service process (prom-client), served at /metrics:
// GraphQL requests by operation and outcome with their latency, errors by code,
// the pool's connections, statements shared by the coalescer, and, read from
// the registry at each scrape, runs by status and the active model; what served lists led to (attribution). Plus
// prom-client's process metrics (CPU, memory, event loop lag, GC).
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DriftReport } from '../monitoring/drift.js';
import type { OnlineMetrics } from '../attribution/online-metrics.js';

/** The span of the online metrics on /metrics, and how long one reading of them serves the scrapes. */
const ONLINE_SPAN_HOURS = 24;
const ONLINE_CACHE_MS = 60_000;

/** Operation names are the client's: at most this many distinct ones get a label of their own. */
const MAX_OPERATION_LABELS = 100;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const REGISTRY_SQL = `
SELECT
  (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status::text, count(*)::int AS n FROM model_runs GROUP BY status) s) AS runs,
  (SELECT jsonb_build_object('id', id, 'finishedAt', extract(epoch FROM coalesce(finished_at, created_at)), 'rmse', metrics #> '{network,rmse}',
                             'baselineRmse', metrics #> '{baseline,rmse}', 'rows', matrix -> 'rows', 'phases', phases)
   FROM model_runs WHERE active) AS active`;

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'operation' | 'outcome'>;
  readonly duration: Histogram<'operation' | 'outcome'>;
  readonly errors: Counter<'code'>;
  readonly rankRequests: Counter;
  readonly rankStatements: Counter;
  private readonly operations = new Set<string>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'recsys_graphql_requests_total',
      help: 'GraphQL requests by operation name and outcome (ok or error).',
      labelNames: ['operation', 'outcome'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'recsys_graphql_request_duration_seconds',
      help: 'GraphQL request latency, from the request to its answer, by operation name and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: 'recsys_errors_total',
      help: 'Errors answered, by extensions.code (including refusals before GraphQL: UNAUTHENTICATED, RATE_LIMITED).',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.rankRequests = new Counter({
      name: 'recsys_rank_requests_total',
      help: 'Ranking requests (users asked for) that reached the coalescer.',
      registers: [this.registry],
    });
    this.rankStatements = new Counter({
      name: 'recsys_rank_statements_total',
      help: 'Ranking statements the coalescer sent; requests ÷ statements is how many shared one.',
      registers: [this.registry],
    });
  }

  /** The label for a client's operation name: its own while there are few, else "other". */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.operations.has(name)) return name;
    if (!OPERATION_NAME.test(name) || this.operations.size >= MAX_OPERATION_LABELS) return 'other';
    this.operations.add(name);
    return name;
  }

  /** Connections of the pg pools (the primary's, each replica's): total, idle and waiting requests, read at each scrape. */
  watchPools(pools: { name: string; pool: pg.Pool }[]): void {
    new Gauge({
      name: 'recsys_db_pool_connections',
      help: "Connections of the service's PostgreSQL pools (state: total, idle; waiting: requests waiting for one).",
      labelNames: ['pool', 'state'],
      registers: [this.registry],
      collect() {
        for (const { name, pool } of pools) {
          this.set({ pool: name, state: 'total' }, pool.totalCount);
          this.set({ pool: name, state: 'idle' }, pool.idleCount);
          this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
        }
      },
    });
  }

  /** Runs by status and the active model, read from the registry at each scrape (one statement). */
  watchRegistry(pool: pg.Pool): void {
    let pending: Promise<RegistryRow | null> | null = null;
    // Every gauge below collects from the same read of this scrape.
    const read = () =>
      (pending ??= pool
        .query<RegistryRow>(REGISTRY_SQL)
        .then(
          (r) => r.rows[0] ?? null,
          () => null,
        )
        .finally(() => setImmediate(() => (pending = null))));
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, row: RegistryRow) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        async collect() {
          this.reset();
          const row = await read();
          if (row) fill(this, row);
        },
      });
    gauge('recsys_model_runs', 'Training runs by status.', ['status'], (g, row) => {
      for (const status of ['queued', 'running', 'succeeded', 'failed', 'rejected']) g.set({ status }, row.runs[status] ?? 0);
    });
    gauge('recsys_active_model_run_id', 'The id of the run whose model and matrix are served.', [], (g, row) => row.active && g.set(row.active.id));
    gauge(
      'recsys_active_model_age_seconds',
      'How long ago the served run finished.',
      [],
      (g, row) => row.active && g.set(Date.now() / 1000 - row.active.finishedAt),
    );
    gauge('recsys_active_model_validation_rmse', 'Validation RMSE of the served network (model) and of its baseline.', ['model'], (g, row) => {
      if (row.active?.rmse != null) g.set({ model: 'network' }, row.active.rmse);
      if (row.active?.baselineRmse != null) g.set({ model: 'baseline' }, row.active.baselineRmse);
    });
    gauge('recsys_prediction_matrix_rows', 'Rows of the served prediction matrix.', [], (g, row) => row.active?.rows != null && g.set(row.active.rows));
    gauge(
      'recsys_active_model_phase_seconds',
      'Seconds the served run spent in each phase (load, train, select, evaluate, refit, score, writeBack, swap).',
      ['phase'],
      (g, row) => {
        for (const [phase, seconds] of Object.entries(row.active?.phases ?? {})) if (typeof seconds === 'number') g.set({ phase }, seconds);
      },
    );
  }

  /** The drift watch's latest check (src/monitoring/drift.ts): each measure, its limit, and whether it passed it. */
  /**
   * What the lists served in the last ONLINE_SPAN_HOURS led to (src/attribution), per model and per experiment
   * variant: read at most once a minute, since it reads every list of the span.
   */
  watchOnlineMetrics(read: (groupBy: 'model' | 'variant', from: Date, to: Date) => Promise<OnlineMetrics[]>): void {
    const cached = new Map<string, { at: number; rows: Promise<OnlineMetrics[]> }>();
    const rowsOf = (groupBy: 'model' | 'variant') => {
      const hit = cached.get(groupBy);
      if (hit && Date.now() - hit.at < ONLINE_CACHE_MS) return hit.rows;
      const now = new Date();
      const rows = read(groupBy, new Date(now.getTime() - ONLINE_SPAN_HOURS * 3_600_000), now).catch(() => []);
      cached.set(groupBy, { at: Date.now(), rows });
      return rows;
    };
    const gauge = (name: string, help: string, value: (m: OnlineMetrics) => number) =>
      new Gauge({
        name,
        help: `${help} Lists served in the last ${ONLINE_SPAN_HOURS} hours, by model (grouping="model": "run 12", "popular", …) and by experiment variant (grouping="variant").`,
        labelNames: ['grouping', 'group'],
        registers: [this.registry],
        async collect() {
          this.reset();
          for (const grouping of ['model', 'variant'] as const) {
            for (const m of await rowsOf(grouping)) if (grouping === 'model' || m.group !== 'no experiment') this.set({ grouping, group: m.group }, value(m));
          }
        },
      });
    gauge('recsys_online_lists', 'Lists served.', (m) => m.lists);
    gauge('recsys_online_impressions', 'Products shown in them.', (m) => m.impressions);
    gauge('recsys_online_views', 'Views attributed to them.', (m) => m.views);
    gauge('recsys_online_carts', 'Carts attributed to them.', (m) => m.carts);
    gauge('recsys_online_purchases', 'Purchases attributed to them.', (m) => m.purchases);
    gauge('recsys_online_revenue', 'The attributed purchases’ value.', (m) => m.revenue);
    gauge('recsys_online_conversion_rate', 'Purchases per product shown.', (m) => m.conversion.value);
  }

  watchDrift(watch: { latest(): DriftReport | null }): void {
    const measure = (name: string, help: string, pick: (m: DriftReport['measures'][number]) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['measure'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const m of watch.latest()?.measures ?? []) {
            const value = pick(m);
            if (value !== null) this.set({ measure: m.name }, value);
          }
        },
      });
    measure(
      'recsys_drift_value',
      'Drift of what arrived since the active model was trained, per measure (modelAgeHours, newRatingsShare, meanShift, ratingPsi, categoryPsi, newUsersShare, newProductsShare).',
      (m) => m.value,
    );
    measure('recsys_drift_limit', 'The limit of each drift measure (DRIFT_MAX_*).', (m) => m.limit);
    measure('recsys_drift_exceeded', '1 when a drift measure passed its limit.', (m) => (m.exceeded ? 1 : 0));
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

interface RegistryRow {
  runs: Record<string, number>;
  active: { id: number; finishedAt: number; rmse: number | null; baselineRmse: number | null; rows: number | null; phases: Record<string, unknown> } | null;
}
