// Part of `npm run bench:serve`: what distinct query texts cost the service's
// memory. A client that writes literals into its queries instead of variables
// sends a new text for every user. Forked by serve.ts with --expose-gc: starts
// the service in this process on the bench's database, sends N distinct texts
// (each twice, so that every one is compiled, src/api/jit.ts), and reports the
// heap after a full collection before, after the first pass and after the second,
// and what one compiled query costs (the first 500 texts, twice each).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';

export interface QueryTextsRequest {
  databaseUrl: string;
  userIds: string[];
  texts: number;
  connections: number;
}

export interface QueryTextsResult {
  texts: number;
  requests: number;
  errors: number;
  heapAfterGcMb: { start: number; afterFirstPass: number; afterSecondPass: number };
  heapGrowthMb: number;
  compiledKept: number;
  heapPerCompiledQueryKb: number;
  seconds: number;
}

const MB = 1024 * 1024;

async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let k = 0; k < 3; k++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

export async function measureQueryTexts(request: QueryTextsRequest): Promise<QueryTextsResult> {
  const { loadConfig } = await import('../src/config.js');
  const { createStore } = await import('../src/store/db.js');
  const { startService } = await import('../src/service.js');
  const log = pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true }));
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-texts-models-'));
  const config = {
    ...loadConfig({ ...process.env, RETRAIN_CRON: 'off', ROLE: 'api', RATE_LIMIT_PER_MINUTE: '0' }),
    databaseUrl: request.databaseUrl,
    modelsDir,
  };
  const store = createStore(request.databaseUrl, { max: config.databasePoolSize });
  const service = await startService(store, config, log, 'bench-query-texts-admin-token');
  const url = await service.server.listen(0, '127.0.0.1');
  const { userIds } = request;
  // Distinct texts as a client with inlined literals writes them: one per user and page size.
  const textAt = (k: number) =>
    `{ recommendations(userId: ${JSON.stringify(userIds[k % userIds.length])}, first: ${1 + (Math.floor(k / userIds.length) % 50)}) { rank score reason product { id name } } }`;
  let errors = 0;
  let requests = 0;
  const send = async (from: number, to: number) => {
    let next = from;
    const worker = async () => {
      while (next < to) {
        const k = next++;
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: textAt(k) }) });
        const body = (await response.json()) as { errors?: unknown };
        requests++;
        if (!response.ok || body.errors) errors++;
      }
    };
    await Promise.all(Array.from({ length: request.connections }, worker));
  };
  const started = performance.now();
  try {
    // Warm: the model, the statements, the caches a steady service has.
    await send(0, 200);
    await send(0, 200);
    const start = await heapAfterGc();
    // What one compiled query (and Apollo's parsed document) keeps: 500 new texts, each twice.
    const few = 500;
    await send(200, 200 + few);
    await send(200, 200 + few);
    const perCompiled = ((await heapAfterGc()) - start) / few;
    await send(0, request.texts);
    const afterFirstPass = await heapAfterGc();
    await send(0, request.texts);
    const afterSecondPass = await heapAfterGc();
    const round = (x: number) => Number(x.toFixed(1));
    return {
      texts: request.texts,
      requests,
      errors,
      heapAfterGcMb: { start: round(start / MB), afterFirstPass: round(afterFirstPass / MB), afterSecondPass: round(afterSecondPass / MB) },
      heapGrowthMb: round((Math.max(afterFirstPass, afterSecondPass) - start) / MB),
      compiledKept: service.server.compiledQueries(),
      heapPerCompiledQueryKb: round(perCompiled / 1024),
      seconds: round((performance.now() - started) / 1000),
    };
  } finally {
    await service.close();
    await store.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_SERVE_ROLE === 'texts') {
  process.once('message', async (message: QueryTextsRequest) => {
    const result = await measureQueryTexts(message);
    process.send!(result, () => process.exit(0));
  });
  process.send!('ready');
}
