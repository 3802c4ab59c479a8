// What admins watch besides the runs: the shop's size and growth (shop-stats.ts) and drift (drift.ts).
import type pg from 'pg';
import { shopStats, type ShopStats } from './shop-stats.js';
import type { DriftReport, DriftWatch } from './drift.js';

export class Monitoring {
  constructor(
    private readonly pool: pg.Pool,
    private readonly driftWatch: DriftWatch,
  ) {}

  shopStats(days: number): Promise<ShopStats> {
    return shopStats(this.pool, days);
  }

  drift(): Promise<DriftReport | null> {
    return this.driftWatch.report();
  }
}
