// deleteUser and deleteProduct erase a shopper or a product with everything recorded of them: the row,
// ratings, events and matrix rows, in one transaction; nothing of them is served afterwards and the
// next run does not know them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, retrainAndWait, type TestApi } from '../helpers/api.js';
import { seedShop } from '../../src/ingest/synthetic.js';

let api: TestApi;
let backend: string;
before(async () => {
  api = await startTestApi();
  await seedShop(api.db.store, { users: 60, products: 50, ratings: 1500, seed: 9 });
  backend = await api.createKey('backend');
  const run = await retrainAndWait(api, { epochs: 2, ensembleSize: 1 });
  assert.equal(run.status, 'SUCCEEDED', JSON.stringify(run));
});
after(async () => api?.close());

async function traces(table: 'users' | 'products', externalId: string) {
  const column = table === 'users' ? 'user_id' : 'product_id';
  const { rows } = await api.db.store.pool.query(
    `SELECT (SELECT count(*) FROM ${table} WHERE external_id = $1)::int AS row,
            (SELECT count(*) FROM ratings WHERE ${column} = $2)::int AS ratings,
            (SELECT count(*) FROM events WHERE ${column} = $2)::int AS events,
            (SELECT count(*) FROM predictions WHERE ${column} = $2)::int AS predictions`,
    [externalId, (await api.db.store.pool.query(`SELECT id FROM ${table} WHERE external_id = $1`, [externalId])).rows[0]?.id ?? -1],
  );
  return rows[0];
}

const internalId = async (table: 'users' | 'products', externalId: string) =>
  (await api.db.store.pool.query<{ id: number }>(`SELECT id FROM ${table} WHERE external_id = $1`, [externalId])).rows[0].id;

test('deleteUser erases the user, their ratings, events and matrix rows; nothing of them is served; the next run forgets them', async () => {
  const user = (await api.db.store.pool.query<{ external_id: string }>('SELECT external_id FROM users ORDER BY id LIMIT 1')).rows[0].external_id;
  const { rows: products } = await api.db.store.pool.query<{ external_id: string }>('SELECT external_id FROM products ORDER BY id LIMIT 1');
  await api.gql(
    `mutation($e: [EventInput!]!) { recordEvents(events: $e) }`,
    { e: [{ userId: user, productId: products[0].external_id, type: 'VIEW' }] },
    backend,
  );
  const id = await internalId('users', user);
  const before = await traces('users', user);
  assert.ok(before.row === 1 && before.ratings > 0 && before.events === 1 && before.predictions > 0, JSON.stringify(before));

  const erased = await api.gql(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: user }, backend);
  assert.equal(erased.data.deleteUser, true);
  const { rows } = await api.db.store.pool.query(
    `SELECT (SELECT count(*) FROM ratings WHERE user_id = $1)::int + (SELECT count(*) FROM events WHERE user_id = $1)::int
          + (SELECT count(*) FROM predictions WHERE user_id = $1)::int + (SELECT count(*) FROM users WHERE id = $1)::int AS left`,
    [id],
  );
  assert.equal(rows[0].left, 0);
  assert.equal((await api.gql(`mutation($id: ID!) { deleteUser(id: $id) }`, { id: user }, backend)).data.deleteUser, false);

  // Their id is answered as any id never seen: the popular list, with nothing of theirs left out.
  const served = await api.gql(`query($u: ID!) { recommendations(userId: $u) { reason } }`, { u: user }, backend);
  assert.equal(served.errors, undefined, JSON.stringify(served.errors));
  assert.ok(served.data.recommendations.length > 0 && served.data.recommendations.every((r: { reason: string }) => r.reason === 'POPULAR'));
  const never = await api.gql(`{ recommendations(userId: "never-seen") { product { id } } }`, {}, backend);
  assert.deepEqual(
    (await api.gql(`query($u: ID!) { recommendations(userId: $u) { product { id } } }`, { u: user }, backend)).data.recommendations,
    never.data.recommendations,
  );
  assert.equal((await api.gql(`query($u: ID!) { user(id: $u) { id } }`, { u: user }, backend)).data.user, null);
  const others = (await api.db.store.pool.query<{ external_id: string }>('SELECT external_id FROM users ORDER BY id LIMIT 5')).rows.map((r) => r.external_id);
  const similar = await api.gql(`query($u: ID!) { similarUsers(userId: $u, first: 100) { user { id } } }`, { u: others[0] }, backend);
  assert.ok(!similar.data.similarUsers.some((s: { user: { id: string } }) => s.user.id === user));

  const next = await retrainAndWait(api, { epochs: 2, ensembleSize: 1 }, 'id status dataCounts');
  assert.equal(next.status, 'SUCCEEDED');
  const vocabulary = await api.gql('{ activeModel { dataCounts } }', {}, backend);
  assert.equal(vocabulary.data.activeModel.dataCounts.ratedUsers, 59);
});

test('deleteProduct erases the product, its ratings, events and matrix rows, and it leaves every list', async () => {
  // The product most often first in a list: it is surely served before the erasure.
  const { rows } = await api.db.store.pool.query<{ external_id: string }>(
    `SELECT p.external_id FROM predictions m JOIN products p ON p.id = m.product_id GROUP BY p.external_id ORDER BY max(m.score) DESC LIMIT 1`,
  );
  const product = rows[0].external_id;
  const users = (await api.db.store.pool.query<{ external_id: string }>('SELECT external_id FROM users ORDER BY id')).rows.map((r) => r.external_id);
  const listed = async () => {
    const answer = await api.gql(
      `query($ids: [ID!]!) { recommendationsForUsers(userIds: $ids, first: 50) { recommendations { product { id } } } }`,
      { ids: users },
      backend,
    );
    return answer.data.recommendationsForUsers.flatMap((entry: { recommendations: { product: { id: string } }[] }) =>
      entry.recommendations.map((r) => r.product.id),
    );
  };
  assert.ok((await listed()).includes(product));
  await api.gql(`mutation($e: [EventInput!]!) { recordEvents(events: $e) }`, { e: [{ userId: users[0], productId: product, type: 'CART' }] }, backend);
  const id = await internalId('products', product);

  assert.equal((await api.gql(`mutation($id: ID!) { deleteProduct(id: $id) }`, { id: product }, backend)).data.deleteProduct, true);
  const left = await api.db.store.pool.query(
    `SELECT (SELECT count(*) FROM ratings WHERE product_id = $1)::int + (SELECT count(*) FROM events WHERE product_id = $1)::int
          + (SELECT count(*) FROM predictions WHERE product_id = $1)::int + (SELECT count(*) FROM products WHERE id = $1)::int AS left`,
    [id],
  );
  assert.equal(left.rows[0].left, 0);
  assert.ok(!(await listed()).includes(product));
  const page = await api.gql(`query($u: ID!) { unratedProductScores(userId: $u, first: 100) { edges { node { product { id } } } } }`, { u: users[1] }, backend);
  assert.ok(!page.data.unratedProductScores.edges.some((e: { node: { product: { id: string } } }) => e.node.product.id === product));
  const popular = await api.gql(`mutation { upsertUser(input: { id: "fresh" }) { recommendations(first: 50) { product { id } reason } } }`, {}, backend);
  assert.ok(popular.data.upsertUser.recommendations.every((r: { reason: string }) => r.reason === 'POPULAR'));
  assert.ok(!popular.data.upsertUser.recommendations.some((r: { product: { id: string } }) => r.product.id === product));
  assert.equal((await api.gql(`{ product(id: "${product}") { id } }`, {}, backend)).data.product, null);
});
