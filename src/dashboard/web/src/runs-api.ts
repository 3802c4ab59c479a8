// The registry's runs as the dashboard reads them.
import { gql } from './graphql';
import { progressLabel } from '../../../training/run/progress-label';

export interface EvalMetrics {
  rmse: number;
  mae: number;
  precisionAt10: number;
  recallAt10: number;
  ndcgAt10: number;
}

export interface Progress {
  phase: string;
  member: number | null;
  members: number | null;
  epoch: number | null;
  epochs: number | null;
  loss: number | null;
  valRmse: number | null;
  etaSeconds: number | null;
  scored: number | null;
  of: number | null;
}

export interface RunSummary {
  id: string;
  status: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'REJECTED';
  trigger: string;
  forced: boolean;
  active: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  reason: string | null;
  error: string | null;
  dataCounts: Record<string, unknown> | null;
  metrics: {
    network: EvalMetrics;
    baseline: EvalMetrics;
    stopped: string[];
    /** NDCG@10 of each kind of list; `served` is null for runs recorded before lists were blended. */
    catalog: { served: { ndcg: number | null } | null; network: { ndcg: number | null }; popularity: { ndcg: number | null } } | null;
  } | null;
  phases: Record<string, number>;
  progress: Progress | null;
}

type Ranking = Record<string, number | null> & { ndcg: number | null };

export interface RunDetail extends RunSummary {
  config: Record<string, unknown>;
  backend: string | null;
  history: { member: number; epoch: number; trainRmse: number; valRmse: number | null; seconds: number }[];
  metrics:
    | (Omit<NonNullable<RunSummary['metrics']>, 'catalog'> & {
        catalog: {
          split: string;
          k: number;
          users: number;
          served: Ranking | null;
          selection: Ranking | null;
          network: Ranking;
          popularity: Ranking;
          baseline: Ranking;
          blend: { degrees: number; showsSeen: boolean; selectionRank: number; selectionLambda: number; lowPassRank: number; lowPassWeight: number } | null;
        } | null;
      })
    | null;
}

const SUMMARY = `id status trigger forced active createdAt startedAt finishedAt reason error dataCounts phases
  metrics { network { rmse mae precisionAt10 recallAt10 ndcgAt10 } baseline { rmse mae precisionAt10 recallAt10 ndcgAt10 } stopped
    catalog { served { ndcg } network { ndcg } popularity { ndcg } } }
  progress { phase member members epoch epochs loss valRmse etaSeconds scored of }`;

const RANKING = 'precision recall f1 ndcg hitRate coverage';

export async function listRuns(first = 50): Promise<RunSummary[]> {
  return (await gql<{ modelRuns: RunSummary[] }>(`query DashboardRuns($first: Int) { modelRuns(first: $first) { ${SUMMARY} } }`, { first })).modelRuns;
}

export async function getRun(id: string): Promise<RunDetail | null> {
  const query = `query DashboardRun($id: ID!) { modelRun(id: $id) { ${SUMMARY} config backend
    history { member epoch trainRmse valRmse seconds }
    metrics { catalog { split k users served { ${RANKING} } selection { ${RANKING} } network { ${RANKING} } popularity { ${RANKING} } baseline { ${RANKING} }
      blend { degrees showsSeen selectionRank selectionLambda lowPassRank lowPassWeight } } } } }`;
  return (await gql<{ modelRun: RunDetail | null }>(query, { id })).modelRun;
}

export const isLive = (run: RunSummary) => run.status === 'QUEUED' || run.status === 'RUNNING';

/** "train, network 2/3, epoch 3/40, loss 0.81, validation RMSE 0.9213, about 12 s left" */
export function progressText(run: RunSummary): string {
  const p = run.progress;
  if (run.status === 'QUEUED') return 'queued';
  if (!p) return 'starting';
  const parts = [p.phase === 'train' || p.phase === 'score' ? `${p.phase}, ${progressLabel({ ...p, batch: null })}` : p.phase];
  if (p.phase === 'train' && p.loss !== null) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.phase === 'train' && p.valRmse !== null) parts.push(`validation RMSE ${p.valRmse.toFixed(4)}`);
  if (p.etaSeconds !== null) parts.push(`about ${p.etaSeconds} s left`);
  return parts.join(', ');
}
