// Every field of the API against every kind of caller, table-driven. The table
// must name every root field: a field added to schema.graphql without a row here
// fails the first test, and one without an @access mark stops the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema as buildSdl } from 'graphql';
import { startTestApi, codeOf, type TestApi } from '../helpers/api.js';
import { buildSchema } from '../../src/api/server.js';
import { fieldRoles } from '../../src/access/field-access.js';
import { roleAllows, type Role } from '../../src/access/roles.js';

let api: TestApi;
const keys: Record<Role, string> = {} as Record<Role, string>;

/** The least role of each root field, and an operation that uses it on the data made below. */
const ROOT_FIELDS: Record<string, { role: Role; query: string }> = {
  'Query.user': { role: 'backend', query: '{ user(id: "u1") { id } }' },
  'Query.users': { role: 'backend', query: '{ users(first: 1) { totalCount } }' },
  'Query.product': { role: 'frontend', query: '{ product(id: "p1") { id name category price attributes createdAt } }' },
  'Query.products': { role: 'frontend', query: '{ products(first: 1) { edges { node { id } } pageInfo { hasNextPage } totalCount } }' },
  'Query.modelRuns': { role: 'backend', query: '{ modelRuns { id status } }' },
  'Query.modelRun': { role: 'backend', query: '{ modelRun(id: "1") { id } }' },
  'Query.activeModel': {
    role: 'frontend',
    query:
      '{ activeModel { id status trigger forced active backend metrics { validationRatings } history { epoch } phases progress { phase } reason createdAt } }',
  },
  'Query.score': { role: 'frontend', query: '{ score(userId: "u1", productId: "p1") }' },
  'Query.scores': { role: 'frontend', query: '{ scores(pairs: [{ userId: "u1", productId: "p1" }]) }' },
  'Query.apiKeys': { role: 'admin', query: '{ apiKeys { id } }' },
  'Query.recommendations': { role: 'frontend', query: '{ recommendations(userId: "u1") { rank score reason product { id } } }' },
  'Query.recommendationsForUsers': {
    role: 'frontend',
    query: '{ recommendationsForUsers(userIds: ["u1"]) { user { id recommendations { rank } } recommendations { rank } } }',
  },
  'Query.unratedProductScores': {
    role: 'frontend',
    query: '{ unratedProductScores(userId: "u1") { edges { cursor node { score reason product { id } } } totalCount } }',
  },
  'Query.onlineMetrics': {
    role: 'backend',
    query: '{ onlineMetrics(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { group lists clickThrough { value } } }',
  },
  'Query.popularProducts': { role: 'frontend', query: '{ popularProducts(first: 3) { rank product { id } } }' },
  'Query.trendingProducts': { role: 'frontend', query: '{ trendingProducts(first: 3) { rank product { id } } }' },
  'Query.productsBoughtTogether': { role: 'frontend', query: '{ productsBoughtTogether(productId: "p1") { rank reason product { id } } }' },
  'Query.productsViewedTogether': { role: 'frontend', query: '{ productsViewedTogether(productId: "p1") { rank reason product { id } } }' },
  'Query.similarProducts': { role: 'frontend', query: '{ similarProducts(productId: "p1") { similarity product { id } } }' },
  'Query.similarUsers': { role: 'backend', query: '{ similarUsers(userId: "u1") { similarity user { id } } }' },
  'Mutation.upsertUser': { role: 'backend', query: 'mutation { upsertUser(input: { id: "u9" }) { id } }' },
  'Mutation.upsertProduct': { role: 'backend', query: 'mutation { upsertProduct(input: { id: "p9", name: "Nine" }) { id } }' },
  'Mutation.upsertUsers': { role: 'backend', query: 'mutation { upsertUsers(inputs: [{ id: "u8" }]) }' },
  'Mutation.upsertProducts': { role: 'backend', query: 'mutation { upsertProducts(inputs: [{ id: "p8", name: "Eight" }]) }' },
  'Mutation.mergeVisitor': { role: 'backend', query: 'mutation { mergeVisitor(visitorId: "never-seen", userId: "u1") { id } }' },
  'Mutation.rateProduct': { role: 'backend', query: 'mutation { rateProduct(userId: "u1", productId: "p2", rating: 4) { value } }' },
  'Mutation.deleteRating': { role: 'backend', query: 'mutation { deleteRating(userId: "u1", productId: "p3") }' },
  'Mutation.deleteUser': { role: 'backend', query: 'mutation { deleteUser(id: "nobody") }' },
  'Mutation.deleteProduct': { role: 'backend', query: 'mutation { deleteProduct(id: "nothing") }' },
  'Mutation.recordEvents': { role: 'backend', query: 'mutation { recordEvents(events: [{ userId: "u1", productId: "p1", type: VIEW }]) }' },
  'Mutation.setPromotion': {
    role: 'backend',
    query: 'mutation { setPromotion(input: { productIds: ["p1"], factor: 1.5, endsAt: "2099-01-01T00:00:00Z" }) { id factor products { id } } }',
  },
  'Mutation.endPromotion': { role: 'backend', query: 'mutation { endPromotion(id: "1") { id endedAt } }' },
  'Query.promotions': { role: 'backend', query: '{ promotions { id factor startsAt endsAt createdAt } }' },
  'Mutation.retrain': { role: 'admin', query: 'mutation { retrain { id status } }' },
  'Mutation.activateModel': { role: 'admin', query: 'mutation { activateModel(id: "424242") { id } }' },
  'Query.shopStats': { role: 'backend', query: '{ shopStats(days: 7) { users products ratings events growth { day ratings } } }' },
  'Query.trainingSchedule': { role: 'admin', query: '{ trainingSchedule { cron nextRunAt } }' },
  'Query.drift': { role: 'backend', query: '{ drift { exceeded measures { name value } } }' },
  'Query.tuningSearches': { role: 'admin', query: '{ tuningSearches { id status } }' },
  'Query.tuningSearch': { role: 'admin', query: '{ tuningSearch(id: "1") { id } }' },
  'Query.trainingDefaults': { role: 'admin', query: '{ trainingDefaults }' },
  // Refused as bad input (no search starts here), which only an admin gets to hear.
  'Mutation.tune': { role: 'admin', query: 'mutation { tune(input: { trials: 0 }) { id } }' },
  'Mutation.promoteConfig': { role: 'admin', query: 'mutation { promoteConfig(runId: "424242") }' },
  'Query.experiments': { role: 'backend', query: '{ experiments { id status variants { name value } } }' },
  'Query.experiment': { role: 'backend', query: '{ experiment(id: "424242") { id } }' },
  // Refused as bad input or not found (nothing starts or stops here), which only an admin gets to hear.
  'Mutation.startExperiment': { role: 'admin', query: 'mutation { startExperiment(input: { name: "x", variants: [] }) { id } }' },
  'Mutation.stopExperiment': { role: 'admin', query: 'mutation { stopExperiment(id: "424242") { id } }' },
  'Mutation.createVisitorToken': { role: 'backend', query: 'mutation { createVisitorToken(userId: "u1") }' },
  'Mutation.createApiKey': { role: 'admin', query: 'mutation { createApiKey(name: "t", role: FRONTEND) { key apiKey { id } } }' },
  'Mutation.revokeApiKey': { role: 'admin', query: 'mutation { revokeApiKey(id: "424242") { id } }' },
};

