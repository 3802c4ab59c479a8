// `experiments`: A/B tests between models from the terminal (list, show, start, stop), and `online-metrics`:
// what served lists led to. The same rules and analysis as the API (src/experiments, src/attribution).
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../context.js';
import type { Store } from '../../store/db.js';
import type { Experiment } from '../../store/generated/prisma/client.js';
import { CliError } from '../errors.js';
import { formatTable } from './runs.js';
import {
  analyseExperiment,
  checkRequest,
  createExperiment,
  ExperimentProblem,
  prepareExperiment,
  stopExperiment,
  type ExperimentMetric,
} from '../../experiments/experiments.js';
import type { Variant } from '../../experiments/assignment.js';
import { onlineMetrics, type OnlineGrouping } from '../../attribution/online-metrics.js';
import { RunSupervisor } from '../../training/supervisor.js';
import { Scheduler } from '../../jobs/scheduler.js';

const METRICS: ExperimentMetric[] = ['click_through', 'add_to_cart', 'conversion', 'revenue'];

/** `name=RUN:SHARE`, RUN a run id or `popular`. */
function variantArg(text: string, previous: Variant[] = []): Variant[] {
  const match = /^([^=]{1,64})=(popular|\d{1,9}):(\d*\.?\d+)$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`expected name=RUN:SHARE (RUN a run id or "popular"), got "${text}"`);
  return [...previous, { name: match[1], runId: match[2] === 'popular' ? null : Number(match[2]), share: Number(match[3]) }];
}

const percent = (value: number | null | undefined, digits = 3) => (value == null || !Number.isFinite(value) ? '' : `${(value * 100).toFixed(digits)} %`);

export async function formatExperiment(store: Store, experiment: Experiment, windowHours: number): Promise<string> {
  const analysis = await analyseExperiment(store.pool, experiment, windowHours);
  const winner = experiment.status === 'stopped' ? experiment.winner : analysis.winner;
  const lines = [
    `Experiment ${experiment.id} "${experiment.name}": ${experiment.status}, metric ${experiment.metric}, minimum detectable effect ${percent(experiment.minDetectableEffect, 1)}`,
    `  winner: ${winner ?? 'none yet'}${experiment.promotedRunId ? ` (run ${experiment.promotedRunId} activated)` : ''}${experiment.error ? `\n  error: ${experiment.error}` : ''}`,
    formatTable(
      ['variant', 'run', 'share', 'shoppers', 'lists', 'shown', experiment.metric, 'difference (interval)', 'p-value', 'shoppers needed'],
      analysis.variants.map((v) => [
        v.name,
        v.runId === null ? 'popular' : String(v.runId),
        v.share.toFixed(2),
        String(v.users),
        String(v.lists),
        String(v.impressions),
        percent(v.value),
        v.comparison ? `${percent(v.comparison.difference)} (${percent(v.comparison.low)} … ${percent(v.comparison.high)})` : 'control',
        v.comparison?.pValue == null ? '' : v.comparison.pValue.toPrecision(3),
        v.comparison?.usersNeeded == null ? '' : String(v.comparison.usersNeeded),
      ]),
    )
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  ];
  return lines.join('\n');
}

