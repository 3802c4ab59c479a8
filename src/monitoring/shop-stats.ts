// What the shop holds and how it grew, for the dashboard's overview: totals, and what arrived on each of the
// last days (UTC). Admin reads, not a serving path: each call counts the tables.
import type pg from 'pg';

export interface DayGrowth {
  day: string;
  users: number;
  products: number;
  ratings: number;
  events: number;
}

export interface ShopStats {
  users: number;
  products: number;
  ratings: number;
  events: number;
  /** One entry per day of the window, oldest first, today last (days without arrivals have zeros). */
  growth: DayGrowth[];
}

export const MAX_GROWTH_DAYS = 365;

const SHOP_STATS_SQL = `
WITH days AS (
  SELECT generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - ($1::int - 1) * interval '1 day', date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS day
),
since AS (SELECT min(day) AS day FROM days),
arrivals AS (
  SELECT 'users' AS kind, date_trunc('day', created_at AT TIME ZONE 'UTC') AS day, count(*)::int AS n FROM users WHERE created_at AT TIME ZONE 'UTC' >= (SELECT day FROM since) GROUP BY 2
  UNION ALL
  SELECT 'products', date_trunc('day', created_at AT TIME ZONE 'UTC'), count(*)::int FROM products WHERE created_at AT TIME ZONE 'UTC' >= (SELECT day FROM since) GROUP BY 2
  UNION ALL
  SELECT 'ratings', date_trunc('day', created_at AT TIME ZONE 'UTC'), count(*)::int FROM ratings WHERE created_at AT TIME ZONE 'UTC' >= (SELECT day FROM since) GROUP BY 2
  UNION ALL
  SELECT 'events', date_trunc('day', occurred_at AT TIME ZONE 'UTC'), count(*)::int FROM events WHERE occurred_at AT TIME ZONE 'UTC' >= (SELECT day FROM since) GROUP BY 2
)
SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
  coalesce(sum(a.n) FILTER (WHERE a.kind = 'users'), 0)::int AS users,
  coalesce(sum(a.n) FILTER (WHERE a.kind = 'products'), 0)::int AS products,
  coalesce(sum(a.n) FILTER (WHERE a.kind = 'ratings'), 0)::int AS ratings,
  coalesce(sum(a.n) FILTER (WHERE a.kind = 'events'), 0)::int AS events
FROM days d LEFT JOIN arrivals a ON a.day = d.day
GROUP BY d.day ORDER BY d.day`;

const TOTALS_SQL = `
SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM products)::int AS products,
       (SELECT count(*) FROM ratings)::int AS ratings, (SELECT count(*) FROM events)::int AS events`;

export async function shopStats(pool: pg.Pool, days: number): Promise<ShopStats> {
  const [totals, growth] = await Promise.all([pool.query<Omit<ShopStats, 'growth'>>(TOTALS_SQL), pool.query<DayGrowth>(SHOP_STATS_SQL, [days])]);
  return { ...totals.rows[0], growth: growth.rows };
}
