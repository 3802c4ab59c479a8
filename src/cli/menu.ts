// `npm run cli` in a terminal with no command: a guided menu (@inquirer/prompts) over the plain commands —
// each choice asks what the command needs, shows the command it runs, and runs it as a script would.
import fs from 'node:fs';
import path from 'node:path';
import { confirm, input, number, select } from '@inquirer/prompts';
import { buildProgram } from './program.js';
import { isExpectedError } from './errors.js';

/** Asks what a step needs; answers with the plain command's arguments. */
type Step = () => Promise<string[]>;

const STEPS: Record<string, { name: string; description: string; args: Step }> = {
  import: {
    name: 'Import data',
    description: 'MovieLens (a folder) or a CSV of ratings',
    args: async () => {
      const source = await input({ message: 'A MovieLens folder or a ratings CSV file:', validate: (p) => fs.existsSync(p) || `${p} does not exist` });
      return fs.statSync(source).isDirectory() ? ['import', 'movielens', source] : ['import', 'csv', '--ratings', source];
    },
  },
  train: {
    name: 'Train now',
    description: 'a run here, with a progress bar per epoch',
    args: async () => {
      const epochs = await number({ message: 'Epochs at most (empty: the default):', required: false, min: 1, max: 500 });
      const force = await confirm({ message: 'Serve it even if the quality gate would reject it?', default: false });
      return ['train', '--wait', ...(epochs ? ['--epochs', String(epochs)] : []), ...(force ? ['--force'] : [])];
    },
  },
  recommend: {
    name: "Show a user's recommendations",
    description: 'as the service serves them now',
    args: async () => [
      'recommend',
      await input({ message: "The user's id:", validate: (id) => id.trim().length > 0 || 'an id, please' }),
      '--first',
      String((await number({ message: 'How many:', default: 10, min: 1, max: 100 })) ?? 10),
    ],
  },
  runs: { name: 'List runs', description: 'the registry, newest first', args: async () => ['runs'] },
  tune: {
    name: 'Tune',
    description: 'search hyper-parameters (trials are never served)',
    args: async () => {
      const trials = (await number({ message: 'Trials:', default: 8, min: 1, max: 100 })) ?? 8;
      const budget = await number({ message: 'Budget in seconds (empty: none):', required: false, min: 1 });
      return ['tune', '--trials', String(trials), ...(budget ? ['--budget', String(budget)] : [])];
    },
  },
};

/** Whether the menu may open: no command given, and a person at a terminal on both ends. */
export function wantsMenu(argv: string[]): boolean {
  return argv.length <= 2 && Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

export async function runMenu(): Promise<void> {
  // The screen is for the prompts and the progress bars: info lines go unshown unless LOG_LEVEL asks for them.
  process.env.LOG_LEVEL ||= 'warn';
  const entry = path.basename(process.argv[1] ?? 'cli');
  for (;;) {
    const choice = await select({
      message: 'What would you like to do?',
      choices: [...Object.entries(STEPS).map(([value, step]) => ({ value, name: step.name, description: step.description })), { value: 'quit', name: 'Quit' }],
    });
    if (choice === 'quit') return;
    const args = await STEPS[choice].args();
    console.log(`\n$ npm run cli -- ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
    try {
      // A fresh program each time: commander keeps option values from one parse to the next.
      await buildProgram().parseAsync(['node', entry, ...args]);
    } catch (error) {
      console.error(`error: ${isExpectedError(error) ? error.message : String(error)}`);
    }
    console.log('');
  }
}
