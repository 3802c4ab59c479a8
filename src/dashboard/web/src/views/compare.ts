// Two runs side by side: what differs in their configuration, and their metrics with the difference.
import { el, fixed, table } from '../dom';
import { getRun, listRuns, type RunDetail } from '../runs-api';

/** Leaves of a JSON object as dotted paths ("model.embeddingDim"). */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

function numbers(run: RunDetail): Map<string, number> {
  const out = new Map<string, number>();
  const m = run.metrics;
  if (!m) return out;
  for (const side of ['network', 'baseline'] as const) for (const [k, v] of Object.entries(m[side])) out.set(`validation ${side} ${k}`, v);
  if (m.catalog)
    for (const side of ['network', 'popularity', 'baseline'] as const)
      for (const [k, v] of Object.entries(m.catalog[side])) if (v !== null) out.set(`catalog ${side} ${k}@${m.catalog.k}`, v);
  for (const [phase, s] of Object.entries(run.phases ?? {})) out.set(`seconds ${phase}`, s);
  return out;
}

export async function compareView(app: HTMLElement, a: string | undefined, b: string | undefined, go: (a: string, b: string) => void): Promise<void> {
  const runs = await listRuns(100);
  const picker = (id: string, selected: string | undefined) =>
    el(
      'select',
      { id },
      ...runs.map((run) =>
        el('option', { value: run.id, selected: run.id === selected }, `#${run.id} ${run.status.toLowerCase()}${run.active ? ' (active)' : ''}`),
      ),
    );
  const left = picker('compare-a', a ?? runs[1]?.id);
  const right = picker('compare-b', b ?? runs[0]?.id);
  const form = el(
    'form',
    { class: 'actions', onsubmit: (e: Event) => (e.preventDefault(), go(left.value, right.value)) },
    left,
    ' against ',
    right,
    el('button', { type: 'submit' }, 'Compare'),
  );
  app.replaceChildren(el('h1', {}, 'Compare two runs'), form);
  if (!a || !b) return;
  const [ra, rb] = await Promise.all([getRun(a), getRun(b)]);
  if (!ra || !rb) return void app.append(el('p', { class: 'error' }, 'One of these runs does not exist.'));
  const ca = flatten(ra.config);
  const cb = flatten(rb.config);
  const keys = [...new Set([...ca.keys(), ...cb.keys()])].filter((k) => ca.get(k) !== cb.get(k)).sort();
  const na = numbers(ra);
  const nb = numbers(rb);
  const metricKeys = [...new Set([...na.keys(), ...nb.keys()])];
  app.append(
    el(
      'div',
      { class: 'card' },
      el('h2', {}, 'Configuration: what differs'),
      keys.length
        ? table(
            ['setting', `#${a}`, `#${b}`],
            keys.map((k) => [k, ca.get(k) ?? '–', cb.get(k) ?? '–']),
            { id: 'config-diff' },
          )
        : el('p', { id: 'config-diff' }, 'The same configuration.'),
    ),
    el(
      'div',
      { class: 'card' },
      el('h2', {}, 'Metrics'),
      table(
        ['metric', `#${a}`, `#${b}`, `#${b} − #${a}`],
        metricKeys.map((k) => {
          const [x, y] = [na.get(k), nb.get(k)];
          return [k, fixed(x), fixed(y), x !== undefined && y !== undefined ? (y - x >= 0 ? '+' : '') + (y - x).toFixed(4) : '–'];
        }),
        { id: 'metric-diff' },
      ),
    ),
  );
}
