// What the served lists led to (onlineMetrics) and the A/B tests: conversion per day for each model over the
// last 14 days (a line chart), the period's totals per model with their intervals, and each experiment's
// variants against its control, with Stop and Stop & promote for the running one.
import { chartBox, lineChart } from '../charts';
import { el, table } from '../dom';
import { gql } from '../graphql';

const DAYS = 14;

interface Rate {
  value: number;
  low: number;
  high: number;
}
interface Group {
  group: string;
  lists: number;
  impressions: number;
  views: number;
  purchases: number;
  revenue: number;
  clickThrough: Rate;
  conversion: Rate;
}
interface Experiment {
  id: string;
  name: string;
  status: string;
  metric: string;
  winner: string | null;
  error: string | null;
  variants: {
    name: string;
    runId: string | null;
    share: number;
    users: number;
    lists: number;
    value: number;
    difference: number | null;
    differenceLow: number | null;
    differenceHigh: number | null;
    pValue: number | null;
    usersNeeded: number | null;
  }[];
}

const FIELDS = 'group lists impressions views purchases revenue clickThrough { value low high } conversion { value low high }';
const pct = (value: number | null | undefined, digits = 2) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)} %`);
const rate = (r: Rate) => `${pct(r.value)} (${pct(r.low)} – ${pct(r.high)})`;

/** The UTC midnights of the last `DAYS` days, oldest first, and the next one. */
function days(now = new Date()): Date[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: DAYS + 1 }, (_, k) => new Date(today - (DAYS - 1 - k) * 86_400_000));
}

export async function onlineView(app: HTMLElement, rerender: () => void): Promise<void> {
  const edges = days();
  // One request: the period by model, and each day by model (aliases d0 … d13).
  const perDay = edges
    .slice(0, DAYS)
    .map((from, k) => `d${k}: onlineMetrics(from: "${from.toISOString()}", to: "${edges[k + 1].toISOString()}", groupBy: MODEL) { group conversion { value } }`)
    .join('\n');
  const data = await gql<Record<string, Group[]> & { period: Group[]; experiments: Experiment[] }>(
    `query DashboardOnline { period: onlineMetrics(from: "${edges[0].toISOString()}", to: "${edges[DAYS].toISOString()}", groupBy: MODEL) { ${FIELDS} }
     ${perDay}
     experiments { id name status metric winner error variants { name runId share users lists value difference differenceLow differenceHigh pValue usersNeeded } } }`,
  );
  const groups = data.period.map((g) => g.group);
  const { box, canvas } = chartBox('Conversion per day for each model');
  const message = el('p', { role: 'status', id: 'experiment-message' });
  const stop = (experiment: Experiment, promote: boolean) =>
    el(
      'button',
      {
        type: 'button',
        'data-stop': `${experiment.id}${promote ? '-promote' : ''}`,
        onclick: async () => {
          try {
            await gql('mutation DashboardStopExperiment($id: ID!, $promote: Boolean) { stopExperiment(id: $id, promote: $promote) { id } }', {
              id: experiment.id,
              promote,
            });
            rerender();
          } catch (error) {
            message.textContent = (error as Error).message;
          }
        },
      },
      promote ? 'Stop and activate the winner' : 'Stop',
    );
  app.replaceChildren(
    el('h1', {}, 'Online'),
    el(
      'p',
      {},
      `What the lists served in the last ${DAYS} days led to: views, carts and purchases sent with a list's recommendationId within ATTRIBUTION_WINDOW_HOURS, per product shown.`,
    ),
    data.period.length === 0
      ? el('p', { id: 'online-empty' }, 'No lists served in this period.')
      : table(
          ['model', 'lists', 'products shown', 'views', 'purchases', 'revenue', 'click-through (95 %)', 'conversion (95 %)'],
          data.period.map((g) => [g.group, g.lists, g.impressions, g.views, g.purchases, g.revenue.toFixed(2), rate(g.clickThrough), rate(g.conversion)]),
          { id: 'online-models' },
        ),
    box,
    el('h2', {}, 'Experiments'),
    el('p', {}, 'Start one with the ', el('code', {}, 'startExperiment'), ' mutation or ', el('code', {}, 'npm run cli -- experiments start'), '.'),
    message,
    ...(data.experiments.length === 0
      ? [el('p', {}, 'No experiment yet.')]
      : data.experiments.flatMap((e) => [
          el(
            'h3',
            {},
            `#${e.id} ${e.name}: ${e.status.toLowerCase()}, ${e.metric.toLowerCase().replace(/_/g, ' ')}; winner: ${e.winner ?? 'none yet'}${e.error ? ` (${e.error})` : ''}`,
          ),
          table(
            ['variant', 'run', 'share', 'shoppers', 'lists', e.metric.toLowerCase().replace(/_/g, ' '), 'difference (interval)', 'p-value', 'shoppers needed'],
            e.variants.map((v, k) => [
              v.name,
              v.runId === null ? 'popular' : el('a', { href: `#/runs/${v.runId}` }, `#${v.runId}`),
              v.share.toFixed(2),
              v.users,
              v.lists,
              pct(v.value, 3),
              k === 0 ? 'control' : `${pct(v.difference, 3)} (${pct(v.differenceLow, 3)} – ${pct(v.differenceHigh, 3)})`,
              v.pValue === null ? '–' : v.pValue.toPrecision(3),
              v.usersNeeded === null ? '–' : v.usersNeeded,
            ]),
            { 'data-experiment': e.id },
          ),
          ...(e.status === 'RUNNING' || e.status === 'PREPARING' ? [el('p', {}, stop(e, false), ' ', stop(e, true))] : []),
        ])),
  );
  lineChart(
    canvas,
    'Conversion per day (purchases per product shown)',
    edges.slice(0, DAYS).map((d) => d.toISOString().slice(5, 10)),
    groups.map((group) => ({
      label: group,
      data: Array.from({ length: DAYS }, (_, k) => {
        const found = data[`d${k}`].find((g) => g.group === group);
        return found ? found.conversion.value * 100 : null;
      }),
    })),
    '%',
  );
}
