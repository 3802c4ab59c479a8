// How a run's progress is said, in one place: the log, the CLI (its bars and `runs`) and the dashboard's
// browser code (which is why this module imports nothing).

/** What a label needs of a run's progress (src/training/run/protocol.ts RunProgress, or the API's). */
export interface ProgressLike {
  phase: string;
  member?: number | null;
  members?: number | null;
  /** Epochs done so far (0 during the first). */
  epoch?: number | null;
  epochs?: number | null;
  batch?: number | null;
  batches?: number | null;
  scored?: number | null;
  of?: number | null;
}

/** "network 2/3, epoch 4/40" (the network left out of a single one); `epoch` counts from 1. */
export function epochLabel(e: { member?: number | null; members?: number | null; epoch: number; epochs: number }): string {
  const network = (e.members ?? 1) > 1 ? `network ${e.member}/${e.members}, ` : '';
  return `${network}epoch ${e.epoch}/${e.epochs}`;
}

/** One line for where a run is, as the log, the CLI and the dashboard say it ("network 1/2, epoch 3/40: batch 120 of 410"). */
export function progressLabel(p: ProgressLike): string {
  if (p.phase === 'train' && p.epochs) {
    const epoch = epochLabel({ ...p, epoch: Math.min((p.epoch ?? 0) + 1, p.epochs), epochs: p.epochs });
    return p.batch && p.batches ? `${epoch}: batch ${p.batch} of ${p.batches}` : epoch;
  }
  if (p.phase === 'score' && p.of) return `scored ${p.scored ?? 0} of ${p.of} users (${Math.round((100 * (p.scored ?? 0)) / p.of)} %)`;
  return p.phase;
}
