// `tune`: a hyper-parameter search trained here, a line per trial, then the best against the default;
// `promote`: make a run's configuration the stored default.
import fs from 'node:fs';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../context.js';
import { CliError } from '../errors.js';
import { RunSupervisor } from '../../training/supervisor.js';
import { Tuner, SearchSpaceError, TuneRequestError, TUNE_METRICS, trialMetric, type TuneMetric } from '../../tuning/tuner.js';
import { storeDefaults } from '../../tuning/stored-defaults.js';
import type { ModelRun } from '../../training/registry.js';
import type { TrainingConfig } from '../../model/config.js';
import { formatTable } from './runs.js';
import { overridesFrom, positive } from './train.js';
import { wholeNumber } from './seed.js';

interface TuneOptions {
  trials: number;
  space?: string;
  budget?: number;
  metric: string;
  seed?: number;
  set: string[];
  json?: boolean;
}

/** What the trial changed from the base, e.g. "dropout=0.31 learningRate=0.0021". */
function searched(run: ModelRun, parameters: string[]): string {
  const model = (run.config as { model?: Record<string, unknown> }).model ?? {};
  return parameters.map((p) => `${p}=${JSON.stringify(model[p])}`).join(' ');
}

function stoppedAt(run: ModelRun): string {
  const stopped = (run.metrics as { stopped?: string[] } | null)?.stopped ?? [];
  const epochs = ((run.history as unknown[] | null) ?? []).length;
  return stopped.includes('pruned') ? `pruned after ${epochs} epochs` : `${epochs} epochs`;
}

export function registerTune(program: Command, context: () => CliContext): void {
  program
    .command('tune')
    .description('search hyper-parameters here: trial 1 trains the default configuration, the others random draws from the space; none is served')
    .requiredOption('--trials <n>', 'how many trials (the first is the default configuration)', wholeNumber(1))
    .option(
      '--space <file>',
      'a JSON file of parameter ranges, e.g. {"dropout": {"min": 0.2, "max": 0.6}} (default: learningRate, dropout, hiddenDropout, l2, embeddingDim)',
    )
    .option('--budget <seconds>', 'start no trial after this many seconds; the running one stops at an epoch boundary', positive(true))
    .option('--metric <name>', `what to optimise: ${Object.keys(TUNE_METRICS).join(', ')}`, 'rmse')
    .option('--seed <n>', 'seed of the random search', wholeNumber(0))
    .option('--set <key=value...>', 'settings every trial uses, e.g. --set epochs=10', [])
    .option('--json', 'print the search and its trials as JSON')
    .action(async (options: TuneOptions) => {
      const ctx = context();
      let space: unknown;
      if (options.space) {
        try {
          space = JSON.parse(fs.readFileSync(options.space, 'utf8'));
        } catch (error) {
          throw new CliError(`Cannot read the search space ${options.space}: ${(error as Error).message}`);
        }
      }
      await withStore(ctx, async (store) => {
        const tuner = new Tuner(store, new RunSupervisor(store, ctx.config, ctx.log), ctx.log);
        let search: Awaited<ReturnType<Tuner['create']>>;
        try {
          search = await tuner.create({
            trials: options.trials,
            space,
            metric: options.metric,
            budgetSeconds: options.budget,
            base: overridesFrom(options) as Partial<TrainingConfig>,
            seed: options.seed,
          });
        } catch (error) {
          if (error instanceof SearchSpaceError || error instanceof TuneRequestError) throw new CliError(error.message);
          throw error;
        }
        const metric = search.metric as TuneMetric;
        const parameters = Object.keys((search.space as { parameters: object }).parameters);
        const describe = TUNE_METRICS[metric].describe;
        console.error(
          `Search ${search.id}: ${search.trials} trials of ${parameters.join(', ')}, by ${describe}${search.budgetSeconds ? `, within ${search.budgetSeconds} s` : ''}.`,
        );
        const done = await tuner.run(search.id, {
          onTrial: (run, k, of) => {
            const value = trialMetric(run, metric);
            console.error(
              `trial ${k}/${of} (run ${run.id}${k === 1 ? ', the default' : ''}): ${run.status === 'succeeded' ? `${describe} ${value?.toFixed(4)}, ${stoppedAt(run)}` : `${run.status}: ${run.error}`}${k > 1 ? ` — ${searched(run, parameters)}` : ''}`,
            );
          },
        });
        const trials = await store.prisma.modelRun.findMany({ where: { searchId: search.id }, orderBy: { id: 'asc' } });
        if (options.json) {
          console.log(JSON.stringify({ search: done, trials }));
        } else {
          console.log(
            formatTable(
              ['run', 'status', describe, 'stopped', ...parameters],
              trials.map((t) => [
                String(t.id),
                t.status,
                trialMetric(t, metric)?.toFixed(4) ?? '',
                stoppedAt(t),
                ...parameters.map((p) => JSON.stringify((t.config as { model?: Record<string, unknown> }).model?.[p])),
              ]),
            ),
          );
          const best = trials.find((t) => t.id === done.bestRunId);
          const fallback = trials.find((t) => t.id === done.defaultRunId);
          if (best && fallback) {
            const [b, d] = [trialMetric(best, metric)!, trialMetric(fallback, metric)];
            console.log(
              `Best: run ${best.id}, ${describe} ${b.toFixed(4)}${d !== null ? ` against the default's ${d.toFixed(4)} (${b - d >= 0 ? '+' : ''}${(b - d).toFixed(4)})` : ''}. Make it the default with \`npm run cli -- promote ${best.id}\`, then retrain.`,
            );
          }
        }
        if (done.status === 'failed') throw new CliError(`Search ${done.id} failed: ${done.error}`);
      });
    });

  program
    .command('promote')
    .description("make a run's model configuration the stored default that every later run starts from")
    .argument('<runId>', 'the run (a tuning trial, or any run that started)', wholeNumber(1))
    .action(async (runId: number) => {
      await withStore(context(), async (store) => {
        const run = await store.prisma.modelRun.findUnique({ where: { id: runId } });
        const model = (run?.config as { model?: TrainingConfig } | undefined)?.model;
        if (!run) throw new CliError(`There is no run ${runId}: \`npm run cli -- runs\` lists them.`);
        if (!model) throw new CliError(`Run ${runId} has not started: it has no configuration to promote yet.`);
        const stored = await storeDefaults(store.pool, model);
        console.log(`Run ${runId}'s configuration is now the default for every run: ${JSON.stringify(stored)}`);
      });
    });
}