/** Fields below the root that are kept from lower roles, each reached through a field the lower role may use. */
const GUARDED_FIELDS: Record<string, { role: Role; query: string }> = {
  'User.name': { role: 'backend', query: '{ recommendationsForUsers(userIds: ["u1"]) { user { name } } }' },
  'User.attributes': { role: 'backend', query: '{ recommendationsForUsers(userIds: ["u1"]) { user { attributes } } }' },
  'User.ratings': { role: 'backend', query: '{ recommendationsForUsers(userIds: ["u1"]) { user { ratings { totalCount } } } }' },
  'User.visitor': { role: 'backend', query: '{ recommendationsForUsers(userIds: ["u1"]) { user { visitor } } }' },
  'User.createdAt': { role: 'backend', query: '{ recommendationsForUsers(userIds: ["u1"]) { user { createdAt } } }' },
  'Product.ratings': { role: 'backend', query: '{ product(id: "p1") { ratings { totalCount } } }' },
  'ModelRun.config': { role: 'admin', query: '{ activeModel { config } }' },
  'ModelRun.artifactPath': { role: 'admin', query: '{ activeModel { artifactPath } }' },
  'ModelRun.error': { role: 'admin', query: '{ activeModel { error } }' },
  'ModelRun.dataCounts': { role: 'backend', query: '{ activeModel { dataCounts } }' },
  'ModelRun.matrix': { role: 'backend', query: '{ activeModel { matrix } }' },
  'ModelRun.searchId': { role: 'admin', query: '{ activeModel { searchId } }' },
};

before(async () => {
  api = await startTestApi();
  for (const q of [
    'mutation { upsertUser(input: { id: "u1", name: "Ann", attributes: { zip: "10115" } }) { id } }',
    'mutation { upsertProduct(input: { id: "p1", name: "One" }) { id } }',
    'mutation { upsertProduct(input: { id: "p2", name: "Two" }) { id } }',
    'mutation { upsertProduct(input: { id: "p3", name: "Three" }) { id } }',
    'mutation { rateProduct(userId: "u1", productId: "p1", rating: 5) { value } }',
  ]) {
    assert.equal((await api.gql(q)).errors, undefined, q);
  }
  // An active run as the registry records one (no model is loaded for these fields).
  await api.db.store.pool.query(
    `INSERT INTO model_runs (status, trigger, config, active, artifact_path, error, data_counts, matrix)
     VALUES ('succeeded', 'admin', '{"epochs": 1}', true, $1, 'e', '{"users": 1}', '{"rows": 1}')`,
    ['/srv/recsys/models/1'],
  );
  for (const role of ['frontend', 'backend', 'admin'] as const) keys[role] = await api.createKey(role);
});
after(async () => api?.close());

