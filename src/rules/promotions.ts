// Promotions: a shop boosts some products' scores for a time (setPromotion / endPromotion). Every process
// reads the ones in force again every few seconds, and at once after a change it made itself.
import type { PrismaClient, Promotion } from '../store/generated/prisma/client.js';

export type { Promotion };

/** How long the promotions in force are reused before they are read again. */
const TTL_MS = 2_000;
export const MAX_PROMOTION_FACTOR = 10;
export const MAX_PROMOTED_PRODUCTS = 1000;

export interface PromotionInput {
  /** Internal product ids. */
  productIds: number[];
  factor: number;
  startsAt: Date;
  endsAt: Date;
}

/** Why a promotion is refused, or null. */
export function promotionProblem(input: { productIds: readonly unknown[]; factor: number; startsAt: Date; endsAt: Date }): string | null {
  if (input.productIds.length === 0 || input.productIds.length > MAX_PROMOTED_PRODUCTS)
    return `input.productIds must list 1 to ${MAX_PROMOTED_PRODUCTS} products, got ${input.productIds.length}`;
  if (!(Number.isFinite(input.factor) && input.factor > 0 && input.factor <= MAX_PROMOTION_FACTOR))
    return `input.factor must be above 0 and at most ${MAX_PROMOTION_FACTOR}, got ${input.factor}`;
  if (!(input.endsAt.getTime() > input.startsAt.getTime())) return 'input.endsAt must be after input.startsAt';
  if (input.endsAt.getTime() <= Date.now()) return 'input.endsAt must be in the future';
  return null;
}

export class Promotions {
  private inForce: { at: number; factors: Map<number, number> } | null = null;
  private reading: Promise<Map<number, number>> | null = null;

  constructor(private readonly prisma: PrismaClient) {}

  async set(input: PromotionInput): Promise<Promotion> {
    const promotion = await this.prisma.promotion.create({ data: input });
    this.inForce = null;
    return promotion;
  }

  /** Ends a promotion now; null when there is none with that id. */
  async end(id: number): Promise<Promotion | null> {
    // One already ended keeps its end.
    await this.prisma.promotion.updateMany({ where: { id, endedAt: null }, data: { endedAt: new Date() } });
    this.inForce = null;
    return this.prisma.promotion.findUnique({ where: { id } });
  }

  /** Promotions not yet over, newest first. */
  current(): Promise<Promotion[]> {
    return this.prisma.promotion.findMany({ where: { endedAt: null, endsAt: { gt: new Date() } }, orderBy: { id: 'desc' } });
  }

  /** Each promoted product's factor now (the largest of its promotions in force). */
  async factors(): Promise<Map<number, number>> {
    if (this.inForce && Date.now() - this.inForce.at < TTL_MS) return this.inForce.factors;
    this.reading ??= this.readFactors().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readFactors(): Promise<Map<number, number>> {
    const now = new Date();
    const rows = await this.prisma.promotion.findMany({ where: { endedAt: null, startsAt: { lte: now }, endsAt: { gt: now } } });
    const factors = new Map<number, number>();
    for (const row of rows) for (const id of row.productIds) factors.set(id, Math.max(factors.get(id) ?? 0, row.factor));
    this.inForce = { at: Date.now(), factors };
    return factors;
  }
}
