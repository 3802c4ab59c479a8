// What every command needs: configuration, a logger on stderr (stdout is for
// results), and a migrated database for the duration of the command.
import { pino } from 'pino';
import { loadConfig, scaleOf, type AppConfig } from '../config.js';
import { REDACTED_PATHS, type Logger } from '../log.js';
import { EnvironmentError, logLevelOf } from '../environment.js';
import type { RatingScale } from '../store/validation.js';
import { openDatabase } from '../store/connect.js';
import { createStore, type Store } from '../store/db.js';
import { CliError } from './errors.js';

export interface CliContext {
  config: AppConfig;
  log: Logger;
  /** The scale RATING_MIN/MAX/STEP ask for, when set: imports refuse a database with another (src/store/rating-scale.ts). */
  scale: RatingScale | undefined;
}

export function createCliContext(): CliContext {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    throw new CliError(error instanceof EnvironmentError ? error.message : `Invalid configuration: ${(error as Error).message}`);
  }
  const log = pino(
    { level: logLevelOf(process.env, 'info'), base: { service: 'recsys', component: 'cli' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    pino.destination({ dest: 2, sync: true }),
  );
  for (const warning of config.warnings) log.warn(warning);
  return {
    config,
    log,
    scale: config.ratingScaleExplicit ? scaleOf(config) : undefined,
  };
}

/** Runs `work` with a store on the (migrated) database, then closes everything. */
export async function withStore<T>(context: CliContext, work: (store: Store) => Promise<T>): Promise<T> {
  const database = await openDatabase(context.config, context.log);
  const store = createStore(database.url, { max: 2 });
  try {
    return await work(store);
  } finally {
    await store.close();
    await database.stop();
  }
}
