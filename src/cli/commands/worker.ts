// `worker`: a trainer without the API (ROLE=trainer): trains queued runs and the nightly schedule until stopped.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { wholeNumber } from './seed.js';

export function registerWorker(program: Command, context: () => CliContext): void {
  program
    .command('worker')
    .description('train queued runs and the nightly schedule, without the API, until Ctrl-C (ROLE=trainer)')
    .option('--port <n>', 'also serve /healthz, /readyz and /metrics on this port', wholeNumber(1))
    .action(async (options: { port?: number }) => {
      const { config } = context();
      // Loaded when run: the whole service is seconds of imports every other command would pay for.
      const { launch } = await import('../../launch.js');
      await launch({ ...config, role: 'trainer', port: options.port ?? config.port }, { listen: options.port !== undefined });
      // Runs until SIGINT/SIGTERM, which launch() handles (the process exits there).
      await new Promise(() => {});
    });
}
