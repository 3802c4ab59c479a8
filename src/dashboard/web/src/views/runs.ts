// The registry: every run with its status, trigger, data, RMSE and its lists' NDCG@10, durations and gate reason; a running run's
// progress updates in place (polled each second while one is queued or running).
import { duration, el, fixed, table } from '../dom';
import { isLive, listRuns, progressText, type RunSummary } from '../runs-api';

function took(run: RunSummary): string {
  if (!run.startedAt) return '';
  return duration(((run.finishedAt ? Date.parse(run.finishedAt) : Date.now()) - Date.parse(run.startedAt)) / 1000);
}

function counts(run: RunSummary): string {
  const c = run.dataCounts as { ratings?: number; eventPairs?: number; ratedUsers?: number; ratedProducts?: number } | null;
  if (!c) return '';
  return `${(c.ratings ?? 0).toLocaleString()} ratings${c.eventPairs ? ` + ${c.eventPairs.toLocaleString()} event pairs` : ''}, ${c.ratedUsers ?? '?'} × ${c.ratedProducts ?? '?'}`;
}

/** NDCG@10 of the run's lists as served (the network's, for runs recorded before lists were blended), beside the popular list's. */
function listsNdcg(run: RunSummary): string {
  const c = run.metrics?.catalog;
  if (!c) return '';
  return `${fixed((c.served ?? c.network).ndcg ?? undefined)} (${fixed(c.popularity.ndcg ?? undefined)})`;
}

function render(runs: RunSummary[]): HTMLElement {
  if (runs.length === 0) return el('p', {}, 'No runs yet: start one from ', el('a', { href: '#/retrain' }, 'Retrain'), '.');
  return table(
    ['run', 'status', 'trigger', 'data', 'val RMSE', 'baseline', 'lists NDCG@10 (popular)', 'took', 'created', 'gate / progress'],
    runs.map((run) => [
      el('a', { href: `#/runs/${run.id}` }, `#${run.id}`),
      el('span', { class: `status ${run.status.toLowerCase()}`, 'data-run': run.id }, run.status.toLowerCase() + (run.active ? ' · active' : '')),
      run.trigger.toLowerCase() + (run.forced ? ' (forced)' : ''),
      counts(run),
      fixed(run.metrics?.network.rmse),
      fixed(run.metrics?.baseline.rmse),
      listsNdcg(run),
      took(run),
      new Date(run.createdAt).toLocaleString(),
      el('span', { class: 'note', 'data-progress': run.id }, isLive(run) ? progressText(run) : (run.error ?? run.reason ?? '')),
    ]),
    { id: 'runs' },
  );
}

export async function runsView(app: HTMLElement): Promise<() => void> {
  const holder = el('div', {});
  app.replaceChildren(el('h1', {}, 'Runs'), holder);
  let timer: number | undefined;
  let stopped = false;
  const refresh = async () => {
    const runs = await listRuns();
    if (stopped) return;
    holder.replaceChildren(render(runs));
    timer = window.setTimeout(() => void refresh().catch(() => (timer = window.setTimeout(refresh, 5000))), runs.some(isLive) ? 1000 : 5000);
  };
  await refresh();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
  };
}
