// The service as a process of its own (src/main.ts, from any working directory), for
// tests of several instances, restarts and signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../scripts/private-postgres.js';
import { nodeArgs } from './entry.js';

export { freePort };

export async function until<T>(what: string, seconds: number, probe: () => Promise<T | undefined>, log: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s.${log() ? ` The log:\n${log()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  log(): string;
  exited: Promise<number | null>;
  /** GraphQL over HTTP with the admin token. */
  gql(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ status: number; data?: any; errors?: { message: string; extensions?: { code?: string } }[] }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServiceProcess(options: { cwd: string; env: Record<string, string>; token: string; ready?: boolean }): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, nodeArgs('src/main.ts'), {
    cwd: options.cwd,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_TOKEN: options.token,
      RETRAIN_CRON: 'off',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    url: base,
    child,
    log: () => text,
    exited,
    async gql(query, variables = {}) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: never };
      return { status: response.status, data: body.data, errors: body.errors };
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  if (options.ready !== false) await until('the service is ready', 60, async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined), service.log);
  return service;
}
