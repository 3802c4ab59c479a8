// Candidate retrieval for a run's matrix past MATRIX_MAX_CELLS (src/model/retrieval): each user's candidates
// are the network's cluster candidates and the selection model's best picks for them (exhaustive: a pick
// score is a dot product of two vectors), and their recall of the exhaustive top K of the served order is
// measured on a sample of the run's users and recorded with the run.
import type { RetrievalSettings } from '../config.js';
import type { OnnxScorer } from '../model/onnx/onnx-scorer.js';
import type { Ort } from '../model/onnx/runtime.js';
import { planCandidates, measureRecall } from '../model/retrieval/cluster-candidates.js';
import type { CandidateSource } from '../model/retrieval/score-candidates.js';

export interface RetrievalSummary {
  method: string;
  clusters: number;
  candidates: number;
  probe: number;
  /** Mean share of the exhaustive top K that the candidates kept, on `sampleUsers` users. */
  recall: number;
  minRecall: number;
  sampleUsers: number;
  seconds: number;
}

/** What retrieval needs of the run's lists (src/training/pipeline.ts ListRows). */
export interface ServedOrder {
  /** Each of `users`' best `count` products by pick score (model indices, ascending), or null without a selection model. */
  topPicks(users: Int32Array, count: number): Promise<Int32Array[] | null>;
  /** User u's rank score of every model product, as served (-Infinity: never shown to them). */
  exhaustive(u: number): Promise<Float32Array>;
}

/** Users whose picks are found together. */
const PICK_BLOCK = 256;

/**
 * Plans the candidates and measures their recall of the exhaustive top K on a sample of users; while it
 * is below the minimum, the lists double (up to the whole catalog, which is exhaustive scoring).
 */
export async function retrieveCandidates(
  ort: Ort,
  scorer: OnnxScorer,
  users: Int32Array,
  order: ServedOrder,
  topK: number,
  settings: RetrievalSettings,
  runId: number,
): Promise<{ source: CandidateSource; summary: RetrievalSummary }> {
  const started = performance.now();
  let candidates = Math.max(settings.candidates, topK);
  for (;;) {
    const plan = await planCandidates(
      ort,
      scorer.members,
      users,
      { clusters: settings.clusters, candidates, probe: settings.probe, seed: runId },
      scorer.threads,
    );
    const count = Math.min(candidates, scorer.numItems);
    // The picks of a block of users at a time, kept while the block is read (users come in order).
    let cached: { from: number; lists: Int32Array[] | null } | null = null;
    const picksOf = async (k: number): Promise<Int32Array | null> => {
      const from = Math.floor(k / PICK_BLOCK) * PICK_BLOCK;
      if (cached?.from !== from) cached = { from, lists: await order.topPicks(users.subarray(from, Math.min(users.length, from + PICK_BLOCK)), count) };
      return cached.lists?.[k - from] ?? null;
    };
    const one = async (k: number): Promise<Int32Array> => union(plan.candidatesOf(k), await picksOf(k));
    const source: CandidateSource = {
      perUser: plan.candidates * plan.probe + count,
      listsFor: async (from, to) => {
        const lists: Int32Array[] = [];
        for (let k = from; k < to; k++) lists.push(await one(k));
        return lists;
      },
    };
    const { recall, users: sampled } = await measureRecall(
      users,
      async (k) => union(plan.candidatesOf(k), (await order.topPicks(users.subarray(k, k + 1), count))?.[0] ?? null),
      (u) => order.exhaustive(u),
      {
        k: topK,
        sampleUsers: settings.sampleUsers,
        seed: runId + 1,
      },
    );
    if (recall >= settings.minRecall || plan.candidates >= scorer.numItems) {
      const summary: RetrievalSummary = {
        method: "user clusters (k-means on the embeddings), each scored over every product, and each user's best picks of the selection model",
        clusters: plan.clusters,
        candidates: plan.candidates,
        probe: plan.probe,
        recall: Math.round(recall * 10_000) / 10_000,
        minRecall: settings.minRecall,
        sampleUsers: sampled,
        seconds: Math.round(performance.now() - started) / 1000,
      };
      return { source, summary };
    }
    candidates = Math.min(scorer.numItems, candidates * 2);
  }
}

/** The union of two ascending lists, ascending. */
function union(a: Int32Array, b: Int32Array | null): Int32Array {
  if (!b || b.length === 0) return a;
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (n === 0 || out[n - 1] !== next) out[n++] = next;
  }
  return out.subarray(0, n);
}
