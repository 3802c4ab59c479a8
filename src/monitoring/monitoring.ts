// What admins watch besides the runs: the shop's size and growth (shop-stats.ts) and, later, drift.
import type pg from 'pg';
import { shopStats, type ShopStats } from './shop-stats.js';

export class Monitoring {
  constructor(private readonly pool: pg.Pool) {}

  shopStats(days: number): Promise<ShopStats> {
    return shopStats(this.pool, days);
  }
}