test('the table names every root field, and every field of every type has a role', () => {
  const { schema } = buildSchema();
  const roots = [schema.getQueryType()!, schema.getMutationType()!].flatMap((type) => Object.keys(type.getFields()).map((f) => `${type.name}.${f}`));
  assert.deepEqual(Object.keys(ROOT_FIELDS).sort(), roots.sort());
  const roles = fieldRoles(schema);
  for (const [coordinate, { role }] of Object.entries({ ...ROOT_FIELDS, ...GUARDED_FIELDS })) assert.equal(roles.get(coordinate), role, coordinate);
  // A field without a mark, on itself or its type, is refused.
  const unmarked = buildSdl(`directive @access(role: Role!) on OBJECT | FIELD_DEFINITION
    enum Role { FRONTEND BACKEND ADMIN }
    type Query { a: Int @access(role: FRONTEND) b: T }
    type T { c: Int }`);
  assert.throws(() => fieldRoles(unmarked), /these have none: Query\.b, T\.c/);
});

const callers: [string, Role | null][] = [
  ['anonymous', null],
  ['frontend', 'frontend'],
  ['backend', 'backend'],
  ['admin', 'admin'],
];

for (const [table, rows] of [
  ['root fields', ROOT_FIELDS],
  ['guarded fields', GUARDED_FIELDS],
] as const) {
  test(`${table}: each caller gets each field exactly when its role allows`, async () => {
    for (const [coordinate, { role, query }] of Object.entries(rows)) {
      for (const [who, callerRole] of callers) {
        const response = await api.gql(query, {}, callerRole === null ? false : keys[callerRole]);
        const code = codeOf(response);
        const allowed = roleAllows(callerRole ?? 'frontend', role);
        const where = `${coordinate} as ${who}: ${JSON.stringify(response.errors)}`;
        if (allowed) {
          assert.ok(code !== 'UNAUTHENTICATED' && code !== 'FORBIDDEN', where);
        } else {
          assert.equal(code, callerRole === null ? 'UNAUTHENTICATED' : 'FORBIDDEN', where);
          assert.match(response.errors![0].message, new RegExp(`${coordinate.replace('.', '\\.')} needs a ${role} key`), where);
          // Nothing of the field is given.
          assert.doesNotMatch(JSON.stringify(response.data ?? null), /10115|Ann|epochs|models/, where);
        }
      }
    }
  });
}

test('a field above the caller is refused alone; the rest of the query is answered', async () => {
  const response = await api.gql('{ product(id: "p1") { name } user(id: "u1") { attributes } }', {}, keys.frontend);
  assert.equal(codeOf(response), 'FORBIDDEN');
  assert.deepEqual(
    response.errors!.map((e) => (e as { path?: string[] }).path),
    [['user']],
  );
  assert.deepEqual(response.data, { product: { name: 'One' }, user: null });
});

test('a mutation asking for anything above the caller is refused whole, before any of it runs', async () => {
  const runsBefore = (await api.db.store.pool.query('SELECT count(*)::int AS n FROM model_runs')).rows[0].n;
  const response = await api.gql('mutation { upsertUser(input: { id: "u-mixed" }) { id } retrain { id } }', {}, keys.backend);
  assert.equal(codeOf(response), 'FORBIDDEN');
  assert.equal(response.data, undefined);
  const { rows } = await api.db.store.pool.query(`SELECT 1 FROM users WHERE external_id = 'u-mixed'`);
  assert.equal(rows.length, 0);
  assert.equal((await api.db.store.pool.query('SELECT count(*)::int AS n FROM model_runs')).rows[0].n, runsBefore);
});

test('artifactPath is shown relative to the models folder, never as a server path', async () => {
  const { data } = await api.gql('{ activeModel { artifactPath } }', {}, keys.admin);
  assert.equal(data.activeModel.artifactPath, '1');
});

test('with PUBLIC_READS=false a caller without a key may use nothing', async () => {
  const closed = await startTestApi({ PUBLIC_READS: 'false' });
  try {
    const anonymous = await closed.gql('{ products(first: 1) { totalCount } }', {}, false);
    assert.equal(anonymous.status, 401);
    assert.equal(codeOf(anonymous), 'UNAUTHENTICATED');
    const frontend = await closed.gql('{ products(first: 1) { totalCount } }', {}, await closed.createKey('frontend'));
    assert.equal(frontend.errors, undefined);
  } finally {
    await closed.close();
  }
});
