// Assembles the running service from its parts: store → trainer and job
// scheduler → the active model → the GraphQL server. Used by `npm start`
// (src/main.ts) and by the tests, so both run the same thing.
import type { AppConfig } from './config.js';
import type { Logger } from './log.js';
import type { Store } from './store/db.js';
import { Monitoring } from './monitoring/monitoring.js';
import { DriftWatch } from './monitoring/drift.js';
import { Catalog } from './store/catalog.js';
import { EventLog } from './events/event-log.js';
import { RunSupervisor } from './training/supervisor.js';
import { Scheduler } from './jobs/scheduler.js';
import { ActiveModel, loadServedModel } from './serving/active-model.js';
import { Recommender } from './serving/recommender.js';
import { createApiServer, type ApiServer } from './api/server.js';
import { KeyRing } from './access/key-ring.js';
import { VisitorTokens } from './access/visitor-tokens.js';
import { ImpressionLog } from './attribution/impressions.js';
import { onlineMetrics } from './attribution/online-metrics.js';
import { ExperimentRouter } from './experiments/experiment-router.js';
import { Notifications } from './store/notifications.js';
import { modelArtifacts } from './store/blob/index.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { ReadReplicas } from './store/read-replicas.js';
import { LiveRatingScale, settleRatingScale } from './store/rating-scale.js';
import { TrendingRanking } from './rules/trending.js';
import { Promotions } from './rules/promotions.js';
import { RuleEngine } from './rules/apply-rules.js';
import { scaleOf } from './config.js';

export interface Service {
  server: ApiServer;
  scheduler: Scheduler;
  supervisor: RunSupervisor;
  activeModel: ActiveModel;
  recommender: Recommender;
  /** Served lists awaiting their write (flush() before reading impressions). */
  impressions: ImpressionLog;
  keyRing: KeyRing;
  metrics: ServiceMetrics;
  reads: ReadReplicas;
  /** Settles when the serving statements are prepared on every connection (never rejects), with some of the model's users. */
  warming: Promise<string[]>;
  close(): Promise<void>;
}

export async function startService(store: Store, configured: AppConfig, log: Logger, adminToken: string): Promise<Service> {
  // The rating scale is the database's: set here at the first start, refused when the environment asks for another.
  const stored = await settleRatingScale(store.pool, { configured: configured.ratingScaleExplicit ? scaleOf(configured) : undefined });
  const config: AppConfig = { ...configured, ratingMin: stored.ratingMin, ratingMax: stored.ratingMax, ratingStep: stored.ratingStep };
  const ratingScale = new LiveRatingScale(store.pool, scaleOf(config));
  const supervisor = new RunSupervisor(store, config, log);
  // An API-only instance (ROLE=api) queues runs for the trainers and leaves the schedule to them.
  const trains = config.role !== 'api';
  const scheduler = await Scheduler.start({ store, supervisor, log, cron: trains ? config.retrainCron : undefined, work: trains });
  const notifications = new Notifications(store.url, log);
  const artifacts = modelArtifacts(store.pool, config.modelsDir, log);
  const activeModel = new ActiveModel(store.prisma, config.training.backend, log, artifacts);
  await activeModel.follow(notifications);
  const experiments = new ExperimentRouter(
    store.prisma,
    async (runId) => loadServedModel(artifacts, config.training.backend, await store.prisma.modelRun.findUniqueOrThrow({ where: { id: runId } })),
    log,
  );
  await experiments.follow(notifications);
  const keyRing = await KeyRing.start({
    pool: store.pool,
    notifications,
    adminToken,
    anonymousRole: config.publicReads ? 'frontend' : null,
    log,
  });
  const visitorTokens = await VisitorTokens.load(store.pool, config.visitorTokenSecrets);
  const impressions = new ImpressionLog(store.pool, log);
  const reads = await new ReadReplicas(config.databaseReadUrls, store.pool, { maxLagMs: config.readMaxLagMs, poolSize: config.databasePoolSize, log }).start();
  const metrics = new ServiceMetrics();
  metrics.watchPools([{ name: 'primary', pool: store.pool }, ...reads.pools().map(({ pool }, k) => ({ name: `replica-${k + 1}`, pool }))]);
  metrics.watchRegistry(store.pool);
  metrics.watchOnlineMetrics(async (groupBy, from, to) => {
    await impressions.flush();
    return onlineMetrics(store.pool, from, to, config.attributionWindowHours, groupBy);
  });
  const drift = new DriftWatch(store.pool, config.training.driftLimits, log);
  metrics.watchDrift(drift);
  if (config.driftCheckMs > 0) drift.start(config.driftCheckMs);
  const trending = new TrendingRanking(store.pool, config.trending, log);
  const promotions = new Promotions(store.prisma);
  const recommender = new Recommender(store.pool, activeModel, { ratingMin: config.ratingMin, ratingMax: config.ratingMax }, log, {
    trending,
    together: config.together,
    onShared: (requests) => {
      metrics.rankRequests.inc(requests);
      metrics.rankStatements.inc();
    },
    reads,
  });
  // Until it is done (and the server has sent itself the hot operations), /readyz answers 503 "warming up".
  const started = performance.now();
  const warming: Promise<string[]> =
    config.role === 'trainer'
      ? Promise.resolve([])
      : recommender.warmUp().then(
          ({ prepared, users }) => {
            log.info({ connections: prepared, ms: Math.round(performance.now() - started) }, 'serving statements prepared on every connection');
            return users;
          },
          (error) => {
            log.warn({ err: error }, 'could not prepare the serving statements ahead; they are prepared on first use');
            return [];
          },
        );
  const server = await createApiServer({
    warming,
    warmUpKey: adminToken,
    catalog: new Catalog(store.prisma, store.pool, reads),
    monitoring: new Monitoring(store.pool, drift),
    events: new EventLog(store.pool),
    ratingScale,
    promotions,
    ruleEngine: new RuleEngine(promotions, trending, config.trending.weight),
    config,
    log,
    keyRing,
    visitorTokens,
    impressions,
    experiments,
    scheduler,
    supervisor,
    activeModel,
    recommender,
    pool: store.pool,
    health: store.health,
    metrics,
    graphql: config.role !== 'trainer',
  });
  return {
    server,
    scheduler,
    supervisor,
    activeModel,
    recommender,
    impressions,
    keyRing,
    metrics,
    reads,
    warming,
    async close() {
      await server.close();
      await impressions.close();
      // Before the queue: pg-boss waits for the job in hand, which ends once its thread is stopped.
      await supervisor.stop();
      keyRing.close();
      drift.stop();
      await notifications.close();
      await reads.close();
      await scheduler.stop();
      activeModel.close();
      experiments.close();
    },
  };
}
