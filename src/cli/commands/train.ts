// `train`: queue a training run, or with --wait train it here with a progress
// bar per epoch and print its metrics.
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
import { withStore } from '../context.js';
import { CliError } from '../errors.js';
import { Scheduler } from '../../jobs/scheduler.js';
import { RunSupervisor } from '../../training/supervisor.js';
import { requestRun, type ModelRun } from '../../training/registry.js';
import { resolveRunConfig } from '../../training/run/run-config.js';
import type { RunProgress } from '../../training/run/protocol.js';
import { progressLabel } from '../../training/run/progress-label.js';
import { formatRun } from './runs.js';

interface TrainOptions {
  wait?: boolean;
  force?: boolean;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  embeddingDim?: number;
  set: string[];
  json?: boolean;
}

export const positive = (integer: boolean) => (text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`expected a ${integer ? 'whole ' : ''}number > 0, got "${text}"`);
  }
  return value;
};

export function overridesFrom(options: Pick<TrainOptions, 'set'> & Partial<TrainOptions>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const pair of options.set) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CliError(`--set expects key=value, got "${pair}"`);
    const text = pair.slice(eq + 1);
    try {
      overrides[pair.slice(0, eq)] = JSON.parse(text);
    } catch {
      overrides[pair.slice(0, eq)] = text;
    }
  }
  if (options.epochs !== undefined) overrides.epochs = options.epochs;
  if (options.batchSize !== undefined) overrides.batchSize = options.batchSize;
  if (options.learningRate !== undefined) overrides.learningRate = options.learningRate;
  if (options.embeddingDim !== undefined) overrides.embeddingDim = options.embeddingDim;
  return overrides;
}

/**
 * A bar per epoch on a terminal; elsewhere the trainer's structured epoch logs suffice. The bars are finished
 * (drawn for good) when training ends, before the later phases are named: a bar still being redrawn while
 * those lines are written left a screen that depended on timing.
 */
function epochBars() {
  if (!process.stderr.isTTY) return { onProgress: () => {}, stop: () => {} };
  const bars = new cliProgress.MultiBar(
    { format: '{label} [{bar}] {percentage}% | {detail} | ETA {eta_formatted}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let drawing = false;
  let epoch = '';
  let phase = '';
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    bars.stop();
  };
  return {
    onProgress(p: RunProgress) {
      if (p.phase === 'train' && p.batch !== undefined && p.batches !== undefined) {
        const current = progressLabel({ ...p, batch: undefined });
        if (current !== epoch) {
          bar?.update(bar.getTotal());
          epoch = current;
          bar = bars.create(p.batches, 0, { label: current, detail: '' });
          drawing = true;
        }
        bar!.update(p.batch, { detail: `batch ${p.batch}/${p.batches}` });
      } else if (p.phase === 'train' && p.valRmse !== undefined) {
        bar?.update(bar.getTotal(), { detail: `loss ${p.loss?.toFixed(4)}, validation RMSE ${p.valRmse.toFixed(4)}` });
      } else if (p.phase !== 'train' && p.phase !== phase) {
        phase = p.phase;
        finish();
        process.stderr.write(`${p.phase}…\n`);
      }
    },
    stop: finish,
  };
}

async function waitForOther(ctx: CliContext, run: ModelRun, read: () => Promise<ModelRun>): Promise<ModelRun> {
  ctx.log.info({ runId: run.id, status: run.status }, 'another run is already pending: waiting for it');
  let current = run;
  let last = '';
  while (current.status === 'queued' || current.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    current = await read();
    const progress = JSON.stringify(current.progress);
    if (progress !== last) ctx.log.info({ runId: run.id, status: current.status, progress: current.progress }, 'waiting');
    last = progress;
  }
  return current;
}

export function registerTrain(program: Command, context: () => CliContext): void {
  program
    .command('train')
    .description('queue a training run (a running service trains it), or with --wait train it here and print its metrics')
    .option('--wait', 'train in this process (or wait for the pending run) and show progress')
    .option('--force', 'skip the quality gate: serve the result even if it is worse')
    .option('--epochs <n>', 'maximum epochs', positive(true))
    .option('--batch-size <n>', 'ratings per training step', positive(true))
    .option('--learning-rate <x>', 'optimizer learning rate', positive(false))
    .option('--embedding-dim <n>', 'width of the user and product embeddings', positive(true))
    .option('--set <key=value...>', 'any other TrainingConfig field, e.g. --set dropout=0.3 layerSizes=[128,32]', [])
    .option('--json', 'print the finished run as JSON')
    .action(async (options: TrainOptions) => {
      const ctx = context();
      const overrides = overridesFrom(options);
      try {
        resolveRunConfig(overrides, ctx.config.training, ctx.config);
      } catch (error) {
        throw new CliError(`Invalid training configuration: ${(error as Error).message}`);
      }
      await withStore(ctx, async (store) => {
        const request = { trigger: 'cli' as const, force: options.force ?? false, config: overrides };
        if (!options.wait) {
          // Through the job queue, so that a running service picks it up.
          const scheduler = await Scheduler.start({ store, supervisor: new RunSupervisor(store, ctx.config, ctx.log), log: ctx.log, work: false });
          try {
            const { run, created } = await scheduler.requestRetrain(request);
            console.log(
              created
                ? `Queued run ${run.id}. A running service (npm start) trains it; follow it with \`npm run cli -- runs\`.`
                : `Run ${run.id} is already ${run.status}; no new run was queued.`,
            );
          } finally {
            await scheduler.stop();
          }
          return;
        }
        const { run, created } = await requestRun(store.prisma, request);
        const read = () => store.prisma.modelRun.findUniqueOrThrow({ where: { id: run.id } });
        let finished: ModelRun;
        if (!created) {
          finished = await waitForOther(ctx, run, read);
        } else {
          const display = epochBars();
          try {
            finished =
              (await new RunSupervisor(store, ctx.config, ctx.log).execute(run.id, { onProgress: display.onProgress })) ?? (await waitForOther(ctx, run, read));
          } finally {
            display.stop();
          }
        }
        console.log(options.json ? JSON.stringify(finished) : formatRun(finished));
        if (finished.status === 'failed') throw new CliError(`Run ${finished.id} failed: ${finished.error}`);
      });
    });
}
