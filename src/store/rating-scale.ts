// The rating scale is the store's: set once (by RATING_MIN/MAX/STEP at the first start, or by an importer
// that knows its format), then read by every process, so that no two processes can accept or clip
// ratings differently. A setting that conflicts with the stored scale is refused with what to do.
import type pg from 'pg';
import { DEFAULT_SCALE, type RatingScale } from './validation.js';

export const RATING_SCALE_KEY = 'rating_scale';

export interface StoredScale extends RatingScale {
  /** Who set it: 'default' (nothing was asked), 'config' (RATING_MIN/MAX/STEP), or 'import:<format>'. */
  source: string;
}

export class RatingScaleConflict extends Error {
  override name = 'RatingScaleConflict';
}

export interface ScaleRequest {
  /** The scale the environment asks for explicitly (RATING_MIN/MAX/STEP set), if any. */
  configured?: RatingScale;
  /** The scale a data format implies (MovieLens "latest": 0.5 to 5 in halves), if any. */
  format?: { scale: RatingScale; name: string };
}

type Queryable = pg.Pool | pg.PoolClient;

export const describeScale = (s: RatingScale) => `${s.ratingMin} to ${s.ratingMax} in steps of ${s.ratingStep}`;
const same = (a: RatingScale, b: RatingScale) => a.ratingMin === b.ratingMin && a.ratingMax === b.ratingMax && a.ratingStep === b.ratingStep;
/** Every rating `inner` allows, `outer` allows too. */
function fits(inner: RatingScale, outer: RatingScale): boolean {
  const steps = inner.ratingStep / outer.ratingStep;
  const offset = (inner.ratingMin - outer.ratingMin) / outer.ratingStep;
  const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-9;
  return inner.ratingMin >= outer.ratingMin && inner.ratingMax <= outer.ratingMax && whole(steps) && whole(offset);
}

export async function readStoredScale(db: Queryable, lock = false): Promise<StoredScale | null> {
  const { rows } = await db.query<{ value: StoredScale }>(`SELECT value FROM store_settings WHERE key = $1${lock ? ' FOR UPDATE' : ''}`, [RATING_SCALE_KEY]);
  return rows[0]?.value ?? null;
}

async function write(db: Queryable, scale: RatingScale, source: string, replace: boolean): Promise<void> {
  const value = JSON.stringify({ ratingMin: scale.ratingMin, ratingMax: scale.ratingMax, ratingStep: scale.ratingStep, source });
  await db.query(
    `INSERT INTO store_settings (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO ${replace ? 'UPDATE SET value = EXCLUDED.value, updated_at = now()' : 'NOTHING'}`,
    [RATING_SCALE_KEY, value],
  );
}

/**
 * The store's scale after `request`: stored when there is none yet (what is asked, else the default);
 * a default scale of a store without ratings gives way to a format's; otherwise what is asked must agree
 * with what is stored (a format's ratings must fit in it), or RatingScaleConflict says how to proceed.
 * Run it inside the caller's transaction to make it part of an import.
 */
export async function settleRatingScale(db: Queryable, request: ScaleRequest): Promise<StoredScale> {
  let stored = await readStoredScale(db, true);
  if (!stored) {
    const scale = request.configured ?? request.format?.scale ?? DEFAULT_SCALE;
    const source = request.configured ? 'config' : request.format ? `import:${request.format.name}` : 'default';
    await write(db, scale, source, false);
    stored = (await readStoredScale(db))!; // another process may have set it first
  }
  const { configured, format } = request;
  if (configured && !same(configured, stored)) {
    throw new RatingScaleConflict(
      `RATING_MIN/RATING_MAX/RATING_STEP ask for ratings ${describeScale(configured)}, but this database's ratings are ${describeScale(stored)} ` +
        `(set by ${stored.source}). Unset those variables to use the database's scale, or use another database.`,
    );
  }
  if (format && !same(format.scale, stored)) {
    const empty = (await db.query('SELECT 1 FROM ratings LIMIT 1')).rowCount === 0;
    if (stored.source === 'default' && empty) {
      await write(db, format.scale, `import:${format.name}`, true);
      return { ...format.scale, source: `import:${format.name}` };
    }
    if (!fits(format.scale, stored)) {
      throw new RatingScaleConflict(
        `${format.name} ratings are ${describeScale(format.scale)}, but this database's ratings are ${describeScale(stored)} (set by ${stored.source}). ` +
          'Import into a new database, whose scale the import then sets.',
      );
    }
  }
  return stored;
}

/** The stored scale as a running process sees it: read again when older than a few seconds (an import may set it). */
export class LiveRatingScale {
  private readAt = Date.now();
  private reading: Promise<RatingScale> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private scale: RatingScale,
    private readonly ttlMs = 5_000,
  ) {}

  /** The last scale read (never waits). */
  current(): RatingScale {
    if (Date.now() - this.readAt > this.ttlMs) void this.get().catch(() => {});
    return this.scale;
  }

  async get(): Promise<RatingScale> {
    if (Date.now() - this.readAt <= this.ttlMs) return this.scale;
    this.reading ??= readStoredScale(this.pool)
      .then((stored) => {
        if (stored) this.scale = { ratingMin: stored.ratingMin, ratingMax: stored.ratingMax, ratingStep: stored.ratingStep };
        this.readAt = Date.now();
        return this.scale;
      })
      .finally(() => (this.reading = null));
    return this.reading;
  }
}
