// Which variant of an experiment a shopper sees: a stable hash of the experiment's salt and the shopper's id,
// mapped onto the variants' shares. Sticky (the same id always lands in the same variant for one experiment)
// and independent between experiments (each has its own salt), with no state to store or share.
import crypto from 'node:crypto';

export interface Variant {
  name: string;
  /** The run whose model serves it; null: the popular list. */
  runId: number | null;
  /** Its part of the shoppers, in (0, 1]; the shares of an experiment add up to at most 1. */
  share: number;
}

/** A point in [0, 1) for `userId`, uniform over ids and fixed for one salt. */
export function bucketOf(salt: string, userId: string): number {
  const digest = crypto.createHash('sha256').update(salt).update('\0').update(userId).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** The variant `userId` is in, or null when it falls past the shares (outside the experiment: served as usual). */
export function variantOf<V extends Variant>(variants: readonly V[], salt: string, userId: string): V | null {
  const point = bucketOf(salt, userId);
  let upTo = 0;
  for (const variant of variants) {
    upTo += variant.share;
    if (point < upTo) return variant;
  }
  return null;
}
