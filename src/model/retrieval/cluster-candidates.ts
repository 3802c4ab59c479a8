/**
 * Candidate retrieval before ranking, for catalogs too large to score every product for every user.
 *
 * Users are clustered by their embeddings (every network's, side by side; k-means). Each cluster's
 * centre is a user of its own — the mean embedding and bias of its members, which is also the mean of
 * their first-layer parts, as that layer is linear — and the ranking network scores every product for
 * it. The cluster's best `candidates` products are then the candidates of its users (of the `probe`
 * nearest clusters, merged), and only those are scored for each user. The cost is clusters × products
 * + users × candidates pairs instead of users × products. Its quality is measured, not assumed:
 * `measureRecall` ranks a sample of users' every product and counts how much of their true top K the
 * candidates kept.
 */
import type { NetworkArrays } from '../onnx/head-graphs.js';
import { OnnxScorer } from '../onnx/onnx-scorer.js';
import type { Ort } from '../onnx/runtime.js';
import { makeRng } from '../rng.js';
import { fitCentres, NearestCentres } from './kmeans.js';
import { topIndices } from '../top-k.js';

export { topIndices };

export interface RetrievalOptions {
  clusters: number;
  /** Products proposed per cluster. */
  candidates: number;
  /** Nearest clusters whose candidates a user gets. */
  probe: number;
  seed: number;
}

export interface CandidatePlan {
  clusters: number;
  candidates: number;
  probe: number;
  /** Model item indices proposed to user `users[k]`, ascending. */
  candidatesOf(k: number): Int32Array;
}

/** Users' features for the clustering: every network's embedding of the user, side by side. */
function userFeatures(members: NetworkArrays[], users: Int32Array): { points: Float32Array; dim: number } {
  const dim = members.reduce((s, m) => s + m.embeddingDim, 0);
  const points = new Float32Array(users.length * dim);
  for (let k = 0; k < users.length; k++) {
    let at = k * dim;
    for (const m of members) {
      const d = m.embeddingDim;
      points.set(m.userEmbedding.subarray(users[k] * d, (users[k] + 1) * d), at);
      at += d;
    }
  }
  return { points, dim };
}

/** Every network with its users replaced by the clusters' centres (mean embedding and bias of the members). */
function centreNetworks(members: NetworkArrays[], users: Int32Array, primary: Int32Array, clusters: number): NetworkArrays[] {
  const counts = new Int32Array(clusters);
  for (const c of primary) counts[c]++;
  return members.map((m) => {
    const d = m.embeddingDim;
    const embedding = new Float32Array(clusters * d);
    const bias = m.userBias ? new Float32Array(clusters) : null;
    users.forEach((u, k) => {
      const c = primary[k];
      for (let j = 0; j < d; j++) embedding[c * d + j] += m.userEmbedding[u * d + j] / counts[c];
      if (bias && m.userBias) bias[c] += m.userBias[u] / counts[c];
    });
    return { ...m, numUsers: clusters, userEmbedding: embedding, userBias: bias };
  });
}

export async function planCandidates(ort: Ort, members: NetworkArrays[], users: Int32Array, opts: RetrievalOptions, threads = 1): Promise<CandidatePlan> {
  const numItems = members[0].numItems;
  const candidates = Math.min(opts.candidates, numItems);
  const clusters = Math.max(1, Math.min(opts.clusters, users.length));
  const probe = Math.max(1, Math.min(opts.probe, clusters));
  const { points, dim } = userFeatures(members, users);
  const centres = await fitCentres(ort, points, dim, { clusters, iterations: 10, sample: 50_000, seed: opts.seed });
  const nearest = await NearestCentres.create(ort, probe);
  let assigned: Int32Array;
  try {
    assigned = await nearest.assign(points, dim, centres);
  } finally {
    await nearest.release();
  }
  const primary = Int32Array.from({ length: users.length }, (_, k) => assigned[k * probe]);
  const scorer = new OnnxScorer(ort, centreNetworks(members, users, primary, clusters), threads);
  const lists: Int32Array[] = [];
  try {
    const ids = Int32Array.from({ length: clusters }, (_, c) => c);
    for (let s = 0; s < clusters; s += scorer.usersPerBlock) {
      const block = ids.subarray(s, Math.min(clusters, s + scorer.usersPerBlock));
      const scores = await scorer.block(block);
      for (let r = 0; r < block.length; r++) lists.push(topIndices(scores.subarray(r * numItems, (r + 1) * numItems), candidates));
    }
  } finally {
    await scorer.release();
  }
  const seen = new Uint8Array(numItems);
  return {
    clusters,
    candidates,
    probe,
    candidatesOf(k: number): Int32Array {
      if (probe === 1) return lists[assigned[k]];
      const merged: number[] = [];
      for (let p = 0; p < probe; p++) {
        for (const item of lists[assigned[k * probe + p]]) {
          if (!seen[item]) {
            seen[item] = 1;
            merged.push(item);
          }
        }
      }
      for (const item of merged) seen[item] = 0;
      return Int32Array.from(merged).sort();
    },
  };
}

/**
 * The recall of the exhaustive top K that the candidates keep, on `sampleUsers` users drawn from `users`
 * (seeded): the mean over those users of |top K of the candidates ∩ top K of every product| / K, both by
 * the order `exhaustive(user)` gives every product (-Infinity: never shown to the user, e.g. rated).
 */
export async function measureRecall(
  users: Int32Array,
  candidatesOf: (k: number) => Promise<Int32Array>,
  exhaustive: (user: number) => Promise<Float32Array>,
  opts: { k: number; sampleUsers: number; seed: number },
): Promise<{ recall: number; users: number }> {
  const rng = makeRng(opts.seed);
  const picks = new Set<number>();
  const want = Math.min(opts.sampleUsers, users.length);
  while (picks.size < want) picks.add(Math.floor(rng() * users.length));
  let sum = 0;
  for (const k of picks) {
    const all = await exhaustive(users[k]);
    const truth = topIndices(all, opts.k).filter((i) => all[i] > -Infinity);
    if (truth.length === 0) {
      sum += 1;
      continue;
    }
    const proposed = (await candidatesOf(k)).filter((i) => all[i] > -Infinity);
    const kept = new Set(
      topIndices(
        Float32Array.from(proposed, (i) => all[i]),
        opts.k,
      ).map((j) => proposed[j]),
    );
    let hit = 0;
    for (const i of truth) if (kept.has(i)) hit++;
    sum += hit / truth.length;
  }
  return { recall: want ? sum / want : 1, users: want };
}
