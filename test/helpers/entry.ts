// The project's own programs as child processes, started the way the test itself runs: compiled where the suite
// runs compiled (npm test), through tsx where a test file runs from its TypeScript.
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const compiled = import.meta.url.endsWith('.js');
const TSX = import.meta.resolve('tsx');

/** node's arguments that run `file` (from the project's root, e.g. 'src/cli/index.ts'). */
export function nodeArgs(file: string): string[] {
  const full = path.join(ROOT, file);
  return compiled ? [full.replace(/\.ts$/, '.js')] : ['--import', TSX, full];
}
