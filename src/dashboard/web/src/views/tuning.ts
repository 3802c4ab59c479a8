// Hyper-parameter searches: each search's trials as a table and, per searched parameter, the metric against
// the parameter's value (a scatter chart), with the best trial and the default's, and promotion of a trial.
import { chartBox, scatterChart } from '../charts';
import { el, fixed, table } from '../dom';
import { gql } from '../graphql';

interface Trial {
  id: string;
  status: string;
  config: { model?: Record<string, unknown> } | null;
  metrics: {
    network: { rmse: number; mae: number };
    stopped: string[];
    catalog: { served: { ndcg: number | null } | null; network: { ndcg: number | null } } | null;
  } | null;
}

interface Search {
  id: string;
  status: string;
  trials: number;
  metric: string;
  margin: number | null;
  error: string | null;
  createdAt: string;
  space: { parameters: Record<string, unknown> };
  runs: Trial[];
  best: { id: string } | null;
  default: { id: string } | null;
}

const FIELDS = `id status trials metric margin error createdAt space best { id } default { id }
  runs { id status config metrics { network { rmse mae } stopped catalog { served { ndcg } network { ndcg } } } }`;

function metricOf(trial: Trial, metric: string): number | null {
  if (trial.status !== 'SUCCEEDED' || !trial.metrics) return null;
  return metric === 'ndcg'
    ? ((trial.metrics.catalog?.served ?? trial.metrics.catalog?.network)?.ndcg ?? null)
    : trial.metrics.network[metric as 'rmse' | 'mae'];
}

export async function tuningListView(app: HTMLElement): Promise<void> {
  const { tuningSearches } = await gql<{ tuningSearches: Search[] }>(`query DashboardSearches { tuningSearches(first: 50) { ${FIELDS} } }`);
  app.replaceChildren(
    el('h1', {}, 'Tuning'),
    el('p', {}, 'Start a search with ', el('code', {}, 'npm run cli -- tune --trials 8'), ' or the ', el('code', {}, 'tune'), ' mutation.'),
    tuningSearches.length === 0
      ? el('p', {}, 'No search yet.')
      : table(
          ['search', 'status', 'trials', 'metric', 'best', 'margin over the default'],
          tuningSearches.map((s) => [
            el('a', { href: `#/tuning/${s.id}` }, `#${s.id}`),
            s.status.toLowerCase(),
            `${s.runs.length} of ${s.trials}`,
            s.metric,
            s.best ? `#${s.best.id}` : '–',
            s.margin === null ? '–' : (s.margin >= 0 ? '+' : '') + s.margin.toFixed(4),
          ]),
          { id: 'searches' },
        ),
  );
}

export async function tuningView(app: HTMLElement, id: string, rerender: () => void): Promise<() => void> {
  const { tuningSearch: search } = await gql<{ tuningSearch: Search | null }>(`query DashboardSearch($id: ID!) { tuningSearch(id: $id) { ${FIELDS} } }`, {
    id,
  });
  if (!search) {
    app.replaceChildren(el('h1', {}, `Search #${id}`), el('p', { class: 'error' }, 'There is no such search.'));
    return () => {};
  }
  const parameters = Object.keys(search.space.parameters ?? {});
  const message = el('p', { role: 'status', id: 'promote-message' });
  const promote = (runId: string) =>
    el(
      'button',
      {
        type: 'button',
        'data-promote': runId,
        onclick: async () => {
          if (!window.confirm(`Make run #${runId}'s configuration the default of every later run? The served matrix changes only with the next run.`)) return;
          try {
            await gql('mutation DashboardPromote($id: ID!) { promoteConfig(runId: $id) }', { id: runId });
            message.textContent = `Run #${runId}'s configuration is now the default: retrain to serve it.`;
          } catch (error) {
            message.textContent = (error as Error).message;
          }
        },
      },
      'Promote',
    );
  const charts = el('div', { class: 'charts', id: 'trial-charts' });
  app.replaceChildren(
    el('h1', {}, `Search #${search.id} `, el('span', { class: `status ${search.status.toLowerCase()}` }, search.status.toLowerCase())),
    el(
      'p',
      {},
      `${search.runs.length} of ${search.trials} trials by ${search.metric}`,
      search.margin !== null ? `; the best is ${(search.margin >= 0 ? '+' : '') + search.margin.toFixed(4)} against the default configuration's trial.` : '.',
      search.error ? ` ${search.error}` : '',
    ),
    message,
    charts,
    el(
      'div',
      { class: 'card' },
      table(
        ['trial', 'status', search.metric, 'stopped', ...parameters, ''],
        search.runs.map((t) => [
          el('a', { href: `#/runs/${t.id}` }, `#${t.id}`),
          t.status.toLowerCase() + (t.id === search.best?.id ? ' · best' : '') + (t.id === search.default?.id ? ' · default' : ''),
          fixed(metricOf(t, search.metric)),
          (t.metrics?.stopped ?? []).join(', ').toLowerCase(),
          ...parameters.map((p) => JSON.stringify(t.config?.model?.[p] ?? null)),
          t.status === 'SUCCEEDED' ? promote(t.id) : '',
        ]),
        { id: 'trials' },
      ),
    ),
  );
  for (const parameter of parameters) {
    const points = search.runs.flatMap((t) => {
      const y = metricOf(t, search.metric);
      const x = t.config?.model?.[parameter];
      return y !== null && typeof x === 'number' ? [{ x, y }] : [];
    });
    if (points.length === 0) continue;
    const { box, canvas } = chartBox(`${search.metric} against ${parameter}`);
    charts.append(box);
    scatterChart(canvas, `${search.metric} against ${parameter}`, points, parameter, search.metric);
  }
  const timer = search.status === 'RUNNING' ? window.setTimeout(rerender, 2000) : undefined;
  return () => window.clearTimeout(timer);
}
