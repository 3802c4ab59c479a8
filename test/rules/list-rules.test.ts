// Every rule on every recommendation list (recommendations, recommendationsForUsers, User.recommendations),
// and the filters on unratedProductScores with stable paging: through the real server on a trained shop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, retrainAndWait, codeOf, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';

let api: TestApi;
let backend: string;
const USER = 'u-17';
const COLD = 'newcomer';

interface Item {
  product: { id: string; category: string | null; price: number | null };
  reason: string;
  boosted: boolean;
  score: number;
}
const FIELDS = 'product { id category price } reason boosted score';

/** The three list queries, each giving the list of USER (and of COLD) with `rules`. */
const LISTS: Record<string, (user: string, rules: object | null, first?: number) => Promise<Item[]>> = {
  recommendations: async (user, rules, first = 10) =>
    (
      await api.gql(
        `query($u: ID!, $r: ListRules, $n: Int) { recommendations(userId: $u, first: $n, rules: $r) { ${FIELDS} } }`,
        { u: user, r: rules, n: first },
        backend,
      )
    ).data.recommendations,
  recommendationsForUsers: async (user, rules, first = 10) =>
    (
      await api.gql(
        `query($u: ID!, $r: ListRules, $n: Int) { recommendationsForUsers(userIds: [$u, "u-3"], first: $n, rules: $r) { recommendations { ${FIELDS} } } }`,
        { u: user, r: rules, n: first },
        backend,
      )
    ).data.recommendationsForUsers[0].recommendations,
  'User.recommendations': async (user, rules, first = 10) =>
    (
      await api.gql(
        `query($u: ID!, $r: ListRules, $n: Int) { user(id: $u) { recommendations(first: $n, rules: $r) { ${FIELDS} } } }`,
        { u: user, r: rules, n: first },
        backend,
      )
    ).data.user.recommendations,
};

before(async () => {
  api = await startTestApi({ TRENDING_WEIGHT: '100' });
  await seedShop(api.db.store, { users: 80, products: 120, ratings: 3000, seed: 4 });
  backend = await api.createKey('backend');
  await api.db.store.pool.query(`UPDATE users SET external_id = 'u-' || id`);
  const run = await retrainAndWait(api, { epochs: 3, ensembleSize: 1 });
  assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run));
  // This process serves the new model, with fresh rankings (their caches were filled before the shop existed).
  for (const deadline = Date.now() + 30_000; (await api.gql('{ activeModel { id } }')).data.activeModel?.id !== run.id; ) {
    assert.ok(Date.now() < deadline, 'the run becomes the active model');
    await new Promise((r) => setTimeout(r, 50));
  }
  api.service.recommender.invalidate();
  await api.gql(`mutation { upsertUser(input: { id: "${COLD}" }) { id } }`, {}, backend);
});
after(async () => api?.close());

