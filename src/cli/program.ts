// The CLI's commands. Each command lives in commands/<name>.ts and
// registers itself on the program.
import { Command } from 'commander';
import { createCliContext, type CliContext } from './context.js';
import { registerImport } from './commands/import.js';
import { registerMigrate } from './commands/migrate.js';
import { registerSeed } from './commands/seed.js';
import { registerTrain } from './commands/train.js';
import { registerRuns } from './commands/runs.js';
import { registerKeys } from './commands/keys.js';
import { registerWorker } from './commands/worker.js';
import { registerTune } from './commands/tune.js';
import { registerRecommend } from './commands/recommend.js';
import { registerExperiments } from './commands/experiments.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('recsys')
    .description('Recommendation service tools. Uses DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (.data) when it is not set.')
    .showHelpAfterError('(add --help for usage)');
  // Created on first use so that `--help` works even with a broken configuration.
  let context: CliContext | undefined;
  const getContext = () => (context ??= createCliContext());
  registerMigrate(program, getContext);
  registerSeed(program, getContext);
  registerImport(program, getContext);
  registerTrain(program, getContext);
  registerRuns(program, getContext);
  registerKeys(program, getContext);
  registerRecommend(program, getContext);
  registerTune(program, getContext);
  registerExperiments(program, getContext);
  registerWorker(program, getContext);
  return program;
}
