/**
 * The ranking stage after retrieval: each user's candidates scored by the ensemble, users in the order
 * given, a block at a time; the next block is computed while the consumer takes this one.
 */
import { PAIRS_PER_CALL, type OnnxScorer } from '../onnx/onnx-scorer.js';

export interface CandidateScores {
  /** Position of the user in the `users` given. */
  position: number;
  user: number;
  /** Model item indices, ascending, and their unclipped scores. */
  items: Int32Array;
  scores: Float32Array;
}

/** Each user's candidates, a block of users at a time: `listsFor(from, to)` gives those of users[from .. to). */
export interface CandidateSource {
  /** Candidates a user gets at most. */
  perUser: number;
  listsFor(from: number, to: number): Promise<Int32Array[]>;
}

export async function scoreCandidates(
  scorer: OnnxScorer,
  users: Int32Array,
  source: CandidateSource,
  onUser: (scored: CandidateScores) => void | Promise<void>,
): Promise<void> {
  const blockAt = async (from: number) => {
    // About PAIRS_PER_CALL pairs a call, at least one user.
    const to = Math.min(users.length, from + Math.max(1, Math.floor(PAIRS_PER_CALL / Math.max(1, source.perUser))));
    const lists = await source.listsFor(from, to);
    let pairs = 0;
    for (const list of lists) pairs += list.length;
    const u = new Int32Array(pairs);
    const i = new Int32Array(pairs);
    let at = 0;
    lists.forEach((list, r) => {
      u.fill(users[from + r], at, at + list.length);
      i.set(list, at);
      at += list.length;
    });
    return { from, lists, scores: await scorer.pairs(u, i) };
  };
  let next: ReturnType<typeof blockAt> | null = users.length > 0 ? blockAt(0) : null;
  try {
    while (next) {
      const { from, lists, scores } = await next;
      const end = from + lists.length;
      next = end < users.length ? blockAt(end) : null;
      let at = 0;
      for (let r = 0; r < lists.length; r++) {
        const items = lists[r];
        await onUser({ position: from + r, user: users[from + r], items, scores: scores.subarray(at, at + items.length) });
        at += items.length;
      }
    }
  } finally {
    await next?.catch(() => {}); // still running when onUser failed: let it end before the session goes
  }
}
