// upsertUsers and upsertProducts: up to 1,000 a call in one statement, all or none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';

let api: TestApi;
let backend: string;
before(async () => {
  api = await startTestApi();
  backend = await api.createKey('backend');
});
after(async () => api?.close());

const PRODUCTS = `mutation($inputs: [UpsertProductInput!]!) { upsertProducts(inputs: $inputs) }`;
const USERS = `mutation($inputs: [UpsertUserInput!]!) { upsertUsers(inputs: $inputs) }`;
const count = async (table: 'users' | 'products') => (await api.db.store.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

test('upsertProducts creates and updates 1,000 products in a call; omitted fields keep their stored values', async () => {
  const inputs = Array.from({ length: 1000 }, (_, k) => ({
    id: `sku-${k}`,
    name: `Product ${k}`,
    category: k % 2 ? 'tea' : 'mugs',
    price: k + 0.5,
    attributes: { colour: k % 3 ? 'red' : 'blue' },
  }));
  assert.equal((await api.gql(PRODUCTS, { inputs }, backend)).data.upsertProducts, 1000);
  assert.equal(await count('products'), 1000);

  // A rename that says nothing of the rest keeps it; a price set to null clears it; available false is stored.
  const changed = await api.gql(
    PRODUCTS,
    {
      inputs: [
        { id: 'sku-1', name: 'Green tea' },
        { id: 'sku-2', name: 'Mug', price: null, available: false },
        { id: 'sku-new', name: 'Kettle' },
      ],
    },
    backend,
  );
  assert.equal(changed.data.upsertProducts, 3);
  const { rows } = await api.db.store.pool.query(
    `SELECT external_id, name, category, price, attributes, available, repurchasable FROM products WHERE external_id IN ('sku-1', 'sku-2', 'sku-new') ORDER BY external_id`,
  );
  assert.deepEqual(rows, [
    { external_id: 'sku-1', name: 'Green tea', category: 'tea', price: 1.5, attributes: { colour: 'red' }, available: true, repurchasable: false },
    { external_id: 'sku-2', name: 'Mug', category: 'mugs', price: null, attributes: { colour: 'red' }, available: false, repurchasable: false },
    { external_id: 'sku-new', name: 'Kettle', category: null, price: null, attributes: {}, available: true, repurchasable: false },
  ]);
  // What the single upsert answers agrees.
  const one = await api.gql(`{ product(id: "sku-1") { name category price } }`);
  assert.deepEqual(one.data.product, { name: 'Green tea', category: 'tea', price: 1.5 });
});

test('a bad input, a repeated id, over 1,000 inputs or a frontend key refuses the whole call and writes nothing', async () => {
  const before = await count('products');
  const badPrice = await api.gql(
    PRODUCTS,
    {
      inputs: [
        { id: 'fine-1', name: 'Fine' },
        { id: 'bad-1', name: 'Bad', price: -1 },
      ],
    },
    backend,
  );
  assert.equal(codeOf(badPrice), 'BAD_USER_INPUT');
  assert.match(badPrice.errors![0].message, /inputs\[1\]\.price must be a number ≥ 0/);

  const twice = await api.gql(
    PRODUCTS,
    {
      inputs: [
        { id: 'twice', name: 'A' },
        { id: 'twice', name: 'B' },
      ],
    },
    backend,
  );
  assert.equal(codeOf(twice), 'BAD_USER_INPUT');
  assert.match(twice.errors![0].message, /inputs\[1\]\.id "twice" is given twice/);

  const tooMany = await api.gql(PRODUCTS, { inputs: Array.from({ length: 1001 }, (_, k) => ({ id: `many-${k}`, name: 'x' })) }, backend);
  assert.equal(codeOf(tooMany), 'BAD_USER_INPUT');
  assert.match(tooMany.errors![0].message, /at most 1000 inputs a call, got 1001/);

  const frontend = await api.gql(PRODUCTS, { inputs: [{ id: 'front', name: 'x' }] }, await api.createKey('frontend'));
  assert.equal(codeOf(frontend), 'FORBIDDEN');
  assert.equal(await count('products'), before);
});

test('upsertUsers creates and updates users in a call; a visitor written so becomes a user', async () => {
  // A visitor, made by its event.
  await api.gql(`mutation { recordEvents(events: [{ userId: "cookie-9", productId: "sku-3", type: VIEW }]) }`, {}, backend);
  const written = await api.gql(
    USERS,
    {
      inputs: [{ id: 'u-1', name: 'Ann', attributes: { age: 31 } }, { id: 'u-2' }, { id: 'cookie-9', name: 'Signed up' }],
    },
    backend,
  );
  assert.equal(written.data.upsertUsers, 3);
  await api.gql(USERS, { inputs: [{ id: 'u-1', attributes: { age: 32 } }] }, backend);
  const { rows } = await api.db.store.pool.query(
    `SELECT external_id, name, attributes, visitor FROM users WHERE external_id IN ('u-1', 'u-2', 'cookie-9') ORDER BY external_id`,
  );
  assert.deepEqual(rows, [
    { external_id: 'cookie-9', name: 'Signed up', attributes: {}, visitor: false },
    { external_id: 'u-1', name: 'Ann', attributes: { age: 32 }, visitor: false },
    { external_id: 'u-2', name: null, attributes: {}, visitor: false },
  ]);

  const before = await count('users');
  const bad = await api.gql(USERS, { inputs: [{ id: 'ok' }, { id: ' padded' }] }, backend);
  assert.equal(codeOf(bad), 'BAD_USER_INPUT');
  assert.match(bad.errors![0].message, /inputs\[1\]\.id must not start or end with whitespace/);
  assert.equal(await count('users'), before);
});
