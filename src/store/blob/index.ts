// The model store the service uses: PostgreSQL as the source of truth, MODELS_DIR as its local cache.
import type pg from 'pg';
import type { Logger } from '../../log.js';
import { LocalArtifactCache } from './local-cache.js';
import { PostgresArtifactStore } from './postgres-artifacts.js';

export function modelArtifacts(pool: pg.Pool, modelsDir: string, log?: Logger): LocalArtifactCache {
  return new LocalArtifactCache(new PostgresArtifactStore(pool), modelsDir, (runId, reason) => log?.warn({ runId }, reason));
}
