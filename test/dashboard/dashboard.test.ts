// The dashboard in a real browser against the real service: signing in (a wrong key and a non-admin key
// refused), the active run's id and RMSE, a chart drawn, a retrain started from the form and watched to its
// end without reloading, a comparison, and the key never in a URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestApi, retrainAndWait, TEST_TOKEN, type TestApi } from '../helpers/api.js';
import { launchChromium, skipWithoutChromium } from '../helpers/browser.js';
import { seedShop } from '../../src/ingest/synthetic.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const skip = skipWithoutChromium();
let api: TestApi;
let browser: Browser;
let origin: string;
let firstRun: { id: string; metrics: { network: { rmse: number } } };
let built: string;

before(async () => {
  if (skip) return;
  // The app as `npm run build` makes it, into a folder of this test's own.
  built = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-'));
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src/dashboard/web/vite.config.ts', '--outDir', built],
    { cwd: ROOT, stdio: 'pipe' },
  );
  api = await startTestApi({ DASHBOARD_DIR: built, RETRAIN_CRON: '0 3 * * *' });
  origin = new URL(api.url).origin;
  await seedShop(api.db.store, { users: 60, products: 40, ratings: 1200, seed: 9 });
  firstRun = await retrainAndWait(api, { epochs: 3, ensembleSize: 2 }, 'id status metrics { network { rmse } }');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await api?.close();
  if (built) fs.rmSync(built, { recursive: true, force: true });
});

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${origin}/dashboard`);
  await page.fill('#admin-key', key);
  await page.click('#sign-in button[type=submit]');
}

test('a wrong key and a key below admin are refused, with what to do', { skip }, async () => {
  const page = await browser.newPage();
  await signIn(page, 'not-a-key');
  await page.waitForSelector('#sign-in-error:has-text("not valid")');
  await page.fill('#admin-key', await api.createKey('backend'));
  await page.click('#sign-in button[type=submit]');
  await page.waitForSelector('#sign-in-error:has-text("not an admin key")');
  assert.equal(await page.locator('#nav').isVisible(), false);
  await page.close();
});

test("signed in: the active run's id and validation RMSE, the next scheduled run, and charts with a size", { skip }, async () => {
  const page = await browser.newPage();
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  await signIn(page, TEST_TOKEN);
  await page.waitForSelector('#active-model .run-id');
  assert.equal(await page.textContent('#active-model .run-id'), `#${firstRun.id}`);
  assert.equal(await page.textContent('#active-model .rmse'), firstRun.metrics.network.rmse.toFixed(4));
  assert.match((await page.textContent('#schedule'))!, /0 3 \* \* \* UTC/);
  assert.equal(await page.textContent('#stat-users .value'), '60');
  assert.match((await page.textContent('#drift'))!, /Within limits/);

  await page.click(`#active-model .run-id`);
  await page.waitForSelector('#epoch-charts canvas');
  const charts = await page.$$eval('#epoch-charts canvas', (canvases) =>
    (canvases as HTMLCanvasElement[]).map((canvas) => {
      const { width, height } = canvas.getBoundingClientRect();
      // Pixels drawn: not a blank canvas.
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let k = 3; k < pixels.length; k += 4) if (pixels[k] > 0) painted++;
      return { width, height, painted };
    }),
  );
  assert.equal(charts.length, 2, 'one chart per network of the ensemble');
  for (const chart of charts) assert.ok(chart.width > 100 && chart.height > 100 && chart.painted > 1000, JSON.stringify(chart));
  assert.match((await page.textContent('#run-config'))!, /"ensembleSize": 2/);
  // The key went in a header, never into an address.
  assert.ok(
    urls.every((url) => !url.includes(TEST_TOKEN)),
    urls.join('\n'),
  );
  await page.close();
});

test('a retrain started from the form is watched to its end without reloading, then compared with the first', { skip }, async () => {
  const page = await browser.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  let loads = 0;
  page.on('load', () => loads++);
  await signIn(page, TEST_TOKEN);
  await page.waitForSelector('#active-model');
  await page.click('a[href="#/retrain"]');
  await page.fill('#config-epochs', '4');
  await page.fill('#config-ensembleSize', '1');
  await page.check('#config-force');
  await page.click('#retrain button[type=submit]');
  await page.waitForSelector('#run-status');
  const seen = new Set<string>();
  for (const deadline = Date.now() + 120_000; !seen.has('succeeded'); ) {
    seen.add((await page.textContent('#run-status'))!);
    assert.ok(Date.now() < deadline, `statuses seen: ${[...seen]}`);
    await page.waitForTimeout(100);
  }
  assert.ok(seen.has('queued') || seen.has('running'), `statuses seen: ${[...seen]}`);
  assert.equal(loads, 1, 'the page was never reloaded');
  const runId = page.url().split('/').pop()!;

  // A value the API refuses is shown as the API words it.
  await page.click('a[href="#/retrain"]');
  await page.fill('#config-dropout', '1.5');
  await page.click('#retrain button[type=submit]');
  await page.waitForSelector('#retrain-message:has-text("dropout")');

  await page.goto(`${origin}/dashboard/#/compare/${firstRun.id}/${runId}`);
  await page.waitForSelector('#config-diff');
  const diff = (await page.textContent('#config-diff'))!;
  assert.match(diff, /model\.ensembleSize\s*2\s*1/);
  assert.match(diff, /model\.epochs\s*3\s*4/);
  assert.match((await page.textContent('#metric-diff'))!, /validation network rmse/);
  await page.close();
});

