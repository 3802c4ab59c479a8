// The shop's own default training configuration, kept in the store (store_settings): what a promoted tuning
// trial found, used by every run that does not say otherwise, on every instance. Empty until something is promoted.
import type pg from 'pg';
import type { TrainingConfig } from '../model/config.js';

export const TRAINING_DEFAULTS_KEY = 'training_defaults';

/** Fields that are the store's or the run's own, never promoted. */
const NOT_PROMOTED = ['minRating', 'maxRating', 'seed'] as const;

type Queryable = pg.Pool | pg.PoolClient;

export async function readStoredDefaults(db: Queryable): Promise<Partial<TrainingConfig>> {
  const { rows } = await db.query<{ value: Partial<TrainingConfig> }>('SELECT value FROM store_settings WHERE key = $1', [TRAINING_DEFAULTS_KEY]);
  return rows[0]?.value ?? {};
}

/** Makes `model` (a run's full model configuration) the stored default; returns what was stored. */
export async function storeDefaults(db: Queryable, model: TrainingConfig): Promise<Partial<TrainingConfig>> {
  const value: Partial<TrainingConfig> = { ...model };
  for (const field of NOT_PROMOTED) delete value[field];
  await db.query(
    `INSERT INTO store_settings (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [TRAINING_DEFAULTS_KEY, JSON.stringify(value)],
  );
  return value;
}
