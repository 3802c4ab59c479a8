// A/B tests end to end through the HTTP API against PostgreSQL: a model against the popular list, each
// variant served from its own matrix to the shoppers the hash puts in it, the lists attributed to their
// variant, the analysis, a model activated meanwhile, an erased shopper, the refusals, and the stop with promote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, retrainAndWait, TEST_TOKEN, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';
import { variantOf } from '../../src/experiments/assignment.js';

let api: TestApi;
let first: string;
let second: string;
const uid = (n: number) => `user-${String(n).padStart(3, '0')}`;
const START = `mutation($i: ExperimentInput!) { startExperiment(input: $i) { id status } }`;
const SHOW = `query($id: ID!) { experiment(id: $id) { id name status metric winner alpha promotedRunId error
  variants { name runId share users lists impressions value difference differenceLow differenceHigh pValue usersNeeded } } }`;

before(async () => {
  api = await startTestApi();
  await seedShop(api.db.store, { users: 120, products: 90, ratings: 3000, seed: 5 });
  first = (await retrainAndWait(api, { epochs: 3, ensembleSize: 1, seed: 3 })).id;
  second = (await retrainAndWait(api, { epochs: 1, ensembleSize: 1, seed: 4 })).id;
  api.service.activeModel.invalidate();
});
after(async () => api?.close());

async function waitFor(id: string, status: string): Promise<any> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const experiment = (await api.gql(SHOW, { id })).data.experiment;
    if (experiment.status === status) return experiment;
    assert.ok(['PREPARING', status].includes(experiment.status), JSON.stringify(experiment));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`experiment ${id} did not reach ${status}`);
}

/** A user's best products straight from a matrix table, as the shop's ids. */
async function fromMatrix(table: string, userId: string, n: number): Promise<string[]> {
  const { rows } = await api.db.store.pool.query(
    `SELECT p.external_id AS id FROM ${table} m JOIN users u ON u.id = m.user_id JOIN products p ON p.id = m.product_id
     WHERE u.external_id = $1 ORDER BY m.score DESC, m.product_id DESC LIMIT $2`,
    [userId, n],
  );
  return rows.map((r) => r.id);
}

async function listOf(userId: string): Promise<{ recommendationId: string; reason: string; product: { id: string } }[]> {
  const answer = await api.gql(`{ recommendations(userId: "${userId}", first: 5) { recommendationId reason product { id } } }`);
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data.recommendations;
}

test('refusals: bad shares, names, runs and metrics are BAD_USER_INPUT; a frontend key is FORBIDDEN; nothing is written', async () => {
  const bad = [
    { name: 'x', variants: [{ name: 'a', runId: first, share: 1 }] },
    {
      name: 'x',
      variants: [
        { name: 'a', runId: first, share: 0.7 },
        { name: 'b', runId: null, share: 0.7 },
      ],
    },
    {
      name: 'x',
      variants: [
        { name: 'a', runId: first, share: 0.5 },
        { name: 'a', runId: null, share: 0.5 },
      ],
    },
    {
      name: 'x',
      variants: [
        { name: 'a', runId: '999', share: 0.5 },
        { name: 'b', runId: null, share: 0.5 },
      ],
    },
    {
      name: 'x',
      variants: [
        { name: 'a', runId: 'one', share: 0.5 },
        { name: 'b', runId: null, share: 0.5 },
      ],
    },
    {
      name: '',
      variants: [
        { name: 'a', runId: first, share: 0.5 },
        { name: 'b', runId: null, share: 0.5 },
      ],
    },
    {
      name: 'x',
      minDetectableEffect: 0,
      variants: [
        { name: 'a', runId: first, share: 0.5 },
        { name: 'b', runId: null, share: 0.5 },
      ],
    },
  ];
  for (const input of bad) assert.equal(codeOf(await api.gql(START, { i: input })), 'BAD_USER_INPUT', JSON.stringify(input));
  const valid = {
    name: 'x',
    variants: [
      { name: 'a', runId: first, share: 0.5 },
      { name: 'b', runId: null, share: 0.5 },
    ],
  };
  assert.equal(codeOf(await api.gql(START, { i: valid }, await api.createKey('frontend'))), 'FORBIDDEN');
  assert.equal(codeOf(await api.gql(START, { i: valid }, await api.createKey('backend'))), 'FORBIDDEN');
  assert.equal(codeOf(await api.gql(SHOW, { id: '1' })), 'NOT_FOUND');
  assert.equal(codeOf(await api.gql(`mutation { stopExperiment(id: "1") { id } }`)), 'NOT_FOUND');
  assert.equal((await api.db.store.pool.query('SELECT count(*)::int AS n FROM experiments')).rows[0].n, 0);
});

