// Candidate retrieval for a run's matrix past MATRIX_MAX_CELLS (src/model/retrieval): the plan, and
// its recall of the exhaustive top K measured on a sample of the run's users, recorded with the run.
import type { RetrievalSettings } from '../config.js';
import type { OnnxScorer } from '../model/onnx/onnx-scorer.js';
import type { Ort } from '../model/onnx/runtime.js';
import { planCandidates, measureRecall, type CandidatePlan } from '../model/retrieval/cluster-candidates.js';
import { ratedBy, type MatrixTargets } from './dataset.js';

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

/**
 * Plans the candidates and measures their recall of the exhaustive top K on a sample of users; while it
 * is below the minimum, the lists double (up to the whole catalog, which is exhaustive scoring).
 */
export async function retrieveCandidates(
  ort: Ort,
  scorer: OnnxScorer,
  users: Int32Array,
  targets: MatrixTargets,
  topK: number,
  settings: RetrievalSettings,
  runId: number,
): Promise<{ plan: CandidatePlan; summary: RetrievalSummary }> {
  const started = performance.now();
  // A user's rated products as model item indices (products deleted since training are left out too).
  const itemOf = new Map<number, number>();
  targets.productIds.forEach((id, item) => item < scorer.numItems && id >= 0 && itemOf.set(id, item));
  const deleted: number[] = [];
  for (let item = 0; item < scorer.numItems; item++) if (targets.productIds[item] < 0) deleted.push(item);
  const excluded = (u: number) => [...deleted, ...Array.from(ratedBy(targets.rated, u), (id) => itemOf.get(id) ?? -1).filter((item) => item >= 0)];
  let candidates = Math.max(settings.candidates, topK);
  for (;;) {
    const plan = await planCandidates(ort, scorer.members, users, { clusters: settings.clusters, candidates, probe: settings.probe, seed: runId }, scorer.threads);
    const { recall, users: sampled } = await measureRecall(scorer, users, plan, { k: topK, sampleUsers: settings.sampleUsers, seed: runId + 1, excluded });
    if (recall >= settings.minRecall || plan.candidates >= scorer.numItems) {
      const summary: RetrievalSummary = {
        method: 'user clusters (k-means on the embeddings), each scored over every product',
        clusters: plan.clusters,
        candidates: plan.candidates,
        probe: plan.probe,
        recall: Math.round(recall * 10_000) / 10_000,
        minRecall: settings.minRecall,
        sampleUsers: sampled,
        seconds: Math.round(performance.now() - started) / 1000,
      };
      return { plan, summary };
    }
    candidates = Math.min(scorer.numItems, candidates * 2);
  }
}
