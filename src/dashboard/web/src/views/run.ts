// One run: train and validation RMSE per epoch for each network, phase durations, the configuration, the
// network against its baseline; and serving it again (rollback), after a confirmation.
import { barChart, chartBox, lineChart } from '../charts';
import { el, fixed, table } from '../dom';
import { gql } from '../graphql';
import { getRun, isLive, progressText, type RunDetail } from '../runs-api';

const METRICS = ['rmse', 'mae', 'precisionAt10', 'recallAt10', 'ndcgAt10'] as const;
const CATALOG = ['precision', 'recall', 'f1', 'ndcg', 'hitRate', 'coverage'] as const;

function curves(run: RunDetail): HTMLElement {
  const members = [...new Set(run.history.map((e) => e.member))].sort((a, b) => a - b);
  const holder = el('div', { class: 'charts', id: 'epoch-charts' });
  if (members.length === 0) holder.append(el('p', {}, 'No epochs recorded yet.'));
  for (const member of members) {
    const epochs = run.history.filter((e) => e.member === member).sort((a, b) => a.epoch - b.epoch);
    const { box, canvas } = chartBox(`Network ${member}: RMSE per epoch`);
    holder.append(box);
    queueMicrotask(() =>
      lineChart(
        canvas,
        members.length > 1 ? `Network ${member} of ${members.length}` : 'The network',
        epochs.map((e) => e.epoch),
        [
          { label: 'train RMSE', data: epochs.map((e) => e.trainRmse) },
          { label: 'validation RMSE', data: epochs.map((e) => e.valRmse) },
        ],
        'RMSE',
      ),
    );
  }
  return holder;
}

/** The run's lists against popularity and the baseline, as NDCG@10 etc. of the whole catalog on held-out users, and how it blends. */
function listsCard(catalog: NonNullable<NonNullable<RunDetail['metrics']>['catalog']>): HTMLElement {
  const all: [string, Record<string, number | null> | null][] = [
    ['served', catalog.served],
    ['selection', catalog.selection],
    ['network', catalog.network],
    ['popularity', catalog.popularity],
    ['baseline', catalog.baseline],
  ];
  const rows = all.filter((row): row is [string, Record<string, number | null>] => row[1] !== null);
  const { blend } = catalog;
  return el(
    'div',
    { class: 'card' },
    el('h2', {}, `Lists: top ${catalog.k} of the whole catalog, ${catalog.users} held-out users (${catalog.split.toLowerCase()} split)`),
    table(
      ['', ...CATALOG],
      rows.map(([side, ranking]) => [side, ...CATALOG.map((k) => fixed(ranking[k]))]),
      { id: 'run-lists' },
    ),
    blend
      ? el(
          'p',
          { id: 'run-blend' },
          `Served lists blend the pick score and the predicted rating at ${blend.degrees}° (0°: pick score alone, 90°: rating alone); ${blend.showsSeen ? 'viewed products may be shown again' : 'viewed products are left out'}. Selection model of rank ${blend.selectionRank}, λ ${blend.selectionLambda} × the mean diagonal${blend.lowPassRank ? `, with a low-pass filter of rank ${blend.lowPassRank} at ${blend.lowPassWeight.toFixed(3)} of its score` : ''}.`,
        )
      : el('p', {}, 'Lists ranked by the predicted rating (a run before lists were blended).'),
  );
}

export async function runView(app: HTMLElement, id: string, rerender: () => void): Promise<() => void> {
  const run = await getRun(id);
  if (!run) {
    app.replaceChildren(el('h1', {}, `Run #${id}`), el('p', { class: 'error' }, 'There is no such run.'));
    return () => {};
  }
  const message = el('p', { role: 'status', id: 'action-message' });
  const activate = el(
    'button',
    {
      type: 'button',
      id: 'activate',
      disabled: run.active || (run.status !== 'SUCCEEDED' && run.status !== 'REJECTED'),
      onclick: async () => {
        if (!window.confirm(`Serve run #${run.id}'s model again? Its matrix is re-scored and replaces the one being served.`)) return;
        try {
          await gql('mutation DashboardActivate($id: ID!) { activateModel(id: $id) { id } }', { id: run.id });
          message.textContent = `Run #${run.id} is being activated: its matrix is re-scored, then served.`;
        } catch (error) {
          message.textContent = (error as Error).message;
        }
      },
    },
    run.active ? 'Being served' : 'Serve this run (rollback)',
  );
  const phases = Object.entries(run.phases ?? {});
  const phaseChart = chartBox('Seconds per phase');
  const m = run.metrics;
  app.replaceChildren(
    el('h1', {}, `Run #${run.id} `, el('span', { class: `status ${run.status.toLowerCase()}`, id: 'run-status' }, run.status.toLowerCase())),
    el('p', { id: 'run-progress' }, isLive(run) ? progressText(run) : (run.error ?? run.reason ?? '')),
    el('div', { class: 'actions' }, activate, el('a', { href: `#/compare/${run.id}` }, 'Compare with another run'), message),
    curves(run),
    el(
      'div',
      { class: 'row' },
      el(
        'div',
        { class: 'card' },
        el('h2', {}, 'Network against its baseline (validation ratings)'),
        m
          ? table(
              ['', ...METRICS],
              (['network', 'baseline'] as const).map((side) => [side, ...METRICS.map((k) => fixed(m[side][k]))]),
              { id: 'run-metrics' },
            )
          : el('p', {}, 'Not evaluated.'),
      ),
      el('div', { class: 'card' }, phases.length ? phaseChart.box : el('p', {}, 'No phase finished yet.')),
    ),
    m?.stopped.includes('BUDGET')
      ? el(
          'p',
          { class: 'warning', id: 'run-budget' },
          `Training was stopped by its budget (TRAINING_BUDGET_S): ${m.stopped.filter((r) => r === 'BUDGET').length} of ${m.stopped.length} networks kept their best epoch so far.`,
        )
      : '',
    m?.catalog ? listsCard(m.catalog) : '',
    el('div', { class: 'card' }, el('h2', {}, 'Configuration'), el('pre', { id: 'run-config' }, JSON.stringify(run.config, null, 2))),
  );
  if (phases.length)
    barChart(
      phaseChart.canvas,
      'Seconds per phase',
      phases.map(([name]) => name),
      phases.map(([, s]) => s),
      'seconds',
    );
  // A live run is re-read each second: its curves grow as it trains.
  const timer = isLive(run) ? window.setTimeout(rerender, 1000) : undefined;
  return () => window.clearTimeout(timer);
}
