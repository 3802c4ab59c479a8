// The CLI as users run it: a child process (src/cli/index.ts) from the project's root.
import { spawn } from 'node:child_process';
import { nodeArgs, ROOT } from './entry.js';

export { ROOT };
/** node's arguments that start the CLI. */
export const CLI = nodeArgs('src/cli/index.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run cli -- ...args` with the test's environment and `env` over it; resolves when it exits. */
export function runCli(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
}
