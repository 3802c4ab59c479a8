// Interaction events (views, carts, purchases, wishlists) as the shop records them. One statement per
// call: every event is written, or none when one names an unknown product. A user id the shop never
// created is a visitor (a browser's cookie id): made by its first event, merged into an account later.
import type pg from 'pg';
import { RECORD_EVENTS_SQL } from '../store/sql.js';

export const EVENT_TYPES = ['view', 'cart', 'purchase', 'wishlist'] as const;
export type EventKind = (typeof EVENT_TYPES)[number];

/** More than this in one recordEvents call is refused: a larger batch belongs in `import events`. */
export const MAX_EVENTS_PER_CALL = 1000;

export interface EventRecord {
  /** The shop's own ids. */
  userId: string;
  productId: string;
  type: EventKind;
  /** When it happened; the time of recording when absent. */
  at?: Date | null;
  /** An amount that came with it (quantity, price paid); stored, not learnt from. */
  value?: number | null;
  /** The client's own id for it: recorded again (a retry), it counts once. */
  eventId?: string | null;
  /** The served list it came from (Recommendation.recommendationId), for attribution. */
  recommendationId?: string | null;
}

export type RecordOutcome = { recorded: number; duplicates: number } | { missingProducts: string[] };

export class EventLog {
  constructor(private readonly pool: pg.Pool) {}

  /** Writes the events, making visitors of unknown users, unless one names an unknown product (then nothing, and which ones). */
  async record(events: readonly EventRecord[]): Promise<RecordOutcome> {
    if (events.length === 0) return { recorded: 0, duplicates: 0 };
    const { rows } = await this.pool.query<{ recorded: number; missing_products: string[] | null }>(RECORD_EVENTS_SQL, [
      events.map((e) => e.userId),
      events.map((e) => e.productId),
      events.map((e) => e.type),
      events.map((e) => e.value ?? null),
      events.map((e) => e.at ?? null),
      events.map((e) => e.eventId ?? null),
      events.map((e) => e.recommendationId ?? null),
    ]);
    const { recorded, missing_products } = rows[0];
    if (missing_products) return { missingProducts: missing_products };
    return { recorded, duplicates: events.length - recorded };
  }
}