export function registerExperiments(program: Command, context: () => CliContext): void {
  const experiments = program.command('experiments').description('A/B tests between models (docs/api.md, "Closing the loop")');
  experiments
    .command('list', { isDefault: true })
    .description('the latest 50 experiments')
    .action(async () => {
      await withStore(context(), async (store) => {
        const rows = await store.prisma.experiment.findMany({ orderBy: { id: 'desc' }, take: 50 });
        if (rows.length === 0) return console.log('No experiments yet: start one with `npm run cli -- experiments start`.');
        console.log(
          formatTable(
            ['id', 'name', 'status', 'metric', 'variants', 'winner', 'started', 'stopped'],
            rows.map((e) => [
              String(e.id),
              e.name,
              e.status,
              e.metric,
              (e.variants as unknown as Variant[]).map((v) => `${v.name}=${v.runId ?? 'popular'}:${v.share}`).join(' '),
              e.winner ?? '',
              e.startedAt?.toISOString().slice(0, 19).replace('T', ' ') ?? '',
              e.stoppedAt?.toISOString().slice(0, 19).replace('T', ' ') ?? '',
            ]),
          ),
        );
      });
    });
  experiments
    .command('show <id>')
    .description("each variant's metric against the first's, with the interval, p-value and shoppers still needed")
    .option('--json', 'print it as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const experiment = await store.prisma.experiment.findUnique({ where: { id: wholeId(id) } });
        if (!experiment) throw new CliError(`No experiment ${id}: list them with \`npm run cli -- experiments\`.`);
        if (options.json)
          console.log(JSON.stringify({ ...experiment, analysis: await analyseExperiment(store.pool, experiment, ctx.config.attributionWindowHours) }));
        else console.log(await formatExperiment(store, experiment, ctx.config.attributionWindowHours));
      });
    });
  experiments
    .command('start')
    .description('start an experiment; a running service (or --wait, here) writes the variants’ matrices, then serves it')
    .requiredOption('--name <name>', 'what it tests')
    .requiredOption(
      '--variant <name=RUN:SHARE...>',
      'a variant: its name, its run id (or "popular") and its share of the shoppers; the first is the control',
      variantArg,
    )
    .option('--metric <metric>', `what decides it: ${METRICS.join(', ')}`, 'conversion')
    .option('--mde <fraction>', 'the smallest relative change worth detecting', '0.05')
    .option('--wait', 'write the variants’ matrices in this process and return once it is running')
    .action(async (options: { name: string; variant: Variant[]; metric: string; mde: string; wait?: boolean }) => {
      const ctx = context();
      if (!METRICS.includes(options.metric as ExperimentMetric)) throw new CliError(`--metric must be one of ${METRICS.join(', ')}, got "${options.metric}"`);
      const request = { name: options.name, variants: options.variant, metric: options.metric as ExperimentMetric, minDetectableEffect: Number(options.mde) };
      await withStore(ctx, async (store) => {
        try {
          await checkRequest(store.prisma, request);
        } catch (error) {
          if (error instanceof ExperimentProblem) throw new CliError(error.message);
          throw error;
        }
        const experiment = await createExperiment(store.prisma, request);
        if (!experiment) throw new CliError('Another experiment is preparing or running: stop it first (`npm run cli -- experiments stop <id>`).');
        const supervisor = new RunSupervisor(store, ctx.config, ctx.log);
        if (options.wait) {
          await prepareExperiment(store.prisma, store.pool, experiment.id, (runId) => supervisor.writeVariantMatrix(runId), ctx.log);
          const done = await store.prisma.experiment.findUniqueOrThrow({ where: { id: experiment.id } });
          if (done.status === 'failed') throw new CliError(`Experiment ${done.id} failed: ${done.error}`);
          console.log(`Experiment ${done.id} is ${done.status}: the service's instances serve it within a second.`);
          return;
        }
        const scheduler = await Scheduler.start({ store, supervisor, log: ctx.log, work: false });
        try {
          await scheduler.requestExperiment(experiment.id);
        } finally {
          await scheduler.stop();
        }
        console.log(
          `Experiment ${experiment.id} is preparing: a running service writes its variants' matrices, then serves it. Follow it with \`npm run cli -- experiments show ${experiment.id}\`.`,
        );
      });
    });
  experiments
    .command('stop <id>')
    .description('stop it now, recording the winner; --promote activates the winner’s run (refused while there is none)')
    .option('--promote', "activate the winner's run")
    .action(async (id: string, options: { promote?: boolean }) => {
      const ctx = context();
      await withStore(ctx, async (store) => {
        const outcome = await stopExperiment(store.prisma, store.pool, wholeId(id), options.promote ?? false, ctx.config.attributionWindowHours);
        if (outcome === 'notRunning') throw new CliError(`No experiment ${id} is preparing or running.`);
        if ('refused' in outcome) throw new CliError(outcome.refused);
        if (outcome.activate !== null) await new RunSupervisor(store, ctx.config, ctx.log).activate(outcome.activate);
        console.log(await formatExperiment(store, outcome.experiment, ctx.config.attributionWindowHours));
      });
    });

  program
    .command('online-metrics')
    .description('what the lists served led to: views, carts, purchases and revenue per product shown, per model, variant or day')
    .option('--days <n>', 'the lists of the last N days', '7')
    .option('--group-by <group>', 'model, variant or day', 'model')
    .option('--json', 'print them as JSON')
    .action(async (options: { days: string; groupBy: string; json?: boolean }) => {
      const ctx = context();
      if (!['model', 'variant', 'day'].includes(options.groupBy)) throw new CliError(`--group-by must be model, variant or day, got "${options.groupBy}"`);
      const days = Number(options.days);
      if (!(days > 0 && days <= 366)) throw new CliError(`--days must be in (0, 366], got "${options.days}"`);
      const to = new Date();
      const from = new Date(to.getTime() - days * 86_400_000);
      await withStore(ctx, async (store) => {
        const rows = await onlineMetrics(store.pool, from, to, ctx.config.attributionWindowHours, options.groupBy as OnlineGrouping);
        if (options.json) return console.log(JSON.stringify(rows));
        if (rows.length === 0) return console.log(`No lists served in the last ${days} days.`);
        console.log(
          formatTable(
            ['group', 'lists', 'shown', 'views', 'carts', 'purchases', 'revenue', 'click-through', 'conversion'],
            rows.map((r) => [
              r.group,
              String(r.lists),
              String(r.impressions),
              String(r.views),
              String(r.carts),
              String(r.purchases),
              r.revenue.toFixed(2),
              `${percent(r.clickThrough.value, 2)} (${percent(r.clickThrough.low, 2)} … ${percent(r.clickThrough.high, 2)})`,
              `${percent(r.conversion.value, 2)} (${percent(r.conversion.low, 2)} … ${percent(r.conversion.high, 2)})`,
            ]),
          ),
        );
      });
    });
}

function wholeId(text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new CliError(`expected an experiment id, got "${text}"`);
  return Number(text);
}