for (const [name, list] of Object.entries(LISTS)) {
  test(`${name}: category, product and price filters leave out what they name and the list stays full`, async () => {
    for (const user of [USER, COLD]) {
      const plain = await list(user, null, 30);
      const top = plain[0].product;
      const byCategory = await list(user, { excludeCategories: [top.category] });
      assert.equal(byCategory.length, 10);
      assert.ok(byCategory.every((r) => r.product.category !== top.category));

      const byId = await list(user, { excludeProductIds: [top.id, plain[1].product.id] });
      assert.equal(byId.length, 10);
      assert.deepEqual(
        byId.map((r) => r.product.id),
        plain.slice(2, 12).map((r) => r.product.id),
      );

      const prices = plain.map((r) => r.product.price!).sort((a, b) => a - b);
      const [minPrice, maxPrice] = [prices[5], prices[25]];
      const byPrice = await list(user, { minPrice, maxPrice });
      assert.equal(byPrice.length, 10);
      assert.ok(byPrice.every((r) => r.product.price! >= minPrice && r.product.price! <= maxPrice));
      assert.equal(
        codeOf(await api.gql(`{ recommendations(userId: "${user}", rules: { minPrice: 5, maxPrice: 1 }) { score } }`, {}, backend)),
        'BAD_USER_INPUT',
      );
    }
  });

  test(`${name}: at most maxPerCategory products of one category`, async () => {
    for (const user of [USER, COLD]) {
      const diverse = await list(user, { maxPerCategory: 2 });
      assert.equal(diverse.length, 10);
      const counts = new Map<string, number>();
      for (const r of diverse) counts.set(r.product.category!, (counts.get(r.product.category!) ?? 0) + 1);
      assert.ok(
        [...counts.values()].every((n) => n <= 2),
        JSON.stringify([...counts]),
      );
    }
  });

  test(`${name}: a promotion lifts its product, marked boosted, while it is in force`, async () => {
    const plain = await list(USER, null, 30);
    const promoted = plain[14].product.id;
    const set = await api.gql(
      `mutation($p: ID!, $end: DateTime!) { setPromotion(input: { productIds: [$p], factor: 5, endsAt: $end }) { id factor products { id } } }`,
      { p: promoted, end: new Date(Date.now() + 3_600_000).toISOString() },
      backend,
    );
    assert.deepEqual(set.data.setPromotion.products, [{ id: promoted }]);
    try {
      const boosted = await list(USER, null);
      assert.equal(boosted[0].product.id, promoted);
      assert.equal(boosted[0].boosted, true);
      assert.ok(boosted.slice(1).every((r) => !r.boosted));
      assert.equal(boosted[0].score, plain[14].score, 'the score shown stays the prediction');
    } finally {
      await api.gql(`mutation($id: ID!) { endPromotion(id: $id) { endedAt } }`, { id: set.data.setPromotion.id }, backend);
    }
    assert.deepEqual(
      (await list(USER, null)).map((r) => r.product.id),
      plain.slice(0, 10).map((r) => r.product.id),
    );
  });

  test(`${name}: trending lifts what is bought now; a user new to the model gets the trending products first`, async () => {
    const plain = await list(USER, null, 30);
    const hot = plain[16].product.id;
    const shoppers = Array.from({ length: 30 }, (_, k) => ({ userId: `u-${k + 40}`, productId: hot, type: 'PURCHASE' }));
    assert.equal((await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, { e: shoppers }, backend)).data.recordEvents, 30);
    (api.service.recommender as unknown as { trending: { invalidate(): void } }).trending.invalidate();
    const trending = await list(USER, { trending: true });
    assert.equal(trending[0].product.id, hot);
    assert.equal(trending[0].reason, 'PERSONALIZED');
    const cold = await list(COLD, { trending: true });
    assert.equal(cold[0].product.id, hot);
    assert.ok(cold.every((r) => r.reason === 'TRENDING'));
    assert.equal(cold.length, 10);
    await api.db.store.pool.query(`DELETE FROM events WHERE type = 'purchase'`);
  });
}

