// Worker threads do not inherit tsx's loader from the parent: from the TypeScript sources a thread starts
// here, registers tsx, then loads its module (the last argument, see thread-entry.ts).
import { register } from 'tsx/esm/api';

register();
await import(process.argv.at(-1));
