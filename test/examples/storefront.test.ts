// examples/storefront in Chromium: the page on its own origin, its backend script, the API; a visitor's
// views change their list, and their token reads nothing of anyone else's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startTestApi, retrainAndWait, type TestApi } from '../helpers/api.js';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../helpers/process.js';
import { ROOT } from '../helpers/cli.js';
import { seedShop } from '../../src/ingest/synthetic.js';

const EXAMPLE = path.join(ROOT, 'examples/storefront');
const skip = skipWithoutChromium();
let api: TestApi;
let browser: Browser;
let page: http.Server;
let backend: ChildProcess | undefined;
let pageOrigin: string;
let backendOrigin: string;

/** Any static server will do: this one serves the example's files. */
function staticServer(): Promise<http.Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = http.createServer((req, res) => {
    const file = path.join(EXAMPLE, new URL(req.url ?? '/', 'http://page').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(EXAMPLE) || !fs.existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  if (skip) return;
  page = await staticServer();
  pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  api = await startTestApi({ CORS_ORIGINS: pageOrigin });
  await seedShop(api.db.store, { users: 80, products: 60, ratings: 2400, seed: 12 });
  assert.equal((await retrainAndWait(api, { epochs: 2, ensembleSize: 1 }, 'status')).status, 'SUCCEEDED');
  api.service.recommender.invalidate();
  const port = await freePort();
  backendOrigin = `http://127.0.0.1:${port}`;
  const started = spawn(process.execPath, [path.join(EXAMPLE, 'backend.mjs')], {
    env: { ...process.env, RECSYS_URL: api.url, RECSYS_BACKEND_KEY: await api.createKey('backend'), PORT: String(port), STOREFRONT_ORIGIN: pageOrigin },
  });
  backend = started;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    started.stdout!.on('data', (chunk) => (output += chunk) && /storefront backend on/.test(output) && resolve());
    started.stderr!.on('data', (chunk) => (output += chunk));
    started.on('exit', (code) => reject(new Error(`backend.mjs exited ${code}: ${output}`)));
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  backend?.kill();
  page?.close();
  await api?.close();
});

test('the storefront: popular at first, personalized after three views from the browser; the token reads only its visitor', { skip }, async () => {
  const tab = await browser.newPage();
  await tab.goto(`${pageOrigin}/index.html?api=${encodeURIComponent(api.url)}&backend=${encodeURIComponent(backendOrigin)}`);
  await tab.waitForSelector('#for-you button');
  assert.match((await tab.textContent('#status'))!, /Recommended for you: POPULAR/);
  assert.equal(await tab.locator('#trending button').count(), 6);
  const visitorId = (await tab.textContent('#visitor'))!;

  // Three products viewed from the page (the events go from the browser, with the visitor token).
  for (let k = 0; k < 3; k++) {
    const button = tab.locator('#trending button').nth(k);
    const product = (await button.getAttribute('data-product'))!;
    await button.click();
    await tab.waitForFunction((id) => document.querySelector('#anchor')?.textContent === `(with ${id})`, product);
  }
  await tab.waitForFunction(() => document.querySelector('#status')?.textContent?.includes('FOLDED_IN'));
  const reasons = await tab.locator('#for-you button').evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.reason));
  assert.ok(reasons.length > 0 && reasons.every((r) => r === 'FOLDED_IN'), String(reasons));
  const { rows } = await api.db.store.pool.query<{ n: number; visitor: boolean }>(
    `SELECT count(*)::int AS n, bool_and(u.visitor) AS visitor FROM events e JOIN users u ON u.id = e.user_id WHERE u.external_id = $1 AND e.type = 'view'`,
    [visitorId],
  );
  assert.deepEqual(rows[0], { n: 3, visitor: true });
  assert.equal(await tab.locator('#also-bought button').count(), 6);

  // The page's token, used for another shopper: refused (through CORS, as the page itself would send it).
  const other = await tab.evaluate(async (url) => {
    const token = await (
      await fetch(`${new URLSearchParams(location.search).get('backend')}/visitor-token?visitor=${localStorage.getItem('visitorId')}`, { method: 'POST' })
    ).json();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.token}` },
      body: JSON.stringify({ query: '{ recommendations(userId: "user-001") { rank } }' }),
    });
    return { status: response.status, body: await response.json() };
  }, api.url);
  assert.equal(other.status, 403);
  assert.equal(other.body.errors[0].extensions.code, 'FORBIDDEN');
});