test("a search's trials: a table and the metric against each parameter, and a trial promoted from there", { skip }, async () => {
  const started = await api.gql('mutation($input: TuneInput!) { tune(input: $input) { id } }', {
    input: { trials: 3, seed: 3, base: { epochs: 2 }, space: { dropout: { min: 0.1, max: 0.6 }, learningRate: { min: 0.001, max: 0.01, log: true } } },
  });
  const id = started.data.tune.id;
  for (
    const deadline = Date.now() + 120_000;
    (await api.gql('query($id: ID!) { tuningSearch(id: $id) { status } }', { id })).data.tuningSearch.status === 'RUNNING';
  ) {
    assert.ok(Date.now() < deadline);
    await new Promise((r) => setTimeout(r, 200));
  }
  const page = await browser.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await signIn(page, TEST_TOKEN);
  await page.waitForSelector('#active-model');
  await page.goto(`${origin}/dashboard/#/tuning/${id}`);
  await page.waitForSelector('#trials');
  assert.equal(await page.locator('#trials tbody tr').count(), 3);
  const sizes = await page.$$eval('#trial-charts canvas', (canvases) => (canvases as HTMLCanvasElement[]).map((c) => c.getBoundingClientRect().width));
  assert.equal(sizes.length, 2, 'one chart per searched parameter');
  assert.ok(sizes.every((w) => w > 100));
  await page.locator('[data-promote]').first().click();
  await page.waitForSelector('#promote-message:has-text("now the default")');
  const promoted = (await api.gql('query { trainingDefaults }')).data.trainingDefaults;
  assert.equal(promoted.epochs, 2);
  await page.close();
});

test('online: lists and purchases per model with a chart, and a running experiment stopped from its table', { skip }, async () => {
  const started = await api.gql('mutation($i: ExperimentInput!) { startExperiment(input: $i) { id } }', {
    i: {
      name: 'dash',
      variants: [
        { name: 'model', runId: firstRun.id, share: 0.5 },
        { name: 'popular', runId: null, share: 0.5 },
      ],
    },
  });
  const { id } = started.data.startExperiment;
  for (let status = ''; status !== 'RUNNING'; await new Promise((r) => setTimeout(r, 100))) {
    status = (await api.gql('query($id: ID!) { experiment(id: $id) { status } }', { id })).data.experiment.status;
  }
  await new Promise((r) => setTimeout(r, 1100)); // served by every instance within a second
  // Twenty shoppers buy the first product of their list (a shopper who rated the whole catalog has none).
  let bought = 0;
  for (let n = 1; bought < 20; n++) {
    const user = `user-${String(n).padStart(2, '0')}`;
    const [top] = (await api.gql(`{ recommendations(userId: "${user}", first: 3) { recommendationId product { id } } }`)).data.recommendations;
    if (!top) continue;
    await api.gql('mutation($e: [EventInput!]!) { recordEvents(events: $e) }', {
      e: [{ userId: user, productId: top.product.id, type: 'PURCHASE', recommendationId: top.recommendationId }],
    });
    bought++;
  }
  const page = await browser.newPage();
  await signIn(page, TEST_TOKEN);
  await page.click('#nav a[href="#/online"]');
  await page.waitForSelector('#online-models');
  const rows = await page.$$eval('#online-models tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const total = rows.reduce((sum, row) => sum + Number(row[4]), 0);
  assert.equal(total, 20, JSON.stringify(rows));
  assert.ok(rows.some((row) => row[0] === `run ${firstRun.id}`) && rows.some((row) => row[0] === 'popular'), JSON.stringify(rows));
  const size = await page.$eval('canvas', (c) => c.getBoundingClientRect().width);
  assert.ok(size > 100);
  await page.waitForSelector(`table[data-experiment="${id}"]`);
  assert.match((await page.textContent('h3'))!, /dash: running/);
  await page.click(`button[data-stop="${id}"]`);
  await page.waitForSelector('h3:has-text("dash: stopped")');
  assert.equal((await api.gql('query($id: ID!) { experiment(id: $id) { status } }', { id })).data.experiment.status, 'STOPPED');
  await page.close();
});

test('the built assets are served by the service with long caching, the page with revalidation and a strict policy', { skip }, async () => {
  const page = await fetch(`${origin}/dashboard/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/);
  const html = await page.text();
  const asset = html.match(/\/dashboard\/assets\/[\w.-]+\.js/)![0];
  const script = await fetch(`${origin}${asset}`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('cache-control')!, /immutable/);
  // Compressed at build, sent to a client that takes it.
  assert.match(script.headers.get('content-encoding') ?? '', /^(br|gzip)$/);
  assert.equal((await fetch(`${origin}/dashboard`, { redirect: 'manual' })).status, 308);
  // Paths that climb out of the app's folder get nothing of the project's files.
  for (const climb of ['/dashboard/../../package.json', '/dashboard/%2e%2e/%2e%2e/package.json', '/dashboard/..%2f..%2fpackage.json']) {
    const body = await rawGet(climb);
    assert.doesNotMatch(body, /recsys-graphql/, climb);
  }
});

/** A GET with the path exactly as written (fetch would resolve the dots first). */
function rawGet(pathname: string): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: pathname }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}
