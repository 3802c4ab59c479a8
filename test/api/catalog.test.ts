import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(async () => {
  await api?.close();
});

const UPSERT_USER = `mutation($input: UpsertUserInput!) { upsertUser(input: $input) { id name attributes } }`;
const UPSERT_PRODUCT = `mutation($input: UpsertProductInput!) { upsertProduct(input: $input) { id name category price attributes } }`;
const RATE = `mutation($u: ID!, $p: ID!, $r: Float!) { rateProduct(userId: $u, productId: $p, rating: $r) { value user { id } product { id } updatedAt } }`;

async function counts() {
  const { rows } = await api.db.store.pool.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM products)::int AS products,
            (SELECT count(*) FROM ratings)::int AS ratings`,
  );
  return rows[0] as { users: number; products: number; ratings: number };
}

test('upserts users and products and reads them back by the shop id', async () => {
  const user = await api.gql(UPSERT_USER, { input: { id: 'alice', name: 'Alice', attributes: { age: 31, city: 'Lyon' } } });
  assert.deepEqual(user.data.upsertUser, { id: 'alice', name: 'Alice', attributes: { age: 31, city: 'Lyon' } });
  const renamed = await api.gql(UPSERT_USER, { input: { id: 'alice', name: 'Alice B.' } });
  assert.deepEqual(renamed.data.upsertUser, { id: 'alice', name: 'Alice B.', attributes: { age: 31, city: 'Lyon' } });

  const product = await api.gql(UPSERT_PRODUCT, {
    input: { id: 'sku-1', name: 'Kettle', category: 'kitchen', price: 29.5, attributes: { color: 'red' } },
  });
  assert.deepEqual(product.data.upsertProduct, {
    id: 'sku-1',
    name: 'Kettle',
    category: 'kitchen',
    price: 29.5,
    attributes: { color: 'red' },
  });
  const read = await api.gql(`{ user(id: "alice") { id name } product(id: "sku-1") { id name } nobody: user(id: "nobody") { id } }`);
  assert.deepEqual(read.data, { user: { id: 'alice', name: 'Alice B.' }, product: { id: 'sku-1', name: 'Kettle' }, nobody: null });
});

test('rating again replaces the rating; deleteRating removes it', async () => {
  await api.gql(UPSERT_USER, { input: { id: 'bob' } });
  await api.gql(UPSERT_PRODUCT, { input: { id: 'sku-2', name: 'Toaster' } });
  const first = await api.gql(RATE, { u: 'bob', p: 'sku-2', r: 4 });
  assert.deepEqual(
    { ...first.data.rateProduct, updatedAt: undefined },
    {
      value: 4,
      user: { id: 'bob' },
      product: { id: 'sku-2' },
      updatedAt: undefined,
    },
  );
  const second = await api.gql(RATE, { u: 'bob', p: 'sku-2', r: 2.5 });
  assert.equal(second.data.rateProduct.value, 2.5);
  assert.ok(Date.parse(second.data.rateProduct.updatedAt) >= Date.parse(first.data.rateProduct.updatedAt));
  const { rows } = await api.db.store.pool.query(`SELECT r.value FROM ratings r JOIN users u ON u.id = r.user_id WHERE u.external_id = 'bob'`);
  assert.deepEqual(rows, [{ value: 2.5 }]);

  const del = `mutation { deleteRating(userId: "bob", productId: "sku-2") }`;
  assert.equal((await api.gql(del)).data.deleteRating, true);
  assert.equal((await api.gql(del)).data.deleteRating, false);
});

test('writes need a backend key: without one they are refused whole and write nothing', async () => {
  const before = await counts();
  const missing = await api.gql(UPSERT_USER, { input: { id: 'mallory' } }, false);
  assert.equal(codeOf(missing), 'UNAUTHENTICATED');
  assert.equal(missing.status, 401);
  assert.match(missing.errors![0].message, /Authorization: Bearer/);
  assert.equal(missing.data?.upsertUser, undefined);
  const wrong = await api.gql(UPSERT_PRODUCT, { input: { id: 'evil', name: 'x' } }, 'not-the-token');
  assert.equal(codeOf(wrong), 'UNAUTHENTICATED');
  assert.match(wrong.errors![0].message, /not valid/);
  const frontend = await api.createKey('frontend');
  const forbidden = await api.gql(RATE, { u: 'alice', p: 'sku-1', r: 5 }, frontend);
  assert.equal(codeOf(forbidden), 'FORBIDDEN');
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.errors![0].message, /Mutation.rateProduct needs a backend key; this request's key is a frontend key/);
  assert.deepEqual(await counts(), before);
  // A backend key may write.
  const backend = await api.createKey('backend');
  const written = await api.gql(UPSERT_USER, { input: { id: 'mallory' } }, backend);
  assert.equal(written.errors, undefined);
  // The catalog is public; users are not.
  const products = await api.gql(`{ products(first: 1) { totalCount } }`, {}, false);
  assert.equal(products.errors, undefined);
  const users = await api.gql(`{ users(first: 1) { totalCount } }`, {}, false);
  assert.equal(codeOf(users), 'UNAUTHENTICATED');
});

test('bad input is refused with BAD_USER_INPUT and a message that says what is wrong', async () => {
  await api.gql(UPSERT_USER, { input: { id: 'carol' } });
  await api.gql(UPSERT_PRODUCT, { input: { id: 'sku-3', name: 'Lamp' } });
  const before = await counts();
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [RATE, { u: 'carol', p: 'sku-3', r: 6 }, /between 1 and 5/],
    [RATE, { u: 'carol', p: 'sku-3', r: 0 }, /between 1 and 5/],
    [RATE, { u: 'carol', p: 'sku-3', r: 3.3 }, /steps of 0.5/],
    [RATE, { u: 'carol', p: 'sku-3', r: 'four' }, /Float/],
    [RATE, { u: '', p: 'sku-3', r: 4 }, /userId must not be empty/],
    [UPSERT_USER, { input: { id: 'x'.repeat(129) } }, /at most 128 characters/],
    [UPSERT_USER, { input: { id: '  ' } }, /must not be empty/],
    [UPSERT_USER, { input: { id: 'dave', name: 'n'.repeat(257) } }, /name must be at most 256/],
    [UPSERT_USER, { input: { id: 'dave', attributes: [1, 2] } }, /attributes must be a JSON object/],
    [UPSERT_PRODUCT, { input: { id: 'sku-9', name: '' } }, /name must not be empty/],
    [UPSERT_PRODUCT, { input: { id: 'sku-9', name: 'ok', price: -1 } }, /price/],
    [`query($f: Int) { users(first: $f) { totalCount } }`, { f: 0 }, /first must be between 1 and 100/],
    [`query($f: Int) { products(first: $f) { totalCount } }`, { f: 101 }, /first must be between 1 and 100/],
    [`query($a: String) { users(after: $a) { totalCount } }`, { a: 'garbage' }, /not a valid cursor/],
  ];
  for (const [query, variables, message] of cases) {
    const response = await api.gql(query, variables);
    assert.equal(codeOf(response), 'BAD_USER_INPUT', `${JSON.stringify(variables)}: ${JSON.stringify(response.errors)}`);
    assert.match(response.errors![0].message, message);
  }
  // A cursor from one list is not accepted by another.
  const products = await api.gql(`{ products(first: 1) { pageInfo { endCursor } } }`);
  const misuse = await api.gql(`query($a: String) { users(after: $a) { totalCount } }`, {
    a: products.data.products.pageInfo.endCursor,
  });
  assert.equal(codeOf(misuse), 'BAD_USER_INPUT');
  assert.deepEqual(await counts(), before);
});

test('mutations in one request stand alone: a failing one writes nothing and answers null, the others run', async () => {
  const MIXED = `mutation($a: ID!, $c: ID!) {
    a: upsertUser(input: { id: $a }) { id }
    b: rateProduct(userId: "nobody", productId: "sku-1", rating: 4) { value }
    c: upsertUser(input: { id: $c }) { id }
  }`;
  // Twice: the first run of a query text is interpreted by graphql-js, the next is compiled (src/api/jit.ts).
  for (const round of [1, 2]) {
    const before = await counts();
    const response = await api.gql(MIXED, { a: `m${round}a`, c: `m${round}c` });
    assert.deepEqual(response.data, { a: { id: `m${round}a` }, b: null, c: { id: `m${round}c` } }, `round ${round}`);
    assert.deepEqual(
      response.errors!.map((e) => [(e as { path?: string[] }).path, e.extensions?.code]),
      [[['b'], 'NOT_FOUND']],
    );
    assert.deepEqual(await counts(), { ...before, users: before.users + 2 });
  }
});

test('rating an unknown user or product is NOT_FOUND and writes nothing', async () => {
  const before = await counts();
  const noUser = await api.gql(RATE, { u: 'ghost', p: 'sku-1', r: 4 });
  assert.equal(codeOf(noUser), 'NOT_FOUND');
  assert.match(noUser.errors![0].message, /No user with id "ghost"/);
  const noProduct = await api.gql(RATE, { u: 'alice', p: 'no-such-sku', r: 4 });
  assert.equal(codeOf(noProduct), 'NOT_FOUND');
  assert.match(noProduct.errors![0].message, /No product with id "no-such-sku"/);
  const del = await api.gql(`mutation { deleteRating(userId: "ghost", productId: "sku-1") }`);
  assert.equal(codeOf(del), 'NOT_FOUND');
  assert.deepEqual(await counts(), before);
});

test('connections page through everything once, with totalCount and a category filter', async () => {
  for (let i = 0; i < 45; i++) {
    await api.gql(UPSERT_PRODUCT, { input: { id: `page-${i}`, name: `P${i}`, category: i % 3 === 0 ? 'garden' : 'misc' } });
  }
  const seen: string[] = [];
  let after: string | null = null;
  let total = 0;
  for (;;) {
    const page: any = await api.gql(
      `query($a: String) { products(first: 7, after: $a, category: "garden") { totalCount edges { cursor node { id category } } pageInfo { hasNextPage endCursor } } }`,
      { a: after },
    );
    const { edges, pageInfo, totalCount } = page.data.products;
    total = totalCount;
    for (const edge of edges) {
      assert.equal(edge.node.category, 'garden');
      seen.push(edge.node.id);
    }
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
  }
  assert.equal(total, 15);
  assert.equal(seen.length, 15);
  assert.equal(new Set(seen).size, 15);
  const all = await api.gql(`{ products { edges { node { id } } } }`);
  assert.equal(all.data.products.edges.length, 20, 'first defaults to 20');
});

test('a page of 50 ratings with their users and products takes a handful of statements, not 100', async () => {
  await api.gql(UPSERT_PRODUCT, { input: { id: 'popular', name: 'Popular thing', category: 'hits' } });
  for (let i = 0; i < 60; i++) {
    await api.gql(UPSERT_USER, { input: { id: `fan-${i}`, name: `Fan ${i}` } });
    await api.gql(RATE, { u: `fan-${i}`, p: 'popular', r: 1 + (i % 9) / 2 });
  }
  const query = `{ product(id: "popular") { ratings(first: 50) { totalCount edges { node { value user { id name ratings(first: 3) { edges { node { product { id name } } } } } product { id name } } } pageInfo { hasNextPage } } } }`;
  let response: any;
  const statements = await api.countStatements(async () => {
    response = await api.gql(query);
  });
  assert.equal(response.errors, undefined);
  const { edges, totalCount, pageInfo } = response.data.product.ratings;
  assert.equal(edges.length, 50);
  assert.equal(totalCount, 60);
  assert.equal(pageInfo.hasNextPage, true);
  assert.equal(new Set(edges.map((e: any) => e.node.user.id)).size, 50);
  assert.ok(edges.every((e: any) => e.node.user.ratings.edges[0].node.product.id === 'popular'));
  assert.ok(statements <= 8, `expected a handful of SQL statements, got ${statements}`);
});

test('rating pages of a user are newest first with stable cursors', async () => {
  await api.gql(UPSERT_USER, { input: { id: 'eve' } });
  for (let i = 0; i < 12; i++) {
    await api.gql(UPSERT_PRODUCT, { input: { id: `eve-${i}`, name: `E${i}` } });
    await api.gql(RATE, { u: 'eve', p: `eve-${i}`, r: 3 });
  }
  const ids: string[] = [];
  let after: string | null = null;
  do {
    const page: any = await api.gql(
      `query($a: String) { user(id: "eve") { ratings(first: 5, after: $a) { edges { node { product { id } } } pageInfo { hasNextPage endCursor } } } }`,
      { a: after },
    );
    const conn = page.data.user.ratings;
    ids.push(...conn.edges.map((e: any) => e.node.product.id));
    after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
  } while (after);
  assert.deepEqual(
    ids,
    Array.from({ length: 12 }, (_, i) => `eve-${11 - i}`),
  );
});
