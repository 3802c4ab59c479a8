// `runs`: the training-run registry as a table (or JSON).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../context.js';
import type { ModelRun } from '../../training/registry.js';
import type { RunProgress } from '../../training/run/protocol.js';
import { progressLabel } from '../../training/run/progress-label.js';
import { wholeNumber } from './seed.js';
import { exportRun, RunExportError } from '../../training/run-export.js';
import { CliError } from '../errors.js';

type Ranking = Record<string, number | null>;

interface Metrics {
  network?: { rmse: number; mae: number; ndcgAt10: number };
  baseline?: { rmse: number };
  stopped?: string[];
  budgetSeconds?: number;
  catalog?: Record<'network' | 'popularity' | 'baseline', Ranking> & {
    split: string;
    k: number;
    users: number;
    /** Runs recorded before lists were blended have neither (they served the network's). */
    served?: Ranking;
    selection?: Ranking | null;
    blend?: {
      degrees: number;
      showsSeen: boolean;
      selection: { rank: number; lambdaFactor: number };
      /** Runs recorded before the low-pass filter have none. */
      lowPass?: { rank: number; weight: number } | null;
    } | null;
  };
}

/** The lists as served: the blend's, or the network's for runs recorded before lists were blended. */
const servedOf = (catalog: NonNullable<Metrics['catalog']>) => catalog.served ?? catalog.network;

const fixed = (value: number | undefined, digits = 4) => (value === undefined ? '' : value.toFixed(digits));

function seconds(run: ModelRun): string {
  if (!run.startedAt) return '';
  const end = run.finishedAt ?? new Date();
  return `${((end.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)} s`;
}

/** A table with a header row, columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Epochs trained, per network: "3 × 2" for three networks of two epochs each (the history has one entry per network-epoch). */
function epochsOf(run: ModelRun): string {
  const history = (run.history as { member?: number; epoch: number }[] | null) ?? [];
  if (history.length === 0) return '';
  const byMember = new Map<number, number>();
  for (const e of history) byMember.set(e.member ?? 1, Math.max(byMember.get(e.member ?? 1) ?? 0, e.epoch));
  const most = Math.max(...byMember.values());
  return byMember.size > 1 ? `${byMember.size} × ${most}` : String(most);
}

export function formatRuns(runs: ModelRun[]): string {
  if (runs.length === 0) return 'No training runs yet: start one with `npm run cli -- train --wait`.';
  return formatTable(
    ['id', 'status', 'trigger', 'active', 'epochs', 'val RMSE', 'baseline', 'NDCG@10 served (popular)', 'backend', 'took', 'created', 'note'],
    runs.map((run) => {
      const metrics = (run.metrics ?? {}) as Metrics;
      const progress = run.progress as RunProgress | null;
      const note = run.status === 'running' && progress ? progressLabel(progress) : (run.error ?? run.reason ?? '');
      return [
        String(run.id),
        run.status,
        run.trigger,
        run.active ? 'yes' : '',
        epochsOf(run),
        fixed(metrics.network?.rmse),
        fixed(metrics.baseline?.rmse),
        metrics.catalog ? `${fixed(servedOf(metrics.catalog).ndcg ?? undefined)} (${fixed(metrics.catalog.popularity.ndcg ?? undefined)})` : '',
        run.backend ?? '',
        seconds(run),
        run.createdAt.toISOString().replace('T', ' ').slice(0, 19),
        note.length > 60 ? `${note.slice(0, 57)}…` : note,
      ];
    }),
  );
}

/** One run in detail: what the train command prints when it is done. */
export function formatRun(run: ModelRun): string {
  const metrics = run.metrics as (Metrics & { network: Record<string, number>; baseline: Record<string, number> }) | null;
  const lines = [`Run ${run.id}: ${run.status}${run.active ? ' (active: its matrix is being served)' : ''}`];
  if (run.reason) lines.push(`  gate: ${run.reason}`);
  if (run.error) lines.push(`  error: ${run.error}`);
  if (metrics) {
    const names = ['rmse', 'mae', 'precisionAt10', 'recallAt10', 'ndcgAt10'];
    lines.push(
      formatTable(
        ['validation', ...names],
        (['network', 'baseline'] as const).map((side) => [side, ...names.map((n) => fixed(metrics[side][n]))]),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  if (metrics?.stopped?.includes('budget')) {
    const budget = metrics.budgetSeconds ? ` of ${metrics.budgetSeconds} s` : '';
    lines.push(
      `  training stopped by its budget${budget} (TRAINING_BUDGET_S): ${metrics.stopped.filter((r) => r === 'budget').length} of ${metrics.stopped.length} networks kept their best epoch so far`,
    );
  }
  if (metrics?.catalog) {
    const { catalog } = metrics;
    const names = ['precision', 'recall', 'f1', 'ndcg', 'hitRate', 'coverage'];
    lines.push(`  top ${catalog.k} of the whole catalog, ${catalog.users} held-out users (${catalog.split} split):`);
    const rows: [string, Ranking][] = [
      ...(catalog.served ? [['served', catalog.served] as [string, Ranking]] : []),
      ...(catalog.selection ? [['selection', catalog.selection] as [string, Ranking]] : []),
      ['network', catalog.network],
      ['popularity', catalog.popularity],
      ['baseline', catalog.baseline],
    ];
    lines.push(
      formatTable(
        ['ranking', ...names],
        rows.map(([side, ranking]) => [side, ...names.map((n) => fixed(ranking[n] ?? undefined))]),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    const { blend } = catalog;
    if (blend) {
      lines.push(
        `  served: the pick score and the predicted rating blended at ${blend.degrees}° (0° pick score alone, 90° rating alone), ` +
          `${blend.showsSeen ? 'viewed products shown again' : 'viewed products left out'}; selection model of rank ${blend.selection.rank}, λ ${blend.selection.lambdaFactor} × mean diagonal` +
          (blend.lowPass?.weight ? `, with a low-pass filter of rank ${blend.lowPass.rank} at ${blend.lowPass.weight.toFixed(3)} of its score` : ''),
      );
    }
  }
  if (run.matrix) lines.push(`  matrix: ${JSON.stringify(run.matrix)}`);
  if (run.phases && Object.keys(run.phases as object).length) lines.push(`  seconds: ${JSON.stringify(run.phases)}`);
  return lines.join('\n');
}

export function registerRuns(program: Command, context: () => CliContext): void {
  const runs = program
    .command('runs')
    .description('list training runs, newest first')
    .option('--limit <n>', 'how many', wholeNumber(1), 20)
    .option('--json', 'print JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      await withStore(context(), async (store) => {
        const runs = await store.prisma.modelRun.findMany({ orderBy: { id: 'desc' }, take: options.limit });
        console.log(options.json ? JSON.stringify(runs) : formatRuns(runs));
      });
    });
  runs
    .command('export')
    .argument('<id>', "the run's id", wholeNumber(1))
    .description("write a run's configuration, metrics and epoch history (JSON) and its saved model into a folder")
    .requiredOption('--out <dir>', 'a new or empty folder')
    .action(async (runId: number, options: { out: string }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        try {
          const exported = await exportRun(store, ctx.config.modelsDir, runId, options.out);
          console.log(
            `Exported run ${runId} to ${exported.dir}: ${exported.files.length} files${exported.model ? '' : ' (no saved model: the run has none)'}.`,
          );
        } catch (error) {
          throw error instanceof RunExportError ? new CliError(error.message) : error;
        }
      });
    });
}
