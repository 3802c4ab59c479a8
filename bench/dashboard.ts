// `npm run bench:dashboard [-- --loads 7]`: the dashboard's first load on the demo data, in Debian's Chromium
// against the service as `npm start` builds and runs it: from navigation to the overview drawn (every request:
// the page, its assets, the overview's GraphQL), median over fresh browser contexts (nothing cached), and the
// bytes sent. The machine's limit in the same run: the same requests fetched by node, without a browser.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { Command } from 'commander';
import { chromium } from 'playwright-core';
import { benchLogger, median, round } from './support.js';

const log = benchLogger('dashboard');
const options = new Command()
  .option('--loads <n>', 'fresh loads to time', '7')
  .option('--chromium <path>', 'the browser', process.env.CHROMIUM_PATH || '/usr/bin/chromium')
  .parse()
  .opts<{ loads: string; chromium: string }>();
const ROOT = path.resolve(import.meta.dirname, '..');
const token = 'bench-dashboard-admin-token';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-dashboard-'));
// The embedded PostgreSQL's initdb runs as another user when we are root: it must reach the folder.
fs.chmodSync(dataDir, 0o755);
const port = await new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as net.AddressInfo;
    probe.close(() => resolve(port));
  });
});
const origin = `http://127.0.0.1:${port}`;

// npm start: build, then the serve script, on an empty database of its own (demo data, a first run).
const started = spawn('npm', ['start', '--silent'], {
  cwd: ROOT,
  stdio: ['ignore', fs.openSync(path.join(dataDir, 'service.log'), 'w'), 'inherit'],
  env: {
    ...process.env,
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    MODELS_DIR: path.join(dataDir, 'models'),
    EMBEDDED_PG_PORT: String(port + 1),
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_TOKEN: token,
    LOG_LEVEL: 'warn',
    RETRAIN_CRON: 'off',
  },
  detached: true,
});
const gql = async (query: string) =>
  (await (
    await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    })
  ).json()) as { data: any };
try {
  for (const deadline = Date.now() + 180_000; ; ) {
    const active = await gql('query { activeModel { id } }').then(
      (b) => b.data?.activeModel,
      () => null,
    );
    if (active) break;
    if (started.exitCode !== null)
      throw new Error(
        `npm start exited (${started.exitCode}) before the service was up: ${fs.readFileSync(path.join(dataDir, 'service.log'), 'utf8').slice(-2000)}`,
      );
    if (Date.now() > deadline) throw new Error('the service had no active model within 180 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  log.info('the service is up with its first model');
  const browser = await chromium.launch({ executablePath: options.chromium, args: ['--no-sandbox'] });
  const loads: number[] = [];
  let bytes = 0;
  let requests = 0;
  const urls: { url: string; init?: RequestInit }[] = [];
  for (let k = 0; k < Number(options.loads); k++) {
    const context = await browser.newContext();
    // Signed in already (the key in the tab's session storage, as the sign-in form leaves it).
    await context.addInitScript((key) => sessionStorage.setItem('recsys.adminKey', key), token);
    const page = await context.newPage();
    const sizes: number[] = [];
    page.on('requestfinished', (request) => {
      void request.sizes().then((s) => sizes.push(s.responseBodySize + s.responseHeadersSize));
      if (k === 0)
        urls.push({
          url: request.url(),
          init:
            request.method() === 'POST'
              ? { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: request.postData() ?? '' }
              : undefined,
        });
    });
    const t = performance.now();
    await page.goto(`${origin}/dashboard/#/overview`);
    await page.waitForSelector('#active-model .rmse');
    await page.waitForFunction(() => document.querySelectorAll('canvas').length > 0);
    loads.push(performance.now() - t);
    await page.waitForTimeout(100);
    bytes = sizes.reduce((a, b) => a + b, 0);
    requests = sizes.length;
    await context.close();
  }
  await browser.close();
  // The same requests, one after another, from node: the server's part of a load.
  const raw: number[] = [];
  for (let k = 0; k < Number(options.loads); k++) {
    const t = performance.now();
    for (const { url, init } of urls) await (await fetch(url, init)).arrayBuffer();
    raw.push(performance.now() - t);
  }
  const assets = path.join(ROOT, 'dist/dashboard-app');
  const files = fs
    .readdirSync(assets, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !/\.(br|gz)$/.test(e.name))
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name)));
  console.log(
    JSON.stringify({
      loads: loads.length,
      firstLoadMedianMs: round(median(loads), 1),
      firstLoadMaxMs: round(Math.max(...loads), 1),
      requests,
      bytesTransferred: bytes,
      assetsBytes: files.reduce((a, f) => a + f.length, 0),
      assetsGzipBytes: files.reduce((a, f) => a + zlib.gzipSync(f).length, 0),
      assetsBrotliBytes: files.reduce((a, f) => a + zlib.brotliCompressSync(f).length, 0),
      sameRequestsFromNodeMedianMs: round(median(raw), 1),
      browserVsNode: round(median(loads) / median(raw), 1),
    }),
  );
} finally {
  if (started.exitCode === null) {
    process.kill(-started.pid!, 'SIGTERM');
    await new Promise((r) => started.once('exit', r));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