test('a promotion reaches every personalized list it fits: factor 3 on the product at rank 40 of one list puts it in most top 10s', async () => {
  const { rows } = await api.db.store.pool.query<{ id: string }>(`SELECT external_id AS id FROM users WHERE external_id <> $1 ORDER BY id`, [COLD]);
  const users = rows.map((r) => r.id);
  const topTens = async () =>
    (
      await api.gql(
        `query($u: [ID!]!) { recommendationsForUsers(userIds: $u, first: 10) { user { id } recommendations { product { id } boosted reason } } }`,
        { u: users },
        backend,
      )
    ).data.recommendationsForUsers as { user: { id: string }; recommendations: { product: { id: string }; boosted: boolean; reason: string }[] }[];
  const promoted = (await LISTS.recommendations(USER, null, 40))[39].product.id;
  const showing = (lists: Awaited<ReturnType<typeof topTens>>) => lists.filter((l) => l.recommendations.some((r) => r.product.id === promoted)).length;
  const before = showing(await topTens());
  const set = await api.gql(
    `mutation($p: ID!, $end: DateTime!) { setPromotion(input: { productIds: [$p], factor: 3, endsAt: $end }) { id } }`,
    { p: promoted, end: new Date(Date.now() + 3_600_000).toISOString() },
    backend,
  );
  try {
    const lists = await topTens();
    // Every user the product may be shown to (they have not rated it) is a list it can reach.
    const { rows: open } = await api.db.store.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM users u WHERE u.external_id <> $1 AND NOT EXISTS (SELECT 1 FROM ratings r JOIN products p ON p.id = r.product_id WHERE r.user_id = u.id AND p.external_id = $2)`,
      [COLD, promoted],
    );
    const after = showing(lists);
    assert.ok(after > before && after >= open[0].n / 2, `in ${after} of ${open[0].n} top 10s (${before} before)`);
    assert.ok(lists.every((l) => l.recommendations.every((r) => r.boosted === (r.product.id === promoted))));
  } finally {
    await api.gql(`mutation($id: ID!) { endPromotion(id: $id) { endedAt } }`, { id: set.data.setPromotion.id }, backend);
  }
});

test('unratedProductScores: filters apply page after page, without repeats; reordering rules are refused', async () => {
  const pageOf = async (rules: object | null, after: string | null) =>
    (
      await api.gql(
        `query($u: ID!, $r: ListRules, $a: String) { unratedProductScores(userId: $u, first: 7, after: $a, rules: $r) { edges { cursor node { product { id category price } } } pageInfo { hasNextPage endCursor } } }`,
        { u: USER, r: rules, a: after },
        backend,
      )
    ).data.unratedProductScores;
  const walk = async (rules: object | null) => {
    const seen: { id: string; category: string | null }[] = [];
    for (let after: string | null = null, pages = 0; ; pages++) {
      const page: any = await pageOf(rules, after);
      seen.push(...page.edges.map((e: any) => e.node.product));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      assert.ok(pages < 100);
    }
    return seen;
  };
  const all = await walk(null);
  const excluded = all[0].category;
  const filtered = await walk({ excludeCategories: [excluded], excludeProductIds: [all[1].id] });
  assert.deepEqual(
    filtered.map((p) => p.id),
    all.filter((p) => p.category !== excluded && p.id !== all[1].id).map((p) => p.id),
  );
  for (const rules of [{ maxPerCategory: 1 }, { trending: true }]) {
    const refused = await api.gql(`query($r: ListRules) { unratedProductScores(userId: "${USER}", rules: $r) { totalCount } }`, { r: rules }, backend);
    assert.equal(codeOf(refused), 'BAD_USER_INPUT');
  }
});

test('setPromotion refuses unknown products, bad factors and windows; endPromotion an unknown id', async () => {
  const end = new Date(Date.now() + 60_000).toISOString();
  const set = (input: object) => api.gql(`mutation($i: PromotionInput!) { setPromotion(input: $i) { id } }`, { i: input }, backend);
  assert.equal(codeOf(await set({ productIds: ['nope'], factor: 2, endsAt: end })), 'NOT_FOUND');
  const { rows } = await api.db.store.pool.query<{ external_id: string }>('SELECT external_id FROM products LIMIT 1');
  assert.equal(codeOf(await set({ productIds: [rows[0].external_id], factor: 0, endsAt: end })), 'BAD_USER_INPUT');
  assert.equal(codeOf(await set({ productIds: [rows[0].external_id], factor: 2, endsAt: new Date(Date.now() - 1000).toISOString() })), 'BAD_USER_INPUT');
  assert.equal(codeOf(await api.gql('mutation { endPromotion(id: "999999") { id } }', {}, backend)), 'NOT_FOUND');
  assert.ok((await set({ productIds: [rows[0].external_id], factor: 2, endsAt: end })).data.setPromotion.id);
  const frontend = await api.createKey('frontend');
  assert.equal(
    codeOf(await api.gql('mutation { setPromotion(input: { productIds: ["x"], factor: 2, endsAt: "2030-01-01T00:00:00Z" }) { id } }', {}, frontend)),
    'FORBIDDEN',
  );
  assert.equal((await api.gql('{ promotions { factor } }', {}, backend)).data.promotions.length, 1);
});

// The window is the promotions' own (src/rules/promotions.ts), the same for every list: checked on one.
test("recommendations: a promotion's window: not before startsAt, in force until endsAt, not after", async () => {
  const list = LISTS.recommendations;
  const plain = await list(USER, null, 30);
  const promoted = plain[14].product.id;
  const startsAt = Date.now() + 2_500;
  const endsAt = startsAt + 3_000;
  await api.gql(
    `mutation($p: ID!, $start: DateTime!, $end: DateTime!) { setPromotion(input: { productIds: [$p], factor: 5, startsAt: $start, endsAt: $end }) { id } }`,
    { p: promoted, start: new Date(startsAt).toISOString(), end: new Date(endsAt).toISOString() },
    backend,
  );
  const top = async () => (await list(USER, null))[0].product.id;
  assert.notEqual(await top(), promoted, 'not yet');
  // Every instance applies a change within 2 s (the promotions' cache): asked again until then.
  const until = async (want: boolean, by: number) => {
    for (;;) {
      const lifted = (await top()) === promoted;
      if (lifted === want) return;
      assert.ok(Date.now() < by, `the promotion should be ${want ? 'in force' : 'over'} by now`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  await until(true, startsAt + 2_500);
  assert.ok(Date.now() >= startsAt, 'never before its start');
  await until(false, endsAt + 2_500);
  assert.ok(Date.now() >= endsAt, 'in force until its end');
});