test('a model against the popular list: sticky variants, each served from its own matrix, attributed, analysed, promoted', async () => {
  const started = await api.gql(START, {
    i: {
      name: 'model vs popular',
      metric: 'CONVERSION',
      minDetectableEffect: 0.2,
      variants: [
        { name: 'popular', runId: null, share: 0.45 },
        { name: 'model', runId: first, share: 0.45 },
      ],
    },
  });
  assert.equal(started.errors, undefined, JSON.stringify(started.errors));
  const { id } = started.data.startExperiment;
  assert.equal(started.data.startExperiment.status, 'PREPARING');
  const again = await api.gql(START, {
    i: {
      name: 'second',
      variants: [
        { name: 'a', runId: first, share: 0.5 },
        { name: 'b', runId: null, share: 0.5 },
      ],
    },
  });
  assert.equal(codeOf(again), 'CONFLICT');
  await waitFor(id, 'RUNNING');

  const { salt } = (await api.db.store.prisma.experiment.findUniqueOrThrow({ where: { id: Number(id) } })) as { salt: string };
  const variants = [
    { name: 'popular', runId: null, share: 0.45 },
    { name: 'model', runId: Number(first), share: 0.45 },
  ];
  const groups: Record<string, string[]> = { popular: [], model: [], none: [] };
  for (let n = 1; n <= 120; n++) groups[variantOf(variants, salt, uid(n))?.name ?? 'none'].push(uid(n));
  // About 54, 54 and 12 of 120: these bounds are 4 standard deviations out or more.
  assert.ok(groups.popular.length > 30 && groups.model.length > 30 && groups.none.length > 0, JSON.stringify(groups));

  // Activating another run meanwhile changes only what the shoppers outside the experiment see.
  const activated = await api.gql(`mutation { activateModel(id: "${second}") { id active } }`);
  assert.deepEqual(activated.data.activateModel, { id: second, active: true }, JSON.stringify(activated.errors));

  for (const user of groups.model.slice(0, 5)) {
    const list = await listOf(user);
    assert.ok(list.every((r) => r.reason === 'PERSONALIZED'));
    assert.deepEqual(
      list.map((r) => r.product.id),
      await fromMatrix(`predictions_run_${first}`, user, 5),
      'the variant is served from its own run’s matrix',
    );
    assert.deepEqual(
      (await listOf(user)).map((r) => r.product.id),
      list.map((r) => r.product.id),
      'sticky',
    );
  }
  for (const user of groups.popular.slice(0, 5))
    assert.ok(
      (await listOf(user)).every((r) => r.reason === 'POPULAR'),
      user,
    );
  for (const user of groups.none.slice(0, 3)) {
    assert.deepEqual(
      (await listOf(user)).map((r) => r.product.id),
      await fromMatrix('predictions', user, 5),
      'outside: the active run',
    );
  }
  // A batch splits by variant too.
  const batch = (
    await api.gql(`query($u: [ID!]!) { recommendationsForUsers(userIds: $u, first: 3) { user { id } recommendations { reason } } }`, {
      u: [groups.model[0], groups.popular[0]],
    })
  ).data.recommendationsForUsers;
  assert.deepEqual(
    batch.map((b: { recommendations: { reason: string }[] }) => b.recommendations[0].reason),
    ['PERSONALIZED', 'POPULAR'],
  );

  // Every model-variant shopper buys the first product of a list; the popular variant's buy nothing.
  for (const user of groups.model) {
    const [top] = await listOf(user);
    await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, {
      e: [{ userId: user, productId: top.product.id, type: 'PURCHASE', value: 10, recommendationId: top.recommendationId }],
    });
  }
  for (const user of groups.popular) await listOf(user);
  const analysed = (await api.gql(SHOW, { id })).data.experiment;
  const [popular, model] = analysed.variants;
  assert.equal(model.runId, first);
  assert.equal(popular.runId, null);
  assert.equal(model.users, groups.model.length);
  assert.ok(popular.users >= groups.popular.length);
  assert.equal(popular.value, 0);
  assert.ok(model.value > 0.05, JSON.stringify(model));
  assert.ok(model.pValue < 0.001 && model.differenceLow > 0, JSON.stringify(model));
  assert.equal(analysed.winner, 'model');
  assert.equal(analysed.alpha, 0.05);
  const byVariant = (
    await api.gql(`query($f: DateTime!, $t: DateTime!) { onlineMetrics(from: $f, to: $t, groupBy: VARIANT) { group purchases } }`, {
      f: new Date(Date.now() - 3_600_000).toISOString(),
      t: new Date(Date.now() + 3_600_000).toISOString(),
    })
  ).data.onlineMetrics;
  assert.deepEqual(byVariant.find((g: { group: string }) => g.group === `experiment ${id}: model`)?.purchases, groups.model.length);

  // The same in /metrics, per variant and per model.
  const scraped = await (await fetch(api.url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
  assert.match(scraped, new RegExp(`recsys_online_purchases\\{grouping="variant",group="experiment ${id}: model"\\} ${groups.model.length}\\n`));
  assert.match(scraped, new RegExp(`recsys_online_purchases\\{grouping="model",group="run ${first}"\\} ${groups.model.length}\\n`));

  // An erased shopper leaves the experiment: their rows of the variant matrix and their lists go with them.
  const gone = groups.model[1];
  assert.equal((await api.gql(`mutation { deleteUser(id: "${gone}") }`)).data.deleteUser, true);
  const { rows } = await api.db.store.pool.query(
    `SELECT (SELECT count(*) FROM impressions WHERE user_external_id = $1)::int AS lists,
            (SELECT count(*) FROM predictions_run_${first} m WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id))::int AS orphans`,
    [gone],
  );
  assert.deepEqual(rows[0], { lists: 0, orphans: 0 });

  // Stopping with promote activates the winner's run; the shoppers are back on the active model.
  const stopped = await api.gql(`mutation { stopExperiment(id: "${id}", promote: true) { status winner promotedRunId } }`);
  assert.deepEqual(stopped.data.stopExperiment, { status: 'STOPPED', winner: 'model', promotedRunId: first }, JSON.stringify(stopped.errors));
  const runs = (await api.gql(`{ modelRun(id: "${first}") { active } }`)).data.modelRun;
  assert.equal(runs.active, true);
  await new Promise((r) => setTimeout(r, 1100));
  const user = groups.popular[0];
  assert.deepEqual(
    (await listOf(user)).map((r) => r.product.id),
    await fromMatrix('predictions', user, 5),
  );
  assert.equal(codeOf(await api.gql(`mutation { stopExperiment(id: "${id}") { id } }`)), 'NOT_FOUND');

  // The reaper drops the variant matrix once the experiment has been stopped a minute.
  await api.db.store.pool.query(`UPDATE experiments SET stopped_at = now() - interval '2 minutes' WHERE id = $1`, [Number(id)]);
  await api.service.scheduler.recover();
  const left = await api.db.store.pool.query(`SELECT to_regclass('predictions_run_${first}') AS t`);
  assert.equal(left.rows[0].t, null);
});

test("the active run's variant reads the served matrix, which an activation meanwhile keeps for it; no winner yet: promote is refused", async () => {
  // Run `first` is active (promoted above); `second` gets a matrix of its own.
  const started = await api.gql(START, {
    i: {
      name: 'first vs second',
      variants: [
        { name: 'a', runId: first, share: 0.5 },
        { name: 'b', runId: second, share: 0.5 },
      ],
    },
  });
  const { id } = started.data.startExperiment;
  await waitFor(id, 'RUNNING');
  const tables = async () =>
    (
      await api.db.store.pool.query(
        `SELECT to_regclass('predictions_run_${first}') IS NOT NULL AS a, to_regclass('predictions_run_${second}') IS NOT NULL AS b`,
      )
    ).rows[0];
  assert.deepEqual(await tables(), { a: false, b: true });
  const { salt } = (await api.db.store.prisma.experiment.findUniqueOrThrow({ where: { id: Number(id) } })) as { salt: string };
  // Shoppers still in the shop (the test above erased one, who has no rows in any matrix), in variant a.
  const present = new Set((await api.db.store.pool.query('SELECT external_id FROM users')).rows.map((r) => r.external_id as string));
  const inA = Array.from({ length: 120 }, (_, k) => uid(k + 1)).filter(
    (u) => present.has(u) && variantOf([{ name: 'a', runId: 1, share: 0.5 }], salt, u) !== null,
  );
  const servedBefore = await listOf(inA[0]);
  assert.deepEqual(
    servedBefore.map((r) => r.product.id),
    await fromMatrix('predictions', inA[0], 5),
  );

  // Activating `second` keeps the outgoing matrix as `first`'s variant matrix: variant a's lists do not change.
  const activated = await api.gql(`mutation { activateModel(id: "${second}") { id active } }`);
  assert.deepEqual(activated.data.activateModel, { id: second, active: true }, JSON.stringify(activated.errors));
  assert.deepEqual(await tables(), { a: true, b: true });
  await new Promise((r) => setTimeout(r, 1100));
  assert.deepEqual(
    (await listOf(inA[0])).map((r) => r.product.id),
    servedBefore.map((r) => r.product.id),
  );
  assert.deepEqual(
    servedBefore.map((r) => r.product.id),
    await fromMatrix(`predictions_run_${first}`, inA[0], 5),
  );

  const refused = await api.gql(`mutation { stopExperiment(id: "${id}", promote: true) { id } }`);
  assert.equal(codeOf(refused), 'BAD_USER_INPUT');
  assert.match(refused.errors![0].message, /No variant has won yet/);
  assert.equal((await api.gql(SHOW, { id })).data.experiment.status, 'RUNNING');
  const stopped = await api.gql(`mutation { stopExperiment(id: "${id}") { status winner } }`);
  assert.deepEqual(stopped.data.stopExperiment, { status: 'STOPPED', winner: null });
});
