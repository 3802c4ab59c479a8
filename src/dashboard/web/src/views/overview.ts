// The shop at a glance: its size and growth, the active model and its age, the next scheduled run.
import { chartBox, lineChart } from '../charts';
import { duration, el, fixed, table } from '../dom';
import { gql } from '../graphql';

interface Overview {
  shopStats: {
    users: number;
    products: number;
    ratings: number;
    events: number;
    growth: { day: string; users: number; products: number; ratings: number; events: number }[];
  };
  activeModel: { id: string; finishedAt: string | null; metrics: { network: { rmse: number }; baseline: { rmse: number } } | null } | null;
  trainingSchedule: { cron: string; timezone: string; nextRunAt: string } | null;
  drift: {
    exceeded: boolean;
    measures: { name: string; value: number | null; limit: number; exceeded: boolean }[];
    arrived: { ratings: number; events: number };
  } | null;
}

const QUERY = `query DashboardOverview {
  shopStats(days: 30) { users products ratings events growth { day users products ratings events } }
  activeModel { id finishedAt metrics { network { rmse } baseline { rmse } } }
  trainingSchedule { cron timezone nextRunAt }
  drift { exceeded measures { name value limit exceeded } arrived { ratings events } }
}`;

const MEASURES: Record<string, string> = {
  MODEL_AGE_HOURS: 'model age (hours)',
  NEW_RATINGS_SHARE: 'new ratings / trained-on',
  MEAN_SHIFT: 'mean rating shift (stars)',
  RATING_PSI: 'rating distribution (PSI)',
  CATEGORY_PSI: 'category mix (PSI)',
  NEW_USERS_SHARE: 'new users share',
  NEW_PRODUCTS_SHARE: 'new products share',
};

function driftCard(drift: Overview['drift']): HTMLElement {
  if (!drift) return el('div', { class: 'card', id: 'drift' }, el('h2', {}, 'Drift'), el('p', {}, 'Measured once a run has recorded what it trained on.'));
  return el(
    'div',
    { class: 'card', id: 'drift' },
    el('h2', {}, 'Drift since the active model was trained'),
    drift.exceeded
      ? el('p', { class: 'warning', role: 'alert' }, 'Past its limit: retrain, or wait for the nightly run.')
      : el('p', {}, `Within limits (${drift.arrived.ratings.toLocaleString()} ratings and ${drift.arrived.events.toLocaleString()} events since).`),
    table(
      ['measure', 'now', 'limit'],
      drift.measures.map((m) => [
        MEASURES[m.name] ?? m.name,
        el('span', { class: m.exceeded ? 'error' : '' }, m.value === null ? 'too few yet' : m.value.toFixed(3)),
        String(m.limit),
      ]),
    ),
  );
}

const stat = (label: string, value: string, id: string) =>
  el('div', { class: 'stat', id }, el('span', { class: 'value' }, value), el('span', { class: 'label' }, label));

export async function overviewView(app: HTMLElement): Promise<void> {
  const data = await gql<Overview>(QUERY);
  const { shopStats: stats, activeModel: active, trainingSchedule: schedule, drift } = data;
  const model = active
    ? el(
        'div',
        { class: 'card', id: 'active-model' },
        el('h2', {}, 'Active model'),
        el(
          'p',
          {},
          'Run ',
          el('a', { href: `#/runs/${active.id}`, class: 'run-id' }, `#${active.id}`),
          active.finishedAt ? `, trained ${duration((Date.now() - Date.parse(active.finishedAt)) / 1000)} ago` : '',
        ),
        active.metrics
          ? el(
              'p',
              {},
              'Validation RMSE ',
              el('strong', { class: 'rmse' }, fixed(active.metrics.network.rmse)),
              ` against its baseline's ${fixed(active.metrics.baseline.rmse)}`,
            )
          : null,
      )
    : el(
        'div',
        { class: 'card', id: 'active-model' },
        el('h2', {}, 'Active model'),
        el('p', {}, 'None yet: recommendations come from the popular ranking until a run succeeds.'),
      );
  const next = el(
    'div',
    { class: 'card', id: 'schedule' },
    el('h2', {}, 'Next scheduled run'),
    schedule
      ? el(
          'p',
          {},
          new Date(schedule.nextRunAt).toLocaleString(),
          ` (in ${duration((Date.parse(schedule.nextRunAt) - Date.now()) / 1000)}; `,
          el('code', {}, schedule.cron),
          ` ${schedule.timezone})`,
        )
      : el('p', {}, 'The nightly run is off (RETRAIN_CRON=off).'),
  );
  const growth = chartBox('Totals per day over the last 30 days');
  app.replaceChildren(
    el('h1', {}, 'Overview'),
    el(
      'div',
      { class: 'stats' },
      stat('users', stats.users.toLocaleString(), 'stat-users'),
      stat('products', stats.products.toLocaleString(), 'stat-products'),
      stat('ratings', stats.ratings.toLocaleString(), 'stat-ratings'),
      stats.events > 0 ? stat('events', stats.events.toLocaleString(), 'stat-events') : null,
    ),
    drift?.exceeded
      ? el(
          'p',
          { class: 'warning banner', id: 'drift-warning', role: 'alert' },
          'The data has drifted past its limits since the active model was trained: see Drift below.',
        )
      : '',
    el('div', { class: 'row' }, model, next),
    el('div', { class: 'row' }, el('div', { class: 'card' }, growth.box), driftCard(drift)),
  );
  // Totals at the end of each day: today's totals less what arrived after each day.
  const series = (key: 'users' | 'products' | 'ratings' | 'events') => {
    let total = stats[key];
    const out: number[] = [];
    for (let d = stats.growth.length - 1; d >= 0; d--) {
      out.unshift(total);
      total -= stats.growth[d][key];
    }
    return out;
  };
  const kinds = (['users', 'products', 'ratings', 'events'] as const).filter((k) => k !== 'events' || stats.events > 0);
  lineChart(
    growth.canvas,
    'Growth: totals at the end of each day (UTC)',
    stats.growth.map((g) => g.day.slice(5)),
    kinds.map((k) => ({ label: k, data: series(k) })),
    'count',
  );
}
