// What served lists led to (ONLINE_METRICS_SQL), per model, experiment variant or day, each rate per product shown with its
// 95 % Wilson interval: click-through (views), add-to-cart and conversion (purchases), and revenue.
import type pg from 'pg';
import { ONLINE_METRICS_SQL } from '../store/sql.js';

export type OnlineGrouping = 'model' | 'variant' | 'day';

export interface Rate {
  value: number;
  low: number;
  high: number;
}

export interface OnlineMetrics {
  group: string;
  lists: number;
  impressions: number;
  views: number;
  carts: number;
  purchases: number;
  revenue: number;
  clickThrough: Rate;
  addToCart: Rate;
  conversion: Rate;
}

/** The 95 % Wilson score interval of `successes` in `trials`. */
export function wilson(successes: number, trials: number, z = 1.959964): Rate {
  if (trials === 0) return { value: 0, low: 0, high: 0 };
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denominator;
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export async function onlineMetrics(pool: pg.Pool, from: Date, to: Date, windowHours: number, groupBy: OnlineGrouping): Promise<OnlineMetrics[]> {
  const { rows } = await pool.query<Omit<OnlineMetrics, 'clickThrough' | 'addToCart' | 'conversion'>>(ONLINE_METRICS_SQL, [from, to, windowHours, groupBy]);
  return rows.map((row) => ({
    ...row,
    clickThrough: wilson(Math.min(row.views, row.impressions), row.impressions),
    addToCart: wilson(Math.min(row.carts, row.impressions), row.impressions),
    conversion: wilson(Math.min(row.purchases, row.impressions), row.impressions),
  }));
}
